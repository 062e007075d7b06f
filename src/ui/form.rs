//! A form over the list: one line per field, its error or note beneath, the
//! vault's refusal at the bottom. The value field is masked.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::status::hint_line;
use super::{Theme, clamp16, popup, visible};
use crate::app::Model;
use crate::app::editor::ValueEditor;
use crate::app::form::{Field, FieldKind, FieldText, Form, date_hint};
use crate::app::keymap::{Action, Mode};
use crate::app::tag_text::TAGS_HINT;

const LABEL_W: usize = 14;
/// The form's widest, border included.
const FORM_W: u16 = 76;

/// Rows of the value editor shown at once; it scrolls to keep the cursor in.
const VALUE_ROWS: usize = 6;

/// How one character of a typed value is drawn: masked as a dot, or shown
/// with tabs and other hidden characters made visible.
fn cell(c: char, revealed: bool) -> String {
    if revealed {
        visible::stand_in(c).unwrap_or_else(|| c.to_string())
    } else {
        "•".to_owned()
    }
}

/// The value editor's rows: the lines around the cursor, each cut to `width`
/// columns (the cursor's line scrolled sideways to keep the cursor in view),
/// and the cursor's place among them.
fn value_rows(editor: &ValueEditor, width: usize) -> (Vec<String>, (usize, usize)) {
    let (line, col) = editor.cursor_line_col();
    let width = width.max(2);
    let first = line.saturating_sub(VALUE_ROWS - 1);
    let mut cursor_x = 0;
    let rows = editor
        .text()
        .split('\n')
        .enumerate()
        .skip(first)
        .take(VALUE_ROWS)
        .map(|(i, text)| {
            // Trailing spaces are shown as `␣` once revealed, so they can be seen.
            let kept = text.trim_end_matches(' ').chars().count();
            let cells: Vec<String> = text
                .chars()
                .enumerate()
                .map(|(i, c)| match c {
                    ' ' if editor.revealed && i >= kept => "␣".to_owned(),
                    c => cell(c, editor.revealed),
                })
                .collect();
            let mut skip = 0;
            if i == line {
                let mut before: usize = cells[..col].iter().map(|c| visible::width(c)).sum();
                while before >= width && skip < col {
                    before -= visible::width(&cells[skip]);
                    skip += 1;
                }
                cursor_x = before;
            }
            let shown = &cells[skip..];
            let total: usize = shown.iter().map(|c| visible::width(c)).sum();
            let room = if total > width { width - 1 } else { width };
            let mut row = String::new();
            let mut used = 0;
            for c in shown {
                used += visible::width(c);
                if used > room {
                    break;
                }
                row.push_str(c);
            }
            if total > width {
                row.push('…');
            }
            row
        })
        .collect();
    (rows, (line - first, cursor_x.min(width - 1)))
}

/// The value's summary beside its label: lines, size, and whether it shows.
fn value_summary(editor: &ValueEditor) -> String {
    if editor.is_empty() {
        return "empty".to_owned();
    }
    let lines = editor.line_count();
    let bytes = editor.text().len();
    format!(
        "{lines} line{} · {bytes} byte{} · {}",
        if lines == 1 { "" } else { "s" },
        if bytes == 1 { "" } else { "s" },
        if editor.revealed { "shown" } else { "masked" }
    )
}

/// A field's error (red) or note (yellow), on the line below it.
fn push_messages(lines: &mut Vec<Line<'_>>, f: &Field, theme: &Theme) {
    if let Some(err) = &f.error {
        lines.push(Line::styled(format!("   ✗ {err}"), theme.error()));
    } else if let Some(note) = &f.note {
        lines.push(Line::styled(format!("   ! {note}"), theme.warn()));
    }
}

/// The lines of one field, and where its cursor goes when it has focus.
struct FieldLines<'a> {
    lines: Vec<Line<'a>>,
    cursor: Option<(usize, usize)>,
}

