//! Requests on their way to a vault worker, and what each was for.

use super::overlay::Freed;
use crate::vault::{Access, NewSecret, SecretName, SecretProps};

/// What an outstanding request was for; answers to unknown ids are stale.
#[derive(Debug, Clone)]
pub enum Pending {
    ListSecrets,
    ListDeleted,
    Versions,
    Value,
    /// A value fetched only to be copied, never shown.
    CopyValue {
        name: SecretName,
    },
    /// A set from a form (also the set that follows a recover or purge).
    Create {
        secret: NewSecret,
    },
    Update,
    Backup {
        name: SecretName,
    },
    Restore,
    Delete {
        name: SecretName,
    },
    /// `then` is what the 409 dialog's form meant to do once the name is free.
    Recover {
        name: SecretName,
        then: Option<Freed>,
    },
    Purge {
        name: SecretName,
        then: Option<Freed>,
    },
    Export,
    /// One value of an open comparison (`old`: the older side).
    CompareValue {
        old: bool,
    },
    /// An old version's value, fetched to make it current.
    MakeCurrent {
        from: Box<SecretProps>,
    },
    /// A version enabled or disabled from the versions list.
    VersionEnabled {
        name: SecretName,
    },
}

impl Pending {
    /// What the request does, for a message.
    pub fn describe(&self) -> String {
        match self {
            Self::ListSecrets => "list secrets".to_owned(),
            Self::ListDeleted => "list deleted secrets".to_owned(),
            Self::Versions => "list versions".to_owned(),
            Self::Value => "get the value".to_owned(),
            Self::CopyValue { name } => format!("copy the value of {name}"),
            Self::Create { secret } => format!("save {}", secret.name),
            Self::Update => "update properties".to_owned(),
            Self::Backup { name } => format!("back up {name}"),
            Self::Restore => "restore".to_owned(),
            Self::Delete { name } => format!("delete {name}"),
            Self::Recover { name, .. } => format!("recover {name}"),
            Self::Purge { name, .. } => format!("purge {name}"),
            Self::Export => "export".to_owned(),
            Self::CompareValue { .. } => "get a value to compare".to_owned(),
            Self::MakeCurrent { from } => format!("read {} to make it current", from.name),
            Self::VersionEnabled { name } => format!("enable or disable a version of {name}"),
        }
    }
}

/// A request on its way: the vault it went to and what it was for.
#[derive(Debug, Clone)]
pub struct Outstanding {
    pub route: usize,
    pub what: Pending,
    /// From the command's nature (the vault's one table), not listed here:
    /// a write's answer is never dropped, not even on a vault switch.
    pub access: Access,
}
