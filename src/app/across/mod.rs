//! Across vaults in the TUI: `c` compares the vault on screen with another
//! (open, pinned, recent or configured), a copy goes through the plan the CLI
//! prints, and `X` lists what expires in every open vault. Every decision is
//! the shared engine's (`crate::across`); the runtime does the SDK calls and
//! reports back as `Msg::Across`. Values are never shown here, nor kept.

pub mod choose;
pub mod copy;
pub mod expiring;
pub mod view;

pub use choose::ChooseState;
pub use copy::CopyPlan;
pub use expiring::ExpiringAll;
pub use view::VaultCompare;

pub use crate::across::job::{AcrossEvent, AcrossJob};

/// Applies a report; one for a closed view or a superseded job is dropped.
pub(crate) fn on_event(
    model: &mut super::Model,
    fx: &mut Vec<super::effect::Effect>,
    event: AcrossEvent,
) {
    if expiring::owns(model, event.id()) {
        return expiring::on_event(model, event);
    }
    if crate::app::find::owns(model, event.id()) {
        return crate::app::find::on_listed(model, event);
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
