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
