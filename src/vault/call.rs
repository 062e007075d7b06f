//! The one call layer under the TUI's worker and the scripting commands: a
//! timeout per request, failures classified, and 429s (after the vault's
//! `Retry-After`) and recoveries still under way waited out with the same
//! counts and waits in both.

use std::future::Future;
use std::time::Duration;

use azure_security_keyvault_secrets::SecretClient;

use super::error::{ErrorKind, Op, VaultError, classify};

/// Longest wait for one answer (one page, for lists).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Extra attempts after the SDK's retry policy gave up on a 429; the worker's
/// default and the scripts' alike.
pub const THROTTLE_RETRIES: usize = 3;
/// Seconds waited before each retry of a get or set that met a recover
/// still under way.
pub const RECOVER_BACKOFF: [u64; 5] = [1, 2, 4, 8, 16];

/// How long to wait before attempt `attempt + 1` after a 429: the vault's
/// `Retry-After` (at most a minute), else 1, 2, 4, 8, 16 s.
pub fn throttle_wait(retry_after: Option<Duration>, attempt: usize) -> Duration {
    let backoff = Duration::from_secs(1u64 << attempt.min(4));
    retry_after.map_or(backoff, |d| d.min(Duration::from_secs(60)))
}

/// `host[:port]` of a client's vault.
pub fn host_of(client: &SecretClient) -> String {
    let ep = client.endpoint();
    match (ep.host_str(), ep.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => ep.to_string(),
    }
}

/// Calls on a borrowed client, so code outside scripts (the TUI) can use the
/// same functions with a client it owns.
pub struct Api<'a> {
    pub client: &'a SecretClient,
    /// `host[:port]`, for messages.
    pub host: String,
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
            let attempt_now: usize = attempt;
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
            if classified.kind != ErrorKind::Throttled || attempt_now >= THROTTLE_RETRIES {
                return Err(classified);
            }
            tokio::time::sleep(throttle_wait(classified.retry_after, attempt_now)).await;
            attempt += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_backs_off_or_follows_the_header() {
        let waits: Vec<u64> = (0..6).map(|a| throttle_wait(None, a).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 16]);
        assert_eq!(
            throttle_wait(Some(Duration::from_secs(3)), 0),
            Duration::from_secs(3)
        );
        assert_eq!(
            throttle_wait(Some(Duration::from_secs(600)), 0),
            Duration::from_secs(60)
        );
    }
}