/// Draws one field: its label line, the value editor's rows below it or the
/// one-line input, its hints when focused, and its error or note.
fn field_lines<'a>(
    model: &Model,
    f: &'a Field,
    focused: bool,
    value_w: usize,
    theme: &Theme,
) -> FieldLines<'a> {
    let label_style = if focused {
        theme.accent()
    } else {
        theme.label()
    };
    let value_style = if focused {
        Style::new()
    } else {
        theme.dim().remove_modifier(ratatui::style::Modifier::DIM)
    };
    let marker = Span::styled(if focused { "›" } else { " " }, theme.accent());
    let label = Span::styled(format!("{:<LABEL_W$} ", f.label()), label_style);
    let mut out = FieldLines {
        lines: Vec::new(),
        cursor: None,
    };
    if let FieldText::Lines(editor) = &f.text {
        let mut spans = vec![
            marker,
            label,
            Span::styled(value_summary(editor), theme.dim()),
        ];
        if focused && let Some(reveal) = model.keymap.key_for(Mode::Form, Action::RevealValue) {
            spans.push(Span::styled(
                format!("  ({reveal} shows/hides)"),
                theme.dim(),
            ));
        }
        out.lines.push(Line::from(spans));
        let (rows, (row, col)) = value_rows(editor, value_w);
        out.cursor = focused.then_some((1 + row, LABEL_W + 2 + col));
        for text in rows {
            out.lines.push(Line::from(vec![
                Span::raw(" ".repeat(LABEL_W + 2)),
                Span::styled(text, value_style),
            ]));
        }
    } else {
        out.cursor = focused.then_some((0, LABEL_W + 2 + f.cursor()));
        let mut spans = vec![marker, label, Span::styled(f.value(), value_style)];
        if focused && f.kind == FieldKind::Flag {
            spans.push(Span::styled("  (Space toggles)", theme.dim()));
        }
        out.lines.push(Line::from(spans));
        // The syntax comes before any error, so the forms are known first.
        let syntax = match f.kind {
            FieldKind::Tags => Some(TAGS_HINT.to_owned()),
            FieldKind::Date => Some(date_hint(&model.zone)),
            _ => None,
        };
        if let (true, Some(syntax)) = (focused, syntax) {
            out.lines
                .push(Line::styled(format!("   {syntax}"), theme.dim()));
        }
    }
    push_messages(&mut out.lines, f, theme);
    out
}

pub(super) fn render(frame: &mut Frame, model: &Model, form: &Form, theme: &Theme) {
    let area = frame.area();
    let width = FORM_W.min(area.width);
    let value_w = usize::from(width.saturating_sub(2)).saturating_sub(LABEL_W + 2);
    let mut lines = Vec::new();
    let mut cursor = None;
    for (i, f) in form.fields.iter().enumerate() {
        let field = field_lines(model, f, i == form.focus, value_w, theme);
        if let Some((row, col)) = field.cursor {
            cursor = Some((lines.len() + row, col));
        }
        lines.extend(field.lines);
    }
    lines.push(Line::raw(""));
    if form.reading_file {
        lines.push(Line::styled("reading the value file…", theme.dim()));
    } else if form.submitting.is_some() {
        lines.push(Line::styled("saving…", theme.dim()));
    } else if let Some(err) = &form.error {
        lines.push(Line::styled(format!("✗ {err}"), theme.error()));
    }
    lines.push(Line::styled(hint_line(model, Mode::Form), theme.dim()));
    draw_box(frame, &form.title(), lines, width, cursor, theme);
}

/// The form's bordered box, as tall as its wrapped lines, with the cursor
/// placed at `(row, column)` inside it.
fn draw_box(
    frame: &mut Frame,
    title: &str,
    lines: Vec<Line<'_>>,
    width: u16,
    cursor: Option<(usize, usize)>,
    theme: &Theme,
) {
    let inner_w = width.saturating_sub(2).max(1) as usize;
    let height: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_w))
        .sum::<usize>()
        + 2;
    let rect = popup(frame.area(), width, clamp16(height));
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(format!(" {title} "))
        .border_style(theme.border(false));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
    let Some((row, col)) = cursor else {
        return;
    };
    let inner = rect.inner(ratatui::layout::Margin::new(1, 1));
    let x = inner
        .x
        .saturating_add(clamp16(col))
        .min(inner.right().saturating_sub(1));
    let y = inner.y.saturating_add(clamp16(row));
    if y < inner.bottom() {
        frame.set_cursor_position((x, y));
    }
}
