//! The access doctor: who the caller is, how the vault decides, what the
//! caller may do there and the exact fix for what it may not.

pub mod gather;
mod render;
pub mod report;

pub use gather::{gather, whoami};
pub use render::render_text;
pub use report::{Report, Verdict, diagnose};
