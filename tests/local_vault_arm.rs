//! The local vault's Resource Manager subset, over HTTPS with the local CA:
//! tenants, subscriptions, vaults with nextLink paging, the ARM error
//! envelope and the same token with no challenge.

mod common;

use kvtui::local::{
    ArmOptions, LOCAL_SUBSCRIPTION, LocalError, LocalSubscription, LocalTenant, LocalVaultOptions,
    SubscriptionVaults,
};
use serde_json::Value;
use tempfile::TempDir;

fn arm_http(r: &common::Running) -> reqwest::Client {
    let url = url::Url::parse(&r.vault.arm_url()).expect("url");
    kvtui::local::client::local_http_client(&url, r.vault.ca_pem()).expect("client")
}

async fn get(r: &common::Running, url: &str) -> (u16, Value, reqwest::header::HeaderMap) {
    let resp = arm_http(r)
        .get(url)
        .header("authorization", r.bearer())
        .send()
        .await
        .expect("answer");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = body_json(resp).await;
    (status, body, headers)
}

async fn body_json(resp: reqwest::Response) -> Value {
    let bytes = resp.bytes().await.expect("body");
    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
}

/// Every item of a list, following `nextLink`; also the number of pages.
async fn get_all(r: &common::Running, first: &str) -> (Vec<Value>, usize) {
    let (mut items, mut pages, mut next) = (Vec::new(), 0, Some(first.to_owned()));
    while let Some(url) = next {
        let (status, body, _) = get(r, &url).await;
        assert_eq!(status, 200, "{url}: {body}");
        pages += 1;
        items.extend(body["value"].as_array().expect("value").iter().cloned());
        next = body["nextLink"].as_str().map(str::to_owned);
        if let Some(link) = &next {
            assert!(
                link.starts_with(&r.vault.arm_url()),
                "nextLink is absolute on the same host: {link}"
            );
        }
        assert!(pages < 50, "paging never ends");
    }
    (items, pages)
}

fn vaults_url(r: &common::Running, sub: &str) -> String {
    format!(
        "{}/subscriptions/{sub}/providers/Microsoft.KeyVault/vaults?api-version=2023-07-01",
        r.vault.arm_url()
    )
}

#[tokio::test]
async fn every_vault_of_the_data_dir_is_one_vault_of_the_local_subscription() {
    let r = common::start_in(TempDir::new().expect("dir"), |o| {
        o.samples = true;
        o.create_vaults = vec!["Empty-One".into()];
        o.purge_protected = vec!["team-shared".into()];
    })
    .await;
    // A vault exists from its first write, too.
    r.named_client("written")
        .set_secret("s", common::set_body("v"), None)
        .await
        .expect("set");
    let base = r.vault.arm_url();
    let (status, tenants, _) = get(&r, &format!("{base}/tenants?api-version=2022-12-01")).await;
    assert_eq!(status, 200);
    assert_eq!(tenants["value"].as_array().map(Vec::len), Some(1));
    let (status, subs, _) = get(&r, &format!("{base}/subscriptions?api-version=2022-12-01")).await;
    assert_eq!(status, 200);
    let sub = &subs["value"][0];
    assert_eq!(sub["subscriptionId"], LOCAL_SUBSCRIPTION);
    assert_eq!(sub["id"], format!("/subscriptions/{LOCAL_SUBSCRIPTION}"));
    assert_eq!(sub["state"], "Enabled");

    let (vaults, _) = get_all(&r, &vaults_url(&r, LOCAL_SUBSCRIPTION)).await;
    let names: Vec<&str> = vaults.iter().filter_map(|v| v["name"].as_str()).collect();
    assert_eq!(names, ["default", "empty-one", "team-shared", "written"]);
    let port = r.vault.port();
    let shared = &vaults[2];
    assert_eq!(
        shared["properties"]["vaultUri"],
        format!("https://team-shared.localhost:{port}/")
    );
    assert_eq!(shared["type"], "Microsoft.KeyVault/vaults");
    assert_eq!(shared["properties"]["enablePurgeProtection"], true);
    assert_eq!(vaults[0]["properties"]["enablePurgeProtection"], false);
    assert_eq!(shared["properties"]["softDeleteRetentionInDays"], 90);
    assert!(
        shared["id"]
            .as_str()
            .unwrap_or_default()
            .ends_with("/providers/Microsoft.KeyVault/vaults/team-shared")
    );
    // The URL it reports opens the vault.
    let uri = shared["properties"]["vaultUri"].as_str().expect("uri");
    let client = r.vault.client(uri).expect("client");
    let first = client.list_secret_properties(None).expect("pager");
    use futures::TryStreamExt;
    let listed: Vec<_> = first.try_collect().await.expect("list");
    assert_eq!(listed.len(), 3, "the second vault's samples");
}

#[tokio::test]
async fn lists_page_with_next_links_and_top() {
    let r = common::start_in(TempDir::new().expect("dir"), |o| {
        o.create_vaults = (1..=6).map(|i| format!("vault-{i}")).collect();
        o.arm.page_size = 2;
    })
    .await;
    let (vaults, pages) = get_all(&r, &vaults_url(&r, LOCAL_SUBSCRIPTION)).await;
    let names: Vec<&str> = vaults.iter().filter_map(|v| v["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "default", "vault-1", "vault-2", "vault-3", "vault-4", "vault-5", "vault-6"
        ]
    );
    assert_eq!(pages, 4);
    // `$top` makes pages smaller still, and the link keeps it.
    let (_, pages) = get_all(
        &r,
        &format!("{}&$top=1", vaults_url(&r, LOCAL_SUBSCRIPTION)),
    )
    .await;
    assert_eq!(pages, 7);
}

