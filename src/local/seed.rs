//! `serve --seed-from`: a copy of another vault's secrets written straight
//! into the store, dates, versions and managed marks kept. A second run
//! updates: names new at the source are added, changed ones replaced, ones
//! seeded before and gone at the source removed; names made locally stay.

use std::collections::BTreeMap;

use zeroize::Zeroizing;

use super::state::{DeletedState, SecretState, VersionState};
use super::{LocalError, LocalVault};

/// One secret as read from the source.
pub struct SeedSecret {
    pub name: String,
    /// (deleted, scheduled purge, recoverable days) for a deleted one.
    pub deleted: Option<(i64, i64, u32)>,
    /// Oldest first.
    pub versions: Vec<SeedVersion>,
}

/// One version as read from the source; `value` is a placeholder unless
/// values were asked for.
pub struct SeedVersion {
    pub version: String,
    pub value: Zeroizing<String>,
    pub content_type: Option<String>,
    pub enabled: bool,
    pub nbf: Option<i64>,
    pub exp: Option<i64>,
    pub created: i64,
    pub updated: i64,
    pub tags: Option<BTreeMap<String, String>>,
    pub managed: bool,
}

/// What a seed changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub added: usize,
    pub updated: usize,
    /// Seeded before, gone at the source: removed here.
    pub removed: Vec<String>,
    /// Made locally, not at the source: kept.
    pub local_only: Vec<String>,
}

impl LocalVault {
    /// Writes `secrets` into local vault `vault` (created if new), in one transaction.
    pub async fn seed(
        &self,
        vault: &str,
        secrets: Vec<SeedSecret>,
    ) -> Result<SeedReport, LocalError> {
        if !super::is_local_vault_name(vault) {
            return Err(LocalError::BadVaultName(vault.to_owned()));
        }
        let vault = vault.to_ascii_lowercase();
        let states: Vec<SecretState> = secrets.into_iter().map(to_state).collect();
        let svc = self.service.clone();
        let now = svc.now();
        tokio::task::spawn_blocking(move || svc.with_store(|s| s.seed_vault(&vault, &states, now)))
            .await
            .map_err(|e| LocalError::Store(e.to_string()))?
            .map_err(LocalError::from)
    }
}

fn to_state(s: SeedSecret) -> SecretState {
    SecretState {
        name: s.name,
        deleted: s.deleted.map(|(d, p, r)| DeletedState {
            deleted_date: d,
            scheduled_purge_date: p,
            recoverable_days: r,
        }),
        versions: s
            .versions
            .into_iter()
            .map(|v| VersionState {
                version: v.version,
                value: Some(v.value.as_str().to_owned()),
                sealed_value: None,
                content_type: v.content_type,
                enabled: v.enabled,
                nbf: v.nbf,
                exp: v.exp,
                created: v.created,
                updated: v.updated,
                tags: v.tags,
                managed: v.managed,
            })
            .collect(),
    }
}
