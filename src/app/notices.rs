//! Messages: the status line's toast, the history behind `!`, and what the
//! clipboard was given.

use secrecy::SecretString;
use time::OffsetDateTime;

use crate::vault::VaultError;

/// A message kept for the history behind `!`: failures and successes alike,
/// so where a backup went can be looked up later.
#[derive(Debug, Clone)]
pub struct ErrorEntry {
    pub at: OffsetDateTime,
    /// What it was about ("delete db-password"), or the message itself.
    pub what: String,
    /// The failure; `None` for a success or information.
    pub error: Option<VaultError>,
    /// A bulk action's failures: each name and why.
    pub failures: Vec<(String, String)>,
}

impl ErrorEntry {
    pub fn is_error(&self) -> bool {
        self.error.is_some() || !self.failures.is_empty()
    }
}

/// Messages the history keeps (the oldest go first).
pub const MAX_ERRORS: usize = 200;

/// Ticks (a quarter second each) information stays: 4 s.
pub const TOAST_TICKS: u16 = 16;

/// Ticks an error stays unless the operation succeeds first: 30 s.
pub const ERROR_TICKS: u16 = 120;

/// A short message at the bottom, gone after a few ticks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub is_error: bool,
    pub ticks_left: u16,
    /// The operation an error is about ("list secrets"), so its success
    /// can replace it.
    pub op: Option<String>,
    /// The request a "retrying…" note waits on: its answer ends the note.
    pub retry_of: Option<crate::vault::ReqId>,
}

/// Something to copy; a value is cleared from the clipboard after a while.
#[derive(Debug, Clone)]
pub struct Clip {
    pub text: SecretString,
    pub is_value: bool,
}

/// Where a copy lands, as the user is told after `y`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CopyTarget {
    /// The system clipboard, through its program.
    #[default]
    System,
    /// A tmux paste buffer of this name.
    Tmux { buffer: String },
    /// Handed to the terminal (OSC 52), which may or may not take it.
    Terminal,
}

impl CopyTarget {
    /// The message after copying `what` ("the value of db-password").
    pub fn copied(&self, what: &str) -> String {
        match self {
            CopyTarget::System => format!("copied {what}"),
            CopyTarget::Tmux { buffer } => format!("copied {what} to tmux buffer {buffer}"),
            CopyTarget::Terminal => format!("sent {what} to the terminal (OSC 52)"),
        }
    }
}
