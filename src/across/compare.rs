//! Two vaults' listings side by side: one row per name, its state and what
//! differs. Pure: the SDK calls that fill a [`Listing`] and the value digests
//! live in [`super::fetch`], so the CLI and the TUI share every decision here.

use std::collections::BTreeMap;

use super::hash::ValueDigest;
use super::names::NameRules;
use crate::vault::{DeletedSecret, SecretName, SecretProps};

/// A property compared between the two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Value,
    ContentType,
    Tags,
    Enabled,
    Expires,
    NotBefore,
}

impl Field {
    pub const ALL: [Field; 6] = [
        Field::Value,
        Field::ContentType,
        Field::Tags,
        Field::Enabled,
        Field::Expires,
        Field::NotBefore,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::Value => "value",
            Field::ContentType => "content type",
            Field::Tags => "tags",
            Field::Enabled => "enabled",
            Field::Expires => "expires",
            Field::NotBefore => "not before",
        }
    }

    /// The JSON spelling.
    pub fn key(self) -> &'static str {
        match self {
            Field::Value => "value",
            Field::ContentType => "contentType",
            Field::Tags => "tags",
            Field::Enabled => "enabled",
            Field::Expires => "expires",
            Field::NotBefore => "notBefore",
        }
    }
}

/// The fields that differ, as a small set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Diffs(u8);

impl Diffs {
    pub fn insert(&mut self, f: Field) {
        self.0 |= 1 << f as u8;
    }

    pub fn contains(self, f: Field) -> bool {
        self.0 & (1 << f as u8) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Field> {
        Field::ALL.into_iter().filter(move |f| self.contains(*f))
    }

    /// `value, tags`.
    pub fn describe(self) -> String {
        self.iter().map(Field::label).collect::<Vec<_>>().join(", ")
    }
}

/// Where a name stands between the two vaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    Same,
    Differs,
    OnlyInSource,
    OnlyInTarget,
    /// Deleted but recoverable in the target: a copy must recover or purge it first.
    DeletedInTarget,
    /// Certificate-backed on either side: not compared unless asked.
    Managed,
    /// Disabled on either side: the value cannot be read, properties are still compared.
    Disabled,
}

impl State {
    pub const ALL: [State; 7] = [
        State::Same,
        State::Differs,
        State::OnlyInSource,
        State::OnlyInTarget,
        State::DeletedInTarget,
        State::Managed,
        State::Disabled,
    ];

    pub fn label(self) -> &'static str {
        match self {
            State::Same => "same",
            State::Differs => "differs",
            State::OnlyInSource => "only in source",
            State::OnlyInTarget => "only in target",
            State::DeletedInTarget => "deleted in target",
            State::Managed => "certificate-backed",
            State::Disabled => "disabled",
        }
    }

    /// The JSON and `--state` spelling.
    pub fn key(self) -> &'static str {
        match self {
            State::Same => "same",
            State::Differs => "differs",
            State::OnlyInSource => "only-in-source",
            State::OnlyInTarget => "only-in-target",
            State::DeletedInTarget => "deleted-in-target",
            State::Managed => "certificate-backed",
            State::Disabled => "disabled",
        }
    }
}

/// What the two vaults hold, as listed.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub source: Vec<SecretProps>,
    pub target: Vec<SecretProps>,
    pub target_deleted: Vec<DeletedSecret>,
}

/// How to compare.
#[derive(Debug, Clone, Default)]
pub struct CompareOptions {
    pub rules: NameRules,
    /// Compare certificate-backed secrets too.
    pub include_managed: bool,
    /// Read and compare values (off: `--metadata-only`).
    pub values: bool,
}

/// One name of the comparison.
#[derive(Debug, Clone)]
pub struct Row {
    /// The source spelling (the name the target name maps back to).
    pub name: SecretName,
    pub target_name: SecretName,
    pub state: State,
    /// What differs (the properties of a disabled row too).
    pub diffs: Diffs,
    pub source: Option<SecretProps>,
    pub target: Option<SecretProps>,
    pub deleted: Option<DeletedSecret>,
    /// Both values still to be compared: [`settle`] finishes the row.
    pub needs_values: bool,
}

impl Row {
    /// Whether this row counts as a difference for the exit code: a skipped
    /// certificate-backed row does not, nor a disabled one whose properties match.
    pub fn is_difference(&self) -> bool {
        match self.state {
            State::Same | State::Managed => false,
            State::Disabled => !self.diffs.is_empty(),
            _ => true,
        }
    }
}

impl Row {
    /// The note after a row: what differs, or why it was not compared.
    pub fn note(&self) -> String {
        let r = self;
        let props = |prefix: &str| {
            if r.diffs.is_empty() {
                prefix.to_owned()
            } else {
                format!("{prefix}; {}", r.diffs.describe())
            }
        };
        match r.state {
            State::Differs => r.diffs.describe(),
            State::DeletedInTarget => {
                "recoverable there: a copy must --recover or --purge-first".into()
            }
            State::Managed => "not compared (--include-managed compares it)".into(),
            State::Disabled => {
                let which = match (
                    r.source.as_ref().is_some_and(|p| !p.enabled),
                    r.target.as_ref().is_some_and(|p| !p.enabled),
                ) {
                    (true, true) => "disabled in both",
                    (true, false) => "disabled in source",
                    (false, true) => "disabled in target",
                    (false, false) => "unreadable",
                };
                props(&format!("value not compared: {which}"))
            }
            _ => String::new(),
        }
    }

