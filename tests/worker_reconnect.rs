//! A running local vault whose token changes: the worker reads the token
//! file again after a 401, so fixing the file and pressing F5 (a new listing)
//! works without restarting kvtui. Real HTTPS service, real SDK.

use std::time::Duration;

use kvtui::compose::{self, ConnectOptions};
use kvtui::local::{self, LocalVault, LocalVaultOptions};
use kvtui::vault::credential::CredentialOptions;
use kvtui::vault::{
    ErrorKind, ReqId, VaultCmd, VaultEvent, VaultEventKind, VaultRequest, VaultTarget,
    WorkerConfig, WorkerInput, spawn_worker_reconnecting,
};
use tokio::sync::mpsc;

const FIRST: &str = "first-token-0123456789abcdef";
const SECOND: &str = "second-token-0123456789abcdef";

async fn serve(dir: &std::path::Path, port: u16, token: &str) -> LocalVault {
    let mut opts = LocalVaultOptions::new(dir);
    opts.in_memory = true;
    opts.port = port;
    opts.token = Some(token.to_owned());
    local::start(opts).await.expect("local vault starts")
}

/// Lists the secrets, as F5 does, and returns the terminal event.
async fn list(
    tx: &mpsc::Sender<WorkerInput>,
    rx: &mut mpsc::Receiver<VaultEvent>,
    id: u64,
) -> VaultEventKind {
    let req = VaultRequest {
        id: ReqId(id),
        cmd: VaultCmd::ListSecrets,
    };
    tx.send(WorkerInput::Run(req)).await.expect("worker alive");
    loop {
        let ev = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("an answer in time")
            .expect("worker alive");
        if ev.req == ReqId(id) && !matches!(ev.kind, VaultEventKind::SecretsPage(_)) {
            return ev.kind;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixed_token_file_is_picked_up_on_the_next_refresh() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = serve(dir.path(), 0, FIRST).await;
    let port = first.port();
    let url = url::Url::parse(&first.vault_url("demo")).expect("url");
    let opts = ConnectOptions {
        credential: CredentialOptions {
            method: kvtui::cli::AuthMethod::Auto,
            tenant: None,
            cloud: Default::default(),
        },
        data_dir: dir.path().to_path_buf(),
        samples: false,
        in_memory: true,
    };
    let open = compose::open(&VaultTarget::Local(url), &opts, &|_| None)
        .await
        .unwrap_or_else(|e| panic!("opens: {e}"));
    let (tx, mut rx) =
        spawn_worker_reconnecting(open.client, WorkerConfig::default(), open.reconnect);
    assert!(matches!(
        list(&tx, &mut rx, 1).await,
        VaultEventKind::ListDone { .. }
    ));

    // The service restarts with another token; the file still holds the old one.
    first.shutdown().await;
    let second = serve(dir.path(), port, SECOND).await;
    let token_file = second.token_path();
    std::fs::write(&token_file, FIRST).expect("stale token file");
    let refused = match list(&tx, &mut rx, 2).await {
        VaultEventKind::Failed(e) => e,
        other => panic!("expected a 401, got {other:?}"),
    };
    assert_eq!(refused.kind, ErrorKind::Unauthorized, "{refused:?}");
    let hint = refused.hint.unwrap_or_default();
    assert!(
        hint.starts_with(&format!("Check the token file {}", token_file.display())),
        "{hint}"
    );

    // The file is fixed; the next refresh works, with no restart.
    std::fs::write(&token_file, SECOND).expect("fixed token file");
    let again = list(&tx, &mut rx, 3).await;
    assert!(
        matches!(again, VaultEventKind::ListDone { .. }),
        "{again:?}"
    );

    // F5 asks for a fresh read first; with nothing changed, all goes on.
    tx.send(WorkerInput::Reread).await.expect("worker alive");
    let after = list(&tx, &mut rx, 4).await;
    assert!(
        matches!(after, VaultEventKind::ListDone { .. }),
        "{after:?}"
    );
    second.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_ca_is_picked_up_after_the_failed_handshake() {
    let dir = tempfile::tempdir().expect("temp dir");
    let first = serve(dir.path(), 0, FIRST).await;
    let port = first.port();
    let url = url::Url::parse(&first.vault_url("demo")).expect("url");
    let opts = ConnectOptions {
        credential: CredentialOptions {
            method: kvtui::cli::AuthMethod::Auto,
            tenant: None,
            cloud: Default::default(),
        },
        data_dir: dir.path().to_path_buf(),
        samples: false,
        in_memory: true,
    };
    let open = compose::open(&VaultTarget::Local(url), &opts, &|_| None)
        .await
        .unwrap_or_else(|e| panic!("opens: {e}"));
    let (tx, mut rx) =
        spawn_worker_reconnecting(open.client, WorkerConfig::default(), open.reconnect);
    assert!(matches!(
        list(&tx, &mut rx, 1).await,
        VaultEventKind::ListDone { .. }
    ));

    // The service comes back with a CA of its own making: the old client
    // cannot trust it, the worker reads the new one and goes on.
    first.shutdown().await;
    let ca_before = std::fs::read(dir.path().join("ca.pem")).expect("ca");
    for file in ["ca.pem", "ca-key.pem", "server.pem", "server-key.pem"] {
        std::fs::remove_file(dir.path().join(file)).expect("remove a TLS file");
    }
    let second = serve(dir.path(), port, FIRST).await;
    let ca_after = std::fs::read(dir.path().join("ca.pem")).expect("ca");
    assert_ne!(ca_before, ca_after, "a new CA");
    let after = list(&tx, &mut rx, 2).await;
    assert!(
        matches!(after, VaultEventKind::ListDone { .. }),
        "{after:?}"
    );
    second.shutdown().await;
}
