//! The data plane's one authorization hook: the network rules, then the
//! vault's model, before any handler runs. Only called with an access file.

use std::net::IpAddr;

use super::refusals::VaultRef;
use super::{Access, Caller, action_of};
use crate::local::api::Service;
use crate::local::arm::{LOCAL_SUBSCRIPTION, RESOURCE_GROUP, SubscriptionVaults};
use crate::local::errors::ApiError;
use crate::local::host::HostInfo;

/// Where the local vaults are, for Key Vault's `Vault: {name};location=…`.
pub(in crate::local) const LOCATION: &str = "local";

impl Service {
    /// Refuses the request as Key Vault would when the access file says so.
    pub(in crate::local) fn authorize(
        &self,
        access: &Access,
        caller: Caller,
        host: &HostInfo,
        segs: &[&str],
        method: &str,
        peer: Option<IpAddr>,
    ) -> Result<(), ApiError> {
        let vault = host.vault.as_str();
        // The owner, and vaults the file does not name, pass without a look at the rules.
        if caller == Caller::Owner || access.vault(vault).is_none() {
            return Ok(());
        }
        let id = self.vault_resource_id(vault);
        let at = VaultRef {
            name: vault,
            resource_id: &id,
            location: LOCATION,
        };
        access.check_network(vault, caller, peer, &at)?;
        match action_of(segs, method) {
            Some((action, secret)) => access.check(vault, caller, action, secret, &at),
            None => Ok(()),
        }
    }

    /// The subscription holding `vault`: the first that lists it, else the local one.
    pub(in crate::local) fn subscription_of(&self, vault: &str) -> &str {
        self.arm
            .subscriptions
            .iter()
            .find(|s| match &s.vaults {
                SubscriptionVaults::All => true,
                SubscriptionVaults::Named(names) => {
                    names.iter().any(|n| n.eq_ignore_ascii_case(vault))
                }
                SubscriptionVaults::Forbidden => false,
            })
            .map(|s| s.id.as_str())
            .unwrap_or(LOCAL_SUBSCRIPTION)
    }

    /// `/subscriptions/{sub}/resourceGroups/local/providers/Microsoft.KeyVault/vaults/{vault}`.
    pub(in crate::local) fn vault_resource_id(&self, vault: &str) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{RESOURCE_GROUP}/providers/Microsoft.KeyVault/vaults/{vault}",
            self.subscription_of(vault)
        )
    }
}

impl Service {
    /// Whether `vault` uses Azure RBAC: as the access file says, else yes (the
    /// default of new vaults from the 2026-02-01 API; the local vault allows all there).
    pub(in crate::local) fn uses_rbac(&self, vault: &str) -> bool {
        self.access
            .as_ref()
            .and_then(|a| a.vault(vault))
            .is_none_or(|r| r.model == super::Model::Rbac)
    }
}
