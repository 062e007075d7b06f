//! Key Vault error answers: status, code, inner code and the service's wording.

use super::model::StoreError;
use super::wire::{ErrorBody, ErrorJson, InnerError};

/// An error answer in the Key Vault envelope.
#[derive(Debug)]
pub(super) struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub inner: Option<&'static str>,
    pub message: String,
    /// `x-ms-keyvault-network-info` of a firewall refusal: the caller's address as seen.
    pub network_info: Option<String>,
}

impl ApiError {
    pub(super) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            inner: None,
            message: message.into(),
            network_info: None,
        }
    }

    pub(super) fn bad(message: impl Into<String>) -> Self {
        Self::new(400, "BadParameter", message)
    }

    pub(super) fn not_found(name: &str) -> Self {
        Self::new(
            404,
            "SecretNotFound",
            format!(
                "A secret with (name/id) {name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182"
            ),
        )
    }

    pub(super) fn deleted_not_found(name: &str) -> Self {
        Self::new(
            404,
            "SecretNotFound",
            format!("Deleted Secret not found: {name}"),
        )
    }

    pub(super) fn deleted_but_recoverable(name: &str) -> Self {
        Self {
            inner: Some("ObjectIsDeletedButRecoverable"),
            ..Self::new(
                409,
                "Conflict",
                format!(
                    "Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged."
                ),
            )
        }
    }

    pub(super) fn disabled() -> Self {
        Self {
            inner: Some("SecretDisabled"),
            ..Self::new(
                403,
                "Forbidden",
                "Operation get is not allowed on a disabled secret.",
            )
        }
    }

    /// Get or set while a recover still runs (Azure recovers asynchronously).
    /// Azure's answer to a set while a purge of the name still runs.
    pub(super) fn being_deleted(name: &str) -> Self {
        Self::new(
            409,
            "Conflict",
            format!("Secret {name} is currently being deleted."),
        )
    }

    pub(super) fn being_recovered(name: &str) -> Self {
        Self {
            inner: Some("ObjectIsBeingRecovered"),
            ..Self::new(
                409,
                "Conflict",
                format!(
                    "Secret {name} is currently being recovered. Retry the operation in a few seconds."
                ),
            )
        }
    }

    /// A write to the secret of a certificate: it changes only through its
    /// certificate, as Key Vault says.
    pub(super) fn managed_by_key_vault(op: &str) -> Self {
        Self {
            inner: Some("SecretManagedByKeyVault"),
            ..Self::new(
                403,
                "Forbidden",
                format!(
                    "Operation \"{op}\" is not allowed as this object's lifetime is managed by Key Vault."
                ),
            )
        }
    }

    /// Purge of a deleted secret in a purge-protected vault.
    pub(super) fn purge_protected(name: &str) -> Self {
        Self::new(
            403,
            "Forbidden",
            format!(
                "Operation \"purge\" is not allowed because purge protection is enabled for this vault. Key Vault service will automatically purge it after the retention period has passed. Secret: {name}"
            ),
        )
    }

    /// Key Vault's answer over its request limits (with `Retry-After: secs`).
    pub(super) fn throttled(secs: u64) -> Self {
        Self::new(
            429,
            "Throttled",
            format!(
                "Request was not processed because too many requests were received. Reason: A generic operations limit has been reached. Retry after {secs} seconds."
            ),
        )
    }

    /// A failure the service plays on request (`--fail-rate`): 500 or 503.
    pub(super) fn injected(status: u16) -> Self {
        match status {
            503 => Self::new(
                503,
                "ServiceUnavailable",
                "The service is temporarily unavailable (local vault --fail-rate).",
            ),
            _ => Self::new(
                500,
                "InternalServerError",
                "The service failed to process the request (local vault --fail-rate).",
            ),
        }
    }

    /// 401: no token, as Key Vault words it, or one that is not this
    /// service's (Key Vault names the token's fault; here it can only be
    /// the wrong token).
    pub(super) fn unauthorized(authorization: Option<&str>) -> Self {
        let message = match authorization {
            Some(h) if h.trim_start().starts_with("Bearer ") => {
                "The bearer token is not valid: it is not this vault's token."
            }
            _ => "AKV10000: Request is missing a Bearer or PoP token.",
        };
        Self::new(401, "Unauthorized", message)
    }

    /// Maps a store refusal for the secret `name` (shown as `shown`, with version if any).
    pub(super) fn from_store(e: StoreError, name: &str, shown: &str) -> Self {
        match e {
            StoreError::NotFound => Self::not_found(shown),
            StoreError::DeletedNotFound => Self::deleted_not_found(name),
            StoreError::DeletedButRecoverable => Self::deleted_but_recoverable(name),
            StoreError::AlreadyExists => Self::new(
                409,
                "Conflict",
                format!("Secret {name} already exists; restore needs a name that is not in use."),
            ),
            StoreError::Corrupt | StoreError::KeyMismatch => {
                tracing::error!(secret = name, "stored value failed authentication");
                Self::new(
                    500,
                    "InternalServerError",
                    "A stored value could not be decrypted.",
                )
            }
            StoreError::Db(msg) => {
                tracing::error!(error = %msg, "store failure");
                Self::new(
                    500,
                    "InternalServerError",
                    format!("The local vault store failed: {msg}"),
                )
            }
        }
    }

    pub(super) fn body(&self) -> Vec<u8> {
        let json = ErrorJson {
            error: ErrorBody {
                code: self.code,
                message: &self.message,
                inner: self.inner.map(|code| InnerError { code }),
            },
        };
        serde_json::to_vec(&json).unwrap_or_default()
    }
}
