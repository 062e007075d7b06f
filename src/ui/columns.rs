//! List columns that give way to the name: when the screen is narrow,
//! columns go in a fixed order (each column's `drop`) before the name
//! shrinks, and text cut to its column ends in `…`.

use ratatui::layout::Constraint;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};
use unicode_width::UnicodeWidthChar;

use super::Theme;
use super::visible::stand_in;
use crate::app::lists::matching::match_positions;

/// Columns between cells.
const SPACING: u16 = 1;

/// The most a name asks for before other columns stay anyway.
const NAME_MAX: usize = 48;

/// One column besides the name: its header, width and when it goes
/// (1 first; 0 never).
#[derive(Debug, Clone, Copy)]
pub(super) struct Col {
    pub title: &'static str,
    pub width: u16,
    pub drop: u8,
}

/// The columns kept at `width`: the marker, the name, then `cols` in order.
pub(super) struct Fitted {
    pub keep: Vec<bool>,
    pub name_width: u16,
}

impl Fitted {
    /// Drops columns by their `drop` order until the name has the `need`ed
    /// columns (or nothing more can go).
    pub fn new(cols: &[Col], width: u16, need: u16) -> Self {
        let mut keep = vec![true; cols.len()];
        let name_width = |keep: &[bool]| {
            let others: u16 = cols
                .iter()
                .zip(keep)
                .filter(|(_, k)| **k)
                .map(|(c, _)| c.width + SPACING)
                .sum();
            width.saturating_sub(2 + SPACING + others)
        };
        let mut order: Vec<usize> = (0..cols.len()).filter(|&i| cols[i].drop > 0).collect();
        order.sort_by_key(|&i| cols[i].drop);
        for i in order {
            if name_width(&keep) >= need {
                break;
            }
            keep[i] = false;
        }
        let name_width = name_width(&keep);
        Self { keep, name_width }
    }

    pub fn widths(&self, cols: &[Col]) -> Vec<Constraint> {
        let mut out = vec![Constraint::Length(2), Constraint::Fill(1)];
        out.extend(
            cols.iter()
                .zip(&self.keep)
                .filter(|(_, k)| **k)
                .map(|(c, _)| Constraint::Length(c.width)),
        );
        out
    }

    pub fn header(&self, cols: &[Col], theme: &Theme) -> Row<'static> {
        let mut cells = vec!["", "Name"];
        cells.extend(
            cols.iter()
                .zip(&self.keep)
                .filter(|(_, k)| **k)
                .map(|(c, _)| c.title),
        );
        Row::new(cells).style(theme.header())
    }

    /// A row from the marker, the name and every column's text (those
    /// dropped are left out; each is cut to its width with `…`).
    pub fn row<'a>(
        &self,
        cols: &[Col],
        lead: String,
        name: Line<'a>,
        cells: Vec<String>,
    ) -> Row<'a> {
        let mut out = vec![Cell::from(lead), Cell::from(name)];
        for ((col, keep), text) in cols.iter().zip(&self.keep).zip(cells) {
            if *keep {
                let text = super::visible::ellipsis(&text, usize::from(col.width)).into_owned();
                out.push(Cell::from(text));
            }
        }
        Row::new(out)
    }
}

/// The columns the longest of `names` (those on screen) takes, capped.
pub(super) fn name_need<'a>(names: impl Iterator<Item = &'a str>) -> u16 {
    let longest = names
        .map(|n| super::visible::width(&super::visible::visible(n)))
        .max()
        .unwrap_or(0);
    super::clamp16(longest.clamp(4, NAME_MAX))
}

/// The name, made visible, with the filter's matched characters highlighted
/// (a hidden character that matched highlights its stand-in), cut to `max`
/// columns with `…`.
pub(super) fn highlighted(name: &str, filter: &str, max: u16, theme: &Theme) -> Line<'static> {
    let hits = if filter.is_empty() {
        Vec::new()
    } else {
        match_positions(filter, name)
    };
    let max = usize::from(max);
    let total = super::visible::width(&super::visible::visible(name));
    let limit = if total <= max {
        max
    } else {
        max.saturating_sub(1)
    };
    let mut spans = Vec::new();
    let mut used = 0;
    for (i, c) in name.chars().enumerate() {
        let text = stand_in(c).unwrap_or_else(|| c.to_string());
        let w: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
        if used + w > limit {
            spans.push(Span::raw("…"));
            break;
        }
        used += w;
        let style = if hits.binary_search(&(i as u32)).is_ok() {
            theme.matched()
        } else {
            Style::new()
        };
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}
