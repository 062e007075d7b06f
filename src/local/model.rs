//! Rows of the local store, independent of SQL and of JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// One version's properties (never its value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct VersionRow {
    /// The name as created (case kept).
    pub name: String,
    pub version: String,
    pub content_type: Option<String>,
    pub enabled: bool,
    pub nbf: Option<i64>,
    pub exp: Option<i64>,
    pub created: i64,
    pub updated: i64,
    pub tags: Option<BTreeMap<String, String>>,
    pub managed: bool,
}

/// Soft-delete state of a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DeletedInfo {
    pub deleted_date: i64,
    pub scheduled_purge_date: i64,
    pub recoverable_days: u32,
}

/// What a set writes.
pub(super) struct NewVersion {
    pub value: Zeroizing<String>,
    pub content_type: Option<String>,
    pub enabled: bool,
    pub nbf: Option<i64>,
    pub exp: Option<i64>,
    pub tags: Option<BTreeMap<String, String>>,
    /// Owned by a certificate (`managed: true`, a `kid`); only samples make one.
    pub managed: bool,
}

/// A properties update; `None` keeps the field.
#[derive(Debug, Default)]
pub(super) struct PropsPatch {
    pub content_type: Option<String>,
    pub enabled: Option<bool>,
    pub nbf: Option<Option<i64>>,
    pub exp: Option<Option<i64>>,
    pub tags: Option<BTreeMap<String, String>>,
}

/// A v1 backup (JSON), still restored: every version with its value and attributes.
#[derive(Serialize, Deserialize)]
pub(super) struct BackupContents {
    pub name: String,
    pub versions: Vec<BackupVersion>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct BackupVersion {
    pub row: VersionRow,
    pub value: String,
}

impl Drop for BackupVersion {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.value);
    }
}

/// Why the store refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("secret not found")]
    NotFound,
    #[error("deleted secret not found")]
    DeletedNotFound,
    #[error("secret is deleted but recoverable")]
    DeletedButRecoverable,
    #[error("secret already exists")]
    AlreadyExists,
    #[error("stored value cannot be decrypted")]
    Corrupt,
    #[error(
        "store.key is not the key this database was written with; restore the right store.key (or move vault.db away to start empty)"
    )]
    KeyMismatch,
    #[error("database: {0}")]
    Db(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Db(e.to_string())
    }
}
