//! Finding vaults through Azure Resource Manager: tenants, subscriptions, then
//! each subscription's `Microsoft.KeyVault/vaults`, several at once but
//! bounded, following `nextLink`. Only names and URLs are read: never a
//! secret, so discovery costs nothing against any vault's request limits.
//!
//! Requests go through azure_core's pipeline (retry, bearer policy with
//! scope `<arm>/.default`); a subscription that cannot be read is reported
//! as skipped with its reason and the others go on.

use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use azure_core::http::policies::Policy;
use azure_core::http::policies::auth::BearerTokenAuthorizationPolicy;
use azure_core::http::{ClientOptions, Context, Method, Pipeline, PipelineSendOptions, Request};
use futures::StreamExt;
use serde::Deserialize;
use tokio::sync::mpsc;
use url::Url;

use super::choice::Cloud;

/// Resource Manager API versions of the calls made.
const SUBSCRIPTIONS_API: &str = "2022-12-01";
const VAULTS_API: &str = "2023-07-01";
/// Subscriptions whose vaults are listed at the same time.
pub const DISCOVERY_CONCURRENCY: usize = 4;
/// Pages followed per list at most, against a `nextLink` that never ends.
const MAX_PAGES: usize = 1000;

/// The Resource Manager endpoint of `cloud`.
pub fn arm_endpoint(cloud: Cloud) -> &'static str {
    match cloud {
        Cloud::Public => "https://management.azure.com",
        Cloud::China => "https://management.chinacloudapi.cn",
        Cloud::Usgov => "https://management.usgovcloudapi.net",
    }
}

/// A tenant the signed-in identity can see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantInfo {
    pub id: String,
    pub name: Option<String>,
}

/// A subscription whose vaults are looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionInfo {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
}

/// A vault found: what the picker shows and opens, nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoveredVault {
    pub name: String,
    pub url: String,
    pub subscription_id: String,
    pub tenant_id: String,
}

/// What discovery reports, as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiscoveryEvent {
    /// The tenants (empty when they could not be listed; discovery goes on).
    Tenants(Vec<TenantInfo>),
    /// Every subscription to be searched.
    Subscriptions(Vec<SubscriptionInfo>),
    /// One page of vaults of a subscription.
    Vaults {
        subscription_id: String,
        vaults: Vec<DiscoveredVault>,
    },
    /// All vaults of a subscription were listed.
    SubscriptionDone { subscription_id: String },
    /// A subscription that could not be read, and why.
    Skipped {
        subscription_id: String,
        reason: String,
    },
    /// Discovery could not even list subscriptions.
    Failed(String),
    /// No credential could get a token: nothing was asked of Resource
    /// Manager; the reason names each source tried.
    SignInNeeded(String),
    /// Nothing more will come.
    Done,
}

/// A Resource Manager client for discovery.
#[derive(Clone)]
pub struct Discovery {
    pipeline: Pipeline,
    endpoint: Url,
    /// Only this tenant's subscriptions, when set.
    tenant: Option<String>,
    concurrency: usize,
}

