//! The three forms (new secret, new version, properties): fields, parsing of
//! dates and tags, and validation shown beside each field.

use std::fmt;

use secrecy::SecretString;
use time::OffsetDateTime;
use tui_input::Input;

use crate::app::format::Zone;
use crate::app::forms::editor::ValueEditor;
pub use crate::app::forms::form_dates::{date_hint, format_date_input, parse_date};
pub use crate::app::forms::tag_text::{MAX_TAGS, format_tags, parse_tags};
use crate::kv_facts::{MAX_CONTENT_TYPE_CHARS, validate_name};
use crate::vault::ExportFormat;
use crate::vault::{NewSecret, PropsUpdate, ReqId, SecretName, SecretProps};

pub use crate::kv_facts::MAX_VALUE_BYTES;

/// Which form, and what it acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    NewSecret,
    NewVersion {
        name: SecretName,
    },
    Properties {
        name: SecretName,
        version: Option<String>,
    },
    /// Write the secret's backup blob to a file.
    Backup {
        name: SecretName,
    },
    /// Restore a secret from a backup file.
    Restore,
    /// Export the values of these secrets to a file.
    Export {
        names: Vec<SecretName>,
    },
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
    /// `env`, `json` or `dotnet`.
    Format,
}

/// Which field: forms find their fields by this, never by the label shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldId {
    Name,
    Value,
    ValueFile,
    ContentType,
    Tags,
    Enabled,
    NotBefore,
    Expires,
    /// The file of a backup, restore or export.
    File,
    /// The export's format.
    Format,
}

impl FieldId {
    pub fn label(self) -> &'static str {
        match self {
            FieldId::Name => "Name",
            FieldId::Value => "Value",
            FieldId::ValueFile => "Value file",
            FieldId::ContentType => "Content type",
            FieldId::Tags => "Tags",
            FieldId::Enabled => "Enabled",
            FieldId::NotBefore => "Not before",
            FieldId::Expires => "Expires",
            FieldId::File => "File",
            FieldId::Format => "Format",
        }
    }

    pub fn kind(self) -> FieldKind {
        match self {
            FieldId::Name => FieldKind::Name,
            FieldId::Value => FieldKind::Value,
            FieldId::ValueFile => FieldKind::ValueFile,
            FieldId::ContentType => FieldKind::Text,
            FieldId::Tags => FieldKind::Tags,
            FieldId::Enabled => FieldKind::Flag,
            FieldId::NotBefore | FieldId::Expires => FieldKind::Date,
            FieldId::File => FieldKind::Path,
            FieldId::Format => FieldKind::Format,
        }
    }
}

/// What a field's input is held in: one line, the value's editor, or a flag.
#[derive(Clone)]
pub enum FieldText {
    Line(Input),
    Lines(ValueEditor),
    Flag(bool),
}

/// One labelled input with its message.
#[derive(Clone)]
pub struct Field {
    pub id: FieldId,
    pub kind: FieldKind,
    pub text: FieldText,
    /// What is wrong with the input, shown in red.
    pub error: Option<String>,
    /// Something to know that is not an error ("exists: adds a new version").
    pub note: Option<String>,
}

impl fmt::Debug for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = if self.kind == FieldKind::Value {
            "[hidden]"
        } else {
            self.value()
        };
        f.debug_struct("Field")
            .field("id", &self.id)
            .field("input", &shown)
            .field("error", &self.error)
            .field("note", &self.note)
            .finish()
    }
}

impl Field {
    fn new(id: FieldId, value: &str) -> Self {
        let kind = id.kind();
        let text = match kind {
            FieldKind::Value => FieldText::Lines(ValueEditor::new(value)),
            FieldKind::Flag => FieldText::Flag(value == "yes"),
            _ => FieldText::Line(Input::new(value.to_owned())),
        };
        Self {
            id,
            kind,
            text,
            error: None,
            note: None,
        }
    }

    fn flag(id: FieldId, on: bool) -> Self {
        Self {
            text: FieldText::Flag(on),
            ..Self::new(id, "")
        }
    }

    pub fn label(&self) -> &'static str {
        self.id.label()
    }

    /// The text as shown (`yes`/`no` for a flag).
    pub fn value(&self) -> &str {
        match &self.text {
            FieldText::Line(input) => input.value(),
            FieldText::Lines(editor) => editor.text(),
            FieldText::Flag(true) => "yes",
            FieldText::Flag(false) => "no",
        }
    }

    /// The cursor's column from the start of its line.
    pub fn cursor(&self) -> usize {
        match &self.text {
            FieldText::Line(input) => input.visual_cursor(),
            FieldText::Lines(editor) => editor.cursor_line_col().1,
            FieldText::Flag(_) => 0,
        }
    }
}

