//! Applying the worker's answers: one table from what a request was for to
//! the function that handles its result, success and failure side by side
//! (`answers_read` for lists and values, `answers_write` for changes). An
//! answer to a request no longer pending (a superseded list, a closed view) is
//! dropped; a write is never dropped, so what was saved always shows.

use crate::vault::{ErrorKind, ReqId, VaultError, VaultEvent, VaultEventKind};

mod read;
mod write;

use super::effect::Effect;
use super::model::{Model, Outstanding, Pending};
use super::{details::make_current, details::versions};

/// What a finished request brought: its terminal event, or why it failed.
pub(crate) type Outcome = Result<VaultEventKind, VaultError>;

pub(crate) fn on_event(model: &mut Model, fx: &mut Vec<Effect>, event: VaultEvent) {
    let req = event.req;
    let Some(Outstanding { route, what, .. }) = model.pending.get(&req).cloned() else {
        tracing::debug!(?req, "dropped an answer to a request no longer pending");
        return;
    };
    if super::lists::bulk::owns(model, req) {
        return match event.kind {
            // The progress says a pause; each name is not worth a message.
            VaultEventKind::Retrying { .. }
            | VaultEventKind::SecretsPage(_)
            | VaultEventKind::DeletedPage(_) => {}
            VaultEventKind::Cancelled => super::lists::bulk::answer(
                model,
                fx,
                req,
                Err(VaultError::new(ErrorKind::Other, "cancelled")),
            ),
            VaultEventKind::Failed(error) => super::lists::bulk::answer(model, fx, req, Err(error)),
            kind => super::lists::bulk::answer(model, fx, req, Ok(kind)),
        };
    }
    let outcome = match event.kind {
        VaultEventKind::SecretsPage(page) => return read::secrets_page(model, req, &what, page),
        VaultEventKind::DeletedPage(page) => return read::deleted_page(model, &what, page),
        VaultEventKind::Retrying { note } => {
            // Said, not failed: the answer comes later.
            model.toast(format!("{}: {note}", what.describe()), false);
            if let Some(t) = &mut model.toast {
                t.retry_of = Some(req);
            }
            return;
        }
        VaultEventKind::Cancelled => {
            model.pending.remove(&req);
            return;
        }
        VaultEventKind::Failed(error) => Err(error),
        kind => Ok(kind),
    };
    model.pending.remove(&req);
    // "recovering… retrying in 2 s" is over once the answer is here.
    if model
        .toast
        .as_ref()
        .is_some_and(|t| t.retry_of == Some(req))
    {
        model.toast = None;
    }
    if route != model.active_vault {
        return write::on_another_vault(model, route, &what, outcome);
    }
    answer(model, fx, req, what, outcome);
}

/// The request table: each kind of request handles its own outcome.
pub(crate) fn answer(
    model: &mut Model,
    fx: &mut Vec<Effect>,
    req: ReqId,
    what: Pending,
    outcome: Outcome,
) {
    match what {
        Pending::ListSecrets => read::secrets_listed(model, outcome),
        Pending::ListDeleted => read::deleted_listed(model, outcome),
        Pending::Versions => versions::versions_listed(model, fx, req, outcome),
        Pending::CompareValue { old } => versions::compare_value(model, req, old, outcome),
        Pending::MakeCurrent { from } => make_current::value_read(model, &from, outcome),
        Pending::VersionEnabled { name } => versions::version_enabled(model, &name, outcome),
        Pending::Value => read::value_read(model, req, outcome),
        Pending::CopyValue { name } => read::value_copied(model, fx, &name, outcome),
        Pending::Create { secret } => write::created(model, fx, req, secret, outcome),
        Pending::Update => write::updated(model, fx, req, outcome),
        Pending::Backup { name } => write::backed_up(model, req, &name, outcome),
        Pending::Restore => write::restored(model, req, outcome),
        Pending::Delete { name } => write::deleted(model, &name, outcome),
        Pending::Recover { name, then } => write::recovered(model, fx, req, &name, then, outcome),
        Pending::Purge { name, then } => write::purged(model, fx, req, &name, then, outcome),
        Pending::Export => write::exported(model, req, outcome),
    }
}

/// A request that never reached its worker fails like one the vault refused.
pub(crate) fn on_send_failed(model: &mut Model, fx: &mut Vec<Effect>, req: ReqId, reason: String) {
    if super::lists::bulk::owns(model, req) {
        return super::lists::bulk::not_sent(model, fx, req, &reason);
    }
    if let Some(Outstanding { what, .. }) = model.pending.remove(&req) {
        answer(
            model,
            fx,
            req,
            what,
            Err(VaultError::new(ErrorKind::Other, reason)),
        );
    }
}

/// A worker that stopped answers nothing more: each of its requests fails.
pub(crate) fn on_worker_stopped(model: &mut Model, fx: &mut Vec<Effect>, route: usize) {
    let mut ids: Vec<ReqId> = model
        .pending
        .iter()
        .filter(|(_, o)| o.route == route)
        .map(|(id, _)| *id)
        .collect();
    ids.sort();
    let stopped = || VaultError::new(ErrorKind::Other, "the vault worker stopped");
    for id in ids {
        if super::lists::bulk::owns(model, id) {
            super::lists::bulk::answer(model, fx, id, Err(stopped()));
            continue;
        }
        if let Some(Outstanding { what, .. }) = model.pending.remove(&id)
            && route == model.active_vault
        {
            answer(model, fx, id, what, Err(stopped()));
        }
    }
    let label = model
        .vaults
        .get(route)
        .map_or_else(String::new, |v| v.label.clone());
    model.record_error(format!("reach {label}"), stopped());
}

/// An answer of a kind its request never gives: logged, otherwise ignored.
pub(crate) fn unexpected(what: &str, kind: &VaultEventKind) {
    tracing::debug!(what, ?kind, "unexpected answer ignored");
}

pub use crate::vault::describe;

/// One line for the status bar and a failed list: the hint (the likely fix)
/// first when there is one, then the message.
pub fn short(error: &VaultError) -> String {
    // A network failure's SDK chain ("retry policy expired: error sending
    // request: …") stays in the history (`!`), not in the status line.
    let message = match error.kind {
        ErrorKind::Network => error
            .message
            .split_once(" (")
            .map_or(error.message.as_str(), |(head, _)| head),
        _ => error.message.as_str(),
    };
    match &error.hint {
        Some(hint) => format!("{hint} ({message})"),
        None => message.to_owned(),
    }
}
