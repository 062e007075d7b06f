//! The real run loop, driven by scripted terminal events into a shared
//! `TestBackend`, against the in-process local vault: requests reach the
//! worker, answers are drawn, a value file is read, a copied value reaches the
//! clipboard and is cleared again, and `q` ends the loop. The script waits for
//! what it expects on screen (with a deadline), never for a fixed time.

mod app_common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app_common::NOW;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc::{UnboundedSender, unbounded};
use kvtui::app::clipboard::{Backend as ClipBackend, Clipboard};
use kvtui::app::{Keymap, Model, VaultConn, event_loop, wire};
use kvtui::local::{self, LocalVaultOptions};
use kvtui::vault::{WorkerConfig, spawn_worker};
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};
use tempfile::TempDir;

/// A `TestBackend` the script can read while the loop draws into it.
#[derive(Clone)]
struct Shared(Arc<Mutex<TestBackend>>);

impl Shared {
    fn screen(&self) -> String {
        self.0.lock().map(|b| b.to_string()).unwrap_or_default()
    }
}

type Never = std::convert::Infallible;

impl Backend for Shared {
    type Error = Never;
    fn draw<'a, I: Iterator<Item = (u16, u16, &'a Cell)>>(
        &mut self,
        content: I,
    ) -> Result<(), Never> {
        self.0.lock().expect("backend").draw(content)
    }
    fn hide_cursor(&mut self) -> Result<(), Never> {
        self.0.lock().expect("backend").hide_cursor()
    }
    fn show_cursor(&mut self) -> Result<(), Never> {
        self.0.lock().expect("backend").show_cursor()
    }
    fn get_cursor_position(&mut self) -> Result<Position, Never> {
        self.0.lock().expect("backend").get_cursor_position()
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Never> {
        self.0
            .lock()
            .expect("backend")
            .set_cursor_position(position)
    }
    fn clear(&mut self) -> Result<(), Never> {
        self.0.lock().expect("backend").clear()
    }
    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Never> {
        self.0.lock().expect("backend").clear_region(clear_type)
    }
    fn size(&self) -> Result<Size, Never> {
        self.0.lock().expect("backend").size()
    }
    fn window_size(&mut self) -> Result<WindowSize, Never> {
        self.0.lock().expect("backend").window_size()
    }
    fn flush(&mut self) -> Result<(), Never> {
        self.0.lock().expect("backend").flush()
    }
}

struct Script {
    keys: UnboundedSender<std::io::Result<Event>>,
    screen: Shared,
}

impl Script {
    fn key(&self, code: KeyCode, mods: KeyModifiers) {
        let _ = self
            .keys
            .unbounded_send(Ok(Event::Key(KeyEvent::new(code, mods))));
    }
    fn keys(&self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c), KeyModifiers::NONE);
        }
    }
    fn paste(&self, text: &str) {
        let _ = self.keys.unbounded_send(Ok(Event::Paste(text.to_owned())));
    }
    /// Waits until `cond` holds, failing after a generous deadline.
    async fn until(&self, what: &str, cond: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen.screen();
            if cond(&screen) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}:\n{screen}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

#[tokio::test]
async fn the_loop_drives_the_vault_and_the_clipboard() {
    let dir = TempDir::new().expect("temp dir");
    let mut opts = LocalVaultOptions::new(dir.path());
    opts.in_memory = true;
    let vault = local::start(opts).await.expect("local vault");
    let client = vault.client(&vault.url()).expect("client");
    let (requests, events) = spawn_worker(client, WorkerConfig::default());
    let mut model = Model::new(vault.url(), true, Keymap::default_keymap(), NOW);
    let mut wiring = wire(
        &mut model,
        vec![VaultConn {
            label: vault.url(),
            is_local: true,
            requests,
            events,
        }],
    );

    // The clipboard is a file, written and read by shell tools.
    let clip = dir.path().join("clipboard");
    std::fs::write(&clip, "").expect("clipboard file");
    let clipboard = Clipboard::new(
        ClipBackend::Command {
            copy: vec![
                "sh".into(),
                "-c".into(),
                format!("cat > '{}'", clip.display()),
            ],
            paste: Some(vec!["cat".into(), clip.display().to_string()]),
        },
        Duration::from_millis(300),
    );
    let value_file = dir.path().join("value.txt");
    std::fs::write(&value_file, "loop-value-9").expect("value file");

    let shared = Shared(Arc::new(Mutex::new(TestBackend::new(100, 30))));
    let mut terminal = Terminal::new(shared.clone()).expect("terminal");
    let (keys, input) = unbounded();
    let script = Script {
        keys,
        screen: shared,
    };

    let drive = async {
        script
            .until("the empty list", |s| s.contains("no secrets"))
            .await;
        script.keys("n");
        script.keys("loop-secret");
        script.key(KeyCode::Tab, KeyModifiers::NONE);
        script.key(KeyCode::Tab, KeyModifiers::NONE);
        script.paste(&value_file.display().to_string());
        script.key(KeyCode::Char('s'), KeyModifiers::CONTROL);
        script
            .until("the new secret", |s| {
                s.contains("loop-secret") && !s.contains("New secret")
            })
            .await;
        script.keys("y");
        let read = || std::fs::read_to_string(&clip).unwrap_or_default();
        let deadline = Instant::now() + Duration::from_secs(30);
        while read() != "loop-value-9" {
            assert!(
                Instant::now() < deadline,
                "the value never reached the clipboard"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        while !read().is_empty() {
            assert!(Instant::now() < deadline, "the value was never cleared");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(!script.screen.screen().contains("loop-value-9"));
        script.keys("q");
    };
    let (result, ()) = tokio::join!(
        event_loop(&mut terminal, input, &mut model, &mut wiring, clipboard),
        drive
    );
    result.expect("the loop ends cleanly");
    assert!(model.quit);
    assert!(model.errors.is_empty(), "{:?}", model.errors);
    vault.shutdown().await;
}
