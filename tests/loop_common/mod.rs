//! Driving the real run loop: scripted terminal events in, a `TestBackend`
//! read back, waiting for what is on screen (with a deadline), never for a
//! fixed time.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc::UnboundedSender;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

/// A `TestBackend` the script can read while the loop draws into it.
#[derive(Clone)]
pub struct Shared(pub Arc<Mutex<TestBackend>>);

impl Shared {
    pub fn screen(&self) -> String {
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

pub struct Script {
    pub keys: UnboundedSender<std::io::Result<Event>>,
    pub screen: Shared,
}

impl Script {
    pub fn key(&self, code: KeyCode, mods: KeyModifiers) {
        let _ = self
            .keys
            .unbounded_send(Ok(Event::Key(KeyEvent::new(code, mods))));
    }
    pub fn keys(&self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c), KeyModifiers::NONE);
        }
    }
    pub fn paste(&self, text: &str) {
        let _ = self.keys.unbounded_send(Ok(Event::Paste(text.to_owned())));
    }
    /// Waits until `cond` holds, failing after a generous deadline.
    pub async fn until(&self, what: &str, cond: impl Fn(&str) -> bool) {
        self.until_within(what, Duration::from_secs(30), cond).await;
    }

    /// [`Script::until`] with its own deadline, for long bulk work.
    pub async fn until_within(&self, what: &str, limit: Duration, cond: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + limit;
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

/// A model for one vault, wired to the given worker channels, as the runtime
/// builds it.
pub fn wired(
    label: &str,
    is_local: bool,
    requests: tokio::sync::mpsc::Sender<kvtui::vault::WorkerInput>,
    events: tokio::sync::mpsc::Receiver<kvtui::vault::VaultEvent>,
) -> (kvtui::app::Model, kvtui::runtime::Wiring) {
    let mut model = kvtui::app::Model::new(
        label,
        is_local,
        kvtui::app::Keymap::default_keymap(),
        time::macros::datetime!(2026-01-15 12:00 UTC),
    );
    let wiring = kvtui::runtime::wire(
        &mut model,
        vec![kvtui::runtime::VaultConn {
            label: label.to_owned(),
            is_local,
            requests,
            events,
        }],
    );
    (model, wiring)
}

/// A terminal drawing into a screen the script can read.
pub fn screen(width: u16, height: u16) -> (ratatui::Terminal<Shared>, Shared) {
    let shared = Shared(Arc::new(Mutex::new(TestBackend::new(width, height))));
    let terminal = ratatui::Terminal::new(shared.clone()).expect("terminal");
    (terminal, shared)
}

/// A clipboard whose copies go nowhere, for tests that copy nothing.
pub fn quiet_clipboard() -> kvtui::runtime::clipboard::Clipboard {
    kvtui::runtime::clipboard::Clipboard::new(
        kvtui::runtime::clipboard::Backend::Command {
            copy: vec!["true".into()],
            paste: None,
        },
        Duration::from_secs(30),
    )
}
