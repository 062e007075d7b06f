//! The value field's editor: several lines, a cursor that moves across them,
//! masked until revealed. The text lives in one zeroized buffer reserved up
//! front, so typing does not leave copies of a secret behind as it grows.

use std::fmt;

use zeroize::Zeroizing;

use crate::app::forms::form::MAX_VALUE_BYTES;

/// Room for a value at Key Vault's limit plus a little, so it never reallocates
/// while typed; a larger paste moves to a bigger buffer and zeroes the old one.
const RESERVED_BYTES: usize = MAX_VALUE_BYTES + 1024;

/// A multi-line text with a cursor (a byte offset on a character boundary).
pub struct ValueEditor {
    text: Zeroizing<String>,
    cursor: usize,
    /// Whether the typed text is shown; masked by default.
    pub revealed: bool,
    /// The column kept while moving up and down through shorter lines.
    goal_column: Option<usize>,
}

impl fmt::Debug for ValueEditor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValueEditor")
            .field("text", &"[hidden]")
            .field("lines", &self.line_count())
            .finish()
    }
}

impl Clone for ValueEditor {
    fn clone(&self) -> Self {
        let mut copy = Self::new(self.text());
        copy.cursor = self.cursor;
        copy.revealed = self.revealed;
        copy
    }
}

impl Default for ValueEditor {
    fn default() -> Self {
        Self::new("")
    }
}

impl ValueEditor {
    /// An editor holding `text`, with the cursor at its end.
    pub fn new(text: &str) -> Self {
        let mut buf = Zeroizing::new(String::with_capacity(RESERVED_BYTES.max(text.len())));
        buf.push_str(text);
        Self {
            cursor: buf.len(),
            text: buf,
            revealed: false,
            goal_column: None,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Lines as the user sees them: an empty text is one empty line, and a
    /// trailing line break starts a new (empty) line.
    pub fn line_count(&self) -> usize {
        self.text.split('\n').count()
    }

    /// The cursor as (line, character column), both from 0.
    pub fn cursor_line_col(&self) -> (usize, usize) {
        let before = &self.text[..self.cursor];
        let line = before.matches('\n').count();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count())
    }

    /// Inserts text at the cursor, growing into a new zeroized buffer when the
    /// reserved room runs out.
    pub fn insert_str(&mut self, s: &str) {
        if self.text.len() + s.len() > self.text.capacity() {
            let mut bigger = Zeroizing::new(String::with_capacity(
                (self.text.len() + s.len()).next_power_of_two(),
            ));
            bigger.push_str(&self.text);
            self.text = bigger;
        }
        self.text.insert_str(self.cursor, s);
        self.cursor += s.len();
        self.goal_column = None;
    }

    pub fn insert_char(&mut self, c: char) {
        let mut tmp = [0u8; 4];
        self.insert_str(c.encode_utf8(&mut tmp));
    }

    /// Deletes the character before the cursor; `false` at the start.
    pub fn backspace(&mut self) -> bool {
        let Some(prev) = self.prev_boundary() else {
            return false;
        };
        self.text.replace_range(prev..self.cursor, "");
        self.cursor = prev;
        self.goal_column = None;
        true
    }

    /// Deletes the character under the cursor; `false` at the end.
    pub fn delete(&mut self) -> bool {
        let Some(next) = self.next_boundary() else {
            return false;
        };
        self.text.replace_range(self.cursor..next, "");
        self.goal_column = None;
        true
    }

    pub fn left(&mut self) {
        if let Some(prev) = self.prev_boundary() {
            self.cursor = prev;
        }
        self.goal_column = None;
    }

    pub fn right(&mut self) {
        if let Some(next) = self.next_boundary() {
            self.cursor = next;
        }
        self.goal_column = None;
    }

    /// To the start of the cursor's line.
    pub fn home(&mut self) {
        self.cursor = self.line_start(self.cursor);
        self.goal_column = None;
    }

    /// To the end of the cursor's line.
    pub fn end(&mut self) {
        self.cursor = self.line_end(self.cursor);
        self.goal_column = None;
    }

    /// One line up, keeping the column; `false` on the first line.
    pub fn up(&mut self) -> bool {
        let start = self.line_start(self.cursor);
        if start == 0 {
            return false;
        }
        let column = self.goal();
        let prev_start = self.line_start(start - 1);
        self.cursor = self.at_column(prev_start, column);
        true
    }

    /// One line down, keeping the column; `false` on the last line.
    pub fn down(&mut self) -> bool {
        let end = self.line_end(self.cursor);
        if end == self.text.len() {
            return false;
        }
        let column = self.goal();
        self.cursor = self.at_column(end + 1, column);
        true
    }

    fn goal(&mut self) -> usize {
        let column = self.goal_column.unwrap_or_else(|| self.cursor_line_col().1);
        self.goal_column = Some(column);
        column
    }

    /// The byte offset `column` characters into the line starting at `start`,
    /// or the line's end when it is shorter.
    fn at_column(&self, start: usize, column: usize) -> usize {
        let end = self.line_end(start);
        self.text[start..end]
            .char_indices()
            .nth(column)
            .map_or(end, |(i, _)| start + i)
    }

    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    fn line_end(&self, at: usize) -> usize {
        self.text[at..]
            .find('\n')
            .map_or(self.text.len(), |i| at + i)
    }

    fn prev_boundary(&self) -> Option<usize> {
        self.text[..self.cursor]
            .char_indices()
            .next_back()
            .map(|(i, _)| i)
    }

    fn next_boundary(&self) -> Option<usize> {
        self.text[self.cursor..]
            .chars()
            .next()
            .map(|c| self.cursor + c.len_utf8())
    }
}

/// Line breaks as a paste brings them (terminals send CR; Windows text CRLF)
/// become LF; every other character is kept as it is.
pub fn normalize_line_breaks(pasted: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(pasted.len()));
    let mut chars = pasted.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_across_lines_keeping_the_column() {
        let mut e = ValueEditor::new("abcd\nx\nwxyz");
        assert_eq!(e.cursor_line_col(), (2, 4));
        assert!(e.up());
        assert_eq!(e.cursor_line_col(), (1, 1), "clamped to the short line");
        assert!(e.up());
        assert_eq!(e.cursor_line_col(), (0, 4), "the goal column comes back");
        assert!(!e.up());
        assert!(e.down() && e.down());
        assert_eq!(e.cursor_line_col(), (2, 4));
        assert!(!e.down());
        e.home();
        assert_eq!(e.cursor_line_col(), (2, 0));
        e.left();
        assert_eq!(e.cursor_line_col(), (1, 1), "left crosses the line break");
    }

