//! What is drawn over the main screen: forms, confirmations, the
//! deleted-name conflict, help, the message history and the vault picker.

use tui_input::Input;

use super::forms::form::Form;
use crate::vault::{NewSecret, SecretName};

/// What a confirmation does when confirmed.
#[derive(Debug, Clone)]
pub enum ConfirmAction {
    Delete(Vec<SecretName>),
    Recover(Vec<SecretName>),
    Purge(Vec<SecretName>),
    /// Purge a deleted name, then create or restore what the form held (409 dialog).
    PurgeThen(SecretName, Freed),
    /// Drop a form with typed input.
    DiscardForm,
    /// Submit the form under this question again, replacing its file.
    OverwriteFile,
    /// Write a new version with an old version's value (`C`).
    MakeCurrent(NewSecret),
    /// Disable one version (`t` on an enabled one): its readers get 403.
    DisableVersion {
        name: SecretName,
        version: String,
    },
}

/// A yes/no question, optionally requiring the user to type a word first.
#[derive(Debug, Clone)]
pub struct Confirm {
    pub title: String,
    pub lines: Vec<String>,
    pub action: ConfirmAction,
    /// When set, `Enter` confirms only once `typed` equals it.
    pub type_to_confirm: Option<String>,
    pub typed: Input,
    pub danger: bool,
}

/// The choices of the deleted-name conflict dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictChoice {
    Recover,
    Purge,
    Cancel,
}

impl ConflictChoice {
    pub const ALL: [ConflictChoice; 3] = [Self::Recover, Self::Purge, Self::Cancel];
}

/// What a form meant to do with a name a deleted secret still holds, once
/// the name is free.
#[derive(Debug, Clone)]
pub enum Freed {
    /// Create this secret (the new-secret form).
    Create(NewSecret),
    /// Restore the backup in this file (the restore form).
    Restore(std::path::PathBuf),
}

/// Creating or restoring a secret whose name is deleted but recoverable (409).
#[derive(Debug, Clone)]
pub struct Conflict {
    pub name: SecretName,
    pub then: Freed,
    pub choice: usize,
}

/// Something drawn over the main screen; the last one gets the keys.
#[derive(Debug, Clone)]
pub enum Overlay {
    Form(Form),
    Confirm(Confirm),
    Conflict(Conflict),
    /// The keys, generated from the keymap; `scroll` in lines.
    Help {
        scroll: usize,
    },
    Errors {
        scroll: usize,
    },
    /// The vault picker.
    Picker(super::picker::PickerState),
    /// Find a secret in every open, pinned and recent vault (`F`).
    Find(super::find::FindState),
    /// The access doctor's report for the vault at `url` (`a`).
    Access(super::access::AccessPanel),
    /// Choose the vault to compare the one on screen with (`c`).
    CompareWith(super::across::ChooseState),
    /// Two vaults compared, name by name.
    VaultCompare(super::across::VaultCompare),
    /// A copy's plan, shown before anything is written.
    CopyPlan(super::across::CopyPlan),
    /// Expired and expiring secrets of every open vault (`X`).
    ExpiringAll(super::across::ExpiringAll),
}
