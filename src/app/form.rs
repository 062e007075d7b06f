//! The three forms (new secret, new version, properties): fields, parsing of
//! dates and tags, and validation shown beside each field.

use std::collections::BTreeMap;
use std::fmt;

use secrecy::SecretString;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, macros::format_description};
use tui_input::Input;

use crate::vault::types::validate_name;
use crate::vault::{NewSecret, PropsUpdate, ReqId, SecretName, SecretProps};

/// Key Vault's limit on tags per secret.
pub const MAX_TAGS: usize = 15;
/// Key Vault's limit on a value, in bytes.
pub const MAX_VALUE_BYTES: usize = 25 * 1024;

/// Which form, and what it acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    NewSecret,
    NewVersion {
        name: String,
    },
    Properties {
        name: String,
        version: Option<String>,
    },
    /// Write the secret's backup blob to a file.
    Backup {
        name: String,
    },
    /// Restore a secret from a backup file.
    Restore,
}

/// What a field holds; decides how it is edited, shown and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Name,
    /// The secret value: masked on screen, `Enter` adds a line.
    Value,
    Text,
    Tags,
    /// `yes`/`no`, toggled with `Space`.
    Flag,
    Date,
    /// A file path.
    Path,
    /// A file to read the value from instead of typing it; may be empty.
    ValueFile,
}

/// One labelled input with its message.
#[derive(Clone)]
pub struct Field {
    pub label: &'static str,
    pub kind: FieldKind,
    pub input: Input,
    /// What is wrong with the input, shown in red.
    pub error: Option<String>,
    /// Something to know that is not an error ("exists: adds a new version").
    pub note: Option<String>,
}

/// A typed value is wiped when its form goes away; tui-input keeps it in a
/// plain `String`, so take that buffer back and zero it.
impl Drop for Field {
    fn drop(&mut self) {
        if self.kind == FieldKind::Value {
            zeroize::Zeroize::zeroize(&mut self.input.value_and_reset());
        }
    }
}

impl fmt::Debug for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = if self.kind == FieldKind::Value {
            "[hidden]"
        } else {
            self.input.value()
        };
        f.debug_struct("Field")
            .field("label", &self.label)
            .field("input", &shown)
            .field("error", &self.error)
            .field("note", &self.note)
            .finish()
    }
}

impl Field {
    fn new(label: &'static str, kind: FieldKind, value: &str) -> Self {
        Self {
            label,
            kind,
            input: Input::new(value.to_owned()),
            error: None,
            note: None,
        }
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }
}

/// An open form. `submitting` holds the request while the vault answers; the
/// form stays open with its input until it succeeds.
#[derive(Debug, Clone)]
pub struct Form {
    pub kind: FormKind,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub submitting: Option<ReqId>,
    /// The vault's refusal of the last submit.
    pub error: Option<String>,
    /// Whether anything was typed (cancel asks first).
    pub dirty: bool,
    /// The value read from "Value file", once the run loop has read it.
    pub file_value: Option<SecretString>,
    /// Waiting for the run loop to read the value file.
    pub reading_file: bool,
}

impl Form {
    pub fn new_secret() -> Self {
        Self::with_fields(
            FormKind::NewSecret,
            vec![
                Field::new("Name", FieldKind::Name, ""),
                Field::new("Value", FieldKind::Value, ""),
                Field::new("Value file", FieldKind::ValueFile, ""),
                Field::new("Content type", FieldKind::Text, ""),
                Field::new("Tags", FieldKind::Tags, ""),
                Field::new("Enabled", FieldKind::Flag, "yes"),
                Field::new("Not before", FieldKind::Date, ""),
                Field::new("Expires", FieldKind::Date, ""),
            ],
        )
    }

    /// A new version, prefilled with the current version's properties.
    pub fn new_version(current: &SecretProps) -> Self {
        Self::with_fields(
            FormKind::NewVersion {
                name: current.name.clone(),
            },
            vec![
                Field::new("Value", FieldKind::Value, ""),
                Field::new("Value file", FieldKind::ValueFile, ""),
                Field::new(
                    "Content type",
                    FieldKind::Text,
                    current.content_type.as_deref().unwrap_or(""),
                ),
                Field::new("Tags", FieldKind::Tags, &format_tags(&current.tags)),
                Field::new("Enabled", FieldKind::Flag, "yes"),
                Field::new(
                    "Not before",
                    FieldKind::Date,
                    &format_date_input(current.not_before),
                ),
                Field::new(
                    "Expires",
                    FieldKind::Date,
                    &format_date_input(current.expires),
                ),
            ],
        )
    }

