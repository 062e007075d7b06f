//! The compare view: one row per name with its state and what differs,
//! filtered by state, marked for a copy; `Enter` shows both sides' properties.

use std::collections::BTreeSet;

use super::AcrossJob;
use crate::across::compare::{Row, State, counts, summary};
use crate::app::effect::Effect;
use crate::app::keymap::Action;
use crate::app::model::{Model, Overlay};
use crate::vault::{ErrorKind, ReqId, SecretName, VaultError};

/// A copy under way: its job and how many steps it carries out.
#[derive(Debug, Clone)]
pub struct Copying {
    pub id: ReqId,
    pub total: usize,
}

/// Both sides' values of the selected row, asked for with `s`: the texts live
/// in the diff (`SecretString`s, zeroized when dropped), which is dropped as
/// soon as the selection moves or the view closes.
#[derive(Debug, Clone)]
pub struct ValueShown {
    pub id: ReqId,
    pub name: SecretName,
    /// `None` while both are being read.
    pub view: Option<crate::app::details::compare::ValueView>,
    pub error: Option<String>,
}

/// Two vaults side by side.
#[derive(Debug, Clone)]
pub struct VaultCompare {
    /// The vault on screen when `c` was pressed, and the one chosen.
    pub source: String,
    pub target: String,
    /// The comparison still running.
    pub job: Option<ReqId>,
    /// Its last progress line.
    pub progress: Option<String>,
    /// Values are compared (hashed and dropped); off once a read was refused.
    pub values: bool,
    /// Why values are not compared, when they are not.
    pub note: Option<String>,
    /// Why the last comparison failed.
    pub failure: Option<String>,
    pub rows: Vec<Row>,
    /// Only rows of this state, when set.
    pub filter: Option<State>,
    /// Position among the visible rows.
    pub selected: usize,
    /// Source names marked for a copy.
    pub marked: BTreeSet<SecretName>,
    /// Both sides' properties of the selected row are shown.
    pub props_open: bool,
    /// The selected row's values, when asked for (`s`).
    pub value: Option<ValueShown>,
    pub copying: Option<Copying>,
}

impl VaultCompare {
    pub fn new(source: String, target: String) -> Self {
        Self {
            source,
            target,
            job: None,
            progress: None,
            values: true,
            note: None,
            failure: None,
            rows: Vec::new(),
            filter: None,
            selected: 0,
            marked: BTreeSet::new(),
            props_open: false,
            value: None,
            copying: None,
        }
    }

    /// Indices into `rows` the filter shows.
    pub fn visible(&self) -> Vec<usize> {
        (0..self.rows.len())
            .filter(|i| self.filter.is_none_or(|s| self.rows[*i].state == s))
            .collect()
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.visible().get(self.selected).map(|i| &self.rows[*i])
    }

    /// `3 same, 2 differ, ...`, or where the comparison stands.
    pub fn summary(&self) -> String {
        summary(&self.rows)
    }

    /// A finished comparison: rows replaced, marks kept for names still there.
    pub(super) fn compared(&mut self, rows: Vec<Row>) {
        let keep = self.selected_row().map(|r| r.name.clone());
        self.rows = rows;
        self.job = None;
        self.progress = None;
        self.failure = None;
        self.value = None;
        self.marked
            .retain(|n| self.rows.iter().any(|r| &r.name == n && r.source.is_some()));
        if self
            .filter
            .is_some_and(|f| !self.rows.iter().any(|r| r.state == f))
        {
            self.filter = None;
        }
        let visible = self.visible();
        self.selected = keep
            .and_then(|k| visible.iter().position(|i| self.rows[*i].name == k))
            .unwrap_or(0)
            .min(visible.len().saturating_sub(1));
    }

    /// The filters `f` cycles through: all, then each state that occurs.
    fn next_filter(&self) -> Option<State> {
        let present: Vec<State> = counts(&self.rows)
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, _)| s)
            .collect();
        match self.filter {
            None => present.first().copied(),
            Some(f) => {
                let at = present.iter().position(|s| *s == f);
                at.and_then(|i| present.get(i + 1)).copied()
            }
        }
    }

    fn nav(&mut self, by: isize) {
        self.value = None;
        let n = self.visible().len();
        if n == 0 {
            self.selected = 0;
            return;
        }
        let at = self.selected as isize;
        self.selected = at.saturating_add(by).clamp(0, n as isize - 1) as usize;
    }
}

/// The compare view, wherever it is in the overlay stack.
pub(crate) fn open_view(model: &mut Model) -> Option<&mut VaultCompare> {
    model.overlays.iter_mut().rev().find_map(|o| match o {
        Overlay::VaultCompare(v) => Some(v),
        _ => None,
    })
}

