//! Every backup restores, Key Vault's refusals are kept, and tags and list
//! pages are bounded.

mod common;

use common::{Running, start_in};
use serde_json::{Value, json};
use tempfile::TempDir;

async fn start_mem() -> Running {
    start_in(TempDir::new().expect("temp dir"), |o| o.in_memory = true).await
}

async fn call(svc: &Running, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let url = if path.starts_with("https://") {
        path.to_owned()
    } else {
        format!("{}{path}", svc.vault.url())
    };
    let mut req = svc
        .http()
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).expect("method"),
            url,
        )
        .header("authorization", svc.bearer());
    if let Some(body) = body {
        req = req
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&body).expect("JSON"));
    }
    let rsp = req.send().await.expect("response");
    let status = rsp.status().as_u16();
    let bytes = rsp.bytes().await.expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn set_versions(svc: &Running, name: &str, n: usize, value_len: usize) {
    for i in 0..n {
        let value = format!("{i:05}{}", "v".repeat(value_len.saturating_sub(5)));
        let (status, body) = call(
            svc,
            "PUT",
            &format!("/secrets/{name}?api-version=7.6"),
            Some(json!({ "value": value })),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
}

#[tokio::test]
async fn a_large_backup_restores_after_purge() {
    let svc = start_mem().await;
    set_versions(&svc, "big", 40, 25 * 1024).await;
    let (status, blob) = call(&svc, "POST", "/secrets/big/backup?api-version=7.6", None).await;
    assert_eq!(status, 200);
    assert!(blob["value"].as_str().unwrap().len() > 1024 * 1024);
    assert_eq!(
        call(&svc, "DELETE", "/secrets/big?api-version=7.6", None)
            .await
            .0,
        200
    );
    assert_eq!(
        call(&svc, "DELETE", "/deletedsecrets/big?api-version=7.6", None)
            .await
            .0,
        204
    );
    let (status, body) = call(&svc, "POST", "/secrets/restore?api-version=7.6", Some(blob)).await;
    assert_eq!(status, 200, "{body}");
    let (status, versions) = call(
        &svc,
        "GET",
        "/secrets/big/versions?api-version=7.6&maxresults=25",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(versions["value"].as_array().unwrap().len(), 25);
    let (status, latest) = call(&svc, "GET", "/secrets/big?api-version=7.6", None).await;
    assert_eq!(status, 200);
    assert!(latest["value"].as_str().unwrap().starts_with("00039"));
}

#[tokio::test]
async fn backup_refuses_more_than_500_versions_as_key_vault_does() {
    let svc = start_mem().await;
    set_versions(&svc, "many", 500, 8).await;
    let (status, _) = call(&svc, "POST", "/secrets/many/backup?api-version=7.6", None).await;
    assert_eq!(status, 200, "500 versions back up");
    set_versions(&svc, "many", 1, 8).await;
    let (status, body) = call(&svc, "POST", "/secrets/many/backup?api-version=7.6", None).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "BadParameter");
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(msg.contains("501") && msg.contains("500"), "{msg}");
}

#[tokio::test]
async fn tag_names_and_values_are_limited_to_512_characters() {
    let svc = start_mem().await;
    let at = "é".repeat(512);
    let over = "é".repeat(513);
    for (tags, want) in [
        (json!({ at.clone(): at.clone() }), 200),
        (json!({ over.clone(): "v" }), 400),
        (json!({ "k": over.clone() }), 400),
    ] {
        let (status, body) = call(
            &svc,
            "PUT",
            "/secrets/tagged?api-version=7.6",
            Some(json!({ "value": "v", "tags": tags })),
        )
        .await;
        assert_eq!(status, want, "{body}");
        let (status, _) = call(
            &svc,
            "PATCH",
            "/secrets/tagged?api-version=7.6",
            Some(json!({ "tags": tags })),
        )
        .await;
        assert_eq!(status, want);
    }
}

#[tokio::test]
async fn a_list_page_is_bounded_in_bytes_and_still_reaches_every_secret() {
    let svc = start_mem().await;
    // Control characters are escaped six-fold in JSON: each item is about 90 KB.
    let filler = "\u{1}".repeat(500);
    let tags: serde_json::Map<String, Value> = (0..15)
        .map(|i| (format!("{i:02}{filler}"), Value::String(filler.clone())))
        .collect();
    for i in 0..25 {
        let (status, _) = call(
            &svc,
            "PUT",
            &format!("/secrets/s{i:02}?api-version=7.6"),
            Some(json!({ "value": "v", "tags": tags })),
        )
        .await;
        assert_eq!(status, 200);
    }
    let mut seen = 0;
    let mut next = Some(format!("{}/secrets?api-version=7.6", svc.vault.url()));
    while let Some(url) = next {
        let rsp = svc
            .http()
            .get(&url)
            .header("authorization", svc.bearer())
            .send()
            .await
            .expect("page");
        let bytes = rsp.bytes().await.expect("body");
        assert!(
            bytes.len() <= kvtui::local::MAX_PAGE_BYTES,
            "{} bytes",
            bytes.len()
        );
        let page: Value = serde_json::from_slice(&bytes).expect("JSON");
        seen += page["value"].as_array().unwrap().len();
        next = page["nextLink"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, 25);
}

#[tokio::test]
async fn skip_tokens_are_opaque_and_bound_to_their_vault_and_list() {
    let svc = start_mem().await;
    set_versions(&svc, "paged", 3, 4).await;
    let (_, page) = call(
        &svc,
        "GET",
        "/secrets/paged/versions?api-version=7.6&maxresults=1",
        None,
    )
    .await;
    let next = page["nextLink"].as_str().expect("nextLink").to_owned();
    let token = next
        .split("$skiptoken=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    // Not a readable counter.
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&token)
        .unwrap_or_default();
    assert!(decoded.len() > 16 && !decoded.iter().all(u8::is_ascii_digit));
    assert_eq!(call(&svc, "GET", &next, None).await.0, 200);
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("1");
    for path in [
        format!("/secrets/paged/versions?api-version=7.6&$skiptoken={forged}"),
        format!("/secrets?api-version=7.6&$skiptoken={token}"),
        format!("/deletedsecrets?api-version=7.6&$skiptoken={token}"),
    ] {
        let (status, body) = call(&svc, "GET", &path, None).await;
        assert_eq!(status, 400, "{path}: {body}");
    }
}
