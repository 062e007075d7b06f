//! Opening an Azure vault: the platform's trusted CAs, an `azure_identity`
//! credential, challenge verification on. Local vaults are wired by the
//! composition root ([`crate::compose`]), so this layer knows nothing of them.

use std::sync::Arc;

use azure_core::http::{ClientOptions, ExponentialRetryOptions, RetryOptions};
use azure_core::time::Duration;
use azure_security_keyvault_secrets::{SecretClient, SecretClientOptions};

use super::error::{ErrorKind, VaultError};

/// Retries for Azure: fewer and shorter than the SDK's default (8 over up to a
/// minute) so a dead network is reported while the user still waits for it.
pub(crate) fn azure_retry() -> RetryOptions {
    RetryOptions::exponential(ExponentialRetryOptions {
        initial_delay: Duration::milliseconds(400),
        max_retries: 3,
        max_total_elapsed: Duration::seconds(20),
        max_delay: Duration::seconds(8),
    })
}

/// A client for an Azure vault at `url`, signed by `credential`.
pub(crate) fn azure_client(
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

/// Reads a variable of this process; pass it as `env` outside tests.
pub(crate) fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}
