//! The emulator's clock and snapshots through the official SDK: a secret
//! deleted, the clock moved 91 days, and it is purged; expired and
//! not-yet-valid secrets answered as Key Vault answers them; an export →
//! import round trip that reads back byte for byte.

mod common;

use azure_security_keyvault_secrets::SecretClient;
use azure_security_keyvault_secrets::models::{
    SecretAttributes, SetSecretParameters, UpdateSecretPropertiesParameters,
};
use common::{error_parts, set_body, set_body_with, start, start_in};
use futures::TryStreamExt;
use secrecy::SecretString;
use tempfile::TempDir;

const DAY: i64 = 86_400;

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn clock(
    svc: &common::Running,
    method: &str,
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    let http = svc.http();
    let url = format!("{}/_kvtui/clock", svc.vault.url());
    let req = match method {
        "GET" => http.get(&url),
        _ => http.post(&url).body(body.unwrap_or("{}").to_owned()),
    };
    let rsp = req
        .header("authorization", svc.bearer())
        .send()
        .await
        .expect("the clock answers");
    let status = rsp.status().as_u16();
    let bytes = rsp.bytes().await.unwrap_or_default();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}

#[tokio::test]
async fn a_deleted_secret_is_purged_once_the_clock_passes_its_date() {
    let svc = start_in(TempDir::new().unwrap(), |o| {
        o.in_memory = true;
        o.samples = false;
    })
    .await;
    let client = svc.named_client("timeshift");
    client.set_secret("old", set_body("v"), None).await.unwrap();
    client.delete_secret("old", None).await.unwrap();
    let deleted = client
        .get_deleted_secret("old", None)
        .await
        .unwrap()
        .into_model()
        .unwrap();
    let purge_at = deleted
        .scheduled_purge_date
        .expect("a purge date")
        .unix_timestamp();
    assert!((purge_at - unix_now() - 90 * DAY).abs() < 60, "{purge_at}");

    // Without a token the clock is not served.
    let anon = svc
        .http()
        .get(format!("{}/_kvtui/clock", svc.vault.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status().as_u16(), 401);

    let (status, body) = clock(&svc, "POST", Some(r#"{"advance": "+89d"}"#)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["offsetSeconds"], 89 * DAY);
    client
        .get_deleted_secret("old", None)
        .await
        .expect("still recoverable at 89 days");

    let (status, body) = clock(&svc, "POST", Some(r#"{"advance": "+2d"}"#)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["offsetSeconds"], 91 * DAY);
    let gone = client.get_deleted_secret("old", None).await.unwrap_err();
    assert_eq!(error_parts(&gone).0, 404, "purged at 91 days");
    let (_, read) = clock(&svc, "GET", None).await;
    assert!(
        (read["now"].as_i64().unwrap() - unix_now() - 91 * DAY).abs() < 60,
        "{read}"
    );

    // A new secret is created at the shifted time.
    let made = client
        .set_secret("new", set_body("v"), None)
        .await
        .unwrap()
        .into_model()
        .unwrap();
    let created = made.attributes.unwrap().created.unwrap().unix_timestamp();
    assert!((created - unix_now() - 91 * DAY).abs() < 60, "{created}");

    let (status, _) = clock(&svc, "POST", Some(r#"{"advance": "soon"}"#)).await;
    assert_eq!(status, 400, "a bad span is refused");
    let (status, _) = clock(&svc, "POST", Some(r#"{"offset": 0, "advance": 1}"#)).await;
    assert_eq!(status, 400, "one of offset or advance");
    svc.vault.shutdown().await;
}

#[tokio::test]
async fn expired_and_not_yet_valid_secrets_answer_as_key_vault_does() {
    let svc = start_in(TempDir::new().unwrap(), |o| {
        o.in_memory = true;
        o.samples = false;
        o.clock_offset = 30 * DAY;
    })
    .await;
    let client = svc.named_client("expiry");
    let now = time::OffsetDateTime::from_unix_timestamp(unix_now() + 30 * DAY).unwrap();
    let with_dates = |nbf: Option<i64>,
                      exp: Option<i64>|
     -> azure_core::http::RequestContent<SetSecretParameters> {
        SetSecretParameters {
            value: Some("still here".into()),
            secret_attributes: Some(SecretAttributes {
                not_before: nbf.map(|d| now + time::Duration::days(d)),
                expires: exp.map(|d| now + time::Duration::days(d)),
                ..Default::default()
            }),
            ..Default::default()
        }
        .try_into()
        .unwrap()
    };
    // Expired a day ago by the vault's clock, and valid only from tomorrow:
    // Key Vault treats both dates as information; set, get and list answer.
    client
        .set_secret("expired", with_dates(None, Some(-1)), None)
        .await
        .unwrap();
    client
        .set_secret("future", with_dates(Some(1), None), None)
        .await
        .unwrap();
    for name in ["expired", "future"] {
        let got = client
            .get_secret(name, None)
            .await
            .unwrap()
            .into_model()
            .unwrap();
        assert_eq!(got.value.as_deref(), Some("still here"), "{name}");
    }
    let listed: Vec<_> = client
        .list_secret_properties(None)
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    // The created date follows the shifted clock.
    let expired = client
        .get_secret("expired", None)
        .await
        .unwrap()
        .into_model()
        .unwrap();
    let created = expired.attributes.unwrap().created.unwrap();
    assert!((created - now).whole_seconds().abs() < 60, "{created}");
    svc.vault.shutdown().await;
}

/// Everything a client reads of a vault, as JSON text with the port taken out.
async fn read_all(client: &SecretClient, port: u16) -> String {
    let mut out = Vec::new();
    let mut names: Vec<String> = client
        .list_secret_properties(None)
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .map(|p| common::id_parts(p.id.as_deref().unwrap()).0)
        .collect();
    names.sort();
    for name in names {
        let mut versions: Vec<_> = client
            .list_secret_properties_versions(&name, None)
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        versions.sort_by_key(|v| v.id.clone());
        for v in versions {
            let version = common::id_parts(v.id.as_deref().unwrap()).1.unwrap();
            let opts = azure_security_keyvault_secrets::models::SecretClientGetSecretOptions {
                secret_version: Some(version),
                ..Default::default()
            };
            let got = client.get_secret(&name, Some(opts)).await;
            out.push(serde_json::to_string(&v).unwrap());
            match got {
                Ok(r) => out.push(serde_json::to_string(&r.into_model().unwrap()).unwrap()),
                Err(e) => out.push(format!("{:?}", error_parts(&e))),
            }
        }
    }
    let mut deleted: Vec<_> = client
        .list_deleted_secret_properties(None)
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    deleted.sort_by_key(|d| d.id.clone());
    for d in deleted {
        out.push(serde_json::to_string(&d).unwrap());
    }
    out.join("\n").replace(&format!(":{port}/"), ":PORT/")
}

#[tokio::test]
async fn an_export_imports_into_an_empty_dir_byte_for_byte() {
    let src = start().await;
    let client = src.named_client("snap");
    client
        .set_secret(
            "plain",
            set_body_with("one", Some("text/plain"), &[("env", "dev")], None),
            None,
        )
        .await
        .unwrap();
    client
        .set_secret("plain", set_body("two\nlines ✓"), None)
        .await
        .unwrap();
    client
        .set_secret("off", set_body_with("hidden", None, &[], Some(false)), None)
        .await
        .unwrap();
    client
        .set_secret("gone", set_body("was here"), None)
        .await
        .unwrap();
    client.delete_secret("gone", None).await.unwrap();
    let patch: azure_core::http::RequestContent<UpdateSecretPropertiesParameters> =
        UpdateSecretPropertiesParameters {
            content_type: Some("application/json".into()),
            ..Default::default()
        }
        .try_into()
        .unwrap();
    client
        .update_secret_properties("plain", patch, None)
        .await
        .unwrap();
    let before = read_all(&client, src.vault.port()).await;
    assert!(
        before.contains(r"two\nlines") && before.contains("gone"),
        "{before}"
    );
    let dir = src.dir;
    src.vault.shutdown().await;

    let pass = SecretString::from("a test passphrase".to_owned());
    let (bytes, done) = kvtui::local::export_state(dir.path(), Some(&pass), unix_now()).unwrap();
    assert!(done.secrets >= 3 && done.versions >= 4, "{done:?}");
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(
        !text.contains("was here") && !text.contains("hidden"),
        "values are sealed"
    );
    assert!(text.contains("\"format\": \"kvtui-state\"") && text.contains("\"snap\""));
    let file = dir.path().join("state.json");
    std::fs::write(&file, bytes.as_slice()).unwrap();

    let fresh = TempDir::new().unwrap();
    let wrong = SecretString::from("not the passphrase".to_owned());
    let err = kvtui::local::import_state(fresh.path(), &file, Some(&wrong), false).unwrap_err();
    assert!(err.to_string().contains("not the passphrase"), "{err}");
    kvtui::local::import_state(fresh.path(), &file, Some(&pass), false).unwrap();
    let err = kvtui::local::import_state(fresh.path(), &file, Some(&pass), false).unwrap_err();
    assert!(
        err.to_string().contains("--replace"),
        "a second import is refused: {err}"
    );
    kvtui::local::import_state(fresh.path(), &file, Some(&pass), true).expect("--replace");

    let dst = start_in(fresh, |_| {}).await;
    let after = read_all(&dst.named_client("snap"), dst.vault.port()).await;
    assert_eq!(after, before);
    dst.vault.shutdown().await;
}

#[tokio::test]
async fn with_a_delete_delay_deletes_and_purges_take_a_while_as_in_azure() {
    let svc = start_in(TempDir::new().unwrap(), |o| {
        o.in_memory = true;
        o.delete_delay = std::time::Duration::from_millis(400);
    })
    .await;
    let client = svc.named_client("slow");
    client.set_secret("s", set_body("v"), None).await.unwrap();
    client.delete_secret("s", None).await.unwrap();
    let early = client.get_deleted_secret("s", None).await.unwrap_err();
    assert_eq!(error_parts(&early).0, 404, "not deleted yet");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    client
        .get_deleted_secret("s", None)
        .await
        .expect("deleted by now");
    client.purge_deleted_secret("s", None).await.unwrap();
    let early = client
        .set_secret("s", set_body("again"), None)
        .await
        .unwrap_err();
    assert_eq!(error_parts(&early).0, 409, "still being purged");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    client
        .set_secret("s", set_body("again"), None)
        .await
        .expect("purged by now");
    svc.vault.shutdown().await;
}
