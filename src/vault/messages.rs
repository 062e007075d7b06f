//! The two message types between the UI and the vault worker.

use std::path::PathBuf;

use super::error::VaultError;
use super::types::{DeletedSecret, NewSecret, PropsUpdate, Secret, SecretName, SecretProps};

/// Identifies one request; every event names the request it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReqId(pub u64);

/// A command for the worker, with the request it belongs to.
#[derive(Debug, Clone)]
pub struct VaultRequest {
    pub id: ReqId,
    pub cmd: VaultCmd,
}

/// What the UI asks the vault to do.
#[derive(Debug, Clone)]
pub enum VaultCmd {
    ListSecrets,
    /// The first batch of a secret's versions; the answer ends with
    /// `ListPaused` when more remain.
    ListVersions {
        name: SecretName,
    },
    /// The next batch of versions, from where `ListPaused` stopped.
    MoreVersions {
        name: SecretName,
        resume: String,
    },
    /// `version: None` is the latest.
    Get {
        name: SecretName,
        version: Option<String>,
    },
    Set(NewSecret),
    UpdateProps {
        name: SecretName,
        version: Option<String>,
        update: PropsUpdate,
    },
    Delete {
        name: SecretName,
    },
    ListDeleted,
    GetDeleted {
        name: SecretName,
    },
    Recover {
        name: SecretName,
    },
    Purge {
        name: SecretName,
    },
    /// Write the backup blob to `path` (`~` is the home directory); an
    /// existing file is replaced only when `overwrite`.
    Backup {
        name: SecretName,
        path: PathBuf,
        overwrite: bool,
    },
    Restore {
        path: PathBuf,
    },
    /// Write the latest values of `names` to a new 0600 file, as
    /// `kvtui export` does; an existing file is replaced only when `overwrite`.
    Export {
        names: Vec<SecretName>,
        format: super::types::ExportFormat,
        path: PathBuf,
        overwrite: bool,
    },
}

/// What the worker reads: a request to run, or a request to stop.
#[derive(Debug, Clone)]
pub enum WorkerInput {
    Run(VaultRequest),
    /// Stop a request still running (a superseded list stops fetching pages).
    Cancel(ReqId),
    /// Read a local vault's token and CA again before the requests that
    /// follow (F5); other vaults ignore it.
    Reread,
}

/// What the worker sends back; `req` names the request answered.
#[derive(Debug, Clone)]
pub struct VaultEvent {
    pub req: ReqId,
    pub kind: VaultEventKind,
}

#[derive(Debug, Clone)]
pub enum VaultEventKind {
    /// One page of a list of secrets or of versions, as soon as it arrives.
    SecretsPage(Vec<SecretProps>),
    /// One page of the deleted list.
    DeletedPage(Vec<DeletedSecret>),
    /// A list finished; `count` items in all.
    ListDone {
        count: usize,
    },
    /// A batch of versions ended with more to come: `count` items in this
    /// batch; `resume` (the service's next link) continues it.
    ListPaused {
        count: usize,
        resume: String,
    },
    /// A secret with its value (get).
    Secret(Box<Secret>),
    /// Properties after set, update, recover or restore.
    Props(Box<SecretProps>),
    /// A deleted secret (delete, get deleted).
    Deleted(Box<DeletedSecret>),
    /// The deleted secret is gone for good.
    Purged,
    /// The backup blob was written to `path` (0600).
    BackedUp {
        path: PathBuf,
    },
    /// `count` values were exported to `path` (0600).
    Exported {
        path: PathBuf,
        count: usize,
    },
    /// The request will be tried again after a wait (the vault throttles, or
    /// a recover is still running); the terminal event comes later.
    Retrying {
        /// "throttled, retrying in 4 s", "recovering… retrying in 2 s".
        note: String,
    },
    /// The request was cancelled; nothing follows.
    Cancelled,
    Failed(VaultError),
}
