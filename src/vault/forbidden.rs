//! The kinds of 403 Key Vault answers, told apart by inner code and wording,
//! each with its own fix: RBAC (the missing action and the role), access
//! policy, firewall (with the caller's address when the vault gives it),
//! public network access disabled, purge protection, a disabled secret.

use super::error::{ErrorKind, Op};

/// The header a firewall refusal carries: `conn_type=Ipv4;addr=203.0.113.7;…`.
pub(crate) const NETWORK_INFO_HEADER: &str = "x-ms-keyvault-network-info";

/// The caller's address in an `x-ms-keyvault-network-info` value.
pub(crate) fn caller_address(network_info: &str) -> Option<String> {
    network_info
        .split(';')
        .filter_map(|part| part.trim().split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case("addr"))
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 64 && !v.contains(char::is_whitespace))
}

/// The action an RBAC refusal names (`Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'`).
fn rbac_action(said: &str) -> Option<&str> {
    let start = said.find("Action: '")? + "Action: '".len();
    let rest = &said[start..];
    rest.find('\'').map(|end| &rest[..end])
}

/// Pointer to the access doctor, after the fix of an authorization or network refusal.
pub(crate) const WHY: &str = " · a: why? (the access doctor; `kvtui doctor` in a shell)";

/// Kind, message and fix of a 403 from `op` against `host`.
pub(crate) fn classify_403(
    code_is: &dyn Fn(&str) -> bool,
    said: &str,
    op: Op,
    host: &str,
    caller: Option<&str>,
) -> (ErrorKind, String, Option<String>) {
    let (kind, message, hint) = classify(code_is, said, op, host, caller);
    let hint = match kind {
        ErrorKind::Forbidden | ErrorKind::Firewall if !message.starts_with("Purge protection") => {
            hint.map(|h| format!("{h}{WHY}"))
        }
        _ => hint,
    };
    (kind, message, hint)
}