/// Opens the compare view of the vault on screen against `target` and starts
/// the comparison.
pub(crate) fn open(model: &mut Model, fx: &mut Vec<Effect>, target: String) {
    let source = model.vault_label().to_owned();
    model
        .overlays
        .push(Overlay::VaultCompare(VaultCompare::new(source, target)));
    start(model, fx);
}

/// (Re)runs the comparison of the open view.
pub(crate) fn start(model: &mut Model, fx: &mut Vec<Effect>) {
    let id = model.fresh_id();
    let Some(view) = open_view(model) else {
        return;
    };
    view.job = Some(id);
    view.progress = Some("listing both vaults…".into());
    fx.push(Effect::Across(AcrossJob::Compare {
        id,
        source: view.source.clone(),
        target: view.target.clone(),
        values: view.values,
    }));
}

/// A comparison that failed: a refused value read compares properties alone
/// (as `--metadata-only` does); anything else is said and kept in the history.
pub(super) fn failed(model: &mut Model, fx: &mut Vec<Effect>, id: ReqId, error: VaultError) {
    let Some(view) = open_view(model) else {
        return;
    };
    if view.copying.as_ref().is_some_and(|c| c.id == id) {
        view.copying = None;
        let what = format!("copy to {}", view.target);
        model.record_error(what, error);
        return;
    }
    view.job = None;
    view.progress = None;
    if view.values && error.kind == ErrorKind::Forbidden {
        view.values = false;
        view.note =
            Some("values not compared: reading them was refused (get); properties only".into());
        start(model, fx);
        return;
    }
    view.failure = Some(error.message.clone());
    let what = format!("compare {} with {}", view.source, view.target);
    model.record_error(what, error);
}

/// Keys in the compare view.
pub(crate) fn on_action(model: &mut Model, fx: &mut Vec<Effect>, action: Action) {
    let page = model.page_rows as isize;
    let Some(view) = open_view(model) else {
        return;
    };
    match action {
        Action::Down => view.nav(1),
        Action::Up => view.nav(-1),
        Action::PageDown => view.nav(page),
        Action::PageUp => view.nav(-page),
        Action::Top => view.nav(isize::MIN / 2),
        Action::Bottom => view.nav(isize::MAX / 2),
        Action::Mark => {
            if let Some(row) = view.selected_row().filter(|r| r.source.is_some()) {
                let name = row.name.clone();
                if !view.marked.remove(&name) {
                    view.marked.insert(name);
                }
            }
            view.nav(1);
        }
        Action::MarkAll => {
            let names: Vec<SecretName> = view
                .visible()
                .into_iter()
                .map(|i| &view.rows[i])
                .filter(|r| r.source.is_some())
                .map(|r| r.name.clone())
                .collect();
            view.marked.extend(names);
        }
        Action::ClearMarks => view.marked.clear(),
        Action::Filter => {
            view.filter = view.next_filter();
            view.selected = 0;
            view.value = None;
        }
        Action::Details => {
            view.props_open = !view.props_open;
            view.value = None;
        }
        Action::ShowValue if view.value.is_some() => view.value = None,
        Action::ShowValue => show_values(model, fx),
        Action::CopyAcross => super::copy::open_plan(model),
        Action::Refresh if view.job.is_none() && view.copying.is_none() => start(model, fx),
        Action::Back if view.props_open => {
            view.props_open = false;
            view.value = None;
        }
        Action::Back => {
            // A comparison or copy still running ends unseen; its results are
            // dropped (a copy's outcome still reaches the history).
            if view.copying.is_none() {
                model
                    .overlays
                    .retain(|o| !matches!(o, Overlay::VaultCompare(_)));
            } else {
                model.toast("a copy is running: wait for its summary", true);
            }
        }
        _ => {}
    }
}

/// `s`: reads the selected row's value on both sides and shows their diff
/// under the two sides' properties; only a row both vaults hold has two.
fn show_values(model: &mut Model, fx: &mut Vec<Effect>) {
    let id = model.fresh_id();
    let Some(view) = open_view(model) else {
        return;
    };
    let Some(row) = view
        .selected_row()
        .filter(|r| r.source.is_some() && r.target.is_some())
    else {
        model.toast(
            "the values compare only where both vaults hold the name",
            true,
        );
        return;
    };
    let (name, target_name) = (row.name.clone(), row.target_name.clone());
    view.props_open = true;
    view.value = Some(ValueShown {
        id,
        name: name.clone(),
        view: None,
        error: None,
    });
    fx.push(Effect::Across(AcrossJob::Values {
        id,
        source: view.source.clone(),
        target: view.target.clone(),
        name,
        target_name,
    }));
}