    pub fn properties(current: &SecretProps) -> Self {
        Self::with_fields(
            FormKind::Properties {
                name: current.name.clone(),
                version: current.version.clone(),
            },
            vec![
                Field::new(
                    "Enabled",
                    FieldKind::Flag,
                    if current.enabled { "yes" } else { "no" },
                ),
                Field::new(
                    "Content type",
                    FieldKind::Text,
                    current.content_type.as_deref().unwrap_or(""),
                ),
                Field::new("Tags", FieldKind::Tags, &format_tags(&current.tags)),
                Field::new(
                    "Not before",
                    FieldKind::Date,
                    &format_date_input(current.not_before),
                ),
                Field::new(
                    "Expires",
                    FieldKind::Date,
                    &format_date_input(current.expires),
                ),
            ],
        )
    }

    /// Backup to `NAME.kvbackup` unless another path is typed.
    pub fn backup(name: &str) -> Self {
        Self::with_fields(
            FormKind::Backup {
                name: name.to_owned(),
            },
            vec![Field::new(
                "File",
                FieldKind::Path,
                &format!("{name}.kvbackup"),
            )],
        )
    }

    pub fn restore() -> Self {
        Self::with_fields(
            FormKind::Restore,
            vec![Field::new("File", FieldKind::Path, "")],
        )
    }

    fn with_fields(kind: FormKind, fields: Vec<Field>) -> Self {
        Self {
            kind,
            fields,
            focus: 0,
            submitting: None,
            error: None,
            dirty: false,
            file_value: None,
            reading_file: false,
        }
    }

    pub fn title(&self) -> String {
        match &self.kind {
            FormKind::NewSecret => "New secret".to_owned(),
            FormKind::NewVersion { name } => format!("New version of {name}"),
            FormKind::Properties { name, .. } => format!("Properties of {name}"),
            FormKind::Backup { name } => format!("Back up {name}"),
            FormKind::Restore => "Restore from a backup file".to_owned(),
        }
    }

