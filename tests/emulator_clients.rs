//! What clients notice: made-up vault names cannot starve real vaults of
//! their certificates; the health path answers without a token; api-versions
//! Key Vault does not know are refused as Key Vault refuses them; Key Vault's
//! headers are on every answer.

mod common;

use common::raw::tls_connect;
use common::{set_body, start_in};
use tempfile::TempDir;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn made_up_names_cannot_take_the_certificates_of_real_vaults() {
    let svc = start_in(TempDir::new().unwrap(), |o| {
        o.in_memory = true;
        o.create_vaults = vec!["real".into(), "also-real".into()];
    })
    .await;
    let (addr, ca) = (svc.vault.addr(), svc.vault.ca_pem().to_vec());
    // Far more new names than the per-second budget, without a token.
    let mut refused = 0;
    for i in 0..120 {
        let name = format!("fake{i:04}x.localhost");
        if tls_connect(addr, &ca, &name, &[b"h2"]).await.is_err() {
            refused += 1;
        }
    }
    assert!(
        refused > 50,
        "the budget holds made-up names back ({refused} refused)"
    );
    // Real vaults still get their own certificate, through the SDK too.
    tls_connect(addr, &ca, "real.localhost", &[b"h2"])
        .await
        .expect("a known vault's certificate, whatever the budget");
    let client = svc.named_client("also-real");
    client
        .set_secret("ok", set_body("v"), None)
        .await
        .expect("the SDK connects");
    svc.vault.shutdown().await;
}

#[tokio::test]
async fn health_headers_and_api_versions_answer_as_clients_expect() {
    let svc = start_in(TempDir::new().unwrap(), |o| o.in_memory = true).await;
    let http = svc.http();
    let base = svc.vault.url();
    let health = http
        .get(format!("{base}/_kvtui/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200, "no token needed");

    let anon = http
        .get(format!("{base}/secrets?api-version=7.6"))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status().as_u16(), 401);
    for h in [
        "x-ms-request-id",
        "x-ms-keyvault-service-version",
        "x-ms-keyvault-region",
        "cache-control",
    ] {
        assert!(anon.headers().contains_key(h), "{h} on a 401");
    }
    let body = anon.text().await.unwrap();
    assert!(
        body.contains("AKV10000: Request is missing a Bearer"),
        "{body}"
    );

    for (version, status) in [
        ("7.6", 200),
        ("2025-07-01", 200),
        ("7.7", 400),
        ("2099-01-01", 400),
    ] {
        let rsp = http
            .get(format!("{base}/secrets?api-version={version}"))
            .header("authorization", svc.bearer())
            .send()
            .await
            .unwrap();
        assert_eq!(rsp.status().as_u16(), status, "{version}");
        if status == 400 {
            let body = rsp.text().await.unwrap();
            assert!(body.contains("BadParameter"), "{body}");
            assert!(
                body.contains(&format!(
                    "The specified version ({version}) is not recognized"
                )),
                "{body}"
            );
        }
    }
    svc.vault.shutdown().await;
}

#[tokio::test]
async fn the_azure_cli_finds_the_cloud_and_lists_vaults_as_resources() {
    let svc = start_in(TempDir::new().unwrap(), |o| {
        o.in_memory = true;
        o.create_vaults = vec!["listed".into()];
    })
    .await;
    let arm = svc.vault.arm_url();
    let url = url::Url::parse(&arm).unwrap();
    let http = kvtui::local::client::local_http_client(&url, svc.vault.ca_pem()).unwrap();
    let meta = http
        .get(format!("{arm}/metadata/endpoints?api-version=2022-09-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(meta.status().as_u16(), 200, "served without a token");
    let cloud: serde_json::Value = serde_json::from_slice(&meta.bytes().await.unwrap()).unwrap();
    assert_eq!(
        cloud["resourceManager"],
        format!("{arm}/"),
        "the Azure CLI's version: one cloud"
    );
    let port = url.port().unwrap();
    assert_eq!(
        cloud["suffixes"]["keyVaultDns"],
        format!(".localhost:{port}")
    );
    let listed = http
        .get(format!("{arm}//metadata/endpoints?api-version=2019-05-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed.status().as_u16(),
        200,
        "a doubled slash is the same path"
    );
    let clouds: serde_json::Value = serde_json::from_slice(&listed.bytes().await.unwrap()).unwrap();
    assert_eq!(
        clouds[0]["resourceManager"],
        format!("{arm}/"),
        "2019: a list"
    );
    let old = http
        .get(format!("{arm}/metadata/endpoints?api-version=2015-01-01"))
        .send()
        .await
        .unwrap();
    let old: serde_json::Value = serde_json::from_slice(&old.bytes().await.unwrap()).unwrap();
    assert_eq!(old["authentication"]["audiences"][0], format!("{arm}/"));

    let sub = kvtui::local::LOCAL_SUBSCRIPTION;
    let list = |filter: &str| {
        let filter: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
        http.get(format!(
            "{arm}/subscriptions/{sub}/resources?api-version=2021-04-01&$filter={filter}"
        ))
        .header("authorization", svc.bearer())
        .send()
    };
    let vaults = list("resourceType eq 'Microsoft.KeyVault/vaults'")
        .await
        .unwrap();
    assert_eq!(vaults.status().as_u16(), 200);
    let body = vaults.text().await.unwrap();
    assert!(
        body.contains("\"listed\"") && body.contains("Microsoft.KeyVault/vaults"),
        "{body}"
    );
    let other = list("resourceType eq 'Microsoft.Storage/storageAccounts'")
        .await
        .unwrap();
    assert!(!other.text().await.unwrap().contains("listed"));
    svc.vault.shutdown().await;
}
