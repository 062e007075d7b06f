//! Sample secrets for a new `default` vault and a second vault, so a first
//! run shows every feature and the vault picker has a choice.

use std::collections::BTreeMap;

use serde::Deserialize;
use zeroize::Zeroizing;

use super::model::{NewVersion, StoreError};
use super::store::Store;

const SAMPLES: &str = include_str!("../../assets/samples.json");
const DAY: i64 = 86_400;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sample {
    /// The vault it goes in; `default` when not given.
    vault: Option<String>,
    name: String,
    content_type: Option<String>,
    tags: Option<BTreeMap<String, String>>,
    #[serde(default = "yes")]
    enabled: bool,
    expires_in_days: Option<i64>,
    not_before_in_days: Option<i64>,
    #[serde(default)]
    deleted: bool,
    /// The secret of a certificate (`managed: true`, a `kid`).
    #[serde(default)]
    managed: bool,
    /// Days since the latest version was written, so the list shows some history.
    #[serde(default)]
    age_days: i64,
    versions: Vec<String>,
}

fn yes() -> bool {
    true
}

/// Writes every sample into its vault.
pub(super) fn add_samples(store: &mut Store, now: i64) -> Result<(), StoreError> {
    let samples: Vec<Sample> = serde_json::from_str(SAMPLES)
        .map_err(|e| StoreError::Db(format!("assets/samples.json: {e}")))?;
    for sample in samples {
        let vault = sample.vault.as_deref().unwrap_or(super::DEFAULT_VAULT);
        store.ensure_vault(vault, now)?;
        let count = sample.versions.len() as i64;
        for (i, value) in sample.versions.iter().enumerate() {
            // Older versions a few days apart, so the version list has history.
            let at = now - sample.age_days * DAY - (count - 1 - i as i64) * 3 * DAY;
            let new = NewVersion {
                value: Zeroizing::new(value.clone()),
                content_type: sample.content_type.clone(),
                enabled: sample.enabled,
                nbf: sample.not_before_in_days.map(|d| now + d * DAY),
                exp: sample.expires_in_days.map(|d| now + d * DAY),
                tags: sample.tags.clone(),
                managed: sample.managed,
            };
            store.set(vault, &sample.name, new, at)?;
        }
        if sample.deleted {
            store.delete(vault, &sample.name, now)?;
        }
    }
    Ok(())
}
