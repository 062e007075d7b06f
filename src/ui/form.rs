//! A form over the list: one line per field, its error or note beneath, the
//! vault's refusal at the bottom. The value field is masked.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::status::hint_line;
use super::{Theme, clamp16, popup, visible};
use crate::app::Model;
use crate::app::forms::editor::ValueEditor;
use crate::app::forms::form::{Field, FieldKind, FieldText, Form, date_hint};
use crate::app::forms::tag_text::TAGS_HINT;
use crate::app::keymap::{Action, Mode};

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

/// The part of a one-line input that fits in `width` columns around the
/// cursor (at display column `cursor`), `…` where it is cut, and the
/// cursor's column within it: a long line scrolls sideways, never wraps.
fn line_window(text: &str, cursor: usize, width: usize) -> (String, usize) {
    let cells: Vec<(char, usize)> = text
        .chars()
        .map(|c| (c, visible::width(c.encode_utf8(&mut [0; 4]))))
        .collect();
    let total: usize = cells.iter().map(|(_, w)| w).sum();
    if total < width {
        return (text.to_owned(), cursor);
    }
    // The first cell shown: far enough that the cursor fits before the edge.
    let mut skip = 0;
    let mut before = cursor;
    while before + 2 > width && skip < cells.len() {
        before -= cells[skip].1.min(before);
        skip += 1;
    }
    let mut out = String::new();
    let mut used = 0;
    if skip > 0 {
        out.push('…');
        used += 1;
        // The `…` takes the first shown cell's place.
        if let Some((_, w)) = cells.get(skip) {
            before = before.saturating_sub(*w).saturating_add(1);
            skip += 1;
        }
    }
    let rest: usize = cells[skip.min(cells.len())..].iter().map(|(_, w)| w).sum();
    for &(c, w) in &cells[skip.min(cells.len())..] {
        if used + w + usize::from(used + rest > width) > width {
            out.push('…');
            break;
        }
        out.push(c);
        used += w;
    }
    (out, before.min(width.saturating_sub(1)))
}

/// A one-line field as drawn: characters a terminal would hide get their
/// stand-ins (as in details), and the cursor's display column among them.
fn drawn_line(f: &Field) -> (String, usize) {
    let cursor = match &f.text {
        FieldText::Line(input) => input.cursor(),
        _ => f.value().chars().count(),
    };
    let mut text = String::new();
    let mut at = 0;
    for (i, c) in f.value().chars().enumerate() {
        let piece = visible::stand_in(c).unwrap_or_else(|| c.to_string());
        if i < cursor {
            at += visible::width(&piece);
        }
        text.push_str(&piece);
    }
    (text, at)
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
        // Saved as typed, and a token or password rarely wants one.
        if editor.text().ends_with('\n') {
            spans.push(Span::styled(" · ends with a line break ␊", theme.warn()));
        }
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
        let width = if focused { value_w } else { value_w.min(60) };
        let (text, at) = drawn_line(f);
        let (shown, cursor_x) = line_window(&text, at, width.max(2));
        out.cursor = focused.then_some((0, LABEL_W + 2 + cursor_x));
        let mut spans = vec![marker, label, Span::styled(shown, value_style)];
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
    let mut body = Vec::new();
    let mut cursor = None;
    for (i, f) in form.fields.iter().enumerate() {
        let field = field_lines(model, f, i == form.focus, value_w, theme);
        if let Some((row, col)) = field.cursor {
            cursor = Some((body.len() + row, col));
        }
        body.extend(field.lines);
    }
    let mut footer = vec![Line::raw("")];
    if form.reading_file {
        footer.push(Line::styled("reading the value file…", theme.dim()));
    } else if form.submitting.is_some() {
        footer.push(Line::styled("saving…", theme.dim()));
    } else if let Some(err) = &form.error {
        footer.push(Line::styled(format!("✗ {err}"), theme.error()));
    }
    footer.push(Line::styled(hint_line(model, Mode::Form), theme.dim()));
    draw_box(
        frame,
        &form.title(),
        FormLines { body, footer },
        width,
        cursor,
        theme,
    );
}