    /// `name` or `name → target-name` when a map renamed it.
    pub fn shown_name(&self) -> String {
        let r = self;
        if r.name.as_str() == r.target_name.as_str() {
            r.name.to_string()
        } else {
            format!("{} → {}", r.name, r.target_name)
        }
    }
}

/// The properties that differ between two versions (never the value).
pub fn property_diffs(a: &SecretProps, b: &SecretProps) -> Diffs {
    let mut d = Diffs::default();
    if a.content_type != b.content_type {
        d.insert(Field::ContentType);
    }
    if a.tags != b.tags {
        d.insert(Field::Tags);
    }
    if a.enabled != b.enabled {
        d.insert(Field::Enabled);
    }
    if a.expires != b.expires {
        d.insert(Field::Expires);
    }
    if a.not_before != b.not_before {
        d.insert(Field::NotBefore);
    }
    d
}

/// Pairs the listings by name (through the rules) in source-name order.
/// Rows that need both values have `needs_values` set and a state from their
/// properties alone until [`settle`]d.
pub fn pair(listing: Listing, opts: &CompareOptions) -> Vec<Row> {
    #[derive(Default)]
    struct Slot {
        target_name: Option<SecretName>,
        source: Option<SecretProps>,
        target: Option<SecretProps>,
        deleted: Option<DeletedSecret>,
    }
    let mut slots: BTreeMap<SecretName, Slot> = BTreeMap::new();
    for p in listing.source {
        if let Some(t) = opts.rules.to_target(&p.name) {
            let slot = slots.entry(p.name.clone()).or_default();
            slot.target_name = Some(t);
            slot.source = Some(p);
        }
    }
    for p in listing.target {
        if let Some(s) = opts.rules.to_source(&p.name) {
            let slot = slots.entry(s).or_default();
            slot.target_name = Some(p.name.clone());
            slot.target = Some(p);
        }
    }
    for d in listing.target_deleted {
        if let Some(s) = opts.rules.to_source(&d.props.name) {
            let slot = slots.entry(s).or_default();
            if slot.target.is_none() {
                slot.target_name.get_or_insert_with(|| d.props.name.clone());
                slot.deleted = Some(d);
            }
        }
    }
    slots
        .into_iter()
        .filter_map(|(name, slot)| {
            // A name deleted in the target and absent from the source is no row.
            if slot.source.is_none() && slot.target.is_none() {
                return None;
            }
            let target_name = slot.target_name.unwrap_or_else(|| name.clone());
            let managed = |p: &Option<SecretProps>| p.as_ref().is_some_and(|p| p.managed);
            let mut row = Row {
                name,
                target_name,
                state: State::Same,
                diffs: Diffs::default(),
                needs_values: false,
                source: slot.source,
                target: slot.target,
                deleted: slot.deleted,
            };
            row.state = match (&row.source, &row.target) {
                _ if !opts.include_managed && (managed(&row.source) || managed(&row.target)) => {
                    State::Managed
                }
                (Some(_), None) if row.deleted.is_some() => State::DeletedInTarget,
                (Some(_), None) => State::OnlyInSource,
                (None, _) => State::OnlyInTarget,
                (Some(s), Some(t)) => {
                    row.diffs = property_diffs(s, t);
                    if opts.values && !(s.enabled && t.enabled) {
                        State::Disabled
                    } else {
                        row.needs_values = opts.values;
                        if row.diffs.is_empty() {
                            State::Same
                        } else {
                            State::Differs
                        }
                    }
                }
            };
            Some(row)
        })
        .collect()
}

/// Finishes a row with both values' digests (or `None` when one could not be
/// read after all: the row becomes disabled, its value not compared).
pub fn settle(row: &mut Row, digests: Option<(ValueDigest, ValueDigest)>) {
    if !row.needs_values {
        return;
    }
    row.needs_values = false;
    match digests {
        Some((a, b)) => {
            if a != b {
                row.diffs.insert(Field::Value);
            }
            row.state = if row.diffs.is_empty() {
                State::Same
            } else {
                State::Differs
            };
        }
        None => row.state = State::Disabled,
    }
}

/// Rows per state, in [`State::ALL`] order.
pub fn counts(rows: &[Row]) -> Vec<(State, usize)> {
    State::ALL
        .iter()
        .map(|s| (*s, rows.iter().filter(|r| r.state == *s).count()))
        .collect()
}

/// `3 same, 2 differ, 1 only in source, ...`: the states that occur.
pub fn summary(rows: &[Row]) -> String {
    let parts: Vec<String> = counts(rows)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| match s {
            State::Differs if n > 1 => format!("{n} differ"),
            _ => format!("{n} {}", s.label()),
        })
        .collect();
    if parts.is_empty() {
        "no secrets to compare".into()
    } else {
        parts.join(", ")
    }
}
