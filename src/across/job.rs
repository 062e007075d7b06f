//! The work between two vaults the TUI asks the runtime for, and what the
//! runtime reports back: messages of the engine, below the app that sends them.

use super::apply::Outcome;
use super::compare::Row;
use super::plan::Step;
use crate::vault::{ReqId, VaultError};

/// Work between two vaults the runtime carries out (`Effect::Across`).
#[derive(Debug, Clone)]
pub enum AcrossJob {
    /// Compare `source` with `target` (vault URLs); values hashed and dropped
    /// unless `values` is off.
    Compare {
        id: ReqId,
        source: String,
        target: String,
        values: bool,
    },
    /// Carry out `steps`, re-reading the target before each write.
    Copy {
        id: ReqId,
        source: String,
        target: String,
        steps: Vec<Step>,
    },
    /// List the secrets of `vault`, a pinned vault not open, for `X`.
    List { id: ReqId, vault: String },
    /// Read one name's current value on both sides, for `s` in the compare view.
    Values {
        id: ReqId,
        source: String,
        target: String,
        name: crate::vault::SecretName,
        target_name: crate::vault::SecretName,
    },
}

impl AcrossJob {
    pub fn id(&self) -> ReqId {
        match self {
            AcrossJob::Compare { id, .. }
            | AcrossJob::Copy { id, .. }
            | AcrossJob::List { id, .. }
            | AcrossJob::Values { id, .. } => *id,
        }
    }

    /// The vault URLs it works on: the source and the target, or the one listed.
    pub fn vaults(&self) -> (&str, &str) {
        match self {
            AcrossJob::Compare { source, target, .. }
            | AcrossJob::Copy { source, target, .. }
            | AcrossJob::Values { source, target, .. } => (source, target),
            AcrossJob::List { vault, .. } => (vault, vault),
        }
    }
}

/// What the runtime reports of an [`AcrossJob`].
#[derive(Debug, Clone)]
pub enum AcrossEvent {
    /// How far it got: `listed 2400 secrets · values 130/1000`, `copied 3/10`.
    Progress {
        id: ReqId,
        line: String,
    },
    /// The comparison, in source-name order.
    Compared {
        id: ReqId,
        rows: Vec<Row>,
    },
    /// Each step of the copy with how it ended.
    Copied {
        id: ReqId,
        results: Vec<(Step, Outcome)>,
    },
    /// Both sides' values of one name (`s`): held while shown, zeroized on drop.
    Values {
        id: ReqId,
        source: secrecy::SecretString,
        target: secrecy::SecretString,
    },
    /// A listed vault's secrets (properties only).
    Listed {
        id: ReqId,
        items: Vec<crate::vault::SecretProps>,
    },
    Failed {
        id: ReqId,
        error: VaultError,
    },
}

impl AcrossEvent {
    pub fn id(&self) -> ReqId {
        match self {
            AcrossEvent::Progress { id, .. }
            | AcrossEvent::Compared { id, .. }
            | AcrossEvent::Copied { id, .. }
            | AcrossEvent::Listed { id, .. }
            | AcrossEvent::Values { id, .. }
            | AcrossEvent::Failed { id, .. } => *id,
        }
    }
}
