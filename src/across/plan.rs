//! A copy plan from a comparison: for each chosen name, what copying it would
//! do. Pure, so the CLI prints it and the TUI shows it in a dialog, and
//! [`super::apply`] carries out exactly what was shown.

use super::compare::{Diffs, Field, Row, State};
use crate::vault::{DeletedSecret, SecretName, SecretProps};

/// What to do with a name that is deleted but recoverable in the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDeleted {
    /// Leave it: the name is not copied.
    #[default]
    Refuse,
    /// Recover it, then copy over it when it differs.
    Recover,
    /// Purge it for good, then create.
    PurgeFirst,
}

/// Which names a copy takes.
#[derive(Debug, Clone, Default)]
pub struct Pick {
    /// These source names (the others' flags are ignored when given).
    pub names: Vec<SecretName>,
    pub all: bool,
    /// Names the target lacks (or holds deleted).
    pub missing: bool,
    /// Names whose value or properties differ.
    pub changed: bool,
}

impl Pick {
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && !self.all && !self.missing && !self.changed
    }

    fn takes(&self, row: &Row) -> bool {
        if !self.names.is_empty() {
            return self.names.contains(&row.name);
        }
        if row.source.is_none() {
            return false;
        }
        self.all
            || (self.missing && matches!(row.state, State::OnlyInSource | State::DeletedInTarget))
            || (self.changed && matches!(row.state, State::Differs | State::Disabled))
    }
}

/// What copying one name does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Create,
    NewVersion,
    /// The value is the same; only properties change (no new version).
    UpdateProps,
    /// Same value and properties: nothing is written, no new version made.
    Unchanged,
    /// Recover the deleted target, then copy when it differs.
    Recover,
    /// Purge the deleted target, then create.
    PurgeFirst,
    /// Deleted in the target and neither `--recover` nor `--purge-first` given.
    NeedsRecoverOrPurge,
    /// Certificate-backed: changed only through its certificate.
    Managed,
    /// Not copied, and why.
    Refused(String),
}

impl Action {
    pub fn label(&self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::NewVersion => "new version",
            Action::UpdateProps => "properties",
            Action::Unchanged => "unchanged",
            Action::Recover => "recover",
            Action::PurgeFirst => "purge, create",
            Action::NeedsRecoverOrPurge => "deleted in target",
            Action::Managed => "certificate-backed",
            Action::Refused(_) => "refused",
        }
    }

    /// Whether carrying it out writes to the target.
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Action::Create
                | Action::NewVersion
                | Action::UpdateProps
                | Action::Recover
                | Action::PurgeFirst
        )
    }

    /// Whether the name ends up not copied (for the exit code).
    pub fn blocks(&self) -> bool {
        matches!(self, Action::NeedsRecoverOrPurge | Action::Refused(_))
    }
}

/// One name of the plan, with both sides as they were when it was made.
#[derive(Debug, Clone)]
pub struct Step {
    pub name: SecretName,
    pub target_name: SecretName,
    pub action: Action,
    pub diffs: Diffs,
    /// The source version to copy (versioned properties when its value was read).
    pub source: Option<SecretProps>,
    /// The target's current version when planned; `None` when it had none.
    pub target: Option<SecretProps>,
    pub deleted: Option<DeletedSecret>,
}

impl Step {
    /// `(deleted but recoverable: --recover or --purge-first)` and the like.
    pub fn note(&self) -> String {
        match &self.action {
            Action::NewVersion | Action::UpdateProps if !self.diffs.is_empty() => {
                format!("({})", self.diffs.describe())
            }
            Action::NewVersion => "(the target is disabled: values not compared)".into(),
            Action::NeedsRecoverOrPurge => {
                "(deleted but recoverable there: pass --recover or --purge-first)".into()
            }
            Action::Refused(why) => format!("({why})"),
            _ => String::new(),
        }
    }
}

/// The plan: one step per picked name, in name order; names asked for but
/// absent from the source are refused.
pub fn plan(rows: &[Row], pick: &Pick, on_deleted: OnDeleted) -> Vec<Step> {
    let mut steps: Vec<Step> = rows
        .iter()
        .filter(|r| pick.takes(r))
        .map(|r| step(r, on_deleted))
        .collect();
    for n in &pick.names {
        if !rows.iter().any(|r| &r.name == n) {
            steps.push(Step {
                name: n.clone(),
                target_name: n.clone(),
                action: Action::Refused(
                    "not in the source, or left out by --map or --prefix".into(),
                ),
                diffs: Diffs::default(),
                source: None,
                target: None,
                deleted: None,
            });
        }
    }
    steps.sort_by(|a, b| a.name.cmp(&b.name));
    steps
}

fn step(r: &Row, on_deleted: OnDeleted) -> Step {
    let source_off = r.source.as_ref().is_some_and(|s| !s.enabled);
    let action = match r.state {
        _ if r.source.is_none() => Action::Refused("not in the source".into()),
        State::Managed => Action::Managed,
        State::Same => Action::Unchanged,
        State::OnlyInSource => Action::Create,
        State::DeletedInTarget => match on_deleted {
            OnDeleted::Refuse => Action::NeedsRecoverOrPurge,
            OnDeleted::Recover => Action::Recover,
            OnDeleted::PurgeFirst => Action::PurgeFirst,
        },
        _ if source_off => {
            Action::Refused("disabled in the source: its value cannot be read".into())
        }
        State::Disabled => Action::NewVersion,
        // Clearing a content type takes a new version: an update cannot remove it.
        State::Differs if r.diffs.contains(Field::Value) || clears_content_type(r) => {
            Action::NewVersion
        }
        State::Differs => Action::UpdateProps,
        State::OnlyInTarget => Action::Refused("not in the source".into()),
    };
    Step {
        name: r.name.clone(),
        target_name: r.target_name.clone(),
        action,
        diffs: r.diffs,
        source: r.source.clone(),
        target: r.target.clone(),
        deleted: r.deleted.clone(),
    }
}

/// An update cannot remove a content type; a new version without one can.
fn clears_content_type(r: &Row) -> bool {
    r.diffs.contains(Field::ContentType)
        && r.source.as_ref().is_some_and(|s| s.content_type.is_none())
}

/// `2 to create, 1 new version, ...`: the actions that occur.
pub fn summary(steps: &[Step]) -> String {
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for s in steps {
        match counts.iter_mut().find(|(l, _)| *l == s.action.label()) {
            Some((_, n)) => *n += 1,
            None => counts.push((s.action.label(), 1)),
        }
    }
    if counts.is_empty() {
        return "nothing to copy".into();
    }
    counts
        .iter()
        .map(|(l, n)| format!("{n} {l}"))
        .collect::<Vec<_>>()
        .join(", ")
}
