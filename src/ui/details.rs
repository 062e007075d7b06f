//! The details view: every property, the value (masked until asked for; JSON
//! re-indented from its own tokens, or as stored) and the versions of the
//! secret. Every stored string is drawn through `visible`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, Wrap};
use secrecy::ExposeSecret;

use super::visible::{fit, value_lines, visible, visible_field, visible_tags};
use super::{Theme, UiState, follow};
use crate::app::format::days_until;
use crate::app::keymap::{Action, Mode};
use crate::app::{Details, Model};

fn pair<'a>(label: &'a str, value: String, theme: &Theme) -> Vec<Span<'a>> {
    vec![
        Span::styled(format!("{label:<15}"), theme.label()),
        Span::raw(value),
    ]
}

/// Two properties side by side, each half the width (in display columns).
/// Two properties side by side, or one under the other when either value
/// would be cut (a narrow screen never cuts a date).
fn two<'a>(
    half: usize,
    a: (&'a str, String),
    b: (&'a str, String),
    theme: &Theme,
) -> Vec<Line<'a>> {
    let left_w = half.saturating_sub(15);
    let fits = |v: &str| super::visible::width(v) < left_w;
    if !fits(&a.1) || !fits(&b.1) {
        return vec![
            Line::from(pair(a.0, a.1, theme)),
            Line::from(pair(b.0, b.1, theme)),
        ];
    }
    let mut left = fit(&a.1, left_w.saturating_sub(1));
    left.push_str(&" ".repeat(usize::from(left_w > 0)));
    let mut spans = pair(a.0, left, theme);
    spans.extend(pair(b.0, b.1, theme));
    vec![Line::from(spans)]
}

fn yes_no(b: bool) -> String {
    if b { "yes".to_owned() } else { "no".to_owned() }
}

/// A long property over several lines, the continuation under the value,
/// so every tag shows.
fn wrapped(label: &'static str, value: &str, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let room = usize::from(width).saturating_sub(2 + 15).max(1);
    let mut lines = Vec::new();
    let mut rest = value;
    loop {
        let cut = fit(rest, room).trim_end().len().max(1).min(rest.len());
        let cut = (0..=cut)
            .rev()
            .find(|&i| rest.is_char_boundary(i))
            .unwrap_or(0);
        let (head, tail) = rest.split_at(cut.max(rest.chars().next().map_or(0, char::len_utf8)));
        let shown = if lines.is_empty() { label } else { "" };
        lines.push(Line::from(pair(shown, head.to_owned(), theme)));
        rest = tail;
        if rest.is_empty() {
            return lines;
        }
    }
}

/// Like `wrapped`, breaking lines after `, ` so a tag stays whole on its
/// line when it fits in one.
fn wrapped_at_commas(
    label: &'static str,
    value: &str,
    width: u16,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let room = usize::from(width).saturating_sub(2 + 15).max(1);
    let mut rows: Vec<String> = vec![String::new()];
    for piece in value.split_inclusive(", ") {
        let used = rows.last().map_or(0, |r| super::visible::width(r));
        if used > 0 && used + super::visible::width(piece.trim_end()) > room {
            rows.push(String::new());
        }
        if let Some(row) = rows.last_mut() {
            row.push_str(piece);
        }
    }
    let mut lines = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let label = if i == 0 { label } else { "" };
        // A piece wider than the room still wraps inside itself.
        lines.extend(wrapped(label, row.trim_end(), width, theme));
    }
    lines
}

