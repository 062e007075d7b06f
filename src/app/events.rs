//! Applying the worker's answers. An answer to a request no longer pending
//! (a superseded list, a closed view) is dropped.

use crate::vault::{
    ErrorKind, NewSecret, ReqId, SecretProps, VaultCmd, VaultError, VaultEvent, VaultEventKind,
};

use super::dialogs;
use super::format;
use super::forms;
use super::model::{Model, Pending};

pub(crate) fn on_event(model: &mut Model, event: VaultEvent) {
    let req = event.req;
    let Some(pending) = model.pending.get(&req).cloned() else {
        tracing::debug!(?req, "dropped an answer to a request no longer pending");
        return;
    };
    let finished = !matches!(
        event.kind,
        VaultEventKind::SecretsPage(_)
            | VaultEventKind::DeletedPage(_)
            | VaultEventKind::Progress { .. }
    );
    if finished {
        model.pending.remove(&req);
    }
    match (pending, event.kind) {
        (_, VaultEventKind::Progress { message }) => model.progress = Some(message),
        (pending, VaultEventKind::Failed(error)) => on_failed(model, req, pending, error),
        (Pending::ListSecrets, VaultEventKind::SecretsPage(page)) => {
            model.secrets.push_page(page);
            model.progress = Some(format!("loaded {}…", model.secrets.items.len()));
        }
        (Pending::ListSecrets, VaultEventKind::ListDone { .. }) => {
            model.secrets.finish_load();
            list_finished(model);
        }
        (Pending::ListDeleted, VaultEventKind::DeletedPage(page)) => model.deleted.push_page(page),
        (Pending::ListDeleted, VaultEventKind::ListDone { .. }) => {
            model.deleted.finish_load();
            list_finished(model);
        }
        (Pending::Versions, VaultEventKind::SecretsPage(page)) => {
            if let Some(d) = model
                .details
                .as_mut()
                .filter(|d| d.versions_req == Some(req))
            {
                d.versions.extend(page);
            }
        }
        (Pending::Versions, VaultEventKind::ListDone { .. }) => {
            if let Some(d) = model
                .details
                .as_mut()
                .filter(|d| d.versions_req == Some(req))
            {
                d.versions_req = None;
                d.versions.sort_by_key(|v| std::cmp::Reverse(v.created));
            }
        }
        (Pending::Value, VaultEventKind::Secret(secret)) => {
            if let Some(d) = model.details.as_mut().filter(|d| d.value_req == Some(req)) {
                d.value_req = None;
                d.set_value(secret.value);
            }
        }
        (Pending::CopyValue { name }, VaultEventKind::Secret(secret)) => {
            model.clipboard = Some(super::model::Clip {
                text: secret.value,
                is_value: true,
            });
            let message = model.copy_target.copied(&format!("the value of {name}"));
            model.toast(message, false);
        }
        (Pending::Create { secret }, VaultEventKind::Props(props)) => {
            forms::close_form_for(model, req);
            let name = props.name.clone();
            model.deleted.remove(&name);
            let is_new = model.secrets.find(&name).is_none();
            refresh_details(model, &name, &props);
            model.secrets.upsert(*props);
            select_secret(model, &name);
            let what = if is_new {
                "created"
            } else {
                "added a new version of"
            };
            model.toast(format!("{what} {}", secret.name), false);
        }
        (Pending::Update, VaultEventKind::Props(props)) => {
            forms::close_form_for(model, req);
            let name = props.name.clone();
            refresh_details(model, &name, &props);
            if props.version.is_none() || !model.details.as_ref().is_some_and(|d| d.is_version()) {
                model.secrets.upsert(*props);
            }
            model.toast(format!("updated the properties of {name}"), false);
        }
        (Pending::Backup { name }, VaultEventKind::Done { message }) => {
            forms::close_form_for(model, req);
            let message = if message.is_empty() {
                format!("backed up {name}")
            } else {
                message
            };
            model.toast(message, false);
        }
        (Pending::Restore, VaultEventKind::Props(props)) => {
            forms::close_form_for(model, req);
            let name = props.name.clone();
            model.deleted.remove(&name);
            model.secrets.upsert(*props);
            select_secret(model, &name);
            model.toast(format!("restored {name}"), false);
        }
        (Pending::Delete { name }, VaultEventKind::Deleted(ds)) => {
            model.secrets.remove(&name);
            if model
                .details
                .as_ref()
                .is_some_and(|d| d.props.name.eq_ignore_ascii_case(&name))
            {
                model.details = None;
            }
            let until = format::date(ds.scheduled_purge_date);
            model.deleted.upsert(*ds);
            let until = if until.is_empty() {
                String::new()
            } else {
                format!(" (recoverable until {until})")
            };
            model.toast(format!("deleted {name}{until}"), false);
            bulk_step(model, None);
        }
        (Pending::Recover { name, then }, VaultEventKind::Props(props)) => {
            model.deleted.remove(&name);
            let recovered = (*props).clone();
            model.secrets.upsert(*props);
            match then {
                Some(mut secret) => {
                    keep_recovered_props(&mut secret, &recovered);
                    model.toast(format!("recovered {name}; adding the new value"), false);
                    let id = model.send(VaultCmd::Set(secret.clone()), Pending::Create { secret });
                    hand_over(model, req, id);
                }
                None => {
                    model.toast(format!("recovered {name}"), false);
                    bulk_step(model, None);
                }
            }
        }
        (Pending::Purge { name, then }, VaultEventKind::Done { .. }) => {
            model.deleted.remove(&name);
            match then {
                Some(secret) => {
                    model.toast(format!("purged {name}; creating it"), false);
                    let id = model.send(VaultCmd::Set(secret.clone()), Pending::Create { secret });
                    hand_over(model, req, id);
                }
                None => {
                    model.toast(format!("purged {name}"), false);
                    bulk_step(model, None);
                }
            }
        }
        (pending, kind) => {
            tracing::debug!(
                ?pending,
                event = event_name(&kind),
                "unexpected answer ignored"
            );
        }
    }
}

