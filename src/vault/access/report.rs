//! The doctor's findings, worked out from what was read: who the token names,
//! what Resource Manager says of the vault, and two harmless probes. Pure, so
//! the CLI and the TUI panel show the same report and tests need no network.

use serde::Serialize;

use crate::kv_access::{Permission, grants, smallest_role_for};

/// Who the token says the caller is, and which credential produced it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WhoAmI {
    pub user: Option<String>,
    pub app_id: Option<String>,
    pub object_id: Option<String>,
    pub tenant_id: Option<String>,
    pub audience: Option<String>,
    pub expires: Option<i64>,
    pub credential: String,
    /// The token is not JWT-shaped: it names nobody (a local vault's own token).
    pub opaque: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    Rbac,
    AccessPolicy,
}

impl Model {
    pub fn describe(self) -> &'static str {
        match self {
            Model::Rbac => "Azure RBAC",
            Model::AccessPolicy => "access policies",
        }
    }
}

/// What Resource Manager showed of the vault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmFacts {
    pub resource_id: String,
    pub model: Model,
    pub public_network_access: bool,
    pub firewall_deny: bool,
    pub ip_rules: Vec<String>,
    /// `(object id, secret permissions)` of each access policy.
    pub policies: Vec<(String, Vec<String>)>,
    /// The caller's effective permissions at the vault, or why they could not be read.
    pub permissions: Result<Permissions, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions {
    pub actions: Vec<String>,
    pub data_actions: Vec<String>,
    pub not_data_actions: Vec<String>,
}

/// A probe's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// Authorized (a get of a missing name answering 404 counts).
    Allowed,
    Refused(Refusal),
    /// No verdict: the network, a timeout, another status.
    Failed(String),
    NotRun,
}

/// A 403 as the vault worded it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Refusal {
    pub code: Option<String>,
    pub message: String,
    /// The caller's address from `x-ms-keyvault-network-info`.
    pub address: Option<String>,
}

impl Refusal {
    fn is(&self, code: &str) -> bool {
        self.code
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case(code))
    }

    fn network(&self) -> Option<Network> {
        if self.is("ForbiddenByFirewall")
            || self.message.contains("Client address is not authorized")
        {
            Some(Network::Firewall)
        } else if self.is("ForbiddenByConnection")
            || self
                .message
                .to_ascii_lowercase()
                .contains("public network access is disabled")
        {
            Some(Network::PublicAccessDisabled)
        } else {
            None
        }
    }

    fn model(&self) -> Option<Model> {
        if self.is("ForbiddenByRbac") {
            Some(Model::Rbac)
        } else if self.is("AccessDenied")
            || self.is("ForbiddenByPolicy")
            || self.message.contains("access policy")
        {
            Some(Model::AccessPolicy)
        } else {
            None
        }
    }

    /// A `key=value` of the `Caller:` part (`oid`).
    fn caller_field(&self, key: &str) -> Option<String> {
        let at = self.message.find(&format!("{key}="))? + key.len() + 1;
        let rest = &self.message[at..];
        let end = rest
            .find([';', '\'', '\r', '\n', ' '])
            .unwrap_or(rest.len());
        Some(rest[..end].to_owned()).filter(|s| !s.is_empty())
    }

    /// The vault's resource id from an RBAC refusal's `Resource: '…'`.
    fn resource_id(&self) -> Option<String> {
        let at = self.message.find("Resource: '")? + "Resource: '".len();
        let rest = &self.message[at..];
        let id = &rest[..rest.find('\'')?];
        let lower = id.to_ascii_lowercase();
        let vault_end = lower
            .find("/providers/microsoft.keyvault/vaults/")
            .map(|i| i + "/providers/microsoft.keyvault/vaults/".len())?;
        let end = id[vault_end..]
            .find('/')
            .map_or(id.len(), |i| vault_end + i);
        Some(id[..end].to_owned())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Network {
    Firewall,
    PublicAccessDisabled,
}

/// Everything the doctor read, before any conclusion.
#[derive(Debug, Clone)]
pub struct Facts {
    pub whoami: WhoAmI,
    pub vault_name: String,
    pub vault_url: String,
    pub arm: Result<ArmFacts, String>,
    /// A list of one.
    pub list_probe: Probe,
    /// A get of a name that does not exist.
    pub get_probe: Probe,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Allowed,
    Denied,
    Unknown,
}

/// How a verdict was learnt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Resource Manager's `Microsoft.Authorization/permissions` of the caller.
    ArmPermissions,
    /// The vault's access policies, read from Resource Manager.
    ArmAccessPolicies,
    /// A harmless data-plane request (a list of one, a get of a missing name).
    Probe,
    /// The network refused every request.
    Network,
    /// Nothing told; finding out would take a write, which the doctor never does.
    NotProbed,
}

