//! The composition root for vaults: the one place the vault layer and the local
//! service meet. No vault named starts the embedded local vault in-process; a
//! loopback URL uses the CA and token of the data dir; Azure vaults go through
//! `vault::connect::azure_client`.

use std::path::PathBuf;
use std::sync::Arc;

use azure_security_keyvault_secrets::SecretClient;
use secrecy::{ExposeSecret, SecretString};

use crate::local::{self, LocalVault, LocalVaultOptions};
use crate::vault::Cloud;
use crate::vault::connect;
use crate::vault::credential::{self, CredentialOptions};
use crate::vault::discovery::{self, Discovery};
use crate::vault::{ErrorKind, Rebuild, Reconnect, VaultError, VaultTarget};

/// What opening a vault needs besides the target.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub credential: CredentialOptions,
    /// Local vault data dir: CA and token of a loopback vault, home of the embedded one.
    pub data_dir: PathBuf,
    /// Add sample secrets to a new embedded vault.
    pub samples: bool,
    /// Keep the embedded vault's secrets in memory only.
    pub in_memory: bool,
}

/// An open vault. Keep it alive as long as its client is used: for the
/// embedded vault it owns the running service.
pub struct OpenVault {
    pub client: SecretClient,
    /// The vault's URL, for the title bar and the vault picker.
    pub url: String,
    /// The in-process local service, when this is the embedded vault.
    pub local: Option<LocalVault>,
    /// For a running local vault: how to read its token and CA again.
    pub reconnect: Option<Reconnect>,
}

/// A client for a local vault at `url` (see [`local::client::secret_client`]).
fn local_client(url: &str, ca_pem: &[u8], token: SecretString) -> Result<SecretClient, VaultError> {
    local::client::secret_client(url, ca_pem, token)
        .map_err(|e| VaultError::new(ErrorKind::Other, format!("cannot open {url}: {e}")))
}

/// Opens `target`, reading credential variables through `env`; an embedded
/// vault stays for a while (the TUI).
pub async fn open(
    target: &VaultTarget,
    opts: &ConnectOptions,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Result<OpenVault, VaultError> {
    open_for(target, opts, env, true).await
}

/// As [`open`]; `lasting` false for one command (the CLI), whose embedded
/// vault other instances wait for rather than join.
pub async fn open_for(
    target: &VaultTarget,
    opts: &ConnectOptions,
    env: &(dyn Fn(&str) -> Option<String> + Sync),
    lasting: bool,
) -> Result<OpenVault, VaultError> {
    match target {
        VaultTarget::Azure(url) => {
            let cred = Arc::new(credential::build(&opts.credential, env));
            let url = url.as_str().trim_end_matches('/').to_owned();
            Ok(OpenVault {
                client: connect::azure_client(&url, cred)?,
                url,
                local: None,
                reconnect: None,
            })
        }
        VaultTarget::Local(url) => open_loopback(url.as_str(), opts),
        VaultTarget::Embedded => open_embedded(opts, lasting).await,
    }
}

/// A local service already running at `url`, trusted through the data dir.
fn open_loopback(url: &str, opts: &ConnectOptions) -> Result<OpenVault, VaultError> {
    let url = url.trim_end_matches('/').to_owned();
    let (ca, token) = local::client::read_credentials(&opts.data_dir).map_err(|e| {
        VaultError::new(
            ErrorKind::NotSignedIn,
            format!("cannot use the local vault at {url}: {e}"),
        )
        .with_hint(format!(
            "Start it with `kvtui serve --data-dir {}`, or pass the --data-dir it uses.",
            opts.data_dir.display()
        ))
    })?;
    let seen = std::sync::Mutex::new(fingerprint(&ca, &token));
    let client = local_client(&url, &ca, token)?;
    let data_dir = opts.data_dir.clone();
    let vault_url = url.clone();
    let rebuild: Rebuild = Arc::new(move || {
        let (ca, token) = local::client::read_credentials(&data_dir).map_err(|e| {
            VaultError::new(
                ErrorKind::NotSignedIn,
                format!("cannot read {}: {e}", data_dir.display()),
            )
        })?;
        let now = fingerprint(&ca, &token);
        let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
        if *seen == now {
            return Ok(None);
        }
        let client = local_client(&vault_url, &ca, token)?;
        *seen = now;
        Ok(Some(client))
    });
    Ok(OpenVault {
        client,
        url,
        local: None,
        reconnect: Some(Reconnect {
            rebuild,
            token_file: match local::client::token_source() {
                local::client::TokenSource::File(f) => f,
                _ => opts.data_dir.join("token"),
            },
        }),
    })
}

/// A digest of the CA and token a client was built with, to tell whether
/// reading them again found anything new (the token itself is not kept).
fn fingerprint(ca: &[u8], token: &SecretString) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(ca);
    h.update([0u8]);
    h.update(token.expose_secret().as_bytes());
    h.finalize().into()
}

/// How long an embedded vault waits for another one-command instance to
/// free the data dir before giving up.
const WAIT_FOR_DATA_DIR: std::time::Duration = std::time::Duration::from_secs(60);

