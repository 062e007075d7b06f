//! `F` in a list: find a secret in every open vault at once. Names, tag keys
//! and values, and content types are searched in the vaults' lists as they
//! stand (cached rows shown at once, refreshed as pages arrive); `Enter`
//! switches to the vault and selects the secret. Never a value.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::effect::Effect;
use super::keymap::Action;
use super::model::Model;
use super::overlay::Overlay;
use crate::vault::SecretProps;

/// Rows shown at most; a longer query narrows them.
pub const MAX_RESULTS: usize = 500;

/// The find overlay: what is typed and which result is chosen.
#[derive(Debug, Clone, Default)]
pub struct FindState {
    pub query: String,
    pub selected: usize,
}

/// One secret that matches, in the vault at `route`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindRow {
    pub route: usize,
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

/// The matches of `query` in every open vault, by vault then name; all
/// secrets when the query is empty.
pub fn find_rows(model: &Model, query: &str) -> Vec<FindRow> {
    let needle = query.trim().to_lowercase();
    let mut out = Vec::new();
    for (route, slot) in model.vaults.iter().enumerate() {
        let mut hits: Vec<FindRow> = slot
            .secrets
            .items
            .iter()
            .filter_map(|p| {
                let why = reason(p, &needle)?;
                Some(FindRow {
                    route,
                    vault: slot.label.clone(),
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

impl Model {
    pub(crate) fn open_find(&mut self) {
        self.overlays.push(Overlay::Find(FindState::default()));
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
            if let Some(row) = rows.get(state.selected) {
                let (route, name) = (row.route, row.name.clone());
                model.go_to(fx, route, &name);
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
