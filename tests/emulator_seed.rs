//! `serve --seed-from`: a second local vault stands in for Azure. Names,
//! versions, dates, tags, content types, enabled flags, deleted secrets and
//! managed marks are copied; values are placeholders unless --with-values; a
//! second run adds what is new, removes what went and keeps local-only names.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use azure_security_keyvault_secrets::SecretClient;
use common::{set_body, set_body_with, start_in};
use futures::TryStreamExt;
use secrecy::ExposeSecret;
use tempfile::TempDir;

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        // SAFETY: our own child, not yet waited for.
        unsafe { libc::kill(self.0.id() as i32, libc::SIGTERM) };
        let _ = self.0.wait();
    }
}

/// `kvtui serve` on `dir` seeding with `args`; the client factory once ready.
fn serve_seeded(dir: &Path, source_dir: &Path, args: &[String]) -> (Served, String, Vec<u8>) {
    let ready = dir.with_extension("ready.json");
    let _ = std::fs::remove_file(&ready);
    let child = Command::new(env!("CARGO_BIN_EXE_kvtui"))
        .args(["serve", "--port", "0", "--no-samples", "--data-dir"])
        .arg(dir)
        .arg("--seed-data-dir")
        .arg(source_dir)
        .args(args)
        .arg("--ready-file")
        .arg(&ready)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let served = Served(child);
    let t0 = Instant::now();
    let v: serde_json::Value = loop {
        if let Ok(b) = std::fs::read(&ready)
            && let Ok(v) = serde_json::from_slice(&b)
        {
            break v;
        }
        assert!(t0.elapsed() < Duration::from_secs(60), "not ready");
        std::thread::sleep(Duration::from_millis(50));
    };
    let port = v["port"].as_u64().unwrap();
    (
        served,
        format!("{port}"),
        std::fs::read(dir.join("ca.pem")).unwrap(),
    )
}

fn client(dir: &Path, port: &str, vault: &str, ca: &[u8]) -> SecretClient {
    let (_, token) = kvtui::local::client::read_credentials(dir).unwrap();
    kvtui::local::client::secret_client(
        &format!("https://{vault}.localhost:{port}"),
        ca,
        secrecy::SecretString::from(token.expose_secret().to_owned()),
    )
    .unwrap()
}

async fn names(c: &SecretClient) -> Vec<String> {
    let mut n: Vec<String> = c
        .list_secret_properties(None)
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .map(|p| common::id_parts(p.id.as_deref().unwrap()).0)
        .collect();
    n.sort();
    n
}

async fn version_ids(c: &SecretClient, name: &str) -> Vec<String> {
    let mut v: Vec<String> = c
        .list_secret_properties_versions(name, None)
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .map(|p| common::id_parts(p.id.as_deref().unwrap()).1.unwrap())
        .collect();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vault_is_cloned_in_shape_and_a_second_run_updates_it() {
    // The stand-in for Azure, with samples: `team-shared` holds a certificate's secret.
    let src = start_in(TempDir::new().unwrap(), |o| o.samples = true).await;
    let prod = src.named_client("prod");
    prod.set_secret(
        "db",
        set_body_with("v1", Some("text/plain"), &[("env", "prod")], None),
        None,
    )
    .await
    .unwrap();
    prod.set_secret("db", set_body("v2"), None).await.unwrap();
    prod.set_secret("off", set_body_with("x", None, &[], Some(false)), None)
        .await
        .unwrap();
    prod.set_secret("gone-later", set_body("y"), None)
        .await
        .unwrap();
    prod.set_secret("binned", set_body("z"), None)
        .await
        .unwrap();
    prod.delete_secret("binned", None).await.unwrap();
    let port = src.vault.port();

    let tmp = TempDir::new().unwrap();
    let dst = tmp.path().join("dst");
    let specs = vec![
        "--seed-from".to_owned(),
        format!("https://prod.localhost:{port}"),
        "--seed-from".to_owned(),
        format!("https://team-shared.localhost:{port}=shared"),
    ];
    let (served, dport, ca) = serve_seeded(&dst, src.dir.path(), &specs);
    let local = client(&dst, &dport, "prod", &ca);
    assert_eq!(names(&local).await, ["db", "gone-later", "off"]);
    assert_eq!(
        version_ids(&local, "db").await,
        version_ids(&prod, "db").await
    );
    let db = local
        .get_secret("db", None)
        .await
        .unwrap()
        .into_model()
        .unwrap();
    assert_eq!(db.value.as_deref(), Some("<placeholder for db>"));
    let src_db = prod
        .get_secret("db", None)
        .await
        .unwrap()
        .into_model()
        .unwrap();
    let (a, b) = (db.attributes.unwrap(), src_db.attributes.unwrap());
    assert_eq!((a.created, a.updated), (b.created, b.updated), "dates kept");
    let off = local
        .list_secret_properties(None)
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.id.as_deref().unwrap().contains("/off"))
        .unwrap();
    assert_eq!(off.attributes.unwrap().enabled, Some(false));
    let binned = local
        .get_deleted_secret("binned", None)
        .await
        .unwrap()
        .into_model()
        .unwrap();
    assert!(binned.scheduled_purge_date.is_some());
    let shared = client(&dst, &dport, "shared", &ca);
    let managed: Vec<_> = shared
        .list_secret_properties(None)
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.managed == Some(true))
        .collect();
    assert!(
        !managed.is_empty(),
        "the certificate's secret keeps its managed mark"
    );
    // Made locally between runs: kept by the second run.
    local
        .set_secret("mine", set_body("local"), None)
        .await
        .unwrap();
    drop(served);

    prod.set_secret("new-one", set_body("n"), None)
        .await
        .unwrap();
    prod.delete_secret("gone-later", None).await.unwrap();
    prod.purge_deleted_secret("gone-later", None).await.unwrap();
    let with_values = vec![
        "--seed-from".to_owned(),
        format!("https://prod.localhost:{port}"),
        "--with-values".to_owned(),
    ];
    let (served, dport, ca) = serve_seeded(&dst, src.dir.path(), &with_values);
    let local = client(&dst, &dport, "prod", &ca);
    assert_eq!(names(&local).await, ["db", "mine", "new-one", "off"]);
    let db = local
        .get_secret("db", None)
        .await
        .unwrap()
        .into_model()
        .unwrap();
    assert_eq!(
        db.value.as_deref(),
        Some("v2"),
        "--with-values copies values"
    );
    drop(served);
    src.vault.shutdown().await;
}
