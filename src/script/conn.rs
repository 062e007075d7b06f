//! Opening the one vault a script uses, exactly as the TUI resolves it, and
//! calling it: a timeout per request, failures classified as in the TUI, and
//! 429s waited out beyond the SDK's own retries.

use std::future::Future;
use std::time::Duration;

use azure_core::http::headers::HeaderName;
use azure_security_keyvault_secrets::SecretClient;

use super::args::VaultArgs;
use super::exit::ScriptError;
use crate::compose::{self, ConnectOptions};
use crate::config::Config;
use crate::flags::DataArgs;
use crate::local::LocalVault;
use crate::vault::connect::process_env;
use crate::vault::credential::CredentialOptions;
use crate::vault::error::{ErrorKind, Op, VaultError, classify};
use crate::vault::{VaultTarget, endpoint};

/// Longest wait for one answer (one page, for lists).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Extra attempts after the SDK's retry policy gave up on a 429.
const THROTTLE_RETRIES: u32 = 5;
/// Seconds waited before each retry of a get or set that met a recover
/// still under way (the TUI's worker waits the same).
const RECOVER_BACKOFF: [u64; 5] = [1, 2, 4, 8, 16];

/// An open vault: its client, its host for messages, and the in-process
/// service when it is the embedded local vault.
pub struct Vault {
    pub client: SecretClient,
    pub host: String,
    local: Option<LocalVault>,
}

/// Calls on a borrowed client, so code outside scripts (the TUI) can use the
/// same functions with a client it owns.
pub struct Api<'a> {
    pub client: &'a SecretClient,
    /// `host[:port]`, for messages.
    pub host: String,
}

/// `host[:port]` of a client's vault.
fn host_of(client: &SecretClient) -> String {
    let ep = client.endpoint();
    match (ep.host_str(), ep.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => ep.to_string(),
    }
}

impl<'a> Api<'a> {
    pub fn new(client: &'a SecretClient) -> Self {
        Api {
            client,
            host: host_of(client),
        }
    }

    /// One call with the request timeout, failures classified.
    pub async fn call<T>(
        &self,
        op: Op,
        fut: impl Future<Output = azure_core::Result<T>>,
    ) -> Result<T, VaultError> {
        match tokio::time::timeout(REQUEST_TIMEOUT, fut).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(classify(&e, op, &self.host)),
            Err(_) => Err(VaultError::timeout(op, &self.host, REQUEST_TIMEOUT)),
        }
    }

    /// Like [`call`](Self::call), but a 429 the SDK's retries did not outlast is
    /// waited out (its Retry-After, else 1, 2, 4, 8, 16 s) and tried again.
    pub async fn call_patiently<T, F, Fut>(&self, op: Op, make: F) -> Result<T, VaultError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = azure_core::Result<T>>,
    {
        let mut attempt = 0;
        let mut recovering = 0;
        loop {
            let err = match tokio::time::timeout(REQUEST_TIMEOUT, make()).await {
                Ok(Ok(v)) => return Ok(v),
                Ok(Err(e)) => e,
                Err(_) => return Err(VaultError::timeout(op, &self.host, REQUEST_TIMEOUT)),
            };
            let classified = classify(&err, op, &self.host);
            // Recover is asynchronous in Azure: a get or set right after it
            // answers 409 ObjectIsBeingRecovered for a while, as the TUI waits out.
            if classified.status == Some(409)
                && classified.code.as_deref() == Some("ObjectIsBeingRecovered")
                && matches!(op, Op::Get | Op::Set | Op::Update)
                && let Some(wait) = RECOVER_BACKOFF.get(recovering)
            {
                tokio::time::sleep(Duration::from_secs(*wait)).await;
                recovering += 1;
                continue;
            }
            if classified.kind != ErrorKind::Throttled || attempt >= THROTTLE_RETRIES {
                return Err(classified);
            }
            tokio::time::sleep(throttle_delay(retry_after(&err), attempt)).await;
            attempt += 1;
        }
    }
}