/// A form's fields, which scroll, and what stays at its bottom (the save
/// state or refusal, and the key hints).
struct FormLines<'a> {
    body: Vec<Line<'a>>,
    footer: Vec<Line<'a>>,
}

/// Rows `line` takes once wrapped to `width`.
fn rows_of(line: &Line<'_>, width: usize) -> usize {
    line.width().max(1).div_ceil(width.max(1))
}

/// The first body line to draw so that line `cursor` shows in `room` rows.
fn scroll_to(body: &[Line<'_>], width: usize, cursor: usize, room: usize) -> usize {
    let mut first = 0;
    let rows = |from: usize| -> usize {
        body[from..=cursor.min(body.len().saturating_sub(1))]
            .iter()
            .map(|l| rows_of(l, width))
            .sum()
    };
    while first < cursor && rows(first) > room {
        first += 1;
    }
    first
}

/// The form's bordered box, as tall as its wrapped lines or the screen.
/// When the fields do not fit they scroll to keep the cursor in view, and
/// the footer (refusal, key hints) stays at the bottom; the cursor is put
/// at `(row, column)` of the body.
fn draw_box(
    frame: &mut Frame,
    title: &str,
    lines: FormLines<'_>,
    width: u16,
    cursor: Option<(usize, usize)>,
    theme: &Theme,
) {
    let inner_w = width.saturating_sub(2).max(1) as usize;
    let body_rows: usize = lines.body.iter().map(|l| rows_of(l, inner_w)).sum();
    let footer_rows: usize = lines.footer.iter().map(|l| rows_of(l, inner_w)).sum();
    let rect = popup(frame.area(), width, clamp16(body_rows + footer_rows + 2));
    frame.render_widget(Clear, rect);
    let inner_h = usize::from(rect.height.saturating_sub(2));
    // The footer keeps its rows (down to one, the hints) before the fields.
    let footer_rows = footer_rows.min(inner_h.saturating_sub(1).max(1));
    let room = inner_h.saturating_sub(footer_rows);
    let cursor_line = cursor.map_or(0, |(row, _)| row);
    let first = if body_rows > room {
        scroll_to(&lines.body, inner_w, cursor_line, room)
    } else {
        0
    };
    let shown_rows: usize = lines.body[first..]
        .iter()
        .map(|l| rows_of(l, inner_w))
        .sum();
    let mut block = Block::bordered()
        .title(format!(" {title} "))
        .border_style(theme.border(false));
    if first > 0 || shown_rows > room {
        let more = match (first > 0, shown_rows > room) {
            (true, true) => " ↑↓ more fields ",
            (true, false) => " ↑ more fields ",
            _ => " ↓ more fields ",
        };
        block = block.title_bottom(Line::styled(more, theme.dim()).right_aligned());
    }
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let body_area = ratatui::layout::Rect {
        height: clamp16(room),
        ..inner
    };
    let footer_area = ratatui::layout::Rect {
        y: inner.y.saturating_add(clamp16(room)),
        height: clamp16(footer_rows),
        ..inner
    };
    // The cursor's screen row: the wrapped rows of the lines above it.
    let cursor_y: usize = lines
        .body
        .iter()
        .take(cursor_line)
        .skip(first)
        .map(|l| rows_of(l, inner_w))
        .sum();
    let body: Vec<Line> = lines.body.into_iter().skip(first).collect();
    frame.render_widget(Paragraph::new(body).wrap(Wrap { trim: false }), body_area);
    // The hints are the footer's last line: they show even when it is cut.
    let skip = lines.footer.len().saturating_sub(footer_rows);
    let footer: Vec<Line> = lines.footer.into_iter().skip(skip).collect();
    frame.render_widget(
        Paragraph::new(footer).wrap(Wrap { trim: false }),
        footer_area,
    );
    let Some((_, col)) = cursor else {
        return;
    };
    let x = inner
        .x
        .saturating_add(clamp16(col))
        .min(inner.right().saturating_sub(1));
    let y = body_area.y.saturating_add(clamp16(cursor_y));
    if y < body_area.bottom() {
        frame.set_cursor_position((x, y));
    }
}
