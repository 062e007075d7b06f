//! The first-run line over the status line: what the embedded sample vault
//! is, where its data lives, how to open Azure, and the key that hides it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Theme;
use crate::app::keymap::{Action, Mode};
use crate::app::{Model, Welcome};

/// The line's text for `width` columns: the fullest wording that fits (the
/// data dir goes last), cut with `…` only when even the shortest is too wide.
pub(super) fn text(welcome: &Welcome, key: &str, width: usize) -> String {
    let dir = &welcome.data_dir;
    let tiers = [
        format!("Local sample vault, data in {dir} · Azure: --vault NAME · {key} hides"),
        format!("Sample vault, data in {dir} · Azure: --vault NAME · {key} hides"),
        format!("Sample vault · Azure: --vault NAME · {key} hides · data {dir}"),
    ];
    if let Some(fits) = tiers.iter().find(|t| t.chars().count() <= width) {
        return fits.clone();
    }
    let shortest = &tiers[tiers.len() - 1];
    let mut cut: String = shortest.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

pub(super) fn render(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let Some(welcome) = &model.welcome else {
        return;
    };
    let key = model
        .keymap
        .key_for(Mode::Lists, Action::DismissWelcome)
        .map_or_else(|| "W".to_owned(), |k| k.to_string());
    let line = text(welcome, &key, usize::from(area.width));
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(line, theme.accent()))),
        area,
    );
}
