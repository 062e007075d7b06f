//! `X` in a list: what has expired or expires within the Expiring window in
//! every open and pinned vault at once, soonest first (the rules of `kvtui
//! expiring`). Open vaults answer from their lists as they stand; pinned ones
//! not open are listed for it by the runtime (`AcrossJob::List`). `Enter`
//! goes to that vault and secret, or opens the pinned vault.

use super::{AcrossEvent, AcrossJob};
use crate::across::expiring::{DueRow, due, sort};
use crate::app::effect::Effect;
use crate::app::keymap::Action;
use crate::app::model::{Model, Overlay, View};
use crate::app::picker::same_url;
use crate::vault::{ReqId, SecretProps};

/// The overlay's state: the chosen row and the pinned vaults listed for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExpiringAll {
    pub selected: usize,
    /// Pinned vaults not open, each with its listing once it came.
    pub pinned: Vec<Pinned>,
}

/// A pinned vault listed for the overlay.
#[derive(Debug, Clone, PartialEq)]
pub struct Pinned {
    pub url: String,
    pub id: ReqId,
    /// `None` while it is being listed.
    pub items: Option<Vec<SecretProps>>,
    /// Why it could not be listed.
    pub failure: Option<String>,
}

impl ExpiringAll {
    /// Pinned vaults still being listed.
    pub fn waiting(&self) -> usize {
        self.pinned
            .iter()
            .filter(|p| p.items.is_none() && p.failure.is_none())
            .count()
    }
}

/// The due secrets of every open vault and every pinned vault listed (enabled
/// ones, as the Expiring tab and `kvtui expiring` count them), each with its
/// vault's route when it is open.
pub fn rows(model: &Model) -> Vec<(Option<usize>, DueRow)> {
    let within = time::Duration::days(model.expiring_days());
    let horizon = model.now + within;
    let soon = |items: &[SecretProps]| -> Vec<SecretProps> {
        items
            .iter()
            .filter(|p| p.expires.is_some_and(|e| e <= horizon))
            .cloned()
            .collect()
    };
    let mut all: Vec<DueRow> = Vec::new();
    for slot in &model.vaults {
        all.extend(due(
            &slot.label,
            soon(&slot.secrets.items),
            model.now,
            within,
            false,
        ));
    }
    if let Some(state) = overlay(model) {
        for p in &state.pinned {
            if let Some(items) = &p.items {
                all.extend(due(&p.url, soon(items), model.now, within, false));
            }
        }
    }
    sort(&mut all);
    all.into_iter()
        .map(|r| {
            let route = model.vaults.iter().position(|s| s.label == r.vault);
            (route, r)
        })
        .collect()
}

fn overlay(model: &Model) -> Option<&ExpiringAll> {
    model.overlays.iter().rev().find_map(|o| match o {
        Overlay::ExpiringAll(s) => Some(s),
        _ => None,
    })
}

fn overlay_mut(model: &mut Model) -> Option<&mut ExpiringAll> {
    model.overlays.iter_mut().rev().find_map(|o| match o {
        Overlay::ExpiringAll(s) => Some(s),
        _ => None,
    })
}

/// Opens the overlay and asks for the pinned vaults that are not open.
pub(crate) fn open(model: &mut Model, fx: &mut Vec<Effect>) {
    let mut pinned: Vec<Pinned> = Vec::new();
    let urls: Vec<String> = model.pinned_vaults.clone();
    for url in urls {
        let open = model.vaults.iter().any(|s| same_url(&s.label, &url));
        if open || pinned.iter().any(|p| same_url(&p.url, &url)) {
            continue;
        }
        let id = model.fresh_id();
        fx.push(Effect::Across(AcrossJob::List {
            id,
            vault: url.clone(),
        }));
        pinned.push(Pinned {
            url,
            id,
            items: None,
            failure: None,
        });
    }
    model.overlays.push(Overlay::ExpiringAll(ExpiringAll {
        selected: 0,
        pinned,
    }));
}

/// Whether `id` is a listing this overlay asked for.
pub(super) fn owns(model: &Model, id: ReqId) -> bool {
    overlay(model).is_some_and(|s| s.pinned.iter().any(|p| p.id == id))
}

/// A pinned vault's listing, or why it failed (said in the overlay).
pub(super) fn on_event(model: &mut Model, event: AcrossEvent) {
    let id = event.id();
    let Some(p) = overlay_mut(model).and_then(|s| s.pinned.iter_mut().find(|p| p.id == id)) else {
        return;
    };
    match event {
        AcrossEvent::Listed { items, .. } => p.items = Some(items),
        AcrossEvent::Failed { error, .. } => p.failure = Some(error.message),
        _ => {}
    }
}

/// Arrows move, Enter opens the secret's vault on it (or opens a pinned
/// vault), Esc closes.
pub(crate) fn on_action(model: &mut Model, fx: &mut Vec<Effect>, action: Action) {
    let Some(Overlay::ExpiringAll(state)) = model.overlays.last() else {
        return;
    };
    let mut selected = state.selected;
    let rows = rows(model);
    let n = rows.len().max(1);
    match action {
        Action::Down => selected = (selected + 1) % n,
        Action::Up => selected = (selected + n - 1) % n,
        Action::Confirm => {
            model.overlays.pop();
            match rows.get(selected) {
                Some((Some(route), row)) => {
                    model.view = View::Secrets;
                    let name = row.props.name.to_string();
                    model.go_to(fx, *route, &name);
                }
                Some((None, row)) => model.open_url(fx, row.vault.clone()),
                None => {}
            }
            return;
        }
        Action::Cancel | Action::Back => {
            model.overlays.pop();
            return;
        }
        _ => {}
    }
    if let Some(Overlay::ExpiringAll(state)) = model.overlays.last_mut() {
        state.selected = selected;
    }
}
