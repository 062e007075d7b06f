//! The secret list and the deleted list. Only the rows on screen are built,
//! so a frame costs the same for 100 or 100,000 secrets.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};
use time::Duration;

use super::visible::{ellipsis, stand_in, visible, visible_field};
use super::{Theme, UiState, clamp16, follow};
use crate::app::format::{ago, days_until};
use crate::app::keymap::{Action, Mode};
use crate::app::matching::match_positions;
use crate::app::rows::{ListRow, ListView, Rows};
use crate::app::{Model, View};
use crate::vault::SecretProps;

pub(super) fn render_tabs(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let tab = |label: String, on: bool| {
        if on {
            Span::styled(format!(" {label} "), theme.selected().patch(theme.accent()))
        } else {
            Span::styled(format!(" {label} "), theme.dim())
        }
    };
    let count = |list: &dyn ListView| {
        if list.filter().is_empty() {
            list.total().to_string()
        } else {
            format!("{}/{}", list.len(), list.total())
        }
    };
    let mut spans = Vec::new();
    for view in View::ALL {
        if !spans.is_empty() {
            spans.push(Span::raw(" "));
        }
        let label = format!("{} ({})", view.title(), count(model.list_of(view)));
        spans.push(tab(label, model.view == view));
    }
    let list = model.list();
    let (sort, filter, marked) = (list.sort(), list.filter(), list.marked_count());
    spans.push(Span::styled(
        format!("  sort: {}", sort.label()),
        theme.dim(),
    ));
    if !filter.is_empty() && model.filter_input.is_none() {
        spans.push(Span::styled(
            format!("  filter: {}", visible(filter)),
            theme.matched(),
        ));
    }
    if marked > 0 {
        spans.push(Span::styled(format!("  {marked} marked"), theme.warn()));
    }
    // The zone every time on screen is in, once, when there is room.
    let zone = format!(" {} ", model.zone.label());
    let used: usize = spans.iter().map(Span::width).sum();
    if used + zone.len() < usize::from(area.width) {
        let right = Paragraph::new(Line::styled(zone, theme.dim()).right_aligned());
        frame.render_widget(right, area);
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub(super) fn render_filter(frame: &mut Frame, area: Rect, model: &Model, theme: &Theme) {
    let Some(input) = &model.filter_input else {
        return;
    };
    let count = model.list().len();
    let line = Line::from(vec![
        Span::styled("/", theme.accent()),
        Span::raw(visible(input.value()).into_owned()),
        Span::styled(
            format!("   {count} match{}", if count == 1 { "" } else { "es" }),
            theme.dim(),
        ),
    ]);
    frame.render_widget(Paragraph::new(line), area);
    let x = area
        .x
        .saturating_add(1)
        .saturating_add(clamp16(input.visual_cursor()));
    frame.set_cursor_position((x.min(area.right().saturating_sub(1)), area.y));
}

/// The name, made visible, with the filter's matched characters highlighted
/// (a hidden character that matched highlights its stand-in).
fn highlighted<'a>(name: &'a str, filter: &str, theme: &Theme) -> Line<'a> {
    let hits = match_positions(filter, name);
    if hits.is_empty() {
        return Line::raw(visible(name));
    }
    Line::from(
        name.chars()
            .enumerate()
            .map(|(i, c)| {
                let style = if hits.binary_search(&(i as u32)).is_ok() {
                    theme.matched()
                } else {
                    Style::new()
                };
                Span::styled(stand_in(c).unwrap_or_else(|| c.to_string()), style)
            })
            .collect::<Vec<_>>(),
    )
}

/// Expired red, expiring within 30 days yellow, disabled dimmed.
fn row_style(p: &SecretProps, model: &Model, theme: &Theme) -> Style {
    let mut style = Style::new();
    if let Some(exp) = p.expires {
        if exp <= model.now {
            style = style.patch(theme.error());
        } else if exp <= model.now + Duration::days(30) {
            style = style.patch(theme.warn());
        }
    }
    if !p.enabled {
        style = style.patch(theme.dim());
    }
    style
}

pub(super) fn render(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    state: &mut UiState,
    theme: &Theme,
) {
    match model.view {
        View::Secrets => render_secrets(frame, area, model, state, theme),
        View::Expiring => render_expiring(frame, area, model, state, theme),
        View::Deleted => render_deleted(frame, area, model, state, theme),
    }
}

/// Seconds without a page after which a listing is called unanswered.
const SILENT_SECS: i64 = 5;

/// The key the user presses for `action` in the lists, as text.
fn key(model: &Model, action: Action) -> String {
    model
        .keymap
        .key_for(Mode::List, action)
        .map_or_else(|| "?".to_owned(), |k| k.to_string())
}

