//! The status bar (vault, loading, counts, last refresh, last message) and a
//! line of key hints drawn from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use super::visible::visible;
use crate::app::Model;
use crate::app::format::date_time;
use crate::app::keymap::Mode;

const SPINNER: [&str; 4] = ["⠋", "⠙", "⠸", "⠴"];

pub(super) fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let mut spans = vec![Span::styled(
        visible(&model.vault_label).into_owned(),
        theme.accent(),
    )];
    if model.is_local {
        spans.push(Span::styled(" (local vault)", theme.dim()));
    }
    if model.is_loading() {
        let progress = model
            .progress
            .clone()
            .unwrap_or_else(|| "loading…".to_owned());
        spans.push(Span::raw(format!(
            " · {} {progress}",
            SPINNER[model.spinner % SPINNER.len()]
        )));
    }
    spans.push(Span::raw(format!(
        " · {} secrets · {} deleted",
        model.secrets.items.len(),
        model.deleted.items.len()
    )));
    if let Some(toast) = &model.toast {
        let style = if toast.is_error {
            theme.error()
        } else {
            theme.ok()
        };
        spans.push(Span::styled(format!(" · {}", visible(&toast.text)), style));
    } else if let Some(msg) = &model.message {
        spans.push(Span::styled(format!(" · {}", visible(msg)), theme.dim()));
    }
    // The refresh time is the first thing to go when the line is full.
    if let Some(at) = model.last_refresh {
        let refreshed = format!(" · ↻ {}", date_time(Some(at)));
        let used: usize = spans.iter().map(Span::width).sum();
        if used + refreshed.chars().count() <= usize::from(area.width) {
            spans.push(Span::styled(refreshed, theme.dim()));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
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
