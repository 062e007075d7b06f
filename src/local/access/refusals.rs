//! Every authorization refusal of the local vault, worded as Key Vault words
//! it: one table, so the texts are checked and changed in one place.

use crate::kv_access::{Action, Permission};
use crate::local::errors::ApiError;

/// The vault a refusal names: `{name};location={location}` and its resource id.
pub(in crate::local) struct VaultRef<'a> {
    pub(in crate::local) name: &'a str,
    /// `/subscriptions/…/resourceGroups/…/providers/Microsoft.KeyVault/vaults/{name}`.
    pub(in crate::local) resource_id: &'a str,
    pub(in crate::local) location: &'a str,
}

/// The texts, by refusal. `{caller}`, `{action}`, `{resource}`, `{vault}`,
/// `{location}`, `{permission}` and `{address}` are filled in.
const TABLE: &[(Refusal, &str, &str)] = &[
    (
        Refusal::Rbac,
        "ForbiddenByRbac",
        "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: {caller}\r\nAction: '{action}'\r\nResource: '{resource}'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: {vault};location={location}\r\n",
    ),
    (
        Refusal::PolicyPermission,
        "AccessDenied",
        "The user, group or application '{caller}' does not have secrets {permission} permission on key vault '{vault};location={location}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287",
    ),
    (
        Refusal::PolicyMissing,
        "AccessDenied",
        "Access denied. Caller was not found on any access policy.\r\nCaller: {caller}\r\nVault: {vault};location={location}",
    ),
    (
        Refusal::Firewall,
        "ForbiddenByFirewall",
        "Client address is not authorized and caller is not a trusted service.\r\nClient address: {address}\r\nCaller: {caller}\r\nVault: {vault};location={location}",
    ),
    (
        Refusal::PublicAccess,
        "ForbiddenByConnection",
        "Public network access is disabled and request is not from a trusted service nor via an approved private link.\r\nCaller: {caller}\r\nVault: {vault};location={location}",
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Rbac,
    PolicyPermission,
    PolicyMissing,
    Firewall,
    PublicAccess,
}

fn refuse(kind: Refusal, fill: &[(&str, &str)]) -> ApiError {
    let (inner, text) = TABLE
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, inner, text)| (*inner, *text))
        .unwrap_or(("Forbidden", "Forbidden."));
    let message = fill.iter().fold(text.to_owned(), |m, (k, v)| {
        m.replace(&format!("{{{k}}}"), v)
    });
    ApiError {
        inner: Some(inner),
        ..ApiError::new(403, "Forbidden", message)
    }
}

/// Azure RBAC: no role assignment grants `action` on the secret (or the vault).
pub(in crate::local) fn rbac(
    caller: &str,
    action: Action,
    secret: Option<&str>,
    at: &VaultRef<'_>,
) -> ApiError {
    // Key Vault names the resource in lower case.
    let resource = match secret {
        Some(name) => format!("{}/secrets/{name}", at.resource_id),
        None => at.resource_id.to_owned(),
    }
    .to_ascii_lowercase();
    refuse(
        Refusal::Rbac,
        &[
            ("caller", caller),
            ("action", action.data_action()),
            ("resource", &resource),
            ("vault", at.name),
            ("location", at.location),
        ],
    )
}

/// Access policies: the caller's policy lacks `permission`, or it has none at all.
pub(in crate::local) fn access_denied(
    caller: &str,
    permission: Permission,
    listed: bool,
    at: &VaultRef<'_>,
) -> ApiError {
    let kind = if listed {
        Refusal::PolicyPermission
    } else {
        Refusal::PolicyMissing
    };
    refuse(
        kind,
        &[
            ("caller", caller),
            ("permission", permission.name()),
            ("vault", at.name),
            ("location", at.location),
        ],
    )
}

/// The vault firewall: `address` is not in its rules. Carries `x-ms-keyvault-network-info`.
pub(in crate::local) fn firewall(address: &str, caller: &str, at: &VaultRef<'_>) -> ApiError {
    let family = if address.contains(':') {
        ("Ipv6", "InterNetworkV6")
    } else {
        ("Ipv4", "InterNetwork")
    };
    ApiError {
        network_info: Some(format!(
            "conn_type={};addr={address};act_addr_fam={};",
            family.0, family.1
        )),
        ..refuse(
            Refusal::Firewall,
            &[
                ("address", address),
                ("caller", caller),
                ("vault", at.name),
                ("location", at.location),
            ],
        )
    }
}

/// Public network access is disabled on the vault.
pub(in crate::local) fn public_access_disabled(caller: &str, at: &VaultRef<'_>) -> ApiError {
    refuse(
        Refusal::PublicAccess,
        &[
            ("caller", caller),
            ("vault", at.name),
            ("location", at.location),
        ],
    )
}