fn event_name(kind: &VaultEventKind) -> &'static str {
    match kind {
        VaultEventKind::SecretsPage(_) => "SecretsPage",
        VaultEventKind::DeletedPage(_) => "DeletedPage",
        VaultEventKind::ListDone { .. } => "ListDone",
        VaultEventKind::Secret(_) => "Secret",
        VaultEventKind::Props(_) => "Props",
        VaultEventKind::Deleted(_) => "Deleted",
        VaultEventKind::Done { .. } => "Done",
        VaultEventKind::Progress { .. } => "Progress",
        VaultEventKind::Failed(_) => "Failed",
    }
}

fn list_finished(model: &mut Model) {
    if !model.is_loading() {
        model.progress = None;
        model.last_refresh = Some(model.now);
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
        .secrets
        .visible
        .iter()
        .position(|&i| model.secrets.items[i].name.eq_ignore_ascii_case(name))
    {
        model.secrets.selected = pos;
    }
}

/// An open details view of `name` shows the new properties and reloads versions.
fn refresh_details(model: &mut Model, name: &str, props: &crate::vault::SecretProps) {
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
    d.versions.clear();
    d.version_sel = 0;
    if let Ok(name) = crate::vault::SecretName::parse(name) {
        let id = model.send(VaultCmd::ListVersions { name }, Pending::Versions);
        if let Some(d) = model.details.as_mut() {
            d.versions_req = Some(id);
        }
    }
}

fn on_failed(model: &mut Model, req: ReqId, pending: Pending, error: VaultError) {
    match pending {
        Pending::ListSecrets => {
            model.secrets.load_failed();
            list_finished(model);
            model.record_error("list secrets", error);
        }
        Pending::ListDeleted => {
            model.deleted.load_failed();
            list_finished(model);
            model.record_error("list deleted secrets", error);
        }
        Pending::Versions => {
            if let Some(d) = model
                .details
                .as_mut()
                .filter(|d| d.versions_req == Some(req))
            {
                d.versions_req = None;
            }
            model.record_error("list versions", error);
        }
        Pending::Value => {
            if let Some(d) = model.details.as_mut().filter(|d| d.value_req == Some(req)) {
                d.value_req = None;
                d.shown = false;
            }
            model.record_error("get the value", error);
        }
        Pending::CopyValue { name } => {
            model.record_error(format!("copy the value of {name}"), error)
        }
        Pending::Create { secret } => {
            let text = describe(&error);
            let deleted = error.kind == ErrorKind::DeletedButRecoverable;
            let what = format!("save {}", secret.name);
            if let Some(form) = forms::form_waiting_for(model, req) {
                form.submitting = None;
                form.error = Some(text);
            }
            model.record_error(what, error);
            if deleted {
                dialogs::open_conflict(model, secret);
            }
        }
        Pending::Update => fail_form(model, req, "update properties".to_owned(), error),
        Pending::Backup { name } => fail_form(model, req, format!("back up {name}"), error),
        Pending::Restore => fail_form(model, req, "restore".to_owned(), error),
        Pending::Delete { name } => {
            model.record_error(format!("delete {name}"), error);
            bulk_step(model, Some(name));
        }
        Pending::Recover { name, then } => {
            fail_form(model, req, format!("recover {name}"), error);
            if then.is_none() {
                bulk_step(model, Some(name));
            }
        }
        Pending::Purge { name, then } => {
            fail_form(model, req, format!("purge {name}"), error);
            if then.is_none() {
                bulk_step(model, Some(name));
            }
        }
    }
}

/// Counts one result of a bulk action and shows the running summary.
fn bulk_step(model: &mut Model, failed: Option<String>) {
    let Some(bulk) = model.bulk.as_mut() else {
        return;
    };
    match failed {
        Some(name) => bulk.failed.push(name),
        None => bulk.ok += 1,
    }
    let done = bulk.ok + bulk.failed.len();
    let mut text = format!("{} {} of {}", bulk.verb, bulk.ok, bulk.total);
    if !bulk.failed.is_empty() {
        text.push_str(&format!(
            "; failed: {} (! for details)",
            bulk.failed.join(", ")
        ));
    }
    let is_error = !bulk.failed.is_empty();
    if done >= bulk.total {
        model.bulk = None;
    }
    model.toast(text, is_error);
}

/// A request failed; a form waiting on it stays open and shows why.
fn fail_form(model: &mut Model, req: ReqId, what: String, error: VaultError) {
    if let Some(form) = forms::form_waiting_for(model, req) {
        form.submitting = None;
        form.error = Some(describe(&error));
    }
    model.record_error(what, error);
}

/// The message with its status, code and hint, for a form's error line.
pub fn describe(error: &VaultError) -> String {
    let mut s = error.message.clone();
    match (error.status, &error.code) {
        (Some(st), Some(code)) => s.push_str(&format!(" ({st} {code})")),
        (Some(st), None) => s.push_str(&format!(" ({st})")),
        (None, Some(code)) => s.push_str(&format!(" ({code})")),
        (None, None) => {}
    }
    if let Some(hint) = &error.hint {
        s.push_str(". ");
        s.push_str(hint);
    }
    s
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
