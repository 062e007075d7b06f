//! The run loop: one `select!` over terminal events, vault events, a tick and
//! termination signals. It drains whatever is queued, applies it through
//! `update`, sends the resulting requests and draws once, only on change.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyModifiers, MouseEventKind};
use std::task::Poll;

use futures::Stream;
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::Backend;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tracing_appender::non_blocking::WorkerGuard;

use super::clipboard::{self, Clipboard};
use super::keymap::Keymap;
use super::model::{Model, Msg};
use super::update::update;
use crate::config::{Config, ConfigError, default_state_dir};
use crate::tui;
use crate::ui::{self, UiState};
use crate::vault::{ErrorKind, VaultError, VaultEvent, VaultRequest};

/// Why the UI stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("terminal: {0}")]
    Terminal(#[from] io::Error),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot open the log file {path}: {source}")]
    Log { path: PathBuf, source: io::Error },
    #[error("cannot set up logging: {0}")]
    LogInit(String),
    #[error("cannot draw: {0}")]
    Draw(String),
}

/// Sends logs to a file (never the terminal) through a non-blocking writer;
/// keep the guard alive until exit so the last lines are flushed.
pub fn init_logging(log_file: Option<&Path>) -> Result<WorkerGuard, AppError> {
    let path = match log_file {
        Some(p) => p.to_owned(),
        None => default_state_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("kvtui.log"),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| AppError::Log {
            path: path.clone(),
            source,
        })?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|source| AppError::Log {
            path: path.clone(),
            source,
        })?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = tracing_subscriber::EnvFilter::try_from_env("KVTUI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .map_err(|e| AppError::LogInit(e.to_string()))?;
    Ok(guard)
}

/// Builds the model from the config: keymap overrides (warnings shown as a
/// toast), colours off under `NO_COLOR`.
pub fn initial_model(config: &Config, vault_label: String, is_local: bool) -> Model {
    let mut keymap = Keymap::default_keymap();
    let warnings = keymap.apply_overrides(&config.keymap);
    let mut model = Model::new(vault_label, is_local, keymap, OffsetDateTime::now_utc());
    model.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    for w in warnings {
        tracing::warn!("{w}");
        model.toast(w, true);
    }
    model
}

/// One vault the UI can show: its label, whether it is the local vault, and
/// the channels of the worker serving it.
pub struct VaultConn {
    pub label: String,
    pub is_local: bool,
    pub requests: mpsc::Sender<VaultRequest>,
    pub events: mpsc::Receiver<VaultEvent>,
}

/// Runs the TUI over several vaults; the first is shown first and the vault
/// picker (`v`) switches between them, each keeping its loaded lists.
pub async fn run_vaults(config: &Config, vaults: Vec<VaultConn>) -> Result<(), AppError> {
    let Some(first) = vaults.first() else {
        return Ok(());
    };
    let mut model = initial_model(config, first.label.clone(), first.is_local);
    let mut wiring = wire(&mut model, vaults);
    let clipboard = Clipboard::new(
        clipboard::detect(&|k| std::env::var(k).ok(), &clipboard::on_path),
        Duration::from_secs(config.clipboard_clear_seconds),
    );
    model.copy_target = clipboard.target();
    let mut terminal = tui::enter()?;
    let result = event_loop(
        &mut terminal,
        EventStream::new(),
        &mut model,
        &mut wiring,
        clipboard,
        TICK,
    )
    .await;
    tui::restore();
    result
}

/// How often the clock, spinner, toasts and the clipboard timer advance. Keys
/// never wait for it: they are handled and drawn as they arrive.
pub const TICK: Duration = Duration::from_millis(250);

/// The workers as the loop sees them: requests routed by vault index, events
/// merged into one stream (request ids are unique across vaults).
pub struct Wiring {
    senders: Vec<mpsc::Sender<VaultRequest>>,
    events: mpsc::Receiver<VaultEvent>,
}

/// Connects the vaults to the model; the first is the one the model was made
/// for, the others join the vault picker.
pub fn wire(model: &mut Model, vaults: Vec<VaultConn>) -> Wiring {
    let (merged_tx, events) = mpsc::channel(256);
    let mut senders = Vec::new();
    for (i, conn) in vaults.into_iter().enumerate() {
        if i > 0 {
            model.add_vault(conn.label.clone(), conn.is_local);
        }
        senders.push(conn.requests);
        let tx = merged_tx.clone();
        let mut events = conn.events;
        tokio::spawn(async move {
            while let Some(ev) = events.recv().await {
                if tx.send(ev).await.is_err() {
                    break;
                }
            }
        });
    }
    Wiring { senders, events }
}

