//! Date fields: the forms they accept (as `az` prints dates, plain dates,
//! spans from now; the parser is shared with the command line) and the text
//! a form is prefilled with.

use time::OffsetDateTime;

use crate::app::format::Zone;

pub use crate::dates::parse_date;

/// The forms a date field takes, shown under it while it has focus.
pub fn date_hint(zone: &Zone) -> String {
    format!(
        "YYYY-MM-DD[THH:MM[:SS]] {} · …Z or …+01:00 · +12h +30d +2w +6m +1y",
        zone.label()
    )
}

/// A date as the form would accept it back, in the zone the screen shows,
/// seconds kept.
pub fn format_date_input(d: Option<OffsetDateTime>, zone: &Zone) -> String {
    d.map(|d| zone.input(d)).unwrap_or_default()
}