/// What an empty list says: why it failed, that the vault is silent, that
/// it loads, that the filter hides everything, or that there is nothing.
fn empty_text(model: &Model, list: &dyn ListView, what: &str) -> (String, bool) {
    let (errors, retry) = (key(model, Action::Errors), key(model, Action::Refresh));
    if let Some(reason) = list.failure() {
        let text = format!("could not list: {reason} · {errors} details · {retry} retry");
        return (text, true);
    }
    if list.is_loading() {
        let waited = list
            .load_started()
            .map_or(0, |t| (model.now - t).whole_seconds());
        if waited < SILENT_SECS {
            return ("loading…".to_owned(), false);
        }
        let fix = if model.is_local {
            "is the local vault (kvtui serve) running?"
        } else {
            "check the network, VPN or firewall"
        };
        let text = format!("no answer from the vault for {waited} s · {fix} · {retry} retry");
        return (text, true);
    }
    if list.filter().is_empty() {
        (format!("no {what}"), false)
    } else {
        (
            "nothing matches the filter (Esc clears it)".to_owned(),
            false,
        )
    }
}

/// The rule above the rows: "stale" with why and how old the rows are when
/// a reload failed, and the position (`12/2,000`) on the right.
fn rule<'a>(model: &Model, list: &dyn ListView, width: u16, theme: &Theme) -> Block<'a> {
    let mut block = Block::new().borders(Borders::TOP).border_style(theme.dim());
    let pos = format!(
        " {}/{} ",
        thousands(list.selected() + 1),
        thousands(list.len())
    );
    let pos_w = if list.is_empty() { 0 } else { pos.len() + 1 };
    if let Some(reason) = list.failure().filter(|_| list.total() > 0) {
        let age = list
            .loaded_at()
            .map(|t| format!(" · listed {}", ago(model.now, t)))
            .unwrap_or_default();
        let retry = key(model, Action::Refresh);
        let title = format!(" stale{age} · {retry} retry · could not reload: {reason}");
        let room = usize::from(width).saturating_sub(pos_w);
        let title = format!("{} ", ellipsis(&visible(&title), room.saturating_sub(1)));
        block = block.title(Line::styled(title, theme.warn()));
    }
    if !list.is_empty() {
        block = block.title(Line::styled(pos, theme.dim()).right_aligned());
    }
    block
}

/// `20000` as `20,000`.
pub(super) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The rows on screen as `start..end` of `rows.visible`, keeping the selection
/// in view; `None` after drawing the empty message instead.
fn window<T: ListRow>(
    frame: &mut Frame,
    area: Rect,
    rows: &Rows<T>,
    (model, state, view): (&Model, &mut UiState, View),
    what: &str,
    theme: &Theme,
) -> Option<(usize, usize)> {
    // Below the rule and the header: recorded for paging and mouse clicks.
    state.list_rows = Rect {
        y: area.y.saturating_add(2),
        height: area.height.saturating_sub(2),
        ..area
    };
    let inner_h = usize::from(state.list_rows.height);
    let offset = &mut state.list_offsets[view.index()];
    if rows.visible.is_empty() {
        let (text, bad) = empty_text(model, rows, what);
        let style = if bad { theme.error() } else { theme.dim() };
        let block = rule(model, rows, area.width, theme);
        let para = Paragraph::new(visible(&text).into_owned())
            .style(style)
            .wrap(Wrap { trim: true })
            .block(block);
        frame.render_widget(para, area);
        return None;
    }
    follow(offset, rows.selected, inner_h, rows.visible.len());
    let start = (*offset).min(rows.visible.len());
    Some((start, (start + inner_h).min(rows.visible.len())))
}

/// Days left before the expiry, or how long ago it passed.
fn days_left(p: &SecretProps, model: &Model) -> String {
    match p.expires.map(|e| days_until(model.now, e)) {
        None => "no expiry".to_owned(),
        Some(d) if d < 0 => format!("expired {} d ago", -d),
        Some(0) if p.expires.is_some_and(|e| e <= model.now) => "expired today".to_owned(),
        Some(d) => format!("{d} d"),
    }
}

