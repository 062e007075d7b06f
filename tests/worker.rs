//! The vault worker against the local vault, in-process: every command end to
//! end, paging, cancellation, concurrency, and each error kind the local vault
//! (or a dead or untrusted endpoint) can produce. Loopback only.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::TokenCredential;
use azure_core::http::{ClientOptions, RetryOptions, Transport};
use azure_security_keyvault_secrets::{SecretClient, SecretClientOptions};
use futures::StreamExt;
use kvtui::cli::AuthMethod;
use kvtui::local::client::{StaticTokenCredential, local_http_client};
use kvtui::local::{self, LocalVault, LocalVaultOptions};
use kvtui::vault::credential::{self, CredentialOptions};
use kvtui::vault::{
    ErrorKind, NewSecret, PropsUpdate, ReqId, SecretName, SecretProps, VaultCmd, VaultError,
    VaultEvent, VaultEventKind, VaultRequest, WorkerConfig, WorkerInput, spawn_worker,
};
use secrecy::{ExposeSecret, SecretString};
use tempfile::TempDir;
use tokio::sync::mpsc;

/// The vault most tests use: a named `{vault}.localhost` vault, so the SDK's
/// challenge verification stays on. A few tests use the bare `localhost` one.
const VAULT: Option<&str> = Some("demo");

/// Longest a test waits for any one event before failing.
const PATIENCE: Duration = Duration::from_secs(30);

struct Fixture {
    vault: LocalVault,
    _dir: TempDir,
}

async fn start_vault() -> Fixture {
    let dir = TempDir::new().expect("temp dir");
    let mut opts = LocalVaultOptions::new(dir.path());
    opts.in_memory = true;
    let vault = local::start(opts).await.expect("local vault starts");
    Fixture { vault, _dir: dir }
}

/// An SDK client of `url` trusting `ca`, with no SDK retries so failures are
/// reported at once.
fn client_with(url: &str, ca: &[u8], cred: Arc<dyn TokenCredential>) -> SecretClient {
    let parsed = url::Url::parse(url).expect("url");
    let http = local_http_client(&parsed, ca).expect("http client");
    let named = parsed.host_str().is_some_and(|h| h.ends_with(".localhost"));
    let options = SecretClientOptions {
        client_options: ClientOptions {
            transport: Some(Transport::new(Arc::new(http))),
            retry: RetryOptions::none(),
            ..Default::default()
        },
        verify_challenge_resource: Some(named),
        ..Default::default()
    };
    SecretClient::new(url, cred, Some(options)).expect("client")
}

fn token_of(v: &LocalVault) -> Arc<dyn TokenCredential> {
    Arc::new(StaticTokenCredential::new(SecretString::from(
        v.token().expose_secret().to_owned(),
    )))
}

impl Fixture {
    /// A client of `vault`; `None` is the `default` vault at bare `localhost`.
    fn client(&self, vault: Option<&str>) -> SecretClient {
        let url = vault.map_or_else(|| self.vault.url(), |v| self.vault.vault_url(v));
        client_with(&url, self.vault.ca_pem(), token_of(&self.vault))
    }

    fn worker(&self, vault: Option<&str>, cfg: WorkerConfig) -> Worker {
        let (tx, rx) = spawn_worker(self.client(vault), cfg);
        Worker { tx, rx, next: 0 }
    }
}

struct Worker {
    tx: mpsc::Sender<WorkerInput>,
    rx: mpsc::Receiver<VaultEvent>,
    next: u64,
}

fn is_terminal(k: &VaultEventKind) -> bool {
    !matches!(
        k,
        VaultEventKind::SecretsPage(_)
            | VaultEventKind::DeletedPage(_)
            | VaultEventKind::Retrying { .. }
    )
}

impl Worker {
    async fn send(&mut self, cmd: VaultCmd) -> ReqId {
        self.next += 1;
        let id = ReqId(self.next);
        self.tx
            .send(WorkerInput::Run(VaultRequest { id, cmd }))
            .await
            .expect("worker alive");
        id
    }

