//! Bulk actions through the real run loop, worker and SDK against the local
//! vault: 10,000 marked rows are deleted to the last one, and a bulk delete
//! against a vault that throttles (429) and a worker with a tiny queue still
//! finishes with nothing failed.

mod loop_common;

use std::sync::Arc;
use std::time::Duration;

use azure_security_keyvault_secrets::SecretClient;
use azure_security_keyvault_secrets::models::SetSecretParameters;
use futures::channel::mpsc::unbounded;
use kvtui::local::{self, Faults, LocalVault, LocalVaultOptions};
use kvtui::runtime::event_loop;
use kvtui::vault::{WorkerConfig, spawn_worker};
use loop_common::{Script, quiet_clipboard, screen, wired};
use tempfile::TempDir;

/// A local vault holding `n` secrets `bulk-000000` …, written eight at a time.
async fn vault_with(dir: &TempDir, n: usize) -> LocalVault {
    let mut opts = LocalVaultOptions::new(dir.path());
    opts.in_memory = true;
    opts.samples = false;
    let vault = local::start(opts).await.expect("local vault");
    let client = Arc::new(vault.client(&vault.url()).expect("client"));
    let mut tasks = Vec::new();
    for w in 0..8 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            for i in (w..n).step_by(8) {
                set(&client, &format!("bulk-{i:06}")).await;
            }
        }));
    }
    for t in tasks {
        t.await.expect("seeding task");
    }
    vault
}

async fn set(client: &SecretClient, name: &str) {
    let body: azure_core::http::RequestContent<SetSecretParameters> = SetSecretParameters {
        value: Some("v".into()),
        ..Default::default()
    }
    .try_into()
    .expect("body");
    client.set_secret(name, body, None).await.expect("set");
}

async fn run_loop<F: std::future::Future<Output = ()>>(
    vault: &LocalVault,
    cfg: WorkerConfig,
    drive: impl FnOnce(Script) -> F,
) {
    let client = vault.client(&vault.url()).expect("client");
    let (requests, events) = spawn_worker(client, cfg);
    let (mut model, mut wiring) = wired(&vault.url(), true, requests, events);
    let (mut terminal, shared) = screen(120, 24);
    let (keys, input) = unbounded();
    let script = Script {
        keys,
        screen: shared,
    };
    let (result, ()) = tokio::join!(
        event_loop(
            &mut terminal,
            input,
            &mut model,
            &mut wiring,
            quiet_clipboard(),
            Duration::from_millis(50)
        ),
        drive(script)
    );
    result.expect("the loop ends cleanly");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_marked_rows_are_all_deleted() {
    let dir = TempDir::new().expect("temp dir");
    let vault = vault_with(&dir, 10_000).await;
    let cfg = WorkerConfig {
        page_size: Some(25),
        ..WorkerConfig::default()
    };
    run_loop(&vault, cfg, |s| async move {
        s.until_within("the whole list", Duration::from_secs(120), |t| {
            t.contains("10000 secrets") && !t.contains("loading")
        })
        .await;
        s.keys("Ad");
        s.until("the confirmation", |t| t.contains("Delete 10000 secrets?"))
            .await;
        s.keys("y");
        s.until("the progress", |t| t.contains("deleting ")).await;
        s.until_within("the summary", Duration::from_secs(600), |t| {
            t.contains("deleted 10,000 of 10,000")
        })
        .await;
        let t = s.screen.screen();
        assert!(t.contains("0 secrets · 10000 deleted"), "{t}");
        assert!(!t.contains("failed"), "{t}");
        s.keys("!");
        s.until("the history", |t| t.contains("Messages")).await;
        let t = s.screen.screen();
        assert!(
            t.contains("Messages (1, 0 failed)"),
            "one entry for the whole action:\n{t}"
        );
        assert!(!t.contains("deleted bulk-"), "no entry per name:\n{t}");
        s.key(
            crossterm::event::KeyCode::Esc,
            crossterm::event::KeyModifiers::NONE,
        );
        s.keys("q");
    })
    .await;
    let client = vault.client(&vault.url()).expect("client");
    let mut left = client.list_secret_properties(None).expect("pager");
    use futures::TryStreamExt;
    assert!(
        left.try_next().await.expect("list").is_none(),
        "the vault holds no secret"
    );
    vault.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttling_vault_and_a_full_worker_queue_lose_nothing() {
    let dir = TempDir::new().expect("temp dir");
    let vault = vault_with(&dir, 300).await;
    let cfg = WorkerConfig {
        // Smaller than the bulk action's requests at once: some find it full.
        channel_capacity: 3,
        throttle_retries: 0,
        ..WorkerConfig::default()
    };
    let vault_ref = &vault;
    run_loop(&vault, cfg, |s| async move {
        s.until_within("the whole list", Duration::from_secs(60), |t| {
            t.contains("300 secrets") && !t.contains("loading")
        })
        .await;
        vault_ref.set_faults(Faults {
            throttle: Some(60),
            throttle_window: Duration::from_secs(1),
            ..Faults::default()
        });
        s.keys("Ad");
        s.until("the confirmation", |t| t.contains("Delete 300 secrets?"))
            .await;
        s.keys("y");
        s.until_within("a 429 waited out", Duration::from_secs(120), |t| {
            t.contains("throttled, waiting")
        })
        .await;
        s.until_within("the summary", Duration::from_secs(300), |t| {
            t.contains("deleted 300 of 300")
        })
        .await;
        let t = s.screen.screen();
        assert!(!t.contains("failed"), "{t}");
        assert!(t.contains("0 secrets · 300 deleted"), "{t}");
        s.keys("q");
    })
    .await;
    vault.shutdown().await;
}
