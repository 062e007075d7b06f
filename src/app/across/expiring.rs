//! `X` in a list: what has expired or expires within the Expiring window in
//! every open vault at once, soonest first, from the lists as they stand
//! (the rules of `kvtui expiring`); `Enter` goes to that vault and secret.

use crate::across::expiring::{DueRow, due, sort};
use crate::app::effect::Effect;
use crate::app::keymap::Action;
use crate::app::model::{Model, Overlay, View};
use crate::vault::SecretProps;

/// The overlay's state: the chosen row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpiringAll {
    pub selected: usize,
}

/// The due secrets of every open vault (enabled ones, as the Expiring tab
/// and `kvtui expiring` count them), each with its vault's route.
pub fn rows(model: &Model) -> Vec<(usize, DueRow)> {
    let within = time::Duration::days(model.expiring_days());
    let horizon = model.now + within;
    let mut all: Vec<DueRow> = Vec::new();
    for slot in &model.vaults {
        let items: Vec<SecretProps> = slot
            .secrets
            .items
            .iter()
            .filter(|p| p.expires.is_some_and(|e| e <= horizon))
            .cloned()
            .collect();
        all.extend(due(&slot.label, items, model.now, within, false));
    }
    sort(&mut all);
    all.into_iter()
        .map(|r| {
            let route = model.vaults.iter().position(|s| s.label == r.vault);
            (route.unwrap_or(0), r)
        })
        .collect()
}

pub(crate) fn open(model: &mut Model) {
    model
        .overlays
        .push(Overlay::ExpiringAll(ExpiringAll::default()));
}

/// Arrows move, Enter opens the secret's vault on it, Esc closes.
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
            if let Some((route, row)) = rows.get(selected) {
                model.view = View::Secrets;
                let name = row.props.name.to_string();
                model.go_to(fx, *route, &name);
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
