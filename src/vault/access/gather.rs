//! Reading what the doctor needs: the token's claims, the vault as Resource
//! Manager shows it with the caller's permissions, and two harmless probes (a
//! list of one, a get of a name that does not exist). Never a write.

use std::time::Duration;

use azure_core::error::ErrorKind as SdkKind;
use azure_security_keyvault_secrets::SecretClient;
use azure_security_keyvault_secrets::models::SecretClientListSecretPropertiesOptions;
use futures::StreamExt;
use rand::Rng as _;
use serde::Deserialize;

use super::report::{ArmFacts, Facts, Model, Permissions, Probe, Refusal, WhoAmI};
use crate::kv_access::TokenClaims;
use crate::vault::discovery::Discovery;

/// Longest wait for one probe or one Resource Manager answer.
const WAIT: Duration = Duration::from_secs(20);
const VAULTS_API: &str = "2023-07-01";
const SUBSCRIPTIONS_API: &str = "2022-12-01";
const AUTHORIZATION_API: &str = "2022-04-01";

/// Who `token` names (its claims when JWT-shaped), and the credential it came from.
pub fn whoami(token: &str, credential: &str) -> WhoAmI {
    match TokenClaims::of(token) {
        Some(c) => WhoAmI {
            user: c.user().map(str::to_owned),
            app_id: c.app_id().map(str::to_owned),
            object_id: c.oid.clone(),
            tenant_id: c.tid.clone(),
            audience: c.aud.clone(),
            expires: c.exp,
            credential: credential.to_owned(),
            opaque: false,
        },
        None => WhoAmI {
            credential: credential.to_owned(),
            opaque: true,
            ..WhoAmI::default()
        },
    }
}

/// Everything the doctor reads about `vault_url` through `client` and `arm`.
pub async fn gather(
    client: &SecretClient,
    vault_name: &str,
    vault_url: &str,
    who: WhoAmI,
    arm: Option<&Discovery>,
) -> Facts {
    let arm_facts = match arm {
        Some(d) => match tokio::time::timeout(WAIT, read_arm(d, vault_name, vault_url)).await {
            Ok(r) => r,
            Err(_) => Err(format!(
                "{} did not answer within {} s",
                d.endpoint(),
                WAIT.as_secs()
            )),
        },
        None => Err("no Resource Manager endpoint for this vault".to_owned()),
    };
    let list_probe = probe_list(client).await;
    let get_probe = probe_get(client).await;
    Facts {
        whoami: who,
        vault_name: vault_name.to_owned(),
        vault_url: vault_url.to_owned(),
        arm: arm_facts,
        list_probe,
        get_probe,
    }
}

/// A list of one: reads names and dates of at most one secret.
async fn probe_list(client: &SecretClient) -> Probe {
    let opts = SecretClientListSecretPropertiesOptions {
        maxresults: Some(1),
        ..Default::default()
    };
    let pager = match client.list_secret_properties(Some(opts)) {
        Ok(p) => p,
        Err(e) => return outcome(&e),
    };
    let mut pages = std::pin::pin!(pager.into_pages());
    match tokio::time::timeout(WAIT, pages.next()).await {
        Err(_) => Probe::Failed("no answer in time".into()),
        Ok(None) | Ok(Some(Ok(_))) => Probe::Allowed,
        Ok(Some(Err(e))) => outcome(&e),
    }
}

