//! Copying from the compare view: the plan the CLI prints, shown in a dialog
//! with a count per action before anything is written; then the runtime
//! carries it out with the same re-read guard, and one history entry sums it up.

use super::AcrossJob;
use super::view::{Copying, open_view, start};
use crate::across::apply::Outcome;
use crate::across::plan::{Action as PlanAction, OnDeleted, Pick, Step, plan};
use crate::app::effect::Effect;
use crate::app::keymap::Action;
use crate::app::model::{Model, Overlay};
use crate::vault::SecretName;

/// The copy dialog: the names chosen, what to do with names deleted in the
/// target, and the plan for them.
#[derive(Debug, Clone)]
pub struct CopyPlan {
    pub source: String,
    pub target: String,
    pub names: Vec<SecretName>,
    pub on_deleted: OnDeleted,
    pub steps: Vec<Step>,
}

impl CopyPlan {
    /// `(label, count)` per action, in the order they first occur.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        let mut out: Vec<(&'static str, usize)> = Vec::new();
        for s in &self.steps {
            match out.iter_mut().find(|(l, _)| *l == s.action.label()) {
                Some((_, n)) => *n += 1,
                None => out.push((s.action.label(), 1)),
            }
        }
        out
    }

    /// Steps that write to the target.
    pub fn writes(&self) -> usize {
        self.steps.iter().filter(|s| s.action.writes()).count()
    }

    /// `leave them`, `recover them`, `purge them first`.
    pub fn on_deleted_label(&self) -> &'static str {
        match self.on_deleted {
            OnDeleted::Refuse => "left alone (r: recover them)",
            OnDeleted::Recover => "recovered, then copied over (r: purge them first)",
            OnDeleted::PurgeFirst => "purged for good, then created (r: leave them)",
        }
    }

    /// Whether any chosen name is deleted in the target.
    pub fn has_deleted(&self) -> bool {
        self.steps.iter().any(|s| s.deleted.is_some())
    }
}

/// Opens the dialog for the marked rows, or the selected one.
pub(crate) fn open_plan(model: &mut Model) {
    let Some(view) = open_view(model) else {
        return;
    };
    if view.job.is_some() || view.copying.is_some() {
        model.toast("wait for the comparison to finish", true);
        return;
    }
    let names: Vec<SecretName> = if view.marked.is_empty() {
        view.selected_row()
            .filter(|r| r.source.is_some())
            .map(|r| vec![r.name.clone()])
            .unwrap_or_default()
    } else {
        view.marked.iter().cloned().collect()
    };
    if names.is_empty() {
        model.toast(
            "nothing to copy: mark rows the source holds (Space), or select one",
            true,
        );
        return;
    }
    let (source, target) = (view.source.clone(), view.target.clone());
    let pick = Pick {
        names: names.clone(),
        ..Pick::default()
    };
    let steps = plan(&view.rows, &pick, OnDeleted::Refuse);
    model.overlays.push(Overlay::CopyPlan(CopyPlan {
        source,
        target,
        names,
        on_deleted: OnDeleted::Refuse,
        steps,
    }));
}

/// Keys in the copy dialog: Enter copies, `r` chooses what happens to names
/// deleted in the target, Esc cancels.
pub(crate) fn on_action(model: &mut Model, fx: &mut Vec<Effect>, action: Action) {
    let Some(Overlay::CopyPlan(dialog)) = model.overlays.last() else {
        return;
    };
    match action {
        Action::Cancel | Action::Back => {
            model.overlays.pop();
        }
        Action::Recover => {
            let next = match dialog.on_deleted {
                OnDeleted::Refuse => OnDeleted::Recover,
                OnDeleted::Recover => OnDeleted::PurgeFirst,
                OnDeleted::PurgeFirst => OnDeleted::Refuse,
            };
            let names = dialog.names.clone();
            let steps = open_view(model).map(|v| {
                let pick = Pick {
                    names,
                    ..Pick::default()
                };
                plan(&v.rows, &pick, next)
            });
            if let (Some(steps), Some(Overlay::CopyPlan(d))) = (steps, model.overlays.last_mut()) {
                d.on_deleted = next;
                d.steps = steps;
            }
        }
        Action::Confirm => {
            let Some(Overlay::CopyPlan(dialog)) = model.overlays.pop() else {
                return;
            };
            if dialog.writes() == 0 {
                model.toast(
                    format!(
                        "nothing to write: {}",
                        crate::across::plan::summary(&dialog.steps)
                    ),
                    false,
                );
                return;
            }
            let id = model.fresh_id();
            let total = dialog.steps.len();
            if let Some(view) = open_view(model) {
                view.copying = Some(Copying { id, total });
                view.progress = Some(format!("copying 0/{total}"));
            }
            fx.push(Effect::Across(AcrossJob::Copy {
                id,
                source: dialog.source,
                target: dialog.target,
                steps: dialog.steps,
            }));
        }
        _ => {}
    }
}

/// Why a step was not copied, for the history.
fn why_not(step: &Step, outcome: &Outcome) -> Option<String> {
    match outcome {
        Outcome::TargetChanged => Some("skipped: the target changed since the plan".into()),
        Outcome::SourceChanged => Some("skipped: the source changed since the plan".into()),
        Outcome::Failed(e) => Some(format!("failed: {}", e.message)),
        Outcome::NotCopied => match &step.action {
            PlanAction::NeedsRecoverOrPurge => {
                Some("deleted in the target: choose recover or purge first (r)".into())
            }
            PlanAction::Refused(why) => Some(format!("refused: {why}")),
            PlanAction::Managed => Some("certificate-backed: not copied".into()),
            _ => None,
        },
        _ => None,
    }
}

/// The copy ended: one history entry with its summary and every name not
/// copied, then the comparison runs again to show where things stand.
pub(super) fn copied(model: &mut Model, fx: &mut Vec<Effect>, results: Vec<(Step, Outcome)>) {
    let Some(view) = open_view(model) else {
        return;
    };
    view.copying = None;
    view.progress = None;
    view.marked.clear();
    let target = view.target.clone();
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    let mut failures = Vec::new();
    for (step, outcome) in &results {
        match counts.iter_mut().find(|(l, _)| *l == outcome.label()) {
            Some((_, n)) => *n += 1,
            None => counts.push((outcome.label(), 1)),
        }
        if let Some(why) = why_not(step, outcome) {
            failures.push((step.name.to_string(), why));
        }
    }
    let parts: Vec<String> = counts.iter().map(|(l, n)| format!("{n} {l}")).collect();
    let summary = format!("copy to {target}: {}", parts.join(", "));
    model.record_bulk(summary, failures);
    start(model, fx);
    refresh_target(model, &target);
}

/// The target's lists, when it is open, are listed again when it is next
/// shown. It is never the vault on screen (switching vaults closes this view),
/// and answers to list requests land in the vault on screen, so they cannot
/// be asked for now.
fn refresh_target(model: &mut Model, target: &str) {
    let same = crate::app::picker::same_url;
    if let Some(slot) = model.vaults.iter_mut().find(|s| same(&s.label, target)) {
        slot.secrets.loaded = false;
    }
}
