//! Answers to writes: create, update, back up, restore, delete, recover and
//! purge. A write's answer is always applied, even when the form that sent it
//! was closed, so the lists show what the vault now holds.

use crate::vault::{NewSecret, ReqId, SecretName, SecretProps, VaultCmd, VaultEventKind};

use crate::app::answers::{Outcome, describe, unexpected};
use crate::app::dialogs;
use crate::app::effect::Effect;
use crate::app::forms::keys as forms;
use crate::app::model::{ConfirmAction, Freed, Model, Pending};
use crate::vault::ErrorKind;

pub(crate) fn created(
    model: &mut Model,
    fx: &mut Vec<Effect>,
    req: ReqId,
    secret: NewSecret,
    outcome: Outcome,
) {
    match outcome {
        Ok(VaultEventKind::Props(props)) => {
            forms::close_form_for(model, req);
            let name = props.name.clone();
            model.deleted_mut().remove(&name);
            let is_new = model.secrets().find(&name).is_none();
            model.secrets_mut().upsert((*props).clone());
            refresh_details(model, fx, &name, &props);
            select_secret(model, &name);
            let what = if is_new {
                "created"
            } else {
                "added a new version of"
            };
            model.toast(format!("{what} {}", secret.name), false);
        }
        Ok(other) => unexpected("save", &other),
        Err(error) => {
            let deleted = error.kind == crate::vault::ErrorKind::DeletedButRecoverable;
            let form_open = fail_form(model, req, format!("save {}", secret.name), error);
            if deleted && form_open {
                dialogs::open_conflict(model, secret.name.clone(), Freed::Create(secret));
            }
        }
    }
}

pub(crate) fn updated(model: &mut Model, fx: &mut Vec<Effect>, req: ReqId, outcome: Outcome) {
    match outcome {
        Ok(VaultEventKind::Props(props)) => {
            forms::close_form_for(model, req);
            let name = props.name.clone();
            let version_view = model.details.as_ref().is_some_and(|d| d.is_version());
            if props.version.is_none() || !version_view {
                model.secrets_mut().upsert((*props).clone());
            }
            refresh_details(model, fx, &name, &props);
            model.toast(format!("updated the properties of {name}"), false);
        }
        Ok(other) => unexpected("update properties", &other),
        Err(error) => {
            fail_form(model, req, "update properties".to_owned(), error);
        }
    }
}

pub(crate) fn backed_up(model: &mut Model, req: ReqId, name: &str, outcome: Outcome) {
    match outcome {
        Ok(VaultEventKind::BackedUp { path }) => {
            forms::close_form_for(model, req);
            model.toast(format!("backed up {name} to {}", path.display()), false);
        }
        Ok(other) => unexpected("back up", &other),
        Err(error) if error.kind == ErrorKind::FileExists => ask_to_overwrite(model, req, error),
        Err(error) => {
            fail_form(model, req, format!("back up {name}"), error);
        }
    }
}

pub(crate) fn exported(model: &mut Model, req: ReqId, outcome: Outcome) {
    match outcome {
        Ok(VaultEventKind::Exported { path, count }) => {
            forms::close_form_for(model, req);
            let what = crate::app::format::count(count, "value", "values");
            model.toast(
                format!("exported {what} to {} (0600)", path.display()),
                false,
            );
        }
        Ok(other) => unexpected("export", &other),
        Err(error) if error.kind == ErrorKind::FileExists => ask_to_overwrite(model, req, error),
        Err(error) => {
            fail_form(model, req, "export".to_owned(), error);
        }
    }
}