#[derive(Deserialize)]
struct ListPage<T> {
    #[serde(default = "Vec::new")]
    value: Vec<T>,
    #[serde(rename = "nextLink")]
    next_link: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TenantJson {
    tenant_id: String,
    display_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubscriptionJson {
    subscription_id: String,
    #[serde(default)]
    tenant_id: String,
    #[serde(default)]
    display_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VaultPropsJson {
    vault_uri: Option<String>,
    #[serde(default)]
    tenant_id: String,
}

#[derive(Deserialize)]
struct VaultJson {
    name: String,
    properties: VaultPropsJson,
}

/// Why a Resource Manager call failed: no token could be had (sign in
/// first), or anything else, with its reason.
#[derive(Debug)]
enum ArmError {
    SignIn(String),
    Other(String),
}

impl From<ArmError> for String {
    fn from(e: ArmError) -> Self {
        match e {
            ArmError::SignIn(s) | ArmError::Other(s) => s,
        }
    }
}

impl From<String> for ArmError {
    fn from(s: String) -> Self {
        ArmError::Other(s)
    }
}

/// A pipeline failure: a credential that gives no token is a sign-in matter.
fn sent_error(e: azure_core::Error) -> ArmError {
    if matches!(e.kind(), azure_core::error::ErrorKind::Credential) {
        // The retry policy wraps the credential's error ("non-transport
        // error…"): the innermost one names each source tried.
        let mut inner: &dyn std::error::Error = &e;
        while let Some(next) = inner.source() {
            inner = next;
        }
        ArmError::SignIn(inner.to_string())
    } else {
        ArmError::Other(e.to_string())
    }
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
}

impl Discovery {
    /// A client of `endpoint` signed by `credential` with scope
    /// `<endpoint>/.default`; `options` carries the transport and retries.
    pub fn new(
        endpoint: &str,
        credential: Arc<dyn TokenCredential>,
        options: ClientOptions,
        tenant: Option<String>,
    ) -> Result<Self, String> {
        let endpoint = Url::parse(endpoint)
            .map_err(|e| format!("{endpoint:?} is not a Resource Manager URL: {e}"))?;
        if endpoint.scheme() != "https" {
            return Err(format!(
                "{endpoint} is not https: a bearer token is never sent over http"
            ));
        }
        let scope = format!("{}/.default", endpoint.as_str().trim_end_matches('/'));
        let auth: Arc<dyn Policy> =
            Arc::new(BearerTokenAuthorizationPolicy::new(credential, [scope]));
        let pipeline = Pipeline::new(
            Some("kvtui"),
            Some(env!("CARGO_PKG_VERSION")),
            options,
            Vec::new(),
            vec![auth],
            None,
        );
        Ok(Self {
            pipeline,
            endpoint,
            tenant,
            concurrency: DISCOVERY_CONCURRENCY,
        })
    }

    /// Searches only `tenant`'s subscriptions (`--tenant`), when given.
    pub fn with_tenant(mut self, tenant: Option<String>) -> Self {
        self.tenant = tenant;
        self
    }

    /// Lists the vaults of at most `n` subscriptions at the same time.
    pub fn with_concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The endpoint searched, for messages.
    pub fn endpoint(&self) -> &str {
        self.endpoint.as_str().trim_end_matches('/')
    }

    /// One GET: the parsed page, or why it failed ("403 AuthorizationFailed: …").
    async fn get_page<T: serde::de::DeserializeOwned>(
        &self,
        url: Url,
    ) -> Result<ListPage<T>, ArmError> {
        let mut request = Request::new(url, Method::Get);
        let options = PipelineSendOptions {
            skip_checks: true,
            ..Default::default()
        };
        let response = self
            .pipeline
            .send(&Context::new(), &mut request, Some(options))
            .await
            .map_err(sent_error)?;
        let status = u16::from(response.status());
        let body = response.into_body();
        if !(200..300).contains(&status) {
            return Err(ArmError::Other(
                match serde_json::from_slice::<ErrorEnvelope>(&body) {
                    Ok(env) => format!("{status} {}: {}", env.error.code, env.error.message),
                    Err(_) => format!("{status} from {}", self.endpoint()),
                },
            ));
        }
        serde_json::from_slice(&body).map_err(|e| {
            ArmError::Other(format!(
                "the answer of {} is not a list: {e}",
                self.endpoint()
            ))
        })
    }

    /// One GET of `path` (relative to the endpoint) parsed as `T`, or why it
    /// failed ("403 AuthorizationFailed: …"); the doctor reads single resources with it.
    pub async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, String> {
        let url = self
            .endpoint
            .join(path)
            .map_err(|e| format!("bad Resource Manager path {path}: {e}"))?;
        let mut request = Request::new(url, Method::Get);
        let options = PipelineSendOptions {
            skip_checks: true,
            ..Default::default()
        };
        let response = self
            .pipeline
            .send(&Context::new(), &mut request, Some(options))
            .await
            .map_err(|e| e.to_string())?;
        let status = u16::from(response.status());
        let body = response.into_body();
        if !(200..300).contains(&status) {
            return Err(match serde_json::from_slice::<ErrorEnvelope>(&body) {
                Ok(env) => format!("{status} {}: {}", env.error.code, env.error.message),
                Err(_) => format!("{status} from {}", self.endpoint()),
            });
        }
        serde_json::from_slice(&body)
            .map_err(|e| format!("the answer of {} could not be read: {e}", self.endpoint()))
    }

    /// Every item of a list, page by page through `on_page`; `first` is
    /// relative to the endpoint. A `nextLink` must stay on the endpoint's host.
    async fn each_page<T: serde::de::DeserializeOwned>(
        &self,
        first: &str,
        mut on_page: impl FnMut(Vec<T>),
    ) -> Result<(), ArmError> {
        let mut url = self
            .endpoint
            .join(first)
            .map_err(|e| format!("bad Resource Manager path {first}: {e}"))?;
        for _ in 0..MAX_PAGES {
            let page: ListPage<T> = self.get_page(url).await?;
            on_page(page.value);
            let Some(next) = page.next_link.filter(|l| !l.is_empty()) else {
                return Ok(());
            };
            let next = Url::parse(&next).map_err(|e| format!("bad nextLink {next:?}: {e}"))?;
            if next.origin() != self.endpoint.origin() {
                return Err(ArmError::Other(format!(
                    "a nextLink leaves {}; not followed",
                    self.endpoint()
                )));
            }
            url = next;
        }
        Err(ArmError::Other(format!(
            "more than {MAX_PAGES} pages; stopped"
        )))
    }

    /// The tenants the identity can see.
    pub async fn tenants(&self) -> Result<Vec<TenantInfo>, String> {
        self.list_tenants().await.map_err(String::from)
    }

    async fn list_tenants(&self) -> Result<Vec<TenantInfo>, ArmError> {
        let mut all = Vec::new();
        self.each_page(
            &format!("tenants?api-version={SUBSCRIPTIONS_API}"),
            |page: Vec<TenantJson>| {
                all.extend(page.into_iter().map(|t| TenantInfo {
                    id: t.tenant_id,
                    name: t.display_name,
                }))
            },
        )
        .await?;
        Ok(all)
    }

    /// The subscriptions to search (of `--tenant` only, when given).
    pub async fn subscriptions(&self) -> Result<Vec<SubscriptionInfo>, String> {
        self.list_subscriptions().await.map_err(String::from)
    }

    async fn list_subscriptions(&self) -> Result<Vec<SubscriptionInfo>, ArmError> {
        let mut all = Vec::new();
        self.each_page(
            &format!("subscriptions?api-version={SUBSCRIPTIONS_API}"),
            |page: Vec<SubscriptionJson>| {
                all.extend(page.into_iter().map(|s| SubscriptionInfo {
                    id: s.subscription_id,
                    tenant_id: s.tenant_id,
                    name: s.display_name,
                }))
            },
        )
        .await?;
        if let Some(tenant) = &self.tenant {
            all.retain(|s| s.tenant_id.eq_ignore_ascii_case(tenant));
        }
        Ok(all)
    }

    /// The vaults of `sub`, each page handed to `on_page` as it arrives.
    pub async fn vaults_of(
        &self,
        sub: &SubscriptionInfo,
        mut on_page: impl FnMut(Vec<DiscoveredVault>),
    ) -> Result<(), String> {
        let path = format!(
            "subscriptions/{}/providers/Microsoft.KeyVault/vaults?api-version={VAULTS_API}",
            sub.id
        );
        self.each_page(&path, |page: Vec<VaultJson>| {
            on_page(
                page.into_iter()
                    .filter_map(|v| {
                        let url = v.properties.vault_uri?;
                        let tenant_id = if v.properties.tenant_id.is_empty() {
                            sub.tenant_id.clone()
                        } else {
                            v.properties.tenant_id
                        };
                        Some(DiscoveredVault {
                            name: v.name,
                            url: url.trim_end_matches('/').to_owned(),
                            subscription_id: sub.id.clone(),
                            tenant_id,
                        })
                    })
                    .collect(),
            )
        })
        .await
        .map_err(String::from)
    }

    /// Runs the whole discovery, reporting through `tx` as it goes; ends with
    /// `Done`. Stops early when the receiver is gone.
    pub async fn run(&self, tx: mpsc::UnboundedSender<DiscoveryEvent>) {
        let send = |ev| tx.send(ev).is_ok();
        // No token, no search: say so at once rather than ask again per list.
        let signed_out = |e: ArmError| match e {
            ArmError::SignIn(reason) => {
                send(DiscoveryEvent::SignInNeeded(reason));
                send(DiscoveryEvent::Done);
                Err(())
            }
            ArmError::Other(e) => Ok(e),
        };
        let tenants = match self.list_tenants().await {
            Ok(tenants) => tenants,
            Err(e) => {
                let Ok(e) = signed_out(e) else { return };
                tracing::info!(error = %e, "tenants could not be listed");
                Vec::new()
            }
        };
        if !send(DiscoveryEvent::Tenants(tenants)) {
            return;
        }
        let subs = match self.list_subscriptions().await {
            Ok(subs) => subs,
            Err(e) => {
                let Ok(e) = signed_out(e) else { return };
                send(DiscoveryEvent::Failed(e));
                send(DiscoveryEvent::Done);
                return;
            }
        };
        if !send(DiscoveryEvent::Subscriptions(subs.clone())) {
            return;
        }
        futures::stream::iter(subs)
            .for_each_concurrent(self.concurrency, |sub| {
                let tx = tx.clone();
                async move {
                    let found = self
                        .vaults_of(&sub, |vaults| {
                            let _ = tx.send(DiscoveryEvent::Vaults {
                                subscription_id: sub.id.clone(),
                                vaults,
                            });
                        })
                        .await;
                    let ev = match found {
                        Ok(()) => DiscoveryEvent::SubscriptionDone {
                            subscription_id: sub.id.clone(),
                        },
                        Err(reason) => DiscoveryEvent::Skipped {
                            subscription_id: sub.id.clone(),
                            reason,
                        },
                    };
                    let _ = tx.send(ev);
                }
            })
            .await;
        send(DiscoveryEvent::Done);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cloud_has_its_management_endpoint() {
        assert_eq!(arm_endpoint(Cloud::Public), "https://management.azure.com");
        assert_eq!(
            arm_endpoint(Cloud::China),
            "https://management.chinacloudapi.cn"
        );
        assert_eq!(
            arm_endpoint(Cloud::Usgov),
            "https://management.usgovcloudapi.net"
        );
    }
}