/// The local service started in-process on an ephemeral port; when another
/// process serves the data dir, that one as a client (or, for a one-command
/// instance, once it is done).
async fn open_embedded(opts: &ConnectOptions, lasting: bool) -> Result<OpenVault, VaultError> {
    let mut lo = LocalVaultOptions::new(opts.data_dir.clone());
    lo.samples = opts.samples;
    lo.in_memory = opts.in_memory;
    lo.lasting = lasting;
    let t0 = std::time::Instant::now();
    let vault = loop {
        match local::start(lo.clone()).await {
            Err(local::LocalError::Locked {
                holder:
                    Some(local::Holder {
                        port: Some(port),
                        lasting: true,
                        pid,
                    }),
                ..
            }) => {
                tracing::info!(
                    pid,
                    port,
                    "the data dir is served by another kvtui: joining it"
                );
                return open_loopback(&format!("https://localhost:{port}"), opts);
            }
            Err(local::LocalError::Locked { .. }) if t0.elapsed() < WAIT_FOR_DATA_DIR => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            other => break other,
        }
    }
    .map_err(|e| {
        VaultError::new(
            ErrorKind::Other,
            format!("the local vault could not start: {e}"),
        )
        .with_hint("Check that the data dir is writable, or pick another with --data-dir.")
    })?;
    let url = vault.url();
    let token = SecretString::from(vault.token().expose_secret().to_owned());
    let client = local_client(&url, vault.ca_pem(), token)?;
    Ok(OpenVault {
        client,
        url,
        local: Some(vault),
        reconnect: None,
    })
}

/// Discovery on the Resource Manager endpoint of the local service at
/// `arm_url` (`https://management.localhost:PORT`), with the data dir's CA and token.
pub fn local_discovery(
    arm_url: &str,
    ca_pem: &[u8],
    token: SecretString,
) -> Result<Discovery, String> {
    let url = url::Url::parse(arm_url).map_err(|e| format!("{arm_url}: {e}"))?;
    let options = local::client::local_client_options(&url, ca_pem).map_err(|e| e.to_string())?;
    let credential = Arc::new(local::client::StaticTokenCredential::new(token));
    Discovery::new(arm_url, credential, options, None)
}

/// Which Resource Manager endpoints the picker searches: the local
/// service's when one is open (`local_port`), and Azure's: `--arm-endpoint`
/// when given, else the cloud's. Each is its own group; the second is only
/// there when it is another endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPlan {
    /// The first group: the local vaults, or Azure when no local service is open.
    pub first: String,
    /// Azure, beside the local vaults.
    pub azure: Option<String>,
}

pub fn search_plan(
    arm_endpoint: Option<&str>,
    local_port: Option<u16>,
    cloud: Cloud,
) -> SearchPlan {
    let azure = arm_endpoint
        .unwrap_or(discovery::arm_endpoint(cloud))
        .trim_end_matches('/')
        .to_owned();
    match local_port {
        Some(port) => {
            let local = format!("https://management.localhost:{port}");
            let same = local.eq_ignore_ascii_case(&azure);
            SearchPlan {
                first: local,
                azure: (!same).then_some(azure),
            }
        }
        None => SearchPlan {
            first: azure,
            azure: None,
        },
    }
}

/// Discovery of the Resource Manager at `url`: a loopback one is a local
/// service, trusted through the data dir; any other is Azure's, signed by
/// the credential chain (which fails before any request when no source
/// gives a token).
pub fn discovery_at(
    url: &str,
    opts: &ConnectOptions,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Discovery, String> {
    let tenant = opts.credential.tenant.clone();
    let parsed = url::Url::parse(url).map_err(|e| format!("Resource Manager {url}: {e}"))?;
    if crate::vault::endpoint::is_loopback(&parsed) {
        let (ca, token) = local::client::read_credentials(&opts.data_dir)
            .map_err(|e| format!("cannot use the local vault's Resource Manager at {url}: {e}"))?;
        return local_discovery(url, &ca, token).map(|d| d.with_tenant(tenant));
    }
    let credential = Arc::new(credential::build(&opts.credential, env));
    let options = azure_core::http::ClientOptions {
        retry: connect::azure_retry(),
        ..Default::default()
    };
    Discovery::new(url, credential, options, tenant)
}

/// The first group's discovery (see [`search_plan`]).
pub fn discovery_for(
    arm_endpoint: Option<&str>,
    local_port: Option<u16>,
    opts: &ConnectOptions,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Discovery, String> {
    let plan = search_plan(arm_endpoint, local_port, opts.credential.cloud);
    discovery_at(&plan.first, opts, env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_vaults_and_azure_are_searched_side_by_side() {
        // The embedded vault open: its own Resource Manager, and the cloud's beside it.
        assert_eq!(
            search_plan(None, Some(8443), Cloud::Public),
            SearchPlan {
                first: "https://management.localhost:8443".into(),
                azure: Some("https://management.azure.com".into()),
            }
        );
        assert_eq!(
            search_plan(None, Some(1), Cloud::China).azure.as_deref(),
            Some("https://management.chinacloudapi.cn")
        );
        // Only Azure vaults open: one group, the cloud's.
        assert_eq!(
            search_plan(None, None, Cloud::Usgov),
            SearchPlan {
                first: "https://management.usgovcloudapi.net".into(),
                azure: None,
            }
        );
        // --arm-endpoint stands for Azure's; the same endpoint as the local one is one group.
        assert_eq!(
            search_plan(
                Some("https://management.localhost:9/"),
                Some(8443),
                Cloud::Public
            )
            .azure,
            Some("https://management.localhost:9".into())
        );
        assert_eq!(
            search_plan(
                Some("https://management.localhost:8443"),
                Some(8443),
                Cloud::Public
            ),
            SearchPlan {
                first: "https://management.localhost:8443".into(),
                azure: None,
            }
        );
    }
}
