//! `C` in the versions list: an old version made current again, as a new
//! version with its value, content type and tags. The value is read, the
//! new-version form shows what will be written (all editable), and a
//! confirmation says what changes before anything is written.

use secrecy::ExposeSecret;

use crate::app::answers::{Outcome, unexpected};
use crate::app::details::compare::prop_changes;
use crate::app::details::versions::short_version;
use crate::app::dialogs;
use crate::app::effect::Effect;
use crate::app::forms::form::Form;
use crate::app::model::{ConfirmAction, Model, Overlay, Pending};
use crate::vault::types::Tags;
use crate::vault::{NewSecret, SecretProps, VaultCmd, VaultEventKind};

/// `C`: reads the selected version's value, then opens the form.
pub(crate) fn read_version(model: &mut Model, fx: &mut Vec<Effect>) {
    let Some(d) = model.details.as_ref() else {
        return;
    };
    let Some(sel) = d.selected_version().cloned() else {
        return;
    };
    let Some(version) = sel.version.clone() else {
        return;
    };
    if d.current_version() == Some(d.version_sel) {
        let text = format!("version {} is already current", short_version(&version));
        model.toast(text, false);
        return;
    }
    let cmd = VaultCmd::Get {
        name: sel.name.clone(),
        version: Some(version),
    };
    let pending = Pending::MakeCurrent {
        from: Box::new(sel),
    };
    model.send(fx, cmd, pending);
}

/// The old version's value arrived: the form shows what will be written.
pub(crate) fn value_read(model: &mut Model, from: &SecretProps, outcome: Outcome) {
    let what = || format!("read {} to make it current", from.name);
    match outcome {
        Ok(VaultEventKind::Secret(secret)) => {
            let open = model
                .details
                .as_ref()
                .is_some_and(|d| d.props.name == from.name && d.compare.is_none());
            if open && model.overlays.is_empty() {
                let form =
                    Form::make_current(from, secret.value.expose_secret(), model.now, &model.zone);
                model.overlays.push(Overlay::Form(form));
            }
        }
        Ok(other) => unexpected(&what(), &other),
        Err(error) => model.record_error(what(), error),
    }
}

/// Asks before writing: says which version comes back and which properties
/// change from the current ones.
pub(crate) fn confirm(model: &mut Model, secret: NewSecret, from: &str) {
    let name = secret.name.clone();
    let mut lines = vec![
        format!("A new version of {name} becomes current,"),
        format!("with the value of version {}.", short_version(from)),
        String::new(),
    ];
    let current = model
        .details
        .as_ref()
        .filter(|d| d.props.name == name)
        .map(|d| d.props.clone());
    if let Some(current) = current {
        let mut tags = Tags::new();
        for (k, v) in &secret.tags {
            tags.insert(k.clone(), v.clone());
        }
        let written = SecretProps {
            content_type: secret.content_type.clone(),
            tags,
            enabled: secret.enabled,
            not_before: secret.not_before,
            expires: secret.expires,
            ..current.clone()
        };
        let changes = prop_changes(&current, &written, &model.zone);
        if changes.is_empty() {
            lines.push("Content type, tags and dates stay as they are.".to_owned());
        } else {
            lines.push("Changes from the current version:".to_owned());
            let or_none = |s: &str| {
                if s.is_empty() {
                    "(none)".to_owned()
                } else {
                    s.to_owned()
                }
            };
            for c in changes {
                lines.push(format!(
                    "  {}: {} → {}",
                    c.label,
                    or_none(&c.old),
                    or_none(&c.new)
                ));
            }
        }
    }
    lines.push("Every old version stays in the history.".to_owned());
    let title = format!("Make version {} current?", short_version(from));
    dialogs::push_confirm(
        model,
        title,
        lines,
        ConfirmAction::MakeCurrent(secret),
        None,
        false,
    );
}
