//! The store as a snapshot and back: every vault, secret and version with its
//! value opened, in insertion order, and a snapshot written in one transaction.

use rusqlite::params;

use super::{Store, key, tags_json, value_aad};
use crate::local::model::{StoreError, VersionRow};
use crate::local::state::{DeletedState, SecretState, VaultState, VersionState};

impl Store {
    /// Every vault with its secrets (live and deleted) and their versions, values opened.
    pub(in crate::local) fn snapshot(&self) -> Result<Vec<VaultState>, StoreError> {
        // A vault exists from its first write, with or without a row of its own.
        let mut vaults_stmt = self.conn.prepare(
            "SELECT n.name, COALESCE(
                 (SELECT created FROM vaults WHERE name = n.name),
                 (SELECT min(created) FROM versions WHERE vault = n.name), 0)
             FROM (SELECT name FROM vaults UNION SELECT vault FROM secrets) n ORDER BY 1",
        )?;
        let vaults = vaults_stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        let mut secrets_stmt = self.conn.prepare(
            "SELECT name_key, name, deleted_date, scheduled_purge_date, recoverable_days
             FROM secrets WHERE vault = ?1 ORDER BY name_key",
        )?;
        let mut versions_stmt = self.conn.prepare(
            "SELECT version, value, content_type, enabled, nbf, exp, created, updated, tags, managed
             FROM versions WHERE vault = ?1 AND name_key = ?2 ORDER BY seq",
        )?;
        let mut out = Vec::with_capacity(vaults.len());
        for (vault, created) in vaults {
            let secrets = secrets_stmt
                .query_map(params![vault], |r| {
                    let deleted: Option<i64> = r.get(2)?;
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        deleted.map(|d| -> rusqlite::Result<DeletedState> {
                            Ok(DeletedState {
                                deleted_date: d,
                                scheduled_purge_date: r.get::<_, Option<i64>>(3)?.unwrap_or(d),
                                recoverable_days: r.get::<_, Option<u32>>(4)?.unwrap_or(90),
                            })
                        }),
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let mut states = Vec::with_capacity(secrets.len());
            for (name_key, name, deleted) in secrets {
                let deleted = deleted.transpose()?;
                let rows = versions_stmt
                    .query_map(params![vault, name_key], |r| {
                        let tags: Option<String> = r.get(8)?;
                        Ok((
                            r.get::<_, Vec<u8>>(1)?,
                            VersionRow {
                                name: name.clone(),
                                version: r.get(0)?,
                                content_type: r.get(2)?,
                                enabled: r.get(3)?,
                                nbf: r.get(4)?,
                                exp: r.get(5)?,
                                created: r.get(6)?,
                                updated: r.get(7)?,
                                tags: tags.and_then(|t| serde_json::from_str(&t).ok()),
                                managed: r.get(9)?,
                            },
                        ))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                let mut versions = Vec::with_capacity(rows.len());
                for (sealed, row) in rows {
                    let plain = self
                        .sealer
                        .open(&sealed, &value_aad(&vault, &name_key, &row.version))
                        .ok_or(StoreError::Corrupt)?;
                    let value =
                        String::from_utf8(plain.to_vec()).map_err(|_| StoreError::Corrupt)?;
                    versions.push(VersionState {
                        version: row.version,
                        value: Some(value),
                        sealed_value: None,
                        content_type: row.content_type,
                        enabled: row.enabled,
                        nbf: row.nbf,
                        exp: row.exp,
                        created: row.created,
                        updated: row.updated,
                        tags: row.tags,
                        managed: row.managed,
                    });
                }
                states.push(SecretState {
                    name,
                    deleted,
                    versions,
                });
            }
            out.push(VaultState {
                name: vault,
                created,
                secrets: states,
            });
        }
        Ok(out)
    }

    /// True when no vault holds a secret (live or deleted).
    pub(in crate::local) fn holds_no_secret(&self) -> Result<bool, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM secrets", [], |r| r.get(0))?;
        Ok(n == 0)
    }

    /// Writes `vaults` in one transaction, after removing everything when `replace`.
    pub(in crate::local) fn load_snapshot(
        &mut self,
        vaults: &[VaultState],
        replace: bool,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if replace {
            tx.execute_batch("DELETE FROM versions; DELETE FROM secrets; DELETE FROM vaults;")?;
        }
        for vault in vaults {
            tx.execute(
                "INSERT INTO vaults (name, created) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET created = excluded.created",
                params![vault.name, vault.created],
            )?;
            for secret in &vault.secrets {
                let name_key = key(&secret.name);
                let d = secret.deleted;
                tx.execute(
                    "INSERT INTO secrets (vault, name_key, name, deleted_date, scheduled_purge_date, recoverable_days)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        vault.name,
                        name_key,
                        secret.name,
                        d.map(|d| d.deleted_date),
                        d.map(|d| d.scheduled_purge_date),
                        d.map(|d| d.recoverable_days)
                    ],
                )?;
                for v in &secret.versions {
                    let value = v.value.as_deref().unwrap_or_default();
                    let sealed = self.sealer.seal(
                        value.as_bytes(),
                        &value_aad(&vault.name, &name_key, &v.version),
                    )?;
                    tx.execute(
                        "INSERT INTO versions (vault, name_key, version, value, content_type, enabled, nbf, exp, created, updated, tags, managed)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                        params![
                            vault.name, name_key, v.version, sealed, v.content_type, v.enabled, v.nbf, v.exp,
                            v.created, v.updated, tags_json(&v.tags), v.managed
                        ],
                    )?;
                }
            }
        }
        tx.commit()?;
        self.checkpoint()
    }
}