/// An expiry closer than this many days is pointed out in the form.
pub const EXPIRES_SOON_DAYS: i64 = 7;

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
    /// Each field's text as the form opened (never a value: those start
    /// empty), so an untouched property is not sent back.
    initial: Vec<String>,
    /// The old version this new version copies (`C`): the form asks for a
    /// confirmation before it writes.
    pub make_current_of: Option<String>,
}

impl Form {
    pub fn new_secret() -> Self {
        Self::with_fields(
            FormKind::NewSecret,
            vec![
                Field::new(FieldId::Name, ""),
                Field::new(FieldId::Value, ""),
                Field::new(FieldId::ValueFile, ""),
                Field::new(FieldId::ContentType, ""),
                Field::new(FieldId::Tags, ""),
                Field::flag(FieldId::Enabled, true),
                Field::new(FieldId::NotBefore, ""),
                Field::new(FieldId::Expires, ""),
            ],
        )
    }

    /// A new version, prefilled with the current version's content type, tags
    /// and those of its dates still ahead (a past date would be a trap).
    pub fn new_version(current: &SecretProps, now: OffsetDateTime, zone: &Zone) -> Self {
        let ahead = |d: Option<OffsetDateTime>| d.filter(|d| *d > now);
        let mut form = Self::with_fields(
            FormKind::NewVersion {
                name: current.name.clone(),
            },
            vec![
                Field::new(FieldId::Value, ""),
                Field::new(FieldId::ValueFile, ""),
                Field::new(
                    FieldId::ContentType,
                    current.content_type.as_deref().unwrap_or(""),
                ),
                Field::new(FieldId::Tags, &format_tags(&current.tags)),
                Field::flag(FieldId::Enabled, true),
                Field::new(
                    FieldId::NotBefore,
                    &format_date_input(ahead(current.not_before), zone),
                ),
                Field::new(
                    FieldId::Expires,
                    &format_date_input(ahead(current.expires), zone),
                ),
            ],
        );
        form.check_dates(now, zone);
        form
    }

    pub fn properties(current: &SecretProps, zone: &Zone) -> Self {
        Self::with_fields(
            FormKind::Properties {
                name: current.name.clone(),
                version: current.version.clone(),
            },
            vec![
                Field::flag(FieldId::Enabled, current.enabled),
                Field::new(
                    FieldId::ContentType,
                    current.content_type.as_deref().unwrap_or(""),
                ),
                Field::new(FieldId::Tags, &format_tags(&current.tags)),
                Field::new(
                    FieldId::NotBefore,
                    &format_date_input(current.not_before, zone),
                ),
                Field::new(FieldId::Expires, &format_date_input(current.expires, zone)),
            ],
        )
    }

    /// Backup to `NAME.kvbackup` unless another path is typed.
    pub fn backup(name: &SecretName) -> Self {
        Self::with_fields(
            FormKind::Backup { name: name.clone() },
            vec![Field::new(FieldId::File, &format!("{name}.kvbackup"))],
        )
    }

    /// Export `names` to `secrets.env` unless another file or format is typed.
    pub fn export(names: Vec<SecretName>) -> Self {
        Self::with_fields(
            FormKind::Export { names },
            vec![
                Field::new(FieldId::Format, "env"),
                Field::new(FieldId::File, "secrets.env"),
            ],
        )
    }

    /// Moves the export's format to the next (`step` 1) or previous one, and
    /// renames the file when it still ends as the old format's default did
    /// (`secrets.env` → `secrets.json`); a name typed by hand stays.
    pub fn cycle_format(&mut self, step: isize) {
        const ALL: [(&str, &str); 3] = [
            ("env", ".env"),
            ("json", ".json"),
            ("dotnet", ".dotnet.json"),
        ];
        let now = self.text(FieldId::Format).trim().to_owned();
        let at = ALL.iter().position(|(f, _)| *f == now);
        let next = match at {
            Some(i) => (i as isize + step).rem_euclid(ALL.len() as isize) as usize,
            None => 0,
        };
        let file = self.text(FieldId::File).to_owned();
        let renamed = at
            .map(|i| ALL[i].1)
            .and_then(|old| file.strip_suffix(old))
            .filter(|stem| !stem.is_empty() && !stem.ends_with(".dotnet"))
            .map(|stem| format!("{stem}{}", ALL[next].1));
        for f in &mut self.fields {
            match f.id {
                FieldId::Format => {
                    f.text = FieldText::Line(tui_input::Input::new(ALL[next].0.to_owned()));
                    f.error = None;
                }
                FieldId::File => {
                    if let Some(name) = &renamed {
                        f.text = FieldText::Line(tui_input::Input::new(name.clone()));
                    }
                }
                _ => {}
            }
        }
        self.dirty = true;
    }

