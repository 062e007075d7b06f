//! The run loop: one `select!` over terminal events, the workers' events,
//! answers to effects, a tick and termination signals. It drains whatever is
//! queued, applies it through `update`, performs the effects and draws once,
//! only on change.

use std::io;
use std::task::Poll;
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers, MouseEventKind};
use futures::Stream;
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::Backend;
use time::OffsetDateTime;
use tokio::sync::mpsc;

use super::AppError;
use super::cache_io::CacheIo;
use super::clipboard::{self, Clipboard};
use super::effects::Performer;
use crate::app::{Keymap, Model, Msg, update};
use crate::config::Config;
use crate::list_cache::ListCache;
use crate::tui;
use crate::ui::{self, UiState};
use crate::vault::{VaultEvent, WorkerInput};

/// Builds the model from the config: keymap overrides (warnings shown as a
/// toast), colours off under `NO_COLOR`.
pub fn initial_model(config: &Config, vault_label: String, is_local: bool) -> Model {
    let mut keymap = Keymap::configured(config.clipboard_clear_seconds);
    let warnings = keymap.apply_overrides(&config.keymap);
    let mut model = Model::new(vault_label, is_local, keymap, OffsetDateTime::now_utc());
    model.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    model.set_expiring_days(config.expiring_days);
    model.zone = crate::dates::local_zone(config.utc);
    // Each warning goes to the history; the status line says how many.
    let count = warnings.len();
    for w in warnings {
        tracing::warn!("{w}");
        model.toast(w, true);
    }
    if count > 1 {
        model.toast(format!("{count} keymap warnings (! lists them all)"), true);
    }
    model
}

/// One vault the UI can show: its label, whether it is the local vault, and
/// the channels of the worker serving it.
pub struct VaultConn {
    pub label: String,
    pub is_local: bool,
    pub requests: mpsc::Sender<WorkerInput>,
    pub events: mpsc::Receiver<VaultEvent>,
}

/// Runs the TUI over several vaults; the first is shown first and the vault
/// picker (`v`) switches between them, each keeping its loaded lists.
/// `opener` opens what the picker chooses and searches for vaults; `known`
/// are the config's vault URLs; `discover` opens on the picker; `welcome` is
/// the first-run line about the embedded sample vault; `cache` keeps the
/// lists of the vaults it marks (by route).
pub async fn run_vaults(
    config: &Config,
    vaults: Vec<VaultConn>,
    opener: std::sync::Arc<dyn VaultOpener>,
    known: Vec<String>,
    discover: bool,
    welcome: Option<crate::app::Welcome>,
    cache: Option<(ListCache, Vec<bool>)>,
) -> Result<(), AppError> {
    let Some(first) = vaults.first() else {
        return Ok(());
    };
    let mut model = initial_model(config, first.label.clone(), first.is_local);
    model.welcome = welcome;
    model.known_vaults = known;
    model.discovery_available = true;
    model.picker_at_start = discover;
    if let Some((source, local)) = opener.discovery_source() {
        model.discovered.source = source;
        model.discovered.local = local;
    }
    if let Some(source) = opener.azure_source() {
        model.azure_discovered = Some(crate::app::picker::Discovered {
            source,
            ..Default::default()
        });
    }
    model.apply_vault_cache(opener.load_cache());
    let mut wiring = wire(&mut model, vaults).with_opener(opener);
    wiring.mouse = Some(Box::new(tui::set_mouse_capture));
    let input = super::edit::PausableEvents::new();
    let paused = input.clone();
    wiring.editor = Some(Box::new(move |value| {
        super::edit::edit_with_terminal(&paused, value)
    }));
    if let Some((store, cacheable)) = cache {
        wiring.use_cache(&mut model, store, &cacheable);
    }
    let clipboard = Clipboard::new(
        clipboard::detect(&|k| std::env::var(k).ok(), &clipboard::on_path),
        Duration::from_secs(config.clipboard_clear_seconds),
    );
    model.copy_target = clipboard.target();
    let mut terminal = tui::enter()?;
    let result = event_loop(
        &mut terminal,
        input,
        &mut model,
        &mut wiring,
        clipboard,
        TICK,
    )
    .await;
    tui::restore();
    result
}

/// How often the clock, spinner and toasts advance while something moves
/// (`Model::animating`). Keys never wait for it: they are handled and drawn as
/// they arrive.
pub const TICK: Duration = Duration::from_millis(250);