impl Source {
    pub fn describe(self) -> &'static str {
        match self {
            Source::ArmPermissions => "Resource Manager permissions",
            Source::ArmAccessPolicies => "access policies (Resource Manager)",
            Source::Probe => "probe",
            Source::Network => "probe (network refusal)",
            Source::NotProbed => "not probed (would need a write)",
        }
    }
}

/// One operation of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub operation: &'static str,
    pub verdict: Verdict,
    pub source: Source,
    /// The RBAC data action, or the access-policy permission (`secrets/get`).
    pub needs: String,
    /// The smallest built-in role or the policy permission that grants it (denied rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant: Option<String>,
    /// The exact command that allows it (denied rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// What the doctor found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub whoami: WhoAmI,
    pub vault: VaultReport,
    pub operations: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VaultReport {
    pub name: String,
    pub url: String,
    pub resource_id: Option<String>,
    pub model: Option<Model>,
    pub public_network_access: Option<bool>,
    pub firewall: Option<bool>,
    pub allowed_ips: Vec<String>,
    /// The caller's address as the vault reported it (on a firewall refusal).
    pub my_address: Option<String>,
    /// Resource Manager: `read`, or why it could not be read.
    pub resource_manager: String,
    /// Set when the network refuses every data-plane request.
    pub network_refusal: Option<Network>,
}

impl Report {
    /// The identity can list and get: the doctor exits 0.
    pub fn can_read(&self) -> bool {
        self.operations
            .iter()
            .filter(|r| r.operation == "list" || r.operation == "get")
            .all(|r| r.verdict == Verdict::Allowed)
    }

    /// The row of `op`.
    pub fn row(&self, op: &str) -> Option<&Row> {
        self.operations.iter().find(|r| r.operation == op)
    }
}

/// Works the report out from the facts.
pub fn diagnose(f: &Facts) -> Report {
    let refusals = [&f.list_probe, &f.get_probe].map(|p| match p {
        Probe::Refused(r) => Some(r),
        _ => None,
    });
    let refusal = refusals.iter().flatten().next().copied();
    let network = refusal.and_then(Refusal::network);
    let arm = f.arm.as_ref().ok();
    let model = arm
        .map(|a| a.model)
        .or_else(|| refusals.iter().flatten().find_map(|r| r.model()));
    let object_id = f.whoami.object_id.clone().or_else(|| {
        refusals
            .iter()
            .flatten()
            .find_map(|r| r.caller_field("oid"))
    });
    let resource_id = arm
        .map(|a| a.resource_id.clone())
        .or_else(|| refusals.iter().flatten().find_map(|r| r.resource_id()));
    let my_address = refusals.iter().flatten().find_map(|r| r.address.clone());
    let my_policy: Option<Vec<String>> = arm.and_then(|a| {
        let oid = object_id.as_deref()?;
        Some(
            a.policies
                .iter()
                .filter(|(o, _)| o.eq_ignore_ascii_case(oid))
                .flat_map(|(_, p)| p.iter().map(|s| s.to_ascii_lowercase()))
                .collect(),
        )
    });
    let ctx = FixCtx {
        vault: &f.vault_name,
        object_id: object_id.as_deref().unwrap_or("<object-id>"),
        scope: resource_id.as_deref().unwrap_or("<vault resource id>"),
        address: my_address.as_deref().unwrap_or("<your public IP>"),
        existing: my_policy.clone().unwrap_or_default(),
    };
    let operations = Permission::ALL
        .iter()
        .map(|&op| {
            let (verdict, source) = verdict_of(op, f, arm, model, network, my_policy.as_deref());
            let needs = match model {
                Some(Model::AccessPolicy) => format!("secrets/{}", op.name()),
                _ => op.action().data_action().to_owned(),
            };
            let (grant, fix) = match verdict {
                Verdict::Denied => {
                    let (g, x) = ctx.fix(op, model, network);
                    (Some(g), Some(x))
                }
                _ => (None, None),
            };
            Row {
                operation: op.name(),
                verdict,
                source,
                needs,
                grant,
                fix,
            }
        })
        .collect();
    Report {
        whoami: WhoAmI {
            object_id: object_id.clone(),
            ..f.whoami.clone()
        },
        vault: VaultReport {
            name: f.vault_name.clone(),
            url: f.vault_url.clone(),
            resource_id,
            model,
            public_network_access: arm
                .map(|a| a.public_network_access)
                .or((network == Some(Network::PublicAccessDisabled)).then_some(false)),
            firewall: arm
                .map(|a| a.firewall_deny)
                .or((network == Some(Network::Firewall)).then_some(true)),
            allowed_ips: arm.map(|a| a.ip_rules.clone()).unwrap_or_default(),
            my_address,
            resource_manager: match &f.arm {
                Ok(_) => "read".to_owned(),
                Err(e) => format!("unreadable: {e}"),
            },
            network_refusal: network,
        },
        operations,
    }
}