    async fn event(&mut self) -> VaultEvent {
        tokio::time::timeout(PATIENCE, self.rx.recv())
            .await
            .expect("an event in time")
            .expect("worker alive")
    }

    /// Every event of `id` up to and including its terminal one.
    async fn until_done(&mut self, id: ReqId) -> Vec<VaultEventKind> {
        let mut out = Vec::new();
        loop {
            let ev = self.event().await;
            if ev.req != id {
                continue;
            }
            let last = is_terminal(&ev.kind);
            out.push(ev.kind);
            if last {
                return out;
            }
        }
    }

    /// Runs one command and returns its terminal event.
    async fn run(&mut self, cmd: VaultCmd) -> VaultEventKind {
        let id = self.send(cmd).await;
        self.until_done(id).await.pop().expect("a terminal event")
    }

    async fn fails(&mut self, cmd: VaultCmd) -> VaultError {
        match self.run(cmd).await {
            VaultEventKind::Failed(e) => e,
            other => panic!("expected a failure, got {other:?}"),
        }
    }
}

fn name(s: &str) -> SecretName {
    SecretName::parse(s).expect("valid name")
}

fn new_secret(n: &str, value: &str) -> NewSecret {
    NewSecret {
        name: name(n),
        value: SecretString::from(value.to_owned()),
        content_type: None,
        tags: BTreeMap::new(),
        enabled: true,
        not_before: None,
        expires: None,
    }
}

fn props(k: VaultEventKind) -> SecretProps {
    match k {
        VaultEventKind::Props(p) => *p,
        other => panic!("expected props, got {other:?}"),
    }
}

/// Writes `n` secrets `{prefix}-000…` straight through the SDK, 16 at a time.
async fn seed(client: &SecretClient, prefix: &str, n: usize) {
    futures::stream::iter(0..n)
        .for_each_concurrent(16, |i| async move {
            let body = azure_security_keyvault_secrets::models::SetSecretParameters {
                value: Some(format!("value-{i}")),
                ..Default::default()
            };
            client
                .set_secret(
                    &format!("{prefix}-{i:03}"),
                    body.try_into().expect("body"),
                    None,
                )
                .await
                .expect("seed secret");
        })
        .await;
}