/// With nothing moving the loop sleeps until an event, waking only this
/// often to redraw what is shown relative to the clock ("saved 3 min ago",
/// expiry colours), and when a copied value is due to be cleared.
pub const IDLE_CLOCK: Duration = Duration::from_secs(60);

/// The workers as the loop sees them: inboxes by vault index, and their
/// events merged into one stream of messages (request ids are unique across
/// vaults); a worker that stops is reported as `Msg::WorkerStopped`.
pub struct Wiring {
    senders: Vec<mpsc::Sender<WorkerInput>>,
    events: mpsc::Receiver<Msg>,
    /// Turns the terminal's mouse reporting on or off; none without a
    /// real terminal (tests).
    pub mouse: Option<MouseSwitch>,
    /// Runs the user's editor on a value with the terminal given back
    /// (`Ctrl-E`); none without a real terminal.
    pub editor: Option<EditValue>,
    merged: mpsc::Sender<Msg>,
    /// Opens vaults chosen in the picker and searches for vaults; none in
    /// runs that offer only the vaults they started with.
    opener: Option<std::sync::Arc<dyn VaultOpener>>,
    opened_tx: mpsc::UnboundedSender<Opened>,
    opened: mpsc::UnboundedReceiver<Opened>,
    /// Each vault's URL, by route.
    labels: Vec<String>,
    cache: Option<CacheIo>,
}

impl Wiring {
    /// Keeps the lists of the vaults `cacheable` marks (by route) in `store`.
    pub fn use_cache(&mut self, model: &mut Model, store: ListCache, cacheable: &[bool]) {
        let urls = self
            .labels
            .iter()
            .enumerate()
            .map(|(route, label)| {
                let on = cacheable.get(route).copied().unwrap_or(false);
                if on {
                    model.use_cache(route);
                }
                on.then(|| label.clone())
            })
            .collect();
        self.cache = Some(CacheIo::new(store, urls));
    }

    /// Lets the picker open vaults and search for them through `opener`.
    pub fn with_opener(mut self, opener: std::sync::Arc<dyn VaultOpener>) -> Self {
        self.opener = Some(opener);
        self
    }

    /// Adds the worker of a vault opened while running; its route is the next index.
    fn add(&mut self, conn: VaultConn) -> Msg {
        let route = self.senders.len();
        self.senders.push(conn.requests);
        self.labels.push(conn.label.clone());
        forward(self.merged.clone(), conn.events, route);
        Msg::VaultOpened {
            label: conn.label,
            is_local: conn.is_local,
        }
    }
}

/// Opening a vault while running, and searching for vaults: the composition
/// root implements it, so the runtime knows neither Azure nor the local vault.
pub trait VaultOpener: Send + Sync {
    /// Opens `url` and starts its worker.
    fn open(&self, url: String) -> futures::future::BoxFuture<'static, Result<VaultConn, String>>;
    /// What the picker remembered last time (empty when nothing was).
    fn load_cache(&self) -> crate::app::picker::vault_cache::VaultCache;
    /// Remembers recent and discovered vaults for the next run.
    fn save_cache(&self, cache: crate::app::picker::vault_cache::VaultCache);
    /// The endpoint searched, and whether it is a local service's.
    fn discovery_source(&self) -> Option<(String, bool)>;
    /// Azure's Resource Manager, searched beside the local vaults' (which
    /// `discovery_source` names then), when it is another endpoint.
    fn azure_source(&self) -> Option<String>;
    /// The search (in `tenant` only, when set; `azure`: Azure's beside the
    /// local one), reporting through `tx` until `DiscoveryEvent::Done`.
    fn discover(
        &self,
        tenant: Option<String>,
        azure: bool,
        tx: mpsc::UnboundedSender<crate::vault::discovery::DiscoveryEvent>,
    ) -> futures::future::BoxFuture<'static, ()>;
    /// Compares two vaults or copies between them (by URL), reporting
    /// through `tx` until the job's last event.
    fn across(
        &self,
        job: crate::app::across::AcrossJob,
        tx: mpsc::UnboundedSender<crate::app::across::AcrossEvent>,
    ) -> futures::future::BoxFuture<'static, ()> {
        let id = job.id();
        let error = crate::vault::VaultError::new(
            crate::vault::ErrorKind::Other,
            "this run compares no vaults",
        );
        let _ = tx.send(crate::app::across::AcrossEvent::Failed { id, error });
        Box::pin(async {})
    }
    /// The access doctor's report on `url`, as lines of text.
    fn doctor(
        &self,
        url: String,
    ) -> futures::future::BoxFuture<'static, Result<Vec<String>, String>> {
        let _ = url;
        Box::pin(async { Err("this run has no access doctor".to_owned()) })
    }
}

