//! The whole app driven by scripted keys against the in-process local vault,
//! through the real worker and SDK, asserting on the rendered screen. Logs at
//! TRACE go to a file that must never contain the secret value.

mod app_common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use app_common::{NOW, Stepper};
use kvtui::app::{Keymap, Model, Msg, update};
use kvtui::local::{self, LocalVault, LocalVaultOptions};
use kvtui::ui::{UiState, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tempfile::TempDir;

const SENTINEL: &str = "flow-value-sentinel-7f3a";

struct Harness {
    steps: Stepper,
    vault: LocalVault,
    dir: TempDir,
}

impl Harness {
    async fn start() -> Self {
        let dir = TempDir::new().expect("temp dir");
        let mut opts = LocalVaultOptions::new(dir.path());
        opts.in_memory = true;
        let vault = local::start(opts).await.expect("local vault starts");
        let client = vault.client(&vault.url()).expect("client");
        let model = Model::new(vault.url(), true, Keymap::default_keymap(), NOW);
        let mut steps = Stepper::new(model, client);
        let start = update(&mut steps.model, Msg::Start);
        steps.run(start).await;
        Self { steps, vault, dir }
    }

    async fn keys(&mut self, keys: &str) {
        self.steps.keys(keys).await;
    }

    async fn text(&mut self, text: &str) {
        self.steps.text(text).await;
    }

    fn screen(&self) -> String {
        let mut t = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
        let mut state = UiState::default();
        t.draw(|f| render(f, &self.steps.model, &mut state))
            .expect("draw");
        t.backend().to_string()
    }
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

#[tokio::test]
async fn create_show_version_delete_recover_purge() {
    let log = LogBuf::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut h = Harness::start().await;

    // Create a secret through the form and see it in the list.
    h.keys("n").await;
    h.text("flow-secret").await;
    h.keys("tab").await;
    h.text(SENTINEL).await;
    h.keys("tab tab").await;
    h.text("text/plain").await;
    h.keys("ctrl-s").await;
    assert!(h.steps.model.overlays.is_empty(), "form closes on success");
    let screen = h.screen();
    assert!(screen.contains("flow-secret"), "{screen}");
    assert!(
        !screen.contains(SENTINEL),
        "a value never shows in the list"
    );

    // Show its value.
    h.keys("/").await;
    h.text("flow-secret").await;
    h.keys("enter enter").await;
    assert!(!h.screen().contains(SENTINEL), "masked until s");
    h.keys("s").await;
    assert!(h.screen().contains(SENTINEL), "{}", h.screen());

    // Add a version from the details view.
    h.keys("e").await;
    h.text("second-value").await;
    h.keys("ctrl-s").await;
    let screen = h.screen();
    assert!(screen.contains("Versions (2)"), "{screen}");
    assert!(
        !screen.contains(SENTINEL),
        "masked again after the new version"
    );
    h.keys("esc").await;

    // Back it up to a file.
    let backup = h.dir.path().join("flow.kvbackup");
    h.keys("b ctrl-u").await;
    h.text(&backup.display().to_string()).await;
    h.keys("ctrl-s").await;
    assert!(
        h.steps.model.overlays.is_empty(),
        "{:?}",
        h.steps.model.errors
    );
    assert!(backup.exists());

    // Delete it; find it in the deleted view; recover it.
    h.keys("d y").await;
    assert!(h.steps.model.secrets().find("flow-secret").is_none());
    h.keys("tab").await;
    assert!(h.screen().contains("flow-secret"), "{}", h.screen());
    h.keys("r y").await;
    assert!(h.steps.model.secrets().find("flow-secret").is_some());
    assert!(h.steps.model.deleted().find("flow-secret").is_none());

    // Delete again and purge.
    h.keys("tab tab d y tab").await;
    h.keys("P").await;
    h.text("flow-secret").await;
    h.keys("enter").await;
    assert!(h.steps.model.deleted().find("flow-secret").is_none());
    h.keys("f5").await;
    assert!(
        h.steps.model.deleted().find("flow-secret").is_none(),
        "purged for good"
    );
    assert_eq!(h.steps.model.error_count(), 0, "{:?}", h.steps.model.errors);

    // Restore it from the backup file.
    h.keys("tab R").await;
    h.text(&backup.display().to_string()).await;
    h.keys("ctrl-s").await;
    assert!(
        h.steps.model.overlays.is_empty(),
        "{:?}",
        h.steps.model.errors
    );
    assert!(h.screen().contains("flow-secret"), "{}", h.screen());

    // The sentinel is in no log line and in no file the session wrote.
    let text = String::from_utf8_lossy(&log.0.lock().expect("log")).into_owned();
    assert!(!text.is_empty(), "the session logged something");
    assert!(!text.contains(SENTINEL), "a value leaked into the log");
    for entry in walk(h.dir.path()) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        let hay = String::from_utf8_lossy(&bytes);
        assert!(
            !hay.contains(SENTINEL),
            "value found in {}",
            entry.display()
        );
    }
    h.vault.shutdown().await;
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
