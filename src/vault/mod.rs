//! Everything that talks to a vault: messages, the worker task, which vault and
//! which credential, error classification and the domain types.

pub mod error;
pub mod messages;
pub mod types;

pub use error::{ErrorKind, VaultError};
pub use messages::{ReqId, VaultCmd, VaultEvent, VaultEventKind, VaultRequest};
pub use types::{DeletedSecret, NewSecret, PropsUpdate, Secret, SecretName, SecretProps};
