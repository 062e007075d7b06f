//! Across vaults on screen: the vault chooser, the compare view (rows by
//! state, both sides' properties under them), the copy plan dialog, and the
//! expiring secrets of every open vault. Never a value.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::status::hint_line;
use super::visible::visible;
use super::{Theme, clamp16, popup};
use crate::across::compare::{Row, State};
use crate::app::Model;
use crate::app::across::{ChooseState, CopyPlan, ExpiringAll, VaultCompare, expiring};
use crate::app::keymap::Mode;
use crate::vault::SecretProps;

const SPINNER: [&str; 4] = ["⠋", "⠙", "⠹", "⠸"];

/// The box of a list popup: `lines` inside a titled border.
fn list_popup(frame: &mut Frame, title: String, lines: Vec<Line<'_>>, width: u16, theme: &Theme) {
    let area = frame.area();
    let rect = popup(area, width.min(area.width), clamp16(lines.len() + 2));
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(title)
        .border_style(theme.border(false));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// `› ` and the reversed style for the chosen row.
fn chosen(on: bool, theme: &Theme) -> (&'static str, Style) {
    if on {
        ("› ", theme.selected())
    } else {
        ("  ", Style::new())
    }
}

pub(super) fn render_choose(frame: &mut Frame, model: &Model, state: &ChooseState, theme: &Theme) {
    let room = frame.area().height.saturating_sub(6).max(1) as usize;
    let start = state.selected.saturating_sub(room.saturating_sub(1));
    let mut lines = vec![Line::from(vec![
        Span::styled("Compare ", theme.dim()),
        Span::raw(visible(model.vault_label()).into_owned()),
        Span::styled(" with:", theme.dim()),
    ])];
    for (i, (url, open)) in state.choices.iter().enumerate().skip(start).take(room) {
        let (marker, style) = chosen(i == state.selected, theme);
        lines.push(Line::from(vec![
            Span::styled(marker, theme.accent()),
            Span::styled(visible(url).into_owned(), style),
            Span::styled(if *open { "  open" } else { "" }, theme.dim()),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(hint_line(model, Mode::Picker), theme.dim()));
    list_popup(frame, " Compare vaults ".into(), lines, 90, theme);
}

/// The state column's style: the eye goes to what differs.
fn state_style(state: State, theme: &Theme) -> Style {
    match state {
        State::Same => theme.ok(),
        State::Differs | State::DeletedInTarget => theme.warn(),
        State::OnlyInSource | State::OnlyInTarget => theme.accent(),
        State::Managed | State::Disabled => theme.dim(),
    }
}

/// What a row's last column says; the copy dialog offers what the CLI's flags do.
fn note(r: &Row) -> String {
    match r.state {
        State::DeletedInTarget => "recoverable there: a copy recovers or purges it first".into(),
        State::Managed => "not compared: changed only through its certificate".into(),
        _ => r.note(),
    }
}

/// The compare view, in the list's place.
pub(super) fn render_compare(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    view: &VaultCompare,
    theme: &Theme,
) {
    frame.render_widget(Clear, area);
    let title = format!(
        " Compare {} → {} ",
        visible(&view.source),
        visible(&view.target)
    );
    let block = Block::bordered()
        .title(title)
        .border_style(theme.border(false));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let props_rows = if view.props_open { 9 } else { 0 };
    let value_rows = if view.props_open {
        (inner.height / 3).max(3)
    } else {
        0
    };
    let [head, rows_area, props_area, value_area] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(props_rows),
        Constraint::Length(value_rows),
    ])
    .areas(inner);
    render_head(frame, head, model, view, theme);
    render_rows(frame, rows_area, view, theme);
    if let Some(row) = view.selected_row().filter(|_| view.props_open) {
        render_sides(frame, props_area, model, row, theme);
        render_value(frame, value_area, model, view, theme);
    }
}

/// The selected row's values: masked until `s`, then their line diff
/// (`-` source, `+` target), as the version compare shows it.
fn render_value(frame: &mut Frame, area: Rect, model: &Model, view: &VaultCompare, theme: &Theme) {
    use crate::app::details::compare::{LineTag, ValueView};
    use secrecy::ExposeSecret;
    let key = model
        .keymap
        .key_for(Mode::VaultCompare, crate::app::keymap::Action::ShowValue)
        .map(|k| k.to_string())
        .unwrap_or_else(|| "s".to_owned());
    let mut title = " Values ".to_owned();
    let para = match &view.value {
        None => Paragraph::new(Line::from(vec![
            Span::raw("••••••••••••"),
            Span::styled(
                format!("   press {key} to compare the values (- source, + target)"),
                theme.dim(),
            ),
        ])),
        Some(v) if v.error.is_some() => Paragraph::new(format!(
            "could not read a value: {}",
            visible(v.error.as_deref().unwrap_or_default())
        ))
        .style(theme.error()),
        Some(v) => match &v.view {
            None => Paragraph::new("reading both values…").style(theme.dim()),
            Some(ValueView::Identical) => Paragraph::new("values are identical").style(theme.ok()),
            Some(ValueView::Diff(diff)) => {
                let layout = if diff.as_json {
                    "JSON re-indented"
                } else {
                    "as stored"
                };
                title = format!(" Values ({layout}; - source, + target) ");
                let old: Vec<&str> = diff.old.expose_secret().lines().collect();
                let new: Vec<&str> = diff.new.expose_secret().lines().collect();
                let rows = usize::from(area.height.saturating_sub(2));
                let lines: Vec<Line> = diff
                    .lines
                    .iter()
                    .take(rows)
                    .map(|l| {
                        let (mark, text, style) = match l.tag {
                            LineTag::Same => (' ', old.get(l.line), Style::new()),
                            LineTag::Removed => ('-', old.get(l.line), theme.error()),
                            LineTag::Added => ('+', new.get(l.line), theme.ok()),
                        };
                        let text = visible(text.copied().unwrap_or_default()).into_owned();
                        Line::styled(format!("{mark} {text}"), style)
                    })
                    .collect();
                Paragraph::new(lines)
            }
        },
    };
    let block = Block::bordered().title(title).border_style(theme.dim());
    frame.render_widget(para.block(block), area);
}

fn render_head(frame: &mut Frame, area: Rect, model: &Model, view: &VaultCompare, theme: &Theme) {
    // Progress first: a long summary must not push it off the line.
    let mut first = Vec::new();
    if let Some(line) = &view.progress {
        let spin = SPINNER[model.spinner % SPINNER.len()];
        first.push(Span::styled(format!("{spin} {line}  "), theme.accent()));
    }
    if !(view.rows.is_empty() && view.job.is_some()) {
        first.push(Span::raw(view.summary()));
    }
    let filter = view.filter.map_or("all", State::label);
    let mut second = vec![Span::styled(
        format!(
            "showing {filter} · {} marked · values {}",
            view.marked.len(),
            if view.values {
                "compared by a keyed hash (s shows one row's)"
            } else {
                "not compared"
            }
        ),
        theme.dim(),
    )];
    if let Some(note) = view.note.as_ref().or(view.failure.as_ref()) {
        second.push(Span::styled(format!(" · {note}"), theme.warn()));
    }
    frame.render_widget(
        Paragraph::new(vec![Line::from(first), Line::from(second)]),
        area,
    );
}

fn render_rows(frame: &mut Frame, area: Rect, view: &VaultCompare, theme: &Theme) {
    let visible_rows = view.visible();
    let height = usize::from(area.height).max(1);
    let start = view.selected.saturating_sub(height - 1);
    let name_w = (usize::from(area.width) / 3).max(16);
    let mut lines = Vec::new();
    for (at, i) in visible_rows.iter().enumerate().skip(start).take(height) {
        let r = &view.rows[*i];
        let (marker, style) = chosen(at == view.selected, theme);
        let mark = if view.marked.contains(&r.name) {
            "● "
        } else {
            "  "
        };
        lines.push(Line::from(vec![
            Span::styled(marker, theme.accent()),
            Span::styled(mark, theme.accent()),
            Span::styled(
                format!("{:<19}", r.state.label()),
                state_style(r.state, theme),
            ),
            Span::styled(format!("{:<name_w$} ", visible(&r.shown_name())), style),
            Span::styled(note(r), theme.dim()),
        ]));
    }
    if lines.is_empty() {
        let text = if view.job.is_some() {
            "comparing…"
        } else if view.failure.is_some() {
            "the comparison failed: F5 tries again (! shows why)"
        } else {
            "neither vault holds a secret"
        };
        lines.push(Line::styled(format!("  {text}"), theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// Both sides' properties of one row, side by side.
fn render_sides(frame: &mut Frame, area: Rect, model: &Model, row: &Row, theme: &Theme) {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let side = |title: &str, p: Option<&SecretProps>, gone: bool| {
        let mut lines = vec![Line::styled(title.to_owned(), theme.header())];
        match p {
            None if gone => lines.push(Line::styled("deleted (recoverable)", theme.warn())),
            None => lines.push(Line::styled("not there", theme.dim())),
            Some(p) => {
                let tags = p
                    .tags
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let field = |k: &str, v: String| {
                    Line::from(vec![
                        Span::styled(format!("{k:<13}"), theme.label()),
                        Span::raw(visible(&v).into_owned()),
                    ])
                };
                lines.push(field(
                    "enabled",
                    if p.enabled { "yes" } else { "no" }.into(),
                ));
                lines.push(field(
                    "content type",
                    p.content_type.clone().unwrap_or_default(),
                ));
                lines.push(field("tags", tags));
                lines.push(field("expires", model.zone.date_time(p.expires)));
                lines.push(field("not before", model.zone.date_time(p.not_before)));
                lines.push(field("updated", model.zone.date_time(p.updated)));
                lines.push(field("version", p.version.clone().unwrap_or_default()));
            }
        }
        Paragraph::new(lines).wrap(Wrap { trim: false })
    };
    frame.render_widget(side("source", row.source.as_ref(), false), left);
    frame.render_widget(
        side("target", row.target.as_ref(), row.deleted.is_some()),
        right,
    );
}

pub(super) fn render_plan(frame: &mut Frame, model: &Model, plan: &CopyPlan, theme: &Theme) {
    let mut lines = vec![Line::raw(format!(
        "{} → {}",
        visible(&plan.source),
        visible(&plan.target)
    ))];
    lines.push(Line::raw(""));
    for (label, n) in plan.counts() {
        lines.push(Line::from(vec![
            Span::styled(format!("{n:>6} "), theme.accent()),
            Span::raw(label),
        ]));
    }
    lines.push(Line::raw(""));
    let room = usize::from(frame.area().height).saturating_sub(lines.len() + 8);
    for s in plan.steps.iter().take(room.min(12)) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<20}", s.action.label()), theme.dim()),
            Span::raw(visible(s.name.as_str()).into_owned()),
        ]));
    }
    if plan.steps.len() > room.min(12) {
        lines.push(Line::styled(
            format!("  … and {} more", plan.steps.len() - room.min(12)),
            theme.dim(),
        ));
    }
    if plan.has_deleted() {
        lines.push(Line::styled(
            format!("Names deleted in the target: {}", plan.on_deleted_label()),
            theme.warn(),
        ));
    }
    lines.push(Line::styled(
        "Just before each write the target is read again: a name changed since this plan is skipped.",
        theme.dim(),
    ));
    lines.push(Line::styled(hint_line(model, Mode::CopyPlan), theme.dim()));
    let title = format!(
        " Copy {} — {} to write ",
        crate::app::format::count(plan.steps.len(), "name", "names"),
        plan.writes()
    );
    let area = frame.area();
    let width = 80.min(area.width);
    let inner_w = usize::from(width.saturating_sub(2).max(1));
    let height: usize = lines
        .iter()
        .map(|l| l.width().max(1).div_ceil(inner_w))
        .sum::<usize>()
        + 2;
    let rect = popup(area, width, clamp16(height));
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .title(title)
        .border_style(theme.border(false));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        rect,
    );
}

