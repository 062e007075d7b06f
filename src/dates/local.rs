//! The local time zone, as the C library reads it (`TZ`, else
//! `/etc/localtime`), so times on screen match the user's clock.

use std::sync::Arc;

use time::{OffsetDateTime, UtcOffset};

use super::Zone;

/// The local zone, or UTC when `utc` is set or the zone cannot be read.
pub fn local_zone(utc: bool) -> Zone {
    if utc {
        return Zone::utc();
    }
    #[cfg(unix)]
    // SAFETY: tzset only reads `TZ` and the zone file into libc's state;
    // it runs once, before the UI starts its tasks' clocks.
    unsafe {
        tzset()
    };
    let now = OffsetDateTime::now_utc();
    if local(now).is_none() {
        return Zone::utc();
    }
    Zone::new(label(now), Arc::new(offset_at))
}

fn label(now: OffsetDateTime) -> String {
    local(now)
        .map(|(offset, name)| {
            name.filter(|n| !n.is_empty()).unwrap_or_else(|| {
                let (h, m, _) = offset.as_hms();
                format!("UTC{h:+03}:{:02}", m.abs())
            })
        })
        .unwrap_or_else(|| "UTC".to_owned())
}

fn offset_at(at: OffsetDateTime) -> UtcOffset {
    local(at).map_or(UtcOffset::UTC, |(offset, _)| offset)
}

#[cfg(unix)]
unsafe extern "C" {
    fn tzset();
}

/// The offset and zone abbreviation at `at`, from `localtime_r`.
#[cfg(unix)]
fn local(at: OffsetDateTime) -> Option<(UtcOffset, Option<String>)> {
    let t = libc::time_t::try_from(at.unix_timestamp()).ok()?;
    // SAFETY: `tm` is plain data that localtime_r fills in; both pointers
    // are valid for the call.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !libc::localtime_r(&t, &mut tm).is_null() };
    if !ok {
        return None;
    }
    let offset = UtcOffset::from_whole_seconds(i32::try_from(tm.tm_gmtoff).ok()?).ok()?;
    let name = (!tm.tm_zone.is_null()).then(|| {
        // SAFETY: tm_zone points at a NUL-terminated string owned by libc.
        unsafe { std::ffi::CStr::from_ptr(tm.tm_zone) }
            .to_string_lossy()
            .into_owned()
    });
    Some((offset, name))
}

#[cfg(not(unix))]
fn local(_at: OffsetDateTime) -> Option<(UtcOffset, Option<String>)> {
    None
}
