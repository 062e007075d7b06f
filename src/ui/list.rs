//! The secret list and the deleted list. Only the rows on screen are built,
//! so a frame costs the same for 100 or 100,000 secrets.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};
use time::Duration;

use super::columns::{Col, Fitted, highlighted, name_need};
use super::visible::{ellipsis, visible, visible_field};
use super::{Theme, UiState, clamp16, follow};
use crate::app::format::{ago, days_until};
use crate::app::keymap::{Action, Mode};
use crate::app::lists::rows::{ListRow, ListView, Rows};
use crate::app::{Model, View};
use crate::vault::{DeletedSecret, SecretProps};

pub(super) fn render_tabs(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    state: &mut UiState,
    theme: &Theme,
) {
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
    let mut x = area.x;
    state.tabs.clear();
    for view in View::ALL {
        if !spans.is_empty() {
            spans.push(Span::raw(" "));
            x = x.saturating_add(1);
        }
        let label = format!("{} ({})", view.title(), count(model.list_of(view)));
        let span = tab(label, model.view == view);
        let end = x.saturating_add(clamp16(span.width()));
        state.tabs.push((x..end.min(area.right()), view));
        x = end;
        spans.push(span);
    }
    let list = model.list();
    let (sort, filter, marked) = (list.sort(), list.filter(), list.marked_count());
    let reversed = if list.reversed() { " (reversed)" } else { "" };
    spans.push(Span::styled(
        format!("  sort: {}{reversed}", sort.label()),
        theme.dim(),
    ));
    if !filter.is_empty() && model.filter_input.is_none() {
        spans.push(Span::styled(
            format!("  filter: {}", visible(filter)),
            theme.matched(),
        ));
    }
    if marked > 0 {
        let hidden = match list.hidden_marked() {
            0 => String::new(),
            n => format!(" ({n} hidden)"),
        };
        spans.push(Span::styled(
            format!("  {marked} marked{hidden}"),
            theme.warn(),
        ));
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
    // Selected (`/` on a filter): the first character typed replaces it.
    let text_style = if model.filter_selected {
        Style::new().add_modifier(ratatui::style::Modifier::REVERSED)
    } else {
        Style::new()
    };
    let line = Line::from(vec![
        Span::styled("/", theme.accent()),
        Span::styled(visible(input.value()).into_owned(), text_style),
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

/// Expired red, expiring within 30 days yellow, disabled or not yet valid
/// dimmed.
fn row_style(p: &SecretProps, model: &Model, theme: &Theme) -> Style {
    let mut style = Style::new();
    if let Some(exp) = p.expires {
        if exp <= model.now {
            style = style.patch(theme.error());
        } else if exp <= model.now + Duration::days(30) {
            style = style.patch(theme.warn());
        }
    }
    // Not yet valid reads like disabled: it cannot be used yet.
    if !p.enabled || p.not_before.is_some_and(|nb| nb > model.now) {
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
        let fix = if model.is_local() {
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
        let title = if list.is_partial() {
            // The listing stopped early: some rows may be missing.
            format!(" partial · {retry} lists again in place · stopped: {reason}")
        } else {
            format!(" stale{age} · {retry} retry · could not reload: {reason}")
        };
        let room = usize::from(width).saturating_sub(pos_w);
        let title = format!("{} ", ellipsis(&visible(&title), room.saturating_sub(1)));
        block = block.title(Line::styled(title, theme.warn()));
    } else if let Some(saved) = list.cached_at().filter(|_| list.total() > 0) {
        // Rows from the list cache, until a listing has replaced them.
        let state = if list.is_loading() {
            " · refreshing"
        } else {
            ""
        };
        let title = format!(" cached{state} · saved {} ", ago(model.now, saved));
        let room = usize::from(width).saturating_sub(pos_w);
        block = block.title(Line::styled(
            ellipsis(&title, room).into_owned(),
            theme.dim(),
        ));
    } else if let Some(reason) = list.selected_props().and_then(|p| {
        crate::app::lists::matching::match_reasons(list.filter(), [p])
            .pop()
            .flatten()
    }) {
        // Why the selected row matched, when its name did not.
        let room = usize::from(width).saturating_sub(pos_w + 1);
        let title = format!(" matched {reason}");
        let title = format!("{} ", ellipsis(&visible(&title), room));
        block = block.title(Line::styled(title, theme.matched()));
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
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
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

/// The two-column lead of a row: the mark, then a state a reader without
/// colour can see (`x` expired, `!` expiring soon, `>` not yet valid, `c` a
/// certificate's secret).
fn lead(marked: bool, p: &SecretProps, model: &Model) -> String {
    let mark = if marked { '●' } else { ' ' };
    let state = if p.expires.is_some_and(|e| e <= model.now) {
        'x'
    } else if p
        .expires
        .is_some_and(|e| e <= model.now + Duration::days(30))
    {
        '!'
    } else if p.not_before.is_some_and(|nb| nb > model.now) {
        '>'
    } else if p.managed {
        // A certificate's secret, shown only after `C`.
        'c'
    } else {
        ' '
    };
    format!("{mark}{state}")
}

/// The Expiring view's columns; `On` goes first, then the date.
const EXPIRING: [Col; 3] = [
    Col {
        title: "On",
        width: 3,
        drop: 1,
    },
    Col {
        title: "Expires",
        width: 16,
        drop: 2,
    },
    Col {
        title: "Days left",
        width: 16,
        drop: 0,
    },
];

fn render_expiring(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    state: &mut UiState,
    theme: &Theme,
) {
    let days = usize::try_from(model.expiring_days()).unwrap_or(0);
    let within = crate::app::format::count(days, "day", "days");
    let what = if model.slot().no_expiry {
        format!("secret expires within {within}, and every one has an expiry date")
    } else {
        let more = key(model, Action::ToggleNoExpiry);
        format!(
            "secret expired or expires within {within} ({more} also lists those with no expiry)"
        )
    };
    let look = RowLook {
        lead: &|p: &SecretProps, marked| lead(marked, p, model),
        style: &|p: &SecretProps| row_style(p, model, theme),
        cells: &|p: &SecretProps| {
            vec![
                yes_no(p.enabled),
                model.zone.date_time(p.expires),
                days_left(p, model),
            ]
        },
    };
    let list = (model.expiring(), what.as_str(), &EXPIRING[..]);
    render_table(
        frame,
        area,
        (model, state, View::Expiring),
        list,
        look,
        theme,
    );
}

/// How one view draws a row: its two-column lead, its colours and its cells.
struct RowLook<'f, T> {
    lead: &'f dyn Fn(&T, bool) -> String,
    style: &'f dyn Fn(&T) -> Style,
    cells: &'f dyn Fn(&T) -> Vec<String>,
}

/// One list as a table: the window that keeps the selection in view, the
/// columns fitted around the names on screen, each row, the rule above.
fn render_table<T: ListRow>(
    frame: &mut Frame,
    area: Rect,
    (model, state, view): (&Model, &mut UiState, View),
    (rows, what, cols): (&Rows<T>, &str, &[Col]),
    look: RowLook<'_, T>,
    theme: &Theme,
) {
    let Some((start, end)) = window(frame, area, rows, (model, state, view), what, theme) else {
        return;
    };
    let shown = &rows.visible[start..end];
    // Why each row matched the filter when its name did not, shown after it.
    let reasons = crate::app::lists::matching::match_reasons(
        &rows.filter,
        shown.iter().map(|&i| rows.items[i].props()),
    );
    let fit = Fitted::new(
        cols,
        area.width,
        name_need(shown.iter().map(|&i| rows.items[i].name())),
    );
    let table_rows = shown.iter().enumerate().map(|(i, &idx)| {
        let item = &rows.items[idx];
        let mut style = (look.style)(item);
        if start + i == rows.selected {
            style = style.patch(theme.selected());
        }
        let mut name = highlighted(item.name(), &rows.filter, fit.name_width, theme);
        if let Some(reason) = &reasons[i] {
            with_reason(&mut name, reason, fit.name_width, theme);
        }
        let lead = (look.lead)(item, rows.marked.contains(&item.props().name));
        fit.row(cols, lead, name, (look.cells)(item)).style(style)
    });
    let block = rule(model, rows, area.width, theme);
    draw_table(frame, area, (table_rows, &fit, cols), block, theme);
}

/// Adds why a row matched after its name, dimmed, in the room the name
/// leaves (the name is never cut for it).
fn with_reason(name: &mut Line<'static>, reason: &str, max: u16, theme: &Theme) {
    let room = usize::from(max).saturating_sub(name.width() + 3);
    if room >= 6 {
        let text = ellipsis(&visible(reason), room).into_owned();
        name.spans
            .push(Span::styled(format!(" · {text}"), theme.dim()));
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

/// Draws the rows under the fitted header.
fn draw_table<'a>(
    frame: &mut Frame,
    area: Rect,
    (rows, fit, cols): (impl IntoIterator<Item = Row<'a>>, &Fitted, &[Col]),
    block: Block<'a>,
    theme: &Theme,
) {
    let table = Table::new(rows, fit.widths(cols))
        .header(fit.header(cols, theme))
        .column_spacing(1)
        .block(block);
    frame.render_widget(table, area);
}

/// The Secrets view's columns, dropped in the order Tags, Content type,
/// Updated, Expires before the name shrinks.
fn secrets_cols(width: u16) -> [Col; 5] {
    [
        Col {
            title: "On",
            width: 3,
            drop: 5,
        },
        Col {
            title: "Content type",
            width: if width >= 110 { 24 } else { 16 },
            drop: 2,
        },
        Col {
            title: "Updated",
            width: 16,
            drop: 3,
        },
        Col {
            title: "Expires",
            width: 16,
            drop: 4,
        },
        Col {
            title: "Tags",
            width: 4,
            drop: 1,
        },
    ]
}

fn render_secrets(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    state: &mut UiState,
    theme: &Theme,
) {
    let cols = secrets_cols(area.width);
    let look = RowLook {
        lead: &|p: &SecretProps, marked| lead(marked, p, model),
        style: &|p: &SecretProps| row_style(p, model, theme),
        cells: &|p: &SecretProps| {
            let tags = if p.tags.is_empty() {
                String::new()
            } else {
                p.tags.len().to_string()
            };
            vec![
                yes_no(p.enabled),
                visible_field(p.content_type.as_deref().unwrap_or_default()).into_owned(),
                model.zone.date_time(p.updated),
                model.zone.date_time(p.expires),
                tags,
            ]
        },
    };
    let list = (model.secrets(), "secrets (n creates one)", &cols[..]);
    render_table(
        frame,
        area,
        (model, state, View::Secrets),
        list,
        look,
        theme,
    );
}

/// The Deleted view's columns: the Recovery id goes before anything else.
const DELETED: [Col; 4] = [
    Col {
        title: "Deleted",
        width: 16,
        drop: 2,
    },
    Col {
        title: "Purge on",
        width: 16,
        drop: 4,
    },
    Col {
        title: "Days",
        width: 4,
        drop: 3,
    },
    Col {
        title: "Recovery id",
        width: 40,
        drop: 1,
    },
];

fn render_deleted(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    state: &mut UiState,
    theme: &Theme,
) {
    let look = RowLook {
        lead: &|_: &DeletedSecret, marked| if marked { "● " } else { "  " }.to_owned(),
        style: &|_: &DeletedSecret| Style::new(),
        cells: &|d: &DeletedSecret| {
            let days = d
                .scheduled_purge_date
                .map(|p| days_until(model.now, p).to_string())
                .unwrap_or_default();
            vec![
                model.zone.date_time(d.deleted_date),
                model.zone.date_time(d.scheduled_purge_date),
                days,
                visible(id_tail(d.recovery_id.as_deref().unwrap_or_default())).into_owned(),
            ]
        },
    };
    let list = (model.deleted(), "deleted secrets", &DELETED[..]);
    render_table(
        frame,
        area,
        (model, state, View::Deleted),
        list,
        look,
        theme,
    );
}

/// The part of an id after its vault (`/deletedsecrets/NAME`): the column is
/// narrow, and every row shares the scheme and host.
fn id_tail(id: &str) -> &str {
    match id.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or(id, |i| &rest[i..]),
        None => id,
    }
}