/// The property lines of the box at the top, the deleted state included:
/// what identifies the secret and what people look for (content type,
/// tags) first, since a small screen shows only the first few.
fn property_lines(model: &Model, d: &Details, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let p = &d.props;
    let half = (width as usize).saturating_sub(2) / 2;
    let mut lines = vec![
        Line::from(pair("Id", visible(&p.id).into_owned(), theme)),
        Line::from(pair(
            "Version",
            p.version
                .as_deref()
                .map_or_else(|| "latest".to_owned(), |v| visible(v).into_owned()),
            theme,
        )),
    ];
    let content_type = visible_field(p.content_type.as_deref().unwrap_or_default());
    lines.extend(wrapped("Content type", &content_type, width, theme));
    lines.extend(wrapped_at_commas(
        "Tags",
        &visible_tags(&p.tags),
        width,
        theme,
    ));
    let z = &model.zone;
    lines.extend(two(
        half,
        ("Enabled", yes_no(p.enabled)),
        ("Managed", yes_no(p.managed)),
        theme,
    ));
    lines.extend(two(
        half,
        ("Created", z.date_time(p.created)),
        ("Updated", z.date_time(p.updated)),
        theme,
    ));
    lines.extend(two(
        half,
        ("Not before", z.date_time(p.not_before)),
        ("Expires", z.date_time(p.expires)),
        theme,
    ));
    let recoverable = p
        .recoverable_days
        .map(|n| format!("{n} days"))
        .unwrap_or_default();
    let not_yet = yes_no(p.not_before.is_some_and(|nb| nb > model.now));
    lines.extend(two(
        half,
        ("Recoverable", recoverable),
        ("Not yet valid", not_yet),
        theme,
    ));
    lines.push(Line::from(pair(
        "Recovery level",
        visible(p.recovery_level.as_deref().unwrap_or_default()).into_owned(),
        theme,
    )));
    if let Some(del) = &d.deleted {
        let left = del
            .scheduled_purge_date
            .map(|s| format!(" ({}d left)", days_until(model.now, s)))
            .unwrap_or_default();
        lines.extend(two(
            half,
            ("Deleted", z.date_time(del.deleted_date)),
            (
                "Purge on",
                format!("{}{left}", z.date_time(del.scheduled_purge_date)),
            ),
            theme,
        ));
        lines.push(Line::from(pair(
            "Recovery id",
            visible(del.recovery_id.as_deref().unwrap_or_default()).into_owned(),
            theme,
        )));
        if !crate::app::protections::purgeable(del) {
            lines.push(Line::styled(
                "Purge protection: Key Vault purges it on that date; nobody can purge it sooner.",
                theme.warn(),
            ));
        }
    }
    if p.managed {
        lines.push(Line::styled(
            "A certificate owns this secret: read-only here; change it through the certificate.",
            theme.warn(),
        ));
    }
    lines
}

/// The properties box: its lines from `d.props_scroll`, and how many more
/// there are below when the screen cuts them (recorded for `J`).
fn render_props(
    frame: &mut Frame,
    area: Rect,
    (lines, block): (Vec<Line<'static>>, Block<'static>),
    d: &Details,
    state: &mut UiState,
    theme: &Theme,
) {
    let inner = usize::from(area.height.saturating_sub(2));
    let overflow = lines.len().saturating_sub(inner);
    state.props_overflow = overflow;
    let first = d.props_scroll.min(overflow);
    let below = overflow - first;
    let mut block = block;
    if first > 0 || below > 0 {
        let text = match (first, below) {
            (0, n) => format!(" ↓ {n} more · J "),
            (_, 0) => " ↑ K ".to_owned(),
            (_, n) => format!(" ↑↓ {n} more · J/K "),
        };
        block = block.title_bottom(Line::styled(text, theme.dim()).right_aligned());
    }
    let shown: Vec<Line> = lines.into_iter().skip(first).collect();
    frame.render_widget(Paragraph::new(shown).block(block), area);
}

pub(super) fn render(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    d: &Details,
    state: &mut UiState,
    theme: &Theme,
) {
    let p = &d.props;
    let lines = property_lines(model, d, area.width, theme);
    let name = visible(&p.name);
    let title = match (&d.deleted, d.is_version()) {
        (Some(_), _) => format!(" Deleted secret {name} "),
        (None, true) => format!(
            " {name} · version {} ",
            visible(p.version.as_deref().unwrap_or(""))
        ),
        (None, false) => format!(" {name} "),
    };
    // On a small screen the value keeps three rows and the versions four
    // (borders, their header and at least one version).
    let reserved = if d.deleted.is_some() {
        0
    } else if d.is_version() {
        3
    } else {
        7
    };
    let props_h = (lines.len() as u16 + 2).min(area.height.saturating_sub(reserved).max(3));
    let props_block = Block::bordered()
        .title(title)
        .border_style(theme.border(false));
    if d.deleted.is_some() {
        render_props(frame, area, (lines, props_block), d, state, theme);
        return;
    }
    // What is left is shared evenly, the versions never under four rows.
    let rest = area.height.saturating_sub(props_h);
    let versions_h = if d.is_version() {
        0
    } else {
        (rest / 2).max(4).min(rest.saturating_sub(3))
    };
    let [props_area, value_area, versions_area] = Layout::vertical([
        Constraint::Length(props_h),
        Constraint::Length(rest - versions_h),
        Constraint::Length(versions_h),
    ])
    .areas(area);
    render_props(frame, props_area, (lines, props_block), d, state, theme);
    render_value(frame, value_area, (model, d), state, theme);
    if !d.is_version() {
        render_versions(frame, versions_area, (model, d), state, theme);
    }
}

