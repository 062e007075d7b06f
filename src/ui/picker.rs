//! The vault picker: groups of vaults (open, config and recent, discovered
//! by tenant and subscription), the filter typed, the chosen one marked.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::status::hint_line;
use super::visible::visible;
use super::{Theme, popup};
use crate::app::Model;
use crate::app::keymap::Mode;
use crate::app::picker::{PickerRow, PickerState, picker_rows};

pub(super) fn render_picker(frame: &mut Frame, model: &Model, state: &PickerState, theme: &Theme) {
    let rows = picker_rows(model, &state.filter);
    let mut choice = 0;
    let mut chosen_line = 0;
    let mut body = Vec::new();
    for row in &rows {
        let line = match row {
            PickerRow::Header(title) => Line::styled(visible(title).into_owned(), theme.accent()),
            PickerRow::Note(text) => Line::styled(format!("  {}", visible(text)), theme.warn()),
            PickerRow::Open { index, label } => {
                let current = if *index == model.active_vault {
                    " ●"
                } else {
                    ""
                };
                let local = if model.vaults[*index].is_local {
                    " (local)"
                } else {
                    ""
                };
                choice_line(
                    format!("{}{local}{current}", visible(label)),
                    choice == state.selected,
                    theme,
                )
            }
            PickerRow::Vault { url, detail } if !detail.is_empty() => {
                let mut line = choice_line(
                    format!("{:<24}", visible(detail)),
                    choice == state.selected,
                    theme,
                );
                line.push_span(Span::styled(format!(" {}", visible(url)), theme.dim()));
                line
            }
            PickerRow::Tenant {
                id, name, chosen, ..
            } => {
                let mark = if *chosen { " ● searched" } else { "" };
                let shown = if name == id {
                    visible(id).into_owned()
                } else {
                    format!("{}  {}", visible(name), visible(id))
                };
                choice_line(format!("{shown}{mark}"), choice == state.selected, theme)
            }
            PickerRow::Vault { url, .. } => {
                choice_line(visible(url).into_owned(), choice == state.selected, theme)
            }
        };
        if row.is_selectable() {
            if choice == state.selected {
                chosen_line = body.len();
            }
            choice += 1;
        }
        body.push(line);
    }
    if choice == 0 {
        body.push(Line::styled("  no vault matches the filter", theme.dim()));
    }
    let area = frame.area();
    let width = 100.min(area.width);
    // Filter line, body, blank, hints, borders.
    let room = area.height.saturating_sub(2).max(6) as usize;
    let body_room = room.saturating_sub(5).max(1);
    let start = chosen_line.saturating_sub(body_room.saturating_sub(1));
    let shown: Vec<Line> = body.into_iter().skip(start).take(body_room).collect();
    let mut lines = vec![Line::from(vec![
        Span::styled("Type to filter: ", theme.dim()),
        Span::raw(visible(&state.filter).into_owned()),
        Span::styled("▏", theme.accent()),
    ])];
    lines.extend(shown);
    lines.push(Line::raw(""));
    lines.push(Line::styled(hint_line(model, Mode::Picker), theme.dim()));
    let height = (lines.len() + 2) as u16;
    let rect = popup(area, width, height);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(" Vaults ")
        .border_style(theme.border(false));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

fn choice_line(text: String, chosen: bool, theme: &Theme) -> Line<'static> {
    let (marker, style) = if chosen {
        ("› ", theme.selected())
    } else {
        ("  ", ratatui::style::Style::new())
    };
    Line::from(vec![
        Span::styled(marker, theme.accent()),
        Span::styled(text, style),
    ])
}
