//! `F` in a list: find a secret in every open, pinned and recent vault at
//! once. Names, tag keys and values, and content types are searched in the
//! open vaults' lists as they stand (refreshed as pages arrive) and in the
//! list caches of the others (read by the runtime, `Effect::LoadOtherCaches`);
//! `Enter` switches to the vault, or opens it, and selects the secret. Never
//! a value: the caches hold properties only.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::across::{AcrossEvent, AcrossJob};
use super::effect::Effect;
use super::keymap::Action;
use super::model::{Model, View};
use super::overlay::Overlay;
use super::picker::same_url;
use crate::vault::{ReqId, SecretProps};

/// Rows shown at most; a longer query narrows them.
pub const MAX_RESULTS: usize = 500;

/// The find overlay: what is typed and which result is chosen.
#[derive(Debug, Clone, Default)]
pub struct FindState {
    pub query: String,
    pub selected: usize,
    /// Pinned and recent vaults not open, each with its cached secret list
    /// (or, once listed, its list).
    pub others: Vec<(String, Vec<SecretProps>)>,
    /// Their caches are still being read.
    pub waiting: bool,
    /// The listings asked for them (`AcrossJob::List`), by id and URL.
    pub listing: Vec<(ReqId, String)>,
    /// The vaults among `others` whose list came: no longer cached.
    pub listed: Vec<String>,
}

/// One secret that matches, in the open vault at `route`, or (`None`) in a
/// vault not open, found in its list cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindRow {
    pub route: Option<usize>,
    /// The vault's URL.
    pub url: String,
    /// The URL as shown: `(cached) …` for a vault not open.
    pub vault: String,
    pub name: String,
    /// `name`, `tag env=prod`, `content type text/plain`.
    pub why: String,
}

fn contains(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(needle)
}

/// Why `p` matches `needle` (lower case), if it does.
fn reason(p: &SecretProps, needle: &str) -> Option<String> {
    if contains(&p.name, needle) {
        return Some("name".into());
    }
    if let Some((k, v)) = p
        .tags
        .iter()
        .find(|(k, v)| contains(k, needle) || contains(v, needle))
    {
        return Some(format!("tag {k}={v}"));
    }
    p.content_type
        .as_deref()
        .filter(|ct| contains(ct, needle))
        .map(|ct| format!("content type {ct}"))
}

/// The matches of `query` in every open vault, then in the cached lists of
/// the pinned and recent ones not open, by vault then name; all secrets when
/// the query is empty.
pub fn find_rows(model: &Model, query: &str) -> Vec<FindRow> {
    let needle = query.trim().to_lowercase();
    let open = model
        .vaults
        .iter()
        .enumerate()
        .map(|(route, slot)| (Some(route), &slot.label, &slot.secrets.items[..]));
    let others = state(model)
        .into_iter()
        .flat_map(|s| s.others.iter())
        .map(|(url, items)| (None, url, &items[..]));
    let mut out = Vec::new();
    for (route, url, items) in open.chain(others) {
        let listed = state(model).is_some_and(|s| s.listed.contains(url));
        let vault = match route {
            None if !listed => format!("(cached) {url}"),
            _ => url.clone(),
        };
        let mut hits: Vec<FindRow> = items
            .iter()
            .filter_map(|p| {
                let why = reason(p, &needle)?;
                Some(FindRow {
                    route,
                    url: url.clone(),
                    vault: vault.clone(),
                    name: p.name.to_string(),
                    why,
                })
            })
            .collect();
        hits.sort_by_key(|h| h.name.to_lowercase());
        out.extend(hits);
        if out.len() >= MAX_RESULTS {
            out.truncate(MAX_RESULTS);
            break;
        }
    }
    out
}

fn state(model: &Model) -> Option<&FindState> {
    model.overlays.iter().rev().find_map(|o| match o {
        Overlay::Find(s) => Some(s),
        _ => None,
    })
}

/// The pinned and recent vaults not open, each once.
fn other_urls(model: &Model) -> Vec<String> {
    let mut urls: Vec<String> = Vec::new();
    for url in model.pinned_vaults.iter().chain(&model.recent_vaults) {
        let open = model.vaults.iter().any(|s| same_url(&s.label, url));
        if !open && !urls.iter().any(|u| same_url(u, url)) {
            urls.push(url.clone());
        }
    }
    urls
}

/// The cached lists of the vaults not open came: their rows join the results.
pub(crate) fn on_other_caches(model: &mut Model, lists: Vec<(String, Vec<SecretProps>)>) {
    let Some(s) = model.overlays.iter_mut().rev().find_map(|o| match o {
        Overlay::Find(s) => Some(s),
        _ => None,
    }) else {
        return;
    };
    let fresh = std::mem::take(&mut s.others);
    s.others = lists
        .into_iter()
        .filter(|(url, _)| !model.vaults.iter().any(|v| same_url(&v.label, url)))
        .filter(|(url, _)| !s.listed.contains(url))
        .chain(fresh.into_iter().filter(|(url, _)| s.listed.contains(url)))
        .collect();
    s.waiting = false;
}

