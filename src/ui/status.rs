//! The status bar (vault, loading, counts, last refresh, last message) and a
//! line of key hints drawn from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use ratatui::style::Style;

use super::visible::{ellipsis, visible, width as text_width};
use crate::app::Model;
use crate::app::keymap::Mode;

const SPINNER: [&str; 4] = ["⠋", "⠙", "⠸", "⠴"];

/// The message first; then what is loading, the counts, the vault (cut
/// with `…` to fit) and the last refresh, each left out when the line is full.
pub(super) fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let width = usize::from(area.width);
    let mut spans = Vec::new();
    let mut used = 0;
    if let Some(bulk) = &model.bulk {
        let text = format!(
            "{} {}",
            SPINNER[model.spinner % SPINNER.len()],
            bulk.progress()
        );
        let text = ellipsis(&text, width).into_owned();
        used += text_width(&text);
        spans.push(Span::styled(text, theme.accent()));
    }
    if let Some(toast) = &model.toast {
        if used > 0 {
            used += 3;
            spans.push(Span::raw(" · "));
        }
        let style = if toast.is_error {
            theme.error()
        } else {
            theme.ok()
        };
        let text = ellipsis(&visible(&toast.text), width.saturating_sub(used)).into_owned();
        used += text_width(&text);
        spans.push(Span::styled(text, style));
    }
    let sep = |used: usize| if used == 0 { "" } else { " · " };
    let push = |spans: &mut Vec<Span<'static>>, used: &mut usize, text: String, style| {
        let piece = format!("{}{text}", sep(*used));
        if *used + text_width(&piece) <= width {
            *used += text_width(&piece);
            spans.push(Span::styled(piece, style));
        }
    };
    if model.is_loading() {
        let progress = model.progress.as_deref().unwrap_or("loading…");
        let text = format!("{} {progress}", SPINNER[model.spinner % SPINNER.len()]);
        push(&mut spans, &mut used, text, theme.accent());
    }
    let hidden = model.secrets().hidden_managed();
    let hidden = if hidden > 0 {
        format!(" ({hidden} of certificates hidden, C shows)")
    } else {
        String::new()
    };
    let counts = format!(
        "{}{hidden} · {} deleted",
        plural(model.secrets().items.len(), "secret"),
        model.deleted().items.len()
    );
    push(&mut spans, &mut used, counts, Style::new());
    let local = if model.is_local() {
        " (local vault)"
    } else {
        ""
    };
    let room = width.saturating_sub(used + sep(used).len() + local.len());
    if room >= 8 {
        let label = ellipsis(&visible(model.vault_label()), room).into_owned();
        push(
            &mut spans,
            &mut used,
            format!("{label}{local}"),
            theme.accent(),
        );
    }
    if let Some(at) = model.last_refresh() {
        let text = format!("↻ {}", model.zone.time(at));
        push(&mut spans, &mut used, text, theme.dim());
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// `1 secret`, `2 secrets`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The key hint lines (from `hint_lines`), keys accented.
pub(super) fn render_hints(frame: &mut Frame, area: Rect, lines: Vec<String>, theme: &Theme) {
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| Line::from(styled_hints(&l, theme)))
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// The key hints of the mode in use, from the keymap's `hint`s, leaving
/// out what would do nothing here, laid out in at most `rows` lines of
/// `width` (a second only when one is not enough). Dialogs and forms carry
/// their own.
pub(super) fn hint_lines(model: &Model, width: u16, rows: u16) -> Vec<String> {
    let mode = model.mode();
    let text = match mode {
        Mode::Form | Mode::Confirm | Mode::TypedConfirm | Mode::Conflict | Mode::Picker => {
            String::new()
        }
        Mode::Filter => format!(
            "type to filter ('exact ^start end$ !not, tag=value) · {}",
            hint_line(model, mode)
        ),
        _ => hint_line(model, mode),
    };
    fitted_hints(&text, usize::from(width), usize::from(rows.max(1)))
}

/// `Enter details` as a key (accented) and what it does (dimmed).
fn styled_hints<'a>(line: &str, theme: &Theme) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    for (i, hint) in line.split(" · ").enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        match hint.split_once(' ') {
            Some((keys, label)) => {
                spans.push(Span::styled(keys.to_owned(), theme.accent()));
                spans.push(Span::styled(format!(" {label}"), theme.dim()));
            }
            None => spans.push(Span::styled(hint.to_owned(), theme.dim())),
        }
    }
    spans
}

/// `Enter details · n new · …` for `mode`, from the keymap.
pub(super) fn hint_line(model: &Model, mode: Mode) -> String {
    model
        .keymap
        .hints(mode)
        .into_iter()
        .filter(|(action, _)| model.offers(*action))
        .map(|(_, text)| text)
        .collect::<Vec<_>>()
        .join(" · ")
}

/// As many whole hints as fit in `rows` lines of `width`, never half of
/// one; help (`?`) is the last to go, since it lists the rest.
fn fitted_hints(line: &str, width: usize, rows: usize) -> Vec<String> {
    if line.is_empty() {
        return Vec::new();
    }
    let mut hints: Vec<&str> = line.split(" · ").collect();
    let help = hints
        .iter()
        .position(|h| h.ends_with(" help"))
        .map(|i| hints.remove(i));
    let mut lines: Vec<String> = vec![String::new()];
    for hint in hints {
        let w = text_width(hint);
        let used = lines.last().map_or(0, |l| text_width(l));
        let sep = if used == 0 { 0 } else { 3 };
        if used + sep + w <= width {
            if let Some(last) = lines.last_mut() {
                if sep > 0 {
                    last.push_str(" · ");
                }
                last.push_str(hint);
            }
        } else if lines.len() < rows && w <= width {
            lines.push(hint.to_owned());
        }
    }
    if let Some(help) = help {
        // Hints leave the end of the last line until help fits there.
        while let Some(last) = lines.last_mut() {
            let used = text_width(last);
            if used == 0 {
                if text_width(help) <= width {
                    last.push_str(help);
                }
                break;
            }
            if used + 3 + text_width(help) <= width {
                last.push_str(" · ");
                last.push_str(help);
                break;
            }
            match last.rfind(" · ") {
                Some(cut) => last.truncate(cut),
                None => last.clear(),
            }
        }
    }
    lines.retain(|l| !l.is_empty());
    lines
}