    pub fn field(&self, label: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.label == label)
    }

    fn text(&self, label: &str) -> &str {
        self.field(label).map(Field::value).unwrap_or("")
    }

    pub fn focused_mut(&mut self) -> Option<&mut Field> {
        self.fields.get_mut(self.focus)
    }

    /// Re-checks every field's syntax; `true` when all pass.
    pub fn validate(&mut self, now: OffsetDateTime) -> bool {
        let from_file = !self.text("Value file").trim().is_empty();
        for f in &mut self.fields {
            f.error = check_field(f.kind, f.input.value(), now).err();
            if f.kind == FieldKind::Value && from_file && f.value().is_empty() {
                f.error = None;
            }
        }
        self.fields.iter().all(|f| f.error.is_none())
    }

    /// The secret to write, for the new-secret and new-version forms.
    pub fn to_new_secret(&self, now: OffsetDateTime) -> Option<NewSecret> {
        let name = match &self.kind {
            FormKind::NewSecret => self.text("Name").to_owned(),
            FormKind::NewVersion { name } => name.clone(),
            _ => return None,
        };
        Some(NewSecret {
            name: SecretName::parse(&name).ok()?,
            value: match (&self.file_value, self.text("Value")) {
                (Some(v), "") => v.clone(),
                (_, typed) => SecretString::from(typed.to_owned()),
            },
            content_type: non_empty(self.text("Content type")),
            tags: parse_tags(self.text("Tags")).ok()?,
            enabled: parse_flag(self.text("Enabled")).ok()?,
            not_before: parse_date(self.text("Not before"), now).ok()?,
            expires: parse_date(self.text("Expires"), now).ok()?,
        })
    }

    /// The value file to read before submitting, when no value was typed.
    pub fn value_file_to_read(&self) -> Option<std::path::PathBuf> {
        let path = self.field("Value file")?.value().trim();
        (self.file_value.is_none() && !path.is_empty() && self.text("Value").is_empty())
            .then(|| std::path::PathBuf::from(path))
    }

    /// The file path, for the backup and restore forms.
    pub fn path(&self) -> std::path::PathBuf {
        std::path::PathBuf::from(self.text("File").trim())
    }

    /// The update to send, for the properties form.
    pub fn to_update(&self, now: OffsetDateTime) -> Option<PropsUpdate> {
        Some(PropsUpdate {
            enabled: Some(parse_flag(self.text("Enabled")).ok()?),
            content_type: Some(self.text("Content type").trim().to_owned()),
            tags: Some(parse_tags(self.text("Tags")).ok()?),
            not_before: Some(parse_date(self.text("Not before"), now).ok()?),
            expires: Some(parse_date(self.text("Expires"), now).ok()?),
        })
    }
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// Syntax check of one field; the name's existence is checked by the caller,
/// which knows the lists.
pub fn check_field(kind: FieldKind, value: &str, now: OffsetDateTime) -> Result<(), String> {
    match kind {
        FieldKind::Name => validate_name(value).map_err(|e| e.to_string()),
        FieldKind::Value => {
            if value.is_empty() {
                Err("type a value or give a value file".to_owned())
            } else if value.len() > MAX_VALUE_BYTES {
                Err(format!("at most 25 KiB (this is {} bytes)", value.len()))
            } else {
                Ok(())
            }
        }
        FieldKind::Text => {
            if value.chars().count() > 255 {
                Err("at most 255 characters".to_owned())
            } else {
                Ok(())
            }
        }
        FieldKind::Tags => parse_tags(value).map(|_| ()),
        FieldKind::Flag => parse_flag(value).map(|_| ()),
        FieldKind::Date => parse_date(value, now).map(|_| ()),
        FieldKind::Path => {
            if value.trim().is_empty() {
                Err("a file path is required".to_owned())
            } else {
                Ok(())
            }
        }
        FieldKind::ValueFile => Ok(()),
    }
}

/// `key=value` pairs separated by commas; at most 15.
pub fn parse_tags(s: &str) -> Result<BTreeMap<String, String>, String> {
    let mut tags = BTreeMap::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| format!("{part:?}: write tags as key=value"))?;
        let k = k.trim();
        if k.is_empty() {
            return Err(format!("{part:?}: a tag needs a key"));
        }
        tags.insert(k.to_owned(), v.trim().to_owned());
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("at most {MAX_TAGS} tags (this has {})", tags.len()));
    }
    Ok(tags)
}

pub fn format_tags<'a>(tags: impl IntoIterator<Item = (&'a String, &'a String)>) -> String {
    tags.into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn parse_flag(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" => Ok(true),
        "no" | "n" | "false" => Ok(false),
        _ => Err("yes or no".to_owned()),
    }
}

/// Empty (no date), `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM` (UTC) or `+90d`.
pub fn parse_date(s: &str, now: OffsetDateTime) -> Result<Option<OffsetDateTime>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || format!("{s:?}: use YYYY-MM-DD, YYYY-MM-DDTHH:MM or +90d");
    if let Some(days) = s.strip_prefix('+').and_then(|r| r.strip_suffix('d')) {
        let days: i64 = days.parse().map_err(|_| bad())?;
        return Ok(Some(now + Duration::days(days)));
    }
    let (date, time) = match s.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let date = Date::parse(date, format_description!("[year]-[month]-[day]")).map_err(|_| bad())?;
    let time = match time {
        Some(t) => Time::parse(t, format_description!("[hour]:[minute]")).map_err(|_| bad())?,
        None => Time::MIDNIGHT,
    };
    Ok(Some(PrimitiveDateTime::new(date, time).assume_utc()))
}

/// A date as the form would accept it back.
pub fn format_date_input(d: Option<OffsetDateTime>) -> String {
    d.map(|d| {
        let d = d.to_offset(time::UtcOffset::UTC);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}",
            d.year(),
            u8::from(d.month()),
            d.day(),
            d.hour(),
            d.minute()
        )
    })
    .unwrap_or_default()
}