fn render_value(
    frame: &mut Frame,
    area: Rect,
    (model, d): (&Model, &Details),
    state: &mut UiState,
    theme: &Theme,
) {
    let key = model
        .keymap
        .key_for(Mode::Details, Action::ShowValue)
        .map(|k| k.to_string())
        .unwrap_or_else(|| "s".to_owned());
    let pretty = d.pretty.as_ref().filter(|_| !d.raw);
    let title = match (&d.value, &d.pretty, d.shown) {
        (Some(_), Some(_), true) => {
            let toggle = model
                .keymap
                .key_for(Mode::Details, Action::TogglePretty)
                .map(|k| format!(", {k} toggles"))
                .unwrap_or_default();
            let layout = if pretty.is_some() {
                "JSON re-indented"
            } else {
                "as stored"
            };
            format!(" Value ({layout}{toggle}) ")
        }
        _ => " Value ".to_owned(),
    };
    let mut block = Block::bordered().title(title).border_style(theme.dim());
    let para = match (&d.value, d.shown) {
        (Some(value), true) => {
            let text = pretty.unwrap_or(value).expose_secret();
            let para = Paragraph::new(value_lines(text, theme.marker())).wrap(Wrap { trim: false });
            let inner = block.inner(area);
            let total = para.line_count(inner.width);
            let overflow = total.saturating_sub(usize::from(inner.height));
            state.value_overflow = overflow;
            let first = usize::from(d.scroll).min(overflow);
            if overflow > 0 {
                // Where the view is: its last line of the value's lines.
                let last = (first + usize::from(inner.height)).min(total);
                let pos = format!(" {last}/{total} lines · PgDn/PgUp ");
                block = block.title_bottom(Line::styled(pos, theme.dim()).right_aligned());
            }
            para.scroll((super::clamp16(first), 0))
        }
        (None, true) if d.value_req.is_some() => Paragraph::new("fetching…").style(theme.dim()),
        _ => Paragraph::new(Line::from(vec![
            Span::raw("••••••••••••"),
            Span::styled(format!("   press {key} to show"), theme.dim()),
        ])),
    };
    frame.render_widget(para.block(block), area);
}

fn render_versions(
    frame: &mut Frame,
    area: Rect,
    (model, d): (&Model, &Details),
    state: &mut UiState,
    theme: &Theme,
) {
    if let Some(reason) = &d.versions_error {
        let block = Block::bordered()
            .title(" Versions (could not load) ")
            .border_style(theme.dim());
        let retry = model
            .keymap
            .key_for(Mode::Details, Action::Refresh)
            .map(|k| format!(" · {k} retry"))
            .unwrap_or_default();
        let text = format!("could not list versions: {}{retry}", visible(reason));
        let para = Paragraph::new(text)
            .style(theme.error())
            .wrap(Wrap { trim: true });
        frame.render_widget(para.block(block), area);
        return;
    }
    let n = d.versions.len();
    let title = match (d.versions_req.is_some(), d.versions_next.is_some()) {
        (true, _) if n == 0 => " Versions (loading…) ".to_owned(),
        (true, _) => format!(" Versions ({n} loaded, loading more…) "),
        (false, true) => format!(" Versions ({n} loaded, more as you scroll) "),
        (false, false) => format!(" Versions ({n}) "),
    };
    let current = d.current_version();
    let legend = match (current.is_some(), d.marked_versions.is_empty()) {
        (true, true) => " ● current ",
        (true, false) => " ● current  * marked ",
        (false, false) => " * marked ",
        (false, true) => "",
    };
    let mut block = Block::bordered()
        .title(title)
        .title_bottom(Line::styled(legend, theme.dim()))
        .border_style(theme.dim());
    if !d.versions.is_empty() {
        let pos = format!(" {}/{} ", d.version_sel + 1, d.versions.len());
        block = block.title(Line::from(pos).right_aligned());
    }
    let h = area.height.saturating_sub(3) as usize;
    follow(
        &mut state.versions_offset,
        d.version_sel,
        h,
        d.versions.len(),
    );
    let start = state.versions_offset.min(d.versions.len());
    let end = (start + h).min(d.versions.len());
    let rows = d.versions[start..end].iter().enumerate().map(|(i, v)| {
        let style = if start + i == d.version_sel {
            theme.selected()
        } else if !v.enabled {
            theme.dim()
        } else {
            Style::new()
        };
        let id = v.version.as_deref().unwrap_or_default();
        let marked = d.marked_versions.iter().any(|m| m == id);
        let lead = format!(
            "{}{}",
            if current == Some(start + i) {
                '●'
            } else {
                ' '
            },
            if marked { '*' } else { ' ' }
        );
        Row::new(vec![
            Cell::from(lead),
            Cell::from(visible(id).into_owned()),
            Cell::from(yes_no(v.enabled)),
            Cell::from(model.zone.date_time_secs(v.created)),
            Cell::from(model.zone.date_time(v.expires)),
        ])
        .style(style)
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(2),
            Constraint::Length(32),
            Constraint::Length(3),
            Constraint::Length(19),
            Constraint::Length(16),
        ],
    )
    .header(Row::new(["", "Version", "On", "Created", "Expires"]).style(theme.header()))
    .block(block);
    frame.render_widget(table, area);
}
