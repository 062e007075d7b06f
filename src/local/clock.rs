//! The vault's clock: real time plus an offset a tester sets (`serve
//! --clock-offset +90d`, or the admin endpoint while running). Created and
//! updated dates, deletion and scheduled purge dates and the retention purge
//! all read it; TLS certificates keep real time.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;

use crate::dates::Zone;
use crate::dates::parse_date;

/// Real time shifted by a number of seconds.
#[derive(Debug, Default)]
pub(super) struct Clock {
    offset: AtomicI64,
}

fn real_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Clock {
    pub(super) fn with_offset(offset: i64) -> Self {
        Self {
            offset: AtomicI64::new(offset),
        }
    }

    /// Seconds since the epoch, as the vault sees it.
    pub(super) fn now(&self) -> i64 {
        real_now().saturating_add(self.offset())
    }

    pub(super) fn offset(&self) -> i64 {
        self.offset.load(Ordering::Relaxed)
    }

    pub(super) fn set_offset(&self, offset: i64) {
        self.offset.store(offset, Ordering::Relaxed);
    }
}

/// Seconds a clock moves for `text`: a span as the date fields take it with
/// a sign (`+90d`, `-12h`, `+2w`, `+6m`, `+1y`), a number of seconds (`3600`,
/// `-60`), or a date the clock should show now (`2030-01-01`, RFC 3339; UTC).
pub fn parse_offset(text: &str) -> Result<i64, String> {
    let t = text.trim();
    if let Ok(secs) = t.parse::<i64>() {
        return Ok(secs);
    }
    let now = OffsetDateTime::from_unix_timestamp(real_now())
        .map_err(|e| format!("the system clock: {e}"))?;
    let zone = Zone::utc();
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, format!("+{rest}")),
        None => (false, t.to_owned()),
    };
    let at = parse_date(&body, now, &zone)?
        .ok_or_else(|| "an empty clock offset: write a span like +90d".to_owned())?;
    let secs = (at - now).whole_seconds();
    Ok(if negative { -secs } else { secs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_seconds_and_dates_become_offsets() {
        assert_eq!(parse_offset("+90d").unwrap(), 90 * 86_400);
        assert_eq!(parse_offset("-12h").unwrap(), -12 * 3600);
        assert_eq!(parse_offset("+2w").unwrap(), 14 * 86_400);
        assert_eq!(parse_offset("3600").unwrap(), 3600);
        assert_eq!(parse_offset("-60").unwrap(), -60);
        let to_2000 = parse_offset("2000-01-01T00:00:00Z").unwrap();
        assert!((real_now() + to_2000 - 946_684_800).abs() <= 2);
        for bad in ["", "+", "+9x", "soon", "-"] {
            assert!(parse_offset(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_clock_moves_by_its_offset() {
        let c = Clock::with_offset(0);
        let before = c.now();
        c.set_offset(86_400);
        assert!(c.now() - before >= 86_400 && c.now() - before <= 86_402);
    }
}
