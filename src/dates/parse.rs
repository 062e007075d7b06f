//! Dates as people type them, in the TUI's date fields and on the command
//! line alike: as `az` prints them, plain dates, spans from now.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

use super::Zone;

/// Empty (no date); a date with an optional time (`HH:MM` or `HH:MM:SS`) in
/// the zone the screen shows; RFC 3339 with `Z` or an offset, as `az`
/// prints it; or a span from now: `+12h`, `+30d`, `+2w`, `+6m` (calendar
/// months, the day kept or the month's last), `+1y`.
pub fn parse_date(
    s: &str,
    now: OffsetDateTime,
    zone: &Zone,
) -> Result<Option<OffsetDateTime>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if let Some(span) = s.strip_prefix('+') {
        return from_now(span, now).map(Some);
    }
    // `az` and people also write a space between date and time.
    let t = s.replacen(' ', "T", 1);
    if let Ok(d) = OffsetDateTime::parse(&t, &Rfc3339) {
        return Ok(Some(d));
    }
    let bad = || format!("{s:?} is not a date in one of the forms above");
    let (date, time) = match t.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (t.as_str(), None),
    };
    let date = Date::parse(date, format_description!("[year]-[month]-[day]")).map_err(|_| bad())?;
    let time = match time {
        Some(t) => Time::parse(t, format_description!("[hour]:[minute]"))
            .or_else(|_| Time::parse(t, format_description!("[hour]:[minute]:[second]")))
            .or_else(|_| {
                Time::parse(
                    t,
                    format_description!("[hour]:[minute]:[second].[subsecond]"),
                )
            })
            .map_err(|_| bad())?,
        None => Time::MIDNIGHT,
    };
    Ok(Some(zone.resolve(PrimitiveDateTime::new(date, time))))
}

/// `12h`, `30d`, `2w`, `6m` or `1y` after `now`.
fn from_now(span: &str, now: OffsetDateTime) -> Result<OffsetDateTime, String> {
    let bad = || format!("+{span}: write a number and h, d, w, m (months) or y, like +30d");
    let unit = span.chars().last().ok_or_else(bad)?;
    let n: u32 = span[..span.len() - unit.len_utf8()]
        .parse()
        .map_err(|_| bad())?;
    let too_far = || format!("+{span} is too far ahead");
    let hours = |h: i64| now.checked_add(Duration::hours(h)).ok_or_else(too_far);
    match unit.to_ascii_lowercase() {
        'h' => hours(i64::from(n)),
        'd' => hours(i64::from(n) * 24),
        'w' => hours(i64::from(n) * 24 * 7),
        'm' => add_months(now, n).ok_or_else(too_far),
        'y' => n
            .checked_mul(12)
            .and_then(|m| add_months(now, m))
            .ok_or_else(too_far),
        _ => Err(bad()),
    }
}

/// `now` moved `months` calendar months on, the day of the month kept where
/// the month has it and the month's last day where it does not.
fn add_months(now: OffsetDateTime, months: u32) -> Option<OffsetDateTime> {
    let index = i64::from(now.year()) * 12 + i64::from(u8::from(now.month())) - 1;
    let target = index.checked_add(i64::from(months))?;
    let year = i32::try_from(target.div_euclid(12)).ok()?;
    let month = time::Month::try_from(u8::try_from(target.rem_euclid(12) + 1).ok()?).ok()?;
    let day = now.day().min(month.length(year));
    let date = Date::from_calendar_date(year, month, day).ok()?;
    Some(now.replace_date(date))
}
