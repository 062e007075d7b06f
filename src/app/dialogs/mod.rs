//! Confirmations and the deleted-name conflict dialog.

use crossterm::event::{Event, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use super::effect::Effect;
use super::keymap::Action;
use super::lists::bulk::{self, BulkOp};
use super::model::{
    Confirm, ConfirmAction, Conflict, ConflictChoice, Freed, Model, Overlay, Pending,
};
use crate::vault::{SecretName, VaultCmd};

pub(crate) fn push_confirm(
    model: &mut Model,
    title: String,
    lines: Vec<String>,
    action: ConfirmAction,
    type_to_confirm: Option<String>,
    danger: bool,
) {
    model.overlays.push(Overlay::Confirm(Confirm {
        title,
        lines,
        action,
        type_to_confirm,
        typed: Input::default(),
        danger,
    }));
}

fn name_lines(names: &[SecretName]) -> Vec<String> {
    let mut lines: Vec<String> = names.iter().take(8).map(|n| format!("  {n}")).collect();
    if names.len() > 8 {
        lines.push(format!("  … and {} more", names.len() - 8));
    }
    lines
}

pub(crate) fn confirm_recover(model: &mut Model, names: Vec<SecretName>) {
    let Some(first) = names.first() else {
        return;
    };
    let title = if names.len() == 1 {
        format!("Recover {first}?")
    } else {
        format!("Recover {} secrets?", names.len())
    };
    let mut lines = name_lines(&names);
    lines.extend(hidden_marks_line(model));
    lines.push(String::new());
    lines.push("All versions come back, as they were when deleted.".to_owned());
    push_confirm(
        model,
        title,
        lines,
        ConfirmAction::Recover(names),
        None,
        false,
    );
}

/// Purge asks the user to type the name (or `purge N` for several).
pub(crate) fn confirm_purge(model: &mut Model, names: Vec<SecretName>) {
    let Some(first) = names.first() else {
        return;
    };
    let (title, word) = if names.len() == 1 {
        (format!("Purge {first}?"), first.to_string())
    } else {
        (
            format!("Purge {} secrets?", names.len()),
            format!("purge {}", names.len()),
        )
    };
    let mut lines = name_lines(&names);
    lines.extend(hidden_marks_line(model));
    lines.push(String::new());
    lines.push("Purging is permanent: every version is gone for good.".to_owned());
    lines.push(format!("Type {word:?} and press Enter to purge."));
    push_confirm(
        model,
        title,
        lines,
        ConfirmAction::Purge(names),
        Some(word),
        true,
    );
}

/// "2 of them are hidden by the filter", when marks act on rows not shown.
pub(crate) fn hidden_marks_line(model: &Model) -> Option<String> {
    let hidden = model.list().hidden_marked();
    if model.details.is_some() || hidden == 0 {
        return None;
    }
    let n = if hidden == 1 {
        "1 of them is".to_owned()
    } else {
        format!("{hidden} of them are")
    };
    Some(format!("  ({n} hidden by the filter)"))
}

pub(crate) fn on_key(
    model: &mut Model,
    fx: &mut Vec<Effect>,
    key: KeyEvent,
    action: Option<Action>,
) {
    match model.overlays.last() {
        Some(Overlay::Confirm(_)) => on_confirm_key(model, fx, key, action),
        Some(Overlay::Conflict(_)) => on_conflict_key(model, fx, action),
        Some(Overlay::Picker(_)) => super::picker::on_picker_key(model, fx, key, action),
        Some(Overlay::Find(_)) => super::find::on_find_key(model, fx, key, action),
        Some(Overlay::CompareWith(_)) => {
            if let Some(action) = action {
                super::across::choose::on_action(model, fx, action);
            }
        }
        Some(Overlay::ExpiringAll(_)) => {
            if let Some(action) = action {
                super::across::expiring::on_action(model, fx, action);
            }
        }
        _ => {}
    }
}

fn on_confirm_key(model: &mut Model, fx: &mut Vec<Effect>, key: KeyEvent, action: Option<Action>) {
    let Some(Overlay::Confirm(confirm)) = model.overlays.last_mut() else {
        return;
    };
    if let Some(word) = confirm.type_to_confirm.clone() {
        match action {
            Some(Action::Cancel) => {
                model.overlays.pop();
            }
            // Key Vault names are case-insensitive, so the typed name is too.
            Some(Action::Confirm) if confirm.typed.value().trim().eq_ignore_ascii_case(&word) => {
                confirmed(model, fx)
            }
            Some(Action::Confirm) => {
                let typed = confirm.typed.value().trim().to_owned();
                let why = if typed.is_empty() {
                    format!("type {word} to confirm")
                } else {
                    format!("{typed:?} is not {word}: type the name exactly to confirm")
                };
                model.toast(why, true);
            }
            _ => {
                if let Some(req) = to_input_request(&Event::Key(key)) {
                    confirm.typed.handle(req);
                }
            }
        }
        return;
    }
    // Esc twice leaves a form with typed input (as in lazygit): the
    // question Esc asked is answered by Esc again.
    let discard = matches!(confirm.action, ConfirmAction::DiscardForm)
        && key.code == crossterm::event::KeyCode::Esc;
    match action {
        Some(Action::Confirm) => confirmed(model, fx),
        Some(Action::Cancel) if discard => confirmed(model, fx),
        Some(Action::Cancel) => {
            model.overlays.pop();
        }
        _ => {}
    }
}

/// A deleted secret's details close once it is recovered or purged from them.
fn close_deleted_details(model: &mut Model) {
    if model.details.as_ref().is_some_and(|d| d.deleted.is_some()) {
        model.details = None;
    }
}

/// Recovers `names` (confirmed, or a delete undone); several are one bulk action.
pub(crate) fn recover(model: &mut Model, fx: &mut Vec<Effect>, names: Vec<SecretName>) {
    if names.len() > 1 {
        return bulk::start(model, fx, BulkOp::Recover, names);
    }
    for name in names {
        let pending = Pending::Recover {
            name: name.clone(),
            then: None,
        };
        model.send(fx, VaultCmd::Recover { name }, pending);
    }
}

fn confirmed(model: &mut Model, fx: &mut Vec<Effect>) {
    let Some(Overlay::Confirm(confirm)) = model.overlays.pop() else {
        return;
    };
    match confirm.action {
        ConfirmAction::Delete(names) => {
            model.list_mut().clear_marks();
            if names.len() > 1 {
                return bulk::start(model, fx, BulkOp::Delete, names);
            }
            for name in names {
                let pending = Pending::Delete { name: name.clone() };
                model.send(fx, VaultCmd::Delete { name }, pending);
            }
        }
        ConfirmAction::Recover(names) => {
            model.deleted_mut().marked.clear();
            close_deleted_details(model);
            recover(model, fx, names);
        }
        ConfirmAction::Purge(names) => {
            model.deleted_mut().marked.clear();
            close_deleted_details(model);
            if names.len() > 1 {
                return bulk::start(model, fx, BulkOp::Purge, names);
            }
            for name in names {
                let pending = Pending::Purge {
                    name: name.clone(),
                    then: None,
                };
                model.send(fx, VaultCmd::Purge { name }, pending);
            }
        }
        ConfirmAction::PurgeThen(name, then) => {
            // The conflict dialog sits under this confirmation.
            if matches!(model.overlays.last(), Some(Overlay::Conflict(_))) {
                model.overlays.pop();
            }
            let pending = Pending::Purge {
                name: name.clone(),
                then: Some(then),
            };
            let id = model.send(fx, VaultCmd::Purge { name }, pending);
            attach_form(model, id);
        }
        ConfirmAction::MakeCurrent(secret) => {
            let set = VaultCmd::Set(secret.clone());
            let id = model.send(fx, set, Pending::Create { secret });
            attach_form(model, id);
        }
        // A save already sent still lands: its answer updates the lists.
        ConfirmAction::DiscardForm => {
            model.overlays.pop();
        }
        ConfirmAction::OverwriteFile => super::forms::keys::submit_overwriting(model, fx),
        ConfirmAction::DisableVersion { name, version } => {
            super::details::versions::set_enabled(model, fx, name, version, false)
        }
    }
}

/// Makes the top form wait for `id`, so it closes when the chain succeeds.
fn attach_form(model: &mut Model, id: crate::vault::ReqId) {
    if let Some(Overlay::Form(form)) = model.overlays.last_mut() {
        form.submitting = Some(id);
        form.error = None;
    }
}

/// Opens the 409 dialog over the form that was refused.
pub(crate) fn open_conflict(model: &mut Model, name: SecretName, then: Freed) {
    model.overlays.push(Overlay::Conflict(Conflict {
        name,
        then,
        choice: 0,
    }));
}

fn on_conflict_key(model: &mut Model, fx: &mut Vec<Effect>, action: Option<Action>) {
    let Some(Overlay::Conflict(conflict)) = model.overlays.last_mut() else {
        return;
    };
    let n = ConflictChoice::ALL.len();
    let choice = match action {
        Some(Action::Down) => {
            conflict.choice = (conflict.choice + 1) % n;
            None
        }
        Some(Action::Up) => {
            conflict.choice = (conflict.choice + n - 1) % n;
            None
        }
        Some(Action::Recover) => Some(ConflictChoice::Recover),
        Some(Action::Purge) => Some(ConflictChoice::Purge),
        Some(Action::Confirm) => Some(ConflictChoice::ALL[conflict.choice]),
        Some(Action::Cancel) => Some(ConflictChoice::Cancel),
        _ => None,
    };
    let Some(choice) = choice else {
        return;
    };
    let (name, then) = (conflict.name.clone(), conflict.then.clone());
    match choice {
        ConflictChoice::Cancel => {
            model.overlays.pop();
        }
        ConflictChoice::Recover => {
            model.overlays.pop();
            let pending = Pending::Recover {
                name: name.clone(),
                then: Some(then),
            };
            let id = model.send(fx, VaultCmd::Recover { name }, pending);
            attach_form(model, id);
        }
        ConflictChoice::Purge => {
            let shown = name.to_string();
            let (title, then_what) = match &then {
                Freed::Create(_) => (format!("Purge {shown} and create it anew?"), "create"),
                Freed::Restore(_) => (format!("Purge {shown} and restore the backup?"), "restore"),
            };
            push_confirm(
                model,
                title,
                vec![
                    "Purging is permanent: every old version is gone for good.".to_owned(),
                    format!("Type {shown:?} and press Enter to purge and {then_what}."),
                ],
                ConfirmAction::PurgeThen(name, then),
                Some(shown),
                true,
            );
        }
    }
}
