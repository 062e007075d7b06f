//! Confirmations and the deleted-name conflict dialog.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::status::hint_line;
use super::visible::visible;
use super::{Theme, clamp16, popup};
use crate::app::keymap::{Action, Mode};
use crate::app::{Confirm, Conflict, ConflictChoice, Freed, Model};

fn draw(
    frame: &mut Frame,
    title: &str,
    lines: Vec<Line<'_>>,
    danger: bool,
    theme: &Theme,
) -> ratatui::layout::Rect {
    let area = frame.area();
    let width = 70.min(area.width);
    let inner_w = width.saturating_sub(2).max(1) as usize;
    let height: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_w))
        .sum::<usize>()
        + 2;
    let rect = popup(area, width, height as u16);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(format!(" {title} "))
        .border_style(theme.border(danger));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
    rect
}

pub(super) fn render_confirm(frame: &mut Frame, model: &Model, c: &Confirm, theme: &Theme) {
    let mut lines: Vec<Line> = c.lines.iter().map(|l| Line::raw(visible(l))).collect();
    lines.push(Line::raw(""));
    let typed_row = c.type_to_confirm.as_ref().map(|word| {
        let ok = c.typed.value() == word;
        lines.push(Line::from(vec![
            Span::styled("> ", theme.accent()),
            Span::styled(
                visible(c.typed.value()),
                if ok { theme.ok() } else { theme.error() },
            ),
        ]));
        lines.push(Line::styled(
            hint_line(model, Mode::TypedConfirm),
            theme.dim(),
        ));
        lines.len() - 2
    });
    if typed_row.is_none() {
        lines.push(Line::styled(hint_line(model, Mode::Confirm), theme.dim()));
    }
    let rect = draw(frame, &visible(&c.title), lines, c.danger, theme);
    if let Some(row) = typed_row {
        let x = rect
            .x
            .saturating_add(3)
            .saturating_add(clamp16(c.typed.visual_cursor()));
        let y = rect.y.saturating_add(1).saturating_add(clamp16(row));
        if y < rect.bottom().saturating_sub(1) && x < rect.right().saturating_sub(1) {
            frame.set_cursor_position((x, y));
        }
    }
}

pub(super) fn render_conflict(frame: &mut Frame, model: &Model, c: &Conflict, theme: &Theme) {
    let key = |action| {
        model
            .keymap
            .key_for(Mode::Conflict, action)
            .map_or_else(String::new, |k| k.to_string())
    };
    let name = visible(c.name.as_str());
    let restoring = matches!(c.then, Freed::Restore(_));
    let blocked = if restoring {
        "so the backup cannot be restored onto it yet."
    } else {
        "so a new secret cannot take it yet."
    };
    let mut lines = vec![
        Line::raw(format!("{name} is deleted but recoverable.")),
        Line::raw("Key Vault keeps a deleted name until it is recovered or purged,"),
        Line::raw(blocked),
        Line::raw(""),
    ];
    for (i, choice) in ConflictChoice::ALL.iter().enumerate() {
        let (key, text) = match (choice, restoring) {
            (ConflictChoice::Recover, false) => (
                key(Action::Recover),
                "Recover it, then add the new value as a new version",
            ),
            (ConflictChoice::Recover, true) => (
                key(Action::Recover),
                "Recover it instead (the backup is not needed)",
            ),
            (ConflictChoice::Purge, false) => (key(Action::Purge), "Purge it and create it anew"),
            (ConflictChoice::Purge, true) => (key(Action::Purge), "Purge it and restore it"),
            (ConflictChoice::Cancel, _) => (key(Action::Cancel), "Cancel (back to the form)"),
        };
        let marker = if i == c.choice { "› " } else { "  " };
        let style = if i == c.choice {
            theme.selected()
        } else {
            ratatui::style::Style::new()
        };
        let mut spans = vec![
            Span::styled(marker, theme.accent()),
            Span::styled(format!("[{key}] {text}"), style),
        ];
        if *choice == ConflictChoice::Purge {
            spans.push(Span::styled(
                "  permanent: old versions are lost",
                theme.error(),
            ));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(hint_line(model, Mode::Conflict), theme.dim()));
    draw(
        frame,
        "Name in use by a deleted secret",
        lines,
        false,
        theme,
    );
}
