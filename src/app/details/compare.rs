//! Comparing two versions of a secret: the properties that differ, and, once
//! asked, the values as a line diff. JSON values are compared after
//! source-preserving re-indentation, so one changed field is one changed line.
//!
//! The values and their layouts are `SecretString`s held only while the
//! comparison is open; the diff itself holds line numbers, never text.

use secrecy::{ExposeSecret, SecretString};
use similar::{ChangeTag, TextDiff};

use crate::app::format::Zone;
use crate::vault::{ReqId, SecretProps};

/// One side of a comparison: a version, or the current one.
#[derive(Debug, Clone)]
pub struct Side {
    pub props: SecretProps,
    /// The version to fetch (`None`: the latest).
    pub version: Option<String>,
    /// "version 1a2b3c4d" or "current (1a2b3c4d)", for headings.
    pub label: String,
    pub value: Option<SecretString>,
    pub req: Option<ReqId>,
}

impl Side {
    pub fn new(props: SecretProps, version: Option<String>, label: String) -> Self {
        Self {
            props,
            version,
            label,
            value: None,
            req: None,
        }
    }
}

/// How one line of the diff reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineTag {
    Same,
    Removed,
    Added,
}

/// One line of the value diff: which side's line it shows (by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiffLine {
    pub tag: LineTag,
    /// Index into the old text's lines for `Same`/`Removed`, the new text's
    /// for `Added`.
    pub line: usize,
}

/// The two texts compared (JSON re-indented when both sides are JSON) and
/// their diff.
#[derive(Debug, Clone)]
pub struct ValueDiff {
    pub old: SecretString,
    pub new: SecretString,
    /// Whether the texts are the JSON layouts rather than the values as stored.
    pub as_json: bool,
    pub lines: Vec<DiffLine>,
    pub changed: usize,
}

/// What the value comparison shows.
#[derive(Debug, Clone)]
pub enum ValueView {
    Identical,
    Diff(ValueDiff),
}

/// An open comparison of two versions.
#[derive(Debug, Clone)]
pub struct Compare {
    pub old: Side,
    pub new: Side,
    /// The values were asked for (`s`).
    pub values_asked: bool,
    pub values: Option<ValueView>,
    pub error: Option<String>,
    /// Lines the value diff is scrolled by.
    pub scroll: usize,
}

impl Compare {
    pub fn new(old: Side, new: Side) -> Self {
        Self {
            old,
            new,
            values_asked: false,
            values: None,
            error: None,
            scroll: 0,
        }
    }

    /// Both values are here: diff them once, not every frame.
    pub fn values_arrived(&mut self) {
        if let (Some(a), Some(b)) = (&self.old.value, &self.new.value) {
            self.values = Some(compare_values(a, b));
        }
    }

    /// Lines the value view holds, so scrolling stops at its end.
    pub fn value_lines(&self) -> usize {
        match &self.values {
            Some(ValueView::Diff(d)) => d.lines.len(),
            _ => 0,
        }
    }
}

/// Compares two values: identical, or a line diff (of the JSON layouts when
/// both are JSON and the layouts differ, else of the values as stored).
pub fn compare_values(old: &SecretString, new: &SecretString) -> ValueView {
    let (a, b) = (old.expose_secret(), new.expose_secret());
    if a == b {
        return ValueView::Identical;
    }
    let pretty = crate::app::details::json_indent::reindent_json(a)
        .zip(crate::app::details::json_indent::reindent_json(b));
    let (old, new, as_json) = match pretty {
        Some((pa, pb)) if pa.expose_secret() != pb.expose_secret() => (pa, pb, true),
        _ => (
            SecretString::from(a.to_owned()),
            SecretString::from(b.to_owned()),
            false,
        ),
    };
    let lines = diff_lines(old.expose_secret(), new.expose_secret());
    let changed = lines.iter().filter(|l| l.tag != LineTag::Same).count();
    ValueView::Diff(ValueDiff {
        old,
        new,
        as_json,
        lines,
        changed,
    })
}

/// The line diff of two texts, as line numbers into each.
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    let diff = TextDiff::configure()
        .timeout(std::time::Duration::from_millis(200))
        .diff_lines(old, new);
    diff.iter_all_changes()
        .filter_map(|c| {
            let (tag, line) = match c.tag() {
                ChangeTag::Equal => (LineTag::Same, c.old_index()?),
                ChangeTag::Delete => (LineTag::Removed, c.old_index()?),
                ChangeTag::Insert => (LineTag::Added, c.new_index()?),
            };
            Some(DiffLine { tag, line })
        })
        .collect()
}

