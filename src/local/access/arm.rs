//! What Resource Manager shows of a vault's authorization: the vault resource
//! (model, access policies, network rules, public access), the caller's
//! effective permissions, and the role assignments at the vault's scope.

use serde::Serialize;

use super::{Caller, Model, Scope};
use crate::kv_access::grants;
use crate::local::api::{ApiRequest, ApiResult, Service, json};
use crate::local::arm::RESOURCE_GROUP;
use crate::local::errors::ApiError;
use crate::local::host::HostInfo;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VaultResource {
    id: String,
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
    location: &'static str,
    properties: VaultProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VaultProperties {
    tenant_id: String,
    sku: Sku,
    vault_uri: String,
    enable_soft_delete: bool,
    soft_delete_retention_in_days: u32,
    enable_purge_protection: bool,
    enable_rbac_authorization: bool,
    access_policies: Vec<AccessPolicyJson>,
    network_acls: NetworkAcls,
    public_network_access: &'static str,
    provisioning_state: &'static str,
}

#[derive(Serialize)]
struct Sku {
    family: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccessPolicyJson {
    tenant_id: String,
    object_id: String,
    permissions: PolicyPermissions,
}

#[derive(Serialize)]
struct PolicyPermissions {
    keys: Vec<String>,
    secrets: Vec<String>,
    certificates: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NetworkAcls {
    bypass: &'static str,
    default_action: &'static str,
    ip_rules: Vec<IpRuleJson>,
    virtual_network_rules: Vec<String>,
}

#[derive(Serialize)]
struct IpRuleJson {
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PermissionJson {
    actions: Vec<String>,
    not_actions: Vec<String>,
    data_actions: Vec<String>,
    not_data_actions: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AssignmentJson {
    id: String,
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
    properties: AssignmentProps,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AssignmentProps {
    role_definition_id: String,
    principal_id: String,
    principal_type: &'static str,
    scope: String,
}

#[derive(Serialize)]
struct List<T> {
    value: Vec<T>,
}

/// What a vault-scoped Resource Manager path asks for.
enum Want {
    Vault,
    Permissions,
    RoleAssignments,
}

impl Service {
    /// Answers `…/vaults/{name}` and its Authorization children; `None` for other paths.
    pub(in crate::local) fn route_arm_access(
        &self,
        req: &ApiRequest,
        lower: &[&str],
        host: &HostInfo,
        caller: Caller,
    ) -> Option<ApiResult> {
        let (sub, group, vault, rest) = match lower {
            [
                "subscriptions",
                sub,
                "resourcegroups",
                group,
                "providers",
                "microsoft.keyvault",
                "vaults",
                vault,
                rest @ ..,
            ] => (*sub, *group, *vault, rest),
            _ => return None,
        };
        let want = match rest {
            [] => Want::Vault,
            ["providers", "microsoft.authorization", "permissions"] => Want::Permissions,
            ["providers", "microsoft.authorization", "roleassignments"] => Want::RoleAssignments,
            _ => return None,
        };
        Some(self.vault_view(req, sub, group, vault, want, host, caller))
    }

    #[allow(clippy::too_many_arguments)]
    fn vault_view(
        &self,
        req: &ApiRequest,
        sub: &str,
        group: &str,
        vault: &str,
        want: Want,
        host: &HostInfo,
        caller: Caller,
    ) -> ApiResult {
        let exists = self
            .access
            .as_ref()
            .is_some_and(|a| a.vault(vault).is_some())
            || self
                .with_store(|s| s.vault_names())
                .map_err(|e| ApiError::new(500, "InternalServerError", e.to_string()))?
                .iter()
                .any(|n| n.eq_ignore_ascii_case(vault));
        let home = self.subscription_of(vault);
        if !exists
            || !crate::local::is_local_vault_name(vault)
            || !home.eq_ignore_ascii_case(sub)
            || !group.eq_ignore_ascii_case(RESOURCE_GROUP)
        {
            return Err(ApiError::new(
                404,
                "ResourceNotFound",
                format!(
                    "The Resource 'Microsoft.KeyVault/vaults/{vault}' under resource group '{group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
                ),
            ));
        }
        let id = self.vault_resource_id(vault);
        let actions = self.control_actions(vault, caller);
        let readable = |action: &str| grants(&actions, action);
        match want {
            Want::Permissions => json(&List {
                value: vec![PermissionJson {
                    actions,
                    not_actions: vec![],
                    data_actions: self.effective_data_actions(vault, caller),
                    not_data_actions: vec![],
                }],
            }),
            Want::Vault if readable("Microsoft.KeyVault/vaults/read") => {
                json(&self.vault_resource(vault, id, host))
            }
            Want::RoleAssignments if readable("Microsoft.Authorization/roleAssignments/read") => {
                json(&List {
                    value: self.assignments(vault, &id, req.query.as_deref()),
                })
            }
            Want::Vault => Err(self.arm_forbidden(caller, "Microsoft.KeyVault/vaults/read", &id)),
            Want::RoleAssignments => {
                Err(self.arm_forbidden(caller, "Microsoft.Authorization/roleAssignments/read", &id))
            }
        }
    }

    /// Resource Manager's 403, naming the caller, the action and the scope.
    fn arm_forbidden(&self, caller: Caller, action: &str, scope: &str) -> ApiError {
        let (name, oid) = match (&self.access, caller) {
            (Some(a), Caller::Identity(i)) => (
                a.identities[i].name.clone(),
                a.identities[i].object_id.clone(),
            ),
            _ => ("local".to_owned(), String::new()),
        };
        ApiError::new(
            403,
            "AuthorizationFailed",
            format!(
                "The client '{name}' with object id '{oid}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials."
            ),
        )
    }

    fn control_actions(&self, vault: &str, caller: Caller) -> Vec<String> {
        match &self.access {
            Some(a) => a.actions(vault, caller),
            None => vec!["*".into()],
        }
    }

    /// Data actions as Azure RBAC reports them; an access-policy vault's roles
    /// grant none on the data plane, so none are reported there.
    fn effective_data_actions(&self, vault: &str, caller: Caller) -> Vec<String> {
        match &self.access {
            Some(a)
                if a.vault(vault)
                    .is_some_and(|r| r.model == Model::AccessPolicy) =>
            {
                match caller {
                    Caller::Owner => vec!["*".into()],
                    Caller::Identity(_) => vec![],
                }
            }
            Some(a) => a.data_actions(vault, caller),
            None => vec!["*".into()],
        }
    }

    fn vault_resource(&self, vault: &str, id: String, host: &HostInfo) -> VaultResource {
        let rules = self
            .access
            .as_ref()
            .and_then(|a| a.vault(vault).map(|r| (a, r)));
        let tenant = self
            .arm
            .subscriptions
            .iter()
            .find(|s| s.id == self.subscription_of(vault))
            .map(|s| s.tenant_id.clone())
            .unwrap_or_else(|| crate::local::LOCAL_TENANT.to_owned());
        let port = host
            .port
            .filter(|p| *p != 443)
            .map(|p| format!(":{p}"))
            .unwrap_or_default();
        let mut policies = Vec::new();
        if let Some((a, r)) = rules
            && r.model == Model::AccessPolicy
        {
            let all = || {
                crate::kv_access::Permission::ALL
                    .map(|p| p.name().to_owned())
                    .to_vec()
            };
            policies.push(AccessPolicyJson {
                tenant_id: tenant.clone(),
                object_id: a.owner_object_id.clone(),
                permissions: PolicyPermissions {
                    keys: vec![],
                    secrets: all(),
                    certificates: vec![],
                },
            });
            for p in &r.policies {
                policies.push(AccessPolicyJson {
                    tenant_id: tenant.clone(),
                    object_id: a.identities[p.identity].object_id.clone(),
                    permissions: PolicyPermissions {
                        keys: vec![],
                        secrets: p.secrets.iter().map(|s| s.name().to_owned()).collect(),
                        certificates: vec![],
                    },
                });
            }
        }
        let (rbac, public, firewall, ips) = match rules {
            Some((_, r)) => (
                r.model == Model::Rbac,
                r.public_network_access,
                r.firewall,
                r.allow_ips
                    .iter()
                    .map(|ip| IpRuleJson {
                        value: ip.to_string(),
                    })
                    .collect(),
            ),
            // New vaults use Azure RBAC (the default from the 2026-02-01 API), open to all.
            None => (true, true, false, vec![]),
        };
        VaultResource {
            id,
            name: vault.to_owned(),
            kind: "Microsoft.KeyVault/vaults",
            location: super::enforce::LOCATION,
            properties: VaultProperties {
                tenant_id: tenant,
                sku: Sku {
                    family: "A",
                    name: "standard",
                },
                vault_uri: format!("https://{vault}.{}{port}/", self.arm.vault_suffix),
                enable_soft_delete: true,
                soft_delete_retention_in_days: self.retention_days,
                enable_purge_protection: self.is_purge_protected(vault),
                enable_rbac_authorization: rbac,
                access_policies: policies,
                network_acls: NetworkAcls {
                    bypass: "AzureServices",
                    default_action: if firewall { "Deny" } else { "Allow" },
                    ip_rules: ips,
                    virtual_network_rules: vec![],
                },
                public_network_access: if public { "Enabled" } else { "Disabled" },
                provisioning_state: "Succeeded",
            },
        }
    }

    /// Role assignments at or under the vault, filtered by `assignedTo('{oid}')` or `principalId eq '{oid}'`.
    fn assignments(&self, vault: &str, id: &str, query: Option<&str>) -> Vec<AssignmentJson> {
        let Some((a, rules)) = self
            .access
            .as_ref()
            .and_then(|a| a.vault(vault).map(|r| (a, r)))
        else {
            return vec![];
        };
        let filter = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .find(|(k, _)| k == "$filter")
            .map(|(_, v)| v.into_owned());
        let wanted = filter.as_deref().and_then(|f| {
            let start = f.find('\'')? + 1;
            let end = start + f[start..].find('\'')?;
            Some(f[start..end].to_ascii_lowercase())
        });
        let sub = self.subscription_of(vault);
        let owner = (
            a.owner_object_id.clone(),
            crate::kv_access::role_named("Key Vault Administrator"),
            Scope::Vault,
            "User",
        );
        let mut out = Vec::new();
        let rows = std::iter::once(owner).chain(rules.roles.iter().map(|r| {
            let who = &a.identities[r.identity];
            let kind = if who.claims.user().is_some() {
                "User"
            } else {
                "ServicePrincipal"
            };
            (who.object_id.clone(), Some(r.role), r.scope.clone(), kind)
        }));
        for (n, (oid, role, scope, kind)) in rows.enumerate() {
            let Some(role) = role else { continue };
            if wanted
                .as_ref()
                .is_some_and(|w| *w != oid.to_ascii_lowercase())
            {
                continue;
            }
            let scope = match scope {
                Scope::Vault => id.to_owned(),
                Scope::Secret(name) => format!("{id}/secrets/{name}"),
            };
            let name =
                crate::kv_access::made_up_object_id(&format!("{vault}/{n}/{oid}/{}", role.id));
            out.push(AssignmentJson {
                id: format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
                name,
                kind: "Microsoft.Authorization/roleAssignments",
                properties: AssignmentProps {
                    role_definition_id: format!(
                        "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{}",
                        role.id
                    ),
                    principal_id: oid,
                    principal_type: kind,
                    scope,
                },
            });
        }
        out
    }
}
