//! Lists as a cache kept them: metadata only (the types hold no value), with
//! when each list was saved. The runtime reads and writes them; the model
//! shows them until a fresh listing replaces them.

use time::OffsetDateTime;

use crate::vault::{DeletedSecret, SecretProps};

/// One list as it was when saved.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedList<T> {
    pub saved_at: OffsetDateTime,
    pub rows: Vec<T>,
}

/// A vault's cached lists; a list that never finished listing is absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CachedLists {
    pub secrets: Option<CachedList<SecretProps>>,
    pub deleted: Option<CachedList<DeletedSecret>>,
}