impl Store {
    /// Replaces the seeded secrets of `vault` with `secrets`: see `local::seed`.
    pub(in crate::local) fn seed_vault(
        &mut self,
        vault: &str,
        secrets: &[SecretState],
        now: i64,
    ) -> Result<crate::local::seed::SeedReport, StoreError> {
        use std::collections::BTreeSet;
        let meta_key = format!("seeded:{vault}");
        let before: BTreeSet<String> = self
            .conn
            .query_row("SELECT v FROM meta WHERE k = ?1", params![meta_key], |r| {
                r.get::<_, Vec<u8>>(0)
            })
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let present: BTreeSet<String> = {
            let mut stmt = tx.prepare("SELECT name_key FROM secrets WHERE vault = ?1")?;
            stmt.query_map(params![vault], |r| r.get::<_, String>(0))?
                .collect::<Result<_, _>>()?
        };
        let source: BTreeSet<String> = secrets.iter().map(|s| key(&s.name)).collect();
        let mut report = crate::local::seed::SeedReport::default();
        let drop_secret = |name_key: &str| -> Result<(), StoreError> {
            tx.execute(
                "DELETE FROM versions WHERE vault = ?1 AND name_key = ?2",
                params![vault, name_key],
            )?;
            tx.execute(
                "DELETE FROM secrets WHERE vault = ?1 AND name_key = ?2",
                params![vault, name_key],
            )?;
            Ok(())
        };
        for gone in before.difference(&source) {
            if present.contains(gone) {
                drop_secret(gone)?;
                report.removed.push(gone.clone());
            }
        }
        report.local_only = present
            .iter()
            .filter(|n| !source.contains(*n) && !before.contains(*n))
            .cloned()
            .collect();
        tx.execute(
            "INSERT OR IGNORE INTO vaults (name, created) VALUES (?1, ?2)",
            params![vault, now],
        )?;
        for secret in secrets {
            let name_key = key(&secret.name);
            if present.contains(&name_key) {
                drop_secret(&name_key)?;
                report.updated += 1;
            } else {
                report.added += 1;
            }
            let d = secret.deleted;
            tx.execute(
                "INSERT INTO secrets (vault, name_key, name, deleted_date, scheduled_purge_date, recoverable_days)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    vault,
                    name_key,
                    secret.name,
                    d.map(|d| d.deleted_date),
                    d.map(|d| d.scheduled_purge_date),
                    d.map(|d| d.recoverable_days)
                ],
            )?;
            for v in &secret.versions {
                let value = v.value.as_deref().unwrap_or_default();
                let sealed = self
                    .sealer
                    .seal(value.as_bytes(), &value_aad(vault, &name_key, &v.version))?;
                tx.execute(
                    "INSERT INTO versions (vault, name_key, version, value, content_type, enabled, nbf, exp, created, updated, tags, managed)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    params![
                        vault, name_key, v.version, sealed, v.content_type, v.enabled, v.nbf, v.exp,
                        v.created, v.updated, tags_json(&v.tags), v.managed
                    ],
                )?;
            }
        }
        let seeded = serde_json::to_vec(&source).map_err(|e| StoreError::Db(e.to_string()))?;
        tx.execute(
            "INSERT INTO meta (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
            params![meta_key, seeded],
        )?;
        tx.commit()?;
        Ok(report)
    }
}
