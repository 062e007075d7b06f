//! The status bar (vault, loading, counts, last refresh, last message) and a
//! line of key hints drawn from the keymap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use super::visible::visible;
use crate::app::format::date_time;
use crate::app::keymap::{Action, Mode};
use crate::app::{Model, Overlay};

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

pub(super) fn render_hints(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let mode = model.mode();
    let actions: &[(Action, &str)] = match mode {
        Mode::List => &[
            (Action::Details, "details"),
            (Action::New, "new"),
            (Action::Delete, "delete"),
            (Action::Filter, "filter"),
            (Action::SwitchView, "deleted"),
            (Action::Help, "help"),
            (Action::Quit, "quit"),
        ],
        Mode::Deleted => &[
            (Action::Recover, "recover"),
            (Action::Purge, "purge"),
            (Action::SwitchView, "secrets"),
            (Action::Help, "help"),
            (Action::Quit, "quit"),
        ],
        Mode::Details if model.details.as_ref().is_some_and(|d| d.deleted.is_some()) => {
            &[(Action::Back, "back"), (Action::Help, "help")]
        }
        Mode::Details
            if model
                .details
                .as_ref()
                .is_some_and(|d| d.shown && d.pretty.is_some()) =>
        {
            &[
                (Action::ShowValue, "show/hide"),
                (Action::TogglePretty, "raw/pretty"),
                (Action::NewVersion, "new version"),
                (Action::Properties, "properties"),
                (Action::Back, "back"),
            ]
        }
        Mode::Details => &[
            (Action::ShowValue, "show/hide"),
            (Action::NewVersion, "new version"),
            (Action::Properties, "properties"),
            (Action::Back, "back"),
        ],
        // These boxes carry their own key line (choose with arrows, Enter, Esc).
        Mode::Dialog
            if matches!(
                model.overlays.last(),
                Some(Overlay::Picker { .. } | Overlay::Conflict(_))
            ) =>
        {
            &[]
        }
        Mode::Dialog => &[(Action::Confirm, "confirm"), (Action::Cancel, "cancel")],
        Mode::Help => &[(Action::Down, "scroll"), (Action::Back, "close")],
        Mode::Form => &[],
    };
    let text = super::form::hint(model, mode, actions);
    let text = if mode == Mode::List && model.filter_input.is_some() {
        "type to filter · Enter keeps · Esc clears".to_owned()
    } else {
        text
    };
    frame.render_widget(Paragraph::new(text).style(theme.dim()), area);
}
