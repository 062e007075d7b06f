use std::path::Path;

use secrecy::SecretString;

use super::file::{Parsed, parse};
use super::*;

const FILE: &str = r#"
[[identity]]
name = "reader"
token = "reader-token-0123456789abcdef"
[[identity]]
name = "app"
token = "app-token-0123456789abcdef"
object_id = "22222222-2222-2222-2222-222222222222"

[[vault]]
name = "rbac1"
model = "rbac"
[[vault.role]]
identity = "reader"
role = "Key Vault Secrets User"
[[vault.role]]
identity = "app"
role = "Key Vault Secrets Officer"
scope = "secret:only-this"

[[vault]]
name = "pol1"
model = "access-policy"
firewall = true
allow_ips = ["10.0.0.0/8", "::1"]
[[vault.policy]]
identity = "reader"
secrets = ["get", "list"]
"#;

fn owner() -> SecretString {
    SecretString::from("owner-token-0123456789abcdef")
}

fn access() -> Access {
    parse(FILE, Path::new("."), &owner()).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn roles_policies_and_scopes_decide() {
    let a = access();
    let reader = Caller::Identity(0);
    let app = Caller::Identity(1);
    assert!(a.allows("rbac1", reader, Action::GetSecret, Some("x")));
    assert!(!a.allows("rbac1", reader, Action::SetSecret, Some("x")));
    assert!(a.allows("rbac1", app, Action::SetSecret, Some("Only-This")));
    assert!(!a.allows("rbac1", app, Action::SetSecret, Some("other")));
    assert!(
        !a.allows("rbac1", app, Action::ReadMetadata, None),
        "a secret scope cannot list"
    );
    assert!(a.allows("pol1", reader, Action::ReadMetadata, None));
    assert!(
        !a.allows("pol1", reader, Action::Update, Some("x")),
        "update needs set"
    );
    assert!(!a.allows("pol1", app, Action::GetSecret, Some("x")));
    assert!(a.allows("elsewhere", app, Action::Purge, Some("x")));
    assert!(a.allows("pol1", Caller::Owner, Action::Purge, Some("x")));
    assert_eq!(
        a.identities[1].object_id,
        "22222222-2222-2222-2222-222222222222"
    );
}

#[test]
fn refusals_have_key_vault_shapes() {
    let a = access();
    let at = refusals::VaultRef {
        name: "rbac1",
        resource_id: "/subscriptions/S/resourceGroups/local/providers/Microsoft.KeyVault/vaults/rbac1",
        location: "local",
    };
    let e = a
        .check(
            "rbac1",
            Caller::Identity(0),
            Action::SetSecret,
            Some("Db"),
            &at,
        )
        .unwrap_err();
    assert_eq!(
        (e.status, e.code, e.inner),
        (403, "Forbidden", Some("ForbiddenByRbac"))
    );
    assert!(
        e.message
            .contains("Action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action'"),
        "{}",
        e.message
    );
    assert!(e.message.contains("Resource: '/subscriptions/s/resourcegroups/local/providers/microsoft.keyvault/vaults/rbac1/secrets/db'"), "{}", e.message);
    let e = a
        .check(
            "pol1",
            Caller::Identity(0),
            Action::SetSecret,
            Some("x"),
            &at,
        )
        .unwrap_err();
    assert_eq!(e.inner, Some("AccessDenied"));
    assert!(
        e.message.contains("does not have secrets set permission"),
        "{}",
        e.message
    );
    let e = a
        .check(
            "pol1",
            Caller::Identity(1),
            Action::GetSecret,
            Some("x"),
            &at,
        )
        .unwrap_err();
    assert!(
        e.message.contains("not found on any access policy"),
        "{}",
        e.message
    );
    let outside: IpAddr = "192.0.2.1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let e = a
        .check_network("pol1", Caller::Identity(0), Some(outside), &at)
        .unwrap_err();
    assert_eq!(e.inner, Some("ForbiddenByFirewall"));
    assert_eq!(
        e.network_info.as_deref(),
        Some("conn_type=Ipv4;addr=192.0.2.1;act_addr_fam=InterNetwork;")
    );
    for ok in ["10.1.2.3", "::1"] {
        let ip: IpAddr = ok.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]));
        assert!(
            a.check_network("pol1", Caller::Identity(0), Some(ip), &at)
                .is_ok(),
            "{ok}"
        );
    }
}

#[test]
fn mistakes_are_named_without_quoting_tokens() {
    let bad = |text: &str| match parse(text, Path::new("."), &owner()) {
        Err(Parsed::Invalid(m) | Parsed::Syntax(m)) => m,
        Ok(_) => String::from("accepted"),
    };
    let m = bad("[[identity]]\nname = \"a\"\ntoken = \"short\"\n");
    assert!(m.contains("\"a\"") && m.contains("16"), "{m}");
    let m = bad("[[vault]]\nname = \"v1x\"\nmodel = \"acl\"\n");
    assert!(m.contains("acl"), "{m}");
    let m =
        bad("[[vault]]\nname = \"v1x\"\n[[vault.role]]\nidentity = \"ghost\"\nrole = \"Reader\"\n");
    assert!(m.contains("ghost"), "{m}");
    let m = bad("[[identity]]\nname = \"a\"\ntoken = \"owner-token-0123456789abcdef\"\n");
    assert!(m.contains("owner"), "{m}");
    let m = bad("[[identity]]\nname = \"a\"\ntokn = \"secret-secret-secret-1\"\n");
    assert!(!m.contains("secret-secret"), "{m}");
}