    #[test]
    fn edits_at_the_cursor_with_multibyte_text() {
        let mut e = ValueEditor::new("héllo");
        e.home();
        e.right();
        e.right();
        assert!(e.backspace());
        assert_eq!(e.text(), "hllo");
        e.insert_char('é');
        e.insert_str("\t\n");
        assert_eq!(e.text(), "hé\t\nllo");
        assert_eq!(e.line_count(), 2);
        e.end();
        assert!(!e.delete());
        assert_eq!(e.cursor_line_col(), (1, 3));
    }

    #[test]
    fn grows_past_the_reserve_and_keeps_the_text() {
        let mut e = ValueEditor::new("start:");
        let big = "x".repeat(RESERVED_BYTES * 2);
        e.insert_str(&big);
        assert_eq!(e.text().len(), 6 + big.len());
        assert!(e.text().starts_with("start:x"));
    }

    #[test]
    fn pasted_line_breaks_become_lf_and_nothing_else_changes() {
        let pasted = "a\r\nb\rc\n\td\u{200b} \r\r\n";
        assert_eq!(
            normalize_line_breaks(pasted).as_str(),
            "a\nb\nc\n\td\u{200b} \n\n"
        );
    }

    #[test]
    fn debug_hides_the_text() {
        let e = ValueEditor::new("s3cret");
        assert!(!format!("{e:?}").contains("s3cret"));
    }
}
