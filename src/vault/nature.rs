//! What kind of operation each command is, in one table: whether it changes
//! something, whether it streams its answer, and which failures it waits out.
//! The worker's retries and the app's "drop reads on a vault switch" are
//! derived from it. The match has no catch-all arm on purpose: a new command
//! does not compile until it says what it is.

use super::messages::VaultCmd;

/// Whether a command changes the vault or a file (its answer is never dropped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// Which failures the worker waits out and runs the command again for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryClass {
    /// Never run again: pages already sent would be sent twice (lists,
    /// version batches), or the command retries its own calls (export).
    Never,
    /// A 429, after the vault's `Retry-After`.
    Throttle,
    /// A 429, and a 409 `ObjectIsBeingRecovered` while a recover runs.
    ThrottleAndRecovery,
}

/// The nature of one command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nature {
    pub access: Access,
    /// Sends its answer a page at a time as pages arrive.
    pub streams: bool,
    pub retry: RetryClass,
}

const fn nature(access: Access, streams: bool, retry: RetryClass) -> Nature {
    Nature {
        access,
        streams,
        retry,
    }
}

const LIST: Nature = nature(Access::Read, true, RetryClass::Never);
const READ: Nature = nature(Access::Read, false, RetryClass::Throttle);
const VALUE_READ: Nature = nature(Access::Read, false, RetryClass::ThrottleAndRecovery);
const WRITE: Nature = nature(Access::Write, false, RetryClass::Throttle);
const VALUE_WRITE: Nature = nature(Access::Write, false, RetryClass::ThrottleAndRecovery);

impl VaultCmd {
    /// The command's nature: the one table.
    pub const fn nature(&self) -> Nature {
        match self {
            VaultCmd::ListSecrets
            | VaultCmd::ListVersions { .. }
            | VaultCmd::MoreVersions { .. }
            | VaultCmd::ListDeleted => LIST,
            VaultCmd::Get { .. } => VALUE_READ,
            VaultCmd::GetDeleted { .. } => READ,
            VaultCmd::Set(_) => VALUE_WRITE,
            VaultCmd::UpdateProps { .. }
            | VaultCmd::Delete { .. }
            | VaultCmd::Recover { .. }
            | VaultCmd::Purge { .. }
            | VaultCmd::Backup { .. }
            | VaultCmd::Restore { .. } => WRITE,
            // Each value read retries on its own; running the whole export
            // again would multiply those retries.
            VaultCmd::Export { .. } => nature(Access::Write, false, RetryClass::Never),
        }
    }

    /// Changes the vault or a file.
    pub const fn writes(&self) -> bool {
        matches!(self.nature().access, Access::Write)
    }

    /// Streams its answer: running it again would send pages twice.
    pub const fn streams(&self) -> bool {
        self.nature().streams
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::SecretName;

    fn name() -> SecretName {
        SecretName::parse("a").expect("name")
    }

    #[test]
    fn a_streaming_command_is_never_run_again() {
        let cmds = [
            VaultCmd::ListSecrets,
            VaultCmd::ListDeleted,
            VaultCmd::ListVersions { name: name() },
            VaultCmd::MoreVersions {
                name: name(),
                resume: "x".into(),
            },
        ];
        for cmd in cmds {
            assert!(cmd.streams(), "{cmd:?}");
            assert_eq!(cmd.nature().retry, RetryClass::Never, "{cmd:?}");
            assert!(!cmd.writes(), "{cmd:?}");
        }
    }

    #[test]
    fn reads_and_writes_are_told_apart() {
        let get = VaultCmd::Get {
            name: name(),
            version: None,
        };
        assert!(!get.writes());
        assert_eq!(get.nature().retry, RetryClass::ThrottleAndRecovery);
        assert!(VaultCmd::Delete { name: name() }.writes());
        assert!(!VaultCmd::GetDeleted { name: name() }.writes());
    }
}
