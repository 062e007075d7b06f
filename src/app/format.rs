//! How dates and counts read on screen: `YYYY-MM-DD HH:MM` in the zone the
//! user lives in (or UTC when configured), the zone named once in the header.

use time::OffsetDateTime;

pub use crate::dates::{OffsetAt, Zone};

/// `YYYY-MM-DD HH:MM` in UTC, or empty.
pub fn date_time(d: Option<OffsetDateTime>) -> String {
    Zone::utc().date_time(d)
}

/// `YYYY-MM-DD` in UTC, or empty.
pub fn date(d: Option<OffsetDateTime>) -> String {
    Zone::utc().date(d)
}

pub use crate::shown::count;

/// Whole days from `now` until `then` (negative once past).
pub fn days_until(now: OffsetDateTime, then: OffsetDateTime) -> i64 {
    (then - now).whole_days()
}

/// How long ago, roughly: `just now`, `5 min ago`, `3 h ago`, `2 d ago`.
pub fn ago(now: OffsetDateTime, then: OffsetDateTime) -> String {
    let secs = (now - then).whole_seconds().max(0);
    match secs {
        0..60 => "just now".to_owned(),
        60..3600 => format!("{} min ago", secs / 60),
        3600..86_400 => format!("{} h ago", secs / 3600),
        _ => format!("{} d ago", secs / 86_400),
    }
}
