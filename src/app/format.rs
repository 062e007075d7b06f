//! How dates and counts read on screen: UTC, `YYYY-MM-DD HH:MM`.

use time::{OffsetDateTime, UtcOffset};

/// `YYYY-MM-DD HH:MM` in UTC, or empty.
pub fn date_time(d: Option<OffsetDateTime>) -> String {
    d.map(|d| {
        let d = d.to_offset(UtcOffset::UTC);
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            d.year(),
            u8::from(d.month()),
            d.day(),
            d.hour(),
            d.minute()
        )
    })
    .unwrap_or_default()
}

/// `YYYY-MM-DD` in UTC, or empty.
pub fn date(d: Option<OffsetDateTime>) -> String {
    d.map(|d| {
        let d = d.to_offset(UtcOffset::UTC);
        format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
    })
    .unwrap_or_default()
}

/// Whole days from `now` until `then` (negative once past).
pub fn days_until(now: OffsetDateTime, then: OffsetDateTime) -> i64 {
    (then - now).whole_days()
}
