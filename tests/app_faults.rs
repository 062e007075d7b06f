//! The UI against a local vault that is slow, throttled or failing (the
//! `kvtui serve` fault flags, set on the in-process service): keys are
//! handled while slow pages arrive, 429s are waited out, a page that fails
//! keeps the rows already shown and says so, and a save whose answer is cut
//! keeps the form, is not lost, and shows once in the list.

mod loop_common;

use std::time::Duration;

use azure_security_keyvault_secrets::SecretClient;
use azure_security_keyvault_secrets::models::SetSecretParameters;
use crossterm::event::{KeyCode, KeyModifiers};
use futures::TryStreamExt;
use futures::channel::mpsc::unbounded;
use kvtui::local::{self, Faults, LocalVault, LocalVaultOptions};
use kvtui::runtime::event_loop;
use kvtui::vault::{WorkerConfig, spawn_worker};
use loop_common::{Script, quiet_clipboard, screen, wired};
use tempfile::TempDir;

async fn vault_with(dir: &TempDir, secrets: usize) -> LocalVault {
    let mut opts = LocalVaultOptions::new(dir.path());
    opts.in_memory = true;
    opts.samples = false;
    let vault = local::start(opts).await.expect("local vault");
    let client = vault.client(&vault.url()).expect("client");
    for i in 0..secrets {
        set(&client, &format!("secret-{i:04}"), "v").await;
    }
    vault
}

async fn set(client: &SecretClient, name: &str, value: &str) {
    let body: azure_core::http::RequestContent<SetSecretParameters> = SetSecretParameters {
        value: Some(value.into()),
        ..Default::default()
    }
    .try_into()
    .expect("body");
    client.set_secret(name, body, None).await.expect("set");
}

/// Runs the loop over `vault` until `drive` ends it.
async fn run_loop<F: std::future::Future<Output = ()>>(
    vault: &LocalVault,
    drive: impl FnOnce(Script) -> F,
) {
    let client = vault.client(&vault.url()).expect("client");
    let (requests, events) = spawn_worker(client, WorkerConfig::default());
    let (mut model, mut wiring) = wired(&vault.url(), true, requests, events);
    let (mut terminal, shared) = screen(110, 24);
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
async fn keys_are_handled_while_slow_pages_arrive() {
    let dir = TempDir::new().expect("temp dir");
    let vault = vault_with(&dir, 150).await;
    vault.set_faults(Faults {
        latency: Duration::from_millis(400),
        ..Faults::default()
    });
    run_loop(&vault, |s| async move {
        s.until("the first page", |t| {
            t.contains("secret-0000") && t.contains("loaded 25")
        })
        .await;
        s.keys("/");
        s.keys("0007");
        // The filter answers while the listing still runs (6 pages of 400 ms).
        s.until("the filter while loading", |t| {
            t.contains("0007") && t.contains("secret-0007") && t.contains("loaded")
        })
        .await;
        s.key(KeyCode::Esc, KeyModifiers::NONE);
        s.key(KeyCode::Esc, KeyModifiers::NONE);
        s.until("the whole list", |t| {
            t.contains("Secrets (150)") && !t.contains("loaded")
        })
        .await;
        s.keys("q");
    })
    .await;
    vault.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_page_keeps_the_rows_shown_and_says_so() {
    let dir = TempDir::new().expect("temp dir");
    let vault = vault_with(&dir, 150).await;
    vault.set_faults(Faults {
        latency: Duration::from_millis(300),
        ..Faults::default()
    });
    let vault_ref = &vault;
    run_loop(&vault, |s| async move {
        s.until("the first page", |t| {
            t.contains("secret-0000") && t.contains("loaded")
        })
        .await;
        vault_ref.set_faults(Faults {
            fail_rate: 1.0,
            ..Faults::default()
        });
        s.until("the failure said", |t| {
            t.contains("partial") && t.contains("stopped:")
        })
        .await;
        let t = s.screen.screen();
        assert!(t.contains("secret-0000"), "the rows shown stay:\n{t}");
        assert!(
            t.contains("F5 lists again"),
            "a list cut short says so:\n{t}"
        );
        assert!(!t.contains("Secrets (0)"), "{t}");
        s.keys("q");
    })
    .await;
    vault.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_whose_answer_is_cut_keeps_the_form_and_lands_once() {
    let dir = TempDir::new().expect("temp dir");
    let vault = vault_with(&dir, 3).await;
    let value_file = dir.path().join("value.txt");
    std::fs::write(&value_file, "cut-value-1").expect("value file");
    let vault_ref = &vault;
    let path = value_file.display().to_string();
    run_loop(&vault, |s| async move {
        s.until("the list", |t| t.contains("Secrets (3)")).await;
        vault_ref.set_faults(Faults {
            drop_rate: 1.0,
            ..Faults::default()
        });
        s.keys("n");
        s.keys("cut-secret");
        s.key(KeyCode::Tab, KeyModifiers::NONE);
        s.key(KeyCode::Tab, KeyModifiers::NONE);
        s.paste(&path);
        s.key(KeyCode::Char('s'), KeyModifiers::CONTROL);
        s.until("the failure", |t| {
            t.contains("New secret") && t.contains("cut-secret") && t.contains("was cut")
        })
        .await;
        let t = s.screen.screen();
        assert!(
            t.contains("value.txt"),
            "the form keeps what was typed:\n{t}"
        );
        assert!(
            !t.contains("not trusted"),
            "a cut answer is no TLS problem:\n{t}"
        );
        vault_ref.set_faults(Faults::default());
        s.key(KeyCode::Esc, KeyModifiers::NONE);
        s.keys("y");
        s.key(KeyCode::Char('r'), KeyModifiers::CONTROL);
        s.until("the saved secret listed once", |t| {
            t.contains("Secrets (4)") && t.matches("cut-secret").count() == 1
        })
        .await;
        s.keys("q");
    })
    .await;
    let client = vault.client(&vault.url()).expect("client");
    let secret = client
        .get_secret("cut-secret", None)
        .await
        .expect("saved")
        .into_model()
        .expect("model");
    assert_eq!(secret.value.as_deref(), Some("cut-value-1"), "not lost");
    let versions: Vec<_> = client
        .list_secret_properties_versions("cut-secret", None)
        .expect("pager")
        .try_collect()
        .await
        .expect("versions");
    // The SDK retries a save whose answer was cut, and each try lands: the
    // versions are copies of the one value, never another value.
    assert!(!versions.is_empty());
    for v in &versions {
        let version =
            v.id.as_deref()
                .and_then(|id| id.rsplit('/').next())
                .unwrap_or("");
        let got = client
            .get_secret(
                "cut-secret",
                Some(
                    azure_security_keyvault_secrets::models::SecretClientGetSecretOptions {
                        secret_version: Some(version.to_owned()),
                        ..Default::default()
                    },
                ),
            )
            .await
            .expect("a version")
            .into_model()
            .expect("model");
        assert_eq!(got.value.as_deref(), Some("cut-value-1"));
    }
    vault.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_pages_are_waited_out() {
    let dir = TempDir::new().expect("temp dir");
    let vault = vault_with(&dir, 150).await;
    vault.set_faults(Faults {
        throttle: Some(4),
        throttle_window: Duration::from_secs(1),
        ..Faults::default()
    });
    run_loop(&vault, |s| async move {
        s.until("the whole list", |t| {
            t.contains("Secrets (150)") && !t.contains("loaded") && !t.contains("loading")
        })
        .await;
        let t = s.screen.screen();
        assert!(!t.contains("could not"), "{t}");
        s.keys("q");
    })
    .await;
    vault.shutdown().await;
}
