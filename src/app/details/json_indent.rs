//! Pretty-printing JSON without re-serializing it: the source tokens are
//! copied verbatim (strings with their escapes, numbers digit for digit,
//! keys in their order, duplicates kept) and only the whitespace between
//! them changes. A parse-and-print round trip would turn
//! `12345678901234567890123` into `1.2345678901234568e+22` and `1.10` into
//! `1.1`, showing a value that is not the one stored.
//!
//! The input is checked against the JSON grammar as it is laid out; anything
//! that is not a valid object or array gives `None` and is shown raw.
//! Nesting is tracked on a heap stack, so deep input cannot overflow the
//! call stack.

use secrecy::SecretString;

/// Spaces per nesting level.
const INDENT: usize = 2;

/// Laid-out text larger than this is not built: indentation grows with the
/// square of the depth, and 25 KiB of `[` would need hundreds of megabytes.
const MAX_PRETTY_BYTES: usize = 1 << 20;

/// The value re-indented, or `None` when it is not a JSON object or array
/// (or would lay out too large).
/// The result is as secret as the value: it is built in a buffer sized
/// exactly once (no reallocation leaves copies behind) and handed out as a
/// `SecretString`.
pub fn reindent_json(src: &str) -> Option<SecretString> {
    let mut counter = Counter(0);
    layout(src, &mut counter)?;
    if counter.0 > MAX_PRETTY_BYTES {
        return None;
    }
    let mut out = Writer(String::with_capacity(counter.0));
    layout(src, &mut out)?;
    Some(SecretString::from(out.0))
}

/// Where laid-out text goes: counted first, then written.
trait Sink {
    fn text(&mut self, s: &str);
    fn newline(&mut self, depth: usize);
}

struct Counter(usize);

impl Sink for Counter {
    fn text(&mut self, s: &str) {
        self.0 += s.len();
    }
    fn newline(&mut self, depth: usize) {
        self.0 += 1 + depth * INDENT;
    }
}

struct Writer(String);

impl Sink for Writer {
    fn text(&mut self, s: &str) {
        self.0.push_str(s);
    }
    fn newline(&mut self, depth: usize) {
        self.0.push('\n');
        self.0.extend(std::iter::repeat_n(' ', depth * INDENT));
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Container {
    Object,
    Array,
}

/// What the grammar allows next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Any value (after `:`, `,` in an array, or at the top).
    Value,
    /// A key or `}` right after `{`.
    FirstKey,
    /// A value or `]` right after `[`.
    FirstValue,
    /// A key after `,` in an object.
    Key,
    Colon,
    /// `,` or the closing bracket after a member.
    CommaOrClose,
    /// Only whitespace after the top-level value.
    End,
}

/// Lays `src` out into `sink`; `None` on anything not valid JSON or not an
/// object or array at the top.
fn layout(src: &str, sink: &mut dyn Sink) -> Option<()> {
    let bytes = src.as_bytes();
    let mut stack: Vec<Container> = Vec::new();
    let mut expect = Expect::Value;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
            continue;
        }
        let depth = stack.len();
        match (expect, b) {
            (Expect::FirstKey, b'}') | (Expect::FirstValue, b']') => {
                sink.text(if b == b'}' { "}" } else { "]" });
                stack.pop();
                expect = after_value(&stack);
                i += 1;
            }
            (Expect::CommaOrClose, b'}' | b']') => {
                let closes = if b == b'}' {
                    Container::Object
                } else {
                    Container::Array
                };
                if stack.pop() != Some(closes) {
                    return None;
                }
                sink.newline(depth - 1);
                sink.text(if b == b'}' { "}" } else { "]" });
                expect = after_value(&stack);
                i += 1;
            }
            (Expect::CommaOrClose, b',') => {
                sink.text(",");
                sink.newline(depth);
                expect = match stack.last() {
                    Some(Container::Object) => Expect::Key,
                    _ => Expect::Value,
                };
                i += 1;
            }
            (Expect::Colon, b':') => {
                sink.text(": ");
                expect = Expect::Value;
                i += 1;
            }
            (Expect::FirstKey | Expect::Key, b'"') => {
                if expect == Expect::FirstKey {
                    sink.newline(depth);
                }
                let end = string_end(bytes, i)?;
                sink.text(&src[i..end]);
                expect = Expect::Colon;
                i = end;
            }
            (Expect::Value | Expect::FirstValue, _) => {
                if expect == Expect::FirstValue {
                    sink.newline(depth);
                }
                // Only an object or an array is pretty-printed.
                if stack.is_empty() && !matches!(b, b'{' | b'[') {
                    return None;
                }
                match b {
                    b'{' | b'[' => {
                        sink.text(if b == b'{' { "{" } else { "[" });
                        if b == b'{' {
                            stack.push(Container::Object);
                            expect = Expect::FirstKey;
                        } else {
                            stack.push(Container::Array);
                            expect = Expect::FirstValue;
                        }
                        i += 1;
                    }
                    _ => {
                        let end = scalar_end(bytes, i)?;
                        sink.text(&src[i..end]);
                        expect = after_value(&stack);
                        i = end;
                    }
                }
            }
            _ => return None,
        }
    }
    (expect == Expect::End).then_some(())
}