pub(super) fn render_expiring(
    frame: &mut Frame,
    model: &Model,
    state: &ExpiringAll,
    theme: &Theme,
) {
    let rows = expiring::rows(model);
    let room = frame.area().height.saturating_sub(7).max(1) as usize;
    let start = state.selected.saturating_sub(room.saturating_sub(1));
    let mut head = format!(
        "Expired, or expiring within {} days, in every open and pinned vault",
        model.expiring_days()
    );
    match state.waiting() {
        0 => head.push(':'),
        n => head.push_str(&format!(" (listing {n} pinned…):")),
    }
    let mut lines = vec![Line::styled(head, theme.dim())];
    for p in state.pinned.iter().filter(|p| p.failure.is_some()) {
        let why = p.failure.as_deref().unwrap_or_default();
        lines.push(Line::styled(
            format!("  {} not listed: {}", visible(&p.url), visible(why)),
            theme.warn(),
        ));
    }
    for (i, (_, r)) in rows.iter().enumerate().skip(start).take(room) {
        let (marker, style) = chosen(i == state.selected, theme);
        let due_style = match r.due {
            crate::across::expiring::Due::Expired => theme.error(),
            crate::across::expiring::Due::Expiring => theme.warn(),
        };
        lines.push(Line::from(vec![
            Span::styled(marker, theme.accent()),
            Span::styled(format!("{:<9}", r.due.label()), due_style),
            Span::raw(format!("{} ", model.zone.date_time(r.props.expires))),
            Span::styled(format!("{:<36} ", visible(r.props.name.as_str())), style),
            Span::styled(visible(&r.vault).into_owned(), theme.dim()),
        ]));
    }
    if rows.is_empty() {
        lines.push(Line::styled(
            "  nothing has expired or expires soon in an open or pinned vault",
            theme.dim(),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(hint_line(model, Mode::Picker), theme.dim()));
    let title = format!(" Expiring everywhere ({}) ", rows.len());
    list_popup(frame, title, lines, 110, theme);
}
