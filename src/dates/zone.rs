//! The zone times are shown and typed in: `YYYY-MM-DD HH:MM` in the zone
//! the user lives in (or UTC when configured). Shared by the TUI and the
//! command line, so a date means the same in both.

use std::fmt;
use std::sync::Arc;

use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// The offset of a zone at an instant (it changes with daylight saving).
pub type OffsetAt = Arc<dyn Fn(OffsetDateTime) -> UtcOffset + Send + Sync>;

/// The zone times are shown in. The runtime finds the local one (honouring
/// `TZ`); the app only applies it, so it stays pure.
#[derive(Clone)]
pub struct Zone {
    label: String,
    offset_at: Option<OffsetAt>,
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Zone").field(&self.label).finish()
    }
}

impl Default for Zone {
    fn default() -> Self {
        Self::utc()
    }
}

impl Zone {
    pub fn utc() -> Self {
        Self {
            label: "UTC".to_owned(),
            offset_at: None,
        }
    }

    /// A zone named `label` whose offset at an instant `offset_at` gives.
    pub fn new(label: impl Into<String>, offset_at: OffsetAt) -> Self {
        Self {
            label: label.into(),
            offset_at: Some(offset_at),
        }
    }

    /// A zone with one offset all year (tests, and zones without daylight
    /// saving).
    pub fn fixed(label: impl Into<String>, offset: UtcOffset) -> Self {
        Self::new(label, Arc::new(move |_| offset))
    }

    /// What the header calls it ("UTC", "CET").
    pub fn label(&self) -> &str {
        &self.label
    }

    fn at(&self, d: OffsetDateTime) -> OffsetDateTime {
        let offset = self.offset_at.as_ref().map_or(UtcOffset::UTC, |f| f(d));
        d.to_offset(offset)
    }

    /// `YYYY-MM-DD HH:MM`, or empty.
    pub fn date_time(&self, d: Option<OffsetDateTime>) -> String {
        d.map(|d| {
            let d = self.at(d);
            format!("{} {:02}:{:02}", ymd(d), d.hour(), d.minute())
        })
        .unwrap_or_default()
    }

    /// `YYYY-MM-DD HH:MM:SS`, or empty (versions made the same minute
    /// still differ).
    pub fn date_time_secs(&self, d: Option<OffsetDateTime>) -> String {
        d.map(|d| {
            let d = self.at(d);
            format!(
                "{} {:02}:{:02}:{:02}",
                ymd(d),
                d.hour(),
                d.minute(),
                d.second()
            )
        })
        .unwrap_or_default()
    }

    /// `YYYY-MM-DD`, or empty.
    pub fn date(&self, d: Option<OffsetDateTime>) -> String {
        d.map(|d| ymd(self.at(d))).unwrap_or_default()
    }

    /// A date as a form field holds it: RFC 3339 with seconds and this zone's
    /// offset (`Z` in UTC), so it reads like the screen and parses back to
    /// the same instant.
    pub fn input(&self, d: OffsetDateTime) -> String {
        let d = self.at(d);
        let (h, m, _) = d.offset().as_hms();
        let offset = if d.offset().is_utc() {
            "Z".to_owned()
        } else {
            format!(
                "{}{:02}:{:02}",
                if d.offset().is_negative() { '-' } else { '+' },
                h.abs(),
                m.abs()
            )
        };
        format!(
            "{}T{:02}:{:02}:{:02}{offset}",
            ymd(d),
            d.hour(),
            d.minute(),
            d.second()
        )
    }

    /// The instant a wall-clock time in this zone names; in a daylight-saving
    /// change the offset after the change wins.
    pub fn resolve(&self, local: PrimitiveDateTime) -> OffsetDateTime {
        let Some(offset_at) = self.offset_at.as_ref() else {
            return local.assume_utc();
        };
        let guess = offset_at(local.assume_utc());
        let first = local.assume_offset(guess);
        local.assume_offset(offset_at(first))
    }

    /// `HH:MM`.
    pub fn time(&self, d: OffsetDateTime) -> String {
        let d = self.at(d);
        format!("{:02}:{:02}", d.hour(), d.minute())
    }
}

fn ymd(d: OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}
