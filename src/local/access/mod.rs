//! Authorization as Key Vault enforces it, for vaults named in the access
//! file: Azure RBAC or access policies, public network access and the
//! firewall. The owner token keeps every right; vaults not in the file allow
//! every accepted token everything (as without a file).

mod arm;
mod enforce;
mod file;
pub(in crate::local) mod refusals;

use std::collections::HashMap;
use std::net::IpAddr;

pub(super) use file::AccessFileError;
pub(in crate::local) use file::load;

use super::errors::ApiError;
use super::token::TokenDigest;
use crate::kv_access::{Action, BuiltInRole, Permission, TokenClaims, grants};

/// What the access file says.
pub(in crate::local) struct Access {
    pub(in crate::local) identities: Vec<Identity>,
    /// By lower-case vault name.
    pub(in crate::local) vaults: HashMap<String, VaultRules>,
    pub(in crate::local) owner_object_id: String,
    pub(in crate::local) owner_claims: TokenClaims,
}

pub(in crate::local) struct Identity {
    pub(in crate::local) name: String,
    pub(in crate::local) digest: TokenDigest,
    pub(in crate::local) object_id: String,
    pub(in crate::local) claims: TokenClaims,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::local) enum Model {
    Rbac,
    AccessPolicy,
}

pub(in crate::local) struct VaultRules {
    pub(in crate::local) model: Model,
    pub(in crate::local) public_network_access: bool,
    pub(in crate::local) firewall: bool,
    pub(in crate::local) allow_ips: Vec<IpRule>,
    pub(in crate::local) roles: Vec<RoleAssignment>,
    pub(in crate::local) policies: Vec<Policy>,
}

pub(in crate::local) struct RoleAssignment {
    pub(in crate::local) identity: usize,
    pub(in crate::local) role: &'static BuiltInRole,
    pub(in crate::local) scope: Scope,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::local) enum Scope {
    Vault,
    Secret(String),
}

pub(in crate::local) struct Policy {
    pub(in crate::local) identity: usize,
    pub(in crate::local) secrets: Vec<Permission>,
}

/// An allowed address or range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::local) struct IpRule {
    pub(in crate::local) addr: IpAddr,
    pub(in crate::local) bits: u8,
}

impl IpRule {
    fn contains(&self, ip: IpAddr) -> bool {
        let prefix = |a: u128, b: u128, len: u32, bits: u32| {
            bits == 0 || (a >> (len - bits)) == (b >> (len - bits))
        };
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(a), IpAddr::V4(b)) => prefix(
                u32::from(a).into(),
                u32::from(b).into(),
                32,
                self.bits.into(),
            ),
            (IpAddr::V6(a), IpAddr::V6(b)) => prefix(a.into(), b.into(), 128, self.bits.into()),
            _ => false,
        }
    }
}

impl std::fmt::Display for IpRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let max = if self.addr.is_ipv4() { 32 } else { 128 };
        if self.bits == max {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.bits)
        }
    }
}

/// Who sent a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::local) enum Caller {
    Owner,
    Identity(usize),
}

impl Access {
    /// The identity whose token `header` carries (`Bearer <token>`).
    pub(in crate::local) fn identify(&self, header: Option<&str>) -> Option<usize> {
        self.identities
            .iter()
            .position(|i| i.digest.accepts(header))
    }

    /// The rules of `vault`, when the file names it.
    pub(in crate::local) fn vault(&self, vault: &str) -> Option<&VaultRules> {
        self.vaults.get(vault)
    }

    /// The `Caller:` text of refusals: `appid=…;oid=…;iss=https://sts.windows.net/{tenant}/`.
    pub(in crate::local) fn caller_text(&self, caller: Caller) -> String {
        let (claims, oid) = match caller {
            Caller::Owner => (&self.owner_claims, self.owner_object_id.as_str()),
            Caller::Identity(i) => (
                &self.identities[i].claims,
                self.identities[i].object_id.as_str(),
            ),
        };
        let tenant = claims.tid.as_deref().unwrap_or(super::LOCAL_TENANT);
        let name = claims
            .user()
            .map(|u| format!("name={u};"))
            .unwrap_or_default();
        let app = claims.app_id().unwrap_or(oid);
        format!("{name}appid={app};oid={oid};iss=https://sts.windows.net/{tenant}/")
    }

    /// Whether the network lets `peer` reach `vault` at all (the owner always passes).
    pub(in crate::local) fn check_network(
        &self,
        vault: &str,
        caller: Caller,
        peer: Option<IpAddr>,
        resource_vault: &refusals::VaultRef<'_>,
    ) -> Result<(), ApiError> {
        let (Caller::Identity(_), Some(rules)) = (caller, self.vault(vault)) else {
            return Ok(());
        };
        if !rules.public_network_access {
            return Err(refusals::public_access_disabled(
                &self.caller_text(caller),
                resource_vault,
            ));
        }
        if rules.firewall {
            let allowed = peer.is_some_and(|ip| rules.allow_ips.iter().any(|r| r.contains(ip)));
            if !allowed {
                let ip = peer
                    .map(|p| p.to_canonical().to_string())
                    .unwrap_or_default();
                return Err(refusals::firewall(
                    &ip,
                    &self.caller_text(caller),
                    resource_vault,
                ));
            }
        }
        Ok(())
    }

