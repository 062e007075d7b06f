//! Find everywhere (`F`): the query, then each matching secret with its vault
//! and why it matched.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::status::hint_line;
use super::visible::visible;
use super::{Theme, popup};
use crate::app::Model;
use crate::app::find::{FindState, find_rows};
use crate::app::keymap::Mode;

pub(super) fn render_find(frame: &mut Frame, model: &Model, state: &FindState, theme: &Theme) {
    let rows = find_rows(model, &state.query);
    let area = frame.area();
    let width = 110.min(area.width);
    let room = area.height.saturating_sub(2).max(6) as usize;
    let body_room = room.saturating_sub(5).max(1);
    let start = state.selected.saturating_sub(body_room.saturating_sub(1));
    let name_w = (width as usize / 3).max(12);
    let mut lines = vec![Line::from(vec![
        Span::styled("Find in every open, pinned and recent vault: ", theme.dim()),
        Span::raw(visible(&state.query).into_owned()),
        Span::styled("▏", theme.accent()),
    ])];
    for (i, row) in rows.iter().enumerate().skip(start).take(body_room) {
        let chosen = i == state.selected;
        let (marker, style) = if chosen {
            ("› ", theme.selected())
        } else {
            ("  ", ratatui::style::Style::new())
        };
        lines.push(Line::from(vec![
            Span::styled(marker, theme.accent()),
            Span::styled(format!("{:<name_w$} ", visible(&row.name)), style),
            Span::styled(format!("{:<28} ", visible(&row.why)), theme.dim()),
            Span::styled(visible(&row.vault).into_owned(), theme.dim()),
        ]));
    }
    if rows.is_empty() {
        lines.push(Line::styled(
            "  no secret in an open or cached vault matches",
            theme.dim(),
        ));
    }
    if state.waiting {
        lines.push(Line::styled(
            "  reading the list caches of the pinned and recent vaults…",
            theme.dim(),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(hint_line(model, Mode::Picker), theme.dim()));
    let height = (lines.len() + 2) as u16;
    let rect = popup(area, width, height);
    frame.render_widget(Clear, rect);
    let title = format!(" Find everywhere ({}) ", rows.len());
    let block = Block::bordered()
        .title(title)
        .border_style(theme.border(false));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
