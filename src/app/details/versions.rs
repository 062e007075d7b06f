//! The versions list of the details view: loading it a batch at a time as the
//! user scrolls, marking two versions, comparing them (`D`), making an old
//! one current (`C`, see `make_current`) and enabling or disabling one (`t`).

use crate::app::answers::{Outcome, short, unexpected};
use crate::app::details::compare::{Compare, Side};
use crate::app::effect::Effect;
use crate::app::keymap::Action;
use crate::app::model::{ConfirmAction, Details, Model, Overlay, Pending};
use crate::vault::{PropsUpdate, ReqId, SecretName, SecretProps, VaultCmd, VaultEventKind};

/// The next batch is asked for when the selection comes this close to the
/// last loaded version.
pub const LOAD_AHEAD: usize = 30;

/// Lines a page key scrolls the value diff by.
const DIFF_PAGE: usize = 10;

/// The first eight characters of a version id, as headings show it.
pub fn short_version(v: &str) -> &str {
    &v[..v.len().min(8)]
}

impl Details {
    /// Forgets the loaded versions before they are listed again.
    pub(crate) fn forget_versions(&mut self) {
        self.versions.clear();
        self.versions_error = None;
        self.versions_next = None;
        self.marked_versions.clear();
        self.version_sel = 0;
    }

    /// The loaded version that is current: the one the details name, else
    /// the first (newest listed) carrying the secret's own creation and
    /// update times (a listed secret shows its current version's
    /// attributes). `None` while it is not loaded.
    pub fn current_version(&self) -> Option<usize> {
        if let Some(v) = self.props.version.as_deref() {
            return self
                .versions
                .iter()
                .position(|x| x.version.as_deref() == Some(v));
        }
        self.versions.iter().position(|x| {
            x.created.is_some()
                && x.created == self.props.created
                && x.updated == self.props.updated
        })
    }

    /// Newest first by creation time (the service does not sort), keeping the
    /// same version selected once the user has moved off the top.
    pub(crate) fn sort_versions(&mut self) {
        let selected = self
            .versions
            .get(self.version_sel)
            .filter(|_| self.version_sel > 0)
            .and_then(|v| v.version.clone());
        self.versions.sort_by_key(|v| std::cmp::Reverse(v.created));
        if let Some(sel) = selected
            && let Some(i) = self
                .versions
                .iter()
                .position(|v| v.version.as_deref() == Some(sel.as_str()))
        {
            self.version_sel = i;
        }
    }

    pub(crate) fn selected_version(&self) -> Option<&SecretProps> {
        self.versions.get(self.version_sel)
    }
}

/// The versions-list keys of the details view of a secret.
pub(crate) fn on_action(model: &mut Model, fx: &mut Vec<Effect>, action: Action) {
    match action {
        Action::Mark => toggle_mark(model),
        Action::Compare => open_compare(model),
        Action::MakeCurrent => crate::app::details::make_current::read_version(model, fx),
        Action::ToggleEnabled => toggle_enabled(model, fx),
        _ => {}
    }
}

/// Asks for the next batch of versions once the selection nears the end of
/// those loaded (and none is on its way).
pub(crate) fn load_more_if_near_end(model: &mut Model, fx: &mut Vec<Effect>) {
    let Some(d) = model.details.as_mut() else {
        return;
    };
    if d.versions_req.is_some() || d.version_sel + LOAD_AHEAD < d.versions.len() {
        return;
    }
    // The link stays until the batch arrives, so a failed batch can be
    // asked for again by moving on.
    let Some(resume) = d.versions_next.clone() else {
        return;
    };
    let Ok(name) = SecretName::parse(&d.props.name) else {
        return;
    };
    let id = model.send(
        fx,
        VaultCmd::MoreVersions { name, resume },
        Pending::Versions,
    );
    if let Some(d) = model.details.as_mut() {
        d.versions_req = Some(id);
    }
}

/// A batch of versions ended: more remain (`ListPaused`) or none.
pub(crate) fn versions_listed(
    model: &mut Model,
    fx: &mut Vec<Effect>,
    req: ReqId,
    outcome: Outcome,
) {
    let details = model
        .details
        .as_mut()
        .filter(|d| d.versions_req == Some(req));
    match outcome {
        Ok(VaultEventKind::ListDone { .. }) => {
            if let Some(d) = details {
                d.versions_req = None;
                d.versions_error = None;
                d.versions_next = None;
                d.sort_versions();
                if let Some(newer) = follow_newest(d) {
                    model.secrets_mut().upsert(newer);
                }
            }
        }
        Ok(VaultEventKind::ListPaused { resume, .. }) => {
            if let Some(d) = details {
                d.versions_req = None;
                d.versions_error = None;
                d.versions_next = Some(resume);
                d.sort_versions();
                // Only a user waiting on the last row gets the next batch at
                // once; a service order that sorts new rows above the
                // selection must not chain batches on its own.
                if d.version_sel + 1 >= d.versions.len() {
                    load_more_if_near_end(model, fx);
                }
            }
        }
        Ok(other) => unexpected("list versions", &other),
        Err(error) => {
            let mut what = "list versions".to_owned();
            if let Some(d) = details {
                d.versions_req = None;
                // A later batch that fails keeps the versions already shown;
                // moving on asks for it again.
                if d.versions.is_empty() || d.versions_next.is_none() {
                    d.versions_error = Some(short(&error));
                }
                what = format!("list the versions of {}", d.subject());
            }
            model.record_error(what, error);
        }
    }
}

