//! The list cache on disk: per vault, what the secret and deleted-secret
//! lists returned (names, ids, dates, tags, content types, `managed`), never
//! a value: the rows are `SecretProps`, which has no value field. One JSON
//! file per vault, named by a hash of its URL, mode 0600 in a 0700 dir,
//! replaced atomically; a file of another format version is ignored.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::vault::{DeletedSecret, SecretName, SecretProps};

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

/// Bumped whenever the file's shape changes; older files are then ignored.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cannot use the list cache {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the list cache {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
}

/// Where a vault's lists are cached.
#[derive(Debug, Clone)]
pub struct ListCache {
    dir: PathBuf,
}

impl ListCache {
    /// The cache under `dir`: `dir` itself when it is this user's own, a
    /// private `kvtui-UID` inside it when it is shared or a symlink.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: crate::fsx::private_dir_in(&dir.into()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of the vault at `vault_url` (case and a final `/` ignored).
    pub fn file_for(&self, vault_url: &str) -> PathBuf {
        let key = vault_url.trim_end_matches('/').to_ascii_lowercase();
        let digest = Sha256::digest(key.as_bytes());
        let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("lists-{hex}.json"))
    }

    /// The cached lists of a vault; `None` when there are none or they are
    /// of another format version.
    pub fn load(&self, vault_url: &str) -> Result<Option<CachedLists>, CacheError> {
        let path = self.file_for(vault_url);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(CacheError::Io { path, source }),
        };
        let parse = |message: String| CacheError::Parse {
            path: path.clone(),
            message,
        };
        let head: Head = serde_json::from_slice(&bytes).map_err(|e| parse(e.to_string()))?;
        if head.format != FORMAT_VERSION {
            tracing::info!(format = head.format, "list cache of another format ignored");
            return Ok(None);
        }
        let file: File = serde_json::from_slice(&bytes).map_err(|e| parse(e.to_string()))?;
        if !file
            .vault
            .eq_ignore_ascii_case(vault_url.trim_end_matches('/'))
        {
            return Ok(None);
        }
        Ok(Some(CachedLists {
            secrets: file.secrets.map(|l| l.into_list(|p| p.into_props())),
            deleted: file
                .deleted
                .map(|l| l.into_list(StoredDeleted::into_deleted)),
        }))
    }

    /// Replaces the vault's cached lists with `lists`.
    pub fn save(&self, vault_url: &str, lists: &CachedLists) -> Result<(), CacheError> {
        self.make_dir()?;
        let file = File {
            format: FORMAT_VERSION,
            vault: vault_url.trim_end_matches('/').to_owned(),
            secrets: lists
                .secrets
                .as_ref()
                .map(|l| StoredList::of(l, StoredProps::of)),
            deleted: lists
                .deleted
                .as_ref()
                .map(|l| StoredList::of(l, StoredDeleted::of)),
        };
        let path = self.file_for(vault_url);
        let bytes = serde_json::to_vec(&file).map_err(|e| CacheError::Parse {
            path: path.clone(),
            message: e.to_string(),
        })?;
        crate::fsx::write_private(&path, &bytes).map_err(|source| CacheError::Io { path, source })
    }

    /// Forgets one vault's lists; `true` when there was a file.
    pub fn clear(&self, vault_url: &str) -> Result<bool, CacheError> {
        remove(&self.file_for(vault_url))
    }

    /// Forgets every vault's lists; how many files went.
    pub fn clear_all(&self) -> Result<usize, CacheError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(source) => {
                return Err(CacheError::Io {
                    path: self.dir.clone(),
                    source,
                });
            }
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("lists-") && name.ends_with(".json") && remove(&entry.path())? {
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// The cache dir, private to its owner (0700), made if missing; never
    /// chmod-ed through a symlink.
    fn make_dir(&self) -> Result<(), CacheError> {
        crate::fsx::make_private_dir(&self.dir).map_err(|source| CacheError::Io {
            path: self.dir.clone(),
            source,
        })
    }
}

