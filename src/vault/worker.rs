//! The vault worker: owns the `SecretClient`, runs commands in the background and
//! streams results back, so the UI never awaits the network.
//!
//! Contract, per request: zero or more `SecretsPage`/`DeletedPage` events,
//! then exactly one terminal event (`ListDone`, `ListPaused` for a batch of
//! versions with more to come, `Secret`, `Props`, `Deleted`, `Purged`,
//! `BackedUp`, `Cancelled` or `Failed`). A cancelled request ends
//! with `Cancelled` and sends nothing after it.
//!
//! Up to `max_in_flight` commands run at once; the rest wait for a slot
//! without holding up `Cancel`. Every request (every page, for lists) has a
//! timeout. A panic inside a command (a bad response the SDK chokes on) is caught
//! and reported as `Failed`, never taken down with the worker.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use azure_security_keyvault_secrets::SecretClient;
use futures::FutureExt;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::error::{ErrorKind, VaultError};
use super::messages::{ReqId, VaultEvent, VaultEventKind, VaultRequest, WorkerInput};

/// Tuning for [`spawn_worker`]; the defaults suit the TUI.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Commands running at once.
    pub max_in_flight: usize,
    /// Longest wait for one answer (one page, for lists).
    pub request_timeout: Duration,
    /// `maxresults` per page; `None` is the service default (25).
    pub page_size: Option<i32>,
    /// Capacity of the request and event channels.
    pub channel_capacity: usize,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            max_in_flight: 8,
            request_timeout: Duration::from_secs(30),
            page_size: None,
            channel_capacity: 256,
        }
    }
}

/// What every command task shares.
pub(crate) struct Shared {
    pub(crate) client: SecretClient,
    /// The vault's host, for messages.
    pub(crate) host: String,
    pub(crate) cfg: WorkerConfig,
    pub(crate) events: mpsc::Sender<VaultEvent>,
    permits: Arc<Semaphore>,
}

impl Shared {
    /// Sends an event; a closed channel only means the UI has gone.
    pub(crate) async fn emit(&self, req: ReqId, kind: VaultEventKind) {
        let _ = self.events.send(VaultEvent { req, kind }).await;
    }
}

/// Starts the worker on the current tokio runtime.
///
/// Send [`WorkerInput`]s on the returned sender (use `try_send` from the UI
/// loop, so a full queue never blocks a frame); read [`VaultEvent`]s from the
/// receiver. Dropping the sender cancels everything still running and ends the
/// worker.
pub fn spawn_worker(
    client: SecretClient,
    cfg: WorkerConfig,
) -> (mpsc::Sender<WorkerInput>, mpsc::Receiver<VaultEvent>) {
    let cap = cfg.channel_capacity.max(1);
    let (req_tx, req_rx) = mpsc::channel(cap);
    let (ev_tx, ev_rx) = mpsc::channel(cap);
    let host = client
        .endpoint()
        .host_str()
        .unwrap_or("the vault")
        .to_owned();
    let shared = Arc::new(Shared {
        client,
        host,
        permits: Arc::new(Semaphore::new(cfg.max_in_flight.max(1))),
        cfg,
        events: ev_tx,
    });
    tokio::spawn(run(shared, req_rx));
    (req_tx, ev_rx)
}

/// The dispatch loop: starts a task per command, routes `Cancel`s, forgets
/// finished tasks.
async fn run(shared: Arc<Shared>, mut requests: mpsc::Receiver<WorkerInput>) {
    // Each task carries a generation so a finished task whose id was reused
    // does not forget the newer request's token.
    let mut tasks: JoinSet<(ReqId, u64)> = JoinSet::new();
    let mut running: HashMap<ReqId, (u64, CancellationToken)> = HashMap::new();
    let mut generation: u64 = 0;
    loop {
        tokio::select! {
            req = requests.recv() => match req {
                None => break,
                Some(WorkerInput::Cancel(target)) => {
                    if let Some((_, token)) = running.get(&target) {
                        token.cancel();
                    }
                }
                Some(WorkerInput::Run(req)) => {
                    generation += 1;
                    let token = CancellationToken::new();
                    if let Some((_, old)) = running.insert(req.id, (generation, token.clone())) {
                        // A reused id supersedes the old request.
                        old.cancel();
                    }
                    let shared = shared.clone();
                    let tag = (req.id, generation);
                    tasks.spawn(async move {
                        execute(shared, req, token).await;
                        tag
                    });
                }
            },
            Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                if let Ok((id, generation)) = done
                    && running.get(&id).is_some_and(|(g, _)| *g == generation)
                {
                    running.remove(&id);
                }
            }
        }
    }
    for (_, token) in running.values() {
        token.cancel();
    }
    while tasks.join_next().await.is_some() {}
}

/// Runs one command to its terminal event, unless cancelled first.
async fn execute(shared: Arc<Shared>, req: VaultRequest, cancel: CancellationToken) {
    let id = req.id;
    let started = std::time::Instant::now();
    let work = {
        let shared = shared.clone();
        async move {
            let Ok(_permit) = shared.permits.clone().acquire_owned().await else {
                return VaultEventKind::Failed(VaultError::new(
                    ErrorKind::Other,
                    "the vault worker is shutting down",
                ));
            };
            match super::commands::run(&shared, id, req.cmd).await {
                Ok(kind) => kind,
                Err(e) => VaultEventKind::Failed(e),
            }
        }
    };
    let terminal = tokio::select! {
        biased;
        _ = cancel.cancelled() => VaultEventKind::Cancelled,
        r = AssertUnwindSafe(work).catch_unwind() => r.unwrap_or_else(|_| {
            tracing::error!(req = id.0, "a vault command panicked");
            VaultEventKind::Failed(VaultError::new(
                ErrorKind::Other,
                "internal error: the vault's answer could not be handled",
            ))
        }),
    };
    log_outcome(id, started.elapsed(), &terminal);
    shared.emit(id, terminal).await;
}

/// One log line per request: what happened and how long it took. Failures
/// carry their classification; no event here can hold a secret value except
/// `Secret`, which is logged by name only.
fn log_outcome(id: ReqId, took: Duration, kind: &VaultEventKind) {
    let ms = took.as_millis() as u64;
    match kind {
        VaultEventKind::Failed(e) => tracing::warn!(
            req = id.0,
            ms,
            kind = ?e.kind,
            status = e.status,
            code = e.code.as_deref(),
            "vault request failed: {}",
            e.message
        ),
        VaultEventKind::ListDone { count } => {
            tracing::debug!(req = id.0, ms, count, "vault list done")
        }
        VaultEventKind::Secret(s) => {
            tracing::debug!(req = id.0, ms, name = %s.props.name, "vault secret read")
        }
        VaultEventKind::Cancelled => tracing::debug!(req = id.0, ms, "vault request cancelled"),
        _ => tracing::debug!(req = id.0, ms, "vault request done"),
    }
}