fn after_value(stack: &[Container]) -> Expect {
    if stack.is_empty() {
        Expect::End
    } else {
        Expect::CommaOrClose
    }
}

/// The end (exclusive) of a string, a number or a literal starting at `i`.
fn scalar_end(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes[i] {
        b'"' => string_end(bytes, i),
        b'-' | b'0'..=b'9' => number_end(bytes, i),
        _ => ["true", "false", "null"]
            .into_iter()
            .find(|lit| bytes[i..].starts_with(lit.as_bytes()))
            .map(|lit| i + lit.len()),
    }
}

/// The end (exclusive) of the string whose opening quote is at `start`:
/// escapes must be JSON's, raw control characters are not allowed.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    loop {
        match *bytes.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => match *bytes.get(i + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i += 2,
                b'u' => {
                    let hex = bytes.get(i + 2..i + 6)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    i += 6;
                }
                _ => return None,
            },
            0x00..=0x1f => return None,
            _ => i += 1,
        }
    }
}

/// The end (exclusive) of `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn number_end(bytes: &[u8], start: usize) -> Option<usize> {
    let digits = |from: usize| {
        bytes[from.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut i = start;
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    match bytes.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i += digits(i),
        _ => return None,
    }
    if bytes.get(i) == Some(&b'.') {
        let n = digits(i + 1);
        if n == 0 {
            return None;
        }
        i += 1 + n;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits(i);
        if n == 0 {
            return None;
        }
        i += n;
    }
    // A number runs into the next structural character or whitespace.
    match bytes.get(i) {
        None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') => Some(i),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    fn pretty(src: &str) -> Option<String> {
        reindent_json(src).map(|s| s.expose_secret().to_owned())
    }

    #[test]
    fn numbers_keep_their_digits() {
        let src = r#"{"big":12345678901234567890123,"price":1.10,"e":-0.5E+07,"z":0}"#;
        assert_eq!(
            pretty(src).unwrap(),
            "{\n  \"big\": 12345678901234567890123,\n  \"price\": 1.10,\n  \"e\": -0.5E+07,\n  \"z\": 0\n}"
        );
    }

    #[test]
    fn key_order_and_duplicate_keys_stay() {
        let src = r#"{"b":1,"a":2,"b":3}"#;
        assert_eq!(
            pretty(src).unwrap(),
            "{\n  \"b\": 1,\n  \"a\": 2,\n  \"b\": 3\n}"
        );
    }

    #[test]
    fn nested_containers_indent_and_empty_ones_stay_closed() {
        let src = "[ {\"a\" : [1, [] ,{}], \"b\":{\"c\":null}} ,true,false ]";
        assert_eq!(
            pretty(src).unwrap(),
            "[\n  {\n    \"a\": [\n      1,\n      [],\n      {}\n    ],\n    \"b\": {\n      \"c\": null\n    }\n  },\n  true,\n  false\n]"
        );
        assert_eq!(pretty(" {} ").unwrap(), "{}");
    }

    #[test]
    fn strings_are_copied_verbatim() {
        let src = r#"{"k\"ey":"va\"l, {ue}: [x]","u":"\u00e9\n\\","raw":"é 🔑  two  spaces"}"#;
        assert_eq!(
            pretty(src).unwrap(),
            "{\n  \"k\\\"ey\": \"va\\\"l, {ue}: [x]\",\n  \"u\": \"\\u00e9\\n\\\\\",\n  \"raw\": \"é 🔑  two  spaces\"\n}"
        );
    }

    #[test]
    fn already_pretty_input_is_unchanged() {
        let src = "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": \"x\"\n}";
        assert_eq!(pretty(src).unwrap(), src);
    }

    #[test]
    fn invalid_json_and_scalars_are_not_laid_out() {
        for src in [
            "",
            "plain text",
            "\"just a string\"",
            "42",
            "{",
            "{\"a\":1,}",
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "{1:2}",
            "{\"a\":1]",
            "[01]",
            "[1.]",
            "[.5]",
            "[1e]",
            "[+1]",
            "[tru]",
            "[truex]",
            "[\"bad \\x escape\"]",
            "[\"\\u12g4\"]",
            "[\"raw\ttab\"]",
            "[\"unterminated]",
            "{} {}",
            "[] x",
            "[1]\u{a0}",
        ] {
            assert_eq!(pretty(src), None, "{src:?}");
        }
    }

    #[test]
    fn deep_nesting_neither_overflows_nor_balloons() {
        let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let out = pretty(&nested(40)).unwrap();
        assert!(out.starts_with("[\n  [\n    ["));
        assert_eq!(out.lines().count(), 79);
        // Too deep to lay out within the size cap: shown raw instead.
        assert_eq!(pretty(&nested(100_000)), None);
        assert_eq!(pretty(&"[".repeat(100_000)), None);
    }
}
