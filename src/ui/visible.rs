//! What is drawn is what is stored: characters a terminal would hide, move
//! the cursor with or reorder are replaced by visible stand-ins before any
//! width is measured. Tabs, CR and other C0 controls become their control
//! pictures (`␉`, `␍`, U+2400 + code), DEL `␡`; C1 controls, zero-width and
//! bidi controls become `<U+XXXX>`. Spaces at the edges of a field, and at
//! the end of a value's lines, become `␣`.

pub use crate::shown::{
    SPACE_MARK, ellipsis, fit, stand_in, visible, visible_field, visible_tags, width,
};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Stands in for a line break at the very start or end of a value.
pub const LINE_BREAK_MARK: char = '␊';

/// What an empty value shows.
pub const EMPTY_VALUE: &str = "(empty)";

/// A value as lines to draw. Runs of ordinary characters borrow from
/// `text` (no copy of the secret is made); stand-ins are separate spans in
/// `mark`. Spaces and line breaks at the very start or end of the value,
/// and spaces at the end of any line, are marked; an empty value reads
/// `(empty)`.
pub fn value_lines(text: &str, mark: Style) -> Vec<Line<'_>> {
    if text.is_empty() {
        return vec![Line::from(Span::styled(EMPTY_VALUE, mark))];
    }
    let is_edge_ws = |c: char| c == ' ' || c == '\n';
    let lead_end = text.len() - text.trim_start_matches(is_edge_ws).len();
    let trail_start = text.trim_end_matches(is_edge_ws).len();
    let at_edge = |i: usize| i < lead_end || i >= trail_start;

    let mut lines = Vec::new();
    let mut offset = 0;
    let mut segments = text.split('\n').peekable();
    while let Some(line) = segments.next() {
        // Spaces before a CRLF's CR are trailing too.
        let content = line.strip_suffix('\r').unwrap_or(line);
        let line_trail = content.trim_end_matches(' ').len();
        let mut spans: Vec<Span<'_>> = Vec::new();
        let mut run = 0;
        for (i, c) in line.char_indices() {
            let shown = if c == ' ' && (at_edge(offset + i) || i >= line_trail) {
                Some(SPACE_MARK.to_string())
            } else {
                stand_in(c)
            };
            if let Some(shown) = shown {
                if run < i {
                    spans.push(Span::raw(&line[run..i]));
                }
                spans.push(Span::styled(shown, mark));
                run = i + c.len_utf8();
            }
        }
        if run < line.len() {
            spans.push(Span::raw(&line[run..]));
        }
        let break_at = offset + line.len();
        if segments.peek().is_some() && at_edge(break_at) {
            spans.push(Span::styled(LINE_BREAK_MARK.to_string(), mark));
        }
        lines.push(Line::from(spans));
        offset = break_at + 1;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn plain(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn controls_become_pictures() {
        assert_eq!(visible("a\tb\rc\nd"), "a␉b␍c␊d");
        assert_eq!(visible("\u{0}\u{1b}[31m\u{7f}"), "␀␛[31m␡");
        assert_eq!(visible("x\u{85}y"), "x<U+0085>y");
    }

    #[test]
    fn zero_width_and_bidi_become_code_points() {
        for c in [
            '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{202A}', '\u{202B}',
            '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
            '\u{200E}', '\u{200F}', '\u{061C}',
        ] {
            let shown = visible(&format!("a{c}b")).into_owned();
            assert_eq!(shown, format!("a<U+{:04X}>b", u32::from(c)));
        }
        assert_eq!(visible("pass\u{202E}txt.exe"), "pass<U+202E>txt.exe");
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for s in ["plain", "ünïcödé ✓ 日本", "emoji 🔑", ""] {
            assert!(matches!(visible(s), Cow::Borrowed(b) if b == s));
        }
    }

    #[test]
    fn fields_mark_edge_spaces_only() {
        assert_eq!(visible_field(" a b  "), "␣a b␣␣");
        assert_eq!(visible_field("   "), "␣␣␣");
        assert_eq!(visible_field("a\tb"), "a␉b");
        assert_eq!(visible_field(""), "");
    }

    #[test]
    fn tags_show_their_spaces_and_controls() {
        let mut tags = std::collections::BTreeMap::new();
        tags.insert("hosts".to_owned(), "a.example, b.example ".to_owned());
        tags.insert("owner\u{200B}".to_owned(), "ops".to_owned());
        assert_eq!(
            visible_tags(&tags),
            "hosts=a.example, b.example␣, owner<U+200B>=ops"
        );
    }

    #[test]
    fn values_keep_lines_and_mark_what_is_hidden() {
        let style = Style::new();
        assert_eq!(plain(&value_lines("", style)), ["(empty)"]);
        assert_eq!(plain(&value_lines("  pw ", style)), ["␣␣pw␣"]);
        assert_eq!(
            plain(&value_lines("a: 1 \r\n\tb: 2\n", style)),
            ["a: 1␣␍", "␉b: 2␊", ""]
        );
        assert_eq!(
            plain(&value_lines("\n  indented\nend", style)),
            ["␊", "␣␣indented", "end"]
        );
        assert_eq!(plain(&value_lines("x\u{200D}y", style)), ["x<U+200D>y"]);
    }

    #[test]
    fn value_runs_borrow_the_secret() {
        let text = String::from("abc\tdef");
        let lines = value_lines(&text, Style::new());
        let first = &lines[0].spans[0].content;
        assert!(matches!(first, Cow::Borrowed("abc")));
    }

    #[test]
    fn widths_count_columns() {
        assert_eq!(width("日本"), 4);
        assert_eq!(fit("日本語", 5), "日本 ");
        assert_eq!(fit("ab", 4), "ab  ");
        assert_eq!(width(&visible("a\u{200B}")), 9);
    }
}