    /// Whether `caller` may do `action` (on `secret`, when it names one) in `vault`.
    pub(in crate::local) fn allows(
        &self,
        vault: &str,
        caller: Caller,
        action: Action,
        secret: Option<&str>,
    ) -> bool {
        let (Caller::Identity(me), Some(rules)) = (caller, self.vault(vault)) else {
            return true;
        };
        match rules.model {
            Model::Rbac => rules.roles.iter().any(|r| {
                r.identity == me
                    && r.scope.covers(secret)
                    && grants(r.role.data_actions, action.data_action())
            }),
            Model::AccessPolicy => rules
                .policies
                .iter()
                .any(|p| p.identity == me && p.secrets.contains(&action.permission())),
        }
    }

    /// `Ok` when `caller` may do `action`; else Key Vault's refusal for the vault's model.
    pub(in crate::local) fn check(
        &self,
        vault: &str,
        caller: Caller,
        action: Action,
        secret: Option<&str>,
        at: &refusals::VaultRef<'_>,
    ) -> Result<(), ApiError> {
        if self.allows(vault, caller, action, secret) {
            return Ok(());
        }
        let Caller::Identity(me) = caller else {
            return Ok(());
        };
        let who = self.caller_text(caller);
        match self.vault(vault).map(|r| (r.model, r)) {
            Some((Model::AccessPolicy, rules)) => {
                let listed = rules.policies.iter().any(|p| p.identity == me);
                Err(refusals::access_denied(
                    &who,
                    action.permission(),
                    listed,
                    at,
                ))
            }
            _ => Err(refusals::rbac(&who, action, secret, at)),
        }
    }

    /// The data actions `caller` holds on `vault` at vault scope (for Resource Manager's permissions).
    pub(in crate::local) fn data_actions(&self, vault: &str, caller: Caller) -> Vec<String> {
        match (caller, self.vault(vault)) {
            (Caller::Owner, _) | (_, None) => vec!["*".into()],
            (Caller::Identity(me), Some(rules)) => {
                let mut out: Vec<String> = rules
                    .roles
                    .iter()
                    .filter(|r| r.identity == me && r.scope == Scope::Vault)
                    .flat_map(|r| r.role.data_actions.iter().map(|a| (*a).to_owned()))
                    .collect();
                out.sort();
                out.dedup();
                out
            }
        }
    }

    /// The control-plane actions `caller` holds on `vault` (roles count in both models).
    pub(in crate::local) fn actions(&self, vault: &str, caller: Caller) -> Vec<String> {
        match (caller, self.vault(vault)) {
            (Caller::Owner, _) | (_, None) => vec!["*".into()],
            (Caller::Identity(me), Some(rules)) => {
                let mut out: Vec<String> = rules
                    .roles
                    .iter()
                    .filter(|r| r.identity == me && r.scope == Scope::Vault)
                    .flat_map(|r| r.role.actions.iter().map(|a| (*a).to_owned()))
                    .collect();
                out.sort();
                out.dedup();
                out
            }
        }
    }
}

impl Scope {
    /// Whether an assignment at this scope covers a request on `secret` (`None`: the vault).
    fn covers(&self, secret: Option<&str>) -> bool {
        match self {
            Scope::Vault => true,
            Scope::Secret(name) => secret.is_some_and(|s| s.eq_ignore_ascii_case(name)),
        }
    }
}

/// The data action a data-plane request needs, and the secret it names.
pub(in crate::local) fn action_of<'a>(
    segs: &[&'a str],
    method: &str,
) -> Option<(Action, Option<&'a str>)> {
    Some(match (segs, method) {
        (["secrets"], "GET") | (["deletedsecrets"], "GET") => (Action::ReadMetadata, None),
        (["secrets", "restore"], "POST") => (Action::Restore, None),
        (["secrets", name], "PUT") => (Action::SetSecret, Some(*name)),
        (["secrets", name] | ["secrets", name, _], "GET") if segs.get(2) != Some(&"versions") => {
            (Action::GetSecret, Some(*name))
        }
        (["secrets", name, "versions"], "GET") => (Action::ReadMetadata, Some(*name)),
        (["secrets", name] | ["secrets", name, _], "PATCH") => (Action::Update, Some(*name)),
        (["secrets", name], "DELETE") => (Action::Delete, Some(*name)),
        (["secrets", name, "backup"], "POST") => (Action::Backup, Some(*name)),
        (["deletedsecrets", name], "GET") => (Action::ReadMetadata, Some(*name)),
        (["deletedsecrets", name], "DELETE") => (Action::Purge, Some(*name)),
        (["deletedsecrets", name, "recover"], "POST") => (Action::Recover, Some(*name)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
