//! The Azure Resource Manager subset discovery reads: tenants, subscriptions
//! and the vaults of a subscription, on any Host whose first label is
//! `management`. Same token as the vaults; ARM sends no challenge.

use serde::Serialize;

use super::api::{ApiRequest, ApiResult, Service, json};
use super::errors::ApiError;
use super::host::HostInfo;

/// The tenant of the local vault (also the one its challenges name).
pub const LOCAL_TENANT: &str = "00000000-0000-0000-0000-000000000000";
/// The one subscription every local vault belongs to by default.
pub const LOCAL_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000001";
/// The resource group every local vault is in.
pub(crate) const RESOURCE_GROUP: &str = "local";
/// Items per page when the client asks for no `$top`.
pub const DEFAULT_ARM_PAGE: usize = 100;

/// Which vaults a subscription of the local service holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionVaults {
    /// Every vault of the data dir.
    All,
    /// These vaults (a layout for tests and demos).
    Named(Vec<String>),
    /// Listed, but reading its vaults is refused with 403 `AuthorizationFailed`.
    Forbidden,
}

/// One subscription the local service reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalSubscription {
    pub id: String,
    pub tenant_id: String,
    pub display_name: String,
    pub vaults: SubscriptionVaults,
}

/// One tenant the local service reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalTenant {
    pub id: String,
    pub display_name: String,
}

/// What the Resource Manager endpoints report.
#[derive(Debug, Clone)]
pub struct ArmOptions {
    pub tenants: Vec<LocalTenant>,
    pub subscriptions: Vec<LocalSubscription>,
    /// Items per page at most, whatever `$top` asks.
    pub page_size: usize,
    /// Vaults are `https://NAME.{vault_suffix}[:PORT]/`.
    pub vault_suffix: String,
}

