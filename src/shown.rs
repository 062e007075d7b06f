//! Text as a terminal shows it, for the TUI and the command line alike:
//! characters a terminal would hide, move the cursor with or reorder are
//! replaced by visible stand-ins before any width is measured. Tabs, CR and
//! other C0 controls become their control pictures (`␉`, `␍`, U+2400 +
//! code), DEL `␡`; C1 controls, zero-width and bidi controls become
//! `<U+XXXX>`. Spaces at the edges of a field become `␣`. Widths count
//! display columns, not characters.

use std::borrow::Cow;

use unicode_width::UnicodeWidthChar;

/// `n` and the noun that goes with it: `1 secret`, `2 secrets`, `0 secrets`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Stands in for a space a reader could not see (leading or trailing).
pub const SPACE_MARK: char = '␣';

/// The stand-in for `c`, or `None` when `c` draws as itself. A line break
/// is a control here; multi-line text handles it before asking.
pub fn stand_in(c: char) -> Option<String> {
    let code = u32::from(c);
    match c {
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + code).map(String::from),
        '\u{7f}' => Some('␡'.to_string()),
        _ if is_c1_control(c) || is_invisible_format(c) => Some(format!("<U+{code:04X}>")),
        _ => None,
    }
}

fn is_c1_control(c: char) -> bool {
    ('\u{80}'..='\u{9f}').contains(&c)
}

/// Zero-width, joiner, bidi and other format characters that draw as
/// nothing or silently reorder what follows them.
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// One-line text (a name, an id, a message) with every hidden character
/// replaced; borrowed when there is nothing to replace.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| stand_in(c).is_some()) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match stand_in(c) {
            Some(shown) => out.push_str(&shown),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A stored field (content type, tag key or value): as `visible`, and its
/// leading and trailing spaces shown as `␣`.
pub fn visible_field(s: &str) -> Cow<'_, str> {
    let body = s.trim_matches(' ');
    if body.len() == s.len() {
        return visible(s);
    }
    let lead = s.len() - s.trim_start_matches(' ').len();
    let trail = s.len() - s.trim_end_matches(' ').len();
    // A field of spaces only: every one is both leading and trailing.
    let marks = if body.is_empty() { s.len() } else { lead };
    let mut out = String::with_capacity(s.len() + 8);
    out.extend(std::iter::repeat_n(SPACE_MARK, marks));
    if !body.is_empty() {
        out.push_str(&visible(body));
        out.extend(std::iter::repeat_n(SPACE_MARK, trail));
    }
    Cow::Owned(out)
}

/// Tags as `key=value, key=value`, each key and value made visible.
pub fn visible_tags<'a>(tags: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    tags.into_iter()
        .map(|(k, v)| format!("{}={}", visible_field(k), visible_field(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Display columns `s` takes.
pub fn width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `s` cut to at most `max` columns, then padded with spaces to exactly
/// `max`; widths count display columns, not characters.
pub fn fit(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().max(max));
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max {
            break;
        }
        out.push(c);
        used += w;
    }
    out.extend(std::iter::repeat_n(' ', max - used));
    out
}

/// `s` cut to at most `max` columns, ending in `…` when cut (no padding).
pub fn ellipsis(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = fit(s, max - 1).trim_end().to_owned();
    out.push('…');
    Cow::Owned(out)
}
