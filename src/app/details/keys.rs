//! The details view's keys, and copying ids and values to the clipboard.

use secrecy::SecretString;

use crate::app::dialogs;
use crate::app::effect::Effect;
use crate::app::forms::keys as forms;
use crate::app::keymap::Action;
use crate::app::model::{Clip, Details, Model, Overlay, Pending, View};
use crate::vault::{SecretName, VaultCmd};

/// Hands an id to the run loop for the clipboard.
pub(crate) fn copy(model: &mut Model, fx: &mut Vec<Effect>, text: String, what: &str) {
    fx.push(Effect::Copy(Clip {
        text: SecretString::from(text),
        is_value: false,
    }));
    let message = model.copy_target.copied(&format!("the {what}"));
    model.toast(message, false);
}

/// Copies a secret's value: from the open details when loaded, else fetched
/// for the copy alone.
pub(crate) fn copy_value(
    model: &mut Model,
    fx: &mut Vec<Effect>,
    name: &SecretName,
    version: Option<String>,
) {
    if let Some(value) = model
        .details
        .as_ref()
        .filter(|d| d.props.name == *name)
        .and_then(|d| d.value.clone())
    {
        fx.push(Effect::Copy(Clip {
            text: value,
            is_value: true,
        }));
        let message = model.copy_target.copied(&format!("the value of {name}"));
        model.toast(message, false);
        return;
    }
    model.send(
        fx,
        VaultCmd::Get {
            name: name.clone(),
            version,
        },
        Pending::CopyValue { name: name.clone() },
    );
}

/// `Enter` on a row: the secret's details (versions load at once, the value
/// only when asked for), or a deleted secret's properties.
pub(crate) fn open(model: &mut Model, fx: &mut Vec<Effect>) {
    match model.view {
        View::Deleted => {
            let Some(ds) = model.deleted().selected_item().cloned() else {
                return;
            };
            let mut details = Details::new(ds.props.clone());
            details.deleted = Some(ds);
            model.details = Some(details);
        }
        _ => {
            let Some(props) = model.list().selected_props().cloned() else {
                return;
            };
            let Ok(name) = SecretName::parse(&props.name) else {
                return;
            };
            let mut details = Details::new(props);
            details.versions_req =
                Some(model.send(fx, VaultCmd::ListVersions { name }, Pending::Versions));
            model.details = Some(details);
        }
    }
}

/// Lists the versions again (F5), after a failure or to see new ones.
fn reload_versions(model: &mut Model, fx: &mut Vec<Effect>) {
    let Some(d) = model.details.as_mut() else {
        return;
    };
    let old = d.versions_req.take();
    d.forget_versions();
    let name = d.props.name.clone();
    if let Some(old) = old {
        model.cancel(fx, old);
    }
    if let Ok(name) = SecretName::parse(&name) {
        let id = model.send(fx, VaultCmd::ListVersions { name }, Pending::Versions);
        if let Some(d) = model.details.as_mut() {
            d.versions_req = Some(id);
        }
    }
}

/// Closes the view (dropping a fetched value) or returns from a version.
fn close(model: &mut Model, fx: &mut Vec<Effect>) {
    let Some(mut details) = model.details.take() else {
        return;
    };
    for id in [details.value_req, details.versions_req]
        .into_iter()
        .flatten()
    {
        model.cancel(fx, id);
    }
    if let Some(parent) = details.parent.take() {
        model.details = Some(*parent);
    }
}

