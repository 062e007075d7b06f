//! Answers to reads: list pages and their end, versions, a value to show or
//! to copy. Each function takes the request's outcome, success or failure.

use crate::vault::{DeletedSecret, ReqId, SecretProps, VaultEventKind};

use crate::app::answers::{Outcome, short, unexpected};
use crate::app::effect::Effect;
use crate::app::model::{Clip, Model, Pending};

pub(crate) fn secrets_page(model: &mut Model, req: ReqId, what: &Pending, page: Vec<SecretProps>) {
    match what {
        Pending::ListSecrets => {
            model.secrets_mut().push_page(page);
            crate::app::find::select_target(model, false);
            let rows = model.secrets();
            let (brought, expected) = (rows.brought, rows.expected);
            let thousands = crate::app::lists::bulk::thousands;
            model.progress = Some(if expected > 0 {
                // A refresh in place: how far it got, against the last count.
                let cached = if rows.cached_at.is_some() {
                    "refreshing the cached list: "
                } else {
                    "refreshing: "
                };
                format!(
                    "{cached}{} of ~{}…",
                    thousands(brought),
                    thousands(expected.max(brought))
                )
            } else {
                format!("loaded {}…", rows.items.len())
            });
        }
        Pending::Versions => {
            if let Some(d) = model
                .details
                .as_mut()
                .filter(|d| d.versions_req == Some(req))
            {
                d.versions.extend(page);
            }
        }
        _ => tracing::debug!(?what, "a page for a request that lists nothing"),
    }
}

pub(crate) fn deleted_page(model: &mut Model, what: &Pending, page: Vec<DeletedSecret>) {
    if matches!(what, Pending::ListDeleted) {
        model.deleted_mut().push_page(page);
    }
}

pub(crate) fn secrets_listed(model: &mut Model, outcome: Outcome) {
    const OP: &str = "list secrets";
    match outcome {
        Ok(VaultEventKind::ListDone { .. }) => {
            model.secrets_mut().finish_load();
            let now = model.now;
            model.secrets_mut().loaded_at = Some(now);
            model.succeeded(OP);
        }
        Ok(other) => unexpected(OP, &other),
        Err(error) => {
            model.secrets_mut().load_failed(short(&error));
            model.record_error(OP, error);
        }
    }
    crate::app::find::select_target(model, true);
    list_finished(model);
}

pub(crate) fn deleted_listed(model: &mut Model, outcome: Outcome) {
    const OP: &str = "list deleted secrets";
    match outcome {
        Ok(VaultEventKind::ListDone { .. }) => {
            model.deleted_mut().finish_load();
            let now = model.now;
            model.deleted_mut().loaded_at = Some(now);
            model.succeeded(OP);
        }
        Ok(other) => unexpected(OP, &other),
        Err(error) => {
            model.deleted_mut().load_failed(short(&error));
            model.record_error(OP, error);
        }
    }
    list_finished(model);
}

/// Once both lists are in, the progress goes; while only the deleted list
/// is still coming, the status line says that rather than what the secrets
/// list said last.
fn list_finished(model: &mut Model) {
    if !model.is_loading() {
        model.progress = None;
        model.slot_mut().last_refresh = Some(model.now);
    } else if model.secrets().loading.is_none() {
        model.progress = Some("loading deleted…".to_owned());
    }
}

pub(crate) fn value_read(model: &mut Model, req: ReqId, outcome: Outcome) {
    let details = model.details.as_mut().filter(|d| d.value_req == Some(req));
    match outcome {
        Ok(VaultEventKind::Secret(secret)) => {
            if let Some(d) = details {
                d.value_req = None;
                d.set_value(secret.value);
            }
        }
        Ok(other) => unexpected("get the value", &other),
        Err(error) => {
            let mut what = "get the value".to_owned();
            if let Some(d) = details {
                d.value_req = None;
                d.shown = false;
                what = format!("get the value of {}", d.subject());
            }
            model.record_error(what, error);
        }
    }
}

pub(crate) fn value_copied(model: &mut Model, fx: &mut Vec<Effect>, name: &str, outcome: Outcome) {
    match outcome {
        Ok(VaultEventKind::Secret(secret)) => {
            fx.push(Effect::Copy(Clip {
                text: secret.value,
                is_value: true,
            }));
            let message = model.copy_target.copied(&format!("the value of {name}"));
            model.toast(message, false);
        }
        Ok(other) => unexpected("copy the value", &other),
        Err(error) => model.record_error(format!("copy the value of {name}"), error),
    }
}