    /// The export's format, once it is one of the three.
    pub fn export_format(&self) -> Option<ExportFormat> {
        parse_format(self.text(FieldId::Format)).ok()
    }

    pub fn restore() -> Self {
        Self::with_fields(FormKind::Restore, vec![Field::new(FieldId::File, "")])
    }

    fn with_fields(kind: FormKind, fields: Vec<Field>) -> Self {
        Self {
            initial: fields.iter().map(|f| f.value().to_owned()).collect(),
            kind,
            fields,
            focus: 0,
            submitting: None,
            error: None,
            dirty: false,
            file_value: None,
            reading_file: false,
            make_current_of: None,
        }
    }

    /// A new version copying an old one: its value, content type, tags and
    /// those of its dates still ahead, all editable before the confirmation.
    pub fn make_current(
        from: &SecretProps,
        value: &str,
        now: OffsetDateTime,
        zone: &crate::app::format::Zone,
    ) -> Self {
        let mut form = Self::new_version(from, now, zone);
        if let Some(field) = form.fields.iter_mut().find(|f| f.id == FieldId::Value) {
            *field = Field::new(FieldId::Value, value);
        }
        form.make_current_of = from.version.clone();
        form
    }

    pub fn title(&self) -> String {
        if let (FormKind::NewVersion { name }, Some(v)) = (&self.kind, &self.make_current_of) {
            return format!("Make version {} of {name} current", &v[..v.len().min(8)]);
        }
        match &self.kind {
            FormKind::NewSecret => "New secret".to_owned(),
            FormKind::NewVersion { name } => format!("New version of {name}"),
            FormKind::Properties { name, .. } => format!("Properties of {name}"),
            FormKind::Backup { name } => format!("Back up {name}"),
            FormKind::Restore => "Restore from a backup file".to_owned(),
            FormKind::Export { names } => match names.as_slice() {
                [one] => format!("Export the value of {one}"),
                many => format!("Export the values of {} secrets", many.len()),
            },
        }
    }

    pub fn field(&self, id: FieldId) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    fn text(&self, id: FieldId) -> &str {
        self.field(id).map(Field::value).unwrap_or("")
    }

    /// A flag's state; `None` when the form has no such flag.
    fn flag(&self, id: FieldId) -> Option<bool> {
        match self.field(id)?.text {
            FieldText::Flag(on) => Some(on),
            _ => None,
        }
    }

    pub fn focused_mut(&mut self) -> Option<&mut Field> {
        self.fields.get_mut(self.focus)
    }

    /// Re-checks every field's syntax; `true` when all pass.
    pub fn validate(&mut self, now: OffsetDateTime, zone: &Zone) -> bool {
        let from_file = !self.text(FieldId::ValueFile).trim().is_empty();
        for f in &mut self.fields {
            f.error = check_field(f.kind, f.value(), now, zone).err();
            if f.kind == FieldKind::Value && from_file && f.value().is_empty() {
                f.error = None;
            }
        }
        // Which one to save would be a guess: the user says.
        let typed = !self.text(FieldId::Value).is_empty();
        if typed
            && from_file
            && let Some(f) = self.fields.iter_mut().find(|f| f.id == FieldId::ValueFile)
        {
            f.error = Some("a value is typed too: clear the value or this file".to_owned());
        }
        self.check_dates(now, zone);
        self.fields.iter().all(|f| f.error.is_none())
    }

    /// Warns (without refusing) when Expires is past or not after Not before.
    pub fn check_dates(&mut self, now: OffsetDateTime, zone: &Zone) {
        let date = |label| parse_date(self.text(label), now, zone).ok().flatten();
        let warning = match (date(FieldId::NotBefore), date(FieldId::Expires)) {
            (_, Some(exp)) if exp <= now => {
                Some("this date is past: the secret expires at once".to_owned())
            }
            (Some(nbf), Some(exp)) if exp <= nbf => {
                Some("before Not before: the secret is never usable".to_owned())
            }
            // A date copied from the current version may be about to pass.
            (_, Some(exp)) if exp - now < time::Duration::days(EXPIRES_SOON_DAYS) => {
                let hours = (exp - now).whole_hours();
                let when = match hours {
                    0..24 => format!("in {hours} h"),
                    _ => format!("in {} days", (exp - now).whole_days()),
                };
                Some(format!("expires {when}: set a later date?"))
            }
            _ => None,
        };
        if let Some(f) = self.fields.iter_mut().find(|f| f.id == FieldId::Expires) {
            f.note = warning;
        }
    }

