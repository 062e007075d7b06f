//! What scripts print: the `-o json` schema (stable, documented in the README),
//! the text forms, and a stdout that streams and stops quietly on a closed pipe.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::exit::ScriptError;
use crate::vault::{DeletedSecret, SecretProps};

/// One secret in `-o json`: camelCase keys, times in RFC 3339 UTC, absent
/// optional fields as `null`. Deleted secrets add `recoveryId`, `deletedDate`
/// and `scheduledPurgeDate`; `show -o json` adds `value`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretJson<'a> {
    pub name: &'a str,
    pub id: &'a str,
    pub version: Option<&'a str>,
    pub enabled: bool,
    pub content_type: Option<&'a str>,
    pub created: Option<String>,
    pub updated: Option<String>,
    pub not_before: Option<String>,
    pub expires: Option<String>,
    pub tags: BTreeMap<&'a str, &'a str>,
    pub managed: bool,
    pub recovery_level: Option<&'a str>,
    pub recoverable_days: Option<i32>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<DeletedJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedJson<'a> {
    pub recovery_id: Option<&'a str>,
    pub deleted_date: Option<String>,
    pub scheduled_purge_date: Option<String>,
}

/// RFC 3339 in UTC, e.g. `2027-01-31T12:00:00Z`.
pub fn rfc3339(t: Option<OffsetDateTime>) -> Option<String> {
    t.and_then(|t| t.to_offset(time::UtcOffset::UTC).format(&Rfc3339).ok())
}

impl<'a> SecretJson<'a> {
    pub fn of(p: &'a SecretProps) -> Self {
        SecretJson {
            name: &p.name,
            id: &p.id,
            version: p.version.as_deref(),
            enabled: p.enabled,
            content_type: p.content_type.as_deref(),
            created: rfc3339(p.created),
            updated: rfc3339(p.updated),
            not_before: rfc3339(p.not_before),
            expires: rfc3339(p.expires),
            tags: p
                .tags
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
            managed: p.managed,
            recovery_level: p.recovery_level.as_deref(),
            recoverable_days: p.recoverable_days,
            deleted: None,
            value: None,
        }
    }

    pub fn of_deleted(d: &'a DeletedSecret) -> Self {
        let mut j = SecretJson::of(&d.props);
        j.deleted = Some(DeletedJson {
            recovery_id: d.recovery_id.as_deref(),
            deleted_date: rfc3339(d.deleted_date),
            scheduled_purge_date: rfc3339(d.scheduled_purge_date),
        });
        j
    }
}

/// A stored field (content type, tag) as the TUI draws it: controls,
/// zero-width and bidi characters as visible stand-ins (`␛`, `<U+200B>`),
/// edge spaces as `␣`, so a terminal never acts on them.
pub fn clean(s: &str) -> String {
    crate::shown::visible_field(s).into_owned()
}

/// `s` padded with spaces to `columns` display columns (a wide character
/// counts two); longer text is left whole.
pub fn pad(s: &str, columns: usize) -> String {
    let w = crate::shown::width(s);
    let mut out = String::with_capacity(s.len() + columns.saturating_sub(w));
    out.push_str(s);
    out.extend(std::iter::repeat_n(' ', columns.saturating_sub(w)));
    out
}

/// A short date for tables: `2026-11-27 12:10`.
pub fn short_date(t: Option<OffsetDateTime>) -> String {
    t.map(|t| {
        let t = t.to_offset(time::UtcOffset::UTC);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        )
    })
    .unwrap_or_default()
}

/// Stdout for streamed output: each `flush` hands a page to the reader. A
/// reader that went away (`| head`) ends the output quietly.
pub struct Out {
    inner: std::io::BufWriter<std::io::Stdout>,
    closed: bool,
}

impl Out {
    pub fn new() -> Self {
        Out {
            inner: std::io::BufWriter::new(std::io::stdout()),
            closed: false,
        }
    }

    /// True once the reader has gone; callers stop producing.
    pub fn closed(&self) -> bool {
        self.closed
    }

    pub fn write(&mut self, bytes: &[u8]) -> Result<(), ScriptError> {
        if self.closed {
            return Ok(());
        }
        let r = self.inner.write_all(bytes);
        self.check(r)
    }

    pub fn line(&mut self, s: &str) -> Result<(), ScriptError> {
        self.write(s.as_bytes())?;
        self.write(b"\n")
    }

    pub fn flush(&mut self) -> Result<(), ScriptError> {
        if self.closed {
            return Ok(());
        }
        let r = self.inner.flush();
        self.check(r)
    }

    fn check(&mut self, r: std::io::Result<()>) -> Result<(), ScriptError> {
        match r {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(())
            }
            Err(e) => Err(ScriptError::io("cannot write to stdout", e)),
        }
    }
}

impl Default for Out {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn json_has_the_documented_keys() {
        let Ok(name) = crate::vault::SecretName::parse("db") else {
            panic!("a valid name")
        };
        let p = SecretProps {
            id: "https://kv/secrets/db/v1".into(),
            version: Some("v1".into()),
            expires: Some(datetime!(2027-01-31 12:00 UTC)),
            ..SecretProps::named(name)
        };
        let v = serde_json::to_value(SecretJson::of(&p)).unwrap_or_default();
        assert_eq!(v["expires"], "2027-01-31T12:00:00Z");
        assert!(v["contentType"].is_null());
        assert!(v.get("value").is_none() && v.get("deletedDate").is_none());
        let keys: Vec<&str> = v
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(keys.len(), 13, "{keys:?}");
    }

    #[test]
    fn control_characters_are_escaped_in_text() {
        assert_eq!(clean("text/plain"), "text/plain");
        assert_eq!(clean("a\u{1b}[2Jb"), "a␛[2Jb");
        assert_eq!(clean("x\u{200b} "), "x<U+200B>␣");
        assert_eq!(pad("日本", 5), "日本 ");
    }
}