/// Details of the latest follow a version added since they opened (by
/// another client, seen on F5): its properties show, and a value fetched
/// for the old one goes. The secret's new row, when it changed.
fn follow_newest(d: &mut Details) -> Option<SecretProps> {
    if d.is_version() || d.deleted.is_some() {
        return None;
    }
    let newest = d.versions.first()?;
    if d.current_version() == Some(0) || newest.created <= d.props.created {
        return None;
    }
    let mut props = d.props.clone();
    props.version = newest.version.clone();
    props.enabled = newest.enabled;
    props.content_type = newest.content_type.clone();
    props.tags = newest.tags.clone();
    props.created = newest.created;
    props.updated = newest.updated;
    props.not_before = newest.not_before;
    props.expires = newest.expires;
    d.props = props.clone();
    d.clear_value();
    d.shown = false;
    props.version = None;
    Some(props)
}

/// `Space`: marks the selected version (a third mark replaces the oldest)
/// and moves on.
fn toggle_mark(model: &mut Model) {
    let Some(d) = model.details.as_mut() else {
        return;
    };
    let Some(id) = d.selected_version().and_then(|v| v.version.clone()) else {
        return;
    };
    if let Some(i) = d.marked_versions.iter().position(|m| *m == id) {
        d.marked_versions.remove(i);
    } else {
        if d.marked_versions.len() == 2 {
            d.marked_versions.remove(0);
        }
        d.marked_versions.push(id);
    }
    d.version_sel = (d.version_sel + 1).min(d.versions.len().saturating_sub(1));
}

fn side_of(d: &Details, v: &SecretProps) -> Side {
    let id = v.version.clone().unwrap_or_default();
    let label = if d
        .current_version()
        .and_then(|i| d.versions[i].version.as_ref())
        == Some(&id)
    {
        format!("current ({})", short_version(&id))
    } else {
        format!("version {}", short_version(&id))
    };
    Side::new(v.clone(), Some(id), label)
}

/// `D`: the two marked versions (older on the left), else the selected one
/// against the current one.
fn open_compare(model: &mut Model) {
    let Some(d) = model.details.as_mut() else {
        return;
    };
    let find = |id: &String| {
        d.versions
            .iter()
            .position(|v| v.version.as_ref() == Some(id))
    };
    // Older: created earlier, or in the same second and listed lower.
    let age = |i: usize| (std::cmp::Reverse(d.versions[i].created), i);
    let pair = match d.marked_versions.as_slice() {
        [a, b] => match (find(a), find(b)) {
            (Some(a), Some(b)) => {
                let (old, new) = if age(a) > age(b) { (a, b) } else { (b, a) };
                Some((side_of(d, &d.versions[old]), side_of(d, &d.versions[new])))
            }
            _ => None,
        },
        _ => None,
    };
    let (old, new) = match pair {
        Some(pair) => pair,
        None => {
            let Some(sel) = d.selected_version() else {
                return;
            };
            if d.current_version() == Some(d.version_sel) {
                let text =
                    "this is the current version: mark two versions with Space to compare them";
                model.toast(text, false);
                return;
            }
            let old = side_of(d, sel);
            let current = Side::new(d.props.clone(), None, "current".to_owned());
            (old, current)
        }
    };
    d.compare = Some(Box::new(Compare::new(old, new)));
}

/// The keys of an open comparison.
pub(crate) fn on_compare_action(model: &mut Model, fx: &mut Vec<Effect>, action: Action) {
    let Some(c) = model.details.as_mut().and_then(|d| d.compare.as_mut()) else {
        return;
    };
    let last = c.value_lines().saturating_sub(1);
    match action {
        Action::Back => close_compare(model, fx),
        Action::Quit => fx.push(Effect::Quit),
        Action::Help => model.overlays.push(Overlay::Help { scroll: 0 }),
        Action::Errors => model.overlays.push(Overlay::Errors { scroll: 0 }),
        Action::ShowValue => {
            c.values_asked = !c.values_asked;
            if c.values_asked {
                fetch_values(model, fx);
            }
        }
        Action::Down => c.scroll = (c.scroll + 1).min(last),
        Action::Up => c.scroll = c.scroll.saturating_sub(1),
        Action::PageDown => c.scroll = (c.scroll + DIFF_PAGE).min(last),
        Action::PageUp => c.scroll = c.scroll.saturating_sub(DIFF_PAGE),
        _ => {}
    }
}

