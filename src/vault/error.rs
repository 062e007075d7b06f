//! Failures classified for people: what went wrong, status, Key Vault code, what to do.

/// What sort of failure; the UI picks its reaction from this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// No credential could produce a token.
    NotSignedIn,
    /// 401 from the vault.
    Unauthorized,
    /// 403: missing permission or policy.
    Forbidden,
    /// 403 with `SecretDisabled`.
    Disabled,
    /// 403: the vault firewall refused this client address.
    Firewall,
    NotFound,
    /// 409: the name is deleted but recoverable; recover or purge it first.
    DeletedButRecoverable,
    Conflict,
    BadRequest,
    Throttled,
    Server,
    /// DNS, connect or TLS failure.
    Network,
    Timeout,
    /// A name or input refused before sending.
    InvalidInput,
    /// A response that could not be understood, a file that could not be read.
    Other,
}

/// A failure with a message a person can act on. Never holds a secret value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct VaultError {
    pub kind: ErrorKind,
    /// HTTP status, when the vault answered.
    pub status: Option<u16>,
    /// Key Vault error code (inner code when there is one), e.g. `SecretDisabled`.
    pub code: Option<String>,
    /// What failed, in words.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl VaultError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            status: None,
            code: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}
