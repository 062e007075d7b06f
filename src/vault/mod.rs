//! Everything that talks to a vault: messages, the worker task, which vault and
//! which credential, error classification and the domain types.

pub mod access;
pub mod call;
mod choice;
mod commands;
pub(crate) mod connect;
pub mod convert;
pub mod credential;
pub mod discovery;
pub mod endpoint;
pub(crate) mod error;
mod forbidden;
pub(crate) mod messages;
pub(crate) mod nature;
pub(crate) mod tags;
pub(crate) mod types;
mod versions;
pub(crate) mod worker;

pub use choice::{AuthMethod, Cloud};
pub use endpoint::VaultTarget;
pub use error::{ErrorKind, Op, VaultError, describe};
pub use messages::{ReqId, VaultCmd, VaultEvent, VaultEventKind, VaultRequest, WorkerInput};
pub use nature::{Access, Nature, RetryClass};
pub use types::ExportFormat;
pub use types::{DeletedSecret, NewSecret, PropsUpdate, Secret, SecretName, SecretProps};
pub use worker::{Rebuild, Reconnect, WorkerConfig, spawn_worker, spawn_worker_reconnecting};