/// A get of a random name no vault holds: 404 means the caller may get.
async fn probe_get(client: &SecretClient) -> Probe {
    let mut bytes = [0u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let name = format!("kvtui-doctor-probe-{hex}");
    match tokio::time::timeout(WAIT, client.get_secret(&name, None)).await {
        Err(_) => Probe::Failed("no answer in time".into()),
        Ok(Ok(_)) => Probe::Allowed,
        Ok(Err(e)) => match outcome(&e) {
            Probe::Failed(m) if m.starts_with("404") => Probe::Allowed,
            other => other,
        },
    }
}

#[derive(Deserialize, Default)]
struct ErrBody {
    error: Option<ErrDetail>,
}

#[derive(Deserialize, Default)]
struct ErrDetail {
    code: Option<String>,
    message: Option<String>,
    #[serde(rename = "innererror")]
    inner: Option<Box<ErrDetail>>,
}

/// A probe's failure: a 403 as the vault worded it, else why there is no verdict.
fn outcome(e: &azure_core::Error) -> Probe {
    let SdkKind::HttpResponse {
        status,
        raw_response,
        ..
    } = e.kind()
    else {
        return Probe::Failed(e.to_string());
    };
    let status = u16::from(*status);
    let body: ErrBody = raw_response
        .as_ref()
        .and_then(|r| serde_json::from_slice(r.body().as_ref()).ok())
        .unwrap_or_default();
    let detail = body.error.unwrap_or_default();
    if status != 403 {
        return Probe::Failed(format!("{status} {}", detail.code.unwrap_or_default()));
    }
    let code = detail
        .inner
        .as_ref()
        .and_then(|i| i.code.clone())
        .or(detail.code.clone());
    let address = raw_response.as_ref().and_then(|r| {
        r.headers()
            .get_optional_str(&azure_core::http::headers::HeaderName::from_static(
                crate::vault::forbidden::NETWORK_INFO_HEADER,
            ))
            .and_then(crate::vault::forbidden::caller_address)
    });
    if code.as_deref() == Some("SecretDisabled") {
        return Probe::Allowed;
    }
    Probe::Refused(Refusal {
        code,
        message: detail.message.unwrap_or_default(),
        address,
    })
}

#[derive(Deserialize)]
struct Page<T> {
    value: Vec<T>,
    #[serde(rename = "nextLink")]
    next_link: Option<String>,
}

#[derive(Deserialize)]
struct SubJson {
    #[serde(rename = "subscriptionId")]
    subscription_id: String,
}

#[derive(Deserialize)]
struct VaultJson {
    id: String,
    name: String,
    #[serde(default)]
    properties: VaultProps,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct VaultProps {
    vault_uri: Option<String>,
    enable_rbac_authorization: Option<bool>,
    access_policies: Vec<PolicyJson>,
    network_acls: Option<AclJson>,
    public_network_access: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct PolicyJson {
    object_id: String,
    permissions: PolicyPerms,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PolicyPerms {
    secrets: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct AclJson {
    default_action: Option<String>,
    ip_rules: Vec<IpRuleJson>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct IpRuleJson {
    value: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct PermissionJson {
    actions: Vec<String>,
    data_actions: Vec<String>,
    not_data_actions: Vec<String>,
}

/// Finds the vault among the subscriptions' vaults, then reads it and the caller's permissions.
async fn read_arm(d: &Discovery, name: &str, url: &str) -> Result<ArmFacts, String> {
    let subs: Page<SubJson> = d
        .get_json(&format!("subscriptions?api-version={SUBSCRIPTIONS_API}"))
        .await?;
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
    let mut id = None;
    let mut why = Vec::new();
    'subs: for sub in &subs.value {
        let mut path = format!(
            "subscriptions/{}/providers/Microsoft.KeyVault/vaults?api-version={VAULTS_API}",
            sub.subscription_id
        );
        for _ in 0..50 {
            let page: Page<VaultJson> = match d.get_json(&path).await {
                Ok(p) => p,
                Err(e) => {
                    why.push(e);
                    continue 'subs;
                }
            };
            let hit = page.value.iter().find(|v| {
                let uri_host = v
                    .properties
                    .vault_uri
                    .as_deref()
                    .and_then(|u| url::Url::parse(u).ok())
                    .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
                v.name.eq_ignore_ascii_case(name) && (uri_host.is_none() || uri_host == host)
            });
            if let Some(v) = hit {
                id = Some(v.id.clone());
                break 'subs;
            }
            match page.next_link {
                Some(next) if !next.is_empty() => path = next,
                _ => break,
            }
        }
    }
    let Some(id) = id else {
        return Err(why.into_iter().next().unwrap_or_else(|| {
            format!("no subscription this identity can read holds the vault {name}")
        }));
    };
    let rel = id.trim_start_matches('/');
    let vault: VaultJson = d
        .get_json(&format!("{rel}?api-version={VAULTS_API}"))
        .await?;
    let p = vault.properties;
    let permissions = d
        .get_json::<Page<PermissionJson>>(&format!(
            "{rel}/providers/Microsoft.Authorization/permissions?api-version={AUTHORIZATION_API}"
        ))
        .await
        .map(|page| {
            let mut all = Permissions::default();
            for p in page.value {
                all.actions.extend(p.actions);
                all.data_actions.extend(p.data_actions);
                all.not_data_actions.extend(p.not_data_actions);
            }
            all
        });
    let acl = p.network_acls.unwrap_or_default();
    Ok(ArmFacts {
        resource_id: vault.id,
        model: if p.enable_rbac_authorization.unwrap_or(false) {
            Model::Rbac
        } else {
            Model::AccessPolicy
        },
        public_network_access: !p
            .public_network_access
            .is_some_and(|v| v.eq_ignore_ascii_case("disabled")),
        firewall_deny: acl
            .default_action
            .is_some_and(|a| a.eq_ignore_ascii_case("deny")),
        ip_rules: acl.ip_rules.into_iter().map(|r| r.value).collect(),
        policies: p
            .access_policies
            .into_iter()
            .map(|a| (a.object_id, a.permissions.secrets))
            .collect(),
        permissions,
    })
}