/// Whether `id` is a listing the find overlay asked for.
pub(crate) fn owns(model: &Model, id: ReqId) -> bool {
    state(model).is_some_and(|s| s.listing.iter().any(|(i, _)| *i == id))
}

/// A vault not open was listed: its list replaces its cached rows. A
/// failure keeps the cached rows (still marked cached).
pub(crate) fn on_listed(model: &mut Model, event: AcrossEvent) {
    let AcrossEvent::Listed { id, items } = event else {
        return;
    };
    let Some(s) = model.overlays.iter_mut().rev().find_map(|o| match o {
        Overlay::Find(s) => Some(s),
        _ => None,
    }) else {
        return;
    };
    let Some((_, url)) = s.listing.iter().find(|(i, _)| *i == id).cloned() else {
        return;
    };
    s.others.retain(|(u, _)| *u != url);
    s.others.push((url.clone(), items));
    s.listed.push(url);
}

/// Selects the secret `F` opened a vault on, once the vault is shown and the
/// secret is among the rows come so far; forgotten when the list is `done`.
pub(crate) fn select_target(model: &mut Model, done: bool) {
    let Some((url, name)) = model.find_target.clone() else {
        return;
    };
    if !same_url(model.vault_label(), &url) {
        return;
    }
    let rows = model.secrets_mut();
    if let Some(i) = rows
        .visible
        .iter()
        .position(|&i| rows.items[i].name.eq_ignore_ascii_case(&name))
    {
        rows.selected = i;
    }
    if done {
        model.find_target = None;
    }
}

impl Model {
    /// Opens the overlay and asks for the list caches of the pinned and
    /// recent vaults not open.
    pub(crate) fn open_find(&mut self, fx: &mut Vec<Effect>) {
        let urls = other_urls(self);
        let waiting = !urls.is_empty();
        let mut listing = Vec::new();
        for url in &urls {
            let id = self.fresh_id();
            fx.push(Effect::Across(AcrossJob::List {
                id,
                vault: url.clone(),
            }));
            listing.push((id, url.clone()));
        }
        if waiting {
            fx.push(Effect::LoadOtherCaches { urls });
        }
        self.overlays.push(Overlay::Find(FindState {
            waiting,
            listing,
            ..FindState::default()
        }));
    }

    /// Shows `name` in the vault at `route`: switches there and selects it,
    /// clearing a filter that hides it.
    pub(crate) fn go_to(&mut self, fx: &mut Vec<Effect>, route: usize, name: &str) {
        self.switch_vault(fx, route);
        let rows = self.secrets_mut();
        let at = |rows: &super::lists::rows::Rows<SecretProps>| {
            rows.visible
                .iter()
                .position(|&i| rows.items[i].name.eq_ignore_ascii_case(name))
        };
        if at(rows).is_none() && !rows.filter.is_empty() {
            rows.set_filter("");
        }
        if at(rows).is_none() && rows.hide_managed {
            rows.hide_managed = false;
            rows.set_filter("");
        }
        if let Some(i) = at(rows) {
            rows.selected = i;
        }
    }
}

/// Keys in the find overlay: typing searches, arrows move, Enter goes to the
/// secret, Esc closes.
pub(crate) fn on_find_key(
    model: &mut Model,
    fx: &mut Vec<Effect>,
    key: KeyEvent,
    action: Option<Action>,
) {
    let Some(Overlay::Find(state)) = model.overlays.last() else {
        return;
    };
    let mut state = state.clone();
    let rows = find_rows(model, &state.query);
    let n = rows.len().max(1);
    let typed = match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    };
    let action = if typed.is_some() { None } else { action };
    match action {
        Some(Action::Down) => state.selected = (state.selected + 1) % n,
        Some(Action::Up) => state.selected = (state.selected + n - 1) % n,
        Some(Action::Confirm) => {
            model.overlays.pop();
            match rows.get(state.selected) {
                Some(FindRow {
                    route: Some(route),
                    name,
                    ..
                }) => model.go_to(fx, *route, name),
                Some(FindRow {
                    route: None,
                    url,
                    name,
                    ..
                }) => {
                    model.open_url(fx, url.clone());
                    if model.opening.as_deref() == Some(url.as_str()) {
                        model.view = View::Secrets;
                        model.find_target = Some((url.clone(), name.clone()));
                    }
                }
                None => {}
            }
            return;
        }
        Some(Action::Cancel) => {
            model.overlays.pop();
            return;
        }
        _ => {
            if let Some(c) = typed {
                state.query.push(c);
                state.selected = 0;
            } else if key.code == KeyCode::Backspace {
                state.query.pop();
                state.selected = 0;
            }
        }
    }
    if let Some(Overlay::Find(s)) = model.overlays.last_mut() {
        *s = state;
    }
}
