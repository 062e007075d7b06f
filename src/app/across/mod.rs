//! Across vaults in the TUI: `c` compares the vault on screen with another
//! (open, pinned, recent or configured), a copy goes through the plan the CLI
//! prints, and `X` lists what expires in every open vault. Every decision is
//! the shared engine's (`crate::across`); the runtime does the SDK calls and
//! reports back as `Msg::Across`. Values are never shown here, nor kept.

pub mod choose;
pub mod copy;
pub mod expiring;
pub mod view;

use crate::across::apply::Outcome;
use crate::across::compare::Row;
use crate::across::plan::Step;
use crate::vault::{ReqId, VaultError};

pub use choose::ChooseState;
pub use copy::CopyPlan;
pub use expiring::ExpiringAll;
pub use view::VaultCompare;

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

/// Applies a report; one for a closed view or a superseded job is dropped.
pub(crate) fn on_event(
    model: &mut super::Model,
    fx: &mut Vec<super::effect::Effect>,
    event: AcrossEvent,
) {
    if expiring::owns(model, event.id()) {
        return expiring::on_event(model, event);
    }
    let Some(view) = view::open_view(model) else {
        return;
    };
    let id = event.id();
    if let Some(shown) = view.value.as_mut().filter(|v| v.id == id) {
        match event {
            AcrossEvent::Values { source, target, .. } => {
                shown.view = Some(crate::app::details::compare::compare_values(
                    &source, &target,
                ));
            }
            AcrossEvent::Failed { error, .. } => shown.error = Some(error.message),
            _ => {}
        }
        return;
    }
    if view.job != Some(id) && view.copying.as_ref().is_none_or(|c| c.id != id) {
        return;
    }
    match event {
        AcrossEvent::Progress { line, .. } => view.progress = Some(line),
        AcrossEvent::Compared { rows, .. } => view.compared(rows),
        AcrossEvent::Failed { error, .. } => view::failed(model, fx, id, error),
        AcrossEvent::Copied { results, .. } => copy::copied(model, fx, results),
        AcrossEvent::Listed { .. } | AcrossEvent::Values { .. } => {}
    }
}