fn render_expiring(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    state: &mut UiState,
    theme: &Theme,
) {
    let rows = &model.expiring;
    let what = format!(
        "secret expires within {} days, and every one has an expiry date",
        model.expiring_days()
    );
    let Some((start, end)) = window(
        frame,
        area,
        rows,
        (model, state, View::Expiring),
        &what,
        theme,
    ) else {
        return;
    };
    let table_rows = rows.visible[start..end]
        .iter()
        .enumerate()
        .map(|(i, &idx)| {
            let p = &rows.items[idx];
            let mut style = row_style(p, model, theme);
            if start + i == rows.selected {
                style = style.patch(theme.selected());
            }
            let mark = if rows.marked.contains(&p.name) {
                "●"
            } else {
                " "
            };
            Row::new(vec![
                Cell::from(mark),
                Cell::from(highlighted(&p.name, &rows.filter, theme)),
                Cell::from(if p.enabled { "yes" } else { "no" }),
                Cell::from(model.zone.date_time(p.expires)),
                Cell::from(days_left(p, model)),
            ])
            .style(style)
        });
    let header = Row::new(["", "Name", "On", "Expires", "Days left"]).style(theme.header());
    let widths = [
        Constraint::Length(1),
        Constraint::Fill(2),
        Constraint::Length(3),
        Constraint::Length(16),
        Constraint::Length(16),
    ];
    let block = rule(model, rows, area.width, theme);
    let table = Table::new(table_rows, widths)
        .header(header)
        .column_spacing(1)
        .block(block);
    frame.render_widget(table, area);
}

fn render_secrets(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    state: &mut UiState,
    theme: &Theme,
) {
    let rows = &model.secrets;
    let block = rule(model, rows, area.width, theme);
    let Some((start, end)) = window(
        frame,
        area,
        rows,
        (model, state, View::Secrets),
        "secrets (n creates one)",
        theme,
    ) else {
        return;
    };
    let table_rows = rows.visible[start..end]
        .iter()
        .enumerate()
        .map(|(i, &idx)| {
            let p = &rows.items[idx];
            let mark = if rows.marked.contains(&p.name) {
                "●"
            } else {
                " "
            };
            let enabled = if p.enabled { "yes" } else { "no" };
            let mut style = row_style(p, model, theme);
            if start + i == rows.selected {
                style = style.patch(theme.selected());
            }
            Row::new(vec![
                Cell::from(mark),
                Cell::from(highlighted(&p.name, &rows.filter, theme)),
                Cell::from(enabled),
                Cell::from(visible_field(p.content_type.as_deref().unwrap_or_default())),
                Cell::from(model.zone.date_time(p.updated)),
                Cell::from(model.zone.date_time(p.expires)),
                Cell::from(if p.tags.is_empty() {
                    String::new()
                } else {
                    p.tags.len().to_string()
                }),
            ])
            .style(style)
        });
    let header = Row::new([
        "",
        "Name",
        "On",
        "Content type",
        "Updated",
        "Expires",
        "Tags",
    ])
    .style(theme.header());
    let table = Table::new(
        table_rows,
        [
            Constraint::Length(1),
            Constraint::Fill(2),
            Constraint::Length(3),
            Constraint::Fill(1),
            Constraint::Length(16),
            Constraint::Length(16),
            Constraint::Length(4),
        ],
    )
    .header(header)
    .column_spacing(1)
    .block(block);
    frame.render_widget(table, area);
}

fn render_deleted(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    state: &mut UiState,
    theme: &Theme,
) {
    let rows = &model.deleted;
    let block = rule(model, rows, area.width, theme);
    let Some((start, end)) = window(
        frame,
        area,
        rows,
        (model, state, View::Deleted),
        "deleted secrets",
        theme,
    ) else {
        return;
    };
    let table_rows = rows.visible[start..end]
        .iter()
        .enumerate()
        .map(|(i, &idx)| {
            let d = &rows.items[idx];
            let mark = if rows.marked.contains(&d.props.name) {
                "●"
            } else {
                " "
            };
            let days = d
                .scheduled_purge_date
                .map(|p| days_until(model.now, p).to_string())
                .unwrap_or_default();
            let mut style = Style::new();
            if start + i == rows.selected {
                style = style.patch(theme.selected());
            }
            Row::new(vec![
                Cell::from(mark),
                Cell::from(highlighted(&d.props.name, &rows.filter, theme)),
                Cell::from(model.zone.date_time(d.deleted_date)),
                Cell::from(model.zone.date_time(d.scheduled_purge_date)),
                Cell::from(days),
                Cell::from(visible(d.recovery_id.as_deref().unwrap_or_default())),
            ])
            .style(style)
        });
    let header =
        Row::new(["", "Name", "Deleted", "Purge on", "Days", "Recovery id"]).style(theme.header());
    let table = Table::new(
        table_rows,
        [
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(16),
            Constraint::Length(16),
            Constraint::Length(4),
            Constraint::Fill(2),
        ],
    )
    .header(header)
    .column_spacing(1)
    .block(block);
    frame.render_widget(table, area);
}