/// A restore's answer. Key Vault answers 409 both for a name that is deleted
/// (then the recover-or-purge dialog opens) and for one in use (the form
/// says so); the refusal names the secret.
pub(crate) fn restored(model: &mut Model, req: ReqId, outcome: Outcome) {
    match outcome {
        Ok(VaultEventKind::Props(props)) => {
            forms::close_form_for(model, req);
            let name = props.name.clone();
            model.deleted_mut().remove(&name);
            model.secrets_mut().upsert(*props);
            select_secret(model, &name);
            model.toast(format!("restored {name}"), false);
        }
        Ok(other) => unexpected("restore", &other),
        Err(error) => {
            let name = error.secret_name().and_then(|n| SecretName::parse(&n).ok());
            let path = forms::form_waiting_for(model, req).map(|f| f.path());
            let deleted = error.kind == ErrorKind::DeletedButRecoverable;
            let what = match &name {
                Some(name) => format!("restore {name}"),
                None => "restore".to_owned(),
            };
            let form_open = fail_form(model, req, what, error);
            if let (true, true, Some(name), Some(path)) = (deleted, form_open, name, path) {
                dialogs::open_conflict(model, name, Freed::Restore(path));
            }
        }
    }
}

pub(crate) fn deleted(model: &mut Model, name: &SecretName, outcome: Outcome) {
    match outcome {
        Ok(VaultEventKind::Deleted(ds)) => {
            model.secrets_mut().remove(name);
            if model
                .details
                .as_ref()
                .is_some_and(|d| d.props.name.eq_ignore_ascii_case(name))
            {
                model.details = None;
            }
            let until = model.zone.date(ds.scheduled_purge_date);
            model.deleted_mut().upsert(*ds);
            let until = if until.is_empty() {
                String::new()
            } else {
                format!(" (recoverable until {until})")
            };
            offer_undo(model, name);
            model.toast(format!("deleted {name}{until} · u undo"), false);
        }
        Ok(other) => unexpected("delete", &other),
        Err(error) => {
            model.record_error(format!("delete {name}"), error);
        }
    }
}

/// Lets `u` recover `name` for a few seconds (a bulk delete offers its own).
fn offer_undo(model: &mut Model, name: &SecretName) {
    model.undo = Some(crate::app::model::Undo {
        names: vec![name.clone()],
        route: model.active_vault,
        until: model.now + time::Duration::seconds(crate::app::model::UNDO_SECONDS),
    });
}

pub(crate) fn recovered(
    model: &mut Model,
    fx: &mut Vec<Effect>,
    req: ReqId,
    name: &str,
    then: Option<Freed>,
    outcome: Outcome,
) {
    match outcome {
        Ok(VaultEventKind::Props(props)) => {
            model.deleted_mut().remove(name);
            let recovered = (*props).clone();
            model.secrets_mut().upsert(*props);
            // The recovered secret is what the backup would have brought back.
            if let Some(Freed::Restore(_)) = then {
                forms::close_form_for(model, req);
                select_secret(model, name);
                model.toast(
                    format!("recovered {name}; the backup was not needed"),
                    false,
                );
                return;
            }
            let then = then.map(|then| match then {
                Freed::Create(mut secret) => {
                    keep_recovered_props(&mut secret, &recovered);
                    Freed::Create(secret)
                }
                other => other,
            });
            chain(
                model,
                fx,
                req,
                then,
                format!("recovered {name}"),
                "adding the new value",
            );
        }
        Ok(other) => unexpected("recover", &other),
        Err(error) => chain_failed(model, req, ("recover", name), error),
    }
}

pub(crate) fn purged(
    model: &mut Model,
    fx: &mut Vec<Effect>,
    req: ReqId,
    name: &str,
    then: Option<Freed>,
    outcome: Outcome,
) {
    match outcome {
        Ok(VaultEventKind::Purged) => {
            model.deleted_mut().remove(name);
            let next = match then {
                Some(Freed::Restore(_)) => "restoring the backup",
                _ => "creating it",
            };
            chain(model, fx, req, then, format!("purged {name}"), next);
        }
        Ok(other) => unexpected("purge", &other),
        Err(error) => chain_failed(model, req, ("purge", name), error),
    }
}

/// After a recover or purge: create the secret or restore the backup the 409
/// dialog held (the form now waits for that), or count one step of a bulk
/// action.
fn chain(
    model: &mut Model,
    fx: &mut Vec<Effect>,
    req: ReqId,
    then: Option<Freed>,
    done: String,
    next: &str,
) {
    match then {
        Some(Freed::Create(secret)) => {
            model.toast(format!("{done}; {next}"), false);
            let cmd = VaultCmd::Set(secret.clone());
            let id = model.send(fx, cmd, Pending::Create { secret });
            hand_over(model, req, id);
        }
        Some(Freed::Restore(path)) => {
            model.toast(format!("{done}; {next}"), false);
            let id = model.send(fx, VaultCmd::Restore { path }, Pending::Restore);
            hand_over(model, req, id);
        }
        None => model.toast(done, false),
    }
}