impl Vault {
    /// Resolves and opens the vault the flags, environment or config name;
    /// the embedded local vault (no samples added) when none is named.
    pub async fn open(args: &VaultArgs) -> Result<Vault, ScriptError> {
        crate::local::client::choose_token_source(args.token_file.as_deref());
        let targets = Self::targets(args)?;
        let target = match targets.as_slice() {
            [one] => one,
            _ => {
                return Err(ScriptError::Usage(format!(
                    "a script works on one vault; {} are named ({})",
                    targets.len(),
                    targets
                        .iter()
                        .map(VaultTarget::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        };
        Self::open_target(target, args).await
    }

    /// The vaults the flags, environment or config name.
    pub fn targets(args: &VaultArgs) -> Result<Vec<VaultTarget>, ScriptError> {
        let config =
            Config::load(args.config.as_deref()).map_err(|e| ScriptError::Failed(e.to_string()))?;
        let cloud = args.cloud.unwrap_or_default();
        endpoint::resolve(&args.vaults, cloud, &process_env, &config.vaults)
            .map_err(|e| ScriptError::Usage(e.to_string()))
    }

    /// Opens one resolved vault with the credential and data dir of `args`.
    pub async fn open_target(target: &VaultTarget, args: &VaultArgs) -> Result<Vault, ScriptError> {
        // A running local vault is trusted through its data dir: one that is
        // not there is a mistyped flag, not a refused sign-in.
        if let (VaultTarget::Local(url), Some(dir)) = (target, &args.data_dir)
            && !dir.is_dir()
        {
            return Err(ScriptError::Usage(format!(
                "--data-dir {} does not exist; pass the data dir the local vault at {url} was started with (`kvtui serve --data-dir DIR`)",
                dir.display()
            )));
        }
        let opts = ConnectOptions {
            credential: CredentialOptions {
                method: args.auth.unwrap_or_default(),
                tenant: args.tenant.clone(),
                cloud: args.cloud.unwrap_or_default(),
            },
            data_dir: DataArgs {
                data_dir: args.data_dir.clone(),
            }
            .resolve(),
            samples: false,
            in_memory: false,
        };
        let open = compose::open_for(target, &opts, &process_env, false).await?;
        Ok(Vault::from_client(open.client, open.local))
    }

    /// A vault around a client someone else opened (the TUI, tests).
    pub fn from_client(client: SecretClient, local: Option<LocalVault>) -> Vault {
        Vault {
            host: host_of(&client),
            client,
            local,
        }
    }

    pub fn api(&self) -> Api<'_> {
        Api {
            client: &self.client,
            host: self.host.clone(),
        }
    }

    /// Stops the embedded service, if any, after the last call.
    pub async fn close(self) {
        if let Some(local) = self.local {
            local.shutdown().await;
        }
    }
}

/// How long to wait before attempt `attempt + 1` after a 429.
pub fn throttle_delay(retry_after: Option<Duration>, attempt: u32) -> Duration {
    let backoff = Duration::from_secs(1u64 << attempt.min(4));
    retry_after.map_or(backoff, |d| d.min(Duration::from_secs(60)))
}

/// The service's `retry-after-ms` or `Retry-After` (seconds), if it sent one.
fn retry_after(err: &azure_core::Error) -> Option<Duration> {
    let azure_core::error::ErrorKind::HttpResponse {
        raw_response: Some(raw),
        ..
    } = err.kind()
    else {
        return None;
    };
    let headers = raw.headers();
    let read = |name: &'static str| {
        headers
            .get_optional_str(&HeaderName::from_static(name))
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    read("retry-after-ms")
        .map(Duration::from_millis)
        .or_else(|| read("retry-after").map(Duration::from_secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_backs_off_or_follows_the_header() {
        let waits: Vec<u64> = (0..6).map(|a| throttle_delay(None, a).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 16]);
        assert_eq!(
            throttle_delay(Some(Duration::from_secs(3)), 0),
            Duration::from_secs(3)
        );
        assert_eq!(
            throttle_delay(Some(Duration::from_secs(600)), 0),
            Duration::from_secs(60)
        );
    }
}
