//! Exit codes and how failures reach stderr: the TUI's message and hint.

use std::process::ExitCode;

use crate::vault::{ErrorKind, VaultError};

/// Done.
pub const OK: u8 = 0;
/// Anything not listed below.
pub const FAILURE: u8 = 1;
/// Bad usage (clap uses it too): a bad flag value, a value on a terminal.
pub const USAGE: u8 = 2;
pub const NOT_FOUND: u8 = 3;
/// Not signed in, refused credentials, forbidden (also a disabled secret's value).
pub const DENIED: u8 = 4;
/// The name is deleted but recoverable.
pub const DELETED: u8 = 5;
/// `kvtui diff`: the vaults differ. Never a failure's code, so a drift check
/// tells drift from a broken run.
pub const DIFFERENT: u8 = 10;
/// `kvtui copy`: some names were not copied (deleted in the target, refused,
/// changed since the plan, or their write failed).
pub const NOT_COPIED: u8 = 11;
/// `kvtui expiring`: some secrets have expired or expire within the window.
pub const EXPIRING: u8 = 12;

/// Why a script failed. Never holds a secret value.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error("{0}")]
    Vault(VaultError),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Failed(String),
    /// A failure already reported on stderr (some items of many failed).
    #[error("{message}")]
    Reported { code: u8, message: String },
}

impl From<VaultError> for ScriptError {
    fn from(e: VaultError) -> Self {
        ScriptError::Vault(e)
    }
}

/// The exit code of a vault failure.
pub fn code_of(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::NotFound => NOT_FOUND,
        ErrorKind::NotSignedIn
        | ErrorKind::Unauthorized
        | ErrorKind::Forbidden
        | ErrorKind::Disabled
        | ErrorKind::Firewall => DENIED,
        ErrorKind::DeletedButRecoverable => DELETED,
        ErrorKind::InvalidInput => USAGE,
        _ => FAILURE,
    }
}

impl ScriptError {
    pub fn code(&self) -> u8 {
        match self {
            ScriptError::Vault(e) => code_of(e.kind),
            ScriptError::Usage(_) => USAGE,
            ScriptError::Failed(_) => FAILURE,
            ScriptError::Reported { code, .. } => *code,
        }
    }

    pub fn io(what: impl std::fmt::Display, e: std::io::Error) -> Self {
        ScriptError::Failed(format!("{what}: {e}"))
    }
}

/// The hint printed under a vault failure: the TUI's, reworded where it
/// points at a view, a key or a list scripts do not have, with the command
/// to run and the secret's real name (`name`, else the one the vault named).
pub fn hint_of(e: &VaultError, name: Option<&str>) -> Option<String> {
    let named = name.map(str::to_owned).or_else(|| e.secret_name());
    let n = named.as_deref().unwrap_or("NAME");
    match e.kind {
        ErrorKind::DeletedButRecoverable => Some(match named.as_deref() {
            Some(n) => format!(
                "Recover it with `kvtui secret recover {n}`, or purge it with `kvtui secret purge {n}`; then retry."
            ),
            None => "Find it with `kvtui secret list --deleted`, then recover it (`kvtui secret recover`) or purge it (`kvtui secret purge`); then retry.".into(),
        }),
        ErrorKind::NotFound => Some(
            "Check the name with `kvtui secret list` (deleted ones: `kvtui secret list --deleted`).".into(),
        ),
        ErrorKind::Disabled => Some(format!(
            "Enable it with `kvtui secret update {n} --enable` to read its value."
        )),
        ErrorKind::Conflict if e.code.as_deref() == Some("ObjectIsBeingRecovered") => {
            Some("Recovery takes a few seconds in Azure; retry in a moment.".into())
        }
        ErrorKind::Conflict => Some("Retry; another change may have happened meanwhile.".into()),
        _ => e.hint.clone(),
    }
}

/// Prints a failure (and its hint) to stderr, `name` being the secret it concerns.
pub fn report(e: &ScriptError, name: Option<&str>) {
    match e {
        ScriptError::Vault(v) => {
            eprintln!("kvtui: {}", v.message);
            if let Some(h) = hint_of(v, name) {
                eprintln!("hint: {h}");
            }
        }
        ScriptError::Reported { .. } => {}
        other => eprintln!("kvtui: {other}"),
    }
}

/// The process exit code of a result, reporting a failure first.
pub fn finish(result: Result<(), ScriptError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::from(OK),
        Err(e) => {
            report(&e, None);
            ExitCode::from(e.code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_the_documented_codes() {
        assert_eq!(code_of(ErrorKind::NotFound), 3);
        assert_eq!(code_of(ErrorKind::Unauthorized), 4);
        assert_eq!(code_of(ErrorKind::NotSignedIn), 4);
        assert_eq!(code_of(ErrorKind::Forbidden), 4);
        assert_eq!(code_of(ErrorKind::DeletedButRecoverable), 5);
        assert_eq!(code_of(ErrorKind::Conflict), 1);
        assert_eq!(code_of(ErrorKind::Network), 1);
    }

    #[test]
    fn deleted_names_point_at_recover_and_purge() {
        let e = VaultError::new(ErrorKind::DeletedButRecoverable, "x");
        let h = hint_of(&e, Some("db")).unwrap_or_default();
        assert!(h.contains("kvtui secret recover db") && h.contains("kvtui secret purge db"));
    }
}