/// A recover or purge failed: the waiting form says why.
fn chain_failed(
    model: &mut Model,
    req: ReqId,
    (verb, name): (&str, &str),
    error: crate::vault::VaultError,
) {
    fail_form(model, req, format!("{verb} {name}"), error);
}

/// A write that lands after its vault was switched away from: its lists
/// there are reloaded on return, and the outcome is said now.
pub(crate) fn on_another_vault(model: &mut Model, route: usize, what: &Pending, outcome: Outcome) {
    let Some(slot) = model.vaults.get_mut(route) else {
        return;
    };
    slot.secrets.loaded = false;
    let label = slot.label.clone();
    match outcome {
        Ok(_) => model.toast(format!("{} done in {label}", what.describe()), false),
        Err(error) => model.record_error(format!("{} in {label}", what.describe()), error),
    }
}

/// A form waiting on `old` now waits on `new` (recover/purge, then set).
fn hand_over(model: &mut Model, old: ReqId, new: ReqId) {
    if let Some(form) = forms::form_waiting_for(model, old) {
        form.submitting = Some(new);
    }
}

fn select_secret(model: &mut Model, name: &str) {
    if let Some(pos) = model
        .secrets()
        .visible
        .iter()
        .position(|&i| model.secrets().items[i].name.eq_ignore_ascii_case(name))
    {
        model.secrets_mut().selected = pos;
    }
}

/// An open details view of `name` shows the new properties and reloads its versions.
fn refresh_details(model: &mut Model, fx: &mut Vec<Effect>, name: &str, props: &SecretProps) {
    let Some(d) = model.details.as_mut() else {
        return;
    };
    if !d.props.name.eq_ignore_ascii_case(name) {
        return;
    }
    if d.is_version() {
        // A version view shows new properties of that version only.
        if d.props.version == props.version {
            d.props = props.clone();
        }
        return;
    }
    d.props = props.clone();
    d.clear_value();
    d.shown = false;
    d.forget_versions();
    let name = props.name.clone();
    let id = model.send(fx, VaultCmd::ListVersions { name }, Pending::Versions);
    if let Some(d) = model.details.as_mut() {
        d.versions_req = Some(id);
    }
}

/// The file a backup or export names exists: the form stays, and a question
/// asks whether to replace it. Nothing was written or fetched yet.
fn ask_to_overwrite(model: &mut Model, req: ReqId, error: crate::vault::VaultError) {
    let Some(form) = forms::form_waiting_for(model, req) else {
        // The form was closed meanwhile: nothing was written.
        model.toast(format!("{}; nothing was written", error.message), true);
        return;
    };
    form.submitting = None;
    dialogs::push_confirm(
        model,
        "Replace the existing file?".to_owned(),
        vec![
            format!("{}.", error.message),
            "Enter replaces it; Esc goes back to the form.".to_owned(),
        ],
        ConfirmAction::OverwriteFile,
        None,
        true,
    );
}

/// A request failed; a form waiting on it stays open and shows why. `true`
/// when such a form is open.
fn fail_form(model: &mut Model, req: ReqId, what: String, error: crate::vault::VaultError) -> bool {
    let form_open = match forms::form_waiting_for(model, req) {
        Some(form) => {
            form.submitting = None;
            form.error = Some(describe(&error));
            true
        }
        None => false,
    };
    model.record_error(what, error);
    form_open
}

/// The new version added after a recover keeps the recovered secret's
/// content type and tags where the form left them empty; typed ones win.
fn keep_recovered_props(secret: &mut NewSecret, recovered: &SecretProps) {
    if secret.content_type.is_none() {
        secret.content_type = recovered.content_type.clone();
    }
    if secret.tags.is_empty() {
        secret.tags = recovered.tags.to_map();
    }
}
