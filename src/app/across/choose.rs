//! Which vault to compare with: the other open vaults first, then the pinned,
//! recent and configured ones (the runtime opens those for the comparison).

use super::view;
use crate::app::effect::Effect;
use crate::app::keymap::Action;
use crate::app::model::{Model, Overlay};
use crate::app::picker::same_url;

/// The choices and the one chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChooseState {
    /// Vault URLs, each with whether it is open.
    pub choices: Vec<(String, bool)>,
    pub selected: usize,
}

/// Every vault but the one on screen, open ones first, each once.
pub fn choices(model: &Model) -> Vec<(String, bool)> {
    let source = model.vault_label();
    let mut out: Vec<(String, bool)> = Vec::new();
    let open = model.vaults.iter().map(|s| (s.label.as_str(), true));
    let others = model
        .pinned_vaults
        .iter()
        .chain(&model.recent_vaults)
        .chain(&model.known_vaults)
        .map(|u| (u.as_str(), false));
    for (url, is_open) in open.chain(others) {
        if same_url(url, source) || out.iter().any(|(u, _)| same_url(u, url)) {
            continue;
        }
        out.push((url.to_owned(), is_open));
    }
    out
}

/// `c` in a list: choose the vault to compare with.
pub(crate) fn open(model: &mut Model) {
    let choices = choices(model);
    if choices.is_empty() {
        model.toast(
            "no other vault to compare with: open one first (v), or name several with --vault",
            true,
        );
        return;
    }
    model.overlays.push(Overlay::CompareWith(ChooseState {
        choices,
        selected: 0,
    }));
}

/// Arrows choose, Enter compares, Esc closes.
pub(crate) fn on_action(model: &mut Model, fx: &mut Vec<Effect>, action: Action) {
    let Some(Overlay::CompareWith(state)) = model.overlays.last_mut() else {
        return;
    };
    let n = state.choices.len().max(1);
    match action {
        Action::Down => state.selected = (state.selected + 1) % n,
        Action::Up => state.selected = (state.selected + n - 1) % n,
        Action::Confirm => {
            let target = state.choices.get(state.selected).map(|(u, _)| u.clone());
            model.overlays.pop();
            if let Some(target) = target {
                view::open(model, fx, target);
            }
        }
        Action::Cancel | Action::Back => {
            model.overlays.pop();
        }
        _ => {}
    }
}