fn classify(
    code_is: &dyn Fn(&str) -> bool,
    said: &str,
    op: Op,
    host: &str,
    caller: Option<&str>,
) -> (ErrorKind, String, Option<String>) {
    let lower = said.to_ascii_lowercase();
    if code_is("SecretDisabled") {
        return (
            ErrorKind::Disabled,
            format!("The secret is disabled (403 SecretDisabled): {said}"),
            Some("Enable the secret (edit its properties) to read its value.".into()),
        );
    }
    if lower.contains("purge protection is enabled") {
        return (
            ErrorKind::Forbidden,
            format!("Purge protection is on for this vault (403): {said}"),
            Some(
                "Nobody can purge it early: Key Vault purges it at its scheduled date. Recover it if it is needed again."
                    .into(),
            ),
        );
    }
    if code_is("ForbiddenByFirewall") || said.contains("Client address is not authorized") {
        let from = caller
            .map(|a| format!(" Your address as the vault sees it: {a}."))
            .unwrap_or_default();
        return (
            ErrorKind::Firewall,
            format!("The vault firewall refused this client address (403).{from} {said}"),
            Some(format!(
                "Add {} to the vault's firewall (Networking), use its private endpoint, or ask the vault owner. ({host})",
                caller.unwrap_or("your public IP")
            )),
        );
    }
    if lower.contains("public network access is disabled") || code_is("ForbiddenByConnection") {
        return (
            ErrorKind::Firewall,
            format!("The vault accepts no public network access (403): {said}"),
            Some(format!(
                "Reach {host} through its private endpoint (VPN or a network peered with it), or ask the owner to allow selected networks."
            )),
        );
    }
    if code_is("ForbiddenByRbac") {
        let action = rbac_action(said)
            .map(str::to_owned)
            .unwrap_or_else(|| op.permission().to_owned());
        return (
            ErrorKind::Forbidden,
            format!(
                "{} was refused by Azure RBAC (403 ForbiddenByRbac): missing action {action}. {said}",
                op.describe()
            ),
            Some(format!(
                "Assign the role '{}' on the vault (or its resource group) to this identity; role assignments take a few minutes.",
                op.rbac_role()
            )),
        );
    }
    if code_is("ForbiddenByPolicy")
        || code_is("AccessDenied")
        || lower.contains("access policy")
        || lower.contains("does not have secrets")
    {
        return (
            ErrorKind::Forbidden,
            format!(
                "{} was refused by the vault's access policies (403): missing {}. {said}",
                op.describe(),
                op.permission()
            ),
            Some(format!(
                "Grant the secret permission '{}' to this identity in the vault's Access policies.",
                op.permission().trim_start_matches("secrets/")
            )),
        );
    }
    (
        ErrorKind::Forbidden,
        format!(
            "{} was refused (403): missing permission {}. {said}",
            op.describe(),
            op.permission()
        ),
        Some(format!(
            "With Azure RBAC, assign the role '{}' on the vault; with access policies, grant {}.",
            op.rbac_role(),
            op.permission()
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(code: &str, said: &str, caller: Option<&str>) -> (ErrorKind, String, String) {
        let code = code.to_owned();
        let (kind, message, hint) =
            classify_403(&|c| c == code, said, Op::Get, "kv.vault.azure.net", caller);
        (kind, message, hint.unwrap_or_default())
    }

    #[test]
    fn each_403_gets_its_own_message_and_fix() {
        let (k, m, h) = kind_of(
            "ForbiddenByRbac",
            "Caller is not authorized to perform action on resource. If role assignments were recently changed, please wait several minutes. Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action' Resource: '/subscriptions/x'",
            None,
        );
        assert_eq!(k, ErrorKind::Forbidden);
        assert!(
            m.contains("missing action Microsoft.KeyVault/vaults/secrets/getSecret/action"),
            "{m}"
        );
        assert!(h.contains("Key Vault Secrets User"), "{h}");

        let (k, m, h) = kind_of(
            "ForbiddenByPolicy",
            "The user, group or application 'appid=…' does not have secrets get permission on key vault 'kv;location=westeurope'.",
            None,
        );
        assert_eq!(k, ErrorKind::Forbidden);
        assert!(m.contains("access policies"), "{m}");
        assert!(h.contains("Access policies") && h.contains("'get'"), "{h}");

        let (k, m, h) = kind_of(
            "ForbiddenByFirewall",
            "Client address is not authorized and caller is not a trusted service.",
            Some("203.0.113.7"),
        );
        assert_eq!(k, ErrorKind::Firewall);
        assert!(
            m.contains("203.0.113.7") && h.contains("Add 203.0.113.7"),
            "{m} / {h}"
        );

        let (k, m, _) = kind_of(
            "Forbidden",
            "Public network access is disabled and request is not from a trusted service nor via an approved private link.",
            None,
        );
        assert_eq!(k, ErrorKind::Firewall);
        assert!(m.contains("no public network access"), "{m}");

        let (k, m, h) = kind_of(
            "Forbidden",
            "Operation \"purge\" is not allowed because purge protection is enabled for this vault.",
            None,
        );
        assert_eq!(k, ErrorKind::Forbidden);
        assert!(m.starts_with("Purge protection is on"), "{m}");
        assert!(h.contains("scheduled date"), "{h}");

        let (k, _, _) = kind_of(
            "SecretDisabled",
            "Operation get is not allowed on a disabled secret.",
            None,
        );
        assert_eq!(k, ErrorKind::Disabled);
    }

    #[test]
    fn the_caller_address_comes_from_the_network_info_header() {
        assert_eq!(
            caller_address("conn_type=Ipv4;addr=203.0.113.7;act_addr_fam=InterNetwork;").as_deref(),
            Some("203.0.113.7")
        );
        assert_eq!(caller_address("conn_type=Ipv4"), None);
        assert_eq!(caller_address("addr=;"), None);
        assert_eq!(caller_address("addr=a b"), None);
    }
}
