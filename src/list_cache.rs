//! The list cache on disk: per vault, what the secret and deleted-secret
//! lists returned (names, ids, dates, tags, content types, `managed`), never
//! a value: the rows are `SecretProps`, which has no value field. One JSON
//! file per vault, named by a hash of its URL, mode 0600 in a 0700 dir,
//! replaced atomically; a file of another format version is ignored.

use std::path::{Path, PathBuf};

use serde::de::{DeserializeOwned, SeqAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::vault::types::recovery_level;
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
        let open = || std::fs::File::open(&path).map(std::io::BufReader::new);
        let reader = match open() {
            Ok(r) => r,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(CacheError::Io { path, source }),
        };
        let parse = |message: String| CacheError::Parse {
            path: path.clone(),
            message,
        };
        // Streamed: rows are made as they are read, never the whole file
        // and a second copy of the rows in memory at once.
        let file: File = match serde_json::from_reader(reader) {
            Ok(file) => file,
            Err(e) => {
                // A file of another format may have another shape: only its
                // `format` is read then.
                let head: Option<Head> = open().ok().and_then(|r| serde_json::from_reader(r).ok());
                if head.is_some_and(|h| h.format != FORMAT_VERSION) {
                    tracing::info!("list cache of another format ignored");
                    return Ok(None);
                }
                return Err(parse(e.to_string()));
            }
        };
        if file.format != FORMAT_VERSION {
            tracing::info!(format = file.format, "list cache of another format ignored");
            return Ok(None);
        }
        if !file
            .vault
            .eq_ignore_ascii_case(vault_url.trim_end_matches('/'))
        {
            return Ok(None);
        }
        Ok(Some(CachedLists {
            secrets: file.secrets.map(StoredList::into_list),
            deleted: file.deleted.map(StoredList::into_list),
        }))
    }

    /// Replaces the vault's cached lists with `lists`, written as they are
    /// serialised (no copy of the rows, no whole file in memory).
    pub fn save(&self, vault_url: &str, lists: &CachedLists) -> Result<(), CacheError> {
        self.make_dir()?;
        let file = FileOut {
            format: FORMAT_VERSION,
            vault: vault_url.trim_end_matches('/'),
            secrets: lists.secrets.as_ref().map(ListOut),
            deleted: lists.deleted.as_ref().map(ListOut),
        };
        let path = self.file_for(vault_url);
        crate::fsx::write_private_with(&path, |out| {
            serde_json::to_writer(out, &file).map_err(std::io::Error::other)
        })
        .map_err(|source| CacheError::Io { path, source })
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

/// Read when the file does not parse, to tell another version from damage.
#[derive(Deserialize)]
struct Head {
    format: u32,
}

#[derive(Deserialize)]
struct File {
    format: u32,
    vault: String,
    secrets: Option<StoredList<SecretProps>>,
    deleted: Option<StoredList<DeletedSecret>>,
}

/// The file as written: the same shape as [`File`], borrowing the rows.
#[derive(Serialize)]
struct FileOut<'a> {
    format: u32,
    vault: &'a str,
    secrets: Option<ListOut<'a, SecretProps>>,
    deleted: Option<ListOut<'a, DeletedSecret>>,
}

/// A row type as stored: its borrowed form for writing, its owned form for
/// reading; a stored row whose name is not valid is dropped.
trait Stored: Sized {
    type Out<'a>: Serialize
    where
        Self: 'a;
    type In: DeserializeOwned;
    fn out(&self) -> Self::Out<'_>;
    fn from_stored(stored: Self::In) -> Option<Self>;
}

struct StoredList<T> {
    saved_at: OffsetDateTime,
    rows: Vec<T>,
}

impl<T> StoredList<T> {
    fn into_list(self) -> CachedList<T> {
        CachedList {
            saved_at: self.saved_at,
            rows: self.rows,
        }
    }
}

impl<'de, T: Stored> Deserialize<'de> for StoredList<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(bound = "")]
        struct Raw<T: Stored> {
            /// Unix seconds.
            saved_at: i64,
            rows: RowsIn<T>,
        }
        let raw = Raw::<T>::deserialize(d)?;
        Ok(Self {
            saved_at: time_of(Some(raw.saved_at)).unwrap_or(OffsetDateTime::UNIX_EPOCH),
            rows: raw.rows.0,
        })
    }
}

/// Rows converted one by one as they are read.
struct RowsIn<T>(Vec<T>);