impl Default for ArmOptions {
    /// One tenant, one subscription holding every vault, vaults on `localhost`.
    fn default() -> Self {
        Self {
            tenants: vec![LocalTenant {
                id: LOCAL_TENANT.to_owned(),
                display_name: "Local vault".to_owned(),
            }],
            subscriptions: vec![LocalSubscription {
                id: LOCAL_SUBSCRIPTION.to_owned(),
                tenant_id: LOCAL_TENANT.to_owned(),
                display_name: "Local vault".to_owned(),
                vaults: SubscriptionVaults::All,
            }],
            page_size: DEFAULT_ARM_PAGE,
            vault_suffix: "localhost".to_owned(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TenantJson<'a> {
    id: String,
    tenant_id: &'a str,
    display_name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionJson<'a> {
    id: String,
    subscription_id: &'a str,
    tenant_id: &'a str,
    display_name: &'a str,
    state: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VaultProps<'a> {
    tenant_id: &'a str,
    vault_uri: String,
    enable_soft_delete: bool,
    soft_delete_retention_in_days: u32,
    enable_purge_protection: bool,
    enable_rbac_authorization: bool,
}

#[derive(Serialize)]
struct VaultJson<'a> {
    id: String,
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    location: &'static str,
    properties: VaultProps<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Page<T> {
    value: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_link: Option<String>,
}

/// The query parameters ARM reads.
struct ArmQuery {
    api_version: String,
    top: Option<usize>,
    skip_token: Option<String>,
}

fn parse_query(query: Option<&str>) -> Result<ArmQuery, ApiError> {
    let mut q = ArmQuery {
        api_version: String::new(),
        top: None,
        skip_token: None,
    };
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "api-version" => q.api_version = v.into_owned(),
            "$top" => {
                q.top = Some(v.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
                    ApiError::new(
                        400,
                        "InvalidParameter",
                        format!("The value '{}' of $top is not valid.", v.escape_debug()),
                    )
                })?)
            }
            "$skiptoken" => q.skip_token = Some(v.into_owned()),
            _ => {}
        }
    }
    if q.api_version.is_empty() {
        return Err(ApiError::new(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    }
    Ok(q)
}

/// 401 in the ARM envelope, with no challenge.
pub(super) fn unauthorized(header: Option<&str>) -> ApiError {
    let message = match header {
        None => "Authentication failed. The 'Authorization' header is missing.",
        Some(_) => "Authentication failed. The access token is invalid.",
    };
    ApiError::new(401, "AuthenticationFailed", message)
}

/// One page of `items` (sorted by `key`) after the `$skiptoken` key, with a
/// `nextLink` when more are left. The token is the last key shown, so an
/// entry added or removed between pages makes none skip or repeat.
fn page<'a, T, J: Serialize>(
    items: &'a [T],
    key: impl Fn(&T) -> &str,
    render: impl Fn(&'a T) -> J,
    q: &ArmQuery,
    size: usize,
    link_base: &str,
) -> ApiResult {
    let size = q.top.unwrap_or(size).min(size).max(1);
    let start = q
        .skip_token
        .as_deref()
        .map(|after| items.iter().take_while(|i| key(i) <= after).count())
        .unwrap_or(0);
    let rest = &items[start.min(items.len())..];
    let shown = &rest[..size.min(rest.len())];
    let next_link = (rest.len() > shown.len())
        .then(|| shown.last())
        .flatten()
        .map(|last| {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            query.append_pair("api-version", &q.api_version);
            if let Some(top) = q.top {
                query.append_pair("$top", &top.to_string());
            }
            query.append_pair("$skiptoken", key(last));
            format!("{link_base}?{}", query.finish())
        });
    json(&Page {
        value: shown.iter().map(render).collect(),
        next_link,
    })
}

impl Service {
    /// Answers a Resource Manager request (already authenticated).
    pub(super) fn route_arm(
        &self,
        req: &ApiRequest,
        host: &HostInfo,
        caller: super::access::Caller,
    ) -> ApiResult {
        let q = parse_query(req.query.as_deref())?;
        let segs: Vec<&str> = req.path.split('/').filter(|s| !s.is_empty()).collect();
        let base = &host.base_url;
        let arm = &self.arm;
        let lower: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
        let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
        if req.method != "GET" {
            return Err(ApiError::new(
                405,
                "MethodNotAllowed",
                format!(
                    "The local vault serves only GET on Resource Manager, not {}.",
                    req.method
                ),
            ));
        }
        match lower.as_slice() {
            ["tenants"] => {
                let mut tenants: Vec<&LocalTenant> = arm.tenants.iter().collect();
                tenants.sort_by(|a, b| a.id.cmp(&b.id));
                page(
                    &tenants,
                    |t| &t.id,
                    |t| TenantJson {
                        id: format!("/tenants/{}", t.id),
                        tenant_id: &t.id,
                        display_name: &t.display_name,
                    },
                    &q,
                    arm.page_size,
                    &format!("{base}/tenants"),
                )
            }
            ["subscriptions"] => {
                let mut subs: Vec<&LocalSubscription> = arm.subscriptions.iter().collect();
                subs.sort_by(|a, b| a.id.cmp(&b.id));
                page(
                    &subs,
                    |s| &s.id,
                    |s| SubscriptionJson {
                        id: format!("/subscriptions/{}", s.id),
                        subscription_id: &s.id,
                        tenant_id: &s.tenant_id,
                        display_name: &s.display_name,
                        state: "Enabled",
                    },
                    &q,
                    arm.page_size,
                    &format!("{base}/subscriptions"),
                )
            }
            [
                "subscriptions",
                _,
                "providers",
                "microsoft.keyvault",
                "vaults",
            ] => self.vaults_of(segs[1], &q, host),
            ["subscriptions", _, "resources"] => {
                if super::arm_meta::filter_wants_vaults(req.query.as_deref())? {
                    self.vaults_of(segs[1], &q, host)
                } else {
                    json(&serde_json::json!({ "value": [] }))
                }
            }
            _ => match self.route_arm_access(req, &lower, host, caller) {
                Some(answer) => answer,
                None => Err(ApiError::new(
                    404,
                    "InvalidResourceType",
                    format!(
                        "The resource type at '{}' is not served by the local vault.",
                        req.path.escape_debug()
                    ),
                )),
            },
        }
    }

    fn vaults_of(&self, sub_id: &str, q: &ArmQuery, host: &HostInfo) -> ApiResult {
        let arm = &self.arm;
        let Some(sub) = arm
            .subscriptions
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(sub_id))
        else {
            return Err(ApiError::new(
                404,
                "SubscriptionNotFound",
                format!(
                    "The subscription '{}' could not be found.",
                    sub_id.escape_debug()
                ),
            ));
        };
        let mut names: Vec<String> = match &sub.vaults {
            SubscriptionVaults::Forbidden => {
                return Err(ApiError::new(
                    403,
                    "AuthorizationFailed",
                    format!(
                        "The client 'local' with object id '{LOCAL_TENANT}' does not have authorization to perform action 'Microsoft.KeyVault/vaults/read' over scope '/subscriptions/{}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
                        sub.id
                    ),
                ));
            }
            SubscriptionVaults::Named(names) => names.clone(),
            SubscriptionVaults::All => self
                .with_store(|s| s.vault_names())
                .map_err(|e| ApiError::new(500, "InternalServerError", e.to_string()))?,
        };
        names.retain(|n| !n.eq_ignore_ascii_case(super::host::MANAGEMENT_LABEL));
        names.sort();
        names.dedup();
        let port = host.port.filter(|p| *p != 443);
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        page(
            &names,
            |n| n,
            |n| VaultJson {
                id: format!(
                    "/subscriptions/{}/resourceGroups/{RESOURCE_GROUP}/providers/Microsoft.KeyVault/vaults/{n}",
                    sub.id
                ),
                name: n,
                kind: "Microsoft.KeyVault/vaults",
                location: "local",
                properties: VaultProps {
                    tenant_id: &sub.tenant_id,
                    vault_uri: format!("https://{n}.{}{port}/", arm.vault_suffix),
                    enable_soft_delete: true,
                    soft_delete_retention_in_days: self.retention_days,
                    enable_purge_protection: self.is_purge_protected(n),
                    enable_rbac_authorization: self.uses_rbac(n),
                },
            },
            q,
            arm.page_size,
            &format!(
                "{}/subscriptions/{}/providers/Microsoft.KeyVault/vaults",
                host.base_url, sub.id
            ),
        )
    }
}
