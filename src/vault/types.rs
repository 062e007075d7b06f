//! Domain types the UI works with, converted from the SDK's models.

use std::collections::BTreeMap;
use std::fmt;

use secrecy::SecretString;

pub(crate) use super::tags::Tags;
use time::OffsetDateTime;

pub(crate) use crate::kv_facts::{NameError, validate_name};

/// A secret name checked against `^[0-9a-zA-Z-]{1,127}$`, parsed once where
/// it enters (the SDK's answers, a form). Key Vault names are
/// case-insensitive, so equality, order and hash ignore ASCII case; the
/// spelling as given is kept for display.
#[derive(Clone)]
pub struct SecretName(String);

impl SecretName {
    pub fn parse(name: &str) -> Result<Self, NameError> {
        validate_name(name)?;
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn folded(&self) -> impl Iterator<Item = u8> + '_ {
        self.0.bytes().map(|b| b.to_ascii_lowercase())
    }
}

impl PartialEq for SecretName {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for SecretName {}

impl PartialEq<str> for SecretName {
    fn eq(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl PartialEq<&str> for SecretName {
    fn eq(&self, other: &&str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl PartialOrd for SecretName {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SecretName {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.folded().cmp(other.folded())
    }
}

impl std::hash::Hash for SecretName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for b in self.folded() {
            state.write_u8(b);
        }
        state.write_u8(0xff);
    }
}

/// Reads as the name as given, so a `&SecretName` goes where a `&str` does.
impl std::ops::Deref for SecretName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl std::str::FromStr for SecretName {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Properties of one secret (the latest version in a list, or one version).
#[derive(Debug, Clone, PartialEq)]
pub struct SecretProps {
    pub name: SecretName,
    /// Full id as the vault gave it (versioned or not).
    pub id: String,
    pub version: Option<String>,
    pub enabled: bool,
    pub content_type: Option<String>,
    pub created: Option<OffsetDateTime>,
    pub updated: Option<OffsetDateTime>,
    pub not_before: Option<OffsetDateTime>,
    pub expires: Option<OffsetDateTime>,
    pub tags: Tags,
    /// One of a few words, shared rather than allocated per row.
    pub recovery_level: Option<std::borrow::Cow<'static, str>>,
    pub recoverable_days: Option<i32>,
    pub managed: bool,
}

impl SecretProps {
    /// A secret known only by name (enabled, no dates, no tags), to fill in
    /// field by field.
    pub fn named(name: SecretName) -> Self {
        Self {
            name,
            id: String::new(),
            version: None,
            enabled: true,
            content_type: None,
            created: None,
            updated: None,
            not_before: None,
            expires: None,
            tags: Tags::default(),
            recovery_level: None,
            recoverable_days: None,
            managed: false,
        }
    }
}

/// A recovery level as a row keeps it: the levels Key Vault names are
/// shared words; anything else is kept as given.
pub(crate) fn recovery_level(level: &str) -> std::borrow::Cow<'static, str> {
    const KNOWN: [&str; 7] = [
        "Purgeable",
        "Recoverable+Purgeable",
        "Recoverable",
        "Recoverable+ProtectedSubscription",
        "CustomizedRecoverable+Purgeable",
        "CustomizedRecoverable",
        "CustomizedRecoverable+ProtectedSubscription",
    ];
    match KNOWN.iter().find(|k| **k == level) {
        Some(k) => std::borrow::Cow::Borrowed(k),
        None => std::borrow::Cow::Owned(level.to_owned()),
    }
}

/// A secret with its value; the value never shows in `Debug`.
#[derive(Clone)]
pub struct Secret {
    pub props: SecretProps,
    pub value: SecretString,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secret")
            .field("props", &self.props)
            .field("value", &"[hidden]")
            .finish()
    }
}

/// A deleted-but-recoverable secret.
#[derive(Debug, Clone, PartialEq)]
pub struct DeletedSecret {
    pub props: SecretProps,
    pub recovery_id: Option<String>,
    pub deleted_date: Option<OffsetDateTime>,
    pub scheduled_purge_date: Option<OffsetDateTime>,
}

/// What to write with a set (a new version).
#[derive(Clone)]
pub struct NewSecret {
    pub name: SecretName,
    pub value: SecretString,
    pub content_type: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub enabled: bool,
    pub not_before: Option<OffsetDateTime>,
    pub expires: Option<OffsetDateTime>,
}

impl fmt::Debug for NewSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSecret")
            .field("name", &self.name)
            .field("value", &"[hidden]")
            .field("content_type", &self.content_type)
            .field("tags", &self.tags)
            .field("enabled", &self.enabled)
            .field("not_before", &self.not_before)
            .field("expires", &self.expires)
            .finish()
    }
}

/// A properties update: `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PropsUpdate {
    pub enabled: Option<bool>,
    pub content_type: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
    /// `Some(None)` clears the date.
    pub not_before: Option<Option<OffsetDateTime>>,
    pub expires: Option<Option<OffsetDateTime>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_key_vault_pattern() {
        assert!(SecretName::parse("db-password-2").is_ok());
        assert_eq!(SecretName::parse(""), Err(NameError::Empty));
        assert_eq!(SecretName::parse("a_b"), Err(NameError::BadChar('_')));
        assert_eq!(
            SecretName::parse(&"a".repeat(128)),
            Err(NameError::TooLong(128))
        );
        assert!(SecretName::parse(&"a".repeat(127)).is_ok());
    }

    #[test]
    fn names_are_one_name_whatever_their_case() {
        use std::collections::{BTreeSet, HashSet};
        let a = SecretName::parse("Db-Password").unwrap();
        let b = SecretName::parse("db-password").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, "DB-PASSWORD");
        assert_eq!(a.as_str(), "Db-Password", "the spelling is kept");
        assert_eq!(HashSet::from([a.clone(), b.clone()]).len(), 1);
        assert_eq!(BTreeSet::from([a.clone(), b]).len(), 1);
        let c = SecretName::parse("db-passwords").unwrap();
        assert!(a < c);
    }

    #[test]
    fn debug_never_shows_a_value() {
        let s = Secret {
            props: SecretProps::named(SecretName::parse("s").unwrap()),
            value: SecretString::from("hunter2-sentinel"),
        };
        assert!(!format!("{s:?}").contains("hunter2-sentinel"));
    }
}

/// How exported values are written, and how names map to keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// `NAME='value'` lines a POSIX shell can source; `db-password` → `DB_PASSWORD`.
    Env,
    /// One JSON object, `{"db-password": "value"}`.
    Json,
    /// A flat JSON object as `dotnet user-secrets` keeps it; `--` → `:`.
    Dotnet,
}