    /// Whether the field changed since the form opened.
    fn changed(&self, id: FieldId) -> bool {
        self.fields
            .iter()
            .zip(&self.initial)
            .any(|(f, initial)| f.id == id && f.value() != initial)
    }

    /// The secret to write, for the new-secret and new-version forms.
    pub fn to_new_secret(&self, now: OffsetDateTime, zone: &Zone) -> Option<NewSecret> {
        let name = match &self.kind {
            FormKind::NewSecret => SecretName::parse(self.text(FieldId::Name)).ok()?,
            FormKind::NewVersion { name } => name.clone(),
            _ => return None,
        };
        Some(NewSecret {
            name,
            value: match (&self.file_value, self.text(FieldId::Value)) {
                (Some(v), "") => v.clone(),
                (_, typed) => SecretString::from(typed.to_owned()),
            },
            content_type: non_empty(self.text(FieldId::ContentType)),
            tags: parse_tags(self.text(FieldId::Tags)).ok()?,
            enabled: self.flag(FieldId::Enabled)?,
            not_before: parse_date(self.text(FieldId::NotBefore), now, zone).ok()?,
            expires: parse_date(self.text(FieldId::Expires), now, zone).ok()?,
        })
    }

    /// The value file to read before submitting, when no value was typed.
    pub fn value_file_to_read(&self) -> Option<std::path::PathBuf> {
        let path = self.field(FieldId::ValueFile)?.value().trim();
        (self.file_value.is_none() && !path.is_empty() && self.text(FieldId::Value).is_empty())
            .then(|| std::path::PathBuf::from(path))
    }

    /// The file path, for the backup and restore forms.
    pub fn path(&self) -> std::path::PathBuf {
        std::path::PathBuf::from(self.text(FieldId::File).trim())
    }

    /// The update to send, for the properties form: only what was changed,
    /// so untouched tags and dates go back exactly as they were.
    pub fn to_update(&self, now: OffsetDateTime, zone: &Zone) -> Option<PropsUpdate> {
        let when = |label| self.changed(label).then(|| self.text(label));
        Some(PropsUpdate {
            enabled: self
                .changed(FieldId::Enabled)
                .then(|| self.flag(FieldId::Enabled))
                .flatten(),
            content_type: when(FieldId::ContentType).map(str::to_owned),
            tags: when(FieldId::Tags).map(parse_tags).transpose().ok()?,
            not_before: when(FieldId::NotBefore)
                .map(|s| parse_date(s, now, zone))
                .transpose()
                .ok()?,
            expires: when(FieldId::Expires)
                .map(|s| parse_date(s, now, zone))
                .transpose()
                .ok()?,
        })
    }
}

/// The text as typed, or `None` when nothing was: user data is never trimmed.
fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// Syntax check of one field; the name's existence is checked by the caller,
/// which knows the lists.
pub fn check_field(
    kind: FieldKind,
    value: &str,
    now: OffsetDateTime,
    zone: &Zone,
) -> Result<(), String> {
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
            if value.chars().count() > MAX_CONTENT_TYPE_CHARS {
                Err(format!("at most {MAX_CONTENT_TYPE_CHARS} characters"))
            } else {
                Ok(())
            }
        }
        FieldKind::Tags => parse_tags(value).map(|_| ()),
        FieldKind::Flag => Ok(()),
        FieldKind::Date => parse_date(value, now, zone).map(|_| ()),
        FieldKind::Path => {
            if value.trim().is_empty() {
                Err("a file path is required".to_owned())
            } else {
                Ok(())
            }
        }
        FieldKind::ValueFile => Ok(()),
        FieldKind::Format => parse_format(value).map(|_| ()),
    }
}

/// The export formats, as typed.
fn parse_format(s: &str) -> Result<ExportFormat, String> {
    match s.trim() {
        "env" => Ok(ExportFormat::Env),
        "json" => Ok(ExportFormat::Json),
        "dotnet" => Ok(ExportFormat::Dotnet),
        _ => Err("env, json or dotnet".to_owned()),
    }
}
