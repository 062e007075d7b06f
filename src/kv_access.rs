//! Key Vault's authorization facts, shared by the local vault (which enforces
//! them) and the doctor (which explains them): the secret operations, their
//! RBAC data actions and access-policy permissions, the built-in roles, and
//! the claims a JWT-shaped token carries.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A secret operation as access policies name it; the doctor's matrix has one row each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    List,
    Get,
    Set,
    Delete,
    Recover,
    Backup,
    Restore,
    Purge,
}

impl Permission {
    pub const ALL: [Permission; 8] = [
        Permission::List,
        Permission::Get,
        Permission::Set,
        Permission::Delete,
        Permission::Recover,
        Permission::Backup,
        Permission::Restore,
        Permission::Purge,
    ];

    /// The word access policies and `az keyvault set-policy --secret-permissions` use.
    pub fn name(self) -> &'static str {
        match self {
            Permission::List => "list",
            Permission::Get => "get",
            Permission::Set => "set",
            Permission::Delete => "delete",
            Permission::Recover => "recover",
            Permission::Backup => "backup",
            Permission::Restore => "restore",
            Permission::Purge => "purge",
        }
    }

    /// `get`, `LIST`, ... (`all` is every permission, handled by the caller).
    pub fn parse(word: &str) -> Option<Permission> {
        Permission::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(word.trim()))
    }

    /// The RBAC data action this operation needs.
    pub fn action(self) -> Action {
        match self {
            Permission::List => Action::ReadMetadata,
            Permission::Get => Action::GetSecret,
            Permission::Set => Action::SetSecret,
            Permission::Delete => Action::Delete,
            Permission::Recover => Action::Recover,
            Permission::Backup => Action::Backup,
            Permission::Restore => Action::Restore,
            Permission::Purge => Action::Purge,
        }
    }
}

/// A secret data action of Azure RBAC; each request of the data plane needs one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ReadMetadata,
    GetSecret,
    SetSecret,
    Update,
    Delete,
    Recover,
    Backup,
    Restore,
    Purge,
}

impl Action {
    /// The data action's full name, as RBAC refusals and role definitions spell it.
    pub fn data_action(self) -> &'static str {
        match self {
            Action::ReadMetadata => "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
            Action::GetSecret => "Microsoft.KeyVault/vaults/secrets/getSecret/action",
            Action::SetSecret => "Microsoft.KeyVault/vaults/secrets/setSecret/action",
            Action::Update => "Microsoft.KeyVault/vaults/secrets/update/action",
            Action::Delete => "Microsoft.KeyVault/vaults/secrets/delete",
            Action::Recover => "Microsoft.KeyVault/vaults/secrets/recover/action",
            Action::Backup => "Microsoft.KeyVault/vaults/secrets/backup/action",
            Action::Restore => "Microsoft.KeyVault/vaults/secrets/restore/action",
            Action::Purge => "Microsoft.KeyVault/vaults/secrets/purge/action",
        }
    }

    /// The access-policy permission Key Vault checks for it (an update needs `set`).
    pub fn permission(self) -> Permission {
        match self {
            Action::ReadMetadata => Permission::List,
            Action::GetSecret => Permission::Get,
            Action::SetSecret | Action::Update => Permission::Set,
            Action::Delete => Permission::Delete,
            Action::Recover => Permission::Recover,
            Action::Backup => Permission::Backup,
            Action::Restore => Permission::Restore,
            Action::Purge => Permission::Purge,
        }
    }
}

/// A built-in Azure role the local vault knows, with its definition.
#[derive(Debug, PartialEq, Eq)]
pub struct BuiltInRole {
    pub name: &'static str,
    /// The role definition's id (the same GUID in every tenant).
    pub id: &'static str,
    pub actions: &'static [&'static str],
    pub data_actions: &'static [&'static str],
}

/// Control-plane actions of the Key Vault data roles (read the vault, not change it).
const KV_READ_ACTIONS: &[&str] = &[
    "Microsoft.Authorization/*/read",
    "Microsoft.Insights/alertRules/*",
    "Microsoft.Resources/deployments/*",
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Support/*",
    "Microsoft.KeyVault/checkNameAvailability/read",
    "Microsoft.KeyVault/deletedVaults/read",
    "Microsoft.KeyVault/locations/*/read",
    "Microsoft.KeyVault/vaults/*/read",
    "Microsoft.KeyVault/operations/read",
];

/// The built-in roles, smallest first: the doctor proposes the first that grants an action.
pub const BUILT_IN_ROLES: &[BuiltInRole] = &[
    BuiltInRole {
        name: "Reader",
        id: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        actions: &["*/read"],
        data_actions: &[],
    },
    BuiltInRole {
        name: "Key Vault Reader",
        id: "21090545-7ca7-4776-b22c-e363652d74d2",
        actions: KV_READ_ACTIONS,
        data_actions: &[
            "Microsoft.KeyVault/vaults/*/read",
            "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
        ],
    },
    BuiltInRole {
        name: "Key Vault Secrets User",
        id: "4633458b-17de-408a-b874-0445c86b69e6",
        actions: &[],
        data_actions: &[
            "Microsoft.KeyVault/vaults/secrets/getSecret/action",
            "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
        ],
    },
    BuiltInRole {
        name: "Key Vault Secrets Officer",
        id: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
        actions: KV_READ_ACTIONS,
        data_actions: &["Microsoft.KeyVault/vaults/secrets/*"],
    },
    BuiltInRole {
        name: "Key Vault Administrator",
        id: "00482a5a-887f-4fb3-b363-3b7fe8e74483",
        actions: KV_READ_ACTIONS,
        data_actions: &["Microsoft.KeyVault/vaults/*"],
    },
];