/// A property that differs: its label and the two sides as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropChange {
    pub label: &'static str,
    pub old: String,
    pub new: String,
}

/// The properties that differ between two versions (content type, tags,
/// enabled, dates), in the order the details view lists them.
pub fn prop_changes(old: &SecretProps, new: &SecretProps, zone: &Zone) -> Vec<PropChange> {
    let tags = |p: &SecretProps| {
        p.tags
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let rows: [(&'static str, String, String); 7] = [
        ("Enabled", yes_no(old.enabled), yes_no(new.enabled)),
        (
            "Content type",
            old.content_type.clone().unwrap_or_default(),
            new.content_type.clone().unwrap_or_default(),
        ),
        ("Tags", tags(old), tags(new)),
        (
            "Not before",
            zone.date_time_secs(old.not_before),
            zone.date_time_secs(new.not_before),
        ),
        (
            "Expires",
            zone.date_time_secs(old.expires),
            zone.date_time_secs(new.expires),
        ),
        (
            "Created",
            zone.date_time_secs(old.created),
            zone.date_time_secs(new.created),
        ),
        (
            "Updated",
            zone.date_time_secs(old.updated),
            zone.date_time_secs(new.updated),
        ),
    ];
    rows.into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(label, old, new)| PropChange { label, old, new })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_changed_json_field_is_one_removed_and_one_added_line() {
        let old = SecretString::from(r#"{"host":"db1","port":5432,"user":"app"}"#.to_owned());
        let new = SecretString::from(r#"{"host":"db1","port":6432,"user":"app"}"#.to_owned());
        let ValueView::Diff(d) = compare_values(&old, &new) else {
            panic!("different values compared as identical");
        };
        assert!(d.as_json);
        assert_eq!(d.changed, 2);
        let old_lines: Vec<&str> = d.old.expose_secret().lines().collect();
        let new_lines: Vec<&str> = d.new.expose_secret().lines().collect();
        let changed: Vec<(LineTag, &str)> = d
            .lines
            .iter()
            .filter(|l| l.tag != LineTag::Same)
            .map(|l| match l.tag {
                LineTag::Added => (l.tag, new_lines[l.line]),
                _ => (l.tag, old_lines[l.line]),
            })
            .collect();
        assert_eq!(
            changed,
            vec![
                (LineTag::Removed, r#"  "port": 5432,"#),
                (LineTag::Added, r#"  "port": 6432,"#)
            ]
        );
    }

    #[test]
    fn numbers_keep_their_digits_in_the_diff() {
        let old = SecretString::from(r#"{"n":1.10,"big":12345678901234567890123}"#.to_owned());
        let new = SecretString::from(r#"{"n":1.1,"big":12345678901234567890123}"#.to_owned());
        let ValueView::Diff(d) = compare_values(&old, &new) else {
            panic!("1.10 and 1.1 are different stored values");
        };
        assert!(d.old.expose_secret().contains("1.10"));
        assert!(d.new.expose_secret().contains("12345678901234567890123"));
        assert_eq!(d.changed, 2);
    }

    #[test]
    fn identical_values_are_not_diffed() {
        let a = SecretString::from("same".to_owned());
        let b = SecretString::from("same".to_owned());
        assert!(matches!(compare_values(&a, &b), ValueView::Identical));
    }

    #[test]
    fn json_differing_only_in_layout_shows_the_stored_text() {
        let a = SecretString::from(r#"{"a":1}"#.to_owned());
        let b = SecretString::from("{\n  \"a\": 1\n}".to_owned());
        let ValueView::Diff(d) = compare_values(&a, &b) else {
            panic!("different bytes compared as identical");
        };
        assert!(!d.as_json);
        assert!(d.changed > 0);
    }

    #[test]
    fn plain_text_diffs_line_by_line() {
        let lines = diff_lines("a\nb\nc\n", "a\nx\nc\n");
        let tags: Vec<LineTag> = lines.iter().map(|l| l.tag).collect();
        assert_eq!(
            tags,
            vec![
                LineTag::Same,
                LineTag::Removed,
                LineTag::Added,
                LineTag::Same
            ]
        );
    }
}
