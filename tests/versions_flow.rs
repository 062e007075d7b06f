//! Versions end to end: the model and the real worker against the in-process
//! local vault through the official SDK. Long histories load a batch at a time
//! as the selection moves; an old version made current is read back through the
//! SDK; a backup of more than 500 versions is refused before it is sent.

mod app_common;

use app_common::{NOW, Stepper};
use azure_core::http::RequestContent;
use azure_security_keyvault_secrets::SecretClient;
use azure_security_keyvault_secrets::models::{SecretClientGetSecretOptions, SetSecretParameters};
use futures::StreamExt;
use kvtui::app::{Keymap, Model, Msg, update};
use kvtui::local::{self, LocalVault, LocalVaultOptions};
use kvtui::vault::{
    ErrorKind, ReqId, SecretName, VaultCmd, VaultEventKind, VaultRequest, WorkerConfig,
    WorkerInput, spawn_worker,
};
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::sync::{Arc, Mutex};
use tempfile::TempDir;

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

impl Fixture {
    fn client(&self) -> SecretClient {
        self.vault.client(&self.vault.url()).expect("client")
    }

    /// A client whose SDK never retries, so a 429 reaches the worker at once.
    fn client_without_retries(&self) -> SecretClient {
        let url = self.vault.url();
        let parsed = url::Url::parse(&url).expect("url");
        let mut client_options =
            local::client::local_client_options(&parsed, self.vault.ca_pem()).expect("options");
        client_options.retry = azure_core::http::RetryOptions::none();
        let options = azure_security_keyvault_secrets::SecretClientOptions {
            client_options,
            verify_challenge_resource: Some(false),
            ..Default::default()
        };
        let token = secrecy::SecretString::from(
            secrecy::ExposeSecret::expose_secret(self.vault.token()).to_owned(),
        );
        let cred = Arc::new(local::client::StaticTokenCredential::new(token));
        SecretClient::new(&url, cred, Some(options)).expect("client")
    }

    /// Sets `n` versions of `name` through the SDK, eight at a time.
    async fn set_versions(&self, name: &str, n: usize) {
        let client = std::sync::Arc::new(self.client());
        let results: Vec<bool> = futures::stream::iter(0..n)
            .map(|i| {
                let client = client.clone();
                async move {
                    let body: RequestContent<SetSecretParameters> = SetSecretParameters {
                        value: Some(format!("value-{i:05}")),
                        ..Default::default()
                    }
                    .try_into()
                    .expect("body");
                    client.set_secret(name, body, None).await.is_ok()
                }
            })
            .buffer_unordered(8)
            .collect()
            .await;
        assert!(results.iter().all(|ok| *ok), "every set succeeds");
    }

    async fn stepper(&self) -> Stepper {
        let model = Model::new(self.vault.url(), true, Keymap::default_keymap(), NOW);
        let mut steps = Stepper::new(model, self.client());
        let start = update(&mut steps.model, Msg::Start);
        steps.run(start).await;
        steps
    }
}