/// What an open ended with: the connection, or the URL and why not.
pub(super) type Opened = Result<VaultConn, (String, String)>;

/// Feeds a worker's events into the merged stream; its end becomes `WorkerStopped`.
fn forward(tx: mpsc::Sender<Msg>, mut events: mpsc::Receiver<VaultEvent>, route: usize) {
    tokio::spawn(async move {
        while let Some(ev) = events.recv().await {
            if tx.send(Msg::Vault(ev)).await.is_err() {
                return;
            }
        }
        let _ = tx.send(Msg::WorkerStopped { route }).await;
    });
}

/// What `Effect::MouseCapture` calls.
pub type MouseSwitch = Box<dyn FnMut(bool) + Send>;

/// What `Effect::EditValue` calls: the edited text, or why not.
pub type EditValue =
    Box<dyn FnMut(&secrecy::SecretString) -> Result<secrecy::SecretString, String> + Send>;

/// Connects the vaults to the model; the first is the one the model was made
/// for, the others join the vault picker.
pub fn wire(model: &mut Model, vaults: Vec<VaultConn>) -> Wiring {
    let (merged_tx, events) = mpsc::channel(256);
    let mut senders = Vec::new();
    let mut labels = Vec::new();
    for (route, conn) in vaults.into_iter().enumerate() {
        labels.push(conn.label.clone());
        if route > 0 {
            model.add_vault(conn.label.clone(), conn.is_local);
        }
        senders.push(conn.requests);
        forward(merged_tx.clone(), conn.events, route);
    }
    let (opened_tx, opened) = mpsc::unbounded_channel();
    Wiring {
        senders,
        events,
        mouse: None,
        editor: None,
        merged: merged_tx,
        opener: None,
        opened_tx,
        opened,
        labels,
        cache: None,
    }
}

