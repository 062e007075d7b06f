//! Opening a vault: one `SecretClient` per target, with the right trust and
//! credential, ready for [`spawn_worker`](super::spawn_worker).
//!
//! Azure vaults: the platform's trusted CAs, an `azure_identity` credential,
//! challenge verification on. Loopback URLs: the CA and token of the data dir.
//! No vault named: the local service starts in-process on an ephemeral port.

use std::path::PathBuf;
use std::sync::Arc;

use azure_core::http::{ClientOptions, ExponentialRetryOptions, RetryOptions};
use azure_core::time::Duration;
use azure_security_keyvault_secrets::{SecretClient, SecretClientOptions};
use secrecy::{ExposeSecret, SecretString};

use super::credential::{self, CredentialOptions};
use super::endpoint::VaultTarget;
use super::error::{ErrorKind, VaultError};
use crate::local::{self, LocalVault, LocalVaultOptions};

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
}

/// Retries for Azure: fewer and shorter than the SDK's default (8 over up to a
/// minute) so a dead network is reported while the user still waits for it.
fn azure_retry() -> RetryOptions {
    RetryOptions::exponential(ExponentialRetryOptions {
        initial_delay: Duration::milliseconds(400),
        max_retries: 3,
        max_total_elapsed: Duration::seconds(20),
        max_delay: Duration::seconds(8),
    })
}

/// A client for a local vault at `url` (see [`local::client::secret_client`]).
pub fn local_client(
    url: &str,
    ca_pem: &[u8],
    token: SecretString,
) -> Result<SecretClient, VaultError> {
    local::client::secret_client(url, ca_pem, token)
        .map_err(|e| VaultError::new(ErrorKind::Other, format!("cannot open {url}: {e}")))
}

/// A client for an Azure vault at `url`, signed by `credential`.
pub fn azure_client(
    url: &str,
    credential: Arc<dyn azure_core::credentials::TokenCredential>,
) -> Result<SecretClient, VaultError> {
    let options = SecretClientOptions {
        client_options: ClientOptions {
            retry: azure_retry(),
            ..Default::default()
        },
        verify_challenge_resource: Some(true),
        ..Default::default()
    };
    SecretClient::new(url, credential, Some(options))
        .map_err(|e| VaultError::new(ErrorKind::InvalidInput, format!("cannot open {url}: {e}")))
}

/// Opens `target`, reading credential variables through `env`.
pub async fn open(
    target: &VaultTarget,
    opts: &ConnectOptions,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<OpenVault, VaultError> {
    match target {
        VaultTarget::Azure(url) => {
            let cred = Arc::new(credential::build(&opts.credential, env));
            let url = url.as_str().trim_end_matches('/').to_owned();
            Ok(OpenVault {
                client: azure_client(&url, cred)?,
                url,
                local: None,
            })
        }
        VaultTarget::Local(url) => {
            let url = url.as_str().trim_end_matches('/').to_owned();
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
            let client = local_client(&url, &ca, token)?;
            Ok(OpenVault {
                client,
                url,
                local: None,
            })
        }
        VaultTarget::Embedded => {
            let mut lo = LocalVaultOptions::new(opts.data_dir.clone());
            lo.samples = opts.samples;
            lo.in_memory = opts.in_memory;
            let vault = local::start(lo).await.map_err(|e| {
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
            })
        }
    }
}

/// Reads a variable of this process; pass it as `env` outside tests.
pub fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}