impl<'de, T: Stored> Deserialize<'de> for RowsIn<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Rows<T>(std::marker::PhantomData<T>);
        impl<'de, T: Stored> Visitor<'de> for Rows<T> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of rows")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
                let mut rows = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
                while let Some(row) = seq.next_element::<T::In>()? {
                    rows.extend(T::from_stored(row));
                }
                rows.shrink_to_fit();
                Ok(rows)
            }
        }
        d.deserialize_seq(Rows(std::marker::PhantomData))
            .map(RowsIn)
    }
}

/// A list as written: `saved_at`, then its rows serialised in place.
struct ListOut<'a, T>(&'a CachedList<T>);

impl<T: Stored> Serialize for ListOut<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("StoredList", 2)?;
        st.serialize_field("saved_at", &self.0.saved_at.unix_timestamp())?;
        st.serialize_field("rows", &RowsOut(&self.0.rows))?;
        st.end()
    }
}

struct RowsOut<'a, T>(&'a [T]);

impl<T: Stored> Serialize for RowsOut<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(Stored::out))
    }
}

fn time_of(secs: Option<i64>) -> Option<OffsetDateTime> {
    secs.and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
}

fn secs_of(t: Option<OffsetDateTime>) -> Option<i64> {
    t.map(OffsetDateTime::unix_timestamp)
}

/// `SecretProps` as stored: dates as Unix seconds (Key Vault's own precision).
#[derive(Deserialize)]
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

/// [`StoredProps`] as written, borrowed from the row.
#[derive(Serialize)]
struct PropsOut<'a> {
    name: &'a str,
    id: &'a str,
    version: Option<&'a str>,
    enabled: bool,
    content_type: Option<&'a str>,
    created: Option<i64>,
    updated: Option<i64>,
    not_before: Option<i64>,
    expires: Option<i64>,
    tags: TagsOut<'a>,
    recovery_level: Option<&'a str>,
    recoverable_days: Option<i32>,
    managed: bool,
}

/// Tags as `[key, value]` pairs.
struct TagsOut<'a>(&'a crate::vault::types::Tags);

impl Serialize for TagsOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

impl Stored for SecretProps {
    type Out<'a> = PropsOut<'a>;
    type In = StoredProps;

    fn out(&self) -> PropsOut<'_> {
        PropsOut {
            name: self.name.as_str(),
            id: &self.id,
            version: self.version.as_deref(),
            enabled: self.enabled,
            content_type: self.content_type.as_deref(),
            created: secs_of(self.created),
            updated: secs_of(self.updated),
            not_before: secs_of(self.not_before),
            expires: secs_of(self.expires),
            tags: TagsOut(&self.tags),
            recovery_level: self.recovery_level.as_deref(),
            recoverable_days: self.recoverable_days,
            managed: self.managed,
        }
    }

    fn from_stored(p: StoredProps) -> Option<SecretProps> {
        Some(SecretProps {
            name: SecretName::parse(&p.name).ok()?,
            id: p.id,
            version: p.version,
            enabled: p.enabled,
            content_type: p.content_type,
            created: time_of(p.created),
            updated: time_of(p.updated),
            not_before: time_of(p.not_before),
            expires: time_of(p.expires),
            tags: p.tags.into_iter().collect(),
            recovery_level: p.recovery_level.as_deref().map(recovery_level),
            recoverable_days: p.recoverable_days,
            managed: p.managed,
        })
    }
}

#[derive(Deserialize)]
struct StoredDeleted {
    props: StoredProps,
    recovery_id: Option<String>,
    deleted_date: Option<i64>,
    scheduled_purge_date: Option<i64>,
}

#[derive(Serialize)]
struct DeletedOut<'a> {
    props: PropsOut<'a>,
    recovery_id: Option<&'a str>,
    deleted_date: Option<i64>,
    scheduled_purge_date: Option<i64>,
}

impl Stored for DeletedSecret {
    type Out<'a> = DeletedOut<'a>;
    type In = StoredDeleted;

    fn out(&self) -> DeletedOut<'_> {
        DeletedOut {
            props: self.props.out(),
            recovery_id: self.recovery_id.as_deref(),
            deleted_date: secs_of(self.deleted_date),
            scheduled_purge_date: secs_of(self.scheduled_purge_date),
        }
    }

    fn from_stored(d: StoredDeleted) -> Option<DeletedSecret> {
        Some(DeletedSecret {
            props: SecretProps::from_stored(d.props)?,
            recovery_id: d.recovery_id,
            deleted_date: time_of(d.deleted_date),
            scheduled_purge_date: time_of(d.scheduled_purge_date),
        })
    }
}