/// The loop proper, over any backend and any stream of terminal events, so
/// tests can drive it with a `TestBackend` and scripted events. `tick_every`
/// paces the clock, spinner and toasts while something moves; idle, the loop
/// waits on events (and `IDLE_CLOCK`); keys never wait for either.
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
    let mut next_tick = Instant::now() + tick_every;
    let mut stop = std::pin::pin!(tui::terminate_signal());
    let mut ui_state = UiState::default();
    let (answers_tx, mut answers) = mpsc::unbounded_channel();
    let mut workers_open = true;

    let size = terminal.size().map_err(draw_err)?;
    let mut msgs = vec![
        Msg::Resize {
            width: size.width,
            height: size.height,
        },
        Msg::Start,
    ];
    let mut dirty = true;
    // The tick was the idle clock's: redraw what depends on the time.
    let mut clock_tick = false;
    loop {
        let mut performer = Performer {
            workers: &wiring.senders,
            clipboard: &mut clipboard,
            answers: &answers_tx,
            mouse: wiring.mouse.as_mut(),
            opener: wiring.opener.as_ref(),
            opened: &wiring.opened_tx,
            cache: wiring.cache.as_ref(),
            edit: None,
        };
        let was_loading = model.is_loading();
        for msg in msgs.drain(..) {
            let is_tick = matches!(msg, Msg::Tick(_));
            let had_toast = model.toast.is_some();
            for effect in update(model, msg) {
                if performer.perform(effect) {
                    return Ok(());
                }
            }
            dirty |= !is_tick || model.is_loading() || had_toast || clock_tick;
        }
        clock_tick = false;
        if was_loading && !model.is_loading() {
            // A listing's pages and their decoding are free now.
            super::heap::give_back_soon();
        }
        if let Some(initial) = performer.edit.take() {
            let result = match wiring.editor.as_mut() {
                Some(run) => run(&initial),
                None => Err("this run has no editor".to_owned()),
            };
            if let Some(mouse) = wiring.mouse.as_mut() {
                mouse(model.mouse);
            }
            // The editor drew over the screen: draw all of it again.
            terminal.clear().map_err(draw_err)?;
            msgs.push(Msg::Edited(result));
            dirty = true;
            continue;
        }
        clipboard.clear_if_due();
        if dirty {
            terminal
                .draw(|frame| ui::render(frame, model, &mut ui_state))
                .map_err(draw_err)?;
            dirty = false;
            // Paging moves by what the frame showed, not by a guess.
            if let Some(rows) = ui::page_rows(&ui_state).filter(|r| *r != model.page_rows) {
                msgs.push(Msg::PageRows(rows));
                continue;
            }
            if let Some(msg) = ui::overlay_max(&ui_state, model) {
                msgs.push(msg);
                continue;
            }
            if let Some(d) = &model.details
                && (d.props_overflow, d.value_overflow)
                    != (ui_state.props_overflow, ui_state.value_overflow)
            {
                msgs.push(ui::details_overflow(&ui_state));
                continue;
            }
        }
        // Ticks only while something moves; a change of pace takes effect
        // at once when it is sooner, after the tick due when it is later.
        let pace = if model.animating() {
            tick_every
        } else {
            IDLE_CLOCK.max(tick_every)
        };
        next_tick = next_tick.min(Instant::now() + pace);
        let wake = clipboard.due().map_or(next_tick, |due| due.min(next_tick));
        tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(ev)) => msgs.extend(to_msg(ev, model, &mut ui_state)),
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            msg = wiring.events.recv(), if workers_open => match msg {
                Some(msg) => msgs.push(msg),
                None => workers_open = false,
            },
            Some(msg) = answers.recv() => msgs.push(msg),
            Some(opened) = wiring.opened.recv() => msgs.push(match opened {
                Ok(conn) => wiring.add(conn),
                Err((url, reason)) => Msg::VaultOpenFailed { url, reason },
            }),
            () = tokio::time::sleep_until(wake.into()) => {
                let now = Instant::now();
                if now >= next_tick {
                    msgs.push(Msg::Tick(OffsetDateTime::now_utc()));
                    clock_tick = pace > tick_every;
                    next_tick = now + pace;
                }
            }
            _ = &mut stop => {
                clipboard.clear_now();
                return Ok(());
            }
        }
        // Drain what is already queued so a burst costs one frame.
        while let Ok(msg) = wiring.events.try_recv() {
            msgs.push(msg);
        }
        while let Ok(msg) = answers.try_recv() {
            msgs.push(msg);
        }
        drain_input(&mut input, model, &mut ui_state, &mut msgs).await?;
    }
}

/// Takes every terminal event already queued. `poll!` polls with this task's
/// waker: crossterm's stream hands the waker of a pending poll to its reader
/// thread, so a throw-away waker (`now_or_never`) would leave the next key
/// waiting for the tick.
async fn drain_input<S>(
    input: &mut S,
    model: &Model,
    ui_state: &mut UiState,
    msgs: &mut Vec<Msg>,
) -> Result<(), AppError>
where
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    loop {
        match futures::poll!(input.next()) {
            Poll::Ready(Some(Ok(ev))) => msgs.extend(to_msg(ev, model, ui_state)),
            Poll::Ready(Some(Err(e))) => return Err(e.into()),
            // The end of input is seen by the `select!` once these are applied.
            Poll::Ready(None) | Poll::Pending => return Ok(()),
        }
    }
}

/// Two clicks on one row closer than this open it.
const DOUBLE_CLICK: Duration = Duration::from_millis(400);

/// Terminal events as messages; the mouse wheel moves like the arrow keys
/// and a click selects the row under it.
fn to_msg(ev: Event, model: &Model, ui_state: &mut UiState) -> Option<Msg> {
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
                if let Some(view) = ui::tab_at(model, ui_state, m.column, m.row) {
                    return Some(Msg::SelectView(view));
                }
                let row = ui::list_row_at(model, ui_state, m.row)?;
                let now = Instant::now();
                let double = ui_state
                    .last_click
                    .is_some_and(|(at, r)| r == row && now.duration_since(at) < DOUBLE_CLICK);
                ui_state.last_click = (!double).then_some((now, row));
                Some(if double {
                    Msg::OpenRow(row)
                } else {
                    Msg::SelectRow(row)
                })
            }
            _ => None,
        },
        _ => None,
    }
}
