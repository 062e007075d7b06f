//! Dates shared by the TUI and the command line: the zone they are shown in,
//! the local zone as the C library reads it, and the forms people type.

mod local;
mod parse;
mod zone;

pub use local::local_zone;
pub use parse::parse_date;
pub use zone::{OffsetAt, Zone};
