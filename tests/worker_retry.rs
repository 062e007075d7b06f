//! The worker waits and tries again where Azure asks for it, and says so:
//! a 429 after the vault's `Retry-After`, a get or set answered 409
//! `ObjectIsBeingRecovered` right after a recover. Against the local vault's
//! faults, through the official SDK with its own retries off.

use std::sync::Arc;
use std::time::Duration;

use azure_core::http::{ClientOptions, RetryOptions, Transport};
use azure_security_keyvault_secrets::{SecretClient, SecretClientOptions};
use kvtui::local::client::{StaticTokenCredential, local_http_client};
use kvtui::local::{self, Faults, LocalVault, LocalVaultOptions};
use kvtui::vault::{
    NewSecret, ReqId, SecretName, VaultCmd, VaultEvent, VaultEventKind, VaultRequest, WorkerConfig,
    WorkerInput, spawn_worker,
};
use secrecy::{ExposeSecret, SecretString};
use tempfile::TempDir;
use tokio::sync::mpsc;

async fn start(faults: Faults) -> (LocalVault, TempDir) {
    let dir = TempDir::new().expect("dir");
    let mut opts = LocalVaultOptions::new(dir.path());
    opts.in_memory = true;
    opts.faults = faults;
    (local::start(opts).await.expect("starts"), dir)
}

fn client(v: &LocalVault) -> SecretClient {
    let url = v.vault_url("retry");
    let parsed = url::Url::parse(&url).expect("url");
    let http = local_http_client(&parsed, v.ca_pem()).expect("http");
    let options = SecretClientOptions {
        client_options: ClientOptions {
            transport: Some(Transport::new(Arc::new(http))),
            retry: RetryOptions::none(),
            ..Default::default()
        },
        verify_challenge_resource: Some(true),
        ..Default::default()
    };
    let cred = Arc::new(StaticTokenCredential::new(SecretString::from(
        v.token().expose_secret().to_owned(),
    )));
    SecretClient::new(&url, cred, Some(options)).expect("client")
}

/// Every event of request `id` up to its terminal one.
async fn events_of(
    tx: &mpsc::Sender<WorkerInput>,
    rx: &mut mpsc::Receiver<VaultEvent>,
    id: u64,
    cmd: VaultCmd,
) -> Vec<VaultEventKind> {
    tx.send(WorkerInput::Run(VaultRequest { id: ReqId(id), cmd }))
        .await
        .expect("worker");
    let mut out = Vec::new();
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("in time")
            .expect("worker");
        if ev.req != ReqId(id) {
            continue;
        }
        let more = matches!(ev.kind, VaultEventKind::Retrying { .. });
        out.push(ev.kind);
        if !more {
            return out;
        }
    }
}

fn name(n: &str) -> SecretName {
    SecretName::parse(n).expect("name")
}

fn set_cmd(n: &str, value: &str) -> VaultCmd {
    VaultCmd::Set(NewSecret {
        name: name(n),
        value: SecretString::from(value.to_owned()),
        content_type: None,
        tags: Default::default(),
        enabled: true,
        not_before: None,
        expires: None,
    })
}

#[tokio::test]
async fn a_throttled_get_waits_for_retry_after_says_so_and_succeeds() {
    let (vault, _dir) = start(Faults::default()).await;
    let (tx, mut rx) = spawn_worker(client(&vault), WorkerConfig::default());
    let done = events_of(&tx, &mut rx, 1, set_cmd("busy", "v1")).await;
    assert!(
        matches!(done.last(), Some(VaultEventKind::Props(_))),
        "{done:?}"
    );
    // One request per second for this vault: the second get is refused once.
    vault.set_faults(Faults {
        throttle: Some(1),
        throttle_window: Duration::from_secs(1),
        ..Faults::default()
    });
    let get = || VaultCmd::Get {
        name: name("busy"),
        version: None,
    };
    let first = events_of(&tx, &mut rx, 2, get()).await;
    assert!(matches!(first.last(), Some(VaultEventKind::Secret(_))));
    let second = events_of(&tx, &mut rx, 3, get()).await;
    let notes: Vec<&str> = second
        .iter()
        .filter_map(|k| match k {
            VaultEventKind::Retrying { note } => Some(note.as_str()),
            _ => None,
        })
        .collect();
    assert!(!notes.is_empty(), "{second:?}");
    assert_eq!(notes[0], "throttled, retrying in 1 s");
    assert!(
        matches!(second.last(), Some(VaultEventKind::Secret(_))),
        "{second:?}"
    );
}

#[tokio::test]
async fn a_get_right_after_recover_is_retried_while_recovery_runs() {
    let (vault, _dir) = start(Faults {
        recover_delay: Duration::from_millis(600),
        ..Faults::default()
    })
    .await;
    let cfg = WorkerConfig {
        recover_backoff: vec![Duration::from_millis(400); 5],
        ..WorkerConfig::default()
    };
    let (tx, mut rx) = spawn_worker(client(&vault), cfg);
    events_of(&tx, &mut rx, 1, set_cmd("back", "again")).await;
    events_of(&tx, &mut rx, 2, VaultCmd::Delete { name: name("back") }).await;
    let recovered = events_of(&tx, &mut rx, 3, VaultCmd::Recover { name: name("back") }).await;
    assert!(matches!(recovered.last(), Some(VaultEventKind::Props(_))));
    let got = events_of(
        &tx,
        &mut rx,
        4,
        VaultCmd::Get {
            name: name("back"),
            version: None,
        },
    )
    .await;
    assert!(
        got.iter().any(
            |k| matches!(k, VaultEventKind::Retrying { note } if note.starts_with("recovering…"))
        ),
        "{got:?}"
    );
    match got.last() {
        Some(VaultEventKind::Secret(s)) => {
            assert_eq!(s.value.expose_secret(), "again")
        }
        other => panic!("expected the value, got {other:?}"),
    }

    // With no retries left the 409 arrives, classified.
    let cfg = WorkerConfig {
        recover_backoff: Vec::new(),
        ..WorkerConfig::default()
    };
    let (tx, mut rx) = spawn_worker(client(&vault), cfg);
    events_of(&tx, &mut rx, 5, VaultCmd::Delete { name: name("back") }).await;
    events_of(&tx, &mut rx, 6, VaultCmd::Recover { name: name("back") }).await;
    let failed = events_of(&tx, &mut rx, 7, set_cmd("back", "too soon")).await;
    match failed.last() {
        Some(VaultEventKind::Failed(e)) => {
            assert_eq!(e.code.as_deref(), Some("ObjectIsBeingRecovered"));
            assert!(e.message.contains("still being recovered"), "{}", e.message);
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}
