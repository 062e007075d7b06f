//! The SQLite store: every vault, secret and version. A write returns only after
//! its transaction commits (WAL, synchronous=FULL), so an acknowledged write survives.

use std::path::Path;

use rand::Rng as _;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use zeroize::Zeroizing;

mod snapshot;

use super::backup::Restored;
use super::crypto::Sealer;
use super::model::{DeletedInfo, NewVersion, PropsPatch, StoreError, VersionRow};

/// Bump with a migration step in `migrate` when the schema changes.
const SCHEMA_VERSION: i64 = 2;
pub(super) const DB_FILE: &str = "vault.db";
/// What the key check seals: opening it proves `store.key` is the key of this database.
const KEY_CHECK: &[u8] = b"kvtui store key check";
const KEY_CHECK_AAD: &[u8] = b"key-check";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS vaults (name TEXT PRIMARY KEY, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS secrets (
  vault TEXT NOT NULL, name_key TEXT NOT NULL, name TEXT NOT NULL,
  deleted_date INTEGER, scheduled_purge_date INTEGER, recoverable_days INTEGER,
  PRIMARY KEY (vault, name_key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS versions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  vault TEXT NOT NULL, name_key TEXT NOT NULL, version TEXT NOT NULL,
  value BLOB NOT NULL, content_type TEXT, enabled INTEGER NOT NULL,
  nbf INTEGER, exp INTEGER, created INTEGER NOT NULL, updated INTEGER NOT NULL,
  tags TEXT, managed INTEGER NOT NULL DEFAULT 0,
  UNIQUE (vault, name_key, version));
CREATE INDEX IF NOT EXISTS versions_by_name ON versions (vault, name_key, seq);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS secrets_purge ON secrets (scheduled_purge_date) WHERE deleted_date IS NOT NULL;
";

const VERSION_COLS: &str = "s.name, v.version, v.content_type, v.enabled, v.nbf, v.exp, v.created, v.updated, v.tags, v.managed";

pub(super) struct Store {
    conn: Connection,
    sealer: Sealer,
    retention_days: u32,
    on_disk: bool,
}

fn key(name: &str) -> String {
    name.to_ascii_lowercase()
}

fn new_version_id() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    super::crypto::to_hex(&b)
}

/// Associated data of a value: its vault, name and version.
pub(super) fn value_aad(vault: &str, name_key: &str, version: &str) -> Vec<u8> {
    format!("{vault}/{name_key}/{version}").into_bytes()
}

fn version_row(r: &Row<'_>) -> rusqlite::Result<VersionRow> {
    let tags: Option<String> = r.get(8)?;
    Ok(VersionRow {
        name: r.get(0)?,
        version: r.get(1)?,
        content_type: r.get(2)?,
        enabled: r.get(3)?,
        nbf: r.get(4)?,
        exp: r.get(5)?,
        created: r.get(6)?,
        updated: r.get(7)?,
        tags: tags.and_then(|t| serde_json::from_str(&t).ok()),
        managed: r.get(9)?,
    })
}

fn deleted_info(r: &Row<'_>, at: usize) -> rusqlite::Result<DeletedInfo> {
    Ok(DeletedInfo {
        deleted_date: r.get(at)?,
        scheduled_purge_date: r.get(at + 1)?,
        recoverable_days: r.get(at + 2)?,
    })
}

fn tags_json(tags: &Option<std::collections::BTreeMap<String, String>>) -> Option<String> {
    tags.as_ref().and_then(|t| serde_json::to_string(t).ok())
}

/// Soft-delete state of a name: absent, live (with the name as created), or deleted.
enum NameState {
    Absent,
    Live(String),
    Deleted,
}

impl Store {
    /// Opens `<dir>/vault.db`, or an in-memory database when `dir` is `None`.
    pub(super) fn open(
        dir: Option<&Path>,
        sealer: Sealer,
        retention_days: u32,
    ) -> Result<Self, StoreError> {
        let conn = match dir {
            Some(dir) => {
                let path = dir.join(DB_FILE);
                // SQLite gives its -wal and -shm files the database's mode.
                let private = |p: &Path| {
                    super::fsutil::create_private(p).map_err(|e| StoreError::Db(e.to_string()))
                };
                private(&path)?;
                for extra in ["vault.db-wal", "vault.db-shm"] {
                    super::fsutil::secure_existing(&dir.join(extra))
                        .map_err(|e| StoreError::Db(e.to_string()))?;
                }
                let conn = Connection::open(&path)?;
                // One process holds the data dir, but a reader (a `state
                // export`, `holds_values`) may hold the database a moment.
                conn.busy_timeout(std::time::Duration::from_secs(10))?;
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "FULL")?;
                conn
            }
            None => Connection::open_in_memory()?,
        };
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Freed pages are zeroed, so a purged secret leaves nothing behind.
        conn.pragma_update(None, "secure_delete", "ON")?;
        let mut store = Self {
            conn,
            sealer,
            retention_days,
            on_disk: dir.is_some(),
        };
        store.migrate()?;
        store.check_key()?;
        Ok(store)
    }

    /// True when `<dir>/vault.db` exists and holds sealed data (values or the key check).
    pub(super) fn holds_values(dir: &Path) -> Result<bool, StoreError> {
        let path = dir.join(DB_FILE);
        if !path.exists() {
            return Ok(false);
        }
        let conn = Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let has = |table: &str| -> Result<bool, StoreError> {
            let exists: bool = conn.query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                params![table],
                |r| r.get(0),
            )?;
            if !exists {
                return Ok(false);
            }
            Ok(
                conn.query_row(&format!("SELECT count(*) > 0 FROM {table}"), [], |r| {
                    r.get(0)
                })?,
            )
        };
        Ok(has("versions")? || has("meta")?)
    }

    /// Refuses a key that is not the one this database was written with: by
    /// the check value, or for an older database without one, by its latest value.
    fn check_key(&mut self) -> Result<(), StoreError> {
        let check: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT v FROM meta WHERE k = 'key_check'", [], |r| r.get(0))
            .optional()?;
        let matches = match check {
            Some(sealed) => self
                .sealer
                .open(&sealed, KEY_CHECK_AAD)
                .is_some_and(|p| p.as_slice() == KEY_CHECK),
            None => {
                let latest: Option<(String, String, String, Vec<u8>)> = self
                    .conn
                    .query_row(
                        "SELECT vault, name_key, version, value FROM versions ORDER BY seq DESC LIMIT 1",
                        [],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                    )
                    .optional()?;
                let ok = latest.is_none_or(|(vault, name_key, version, sealed)| {
                    self.sealer
                        .open(&sealed, &value_aad(&vault, &name_key, &version))
                        .is_some()
                });
                if ok {
                    let sealed = self.sealer.seal(KEY_CHECK, KEY_CHECK_AAD)?;
                    self.conn.execute(
                        "INSERT INTO meta (k, v) VALUES ('key_check', ?1)",
                        params![sealed],
                    )?;
                }
                ok
            }
        };
        if matches {
            Ok(())
        } else {
            Err(StoreError::KeyMismatch)
        }
    }

    /// Copies the WAL into the database and empties it, so purged rows are
    /// gone from both files.
    fn checkpoint(&self) -> Result<(), StoreError> {
        if self.on_disk {
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(())
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let current: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::Db(format!(
                "database schema {current} is newer than this kvtui understands ({SCHEMA_VERSION})"
            )));
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(SCHEMA)?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        Ok(())
    }

    /// Records `vault`; true when it is new.
    pub(super) fn ensure_vault(&mut self, vault: &str, now: i64) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO vaults (name, created) VALUES (?1, ?2)",
            params![vault, now],
        )?;
        Ok(n == 1)
    }

    /// Every vault: created ones and those holding a secret, by name.
    pub(super) fn vault_names(&mut self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT name FROM vaults UNION SELECT DISTINCT vault FROM secrets ORDER BY 1",
        )?;
        let names = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(names)
    }

    fn name_state(
        tx: &Transaction<'_>,
        vault: &str,
        name_key: &str,
    ) -> Result<NameState, StoreError> {
        let found: Option<(String, Option<i64>)> = tx
            .query_row(
                "SELECT name, deleted_date FROM secrets WHERE vault = ?1 AND name_key = ?2",
                params![vault, name_key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match found {
            None => NameState::Absent,
            Some((name, None)) => NameState::Live(name),
            Some((_, Some(_))) => NameState::Deleted,
        })
    }

    fn insert_version(
        sealer: &Sealer,
        tx: &Transaction<'_>,
        vault: &str,
        row: &VersionRow,
        value: &str,
    ) -> Result<(), StoreError> {
        let name_key = key(&row.name);
        let sealed = sealer.seal(value.as_bytes(), &value_aad(vault, &name_key, &row.version))?;
        tx.execute(
            "INSERT INTO versions (vault, name_key, version, value, content_type, enabled, nbf, exp, created, updated, tags, managed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                vault, name_key, row.version, sealed, row.content_type, row.enabled, row.nbf, row.exp,
                row.created, row.updated, tags_json(&row.tags), row.managed
            ],
        )?;
        Ok(())
    }

    /// Adds a new version (creating the secret); refused while the name is deleted.
    pub(super) fn set(
        &mut self,
        vault: &str,
        name: &str,
        new: NewVersion,
        now: i64,
    ) -> Result<VersionRow, StoreError> {
        let name_key = key(name);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let stored_name = match Self::name_state(&tx, vault, &name_key)? {
            NameState::Deleted => return Err(StoreError::DeletedButRecoverable),
            NameState::Live(stored) => stored,
            NameState::Absent => {
                tx.execute(
                    "INSERT INTO secrets (vault, name_key, name) VALUES (?1, ?2, ?3)",
                    params![vault, name_key, name],
                )?;
                name.to_owned()
            }
        };
        let row = VersionRow {
            name: stored_name,
            version: new_version_id(),
            content_type: new.content_type,
            enabled: new.enabled,
            nbf: new.nbf,
            exp: new.exp,
            created: now,
            updated: now,
            tags: new.tags,
            managed: new.managed,
        };
        Self::insert_version(&self.sealer, &tx, vault, &row, &new.value)?;
        tx.commit()?;
        Ok(row)
    }

    fn find_version(
        &self,
        vault: &str,
        name: &str,
        version: Option<&str>,
    ) -> Result<(i64, VersionRow, Vec<u8>), StoreError> {
        let sql = format!(
            "SELECT {VERSION_COLS}, v.seq, v.value FROM secrets s JOIN versions v
               ON v.vault = s.vault AND v.name_key = s.name_key
             WHERE s.vault = ?1 AND s.name_key = ?2 AND s.deleted_date IS NULL AND (?3 IS NULL OR v.version = ?3)
             ORDER BY v.seq DESC LIMIT 1"
        );
        self.conn
            .prepare_cached(&sql)?
            .query_row(
                params![vault, key(name), version.map(str::to_ascii_lowercase)],
                |r| Ok((r.get(10)?, version_row(r)?, r.get(11)?)),
            )
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    /// A live version (latest when `version` is `None`) with its value.
    pub(super) fn get(
        &self,
        vault: &str,
        name: &str,
        version: Option<&str>,
    ) -> Result<(VersionRow, Zeroizing<String>), StoreError> {
        let (_, row, sealed) = self.find_version(vault, name, version)?;
        let plain = self
            .sealer
            .open(&sealed, &value_aad(vault, &key(&row.name), &row.version))
            .ok_or(StoreError::Corrupt)?;
        let value = String::from_utf8(plain.to_vec()).map_err(|_| StoreError::Corrupt)?;
        Ok((row, Zeroizing::new(value)))
    }

    /// Whether the latest version of `name` belongs to a certificate; no
    /// value is opened to tell.
    pub(super) fn is_managed(&self, vault: &str, name: &str) -> bool {
        self.find_version(vault, name, None)
            .is_ok_and(|(_, row, _)| row.managed)
    }

    /// Changes a version's properties; the value stays.
    pub(super) fn update(
        &mut self,
        vault: &str,
        name: &str,
        version: Option<&str>,
        patch: PropsPatch,
        now: i64,
    ) -> Result<VersionRow, StoreError> {
        let (seq, mut row, _) = self.find_version(vault, name, version)?;
        if let Some(ct) = patch.content_type {
            row.content_type = Some(ct);
        }
        if let Some(enabled) = patch.enabled {
            row.enabled = enabled;
        }
        if let Some(nbf) = patch.nbf {
            row.nbf = nbf;
        }
        if let Some(exp) = patch.exp {
            row.exp = exp;
        }
        if let Some(tags) = patch.tags {
            row.tags = Some(tags);
        }
        row.updated = now;
        self.conn.execute(
            "UPDATE versions SET content_type = ?1, enabled = ?2, nbf = ?3, exp = ?4, tags = ?5, updated = ?6 WHERE seq = ?7",
            params![row.content_type, row.enabled, row.nbf, row.exp, tags_json(&row.tags), row.updated, seq],
        )?;
        Ok(row)
    }

    /// Soft-deletes every version; the latest is returned with its deletion dates.
    pub(super) fn delete(
        &mut self,
        vault: &str,
        name: &str,
        now: i64,
    ) -> Result<(VersionRow, DeletedInfo), StoreError> {
        let (_, row, _) = self.find_version(vault, name, None)?;
        let info = DeletedInfo {
            deleted_date: now,
            scheduled_purge_date: now + i64::from(self.retention_days) * 86_400,
            recoverable_days: self.retention_days,
        };
        self.conn.execute(
            "UPDATE secrets SET deleted_date = ?1, scheduled_purge_date = ?2, recoverable_days = ?3
             WHERE vault = ?4 AND name_key = ?5",
            params![
                info.deleted_date,
                info.scheduled_purge_date,
                info.recoverable_days,
                vault,
                key(name)
            ],
        )?;
        Ok((row, info))
    }

    /// Latest version of each live secret whose name sorts after `after`.
    pub(super) fn list(
        &self,
        vault: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<VersionRow>, StoreError> {
        let sql = format!(
            "SELECT {VERSION_COLS} FROM secrets s JOIN versions v ON v.seq =
               (SELECT max(seq) FROM versions WHERE vault = s.vault AND name_key = s.name_key)
             WHERE s.vault = ?1 AND s.deleted_date IS NULL AND s.name_key > ?2
             ORDER BY s.name_key LIMIT ?3"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![vault, after, limit as i64], version_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Versions of a live secret before sequence `before`, newest first (Key
    /// Vault promises no order; newest first lets a long history show its
    /// recent versions from the first page); the second field of each pair
    /// is the cursor for the next page.
    pub(super) fn list_versions(
        &self,
        vault: &str,
        name: &str,
        before: i64,
        limit: usize,
    ) -> Result<Vec<(i64, VersionRow)>, StoreError> {
        let sql = format!(
            "SELECT {VERSION_COLS}, v.seq FROM secrets s JOIN versions v
               ON v.vault = s.vault AND v.name_key = s.name_key
             WHERE s.vault = ?1 AND s.name_key = ?2 AND s.deleted_date IS NULL AND v.seq < ?3
             ORDER BY v.seq DESC LIMIT ?4"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![vault, key(name), before, limit as i64], |r| {
            Ok((r.get(10)?, version_row(r)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn deleted_query(filter: &str) -> String {
        format!(
            "SELECT {VERSION_COLS}, s.deleted_date, s.scheduled_purge_date, s.recoverable_days
             FROM secrets s JOIN versions v ON v.seq =
               (SELECT max(seq) FROM versions WHERE vault = s.vault AND name_key = s.name_key)
             WHERE s.vault = ?1 AND s.deleted_date IS NOT NULL AND {filter}"
        )
    }

    /// Deleted secrets whose name sorts after `after`.
    pub(super) fn list_deleted(
        &self,
        vault: &str,
        after: &str,
        limit: usize,
    ) -> Result<Vec<(VersionRow, DeletedInfo)>, StoreError> {
        let sql = Self::deleted_query("s.name_key > ?2 ORDER BY s.name_key LIMIT ?3");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![vault, after, limit as i64], |r| {
            Ok((version_row(r)?, deleted_info(r, 10)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub(super) fn get_deleted(
        &self,
        vault: &str,
        name: &str,
    ) -> Result<(VersionRow, DeletedInfo), StoreError> {
        let sql = Self::deleted_query("s.name_key = ?2");
        self.conn
            .prepare_cached(&sql)?
            .query_row(params![vault, key(name)], |r| {
                Ok((version_row(r)?, deleted_info(r, 10)?))
            })
            .optional()?
            .ok_or(StoreError::DeletedNotFound)
    }

    /// Brings a deleted secret back with every version.
    pub(super) fn recover(&mut self, vault: &str, name: &str) -> Result<VersionRow, StoreError> {
        let (row, _) = self.get_deleted(vault, name)?;
        self.conn.execute(
            "UPDATE secrets SET deleted_date = NULL, scheduled_purge_date = NULL, recoverable_days = NULL
             WHERE vault = ?1 AND name_key = ?2",
            params![vault, key(name)],
        )?;
        Ok(row)
    }

    /// Removes a deleted secret for good.
    pub(super) fn purge(&mut self, vault: &str, name: &str) -> Result<(), StoreError> {
        self.get_deleted(vault, name)?;
        self.remove(vault, &key(name))?;
        self.checkpoint()
    }

    fn remove(&mut self, vault: &str, name_key: &str) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM versions WHERE vault = ?1 AND name_key = ?2",
            params![vault, name_key],
        )?;
        tx.execute(
            "DELETE FROM secrets WHERE vault = ?1 AND name_key = ?2",
            params![vault, name_key],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Purges every deleted secret whose scheduled purge date has passed.
    pub(super) fn purge_expired(&mut self, now: i64) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM versions WHERE (vault, name_key) IN
               (SELECT vault, name_key FROM secrets WHERE deleted_date IS NOT NULL AND scheduled_purge_date <= ?1)",
            params![now],
        )?;
        let n = tx.execute(
            "DELETE FROM secrets WHERE deleted_date IS NOT NULL AND scheduled_purge_date <= ?1",
            params![now],
        )?;
        tx.commit()?;
        if n > 0 {
            self.checkpoint()?;
        }
        Ok(n)
    }

    /// The stored name, the number of versions and the last version's sequence of a live secret.
    pub(super) fn version_count(
        &self,
        vault: &str,
        name: &str,
    ) -> Result<(String, usize, i64), StoreError> {
        let found: Option<(String, i64, Option<i64>)> = self
            .conn
            .query_row(
                "SELECT s.name, count(v.seq), max(v.seq) FROM secrets s JOIN versions v
                   ON v.vault = s.vault AND v.name_key = s.name_key
                 WHERE s.vault = ?1 AND s.name_key = ?2 AND s.deleted_date IS NULL
                 GROUP BY s.name",
                params![vault, key(name)],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        match found {
            Some((name, n, Some(last))) if n > 0 => {
                Ok((name, usize::try_from(n).unwrap_or(usize::MAX), last))
            }
            _ => Err(StoreError::NotFound),
        }
    }

    /// Up to `limit` versions of a live secret with sequence in `(after, last]`,
    /// oldest first, values still sealed.
    pub(super) fn backup_page(
        &self,
        vault: &str,
        name: &str,
        after: i64,
        last: i64,
        limit: usize,
    ) -> Result<Vec<(i64, VersionRow, Vec<u8>)>, StoreError> {
        let sql = format!(
            "SELECT {VERSION_COLS}, v.seq, v.value FROM secrets s JOIN versions v
               ON v.vault = s.vault AND v.name_key = s.name_key
             WHERE s.vault = ?1 AND s.name_key = ?2 AND s.deleted_date IS NULL
               AND v.seq > ?3 AND v.seq <= ?4
             ORDER BY v.seq LIMIT ?5"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![vault, key(name), after, last, limit as i64], |r| {
            Ok((r.get(10)?, version_row(r)?, r.get(11)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Writes every version of a backup; refused when the name exists or is deleted.
    pub(super) fn restore(
        &mut self,
        vault: &str,
        name: &str,
        versions: &[Restored],
    ) -> Result<VersionRow, StoreError> {
        let name_key = key(name);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        match Self::name_state(&tx, vault, &name_key)? {
            NameState::Deleted => return Err(StoreError::DeletedButRecoverable),
            NameState::Live(_) => return Err(StoreError::AlreadyExists),
            NameState::Absent => {}
        }
        tx.execute(
            "INSERT INTO secrets (vault, name_key, name) VALUES (?1, ?2, ?3)",
            params![vault, name_key, name],
        )?;
        for v in versions {
            Self::insert_version(&self.sealer, &tx, vault, &v.row, &v.value)?;
        }
        tx.commit()?;
        versions
            .last()
            .map(|v| v.row.clone())
            .ok_or(StoreError::Corrupt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_version(value: &str) -> NewVersion {
        NewVersion {
            value: Zeroizing::new(value.to_owned()),
            content_type: None,
            enabled: true,
            nbf: None,
            exp: None,
            tags: None,
            managed: false,
        }
    }

    #[test]
    fn deleted_secrets_are_purged_when_their_date_passes() {
        let mut store = Store::open(None, Sealer::ephemeral(), 7).unwrap();
        store.set("v", "old", new_version("a"), 1_000).unwrap();
        store.set("v", "young", new_version("b"), 1_000).unwrap();
        store.delete("v", "old", 1_000).unwrap();
        store.delete("v", "young", 1_000 + 86_400).unwrap();
        let (_, info) = store.get_deleted("v", "old").unwrap();
        assert_eq!(info.scheduled_purge_date, 1_000 + 7 * 86_400);
        assert_eq!(store.purge_expired(1_000 + 7 * 86_400).unwrap(), 1);
        assert_eq!(
            store.get_deleted("v", "old").unwrap_err(),
            StoreError::DeletedNotFound
        );
        assert!(store.get_deleted("v", "young").is_ok());
        // The name is free again.
        store.set("v", "old", new_version("c"), 2_000_000).unwrap();
    }
}
