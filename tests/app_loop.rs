//! The real run loop, driven by scripted terminal events into a shared
//! `TestBackend`, against the in-process local vault: requests reach the
//! worker, answers are drawn, a value file is read, a copied value reaches the
//! clipboard and is cleared again, and `q` ends the loop. The script waits for
//! what it expects on screen (with a deadline), never for a fixed time.

mod app_common;
mod loop_common;

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use app_common::NOW;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures::channel::mpsc::unbounded;
use kvtui::app::{Keymap, Model};
use kvtui::local::{self, LocalVaultOptions};
use kvtui::runtime::clipboard::{Backend as ClipBackend, Clipboard};
use kvtui::runtime::{VaultConn, event_loop, wire};
use kvtui::vault::{WorkerConfig, spawn_worker};
use loop_common::{Script, Shared, quiet_clipboard, screen, wired};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tempfile::TempDir;

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
        event_loop(
            &mut terminal,
            input,
            &mut model,
            &mut wiring,
            clipboard,
            kvtui::runtime::TICK
        ),
        drive
    );
    result.expect("the loop ends cleanly");
    assert_eq!(model.error_count(), 0, "{:?}", model.errors);
    vault.shutdown().await;
}

/// Idle, the loop sleeps until an event: once the lists are in and nothing
/// moves, no tick comes however short the tick is (each tick advances the
/// spinner, so `model.spinner` counts them).
#[tokio::test]
async fn an_idle_loop_waits_for_events_without_ticking() {
    let dir = TempDir::new().expect("temp dir");
    let mut opts = LocalVaultOptions::new(dir.path());
    opts.in_memory = true;
    let vault = local::start(opts).await.expect("local vault");
    let client = vault.client(&vault.url()).expect("client");
    let (requests, events) = spawn_worker(client, WorkerConfig::default());
    let (mut model, mut wiring) = wired(&vault.url(), true, requests, events);
    let (mut terminal, shared) = screen(100, 30);
    let (keys, input) = unbounded();
    let script = Script {
        keys,
        screen: shared,
    };
    let tick = Duration::from_millis(5);
    let idle = Duration::from_secs(1);
    let start = Instant::now();
    let drive = async {
        script
            .until("both lists in", |s| {
                s.contains("no secrets") && s.contains("0 deleted") && !s.contains("loading")
            })
            .await;
        let settled = start.elapsed();
        tokio::time::sleep(idle).await;
        script.keys("q");
        settled
    };
    let (result, settled) = tokio::join!(
        event_loop(
            &mut terminal,
            input,
            &mut model,
            &mut wiring,
            quiet_clipboard(),
            tick
        ),
        drive
    );
    result.expect("the loop ends cleanly");
    // Ticks while loading, and a few after; an idle second at 5 ms a tick
    // would add 200.
    let allowed = settled.as_millis() / tick.as_millis() + 40;
    assert!(
        (model.spinner as u128) <= allowed,
        "{} ticks in {settled:?} of loading and {idle:?} idle (at most {allowed})",
        model.spinner
    );
    vault.shutdown().await;
}

/// Terminal input that behaves like crossterm's `EventStream`: a pending poll
/// hands its waker to a reader "thread" once, and only that waker is woken
/// when input arrives. A loop that polls it with a throw-away waker never
/// hears of the next key until something else wakes it.
#[derive(Clone, Default)]
struct OneWakerInput(Arc<Mutex<(VecDeque<Event>, Option<Waker>)>>);

impl OneWakerInput {
    fn push(&self, events: &[Event]) {
        let waker = {
            let mut state = self.0.lock().expect("input");
            state.0.extend(events.iter().cloned());
            state.1.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl futures::Stream for OneWakerInput {
    type Item = std::io::Result<Event>;
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut state = self.0.lock().expect("input");
        if let Some(ev) = state.0.pop_front() {
            return Poll::Ready(Some(Ok(ev)));
        }
        if state.1.is_none() {
            state.1 = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}

fn key(c: char) -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// Keys queued together are all handled and drawn at once, with a tick so
/// long that only the keys themselves can wake the loop. The script runs on
/// another task, so its own timers never wake the loop either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_keys_are_handled_without_waiting_for_the_tick() {
    let (requests, _worker_side) = tokio::sync::mpsc::channel(16);
    let (_answers, events) = tokio::sync::mpsc::channel(16);
    let (mut model, mut wiring) = wired("test vault", false, requests, events);
    let (mut terminal, shared) = screen(100, 30);
    let input = OneWakerInput::default();
    let (keys, _unused) = unbounded();
    let script = Script {
        keys,
        screen: shared,
    };
    let clipboard = quiet_clipboard();
    let an_hour = Duration::from_secs(3600);

    let keys_in = input.clone();
    let mut drive = tokio::spawn(async move {
        script
            .until("the first frame", |s| s.contains("test vault"))
            .await;
        keys_in.push(&[key('/')]);
        script
            .until("the filter prompt", |s| s.contains("/   0 matches"))
            .await;
        keys_in.push(&[key('a'), key('b')]);
        script
            .until("both keys typed", |s| s.contains("/ab   0 matches"))
            .await;
        keys_in.push(&[key('c')]);
        script
            .until("the next key", |s| s.contains("/abc   0 matches"))
            .await;
        keys_in.push(&[Event::Key(KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL,
        ))]);
    });
    {
        let run = event_loop(
            &mut terminal,
            input,
            &mut model,
            &mut wiring,
            clipboard,
            an_hour,
        );
        tokio::pin!(run);
        tokio::select! {
            result = &mut run => {
                result.expect("the loop ends cleanly");
                drive.await.expect("the script saw every key drawn");
            }
            joined = &mut drive => {
                joined.expect("the script saw every key drawn");
                tokio::time::timeout(Duration::from_secs(30), run)
                    .await
                    .expect("the loop ends")
                    .expect("cleanly");
            }
        }
    }
}

/// A worker whose queue is full: the request that does not fit fails through
/// `update` (its spinner stops, the error shows), instead of waiting for ever.
#[tokio::test]
async fn a_full_worker_queue_fails_the_request_visibly() {
    let (requests, _never_read) = tokio::sync::mpsc::channel(1);
    let (_answers, events) = tokio::sync::mpsc::channel(16);
    let (mut model, mut wiring) = wired("full vault", false, requests, events);
    let (mut terminal, shared) = screen(100, 30);
    let (keys, input) = unbounded();
    let script = Script {
        keys,
        screen: shared,
    };
    let clipboard = quiet_clipboard();
    let drive = async {
        // Start sends two lists; the second does not fit in the queue.
        script
            .until("the refusal", |s| s.contains("the vault worker is busy"))
            .await;
        script.keys("q");
    };
    let (result, ()) = tokio::join!(
        event_loop(
            &mut terminal,
            input,
            &mut model,
            &mut wiring,
            clipboard,
            kvtui::runtime::TICK
        ),
        drive
    );
    result.expect("the loop ends cleanly");
    assert_eq!(
        model.pending.len(),
        1,
        "only the request that was queued waits"
    );
}
