//! The details view: one secret, its versions a batch at a time, comparing
//! two of them and making an old one current.

pub mod compare;
pub mod json_indent;
pub mod keys;
pub mod make_current;
pub mod raw_props;
pub mod state;
pub mod versions;
