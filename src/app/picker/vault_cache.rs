//! What the picker remembers between runs: recent vaults and the vaults the
//! last search found. Names, URLs, subscriptions and tenants only; nothing
//! read from a vault. Made and applied here; read and written by the runtime.

use serde::{Deserialize, Serialize};

use crate::app::model::Model;
use crate::app::picker::{Discovered, DiscoveryState, SubEntry, SubStatus};
use crate::vault::discovery::{DiscoveredVault, SubscriptionInfo, TenantInfo};

/// Recent vaults kept at most.
pub const MAX_RECENT: usize = 10;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedVault {
    pub name: String,
    pub url: String,
    pub subscription_id: String,
    pub subscription_name: String,
    pub tenant_id: String,
    pub tenant_name: String,
}

/// The file's contents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultCache {
    /// Vault URLs opened from the picker, newest first.
    #[serde(default)]
    pub recent: Vec<String>,
    /// Vault URLs pinned in the picker, in the order pinned.
    #[serde(default)]
    pub pinned: Vec<String>,
    /// The endpoint the discovered vaults came from; another endpoint's are not shown.
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub discovered: Vec<CachedVault>,
    /// The Azure search beside the local one: its endpoint and its vaults.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub azure_source: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub azure_discovered: Vec<CachedVault>,
}

impl Model {
    /// Fills the picker from the cache: recent vaults join the known ones,
    /// and the discovered ones show until a new search replaces them.
    pub fn apply_vault_cache(&mut self, cache: VaultCache) {
        for url in &cache.recent {
            if !self
                .known_vaults
                .iter()
                .any(|k| k.eq_ignore_ascii_case(url))
            {
                self.known_vaults.push(url.clone());
            }
        }
        self.recent_vaults = cache.recent;
        self.pinned_vaults = cache.pinned;
        fill(&mut self.discovered, &cache.source, cache.discovered);
        if let Some(azure) = self.azure_discovered.as_mut() {
            fill(azure, &cache.azure_source, cache.azure_discovered);
        }
    }

    /// What to remember now: recent vaults, and the search's results once it
    /// ended (a search still running keeps the cache's older results).
    pub fn vault_cache(&self) -> VaultCache {
        let azure = self.azure_discovered.as_ref();
        VaultCache {
            recent: self
                .recent_vaults
                .iter()
                .take(MAX_RECENT)
                .cloned()
                .collect(),
            pinned: self.pinned_vaults.clone(),
            source: self.discovered.source.clone(),
            discovered: found(&self.discovered),
            azure_source: azure.map(|d| d.source.clone()).unwrap_or_default(),
            azure_discovered: azure.map(found).unwrap_or_default(),
        }
    }

    /// Pins `url` in the picker, or unpins it; `false` for a loopback URL,
    /// whose port changes every run.
    pub fn toggle_pin(&mut self, url: &str) -> bool {
        if is_ephemeral(url) {
            return false;
        }
        let before = self.pinned_vaults.len();
        self.pinned_vaults.retain(|u| !u.eq_ignore_ascii_case(url));
        if self.pinned_vaults.len() == before {
            self.pinned_vaults.push(url.to_owned());
        }
        true
    }

    /// `url` was opened from the picker: first among the recent ones.
    pub(crate) fn remember_recent(&mut self, url: &str) {
        if is_ephemeral(url) {
            return;
        }
        self.recent_vaults.retain(|u| !u.eq_ignore_ascii_case(url));
        self.recent_vaults.insert(0, url.to_owned());
        self.recent_vaults.truncate(MAX_RECENT);
        if !self
            .known_vaults
            .iter()
            .any(|k| k.eq_ignore_ascii_case(url))
        {
            self.known_vaults.push(url.to_owned());
        }
    }
}

/// Shows the vaults `source` found last run in `d` until a search answers;
/// another endpoint's are not shown.
fn fill(d: &mut Discovered, source: &str, vaults: Vec<CachedVault>) {
    if source.is_empty() || source != d.source {
        return;
    }
    for v in vaults {
        if !d.tenants.iter().any(|t| t.id == v.tenant_id) {
            d.tenants.push(TenantInfo {
                id: v.tenant_id.clone(),
                name: Some(v.tenant_name.clone()).filter(|n| !n.is_empty()),
            });
        }
        let at = match d
            .subscriptions
            .iter()
            .position(|s| s.info.id == v.subscription_id)
        {
            Some(i) => i,
            None => {
                d.subscriptions.push(SubEntry {
                    info: SubscriptionInfo {
                        id: v.subscription_id.clone(),
                        tenant_id: v.tenant_id.clone(),
                        name: v.subscription_name.clone(),
                    },
                    vaults: Vec::new(),
                    status: SubStatus::Done,
                });
                d.subscriptions.len() - 1
            }
        };
        d.subscriptions[at].vaults.push(DiscoveredVault {
            name: v.name,
            url: v.url,
            subscription_id: v.subscription_id,
            tenant_id: v.tenant_id,
        });
    }
    d.cached = !d.subscriptions.is_empty();
}

/// The search's results once it ended (a search still running keeps the
/// cache's older results).
fn found(d: &Discovered) -> Vec<CachedVault> {
    if d.state != DiscoveryState::Done && !d.cached {
        return Vec::new();
    }
    d.subscriptions
        .iter()
        .flat_map(|s| {
            s.vaults.iter().map(|v| CachedVault {
                name: v.name.clone(),
                url: v.url.clone(),
                subscription_id: s.info.id.clone(),
                subscription_name: s.info.name.clone(),
                tenant_id: v.tenant_id.clone(),
                tenant_name: d.tenant_name(&v.tenant_id),
            })
        })
        .collect()
}

/// A loopback URL names an ephemeral port: not worth remembering.
pub(crate) fn is_ephemeral(url: &str) -> bool {
    url.contains("localhost") || url.contains("127.0.0.1") || url.contains("[::1]")
}
