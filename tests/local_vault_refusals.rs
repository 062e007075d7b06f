//! The local vault refuses unsafe tokens, hosts, files and keys instead of trusting them.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::raw;
use common::{Running, start_in};
use kvtui::local::{self, LocalVaultOptions};
use secrecy::ExposeSecret;
use tempfile::TempDir;

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

async fn refused(dir: &Path, edit: impl FnOnce(&mut LocalVaultOptions)) -> String {
    let mut opts = LocalVaultOptions::new(dir);
    edit(&mut opts);
    match local::start(opts).await {
        Ok(v) => {
            v.shutdown().await;
            panic!("started although it should have been refused");
        }
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn weak_tokens_are_refused_from_the_flag_and_the_file() {
    let tmp = TempDir::new().unwrap();
    for bad in ["", "   \n", "short-token"] {
        let err = refused(tmp.path(), |o| o.token = Some(bad.into())).await;
        assert!(err.contains("token"), "{err}");
    }
    std::fs::write(tmp.path().join("token"), "  \n").unwrap();
    let err = refused(tmp.path(), |_| {}).await;
    assert!(err.contains("empty"), "{err}");
}

#[tokio::test]
async fn the_token_is_trimmed_alike_and_the_scheme_read_in_any_case() {
    let svc = start_in(TempDir::new().unwrap(), |o| {
        o.token = Some("  0123456789abcdef-token \n".into())
    })
    .await;
    assert_eq!(svc.vault.token().expose_secret(), "0123456789abcdef-token");
    let file = std::fs::read_to_string(svc.vault.token_path()).unwrap();
    assert_eq!(file, "0123456789abcdef-token");
    let (_, read) = local::client::read_credentials(svc.dir.path()).unwrap();
    assert_eq!(read.expose_secret(), "0123456789abcdef-token");
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let rsp = svc
            .http()
            .get(format!("{}/secrets?api-version=7.6", svc.vault.url()))
            .header("authorization", format!("{scheme} 0123456789abcdef-token"))
            .send()
            .await
            .unwrap();
        assert_eq!(rsp.status().as_u16(), 200, "{scheme}");
    }
}

async fn with_host(svc: &Running, sni: &str, host_lines: &str) -> (u16, String) {
    let request =
        format!("GET /secrets?api-version=7.6 HTTP/1.1\r\n{host_lines}Connection: close\r\n\r\n");
    let (status, head, _) = raw::h1(svc.vault.addr(), svc.vault.ca_pem(), sni, &request).await;
    (status, head)
}

#[tokio::test]
async fn only_well_formed_hosts_select_a_vault() {
    let svc = common::start().await;
    let port = svc.vault.port();
    let auth = format!("Authorization: {}\r\n", svc.bearer());
    // A bad label no longer falls back to `default`.
    for host in [
        format!("my_vault.localhost:{port}"),
        format!("localhost:{port}0"),
        format!("localhost:{port}\", resource=\"https://evil"),
        "example.com".to_string(),
    ] {
        let (status, _) = with_host(&svc, "localhost", &format!("Host: {host}\r\n{auth}")).await;
        assert_eq!(status, 400, "{host}");
    }
    let (status, _) = with_host(&svc, "localhost", &auth).await;
    assert_eq!(status, 400, "missing Host");
    let twice = format!("Host: localhost:{port}\r\nHost: localhost:{port}\r\n{auth}");
    assert_eq!(
        with_host(&svc, "localhost", &twice).await.0,
        400,
        "repeated Host"
    );
    // The TLS name and the Host disagree.
    let other = format!("Host: demo.localhost:{port}\r\n{auth}");
    assert_eq!(with_host(&svc, "localhost", &other).await.0, 421);
    // A challenge names one resource, from validated parts only.
    let (status, head) = with_host(&svc, "localhost", &format!("Host: localhost:{port}\r\n")).await;
    assert_eq!(status, 401);
    assert_eq!(head.matches("resource=").count(), 1, "{head}");
    let good = format!("Host: localhost:{port}\r\n{auth}");
    assert_eq!(with_host(&svc, "localhost", &good).await.0, 200);
}

#[tokio::test]
async fn an_unsafe_data_dir_or_file_is_refused_and_loose_files_tightened() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("data");
    let svc = start_in(TempDir::new().unwrap(), |o| o.data_dir = dir.clone()).await;
    svc.vault.shutdown().await;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let err = refused(&dir, |_| {}).await;
    assert!(err.contains("chmod go-w"), "{err}");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    for f in [
        "token",
        "store.key",
        "vault.db",
        "ca-key.pem",
        "server-key.pem",
    ] {
        std::fs::set_permissions(dir.join(f), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let svc = start_in(TempDir::new().unwrap(), |o| o.data_dir = dir.clone()).await;
    svc.vault.shutdown().await;
    for f in [
        "token",
        "store.key",
        "vault.db",
        "ca-key.pem",
        "server-key.pem",
    ] {
        assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
    }
    // A token file that is a link elsewhere is refused, its target untouched.
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::write(&elsewhere, "0123456789abcdef0123").unwrap();
    std::fs::set_permissions(&elsewhere, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::remove_file(dir.join("token")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.join("token")).unwrap();
    let err = refused(&dir, |_| {}).await;
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(mode(&elsewhere), 0o644);
}

#[tokio::test]
async fn a_missing_or_wrong_store_key_is_refused_when_values_exist() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().to_path_buf();
    let svc = start_in(dir, |_| {}).await;
    svc.default_client()
        .set_secret("kept", common::set_body("v"), None)
        .await
        .unwrap();
    svc.vault.shutdown().await;
    let key = path.join("store.key");
    let original = std::fs::read(&key).unwrap();
    std::fs::remove_file(&key).unwrap();
    let err = refused(&path, |_| {}).await;
    assert!(err.contains("store.key"), "{err}");
    assert!(!key.exists(), "no new key was made");
    std::fs::write(&key, [7u8; 32]).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let err = refused(&path, |_| {}).await;
    assert!(err.contains("store.key"), "{err}");
    std::fs::write(&key, original).unwrap();
    let mut opts = LocalVaultOptions::new(&path);
    opts.samples = false;
    let vault = local::start(opts).await.expect("the right key starts");
    vault.shutdown().await;
}

#[tokio::test]
async fn a_purged_secret_leaves_nothing_in_the_database_files() {
    let svc = common::start().await;
    let client = svc.default_client();
    let marker = "purgemarker7c1e9d";
    client
        .set_secret(
            marker,
            common::set_body_with(
                "v",
                Some("marker/type"),
                &[("purgetagmarker", "purgetagmarker")],
                None,
            ),
            None,
        )
        .await
        .unwrap();
    client.delete_secret(marker, None).await.unwrap();
    client.purge_deleted_secret(marker, None).await.unwrap();
    let dir = svc.dir.path();
    for file in ["vault.db", "vault.db-wal"] {
        let bytes = std::fs::read(dir.join(file)).unwrap_or_default();
        for needle in [marker, "purgetagmarker"] {
            let found = bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
            assert!(!found, "{needle} still in {file}");
        }
    }
    svc.vault.shutdown().await;
}
