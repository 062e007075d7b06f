//! The help overlay, generated from the keymap, and the error history.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::visible::visible;
use super::{Theme, popup};
use crate::app::Model;
use crate::app::events::describe;
use crate::app::format::date_time;
use crate::app::keymap::Mode;

pub(super) fn render_help(frame: &mut Frame, model: &Model, scroll: usize, theme: &Theme) {
    // The screen under the help comes first, then every other mode.
    let context = if model.details.is_some() {
        Mode::Details
    } else if model.view == crate::app::View::Deleted {
        Mode::Deleted
    } else {
        Mode::List
    };
    let mut modes = vec![context];
    modes.extend(
        Mode::ALL
            .iter()
            .copied()
            .filter(|m| *m != context && !model.keymap.help(*m).is_empty()),
    );
    let mut lines = Vec::new();
    for mode in modes {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(mode.title(), theme.header()));
        for e in model.keymap.help(mode) {
            let keys = e
                .keys
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ");
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<16}"), theme.accent()),
                Span::raw(e.desc.clone()),
            ]));
        }
    }
    let area = frame.area();
    let rect = popup(area, 90, area.height.saturating_sub(2));
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(" Keys · j/k scroll · Esc closes ")
        .border_style(theme.border(false));
    let max = lines
        .len()
        .saturating_sub(rect.height.saturating_sub(2) as usize);
    let scroll = scroll.min(max) as u16;
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)).block(block), rect);
}

pub(super) fn render_errors(frame: &mut Frame, model: &Model, scroll: usize, theme: &Theme) {
    let mut lines = Vec::new();
    if model.errors.is_empty() {
        lines.push(Line::styled("no errors so far", theme.dim()));
    }
    for e in model.errors.iter().rev() {
        lines.push(Line::from(vec![
            Span::styled(date_time(Some(e.at)), theme.dim()),
            Span::raw(" "),
            Span::styled(visible(&e.what).into_owned(), theme.error()),
        ]));
        lines.push(Line::raw(format!("  {}", visible(&describe(&e.error)))));
    }
    let area = frame.area();
    let rect = popup(area, 100, area.height.saturating_sub(4));
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(format!(" Errors ({}) · Esc closes ", model.errors.len()))
        .border_style(theme.border(true));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll as u16, 0))
            .block(block),
        rect,
    );
}
