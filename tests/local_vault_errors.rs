//! Bad input gets the Key Vault error envelope with the right status, and nothing is stored.

mod common;

use azure_core::http::RequestContent;
use azure_security_keyvault_secrets::models::SetSecretParameters;
use common::{Running, error_parts, set_body, set_body_with, start};
use serde_json::Value;

/// Sends a raw request with the right token; returns status and parsed body.
async fn raw(
    svc: &Running,
    method: &str,
    path_and_query: &str,
    body: Option<Vec<u8>>,
) -> (u16, Value) {
    let url = format!("{}{}", svc.vault.url(), path_and_query);
    let mut req = svc
        .http()
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url)
        .header("authorization", svc.bearer());
    if let Some(body) = body {
        req = req.header("content-type", "application/json").body(body);
    }
    let rsp = req.send().await.expect("response");
    let status = rsp.status().as_u16();
    let bytes = rsp.bytes().await.expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Method, path and query, body, expected status, expected error code.
type RawCase = (&'static str, String, Option<Vec<u8>>, u16, &'static str);

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<none>")
}

async fn count_secrets(svc: &Running) -> usize {
    let (status, body) = raw(svc, "GET", "/secrets?api-version=7.6", None).await;
    assert_eq!(status, 200);
    body["value"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn invalid_input_is_refused_with_bad_parameter_and_nothing_is_stored() {
    let svc = start().await;
    let client = svc.default_client();
    let cases: Vec<(&str, RequestContent<SetSecretParameters>)> = vec![
        ("bad_name", set_body("v")),
        ("too-big", set_body(&"x".repeat(25 * 1024 + 1))),
        (
            "long-content-type",
            set_body_with("v", Some(&"c".repeat(256)), &[], None),
        ),
    ];
    for (name, body) in cases {
        let err = client.set_secret(name, body, None).await.unwrap_err();
        assert_eq!(error_parts(&err).0, 400, "{name}");
        assert_eq!(error_parts(&err).1, "BadParameter", "{name}");
    }
    let tags: Vec<(String, String)> = (0..16)
        .map(|i| (format!("k{i}"), "v".to_string()))
        .collect();
    let tag_refs: Vec<(&str, &str)> = tags.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let err = client
        .set_secret("many-tags", set_body_with("v", None, &tag_refs, None), None)
        .await
        .unwrap_err();
    assert_eq!(error_parts(&err).0, 400);
    // 25 KiB exactly and 15 tags are fine.
    client
        .set_secret("at-limit", set_body(&"x".repeat(25 * 1024)), None)
        .await
        .unwrap();
    client
        .set_secret(
            "fifteen",
            set_body_with("v", None, &tag_refs[..15], None),
            None,
        )
        .await
        .unwrap();
    assert_eq!(count_secrets(&svc).await, 2);
    svc.vault.shutdown().await;
}

#[tokio::test]
async fn malformed_requests_get_the_error_envelope() {
    let svc = start().await;
    let v = "api-version=2025-07-01";
    let cases: Vec<RawCase> = vec![
        (
            "PUT",
            format!("/secrets/a?{v}"),
            Some(b"{not json".to_vec()),
            400,
            "BadParameter",
        ),
        (
            "PUT",
            format!("/secrets/a?{v}"),
            Some(br#"{"value": 5}"#.to_vec()),
            400,
            "BadParameter",
        ),
        (
            "PUT",
            format!("/secrets/a?{v}"),
            Some(br#"{"contentType": "x"}"#.to_vec()),
            400,
            "BadParameter",
        ),
        (
            "PUT",
            format!("/secrets/a?{v}"),
            Some(vec![b' '; 1024 * 1024 + 1]),
            413,
            "RequestTooLarge",
        ),
        ("GET", "/secrets/a".to_string(), None, 400, "BadParameter"),
        (
            "GET",
            "/secrets?api-version=banana".to_string(),
            None,
            400,
            "BadParameter",
        ),
        (
            "GET",
            format!("/secrets?{v}&maxresults=26"),
            None,
            400,
            "BadParameter",
        ),
        ("GET", format!("/keys?{v}"), None, 404, "NotFound"),
        (
            "GET",
            format!("/secrets/a/b/c/d?{v}"),
            None,
            404,
            "NotFound",
        ),
        (
            "POST",
            format!("/secrets?{v}"),
            None,
            405,
            "MethodNotAllowed",
        ),
        (
            "PATCH",
            format!("/deletedsecrets?{v}"),
            None,
            405,
            "MethodNotAllowed",
        ),
        (
            "GET",
            format!("/secrets/missing?{v}"),
            None,
            404,
            "SecretNotFound",
        ),
        (
            "GET",
            format!("/deletedsecrets/missing?{v}"),
            None,
            404,
            "SecretNotFound",
        ),
        (
            "POST",
            format!("/deletedsecrets/missing/recover?{v}"),
            None,
            404,
            "SecretNotFound",
        ),
        (
            "DELETE",
            format!("/deletedsecrets/missing?{v}"),
            None,
            404,
            "SecretNotFound",
        ),
        (
            "DELETE",
            format!("/secrets/missing?{v}"),
            None,
            404,
            "SecretNotFound",
        ),
        (
            "POST",
            format!("/secrets/restore?{v}"),
            Some(br#"{"value":"AAAA"}"#.to_vec()),
            400,
            "BadParameter",
        ),
    ];
    for (method, path, body, status, expected) in cases {
        let (got, json) = raw(&svc, method, &path, body).await;
        assert_eq!((got, code(&json)), (status, expected), "{method} {path}");
        assert!(
            json["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{method} {path}"
        );
    }
    // Repeated slashes collapse; JS's api-version and previews are accepted.
    let (status, _) = raw(
        &svc,
        "PUT",
        "//secrets//ok?api-version=7.6",
        Some(br#"{"value":"v"}"#.to_vec()),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = raw(
        &svc,
        "GET",
        "/secrets/ok/?api-version=2026-03-01-preview",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(count_secrets(&svc).await, 1);
    svc.vault.shutdown().await;
}

#[tokio::test]
async fn deleted_names_conflict_and_disabled_versions_are_forbidden() {
    let svc = start().await;
    let client = svc.default_client();
    client
        .set_secret("gone", set_body("v"), None)
        .await
        .unwrap();
    client.delete_secret("gone", None).await.unwrap();
    let err = client
        .set_secret("gone", set_body("again"), None)
        .await
        .unwrap_err();
    let (status, code, inner) = error_parts(&err);
    assert_eq!(
        (status, code.as_str(), inner.as_deref()),
        (409, "Conflict", Some("ObjectIsDeletedButRecoverable"))
    );
    // Under /secrets a deleted name is 404, which the Python and JS pollers rely on.
    assert_eq!(
        error_parts(&client.get_secret("gone", None).await.unwrap_err()).0,
        404
    );

    client
        .set_secret("off", set_body_with("v", None, &[], Some(false)), None)
        .await
        .unwrap();
    let err = client.get_secret("off", None).await.unwrap_err();
    assert_eq!(
        error_parts(&err),
        (403, "Forbidden".into(), Some("SecretDisabled".into()))
    );
    // Still listed.
    let (_, body) = raw(&svc, "GET", "/secrets?api-version=7.6", None).await;
    let enabled: Vec<bool> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["attributes"]["enabled"].as_bool().unwrap())
        .collect();
    assert_eq!(enabled, vec![false]);
    svc.vault.shutdown().await;
}

#[tokio::test]
async fn the_challenge_comes_first_and_only_the_token_is_accepted() {
    let svc = start().await;
    let http = svc.http();
    let url = format!("{}/secrets/whatever", svc.vault.url());
    // No token, even with a bad path and no api-version: 401 with the challenge.
    for auth in [None, Some("Bearer wrong-token"), Some("Basic abc")] {
        let mut req = http.put(&url).body("{broken");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let rsp = req.send().await.unwrap();
        assert_eq!(rsp.status().as_u16(), 401);
        let challenge = rsp.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_owned();
        let resource = format!("resource=\"https://localhost:{}\"", svc.vault.port());
        assert!(
            challenge.starts_with("Bearer authorization=\"https://login.microsoftonline.com/"),
            "{challenge}"
        );
        assert!(challenge.contains(&resource), "{challenge}");
    }
    // A named vault's challenge names the parent domain, so verification passes.
    let named = svc.named_client("team-a");
    named.set_secret("k", set_body("v"), None).await.unwrap();
    // A client with the wrong token gets 401 through the SDK.
    let wrong = kvtui::local::client::secret_client(
        &svc.vault.url(),
        svc.vault.ca_pem(),
        secrecy::SecretString::from("not-the-token"),
    )
    .unwrap();
    let err = wrong.get_secret("k", None).await.unwrap_err();
    assert_eq!(error_parts(&err).0, 401);
    svc.vault.shutdown().await;
}
