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
use crate::app::keymap::{Action, Hint, HintPriority, Mode};

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
pub(super) fn render_hints(frame: &mut Frame, area: Rect, lines: Vec<Vec<Hint>>, theme: &Theme) {
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
pub(super) fn hint_lines(model: &Model, width: u16, rows: u16) -> Vec<Vec<Hint>> {
    let mode = model.mode();
    let hints = match mode {
        Mode::Form | Mode::Confirm | Mode::TypedConfirm | Mode::Conflict | Mode::Picker => {
            Vec::new()
        }
        Mode::Filter => {
            let mut hints = vec![Hint {
                action: Action::Filter,
                keys: "type".to_owned(),
                label: "to filter ('exact ^start end$ !not, tag=value)".to_owned(),
                priority: HintPriority::Normal,
            }];
            hints.extend(offered_hints(model, mode));
            hints
        }
        _ => offered_hints(model, mode),
    };
    fitted_hints(hints, usize::from(width), usize::from(rows.max(1)))
}

/// `Enter details` as a key (accented) and what it does (dimmed).
fn styled_hints<'a>(line: &[Hint], theme: &Theme) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    for (i, hint) in line.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        spans.push(Span::styled(hint.keys.clone(), theme.accent()));
        spans.push(Span::styled(format!(" {}", hint.label), theme.dim()));
    }
    spans
}

/// The hints of `mode` whose action would do something now.
fn offered_hints(model: &Model, mode: Mode) -> Vec<Hint> {
    model
        .keymap
        .hints(mode)
        .into_iter()
        .filter(|h| model.offers(h.action))
        .collect()
}

/// `Enter details · n new · …` for `mode`, from the keymap (dialogs).
pub(super) fn hint_line(model: &Model, mode: Mode) -> String {
    offered_hints(model, mode)
        .iter()
        .map(Hint::text)
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Whole hints laid out in order into `rows` lines of `width`, or `None`
/// when one does not fit.
fn lay_out(hints: &[Hint], width: usize, rows: usize) -> Option<Vec<Vec<Hint>>> {
    let mut lines: Vec<Vec<Hint>> = vec![Vec::new()];
    let mut used = 0;
    for hint in hints {
        let w = text_width(&hint.text());
        let sep = if used == 0 { 0 } else { 3 };
        if used + sep + w <= width {
            used += sep + w;
        } else if lines.len() < rows && w <= width {
            lines.push(Vec::new());
            used = w;
        } else {
            return None;
        }
        lines.last_mut()?.push(hint.clone());
    }
    lines.retain(|l| !l.is_empty());
    Some(lines)
}

/// As many whole hints as fit in `rows` lines of `width`: the lowest
/// priority leaves first (the last of equals first); help and quit never
/// leave, and help stays at the end, since it lists the rest.
fn fitted_hints(mut hints: Vec<Hint>, width: usize, rows: usize) -> Vec<Vec<Hint>> {
    if let Some(i) = hints.iter().position(|h| h.action == Action::Help) {
        let help = hints.remove(i);
        hints.push(help);
    }
    loop {
        if let Some(lines) = lay_out(&hints, width, rows) {
            return lines;
        }
        let drop = hints
            .iter()
            .enumerate()
            .filter(|(_, h)| h.priority != HintPriority::Always)
            .min_by_key(|(i, h)| (h.priority, std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        match drop {
            Some(i) => {
                hints.remove(i);
            }
            // Only help and quit left and still too wide: what fits of them.
            None => {
                hints.retain(|h| text_width(&h.text()) <= width);
                return lay_out(&hints, width, rows).unwrap_or_default();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(action: Action, keys: &str, label: &str) -> Hint {
        Hint {
            action,
            keys: keys.to_owned(),
            label: label.to_owned(),
            priority: HintPriority::of(action),
        }
    }

    fn texts(lines: &[Vec<Hint>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.iter().map(Hint::text).collect::<Vec<_>>().join(" · "))
            .collect()
    }

    #[test]
    fn a_full_footer_drops_low_priority_hints_first_and_never_help_or_quit() {
        let hints = vec![
            hint(Action::Details, "Enter", "details"),
            hint(Action::ToggleMouse, "m", "mouse"),
            hint(Action::New, "n", "new"),
            hint(Action::Quit, "q", "quit"),
            hint(Action::Delete, "d", "delete"),
            hint(Action::Help, "?", "help"),
        ];
        let all = texts(&fitted_hints(hints.clone(), 80, 1));
        assert_eq!(
            all,
            ["Enter details · m mouse · n new · q quit · d delete · ? help"]
        );
        // 44 columns: the low-priority toggle goes first, then the last normal one.
        let narrow = texts(&fitted_hints(hints.clone(), 44, 1));
        assert_eq!(narrow, ["Enter details · n new · q quit · ? help"]);
        let tiny = texts(&fitted_hints(hints, 16, 1));
        assert_eq!(tiny, ["q quit · ? help"]);
    }
}
