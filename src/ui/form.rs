//! A form over the list: one line per field, its error or note beneath, the
//! vault's refusal at the bottom. The value field is masked.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::{Theme, clamp16, popup};
use crate::app::Model;
use crate::app::form::{FieldKind, Form};
use crate::app::keymap::{Action, Mode};

const LABEL_W: usize = 14;

/// What a field shows: the value masked, with its line count.
fn shown(kind: FieldKind, value: &str) -> String {
    if kind == FieldKind::Value {
        let lines = value.lines().count().max(1);
        let dots = "•".repeat(value.chars().filter(|c| *c != '\n').count().min(40));
        if lines > 1 {
            format!("{dots} ({lines} lines)")
        } else {
            dots
        }
    } else {
        value.to_owned()
    }
}

/// `Ctrl-S submit · Tab next field · Esc cancel`, from the keymap.
pub(super) fn hint(model: &Model, mode: Mode, actions: &[(Action, &str)]) -> String {
    actions
        .iter()
        .filter_map(|(a, label)| {
            model
                .keymap
                .key_for(mode, *a)
                .map(|k| format!("{k} {label}"))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

pub(super) fn render(frame: &mut Frame, model: &Model, form: &Form, theme: &Theme) {
    let mut lines = Vec::new();
    let mut cursor = None;
    for (i, f) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let label_style = if focused {
            theme.accent()
        } else {
            theme.label()
        };
        let marker = if focused { "›" } else { " " };
        let text = shown(f.kind, f.value());
        if focused {
            let col = if f.kind == FieldKind::Value {
                text.chars().count()
            } else {
                f.input.visual_cursor()
            };
            cursor = Some((lines.len(), LABEL_W + 2 + col));
        }
        let mut spans = vec![
            Span::styled(marker, theme.accent()),
            Span::styled(format!("{:<LABEL_W$} ", f.label), label_style),
            Span::styled(
                text,
                if focused {
                    Style::new()
                } else {
                    theme.dim().remove_modifier(ratatui::style::Modifier::DIM)
                },
            ),
        ];
        if f.kind == FieldKind::Flag && focused {
            spans.push(Span::styled("  (Space toggles)", theme.dim()));
        }
        if f.kind == FieldKind::Date && focused && f.value().is_empty() {
            spans.push(Span::styled(
                "YYYY-MM-DD, YYYY-MM-DDTHH:MM or +90d",
                theme.dim(),
            ));
        }
        lines.push(Line::from(spans));
        if let Some(err) = &f.error {
            lines.push(Line::styled(format!("   ✗ {err}"), theme.error()));
        } else if let Some(note) = &f.note {
            lines.push(Line::styled(format!("   ! {note}"), theme.warn()));
        }
    }
    lines.push(Line::raw(""));
    if form.reading_file {
        lines.push(Line::styled("reading the value file…", theme.dim()));
    } else if form.submitting.is_some() {
        lines.push(Line::styled("saving…", theme.dim()));
    } else if let Some(err) = &form.error {
        lines.push(Line::styled(format!("✗ {err}"), theme.error()));
    }
    lines.push(Line::styled(
        hint(
            model,
            Mode::Form,
            &[
                (Action::Submit, "submit"),
                (Action::NextField, "next"),
                (Action::PrevField, "previous"),
                (Action::Cancel, "cancel"),
            ],
        ),
        theme.dim(),
    ));
    let area = frame.area();
    let width = 76.min(area.width);
    let inner_w = width.saturating_sub(2).max(1) as usize;
    let height: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_w))
        .sum::<usize>()
        + 2;
    let rect = popup(area, width, height as u16);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(format!(" {} ", form.title()))
        .border_style(theme.border(false));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
    if let Some((row, col)) = cursor {
        let inner = Rect {
            x: rect.x + 1,
            y: rect.y + 1,
            width: rect.width.saturating_sub(2),
            height: rect.height.saturating_sub(2),
        };
        let x = inner
            .x
            .saturating_add(clamp16(col))
            .min(inner.right().saturating_sub(1));
        let y = inner.y.saturating_add(clamp16(row));
        if y < inner.bottom() {
            frame.set_cursor_position((x, y));
        }
    }
}
