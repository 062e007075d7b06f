//! The help overlay, generated from the keymap, and the error history.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::visible::visible;
use ratatui::layout::Rect;

use super::{Theme, clamp16, popup};
use crate::app::Model;
use crate::app::answers::describe;
use crate::app::keymap::Mode;

/// Draws the help; how far it can scroll.
pub(super) fn render_help(frame: &mut Frame, model: &Model, scroll: usize, theme: &Theme) -> usize {
    // The screen under the help comes first, then every other mode.
    let context = if model.details.as_ref().is_some_and(|d| d.compare.is_some()) {
        Mode::Compare
    } else if model.details.is_some() {
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
            .filter(|m| *m != context && !model.keymap.help_in(*m, context).is_empty()),
    );
    let search = model.text_search.as_ref();
    let mut lines = Vec::new();
    for mode in modes {
        let mut section = Vec::new();
        for e in model.keymap.help_in(mode, context) {
            let keys = e
                .keys
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ");
            if search.is_some_and(|s| !s.matches(&format!("{keys} {}", e.desc))) {
                continue;
            }
            section.push(Line::from(vec![
                Span::styled(format!("  {keys:<16}"), theme.accent()),
                Span::raw(e.desc.clone()),
            ]));
        }
        if section.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(mode.title(), theme.header()));
        lines.extend(section);
    }
    if lines.is_empty() {
        lines.push(Line::styled("no key matches", theme.dim()));
    }
    let area = frame.area();
    let rect = popup(area, 90, area.height.saturating_sub(2));
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(search_title(
            " Keys · j/k scroll · / search · Esc closes ",
            search,
        ))
        .border_style(theme.border(false));
    let (shown, max) = scrolled(&lines, rect, scroll);
    let block = block.title_bottom(position(shown, lines.len(), max));
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((clamp16(shown), 0))
            .block(block),
        rect,
    );
    max
}

/// Every message so far, newest first: failures with their details, and
/// successes (where a backup went) as one line.
/// Draws the history; how far it can scroll.
pub(super) fn render_errors(
    frame: &mut Frame,
    model: &Model,
    scroll: usize,
    theme: &Theme,
) -> usize {
    let mut lines = Vec::new();
    if model.errors.is_empty() {
        lines.push(Line::styled("no messages so far", theme.dim()));
    }
    let search = model.text_search.as_ref();
    for e in model.errors.iter().rev() {
        let style = if e.is_error() {
            theme.error()
        } else {
            theme.ok()
        };
        let when = model.zone.date_time_secs(Some(e.at));
        let what = visible(&e.what).into_owned();
        let detail = e
            .error
            .as_ref()
            .map(|error| format!("  {}", visible(&describe(error))));
        let failures: Vec<String> = e
            .failures
            .iter()
            .map(|(name, why)| format!("  {}: {}", visible(name), visible(why)))
            .collect();
        // A message is shown whole when any of its lines holds the text.
        if let Some(s) = search
            && !s.matches(&what)
            && !detail.as_deref().is_some_and(|d| s.matches(d))
            && !failures.iter().any(|f| s.matches(f))
        {
            continue;
        }
        lines.push(Line::from(vec![
            Span::styled(when, theme.dim()),
            Span::raw(" "),
            Span::styled(what, style),
        ]));
        lines.extend(detail.map(Line::raw));
        lines.extend(failures.into_iter().map(Line::raw));
    }
    if search.is_some() && lines.is_empty() && !model.errors.is_empty() {
        lines.push(Line::styled("no message matches", theme.dim()));
    }
    let area = frame.area();
    let rect = popup(area, 100, area.height.saturating_sub(4));
    frame.render_widget(Clear, rect);
    let (shown, max) = scrolled(&lines, rect, scroll);
    let title = search_title(
        &format!(
            " Messages ({}, {} failed) · / search · Esc closes ",
            model.errors.len(),
            model.error_count()
        ),
        search,
    );
    let block = Block::bordered()
        .title(title)
        .title_bottom(position(shown, lines.len(), max))
        .border_style(theme.border(true));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((clamp16(shown), 0))
            .block(block),
        rect,
    );
    max
}

/// The scroll offset clamped so the last line stays at the bottom, and the
/// largest offset. Lines are assumed not to wrap (help) or counted as one.
fn scrolled(lines: &[Line<'_>], rect: Rect, scroll: usize) -> (usize, usize) {
    let height = usize::from(rect.height.saturating_sub(2));
    let max = lines.len().saturating_sub(height);
    (scroll.min(max), max)
}

/// The box's title, or the search under way in its place.
fn search_title(title: &str, search: Option<&crate::app::text_search::TextSearch>) -> String {
    match search {
        None => title.to_owned(),
        Some(s) if s.typing => format!(" Search: {}▏ · Enter keeps · Esc drops ", s.input.value()),
        Some(s) => format!(
            " Lines with {:?} · / edits · Esc shows all ",
            s.input.value()
        ),
    }
}

/// `3/40` at the bottom right of a scrolled box: the first line shown.
fn position(first: usize, total: usize, max: usize) -> Line<'static> {
    if max == 0 {
        return Line::default();
    }
    Line::from(format!(" {}/{} ", first + 1, total)).right_aligned()
}

/// The access doctor's panel: the report as the command line prints it, denied rows in the error colour.
pub(super) fn render_access(
    frame: &mut Frame,
    panel: &crate::app::access::AccessPanel,
    theme: &Theme,
) {
    use crate::app::access::PanelState;
    let lines: Vec<Line> = match &panel.state {
        PanelState::Examining => vec![Line::styled(
            "examining: Resource Manager, then a list of one and a get of a missing name (never a write)…",
            theme.dim(),
        )],
        PanelState::Failed(e) => vec![Line::styled(
            format!("the doctor could not run: {}", visible(e)),
            theme.error(),
        )],
        PanelState::Report(text) => {
            // Wrapped here, not by the paragraph, so scrolling counts screen rows.
            let width = usize::from(popup(frame.area(), 120, 3).width.saturating_sub(2)).max(20);
            text.iter()
                .flat_map(|l| {
                    let style = if l.contains(" DENIED ") || l.trim_start().starts_with("az ") {
                        theme.error()
                    } else if !l.starts_with(' ') && !l.is_empty() {
                        theme.ok()
                    } else {
                        ratatui::style::Style::default()
                    };
                    wrap_chars(&visible(l), width)
                        .into_iter()
                        .map(move |part| Line::styled(part, style))
                })
                .collect()
        }
    };
    let area = frame.area();
    let rect = popup(area, 120, area.height.saturating_sub(2));
    frame.render_widget(Clear, rect);
    let (shown, max) = scrolled(&lines, rect, panel.scroll);
    let block = Block::bordered()
        .title(format!(" Access · {} · Esc closes ", visible(&panel.url)))
        .title_bottom(position(shown, lines.len(), max))
        .border_style(theme.border(true));
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((clamp16(shown), 0))
            .block(block),
        rect,
    );
}

/// `text` cut into rows of at most `width` characters; later rows are indented
/// under the text, so a long command reads as one.
fn wrap_chars(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= width {
        return vec![text.to_owned()];
    }
    let indent = chars
        .iter()
        .take_while(|c| **c == ' ')
        .count()
        .min(width / 2);
    let mut rows = vec![chars[..width].iter().collect::<String>()];
    let step = width - indent;
    for chunk in chars[width..].chunks(step) {
        rows.push(format!(
            "{}{}",
            " ".repeat(indent),
            chunk.iter().collect::<String>()
        ));
    }
    rows
}
