//! Drawing: one file per view. `render` reads the model; only scroll offsets
//! (kept in `UiState`) change while drawing.

mod across;
mod columns;
mod compare;
mod details;
mod dialog;
mod find;
mod form;
mod help;
mod list;
mod picker;
mod status;
mod theme;
pub mod visible;
mod welcome;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::app::{Model, Overlay};

pub use theme::Theme;

/// Scroll positions that follow the selection; owned by the run loop.
#[derive(Debug, Default, Clone)]
pub struct UiState {
    /// The first row on screen of each list, by `View::index`.
    pub list_offsets: [usize; crate::app::View::ALL.len()],
    /// Where the last frame drew the list's rows (empty when no list showed).
    pub list_rows: Rect,
    pub versions_offset: usize,
    /// Where each tab of the top line was drawn (columns), for clicks.
    pub tabs: Vec<(std::ops::Range<u16>, crate::app::View)>,
    /// Property lines of the details that the last frame cut.
    pub props_overflow: usize,
    /// Value lines (wrapped) of the details that the last frame cut.
    pub value_overflow: usize,
    /// The last click on a list row (when, which row), to tell a double-click.
    pub last_click: Option<(std::time::Instant, usize)>,
    /// How far the help or history box on screen can scroll.
    pub overlay_max: Option<usize>,
}

/// Draws the whole screen for the model.
pub fn render(frame: &mut Frame, model: &Model, state: &mut UiState) {
    let theme = Theme::new(model.color);
    state.list_rows = Rect::default();
    state.props_overflow = 0;
    state.value_overflow = 0;
    state.overlay_max = None;
    let filter_rows = u16::from(model.filter_input.is_some() && model.details.is_none());
    // A second line of key hints when they do not fit in one and the screen
    // has rows to spare.
    let area = frame.area();
    let hint_lines = status::hint_lines(model, area.width, if area.height >= 20 { 2 } else { 1 });
    let hint_rows = clamp16(hint_lines.len().max(1));
    let welcome_rows = u16::from(model.welcome.is_some() && model.details.is_none());
    let [tabs, body, filter, welcome_area, status_area, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(filter_rows),
        Constraint::Length(welcome_rows),
        Constraint::Length(1),
        Constraint::Length(hint_rows),
    ])
    .areas(frame.area());

    list::render_tabs(frame, tabs, model, state, &theme);
    match &model.details {
        Some(details) => match &details.compare {
            Some(c) => compare::render(frame, body, model, details, c, &theme),
            None => details::render(frame, body, model, details, state, &theme),
        },
        None => list::render(frame, body, model, state, &theme),
    }
    if filter_rows > 0 {
        list::render_filter(frame, filter, model, &theme);
    }
    if welcome_rows > 0 {
        welcome::render(frame, welcome_area, model, &theme);
    }
    status::render(frame, status_area, model, &theme);
    status::render_hints(frame, hints, hint_lines, &theme);

    // The compare view stays in the list's place under its dialogs and help.
    let compare = model.overlays.iter().rev().find_map(|o| match o {
        Overlay::VaultCompare(v) => Some(v),
        _ => None,
    });
    if let Some(view) = compare {
        across::render_compare(frame, body, model, view, &theme);
    }
    // Only the top overlay is drawn: a dialog over a form hides the form
    // rather than letting its edges show around the dialog.
    if let Some(overlay) = model.overlays.last() {
        match overlay {
            Overlay::Form(f) => form::render(frame, model, f, &theme),
            Overlay::Confirm(c) => dialog::render_confirm(frame, model, c, &theme),
            Overlay::Conflict(c) => dialog::render_conflict(frame, model, c, &theme),
            Overlay::Help { scroll } => {
                state.overlay_max = Some(help::render_help(frame, model, *scroll, &theme));
            }
            Overlay::Errors { scroll } => {
                state.overlay_max = Some(help::render_errors(frame, model, *scroll, &theme));
            }
            Overlay::Picker(state) => picker::render_picker(frame, model, state, &theme),
            Overlay::Find(state) => find::render_find(frame, model, state, &theme),
            Overlay::Access(panel) => help::render_access(frame, panel, &theme),
            Overlay::CompareWith(state) => across::render_choose(frame, model, state, &theme),
            Overlay::VaultCompare(_) => {}
            Overlay::CopyPlan(plan) => across::render_plan(frame, model, plan, &theme),
            Overlay::ExpiringAll(state) => across::render_expiring(frame, model, state, &theme),
        }
    }
}

/// The list row under screen line `y` (for mouse clicks), from where the
/// last frame drew the rows; `None` off the rows or under an overlay.
pub fn list_row_at(model: &Model, state: &UiState, y: u16) -> Option<usize> {
    let rows = state.list_rows;
    if !model.overlays.is_empty() || !(rows.y..rows.bottom()).contains(&y) {
        return None;
    }
    let index = state.list_offsets[model.view.index()] + usize::from(y - rows.y);
    (index < model.list().len()).then_some(index)
}

/// The tab under column `x` of the top line, for clicks; `None` under an
/// overlay.
pub fn tab_at(model: &Model, state: &UiState, x: u16, y: u16) -> Option<crate::app::View> {
    if !model.overlays.is_empty() || y != 0 {
        return None;
    }
    state
        .tabs
        .iter()
        .find(|(cols, _)| cols.contains(&x))
        .map(|(_, view)| *view)
}

/// Lines of the open details the last frame could not show, as the
/// message that tells `update` (properties, value).
pub fn details_overflow(state: &UiState) -> crate::app::Msg {
    crate::app::Msg::DetailsOverflow {
        props: state.props_overflow,
        value: state.value_overflow,
    }
}

/// How far the help or history on screen scrolls, when the model does not
/// know it yet: scrolling stops there, so no key is spent past the end.
pub fn overlay_max(state: &UiState, model: &crate::app::Model) -> Option<crate::app::Msg> {
    state
        .overlay_max
        .filter(|max| Some(*max) != model.overlay_max)
        .map(crate::app::Msg::OverlayMax)
}

/// The rows a page key should move: the list's height in the last frame.
pub fn page_rows(state: &UiState) -> Option<usize> {
    (state.list_rows.height > 0).then_some(usize::from(state.list_rows.height))
}

/// A count as a screen coordinate, saturating (a pasted 100 KB line must
/// not overflow the cursor position).
pub(crate) fn clamp16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// A centred box of at most `width` × `height` inside `area`.
pub(crate) fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Keeps `selected` inside a window of `height` rows starting at `offset`.
pub(crate) fn follow(offset: &mut usize, selected: usize, height: usize, len: usize) {
    if height == 0 {
        *offset = (*offset).min(len);
        return;
    }
    if selected < *offset {
        *offset = selected;
    } else if selected >= *offset + height {
        *offset = selected + 1 - height;
    }
    *offset = (*offset).min(len.saturating_sub(height));
}
