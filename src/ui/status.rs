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
    if let Some(toast) = &model.toast {
        let style = if toast.is_error {
            theme.error()
        } else {
            theme.ok()
        };
        let text = ellipsis(&visible(&toast.text), width).into_owned();
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

/// The key hints of the mode in use, from the keymap's `hint`s, leaving
/// out what would do nothing here. Dialogs and forms carry their own.
pub(super) fn render_hints(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let mode = model.mode();
    let text = match mode {
        Mode::Form | Mode::Confirm | Mode::TypedConfirm | Mode::Conflict | Mode::Picker => {
            String::new()
        }
        Mode::Filter => format!("type to filter · {}", hint_line(model, mode)),
        _ => hint_line(model, mode),
    };
    let text = fitted_hints(&text, usize::from(area.width));
    frame.render_widget(Paragraph::new(text).style(theme.dim()), area);
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

/// As many whole hints as fit in `width`, never half of one; help (`?`)
/// is the last to go, since it lists the rest.
fn fitted_hints(line: &str, width: usize) -> String {
    if text_width(line) <= width {
        return line.to_owned();
    }
    let hints: Vec<&str> = line.split(" · ").collect();
    let help = hints.iter().position(|h| h.ends_with(" help"));
    let reserve = help.map_or(0, |i| text_width(hints[i]) + 3);
    let mut out = String::new();
    for (i, hint) in hints.iter().enumerate() {
        if Some(i) == help {
            continue;
        }
        let sep = if out.is_empty() { 0 } else { 3 };
        if text_width(&out) + sep + text_width(hint) + reserve > width {
            break;
        }
        if sep > 0 {
            out.push_str(" · ");
        }
        out.push_str(hint);
    }
    if let Some(i) = help {
        if !out.is_empty() {
            out.push_str(" · ");
        }
        out.push_str(hints[i]);
    }
    out
}