/// The loop proper, over any backend and any stream of terminal events, so
/// tests can drive it with a `TestBackend` and scripted events.
pub async fn event_loop<B, S>(
    terminal: &mut Terminal<B>,
    mut input: S,
    model: &mut Model,
    wiring: &mut Wiring,
    mut clipboard: Clipboard,
    tick_every: Duration,
) -> Result<(), AppError>
where
    B: Backend,
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    let draw_err = |e: B::Error| AppError::Draw(e.to_string());
    let requests = &wiring.senders;
    let events = &mut wiring.events;
    let mut tick = tokio::time::interval(tick_every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut stop = std::pin::pin!(tui::terminate_signal());
    let mut ui_state = UiState::default();
    let mut worker_alive = true;

    let size = terminal.size().map_err(draw_err)?;
    let mut msgs = vec![
        Msg::Resize {
            width: size.width,
            height: size.height,
        },
        Msg::Start,
    ];
    let mut dirty = true;
    loop {
        for msg in msgs.drain(..) {
            let is_tick = matches!(msg, Msg::Tick(_));
            let had_toast = model.toast.is_some();
            for req in update(model, msg) {
                send(model, requests, req);
            }
            if let Some(path) = model.read_file.take() {
                for req in update(model, Msg::FileRead(read_value_file(&path))) {
                    send(model, requests, req);
                }
            }
            dirty |= !is_tick || model.is_loading() || had_toast;
        }
        if let Some(clip) = model.clipboard.take() {
            clipboard.copy(&clip);
        }
        clipboard.clear_if_due();
        if model.quit {
            clipboard.clear_now();
            return Ok(());
        }
        if dirty {
            terminal
                .draw(|frame| ui::render(frame, model, &mut ui_state))
                .map_err(draw_err)?;
            dirty = false;
        }
        tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(ev)) => {
                    let height = terminal.size().map_err(draw_err)?.height;
                    msgs.extend(to_msg(ev, model, &ui_state, height));
                }
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            ev = events.recv(), if worker_alive => match ev {
                Some(ev) => msgs.push(Msg::Vault(ev)),
                None => {
                    worker_alive = false;
                    model.record_error("vault", VaultError::new(ErrorKind::Other, "the vault worker stopped"));
                    dirty = true;
                }
            },
            _ = tick.tick() => msgs.push(Msg::Tick(OffsetDateTime::now_utc())),
            _ = &mut stop => return Ok(()),
        }
        // Drain what is already queued so a burst costs one frame.
        while let Ok(ev) = events.try_recv() {
            msgs.push(Msg::Vault(ev));
        }
        // `poll!` polls with this task's waker: crossterm's stream hands the
        // waker of a pending poll to its reader thread, so a throw-away waker
        // (`now_or_never`) would leave the next key waiting for the tick.
        loop {
            match futures::poll!(input.next()) {
                Poll::Ready(Some(Ok(ev))) => {
                    let height = terminal.size().map_err(draw_err)?.height;
                    msgs.extend(to_msg(ev, model, &ui_state, height));
                }
                Poll::Ready(Some(Err(e))) => return Err(e.into()),
                // The end of input is seen by the `select!` once these are applied.
                Poll::Ready(None) | Poll::Pending => break,
            }
        }
    }
}

/// Reads a value file for a form; refuses files far over Key Vault's limit
/// without reading them whole.
fn read_value_file(path: &Path) -> Result<secrecy::SecretString, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.len() > 64 * 1024 {
        return Err(format!(
            "{} has {} bytes; Key Vault takes at most 25 KiB",
            path.display(),
            meta.len()
        ));
    }
    std::fs::read_to_string(path)
        .map(secrecy::SecretString::from)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Hands a request to the worker of its vault without waiting; a full or closed channel
/// becomes an error the user sees.
fn send(model: &mut Model, requests: &[mpsc::Sender<VaultRequest>], req: VaultRequest) {
    let Some(sender) = requests.get(model.route(req.id)) else {
        return;
    };
    if let Err(e) = sender.try_send(req) {
        let text = match e {
            mpsc::error::TrySendError::Full(_) => "the vault worker is busy; try again",
            mpsc::error::TrySendError::Closed(_) => "the vault worker stopped",
        };
        model.record_error("send a request", VaultError::new(ErrorKind::Other, text));
    }
}

/// Terminal events as messages; the mouse wheel moves like the arrow keys
/// and a click selects the row under it.
fn to_msg(ev: Event, model: &Model, ui_state: &UiState, height: u16) -> Option<Msg> {
    match ev {
        Event::Key(key) => Some(Msg::Key(key)),
        Event::Resize(width, height) => Some(Msg::Resize { width, height }),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Mouse(m) => match m.kind {
            MouseEventKind::ScrollDown => {
                Some(Msg::Key(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)))
            }
            MouseEventKind::ScrollUp => {
                Some(Msg::Key(KeyEvent::new(KeyCode::Up, KeyModifiers::NONE)))
            }
            MouseEventKind::Down(_) => {
                ui::list_row_at(model, ui_state, m.row, height).map(Msg::SelectRow)
            }
            _ => None,
        },
        _ => None,
    }
}
