//! The access file (`kvtui serve --access FILE`, TOML): identities with their
//! tokens, and per vault its permission model, network rules, role
//! assignments and access policies. Every mistake is named with its place.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{Access, Identity, IpRule, Model, Policy, RoleAssignment, Scope, VaultRules};
use crate::kv_access::{Permission, TokenClaims, made_up_object_id, role_named};
use crate::local::token::{TokenDigest, normalize};

/// Why an access file was refused (never quoting a token).
#[derive(Debug, thiserror::Error)]
pub enum AccessFileError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a valid access file: {message}")]
    Syntax { path: String, message: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileJson {
    #[serde(default)]
    identity: Vec<IdentityJson>,
    #[serde(default)]
    vault: Vec<VaultJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdentityJson {
    name: String,
    token: Option<String>,
    token_file: Option<String>,
    object_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VaultJson {
    name: String,
    #[serde(default = "rbac")]
    model: String,
    #[serde(default = "yes")]
    public_network_access: bool,
    #[serde(default)]
    firewall: bool,
    #[serde(default)]
    allow_ips: Vec<String>,
    #[serde(default)]
    role: Vec<RoleJson>,
    #[serde(default)]
    policy: Vec<PolicyJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleJson {
    identity: String,
    role: String,
    #[serde(default = "vault_scope")]
    scope: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyJson {
    identity: String,
    #[serde(default)]
    secrets: Vec<String>,
}

fn rbac() -> String {
    "rbac".into()
}
fn yes() -> bool {
    true
}
fn vault_scope() -> String {
    "vault".into()
}

/// Reads and checks `path`; token files are read relative to its directory.
pub(in crate::local) fn load(path: &Path, owner: &SecretString) -> Result<Access, AccessFileError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| AccessFileError::Read {
        path: shown.clone(),
        source,
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    parse(&text, base, owner).map_err(|e| match e {
        Parsed::Syntax(message) => AccessFileError::Syntax {
            path: shown.clone(),
            message,
        },
        Parsed::Invalid(message) => AccessFileError::Invalid {
            path: shown.clone(),
            message,
        },
    })
}

/// A refusal before the path is known.
#[derive(Debug)]
pub(in crate::local) enum Parsed {
    Syntax(String),
    Invalid(String),
}

fn invalid(m: impl Into<String>) -> Parsed {
    Parsed::Invalid(m.into())
}

/// Parses the TOML text of an access file.
pub(in crate::local) fn parse(
    text: &str,
    base: &Path,
    owner: &SecretString,
) -> Result<Access, Parsed> {
    // toml's message quotes the offending line, which may hold a token: keep only its position.
    let file: FileJson = toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|s| {
                let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                format!(" (line {line})")
            })
            .unwrap_or_default();
        Parsed::Syntax(format!("{}{at}", e.message()))
    })?;
    let mut identities = Vec::new();
    let mut by_name = HashMap::new();
    for (i, id) in file.identity.into_iter().enumerate() {
        let name = id.name.trim().to_owned();
        if name.is_empty() {
            return Err(invalid(format!("identity {} has an empty name", i + 1)));
        }
        if by_name
            .insert(name.to_ascii_lowercase(), identities.len())
            .is_some()
        {
            return Err(invalid(format!("identity {name:?} is given twice")));
        }
        let token = match (id.token, id.token_file) {
            (Some(t), None) => {
                normalize(&t).map_err(|e| invalid(format!("identity {name:?}: token: {e}")))?
            }
            (None, Some(f)) => {
                let p = base.join(&f);
                crate::local::token::read(&p)
                    .map_err(|e| invalid(format!("identity {name:?}: token_file: {e}")))?
            }
            _ => {
                return Err(invalid(format!(
                    "identity {name:?}: give exactly one of token and token_file"
                )));
            }
        };
        if token.expose_secret() == owner.expose_secret()
            || identities
                .iter()
                .any(|other: &Identity| other.digest.same_as(token.expose_secret()))
        {
            return Err(invalid(format!(
                "identity {name:?}: its token is already the owner's or another identity's"
            )));
        }
        let claims = TokenClaims::of(token.expose_secret()).unwrap_or_default();
        let object_id = id
            .object_id
            .or_else(|| claims.oid.clone())
            .unwrap_or_else(|| made_up_object_id(&name));
        identities.push(Identity {
            digest: TokenDigest::of(token.expose_secret()),
            name,
            object_id,
            claims,
        });
    }
    let mut vaults = HashMap::new();
    for v in file.vault {
        let vault = v.name.trim().to_ascii_lowercase();
        if !crate::local::is_local_vault_name(&vault) {
            return Err(invalid(format!(
                "vault {:?} is not a vault name (3-24 letters, digits and '-', starting with a letter)",
                v.name
            )));
        }
        let model = match v.model.trim().to_ascii_lowercase().as_str() {
            "rbac" => Model::Rbac,
            "access-policy" | "access_policy" | "accesspolicy" => Model::AccessPolicy,
            other => {
                return Err(invalid(format!(
                    "vault {vault:?}: model {other:?} is neither \"rbac\" nor \"access-policy\""
                )));
            }
        };
        let who = |name: &str| {
            by_name
                .get(&name.trim().to_ascii_lowercase())
                .copied()
                .ok_or_else(|| invalid(format!("vault {vault:?}: no identity named {name:?}")))
        };
        let mut roles = Vec::new();
        for r in v.role {
            let role = role_named(&r.role).ok_or_else(|| {
                invalid(format!(
                    "vault {vault:?}: unknown role {:?} (built-in roles: {})",
                    r.role,
                    crate::kv_access::BUILT_IN_ROLES
                        .iter()
                        .map(|r| r.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            let scope = match r.scope.trim() {
                s if s.eq_ignore_ascii_case("vault") => Scope::Vault,
                s => match s.split_once(':') {
                    Some((k, name))
                        if k.eq_ignore_ascii_case("secret")
                            && crate::kv_facts::validate_name(name).is_ok() =>
                    {
                        Scope::Secret(name.to_owned())
                    }
                    _ => {
                        return Err(invalid(format!(
                            "vault {vault:?}: scope {s:?} is neither \"vault\" nor \"secret:NAME\""
                        )));
                    }
                },
            };
            roles.push(RoleAssignment {
                identity: who(&r.identity)?,
                role,
                scope,
            });
        }
        let mut policies = Vec::new();
        for p in v.policy {
            let mut perms = Vec::new();
            for word in &p.secrets {
                if word.trim().eq_ignore_ascii_case("all") {
                    perms.extend(Permission::ALL);
                    continue;
                }
                perms.push(Permission::parse(word).ok_or_else(|| {
                    invalid(format!(
                        "vault {vault:?}: {word:?} is not a secret permission (get list set delete recover backup restore purge, or all)"
                    ))
                })?);
            }
            perms.sort();
            perms.dedup();
            policies.push(Policy {
                identity: who(&p.identity)?,
                secrets: perms,
            });
        }
        let mut allow = Vec::new();
        for ip in &v.allow_ips {
            allow.push(IpRule::parse(ip).ok_or_else(|| {
                invalid(format!(
                    "vault {vault:?}: {ip:?} in allow_ips is not an address or CIDR range"
                ))
            })?);
        }
        let rules = VaultRules {
            model,
            public_network_access: v.public_network_access,
            firewall: v.firewall,
            allow_ips: allow,
            roles,
            policies,
        };
        if vaults.insert(vault.clone(), rules).is_some() {
            return Err(invalid(format!("vault {vault:?} is given twice")));
        }
    }
    let owner_claims = TokenClaims::of(owner.expose_secret()).unwrap_or_default();
    Ok(Access {
        owner_object_id: owner_claims
            .oid
            .clone()
            .unwrap_or_else(|| made_up_object_id("owner")),
        owner_claims,
        identities,
        vaults,
    })
}

impl IpRule {
    /// `203.0.113.7`, `203.0.113.0/24`, `::1` or `fd00::/8`.
    pub(in crate::local) fn parse(s: &str) -> Option<IpRule> {
        let s = s.trim();
        let (addr, bits) = match s.split_once('/') {
            Some((a, b)) => (a, Some(b.parse::<u8>().ok()?)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        (bits <= max).then_some(IpRule { addr, bits })
    }
}