fn verdict_of(
    op: Permission,
    f: &Facts,
    arm: Option<&ArmFacts>,
    model: Option<Model>,
    network: Option<Network>,
    my_policy: Option<&[String]>,
) -> (Verdict, Source) {
    if network.is_some() {
        return (Verdict::Denied, Source::Network);
    }
    let from_arm = arm.and_then(|a| match a.model {
        Model::Rbac => a.permissions.as_ref().ok().map(|p| {
            let action = op.action().data_action();
            let ok = grants(&p.data_actions, action) && !grants(&p.not_data_actions, action);
            (ok, Source::ArmPermissions)
        }),
        Model::AccessPolicy => my_policy.map(|p| {
            let ok = p.iter().any(|s| s == op.name() || s == "all");
            (ok, Source::ArmAccessPolicies)
        }),
    });
    if let Some((ok, source)) = from_arm {
        return (
            if ok {
                Verdict::Allowed
            } else {
                Verdict::Denied
            },
            source,
        );
    }
    let _ = model;
    let probe = match op {
        Permission::List => &f.list_probe,
        Permission::Get => &f.get_probe,
        _ => return (Verdict::Unknown, Source::NotProbed),
    };
    match probe {
        Probe::Allowed => (Verdict::Allowed, Source::Probe),
        Probe::Refused(_) => (Verdict::Denied, Source::Probe),
        Probe::Failed(_) | Probe::NotRun => (Verdict::Unknown, Source::Probe),
    }
}

/// What the fixes are made of.
struct FixCtx<'a> {
    vault: &'a str,
    object_id: &'a str,
    scope: &'a str,
    address: &'a str,
    existing: Vec<String>,
}

impl FixCtx<'_> {
    /// The grant and the exact command for a denied `op`.
    fn fix(
        &self,
        op: Permission,
        model: Option<Model>,
        network: Option<Network>,
    ) -> (String, String) {
        match (network, model) {
            (Some(Network::PublicAccessDisabled), _) => (
                "public network access".to_owned(),
                format!(
                    "az keyvault update --name {} --public-network-access Enabled --default-action Deny && az keyvault network-rule add --name {} --ip-address {}",
                    self.vault, self.vault, self.address
                ),
            ),
            (Some(Network::Firewall), _) => (
                format!("a firewall rule for {}", self.address),
                format!(
                    "az keyvault network-rule add --name {} --ip-address {}",
                    self.vault, self.address
                ),
            ),
            (None, Some(Model::AccessPolicy)) => {
                let mut perms = self.existing.clone();
                perms.push(op.name().to_owned());
                // In the order `az` and the portal list them.
                const ORDER: [&str; 8] = [
                    "get", "list", "set", "delete", "recover", "backup", "restore", "purge",
                ];
                perms.sort_by_key(|p| ORDER.iter().position(|o| o == p));
                perms.dedup();
                (
                    format!("access policy permission secrets/{}", op.name()),
                    format!(
                        "az keyvault set-policy --name {} --object-id {} --secret-permissions {}",
                        self.vault,
                        self.object_id,
                        perms.join(" ")
                    ),
                )
            }
            (None, _) => {
                let role = smallest_role_for(op.action()).name;
                (
                    format!("role {role}"),
                    format!(
                        "az role assignment create --role \"{role}\" --assignee {} --scope {}",
                        self.object_id, self.scope
                    ),
                )
            }
        }
    }
}
