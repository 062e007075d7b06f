//! Tags as one line of text that round-trips every tag Key Vault accepts:
//! `env=prod, hosts="a.example, b.example"`. A key or value holding `,`, `=`,
//! `"`, or leading or trailing spaces is written in double quotes, with `\"`
//! and `\\` inside; everything else is written as it is.

use std::collections::BTreeMap;

pub use crate::kv_facts::{MAX_TAG_CHARS, MAX_TAGS};

/// The hint shown under the tags field.
pub const TAGS_HINT: &str =
    r#"key=value, … · "quote" a key or value with , = " or edge spaces (\" \\ inside)"#;

/// Parses the tags line; duplicate keys, a missing `=`, a bad quote or a
/// limit passed are errors that say where.
pub fn parse_tags(s: &str) -> Result<BTreeMap<String, String>, String> {
    let mut tags = BTreeMap::new();
    let mut rest = s;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        if let Some(r) = rest.strip_prefix(',') {
            rest = r;
            continue;
        }
        let (key, r) = token(rest)?;
        let r = r.trim_start();
        let Some(r) = r.strip_prefix('=') else {
            return Err(format!("{}: write tags as key=value", shorten(&key)));
        };
        let (value, r) = token(r.trim_start())?;
        let r = r.trim_start();
        if !(r.is_empty() || r.starts_with(',')) {
            return Err(format!(
                "after {}=…: a comma or the end was expected; quote a value with , = or \"",
                shorten(&key)
            ));
        }
        rest = r;
        if key.is_empty() {
            return Err("a tag needs a key".to_owned());
        }
        for (what, text) in [("key", &key), ("value", &value)] {
            let n = text.chars().count();
            if n > MAX_TAG_CHARS {
                return Err(format!(
                    "tag {what} {} has {n} characters; at most {MAX_TAG_CHARS}",
                    shorten(text)
                ));
            }
        }
        if tags.contains_key(&key) {
            return Err(format!("tag {} is given twice", shorten(&key)));
        }
        tags.insert(key, value);
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("at most {MAX_TAGS} tags (this has {})", tags.len()));
    }
    Ok(tags)
}

/// One key or value: quoted (escapes undone) or bare (up to `,` or `=`, its
/// edge spaces dropped), and the text after it.
fn token(s: &str) -> Result<(String, &str), String> {
    if let Some(body) = s.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return Ok((out, &body[i + 1..])),
                '\\' => match chars.next() {
                    Some((_, e @ ('"' | '\\'))) => out.push(e),
                    _ => return Err(r#"inside quotes write \" or \\"#.to_owned()),
                },
                c => out.push(c),
            }
        }
        return Err(format!("{}: a quote is not closed", shorten(s)));
    }
    let end = s.find([',', '=']).unwrap_or(s.len());
    let bare = s[..end].trim();
    if bare.contains('"') {
        return Err(format!(
            "{}: quote the whole key or value, with \\\" for a quote inside",
            shorten(bare)
        ));
    }
    Ok((bare.to_owned(), &s[end..]))
}

/// Writes tags so that `parse_tags` gives them back exactly.
pub fn format_tags<'a>(tags: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    tags.into_iter()
        .map(|(k, v)| format!("{}={}", quoted_if_needed(k), quoted_if_needed(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn quoted_if_needed(s: &str) -> String {
    let needs = s.contains([',', '=', '"'])
        || s.starts_with(char::is_whitespace)
        || s.ends_with(char::is_whitespace);
    if !needs {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A key or value cut for a message.
fn shorten(s: &str) -> String {
    let mut cut: String = s.chars().take(24).collect();
    if cut.len() < s.len() {
        cut.push('…');
    }
    format!("{cut:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn plain_tags_read_as_before() {
        assert_eq!(
            parse_tags(" env = prod ,owner=me,, empty= ").unwrap(),
            map(&[("env", "prod"), ("owner", "me"), ("empty", "")])
        );
        assert_eq!(parse_tags("").unwrap(), map(&[]));
    }

    #[test]
    fn every_tag_azure_accepts_round_trips() {
        let hard = map(&[
            ("hosts", "a.example, b.example"),
            ("a=b", "c=d"),
            ("quote\"d", "say \"hi\""),
            ("  padded  ", " lead and trail "),
            ("back\\slash", "c:\\path\\"),
            ("tab\tkey", "line\nbreak"),
            ("ünï", "😀"),
            ("empty", ""),
        ]);
        let text = format_tags(&hard);
        assert_eq!(parse_tags(&text).unwrap(), hard, "{text}");
        assert!(text.contains(r#"hosts="a.example, b.example""#), "{text}");
        assert!(text.contains("empty="), "{text}");
    }

    #[test]
    fn mistakes_are_errors_not_guesses() {
        assert!(parse_tags("a=1, a=2").unwrap_err().contains("twice"));
        assert!(parse_tags("novalue").unwrap_err().contains("key=value"));
        assert!(parse_tags("=v").unwrap_err().contains("needs a key"));
        assert!(parse_tags(r#"k="open"#).unwrap_err().contains("not closed"));
        assert!(parse_tags(r#"k=a"b"#).unwrap_err().contains("quote"));
        assert!(parse_tags(r#"k="a" b"#).unwrap_err().contains("comma"));
        assert!(parse_tags("hosts=a.example, b.example").is_err());
        let long = format!("k={}", "v".repeat(MAX_TAG_CHARS + 1));
        assert!(parse_tags(&long).unwrap_err().contains("at most 512"));
        let many: Vec<String> = (0..16).map(|i| format!("k{i}=v")).collect();
        assert!(
            parse_tags(&many.join(","))
                .unwrap_err()
                .contains("at most 15")
        );
    }
}