/// Runs one command on a fresh worker: the page sizes it streamed, then its
/// terminal event.
async fn run_cmd(client: SecretClient, cmd: VaultCmd) -> (Vec<usize>, VaultEventKind) {
    let (tx, mut rx) = spawn_worker(client, WorkerConfig::default());
    let id = ReqId(1);
    tx.send(WorkerInput::Run(VaultRequest { id, cmd }))
        .await
        .expect("worker alive");
    let mut pages = Vec::new();
    loop {
        let ev = tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv())
            .await
            .expect("an answer in time")
            .expect("worker alive");
        match ev.kind {
            VaultEventKind::SecretsPage(p) => pages.push(p.len()),
            other => return (pages, other),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_thousand_versions_load_a_batch_at_a_time_as_the_selection_moves() {
    let fx = start_vault().await;
    fx.set_versions("rotated", 3000).await;

    // The worker alone: one batch of four pages, then a pause with a resume link.
    let name = SecretName::parse("rotated").expect("name");
    let (pages, end) = run_cmd(fx.client(), VaultCmd::ListVersions { name: name.clone() }).await;
    assert_eq!(pages, vec![25, 25, 25, 25]);
    let VaultEventKind::ListPaused { count, resume } = end else {
        panic!("a 3,000-version list must pause after a batch, got {end:?}");
    };
    assert_eq!(count, 100);
    // Resuming continues where the batch stopped.
    let (pages, end) = run_cmd(fx.client(), VaultCmd::MoreVersions { name, resume }).await;
    assert_eq!(pages.iter().sum::<usize>(), 100);
    assert!(matches!(end, VaultEventKind::ListPaused { count: 100, .. }));

    // The app: opening the secret loads one batch; more come only as `j` nears the end.
    let mut steps = fx.stepper().await;
    steps.keys("enter").await;
    let d = steps.model.details.as_ref().expect("details open");
    assert_eq!(d.versions.len(), 100, "only the first batch loads at once");
    assert!(d.versions_next.is_some());
    let mut asked_more_at = Vec::new();
    for _ in 0..2999 {
        let before = steps.model.details.as_ref().map_or(0, |d| d.versions.len());
        steps.keys("j").await;
        let d = steps.model.details.as_ref().expect("details open");
        if d.versions.len() > before {
            asked_more_at.push((d.version_sel, before));
        }
    }
    let d = steps.model.details.as_ref().expect("details open");
    assert_eq!(d.versions.len(), 3000);
    assert!(d.versions_next.is_none() && d.versions_req.is_none());
    assert_eq!(asked_more_at.len(), 29, "one request per further batch");
    for (sel, loaded) in &asked_more_at {
        assert!(
            sel + kvtui::app::details::versions::LOAD_AHEAD >= *loaded && *sel < *loaded,
            "more were asked for only near the end: at {sel} of {loaded}"
        );
    }
    let ids: BTreeSet<&str> = d
        .versions
        .iter()
        .filter_map(|v| v.version.as_deref())
        .collect();
    assert_eq!(ids.len(), 3000, "no version skipped or repeated");
    assert!(
        d.versions.windows(2).all(|w| w[0].created >= w[1].created),
        "newest first"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_version_made_current_is_the_latest_read_through_the_sdk() {
    let fx = start_vault().await;
    let client = fx.client();
    let old_value = r#"{"host":"db1","port":5432}"#;
    let mut tags = HashMap::new();
    tags.insert("env".to_owned(), "prod".to_owned());
    let first: RequestContent<SetSecretParameters> = SetSecretParameters {
        value: Some(old_value.to_owned()),
        content_type: Some("application/json".to_owned()),
        tags: Some(tags),
        ..Default::default()
    }
    .try_into()
    .expect("body");
    let first = client
        .set_secret("db", first, None)
        .await
        .expect("set")
        .into_model()
        .expect("secret");
    let old_version = first
        .id
        .as_deref()
        .and_then(|id| id.rsplit('/').next())
        .expect("versioned id")
        .to_owned();
    let second: RequestContent<SetSecretParameters> = SetSecretParameters {
        value: Some("rotated-by-mistake".to_owned()),
        content_type: Some("text/plain".to_owned()),
        ..Default::default()
    }
    .try_into()
    .expect("body");
    client.set_secret("db", second, None).await.expect("set");

    let mut steps = fx.stepper().await;
    steps.keys("enter").await;
    let d = steps.model.details.as_ref().expect("details open");
    let at = d
        .versions
        .iter()
        .position(|v| v.version.as_deref() == Some(old_version.as_str()))
        .expect("the old version is listed");
    for _ in 0..at {
        steps.keys("j").await;
    }
    steps.keys("C").await;
    let form_title = match steps.model.overlays.last() {
        Some(kvtui::app::Overlay::Form(f)) => f.title(),
        other => panic!("C opens the form, got {other:?}"),
    };
    assert!(form_title.starts_with("Make version"), "{form_title}");
    steps.keys("ctrl-s").await;
    let lines = match steps.model.overlays.last() {
        Some(kvtui::app::Overlay::Confirm(c)) => c.lines.join("\n"),
        other => panic!("the form asks for a confirmation, got {other:?}"),
    };
    assert!(
        lines.contains("Content type: text/plain → application/json"),
        "{lines}"
    );
    assert!(lines.contains("Tags: (none) → env=prod"), "{lines}");
    steps.keys("y").await;
    assert!(
        steps.model.overlays.is_empty(),
        "the form closes once written"
    );

    let latest = client
        .get_secret("db", Some(SecretClientGetSecretOptions::default()))
        .await
        .expect("get")
        .into_model()
        .expect("secret");
    assert_eq!(latest.value.as_deref(), Some(old_value));
    assert_eq!(latest.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        latest
            .tags
            .as_ref()
            .and_then(|t| t.get("env"))
            .map(String::as_str),
        Some("prod")
    );
    let new_version = latest.id.as_deref().and_then(|id| id.rsplit('/').next());
    assert_ne!(
        new_version,
        Some(old_version.as_str()),
        "a new version, not a revert in place"
    );
    let d = steps.model.details.as_ref().expect("details open");
    assert_eq!(d.versions.len(), 3, "the list shows the new version");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_of_more_than_500_versions_is_refused_before_it_is_sent() {
    let fx = start_vault().await;
    fx.set_versions("busy", 500).await;
    let dir = TempDir::new().expect("temp dir");
    let name = SecretName::parse("busy").expect("name");
    let ok_path = dir.path().join("ok.bin");
    let (_, end) = run_cmd(
        fx.client(),
        VaultCmd::Backup {
            name: name.clone(),
            path: ok_path.clone(),
            overwrite: false,
        },
    )
    .await;
    assert!(matches!(end, VaultEventKind::BackedUp { .. }), "{end:?}");

    fx.set_versions("busy", 1).await;
    let path = dir.path().join("refused.bin");
    let (_, end) = run_cmd(
        fx.client(),
        VaultCmd::Backup {
            name,
            path: path.clone(),
            overwrite: false,
        },
    )
    .await;
    let VaultEventKind::Failed(e) = end else {
        panic!("501 versions must be refused, got {end:?}");
    };
    assert_eq!(
        e.kind,
        ErrorKind::InvalidInput,
        "refused here, not by the vault"
    );
    assert!(
        e.message.contains("more than 500 versions"),
        "{}",
        e.message
    );
    assert!(!path.exists(), "nothing written");
}

/// A 429 on the second page of a batch of versions (the SDK's own retries
/// off, so it reaches the worker): the batch is not run again from its start,
/// so no version is sent twice (the details list would show it twice).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_throttled_page_of_a_version_batch_sends_no_version_twice() {
    let fx = start_vault().await;
    fx.set_versions("rotated", 250).await;
    let name = SecretName::parse("rotated").expect("name");
    let (_, end) = run_cmd(fx.client(), VaultCmd::ListVersions { name: name.clone() }).await;
    let VaultEventKind::ListPaused { resume, .. } = end else {
        panic!("250 versions pause after a batch, got {end:?}");
    };
    // One request per window: the batch's first page passes, the second is
    // refused. Before the fix the worker ran the batch again after the wait.
    fx.vault.set_faults(local::Faults {
        throttle: Some(1),
        throttle_window: std::time::Duration::from_secs(2),
        ..Default::default()
    });
    let (tx, mut rx) = spawn_worker(fx.client_without_retries(), WorkerConfig::default());
    tx.send(WorkerInput::Run(VaultRequest {
        id: ReqId(1),
        cmd: VaultCmd::MoreVersions { name, resume },
    }))
    .await
    .expect("worker alive");
    let mut seen = Vec::new();
    let end = loop {
        let ev = tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv())
            .await
            .expect("an answer in time")
            .expect("worker alive");
        match ev.kind {
            VaultEventKind::SecretsPage(p) => seen.extend(p.into_iter().map(|s| s.id)),
            VaultEventKind::Retrying { .. } => {}
            other => break other,
        }
    };
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a version was sent twice");
    assert!(!seen.is_empty(), "the first page arrived");
    assert!(
        matches!(&end, VaultEventKind::Failed(e) if e.kind == ErrorKind::Throttled),
        "the throttled page fails the batch: {end:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_link_to_another_host_is_refused_before_any_request() {
    let fx = start_vault().await;
    let name = SecretName::parse("rotated").expect("name");
    let foreign = "https://elsewhere.example/secrets/rotated/versions?$skiptoken=1".to_owned();
    let (pages, end) = run_cmd(
        fx.client(),
        VaultCmd::MoreVersions {
            name: name.clone(),
            resume: foreign,
        },
    )
    .await;
    assert!(pages.is_empty());
    let VaultEventKind::Failed(e) = end else {
        panic!("a foreign next link must be refused, got {end:?}");
    };
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    // Same host, another port: refused too.
    let other_port = format!(
        "https://localhost:{}/secrets/rotated/versions?$skiptoken=1",
        fx.vault.port().wrapping_add(1)
    );
    let (_, end) = run_cmd(
        fx.client(),
        VaultCmd::MoreVersions {
            name,
            resume: other_port,
        },
    )
    .await;
    assert!(
        matches!(&end, VaultEventKind::Failed(e) if e.kind == ErrorKind::InvalidInput),
        "{end:?}"
    );
}

/// A `tracing` writer into a shared buffer, to search the log afterwards.
#[derive(Clone, Default)]
struct LogBuf(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn screen(model: &Model) -> String {
    let mut t =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).expect("terminal");
    let mut state = kvtui::ui::UiState::default();
    t.draw(|f| kvtui::ui::render(f, model, &mut state))
        .expect("draw");
    t.backend().to_string()
}

// One thread, so the log subscriber sees the worker and the local vault too.
#[tokio::test]
async fn compared_values_show_as_a_diff_and_are_never_logged() {
    let log = LogBuf::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fx = start_vault().await;
    let client = fx.client();
    for value in [
        r#"{"user":"app","password":"old-sentinel-51c9"}"#,
        r#"{"user":"app","password":"new-sentinel-8e2d"}"#,
    ] {
        let body: RequestContent<SetSecretParameters> = SetSecretParameters {
            value: Some(value.to_owned()),
            ..Default::default()
        }
        .try_into()
        .expect("body");
        client.set_secret("login", body, None).await.expect("set");
    }
    let mut steps = fx.stepper().await;
    steps.keys("enter").await;
    let d = steps.model.details.as_ref().expect("details open");
    assert_eq!(d.versions.len(), 2);
    // Mark both and compare them; the values come only with `s`.
    steps.keys("space space D").await;
    assert!(!screen(&steps.model).contains("sentinel"));
    steps.keys("s").await;
    let text = screen(&steps.model);
    assert!(
        text.contains(r#"-   "password": "old-sentinel-51c9""#),
        "{text}"
    );
    assert!(
        text.contains(r#"+   "password": "new-sentinel-8e2d""#),
        "{text}"
    );
    assert!(
        text.contains("1 line differs") || text.contains("2 lines differ"),
        "{text}"
    );
    steps.keys("esc").await;
    let d = steps.model.details.as_ref().expect("details open");
    assert!(d.compare.is_none(), "the values went with the comparison");
    steps.keys("esc").await;

    let logged = String::from_utf8_lossy(&log.0.lock().expect("log")).into_owned();
    assert!(logged.contains("vault"), "the log was captured");
    assert!(!logged.contains("sentinel"), "a value reached the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn t_disables_an_old_version_in_the_vault() {
    let fx = start_vault().await;
    fx.set_versions("toggled", 3).await;
    let mut steps = fx.stepper().await;
    steps.keys("enter").await;
    steps.keys("j").await;
    let d = steps.model.details.as_ref().expect("details open");
    let target = d.versions[1].version.clone().expect("a version id");
    steps.keys("t").await;
    assert!(
        matches!(
            steps.model.overlays.last(),
            Some(kvtui::app::Overlay::Confirm(_))
        ),
        "disabling asks first"
    );
    assert!(steps.model.details.as_ref().expect("open").versions[1].enabled);
    steps.keys("y").await;
    let d = steps.model.details.as_ref().expect("details open");
    assert!(!d.versions[1].enabled, "the row shows it at once");
    let mut pager = fx
        .client()
        .list_secret_properties_versions("toggled", None)
        .expect("pager");
    let mut enabled = HashMap::new();
    while let Some(item) = pager.next().await {
        let item = item.expect("item");
        let id = item.id.clone().unwrap_or_default();
        let version = id.rsplit('/').next().unwrap_or_default().to_owned();
        let on = item.attributes.and_then(|a| a.enabled).unwrap_or(true);
        enabled.insert(version, on);
    }
    assert_eq!(enabled.len(), 3);
    assert_eq!(enabled.get(&target), Some(&false));
    assert_eq!(enabled.values().filter(|on| **on).count(), 2);
}