fn page_names(events: &[VaultEventKind]) -> Vec<Vec<String>> {
    events
        .iter()
        .filter_map(|e| match e {
            VaultEventKind::SecretsPage(p) => Some(p.iter().map(|s| s.name.to_string()).collect()),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_works_end_to_end() {
    let f = start_vault().await;
    let mut w = f.worker(VAULT, WorkerConfig::default());
    let dir = TempDir::new().expect("temp dir");

    let mut first = new_secret("db-pass", "hunter2-v1");
    first.content_type = Some("text/plain".into());
    first.tags.insert("env".into(), "dev".into());
    let v1 = props(w.run(VaultCmd::Set(first)).await);
    assert_eq!(v1.name, "db-pass");
    assert_eq!(v1.content_type.as_deref(), Some("text/plain"));
    assert_eq!(v1.tags.get("env").map(String::as_str), Some("dev"));
    let v2 = props(
        w.run(VaultCmd::Set(new_secret("db-pass", "hunter2-v2")))
            .await,
    );
    assert_ne!(v1.version, v2.version);

    let get = |version: Option<String>| VaultCmd::Get {
        name: name("db-pass"),
        version,
    };
    match w.run(get(None)).await {
        VaultEventKind::Secret(s) => {
            assert_eq!(s.value.expose_secret(), "hunter2-v2");
            assert_eq!(s.props.version, v2.version);
        }
        other => panic!("expected a secret, got {other:?}"),
    }
    match w.run(get(v1.version.clone())).await {
        VaultEventKind::Secret(s) => assert_eq!(s.value.expose_secret(), "hunter2-v1"),
        other => panic!("expected a secret, got {other:?}"),
    }

    let id = w
        .send(VaultCmd::ListVersions {
            name: name("db-pass"),
        })
        .await;
    let events = w.until_done(id).await;
    assert!(matches!(
        events.last(),
        Some(VaultEventKind::ListDone { count: 2 })
    ));

    let update = PropsUpdate {
        content_type: Some("application/json".into()),
        tags: Some(BTreeMap::from([("team".into(), "core".into())])),
        ..Default::default()
    };
    let updated = props(
        w.run(VaultCmd::UpdateProps {
            name: name("db-pass"),
            version: None,
            update,
        })
        .await,
    );
    assert_eq!(updated.content_type.as_deref(), Some("application/json"));
    assert_eq!(updated.tags.get("team").map(String::as_str), Some("core"));

    let id = w.send(VaultCmd::ListSecrets).await;
    let events = w.until_done(id).await;
    assert_eq!(page_names(&events).concat(), vec!["db-pass".to_string()]);
    assert!(matches!(
        events.last(),
        Some(VaultEventKind::ListDone { count: 1 })
    ));

    let backup = dir.path().join("db-pass.kvbackup");
    let done = w
        .run(VaultCmd::Backup {
            name: name("db-pass"),
            path: backup.clone(),
            overwrite: false,
        })
        .await;
    assert!(
        matches!(&done, VaultEventKind::BackedUp { path } if *path == backup),
        "{done:?}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup)
            .expect("backup written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    match w
        .run(VaultCmd::Delete {
            name: name("db-pass"),
        })
        .await
    {
        VaultEventKind::Deleted(d) => {
            assert_eq!(d.props.name, "db-pass");
            assert!(d.recovery_id.is_some());
        }
        other => panic!("expected deleted, got {other:?}"),
    }
    let id = w.send(VaultCmd::ListDeleted).await;
    let events = w.until_done(id).await;
    let deleted: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            VaultEventKind::DeletedPage(p) => Some(p.iter().map(|d| d.props.name.to_string())),
            _ => None,
        })
        .flatten()
        .collect();
    assert_eq!(deleted, vec!["db-pass".to_string()]);
    assert!(matches!(
        w.run(VaultCmd::GetDeleted {
            name: name("db-pass")
        })
        .await,
        VaultEventKind::Deleted(_)
    ));
    let recovered = props(
        w.run(VaultCmd::Recover {
            name: name("db-pass"),
        })
        .await,
    );
    assert_eq!(recovered.name, "db-pass");

    assert!(matches!(
        w.run(VaultCmd::Delete {
            name: name("db-pass")
        })
        .await,
        VaultEventKind::Deleted(_)
    ));
    assert!(matches!(
        w.run(VaultCmd::Purge {
            name: name("db-pass")
        })
        .await,
        VaultEventKind::Purged
    ));
    assert_eq!(w.fails(get(None)).await.kind, ErrorKind::NotFound);

    let restored = props(w.run(VaultCmd::Restore { path: backup }).await);
    assert_eq!(restored.name, "db-pass");
    match w.run(get(None)).await {
        VaultEventKind::Secret(s) => assert_eq!(s.value.expose_secret(), "hunter2-v2"),
        other => panic!("expected a secret, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_secrets_arrive_as_eight_pages_in_order() {
    let f = start_vault().await;
    let client = f.client(VAULT);
    seed(&client, "s", 200).await;
    let mut w = f.worker(VAULT, WorkerConfig::default());
    let id = w.send(VaultCmd::ListSecrets).await;
    let events = w.until_done(id).await;
    let pages = page_names(&events);
    assert_eq!(
        pages.len(),
        8,
        "page sizes: {:?}",
        pages.iter().map(Vec::len).collect::<Vec<_>>()
    );
    assert!(pages.iter().all(|p| p.len() == 25));
    assert!(matches!(
        events.last(),
        Some(VaultEventKind::ListDone { count: 200 })
    ));

    // In order: the same sequence the SDK's own item iterator yields, no repeats.
    let mut direct = Vec::new();
    let mut items = client.list_secret_properties(None).expect("pager");
    while let Some(item) = items.next().await {
        let item = item.expect("item");
        direct.push(
            kvtui::vault::convert::from_properties(&item)
                .expect("props")
                .name
                .to_string(),
        );
    }
    let flat = pages.concat();
    assert_eq!(flat, direct);
    let mut unique = flat.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_list_stops_further_pages() {
    let f = start_vault().await;
    seed(&f.client(VAULT), "c", 200).await;
    // Five per page: 40 pages; a one-slot channel keeps the worker at most a
    // page or two ahead of this reader.
    let cfg = WorkerConfig {
        page_size: Some(5),
        channel_capacity: 1,
        ..Default::default()
    };
    let mut w = f.worker(VAULT, cfg);
    let id = w.send(VaultCmd::ListSecrets).await;
    let first = w.event().await;
    assert_eq!(first.req, id);
    assert!(matches!(first.kind, VaultEventKind::SecretsPage(_)));
    w.tx.send(WorkerInput::Cancel(id))
        .await
        .expect("worker alive");
    let rest = w.until_done(id).await;
    let pages_after = page_names(&rest).len();
    assert!(pages_after < 10, "{pages_after} pages after cancel");
    match rest.last() {
        Some(VaultEventKind::Cancelled) => {}
        other => panic!("expected cancelled, got {other:?}"),
    }
    // The worker is still serving, and the cancelled list sent nothing more.
    let probe = w.send(VaultCmd::ListDeleted).await;
    let probe_events = w.until_done(probe).await;
    assert!(matches!(
        probe_events.last(),
        Some(VaultEventKind::ListDone { .. })
    ));
    while let Ok(ev) = w.rx.try_recv() {
        assert_ne!(ev.req, id, "event after cancel: {:?}", ev.kind);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_get_is_answered_while_a_long_list_runs() {
    let f = start_vault().await;
    let client = f.client(VAULT);
    seed(&client, "g", 100).await;
    let cfg = WorkerConfig {
        page_size: Some(1),
        ..Default::default()
    };
    let mut w = f.worker(VAULT, cfg);
    let list = w.send(VaultCmd::ListSecrets).await;
    let get = w
        .send(VaultCmd::Get {
            name: name("g-042"),
            version: None,
        })
        .await;
    let mut got_secret_before_list_done = None;
    loop {
        let ev = w.event().await;
        match (ev.req, ev.kind) {
            (r, VaultEventKind::Secret(s)) if r == get => {
                assert_eq!(s.value.expose_secret(), "value-42");
                got_secret_before_list_done.get_or_insert(true);
            }
            (r, VaultEventKind::ListDone { count }) if r == list => {
                assert_eq!(count, 100);
                got_secret_before_list_done.get_or_insert(false);
                break;
            }
            (_, VaultEventKind::Failed(e)) => panic!("failed: {e:?}"),
            _ => {}
        }
    }
    assert_eq!(got_secret_before_list_done, Some(true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vault_errors_are_classified() {
    let f = start_vault().await;
    let mut w = f.worker(VAULT, WorkerConfig::default());

    let missing = w
        .fails(VaultCmd::Get {
            name: name("nope"),
            version: None,
        })
        .await;
    assert_eq!(missing.kind, ErrorKind::NotFound);
    assert_eq!(missing.status, Some(404));
    assert_eq!(missing.code.as_deref(), Some("SecretNotFound"));

    let secret_value = "do-not-leak-7f3a";
    w.run(VaultCmd::Set(new_secret("gone", secret_value))).await;
    w.run(VaultCmd::Delete { name: name("gone") }).await;
    let reuse = w
        .fails(VaultCmd::Set(new_secret("gone", secret_value)))
        .await;
    assert_eq!(reuse.kind, ErrorKind::DeletedButRecoverable);
    assert_eq!(reuse.status, Some(409));
    assert!(!format!("{reuse:?}").contains(secret_value));

    let mut off = new_secret("off", secret_value);
    off.enabled = false;
    w.run(VaultCmd::Set(off)).await;
    let disabled = w
        .fails(VaultCmd::Get {
            name: name("off"),
            version: None,
        })
        .await;
    assert_eq!(disabled.kind, ErrorKind::Disabled);
    assert_eq!(disabled.status, Some(403));
    assert!(!format!("{disabled:?}").contains(secret_value));

    let mut tagged = new_secret("tagged", secret_value);
    for i in 0..16 {
        tagged.tags.insert(format!("t{i}"), "x".into());
    }
    let bad = w.fails(VaultCmd::Set(tagged)).await;
    assert_eq!(bad.kind, ErrorKind::BadRequest);
    assert_eq!(bad.status, Some(400));
    assert!(!format!("{bad:?}").contains(secret_value));

    let bad_version = w
        .fails(VaultCmd::Get {
            name: name("off"),
            version: Some("../../x".into()),
        })
        .await;
    assert_eq!(bad_version.kind, ErrorKind::InvalidInput);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_unauthorized() {
    let f = start_vault().await;
    let wrong = Arc::new(StaticTokenCredential::new(SecretString::from(
        "wrong".to_owned(),
    )));
    let client = client_with(&f.vault.url(), f.vault.ca_pem(), wrong);
    let (tx, rx) = spawn_worker(client, WorkerConfig::default());
    let mut w = Worker { tx, rx, next: 0 };
    let e = w.fails(VaultCmd::ListSecrets).await;
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert_eq!(e.status, Some(401));
    // It reads as a wrong token, and points at the token file first.
    let said = kvtui::app::answers::describe(&e);
    assert!(said.contains("refused the token (401)"), "{said}");
    assert!(said.contains("not this vault's token"), "{said}");
    assert!(!said.contains("missing"), "{said}");
    assert_eq!(said.matches("401").count(), 1, "{said}");
    let hint = e.hint.unwrap_or_default();
    assert!(
        hint.starts_with("Check the local vault's token file"),
        "{hint}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_credential_is_not_signed_in() {
    let f = start_vault().await;
    let opts = CredentialOptions {
        method: AuthMethod::Env,
        ..Default::default()
    };
    let cred = Arc::new(credential::build(&opts, &|_| None));
    let client = client_with(&f.vault.url(), f.vault.ca_pem(), cred);
    let (tx, rx) = spawn_worker(client, WorkerConfig::default());
    let mut w = Worker { tx, rx, next: 0 };
    let e = w.fails(VaultCmd::ListSecrets).await;
    assert_eq!(e.kind, ErrorKind::NotSignedIn, "{e:?}");
    assert!(e.message.contains("AZURE_CLIENT_SECRET"), "{}", e.message);
    assert!(e.hint.as_deref().unwrap_or("").contains("az login"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_refused_names_the_host() {
    let f = start_vault().await;
    // A port that was free a moment ago and has no listener now.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let url = format!("https://demo.localhost:{port}");
    let client = client_with(&url, f.vault.ca_pem(), token_of(&f.vault));
    let (tx, rx) = spawn_worker(client, WorkerConfig::default());
    let mut w = Worker { tx, rx, next: 0 };
    let e = w.fails(VaultCmd::ListSecrets).await;
    assert_eq!(e.kind, ErrorKind::Network, "{e:?}");
    assert!(e.message.contains("demo.localhost"), "{}", e.message);
    assert!(e.message.contains("refused"), "{}", e.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_ca_is_a_tls_failure() {
    let f = start_vault().await;
    let other = start_vault().await;
    let client = client_with(&f.vault.url(), other.vault.ca_pem(), token_of(&f.vault));
    let (tx, rx) = spawn_worker(client, WorkerConfig::default());
    let mut w = Worker { tx, rx, next: 0 };
    let e = w.fails(VaultCmd::ListSecrets).await;
    assert_eq!(e.kind, ErrorKind::Network, "{e:?}");
    assert!(e.message.contains("TLS"), "{}", e.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_server_times_out() {
    let f = start_vault().await;
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    let url = format!("https://localhost:{port}");
    let client = client_with(&url, f.vault.ca_pem(), token_of(&f.vault));
    let cfg = WorkerConfig {
        request_timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let (tx, rx) = spawn_worker(client, cfg);
    let mut w = Worker { tx, rx, next: 0 };
    let e = w
        .fails(VaultCmd::Get {
            name: name("x"),
            version: None,
        })
        .await;
    assert_eq!(e.kind, ErrorKind::Timeout, "{e:?}");
    assert!(e.message.contains("localhost"), "{}", e.message);
    hold.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vault_that_stops_mid_list_keeps_the_pages_already_sent() {
    let f = start_vault().await;
    seed(&f.client(VAULT), "m", 60).await;
    let cfg = WorkerConfig {
        page_size: Some(5),
        channel_capacity: 1,
        ..Default::default()
    };
    let mut w = f.worker(VAULT, cfg);
    let id = w.send(VaultCmd::ListSecrets).await;
    let first = w.event().await;
    assert!(matches!(first.kind, VaultEventKind::SecretsPage(ref p) if p.len() == 5));
    let Fixture { vault, _dir } = f;
    vault.shutdown().await;
    let rest = w.until_done(id).await;
    let pages = 1 + page_names(&rest).len();
    assert!(pages < 12, "all {pages} pages arrived after shutdown");
    match rest.last() {
        Some(VaultEventKind::Failed(e)) => {
            assert!(
                matches!(e.kind, ErrorKind::Network | ErrorKind::Other),
                "{e:?}"
            )
        }
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_open_with_the_right_trust() {
    use kvtui::compose::{self, ConnectOptions};
    use kvtui::vault::endpoint::parse_vault;

    let f = start_vault().await;
    let opts = |dir: &std::path::Path| ConnectOptions {
        credential: CredentialOptions::default(),
        data_dir: dir.to_path_buf(),
        samples: false,
        in_memory: true,
    };
    let no_env = |_: &str| None;

    // A loopback URL uses the CA and token of the data dir it runs from.
    let target = parse_vault(&f.vault.url(), kvtui::cli::Cloud::Public).expect("target");
    let open = compose::open(&target, &opts(f._dir.path()), &no_env)
        .await
        .expect("local vault opens");
    let (tx, rx) = spawn_worker(open.client, WorkerConfig::default());
    let mut w = Worker { tx, rx, next: 0 };
    assert!(matches!(
        w.run(VaultCmd::ListSecrets).await,
        VaultEventKind::ListDone { count: 0 }
    ));

    // Without its CA and token there, the error says how to fix it.
    let empty = TempDir::new().expect("temp dir");
    let missing = compose::open(&target, &opts(empty.path()), &no_env).await;
    let e = missing.err().expect("no credentials in an empty dir");
    assert_eq!(e.kind, ErrorKind::NotSignedIn);
    assert!(e.hint.as_deref().unwrap_or("").contains("kvtui serve"));

    // No vault named: the embedded vault starts in the data dir.
    let home = TempDir::new().expect("temp dir");
    let embedded = compose::open(
        &kvtui::vault::VaultTarget::Embedded,
        &opts(home.path()),
        &no_env,
    )
    .await
    .expect("embedded vault starts");
    assert!(embedded.local.is_some());
    assert!(home.path().join("ca.pem").exists());
    let (tx, rx) = spawn_worker(embedded.client, WorkerConfig::default());
    let mut w = Worker { tx, rx, next: 0 };
    assert!(matches!(
        w.run(VaultCmd::Set(new_secret("hello", "world"))).await,
        VaultEventKind::Props(_)
    ));

    // An Azure target only builds its client here; nothing is sent.
    let azure = parse_vault("kv-demo", kvtui::cli::Cloud::Public).expect("target");
    let opened = compose::open(&azure, &opts(home.path()), &no_env)
        .await
        .expect("client builds");
    assert_eq!(opened.url, "https://kv-demo.vault.azure.net");
    if let Some(v) = embedded.local {
        v.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_can_set_and_clear_dates() {
    let f = start_vault().await;
    let mut w = f.worker(VAULT, WorkerConfig::default());
    let mut s = new_secret("dated", "v");
    let exp = time::OffsetDateTime::from_unix_timestamp(1_900_000_000).expect("date");
    s.expires = Some(exp);
    let set = props(w.run(VaultCmd::Set(s)).await);
    assert_eq!(set.expires, Some(exp));
    let update = |expires, enabled| VaultCmd::UpdateProps {
        name: name("dated"),
        version: set.version.clone(),
        update: PropsUpdate {
            expires,
            enabled,
            ..Default::default()
        },
    };
    let cleared = props(w.run(update(Some(None), Some(false))).await);
    assert_eq!(cleared.expires, None);
    assert!(!cleared.enabled);
    let kept = props(w.run(update(None, Some(true))).await);
    assert_eq!(kept.expires, None);
    assert!(kept.enabled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_local_vault_is_reported_as_refused_quickly() {
    use kvtui::compose::{self, ConnectOptions};
    use kvtui::vault::endpoint::parse_vault;

    let Fixture { vault, _dir: dir } = start_vault().await;
    let url = vault.vault_url("demo");
    vault.shutdown().await;
    let target = parse_vault(&url, kvtui::cli::Cloud::Public).expect("target");
    let opts = ConnectOptions {
        credential: CredentialOptions::default(),
        data_dir: dir.path().to_path_buf(),
        samples: false,
        in_memory: true,
    };
    let open = compose::open(&target, &opts, &|_| None)
        .await
        .expect("client builds");
    let (tx, rx) = spawn_worker(open.client, WorkerConfig::default());
    let mut w = Worker { tx, rx, next: 0 };
    let started = std::time::Instant::now();
    let e = w.fails(VaultCmd::ListSecrets).await;
    assert_eq!(e.kind, ErrorKind::Network, "{e:?}");
    assert!(e.message.contains("refused"), "{}", e.message);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

/// The TUI's export runs the scripting export through the worker: the latest
/// values, mapped for the format, in a new 0600 file that is never replaced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_writes_the_latest_values_to_a_new_private_file() {
    let f = start_vault().await;
    let mut w = f.worker(VAULT, WorkerConfig::default());
    let dir = TempDir::new().expect("temp dir");
    props(w.run(VaultCmd::Set(new_secret("db-password", "old"))).await);
    props(
        w.run(VaultCmd::Set(new_secret("db-password", "it's new")))
            .await,
    );
    props(w.run(VaultCmd::Set(new_secret("api-key", "k1"))).await);
    let path = dir.path().join("out.env");
    let export = || VaultCmd::Export {
        names: vec![name("db-password"), name("api-key")],
        format: kvtui::script::args::ExportFormat::Env,
        path: path.clone(),
        overwrite: false,
    };
    match w.run(export()).await {
        VaultEventKind::Exported { path: p, count } => {
            assert_eq!(p, path);
            assert_eq!(count, 2);
        }
        other => panic!("expected an export, got {other:?}"),
    }
    let text = std::fs::read_to_string(&path).expect("the export");
    assert!(text.contains("API_KEY='k1'"), "{text}");
    assert!(text.contains("DB_PASSWORD='it'\\''s new'"), "{text}");
    assert!(!text.contains("old"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = w.fails(export()).await;
    assert!(
        again.message.contains("already exists"),
        "{}",
        again.message
    );
    assert_eq!(
        std::fs::read_to_string(&path).expect("the export"),
        text,
        "an existing file is never replaced"
    );
}

/// An env file is meant to be sourced: the TUI's export refuses a secret
/// that would set `LD_PRELOAD`, as `kvtui export --format env` does, and
/// writes nothing; JSON has no such variables.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_env_export_refuses_a_name_that_changes_how_programs_run() {
    let f = start_vault().await;
    let mut w = f.worker(VAULT, WorkerConfig::default());
    let dir = TempDir::new().expect("temp dir");
    props(
        w.run(VaultCmd::Set(new_secret("ld-preload", "/tmp/x.so")))
            .await,
    );
    let path = dir.path().join("out.env");
    let export = |format| VaultCmd::Export {
        names: vec![name("ld-preload")],
        format,
        path: path.clone(),
        overwrite: false,
    };
    let refused = w
        .fails(export(kvtui::script::args::ExportFormat::Env))
        .await;
    assert!(
        refused
            .message
            .contains("LD_PRELOAD (from secret ld-preload)"),
        "{}",
        refused.message
    );
    assert!(!path.exists(), "nothing written");
    match w.run(export(kvtui::script::args::ExportFormat::Json)).await {
        VaultEventKind::Exported { count, .. } => assert_eq!(count, 1),
        other => panic!("expected an export, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_over_an_existing_file_waits_for_a_yes() {
    let f = start_vault().await;
    let mut w = f.worker(VAULT, WorkerConfig::default());
    let dir = tempfile::tempdir().expect("temp dir");
    props(w.run(VaultCmd::Set(new_secret("db-pass", "v1"))).await);
    let path = dir.path().join("db-pass.kvbackup");
    std::fs::write(&path, b"keep me").expect("old file");
    let backup = |overwrite| VaultCmd::Backup {
        name: name("db-pass"),
        path: path.clone(),
        overwrite,
    };
    let refused = w.fails(backup(false)).await;
    assert_eq!(refused.kind, ErrorKind::FileExists, "{refused:?}");
    assert!(refused.message.contains("already exists"), "{refused:?}");
    assert_eq!(std::fs::read(&path).expect("file"), b"keep me");
    let done = w.run(backup(true)).await;
    assert!(matches!(done, VaultEventKind::BackedUp { .. }), "{done:?}");
    assert_ne!(std::fs::read(&path).expect("file"), b"keep me");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_onto_a_deleted_or_a_live_name_says_which() {
    let f = start_vault().await;
    let mut w = f.worker(VAULT, WorkerConfig::default());
    let dir = tempfile::tempdir().expect("temp dir");
    props(w.run(VaultCmd::Set(new_secret("db-pass", "v1"))).await);
    let path = dir.path().join("db-pass.kvbackup");
    let done = w
        .run(VaultCmd::Backup {
            name: name("db-pass"),
            path: path.clone(),
            overwrite: false,
        })
        .await;
    assert!(matches!(done, VaultEventKind::BackedUp { .. }), "{done:?}");
    let live = w.fails(VaultCmd::Restore { path: path.clone() }).await;
    assert_eq!(live.kind, ErrorKind::Conflict, "{live:?}");
    assert_eq!(live.secret_name().as_deref(), Some("db-pass"), "{live:?}");
    w.run(VaultCmd::Delete {
        name: name("db-pass"),
    })
    .await;
    let deleted = w.fails(VaultCmd::Restore { path }).await;
    assert_eq!(
        deleted.kind,
        ErrorKind::DeletedButRecoverable,
        "{deleted:?}"
    );
    assert_eq!(
        deleted.secret_name().as_deref(),
        Some("db-pass"),
        "{deleted:?}"
    );
}
