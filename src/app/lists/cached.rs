//! Lists as a cache kept them (the types live with the cache, below the app):
//! the model shows them until a fresh listing replaces them.

pub use crate::list_cache::{CachedList, CachedLists};