/// Drops the comparison and its values (zeroized), stopping reads on their way.
fn close_compare(model: &mut Model, fx: &mut Vec<Effect>) {
    let Some(c) = model.details.as_mut().and_then(|d| d.compare.take()) else {
        return;
    };
    for id in [c.old.req, c.new.req].into_iter().flatten() {
        model.cancel(fx, id);
    }
}

/// Reads the two values not fetched yet.
fn fetch_values(model: &mut Model, fx: &mut Vec<Effect>) {
    let Some(d) = model.details.as_ref() else {
        return;
    };
    let Ok(name) = SecretName::parse(&d.props.name) else {
        return;
    };
    let Some(c) = d.compare.as_ref() else {
        return;
    };
    let wanted: Vec<(bool, Option<String>)> = [(true, &c.old), (false, &c.new)]
        .into_iter()
        .filter(|(_, s)| s.value.is_none() && s.req.is_none())
        .map(|(old, s)| (old, s.version.clone()))
        .collect();
    for (old, version) in wanted {
        let cmd = VaultCmd::Get {
            name: name.clone(),
            version,
        };
        let id = model.send(fx, cmd, Pending::CompareValue { old });
        if let Some(c) = model.details.as_mut().and_then(|d| d.compare.as_mut()) {
            if old {
                c.old.req = Some(id);
            } else {
                c.new.req = Some(id);
            }
        }
    }
}

/// One value of the comparison arrived (or failed).
pub(crate) fn compare_value(model: &mut Model, req: ReqId, old: bool, outcome: Outcome) {
    let c = model
        .details
        .as_mut()
        .and_then(|d| d.compare.as_mut())
        .filter(|c| if old { c.old.req } else { c.new.req } == Some(req));
    let Some(c) = c else {
        return;
    };
    let side = if old { &mut c.old } else { &mut c.new };
    side.req = None;
    match outcome {
        Ok(VaultEventKind::Secret(secret)) => {
            side.value = Some(secret.value);
            c.values_arrived();
        }
        Ok(other) => unexpected("get a value to compare", &other),
        Err(error) => {
            let what = format!("get the value of {} to compare", side.label);
            c.error = Some(short(&error));
            model.record_error(what, error);
        }
    }
}

/// `t`: enables or disables the selected version.
fn toggle_enabled(model: &mut Model, fx: &mut Vec<Effect>) {
    let Some(sel) = model
        .details
        .as_ref()
        .and_then(|d| d.selected_version())
        .cloned()
    else {
        return;
    };
    let Some(version) = sel.version.clone() else {
        return;
    };
    if sel.enabled {
        // A stray `t` must not make a secret unreadable: disabling asks.
        let is_current = model
            .details
            .as_ref()
            .is_some_and(|d| d.current_version() == Some(d.version_sel));
        let mut lines = vec![format!("  version {version}")];
        if is_current {
            lines.push(format!(
                "It is the current version: reading {} fails (403) while it is disabled.",
                sel.name
            ));
        } else {
            lines.push("Reading this version fails (403) while it is disabled.".to_owned());
        }
        lines.push("t on it again enables it.".to_owned());
        crate::app::dialogs::push_confirm(
            model,
            format!("Disable a version of {}?", sel.name),
            lines,
            ConfirmAction::DisableVersion {
                name: sel.name,
                version,
            },
            None,
            true,
        );
        return;
    }
    set_enabled(model, fx, sel.name, version, true);
}

/// Enables or disables one version.
pub(crate) fn set_enabled(
    model: &mut Model,
    fx: &mut Vec<Effect>,
    name: SecretName,
    version: String,
    enabled: bool,
) {
    let cmd = VaultCmd::UpdateProps {
        name: name.clone(),
        version: Some(version),
        update: PropsUpdate {
            enabled: Some(enabled),
            ..Default::default()
        },
    };
    model.send(fx, cmd, Pending::VersionEnabled { name });
}

/// A version was enabled or disabled: its row changes in place; when it is
/// the current one, the secret's own row changes too.
pub(crate) fn version_enabled(model: &mut Model, name: &SecretName, outcome: Outcome) {
    let what = || format!("enable or disable a version of {name}");
    let props = match outcome {
        Ok(VaultEventKind::Props(props)) => props,
        Ok(other) => return unexpected(&what(), &other),
        Err(error) => return model.record_error(what(), error),
    };
    let state = if props.enabled { "enabled" } else { "disabled" };
    let version = props.version.clone().unwrap_or_default();
    let mut current = false;
    if let Some(d) = model.details.as_mut().filter(|d| d.props.name == *name) {
        let at = d
            .versions
            .iter()
            .position(|v| v.version.as_deref() == Some(version.as_str()));
        if let Some(i) = at {
            current = d.current_version() == Some(i);
            d.versions[i] = (*props).clone();
            if current {
                d.props.enabled = props.enabled;
                d.props.updated = props.updated;
            }
        }
    }
    if current {
        model.secrets_mut().upsert((*props).clone());
    }
    model.toast(
        format!("{state} version {} of {name}", short_version(&version)),
        false,
    );
    model.succeeded(&what());
}