pub(crate) fn on_action(model: &mut Model, fx: &mut Vec<Effect>, action: Action) {
    let Some(details) = &mut model.details else {
        return;
    };
    match action {
        Action::Back => close(model, fx),
        Action::EditInEditor if details.deleted.is_none() => {
            crate::app::forms::external_edit::new_version_in_editor(model, fx)
        }
        Action::Refresh if details.deleted.is_none() && !details.is_version() => {
            reload_versions(model, fx)
        }
        Action::Quit => fx.push(Effect::Quit),
        Action::Help => model.overlays.push(Overlay::Help { scroll: 0 }),
        Action::Errors => model.overlays.push(Overlay::Errors { scroll: 0 }),
        Action::ShowValue if details.deleted.is_none() => {
            if details.shown {
                details.shown = false;
            } else {
                details.shown = true;
                if details.value.is_none() && details.value_req.is_none() {
                    let name = details.props.name.clone();
                    let version = details.parent.as_ref().and(details.props.version.clone());
                    let id = model.send(fx, VaultCmd::Get { name, version }, Pending::Value);
                    if let Some(d) = &mut model.details {
                        d.value_req = Some(id);
                    }
                }
            }
        }
        Action::Down => {
            details.version_sel =
                (details.version_sel + 1).min(details.versions.len().saturating_sub(1));
            crate::app::details::versions::load_more_if_near_end(model, fx);
        }
        Action::Mark | Action::Compare | Action::MakeCurrent | Action::ToggleEnabled
            if !details.is_version() && details.deleted.is_none() =>
        {
            crate::app::details::versions::on_action(model, fx, action)
        }
        Action::Up => details.version_sel = details.version_sel.saturating_sub(1),
        Action::Top => details.version_sel = 0,
        Action::Bottom => {
            details.version_sel = details.versions.len().saturating_sub(1);
            crate::app::details::versions::load_more_if_near_end(model, fx);
        }
        Action::CopyName => {
            let name = details.props.name.to_string();
            copy(model, fx, name, "name");
        }
        // A shown value that does not fit scrolls; otherwise the versions page.
        Action::PageDown | Action::PageUp if !(details.shown && details.value_overflow > 0) => {
            let page = model.page_rows.max(1);
            details.version_sel = if action == Action::PageDown {
                (details.version_sel + page).min(details.versions.len().saturating_sub(1))
            } else {
                details.version_sel.saturating_sub(page)
            };
            crate::app::details::versions::load_more_if_near_end(model, fx);
        }
        Action::RawProperties => {
            details.raw_props = !details.raw_props;
            details.props_scroll = 0;
        }
        Action::TogglePretty if details.deleted.is_none() => {
            details.raw = !details.raw;
            details.scroll = 0;
        }
        Action::PropsDown => {
            details.props_scroll = (details.props_scroll + 1).min(details.props_overflow)
        }
        Action::PropsUp => details.props_scroll = details.props_scroll.saturating_sub(1),
        // Scrolling stops at the last line (the frame reports how far that is).
        Action::PageDown => {
            let last = u16::try_from(details.value_overflow).unwrap_or(u16::MAX);
            details.scroll = details.scroll.saturating_add(5).min(last);
        }
        Action::PageUp => details.scroll = details.scroll.saturating_sub(5),
        Action::Details if !details.is_version() && details.deleted.is_none() => {
            if let Some(version) = details.versions.get(details.version_sel).cloned() {
                let parent = model.details.take().map(Box::new);
                let mut child = Details::new(version);
                child.parent = parent;
                model.details = Some(child);
            }
        }
        Action::NewVersion | Action::Properties if details.deleted.is_none() => {
            let props = details.props.clone();
            if !model.refuse_if_managed(&props) {
                forms::open(model, action, &props);
            }
        }
        Action::CopyValue if details.deleted.is_none() => {
            let name = details.props.name.clone();
            let version = details.parent.as_ref().and(details.props.version.clone());
            copy_value(model, fx, &name, version);
        }
        Action::CopyId => match details.deleted.as_ref() {
            Some(deleted) => {
                if let Some(id) = deleted.recovery_id.clone() {
                    copy(model, fx, id, "recovery id");
                }
            }
            None => {
                let id = details.props.id.clone();
                copy(model, fx, id, "id");
            }
        },
        Action::Recover if details.deleted.is_some() => {
            let names = vec![details.props.name.clone()];
            dialogs::confirm_recover(model, names);
        }
        Action::Purge if details.deleted.is_some() => {
            let names = vec![details.props.name.clone()];
            dialogs::confirm_purge(model, names);
        }
        _ => {}
    }
}
