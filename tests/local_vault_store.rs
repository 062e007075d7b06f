//! Durability and what lands on disk: restart on the same data dir, private
//! files, `--in-memory`, samples, and values encrypted at rest.

mod common;

use common::{id_parts, set_body, start, start_in};
use futures::TryStreamExt;
use std::os::unix::fs::PermissionsExt;
use tempfile::TempDir;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn acknowledged_writes_survive_a_restart_on_the_same_data_dir() {
    let svc = start().await;
    let client = svc.named_client("keep");
    client
        .set_secret("persisted", set_body("v1"), None)
        .await
        .unwrap();
    client
        .set_secret("persisted", set_body("v2"), None)
        .await
        .unwrap();
    client
        .set_secret("deleted-one", set_body("x"), None)
        .await
        .unwrap();
    client.delete_secret("deleted-one", None).await.unwrap();
    let token_before = std::fs::read(svc.dir.path().join("token")).unwrap();
    let ca_before = svc.vault.ca_pem().to_vec();
    let dir = svc.dir;
    svc.vault.shutdown().await;

    let svc = start_in(dir, |_| {}).await;
    assert_eq!(
        std::fs::read(svc.dir.path().join("token")).unwrap(),
        token_before
    );
    assert_eq!(
        svc.vault.ca_pem(),
        ca_before.as_slice(),
        "the CA is kept, so clients keep trusting it"
    );
    let client = svc.named_client("keep");
    let got = client
        .get_secret("persisted", None)
        .await
        .unwrap()
        .into_model()
        .unwrap();
    assert_eq!(got.value.as_deref(), Some("v2"));
    let mut versions = 0;
    let mut pager = client
        .list_secret_properties_versions("persisted", None)
        .unwrap();
    while pager.try_next().await.unwrap().is_some() {
        versions += 1;
    }
    assert_eq!(versions, 2);
    client
        .get_deleted_secret("deleted-one", None)
        .await
        .unwrap();
    svc.vault.shutdown().await;
}

#[tokio::test]
async fn keys_tokens_and_the_database_are_private_and_values_encrypted() {
    let svc = start().await;
    let client = svc.default_client();
    let sentinel = "sentinel-value-5f0c2a9e";
    client
        .set_secret("watched", set_body(sentinel), None)
        .await
        .unwrap();
    let dir = svc.dir.path().to_path_buf();
    for private in [
        "token",
        "store.key",
        "vault.db",
        "server-key.pem",
        "ca-key.pem",
    ] {
        assert_eq!(mode(&dir.join(private)), 0o600, "{private}");
    }
    assert_eq!(mode(&dir), 0o700);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let found = bytes
            .windows(sentinel.len())
            .any(|w| w == sentinel.as_bytes());
        assert!(!found, "plaintext value found in {}", path.display());
    }
    svc.vault.shutdown().await;
}

#[tokio::test]
async fn in_memory_keeps_no_secret_on_disk_but_clients_can_connect() {
    let svc = start_in(TempDir::new().unwrap(), |o| o.in_memory = true).await;
    svc.default_client()
        .set_secret("ephemeral", set_body("v"), None)
        .await
        .unwrap();
    let dir = svc.dir.path();
    assert!(dir.join("ca.pem").exists() && dir.join("token").exists());
    assert!(!dir.join("vault.db").exists() && !dir.join("store.key").exists());
    svc.vault.shutdown().await;
}

#[tokio::test]
async fn a_new_default_vault_gets_samples_once() {
    let svc = start_in(TempDir::new().unwrap(), |o| o.samples = true).await;
    let client = svc.default_client();
    let mut names = Vec::new();
    let mut pager = client.list_secret_properties(None).unwrap();
    while let Some(item) = pager.try_next().await.unwrap() {
        names.push(id_parts(item.id.as_deref().unwrap()).0);
    }
    assert!(
        names.contains(&"db-password".to_string()) && names.contains(&"legacy-api-key".to_string())
    );
    let deleted = client
        .get_deleted_secret("retired-service-key", None)
        .await
        .unwrap()
        .into_model()
        .unwrap();
    assert!(deleted.scheduled_purge_date.is_some());
    // A sample the user deletes stays deleted after a restart: samples go into new vaults only.
    client.delete_secret("db-password", None).await.unwrap();
    let dir = svc.dir;
    svc.vault.shutdown().await;
    let svc = start_in(dir, |o| o.samples = true).await;
    let err = svc
        .default_client()
        .get_secret("db-password", None)
        .await
        .unwrap_err();
    assert_eq!(common::error_parts(&err).0, 404);
    svc.vault.shutdown().await;
}

#[tokio::test]
async fn a_non_loopback_bind_needs_allow_remote() {
    let dir = TempDir::new().unwrap();
    let mut opts = kvtui::local::LocalVaultOptions::new(dir.path());
    opts.bind = "0.0.0.0".parse().unwrap();
    let err = kvtui::local::start(opts).await.err().expect("refused");
    assert!(err.to_string().contains("--allow-remote"), "{err}");
}