#[tokio::test]
async fn several_tenants_a_forbidden_and_an_unknown_subscription() {
    let tenant = |id: &str| LocalTenant {
        id: id.into(),
        display_name: format!("Tenant {id}"),
    };
    let sub = |id: &str, t: &str, vaults| LocalSubscription {
        id: id.into(),
        tenant_id: t.into(),
        display_name: format!("Sub {id}"),
        vaults,
    };
    let r = common::start_in(TempDir::new().expect("dir"), |o| {
        o.arm = ArmOptions {
            tenants: vec![tenant("t-one"), tenant("t-two")],
            subscriptions: vec![
                sub("s-a", "t-one", SubscriptionVaults::All),
                sub(
                    "s-b",
                    "t-two",
                    SubscriptionVaults::Named(vec!["beta".into()]),
                ),
                sub("s-c", "t-two", SubscriptionVaults::Forbidden),
            ],
            page_size: 1,
            ..ArmOptions::default()
        };
    })
    .await;
    let base = r.vault.arm_url();
    let (tenants, _) = get_all(&r, &format!("{base}/tenants?api-version=2022-12-01")).await;
    let ids: Vec<&str> = tenants
        .iter()
        .filter_map(|t| t["tenantId"].as_str())
        .collect();
    assert_eq!(ids, ["t-one", "t-two"]);
    let (subs, pages) = get_all(&r, &format!("{base}/subscriptions?api-version=2022-12-01")).await;
    assert_eq!(pages, 3);
    let of: Vec<(&str, &str)> = subs
        .iter()
        .map(|s| {
            (
                s["subscriptionId"].as_str().unwrap_or_default(),
                s["tenantId"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(of, [("s-a", "t-one"), ("s-b", "t-two"), ("s-c", "t-two")]);
    let (beta, _) = get_all(&r, &vaults_url(&r, "s-b")).await;
    assert_eq!(beta.len(), 1);
    assert_eq!(beta[0]["properties"]["tenantId"], "t-two");

    let (status, body, _) = get(&r, &vaults_url(&r, "s-c")).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "AuthorizationFailed");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Microsoft.KeyVault/vaults/read")
    );
    let (status, body, _) = get(&r, &vaults_url(&r, "s-nope")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("SubscriptionNotFound"))
    );
}

#[tokio::test]
async fn the_same_token_with_no_challenge_and_the_arm_error_envelope() {
    let r = common::start().await;
    let url = format!("{}/subscriptions?api-version=2022-12-01", r.vault.arm_url());
    let resp = arm_http(&r).get(&url).send().await.expect("answer");
    assert_eq!(resp.status().as_u16(), 401);
    assert!(
        resp.headers().get("www-authenticate").is_none(),
        "ARM sends no challenge"
    );
    let body = body_json(resp).await;
    assert_eq!(body["error"]["code"], "AuthenticationFailed");
    let resp = arm_http(&r)
        .get(&url)
        .header("authorization", "Bearer not-the-token-at-all")
        .send()
        .await
        .expect("answer");
    assert_eq!(resp.status().as_u16(), 401);

    let (status, body, _) = get(&r, &format!("{}/subscriptions", r.vault.arm_url())).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "MissingApiVersionParameter");
    let (status, body, _) = get(
        &r,
        &format!("{}/providers?api-version=2022-12-01", r.vault.arm_url()),
    )
    .await;
    assert_eq!(status, 404);
    assert!(body["error"]["code"].is_string());
}

#[tokio::test]
async fn the_vault_suffix_names_vault_urls_and_port_443_is_left_out() {
    let r = common::start_in(TempDir::new().expect("dir"), |o| {
        o.arm.vault_suffix = "vault.azure.net".into();
    })
    .await;
    let (status, body, _) = get(&r, &vaults_url(&r, LOCAL_SUBSCRIPTION)).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["value"][0]["properties"]["vaultUri"],
        format!("https://default.vault.azure.net:{}/", r.vault.port())
    );
    // A client that addressed port 443 gets URLs without a port.
    let resp = arm_http(&r)
        .get(vaults_url(&r, LOCAL_SUBSCRIPTION))
        .header("host", "management.localhost:443")
        .header("authorization", r.bearer())
        .send()
        .await
        .expect("answer");
    let body = body_json(resp).await;
    assert_eq!(
        body["value"][0]["properties"]["vaultUri"],
        "https://default.vault.azure.net/"
    );
}

#[tokio::test]
async fn management_is_not_a_vault_name() {
    let dir = TempDir::new().expect("dir");
    let mut opts = LocalVaultOptions::new(dir.path());
    opts.create_vaults = vec!["management".into()];
    match kvtui::local::start(opts).await {
        Err(LocalError::BadVaultName(name)) => assert_eq!(name, "management"),
        Err(e) => panic!("wrong refusal: {e}"),
        Ok(_) => panic!("a vault named management was created"),
    }
    let r = common::start().await;
    // Secrets routes are not served on the management host.
    let err = r
        .vault
        .client(&format!("https://management.localhost:{}", r.vault.port()))
        .expect("client")
        .set_secret("s", common::set_body("v"), None)
        .await
        .expect_err("no vault there");
    let (status, _, _) = common::error_parts(&err);
    assert_ne!(status, 200);
}
