//! The local managed-identity endpoint, through the official SDK's own
//! `ManagedIdentityCredential` (App Service protocol: `IDENTITY_ENDPOINT` and
//! `IDENTITY_HEADER`), as `az login --identity` uses it: its token reads and
//! writes secrets and lists the subscription; a wrong header gets nothing.
//! One test in this binary: it sets the process environment before any
//! thread starts, so nothing reads the environment while it changes.

mod common;

use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use azure_core::http::{ClientOptions, Transport};
use azure_identity::{ManagedIdentityCredential, ManagedIdentityCredentialOptions};
use azure_security_keyvault_secrets::{SecretClient, SecretClientOptions};
use secrecy::ExposeSecret;
use tempfile::TempDir;

#[test]
fn the_sdks_managed_identity_credential_signs_in_to_the_local_vault() {
    // The service and its files first, on a runtime of its own.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let svc = rt.block_on(common::start_in(TempDir::new().expect("temp dir"), |o| {
        o.in_memory = true;
    }));
    let base = svc.vault.url();
    let endpoint = format!("{base}/_kvtui/identity/token");
    // SAFETY: the runtime's workers are idle and nothing in this process
    // reads the environment while it is set (this binary has one test).
    unsafe {
        std::env::set_var("IDENTITY_ENDPOINT", &endpoint);
        std::env::set_var("IDENTITY_HEADER", svc.vault.token().expose_secret());
    }
    assert!(endpoint.starts_with("https://localhost:"), "loopback only");
    rt.block_on(signs_in(&svc, &base, &endpoint));
    rt.block_on(svc.vault.shutdown());
    rt.block_on(user_assigned_identities_of_the_access_file());
}

/// With an access file, `object_id` picks an identity: its token has that
/// identity's rights, not the owner's.
async fn user_assigned_identities_of_the_access_file() {
    let dir = TempDir::new().expect("temp dir");
    let file = dir.path().join("access.toml");
    std::fs::write(
        &file,
        "[[identity]]\nname = \"reader\"\ntoken = \"reader-token-0123456789abcdef\"\n\
         object_id = \"11111111-1111-1111-1111-111111111111\"\n\
         [[vault]]\nname = \"rbac1\"\n[[vault.role]]\nidentity = \"reader\"\n\
         role = \"Key Vault Secrets User\"\n",
    )
    .expect("access file");
    let svc = common::start_in(TempDir::new().expect("temp dir"), |o| {
        o.in_memory = true;
        o.access = Some(file.clone());
    })
    .await;
    let http = svc.http();
    let base = svc.vault.url();
    let mint = |extra: &'static str| {
        let req = http
            .get(format!(
                "{base}/_kvtui/identity/token?api-version=2019-08-01&resource=https%3A%2F%2Fvault.azure.net{extra}"
            ))
            .header("x-identity-header", svc.vault.token().expose_secret());
        async move {
            let rsp = req.send().await.expect("answer");
            let status = rsp.status().as_u16();
            let body: serde_json::Value =
                serde_json::from_slice(&rsp.bytes().await.expect("body")).expect("json");
            (
                status,
                body["access_token"].as_str().unwrap_or("").to_owned(),
            )
        }
    };
    let (_, owner) = mint("").await;
    let (status, reader) = mint("&object_id=11111111-1111-1111-1111-111111111111").await;
    assert_eq!(status, 200);
    assert_eq!(mint("&client_id=not-assigned").await.0, 400);
    let vault = svc.vault.vault_url("rbac1");
    let host = url::Url::parse(&vault).unwrap();
    let named = kvtui::local::client::local_http_client(&host, svc.vault.ca_pem()).expect("http");
    let set = |token: String| {
        named
            .put(format!("{vault}/secrets/s1?api-version=7.6"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(r#"{"value": "v"}"#)
            .send()
    };
    assert_eq!(
        set(owner).await.unwrap().status().as_u16(),
        200,
        "the owner writes"
    );
    assert_eq!(
        set(reader.clone()).await.unwrap().status().as_u16(),
        403,
        "a Secrets User cannot"
    );
    let got = named
        .get(format!("{vault}/secrets/s1?api-version=7.6"))
        .bearer_auth(reader)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status().as_u16(), 200, "but reads");
    svc.vault.shutdown().await;
}

async fn signs_in(svc: &common::Running, base: &str, endpoint: &str) {
    let url = url::Url::parse(base).expect("url");
    let http = kvtui::local::client::local_http_client(&url, svc.vault.ca_pem()).expect("http");
    let transport = || Transport::new(Arc::new(http.clone()));
    let credential = ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
        client_options: ClientOptions {
            transport: Some(transport()),
            ..Default::default()
        },
        ..Default::default()
    }))
    .expect("credential");

    // The token the SDK got opens the vault through the SDK.
    let client = SecretClient::new(
        base,
        credential.clone(),
        Some(SecretClientOptions {
            client_options: ClientOptions {
                transport: Some(transport()),
                ..Default::default()
            },
            verify_challenge_resource: Some(false),
            ..Default::default()
        }),
    )
    .expect("client");
    client
        .set_secret("from-identity", common::set_body("signed in"), None)
        .await
        .expect("a write with the managed identity's token");
    let got = client
        .get_secret("from-identity", None)
        .await
        .expect("read")
        .into_model()
        .expect("model");
    assert_eq!(got.value.as_deref(), Some("signed in"));

    // What `az login --identity` does next: read `tid`, list subscriptions.
    let arm = svc.vault.arm_url();
    let token = credential
        .get_token(&[&format!("{arm}/.default")], None)
        .await
        .expect("a Resource Manager token");
    let secret = token.token.secret().to_owned();
    let claims = kvtui::kv_access::TokenClaims::of(&secret).expect("a JWT");
    assert_eq!(claims.tid.as_deref(), Some(kvtui::local::LOCAL_TENANT));
    let arm_http = kvtui::local::client::local_http_client(
        &url::Url::parse(&arm).unwrap(),
        svc.vault.ca_pem(),
    )
    .expect("arm http");
    let subs = arm_http
        .get(format!("{arm}/subscriptions?api-version=2022-12-01"))
        .bearer_auth(&secret)
        .send()
        .await
        .expect("subscriptions");
    assert_eq!(subs.status().as_u16(), 200);
    assert!(
        subs.text()
            .await
            .unwrap()
            .contains(kvtui::local::LOCAL_SUBSCRIPTION)
    );

    // Without the owner's token in the header there is no token, and a
    // made-up JWT is no bearer.
    for header in [None, Some("not-the-token-0123456789")] {
        let mut req = http.get(format!(
            "{endpoint}?api-version=2019-08-01&resource=https%3A%2F%2Fvault.azure.net"
        ));
        if let Some(h) = header {
            req = req.header("x-identity-header", h);
        }
        let rsp = req.send().await.expect("answer");
        assert_eq!(rsp.status().as_u16(), 401, "{header:?}");
        assert!(!rsp.text().await.unwrap().contains("access_token"));
    }
    let forged = format!("{}.x", secret.rsplit_once('.').unwrap().0);
    let rsp = http
        .get(format!("{base}/secrets?api-version=7.6"))
        .bearer_auth(forged)
        .send()
        .await
        .expect("answer");
    assert_eq!(rsp.status().as_u16(), 401, "a changed signature is refused");
}