fn remove(path: &Path) -> Result<bool, CacheError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(CacheError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Read first, so a file of another version is recognised before its body
/// is parsed.
#[derive(Deserialize)]
struct Head {
    format: u32,
}

#[derive(Serialize, Deserialize)]
struct File {
    format: u32,
    vault: String,
    secrets: Option<StoredList<StoredProps>>,
    deleted: Option<StoredList<StoredDeleted>>,
}

#[derive(Serialize, Deserialize)]
struct StoredList<T> {
    /// Unix seconds.
    saved_at: i64,
    rows: Vec<T>,
}

impl<S> StoredList<S> {
    fn of<T>(list: &CachedList<T>, f: impl Fn(&T) -> S) -> Self {
        Self {
            saved_at: list.saved_at.unix_timestamp(),
            rows: list.rows.iter().map(f).collect(),
        }
    }

    /// Rows whose name is not a valid secret name are dropped.
    fn into_list<T>(self, f: impl Fn(S) -> Option<T>) -> CachedList<T> {
        CachedList {
            saved_at: time_of(Some(self.saved_at)).unwrap_or(OffsetDateTime::UNIX_EPOCH),
            rows: self.rows.into_iter().filter_map(f).collect(),
        }
    }
}

fn time_of(secs: Option<i64>) -> Option<OffsetDateTime> {
    secs.and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
}

fn secs_of(t: Option<OffsetDateTime>) -> Option<i64> {
    t.map(OffsetDateTime::unix_timestamp)
}

/// `SecretProps` as stored: dates as Unix seconds (Key Vault's own precision).
#[derive(Serialize, Deserialize)]
struct StoredProps {
    name: String,
    id: String,
    version: Option<String>,
    enabled: bool,
    content_type: Option<String>,
    created: Option<i64>,
    updated: Option<i64>,
    not_before: Option<i64>,
    expires: Option<i64>,
    tags: Vec<(String, String)>,
    recovery_level: Option<String>,
    recoverable_days: Option<i32>,
    managed: bool,
}

impl StoredProps {
    fn of(p: &SecretProps) -> Self {
        Self {
            name: p.name.as_str().to_owned(),
            id: p.id.clone(),
            version: p.version.clone(),
            enabled: p.enabled,
            content_type: p.content_type.clone(),
            created: secs_of(p.created),
            updated: secs_of(p.updated),
            not_before: secs_of(p.not_before),
            expires: secs_of(p.expires),
            tags: p.tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            recovery_level: p.recovery_level.clone(),
            recoverable_days: p.recoverable_days,
            managed: p.managed,
        }
    }

    fn into_props(self) -> Option<SecretProps> {
        Some(SecretProps {
            name: SecretName::parse(&self.name).ok()?,
            id: self.id,
            version: self.version,
            enabled: self.enabled,
            content_type: self.content_type,
            created: time_of(self.created),
            updated: time_of(self.updated),
            not_before: time_of(self.not_before),
            expires: time_of(self.expires),
            tags: self.tags.into_iter().collect(),
            recovery_level: self.recovery_level,
            recoverable_days: self.recoverable_days,
            managed: self.managed,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct StoredDeleted {
    props: StoredProps,
    recovery_id: Option<String>,
    deleted_date: Option<i64>,
    scheduled_purge_date: Option<i64>,
}

impl StoredDeleted {
    fn of(d: &DeletedSecret) -> Self {
        Self {
            props: StoredProps::of(&d.props),
            recovery_id: d.recovery_id.clone(),
            deleted_date: secs_of(d.deleted_date),
            scheduled_purge_date: secs_of(d.scheduled_purge_date),
        }
    }

    fn into_deleted(self) -> Option<DeletedSecret> {
        Some(DeletedSecret {
            props: self.props.into_props()?,
            recovery_id: self.recovery_id,
            deleted_date: time_of(self.deleted_date),
            scheduled_purge_date: time_of(self.scheduled_purge_date),
        })
    }
}
