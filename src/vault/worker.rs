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
use super::nature::RetryClass;

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
    /// Waits before each retry of a get or set answered 409
    /// `ObjectIsBeingRecovered` (recover is asynchronous in Azure).
    pub recover_backoff: Vec<Duration>,
    /// Retries of a throttled (429) command after the SDK's own, each after
    /// the vault's `Retry-After` (else 1, 2, 4, 8, 16 s).
    pub throttle_retries: usize,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            max_in_flight: 8,
            request_timeout: super::call::REQUEST_TIMEOUT,
            page_size: None,
            channel_capacity: 256,
            recover_backoff: super::call::RECOVER_BACKOFF
                .map(Duration::from_secs)
                .to_vec(),
            throttle_retries: super::call::THROTTLE_RETRIES,
        }
    }
}

/// Builds the client again from credentials read afresh: `Ok(Some(_))` when
/// they changed since the last build, `Ok(None)` when they did not.
pub type Rebuild = Arc<dyn Fn() -> Result<Option<SecretClient>, VaultError> + Send + Sync>;

/// How a worker of a local vault picks up a fixed token file or a new CA
/// without a restart: after a refused token or a failed TLS handshake it
/// rebuilds its client and, when the credentials changed, runs the request
/// once more.
#[derive(Clone)]
pub struct Reconnect {
    pub rebuild: Rebuild,
    /// Named first in the hint of a refused token.
    pub token_file: std::path::PathBuf,
}

/// The worker's current client (and what goes with it), swapped when the
/// credentials are read again.
struct Hub {
    current: std::sync::RwLock<Arc<Shared>>,
    reconnect: Option<Reconnect>,
}

impl Hub {
    fn current(&self) -> Arc<Shared> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Reads the credentials again (off the async threads); the new shared
    /// state when they changed.
    async fn refresh(&self) -> Option<Arc<Shared>> {
        let rebuild = self.reconnect.as_ref()?.rebuild.clone();
        let built = tokio::task::spawn_blocking(move || rebuild()).await;
        let client = match built {
            Ok(Ok(Some(client))) => client,
            Ok(Ok(None)) => return None,
            Ok(Err(e)) => {
                tracing::warn!(
                    "cannot read the local vault's credentials again: {}",
                    e.message
                );
                return None;
            }
            Err(_) => return None,
        };
        let old = self.current();
        let fresh = Arc::new(Shared {
            client,
            host: old.host.clone(),
            cfg: old.cfg.clone(),
            events: old.events.clone(),
            permits: old.permits.clone(),
        });
        tracing::info!("read the local vault's token and CA again");
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = fresh.clone();
        Some(fresh)
    }
}

/// Failures that fresh credentials may cure: a refused token, an untrusted
/// certificate.
fn credentials_may_fix(e: &VaultError) -> bool {
    e.kind == ErrorKind::Unauthorized || (e.kind == ErrorKind::Network && e.message.contains("TLS"))
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
    spawn_worker_reconnecting(client, cfg, None)
}

/// [`spawn_worker`], for a vault whose credentials can be read again
/// (a local vault's token file and CA).
pub fn spawn_worker_reconnecting(
    client: SecretClient,
    cfg: WorkerConfig,
    reconnect: Option<Reconnect>,
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
    let hub = Arc::new(Hub {
        current: std::sync::RwLock::new(shared),
        reconnect,
    });
    tokio::spawn(run(hub, req_rx));
    (req_tx, ev_rx)
}

/// The dispatch loop: starts a task per command, routes `Cancel`s, forgets
/// finished tasks.
async fn run(hub: Arc<Hub>, mut requests: mpsc::Receiver<WorkerInput>) {
    // Each task carries a generation so a finished task whose id was reused
    // does not forget the newer request's token.
    let mut tasks: JoinSet<(ReqId, u64)> = JoinSet::new();
    let mut running: HashMap<ReqId, (u64, CancellationToken)> = HashMap::new();
    let mut generation: u64 = 0;
    loop {
        tokio::select! {
            req = requests.recv() => match req {
                None => break,
                // Handled before the next input, so the reload that follows
                // already uses what was read.
                Some(WorkerInput::Reread) => {
                    hub.refresh().await;
                }
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
                    let hub = hub.clone();
                    let tag = (req.id, generation);
                    tasks.spawn(async move {
                        execute(hub, req, token).await;
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
async fn execute(hub: Arc<Hub>, req: VaultRequest, cancel: CancellationToken) {
    let id = req.id;
    let started = std::time::Instant::now();
    let shared = hub.current();
    let work = {
        let shared = shared.clone();
        async move {
            let Ok(_permit) = shared.permits.clone().acquire_owned().await else {
                return VaultEventKind::Failed(VaultError::new(
                    ErrorKind::Other,
                    "the vault worker is shutting down",
                ));
            };
            // A fresh token or CA (a local vault's files, read again) is tried
            // once; a vault that is recovering or throttling is waited out.
            let mut shared = shared;
            let mut refreshed = false;
            let mut attempt = 0;
            loop {
                let e = match super::commands::run(&shared, id, req.cmd.clone()).await {
                    Ok(kind) => return kind,
                    Err(e) => e,
                };
                if !refreshed && credentials_may_fix(&e) {
                    refreshed = true;
                    if let Some(fresh) = hub.refresh().await {
                        shared = fresh;
                        continue;
                    }
                }
                let Some((wait, note)) = retry_plan(&shared.cfg, &req.cmd, &e, attempt) else {
                    return VaultEventKind::Failed(name_token_file(&hub, e));
                };
                tracing::info!(
                    req = id.0,
                    attempt,
                    wait_ms = wait.as_millis() as u64,
                    "{note}"
                );
                shared.emit(id, VaultEventKind::Retrying { note }).await;
                tokio::time::sleep(wait).await;
                attempt += 1;
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

/// A refused token of a local vault: the hint names its token file first.
fn name_token_file(hub: &Hub, mut e: VaultError) -> VaultError {
    if let (ErrorKind::Unauthorized, Some(reconnect)) = (e.kind, &hub.reconnect) {
        e.hint = Some(format!(
            "Check the token file {} (it must hold the running vault's token); it is read again on F5.",
            reconnect.token_file.display()
        ));
    }
    e
}

/// Whether and when to run `cmd` again after `e` (attempt `attempt`, from 0).
/// The command's retry class (from its nature) says which failures count.
fn retry_plan(
    cfg: &WorkerConfig,
    cmd: &super::messages::VaultCmd,
    e: &VaultError,
    attempt: usize,
) -> Option<(Duration, String)> {
    let class = cmd.nature().retry;
    if class == RetryClass::Never {
        return None;
    }
    let when = |d: Duration| match d.as_secs_f64().ceil() as u64 {
        0 => "now".to_owned(),
        n => format!("in {n} s"),
    };
    if e.status == Some(409)
        && e.code.as_deref() == Some("ObjectIsBeingRecovered")
        && class == RetryClass::ThrottleAndRecovery
    {
        let wait = *cfg.recover_backoff.get(attempt)?;
        return Some((wait, format!("recovering… retrying {}", when(wait))));
    }
    if e.kind == ErrorKind::Throttled && attempt < cfg.throttle_retries {
        let wait = super::call::throttle_wait(e.retry_after, attempt);
        return Some((wait, format!("throttled, retrying {}", when(wait))));
    }
    None
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
