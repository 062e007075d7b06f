//! What a list row offers to filtering and sorting, and the sort orders.

use std::cmp::Ordering;

use crate::vault::{DeletedSecret, SecretProps};

/// What a list row offers to filtering and sorting.
pub trait ListRow: Sync + PartialEq {
    fn name(&self) -> &str;
    /// The secret's properties (a deleted secret's as they were).
    fn props(&self) -> &SecretProps;
    /// Text the fuzzy filter searches besides the name; `None` when there
    /// is none (most rows), which spares building a string per row.
    fn extra_haystack(&self) -> Option<String>;
    fn compare(&self, other: &Self, sort: SortKey) -> Ordering;
}

/// Sort order of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Name,
    /// Newest first.
    Updated,
    /// Soonest first; secrets without an expiry last.
    Expires,
    /// Best filter match first (by name when no filter is set).
    Match,
}

impl SortKey {
    pub fn next(self) -> Self {
        match self {
            SortKey::Name => SortKey::Updated,
            SortKey::Updated => SortKey::Expires,
            SortKey::Expires => SortKey::Match,
            SortKey::Match => SortKey::Name,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Updated => "updated",
            SortKey::Expires => "expires",
            SortKey::Match => "best match",
        }
    }
}

/// Case-insensitive, without allocating: sorting 100,000 names compares a lot.
fn by_name(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
        .then_with(|| a.cmp(b))
}

impl ListRow for SecretProps {
    fn name(&self) -> &str {
        &self.name
    }

    fn props(&self) -> &SecretProps {
        self
    }

    fn extra_haystack(&self) -> Option<String> {
        if self.content_type.is_none() && self.tags.is_empty() {
            return None;
        }
        let mut s = self.content_type.clone().unwrap_or_default();
        for (k, v) in &self.tags {
            s.push(crate::app::lists::matching::FIELD_SEP);
            s.push_str(k);
            s.push('=');
            s.push_str(v);
        }
        Some(s)
    }

    fn compare(&self, other: &Self, sort: SortKey) -> Ordering {
        let primary = match sort {
            SortKey::Name | SortKey::Match => Ordering::Equal,
            SortKey::Updated => other.updated.cmp(&self.updated),
            SortKey::Expires => match (self.expires, other.expires) {
                (Some(a), Some(b)) => a.cmp(&b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
        };
        primary.then_with(|| by_name(&self.name, &other.name))
    }
}

impl ListRow for DeletedSecret {
    fn name(&self) -> &str {
        &self.props.name
    }

    fn props(&self) -> &SecretProps {
        &self.props
    }

    fn extra_haystack(&self) -> Option<String> {
        self.props.extra_haystack()
    }

    fn compare(&self, other: &Self, sort: SortKey) -> Ordering {
        match sort {
            SortKey::Name | SortKey::Match => by_name(&self.props.name, &other.props.name),
            SortKey::Updated => other
                .deleted_date
                .cmp(&self.deleted_date)
                .then_with(|| by_name(&self.props.name, &other.props.name)),
            SortKey::Expires => self
                .scheduled_purge_date
                .cmp(&other.scheduled_purge_date)
                .then_with(|| by_name(&self.props.name, &other.props.name)),
        }
    }
}
