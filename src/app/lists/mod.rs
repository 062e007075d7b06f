//! The secret lists: loaded rows with their filter, sort, selection and
//! marks, the cache that shows them before a listing ends, and bulk actions.

pub mod bulk;
pub mod cache_sync;
pub mod cached;
pub mod list_row;
pub mod list_view;
pub mod matching;
pub mod rows;
