//! The comparison of two versions: the properties that differ, then (once
//! asked) the values as a line diff, `-` for the older side and `+` for the
//! newer. Every stored string is drawn through `visible`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table};
use secrecy::ExposeSecret;

use super::Theme;
use super::visible::visible;
use crate::app::details::compare::{Compare, LineTag, ValueView, prop_changes};
use crate::app::keymap::{Action, Mode};
use crate::app::{Details, Model};

pub(super) fn render(
    frame: &mut Frame,
    area: Rect,
    model: &Model,
    d: &Details,
    c: &Compare,
    theme: &Theme,
) {
    let changes = prop_changes(&c.old.props, &c.new.props, &model.zone);
    let props_h = (changes.len().max(1) as u16 + 3).min(area.height.saturating_sub(3));
    let [props_area, value_area] =
        Layout::vertical([Constraint::Length(props_h), Constraint::Fill(1)]).areas(area);
    let title = format!(
        " Compare {}: {} → {} ",
        visible(&d.props.name),
        c.old.label,
        c.new.label
    );
    let block = Block::bordered()
        .title(title)
        .border_style(theme.border(false));
    if changes.is_empty() {
        let same = "content type, tags, enabled and dates are the same";
        let para = Paragraph::new(Line::styled(same, theme.dim())).block(block);
        frame.render_widget(para, props_area);
    } else {
        let rows = changes.iter().map(|ch| {
            Row::new(vec![
                Cell::from(Span::styled(ch.label, theme.label())),
                Cell::from(visible(&ch.old).into_owned()),
                Cell::from(visible(&ch.new).into_owned()),
            ])
        });
        let half = area.width.saturating_sub(2 + 15 + 2) / 2;
        let table = Table::new(
            rows,
            [
                Constraint::Length(14),
                Constraint::Length(half),
                Constraint::Length(half),
            ],
        )
        .header(
            Row::new(vec![
                "Differs".to_owned(),
                c.old.label.clone(),
                c.new.label.clone(),
            ])
            .style(theme.header()),
        )
        .block(block);
        frame.render_widget(table, props_area);
    }
    render_values(frame, value_area, model, c, theme);
}

fn render_values(frame: &mut Frame, area: Rect, model: &Model, c: &Compare, theme: &Theme) {
    let key = model
        .keymap
        .key_for(Mode::Compare, Action::ShowValue)
        .map(|k| k.to_string())
        .unwrap_or_else(|| "s".to_owned());
    let mut title = " Values ".to_owned();
    let para = if !c.values_asked {
        Paragraph::new(Line::from(vec![
            Span::raw("••••••••••••"),
            Span::styled(format!("   press {key} to compare the values"), theme.dim()),
        ]))
    } else if let Some(error) = &c.error {
        Paragraph::new(format!("could not read a value: {}", visible(error))).style(theme.error())
    } else {
        match &c.values {
            None => Paragraph::new("fetching…").style(theme.dim()),
            Some(ValueView::Identical) => Paragraph::new("values are identical").style(theme.ok()),
            Some(ValueView::Diff(diff)) => {
                let layout = if diff.as_json {
                    "JSON re-indented"
                } else {
                    "as stored"
                };
                let n = diff.changed;
                title = format!(
                    " Values ({layout}; {n} line{} differ{}) ",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "s" } else { "" }
                );
                let old: Vec<&str> = diff.old.expose_secret().lines().collect();
                let new: Vec<&str> = diff.new.expose_secret().lines().collect();
                let rows = usize::from(area.height.saturating_sub(2));
                let lines: Vec<Line> = diff
                    .lines
                    .iter()
                    .skip(c.scroll)
                    .take(rows)
                    .map(|l| {
                        let (mark, text, style) = match l.tag {
                            LineTag::Same => (' ', old.get(l.line), ratatui::style::Style::new()),
                            LineTag::Removed => ('-', old.get(l.line), theme.error()),
                            LineTag::Added => ('+', new.get(l.line), theme.ok()),
                        };
                        let text = visible(text.copied().unwrap_or_default()).into_owned();
                        Line::styled(format!("{mark} {text}"), style)
                    })
                    .collect();
                Paragraph::new(lines)
            }
        }
    };
    let block = Block::bordered().title(title).border_style(theme.dim());
    frame.render_widget(para.block(block), area);
}