/// A built-in role by its name (any case).
pub fn role_named(name: &str) -> Option<&'static BuiltInRole> {
    BUILT_IN_ROLES
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(name.trim()))
}

/// The smallest built-in role whose data actions include `action`.
pub fn smallest_role_for(action: Action) -> &'static BuiltInRole {
    BUILT_IN_ROLES
        .iter()
        .find(|r| grants(r.data_actions, action.data_action()))
        .unwrap_or(&BUILT_IN_ROLES[BUILT_IN_ROLES.len() - 1])
}

/// Whether an RBAC pattern (`*` for any text; `a/*/b` also matches `a/b`) matches `action`.
pub fn pattern_matches(pattern: &str, action: &str) -> bool {
    fn glob(p: &[u8], a: &[u8]) -> bool {
        match p.split_first() {
            None => a.is_empty(),
            Some((b'*', rest)) => (0..=a.len()).any(|i| glob(rest, &a[i..])),
            Some((c, rest)) => a
                .split_first()
                .is_some_and(|(d, tail)| c.eq_ignore_ascii_case(d) && glob(rest, tail)),
        }
    }
    let (p, a) = (pattern.as_bytes(), action.as_bytes());
    glob(p, a) || (pattern.contains("/*/") && glob(pattern.replace("/*/", "/").as_bytes(), a))
}

/// Whether any of `patterns` matches `action`.
pub fn grants(patterns: &[impl AsRef<str>], action: &str) -> bool {
    patterns.iter().any(|p| pattern_matches(p.as_ref(), action))
}

/// What a JWT-shaped token says about who holds it (no signature is checked:
/// the claims only name the caller, as a client reads its own Azure token).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct TokenClaims {
    pub oid: Option<String>,
    pub tid: Option<String>,
    pub appid: Option<String>,
    /// Azure AD v2 tokens name the app as `azp`.
    pub azp: Option<String>,
    pub upn: Option<String>,
    pub unique_name: Option<String>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "audience")]
    pub aud: Option<String>,
    pub exp: Option<i64>,
}

fn audience<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::Deserialize as _;
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Array(a) => a.first().and_then(|v| v.as_str()).map(str::to_owned),
        _ => None,
    })
}

impl TokenClaims {
    /// The claims of `header.payload.signature`, or `None` for any other token.
    pub fn of(token: &str) -> Option<TokenClaims> {
        let mut parts = token.trim().split('.');
        let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The application id: `appid` (v1 tokens) or `azp` (v2).
    pub fn app_id(&self) -> Option<&str> {
        self.appid.as_deref().or(self.azp.as_deref())
    }

    /// The user's sign-in name, when a user holds the token.
    pub fn user(&self) -> Option<&str> {
        self.upn.as_deref().or(self.unique_name.as_deref())
    }
}

/// An object id made up from a name, shaped as a GUID, the same every run.
pub fn made_up_object_id(name: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(name.as_bytes());
    let h: String = d[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_grant_what_their_definitions_say() {
        let role = |n| role_named(n).map(|r| r.data_actions).unwrap_or(&[]);
        let get = Action::GetSecret.data_action();
        let meta = Action::ReadMetadata.data_action();
        let set = Action::SetSecret.data_action();
        assert!(!grants(role("Reader"), meta));
        assert!(grants(role("Key Vault Reader"), meta) && !grants(role("Key Vault Reader"), get));
        assert!(
            grants(role("key vault secrets user"), get)
                && !grants(role("Key Vault Secrets User"), set)
        );
        assert!(grants(
            role("Key Vault Secrets Officer"),
            Action::Purge.data_action()
        ));
        assert!(grants(role("Key Vault Administrator"), set));
        assert_eq!(
            smallest_role_for(Action::ReadMetadata).name,
            "Key Vault Reader"
        );
        assert_eq!(
            smallest_role_for(Action::GetSecret).name,
            "Key Vault Secrets User"
        );
        assert_eq!(
            smallest_role_for(Action::Restore).name,
            "Key Vault Secrets Officer"
        );
        assert!(pattern_matches(
            "Microsoft.KeyVault/vaults/*/read",
            "Microsoft.KeyVault/vaults/read"
        ));
        assert!(!pattern_matches(
            "Microsoft.KeyVault/vaults/secrets/*",
            "Microsoft.KeyVault/vaults/keys/x"
        ));
    }

    #[test]
    fn claims_come_from_the_payload_of_a_jwt_shaped_token() {
        let payload = URL_SAFE_NO_PAD.encode(
            br#"{"oid":"o-1","tid":"t-1","upn":"ana@example.com","aud":["https://vault.azure.net"],"exp":42}"#,
        );
        let c = TokenClaims::of(&format!("eyJhbGciOiJub25lIn0.{payload}.sig")).expect("claims");
        assert_eq!(c.oid.as_deref(), Some("o-1"));
        assert_eq!(c.user(), Some("ana@example.com"));
        assert_eq!(c.aud.as_deref(), Some("https://vault.azure.net"));
        assert_eq!(c.exp, Some(42));
        assert_eq!(TokenClaims::of("0123456789abcdef0123"), None);
        assert_eq!(TokenClaims::of("a.b.c.d"), None);
        assert_eq!(made_up_object_id("reader").len(), 36);
    }
}
