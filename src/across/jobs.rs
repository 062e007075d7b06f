//! The TUI's comparisons and copies, run on two clients with the same engine
//! as `kvtui diff` and `kvtui copy`: progress every quarter second while it
//! runs, then one answer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use azure_security_keyvault_secrets::SecretClient;
use tokio::sync::mpsc::UnboundedSender;

use super::apply::apply;
use super::compare::CompareOptions;
use super::fetch::{Progress, compare};
use super::job::{AcrossEvent, AcrossJob};
use crate::compose::{self, ConnectOptions};
use crate::script::conn::Api;
use crate::script::exit::ScriptError;
use crate::vault::Cloud;
use crate::vault::connect::process_env;
use crate::vault::{ErrorKind, VaultError};
use crate::vault::{VaultTarget, endpoint};

/// How often a running job reports how far it got.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// Runs `job` on `source` and `target` (a listing on `source` alone),
/// reporting through `tx`.
pub async fn run(
    source: &Api<'_>,
    target: &Api<'_>,
    job: AcrossJob,
    tx: &UnboundedSender<AcrossEvent>,
) {
    match job {
        AcrossJob::Compare { id, values, .. } => {
            let opts = CompareOptions {
                values,
                ..CompareOptions::default()
            };
            let progress = Progress::default();
            let work = compare(source, target, &opts, &progress);
            let result = reporting(work, || {
                let _ = tx.send(AcrossEvent::Progress {
                    id,
                    line: progress.line(),
                });
            })
            .await;
            let _ = tx.send(match result {
                Ok(rows) => AcrossEvent::Compared { id, rows },
                Err(e) => AcrossEvent::Failed {
                    id,
                    error: script_error(e),
                },
            });
        }
        AcrossJob::Copy { id, steps, .. } => {
            let total = steps.len();
            let mut done = 0;
            let progress = tx.clone();
            let outcomes = apply(source, target, &steps, false, move |_, _| {
                done += 1;
                let _ = progress.send(AcrossEvent::Progress {
                    id,
                    line: format!("copying {done}/{total}"),
                });
            })
            .await;
            let results = steps.into_iter().zip(outcomes).collect();
            let _ = tx.send(AcrossEvent::Copied { id, results });
        }
        AcrossJob::Values {
            id,
            name,
            target_name,
            ..
        } => {
            let (a, b) = futures::join!(
                crate::script::list::get(source, &name, None),
                crate::script::list::get(target, &target_name, None)
            );
            let _ = tx.send(match (a, b) {
                (Ok(a), Ok(b)) => AcrossEvent::Values {
                    id,
                    source: a.value,
                    target: b.value,
                },
                (Err(error), _) | (_, Err(error)) => AcrossEvent::Failed { id, error },
            });
        }
        AcrossJob::List { id, .. } => {
            let mut items = Vec::new();
            let listed = crate::script::list::each_page(source, |page| {
                items.extend(page);
                Ok(true)
            })
            .await;
            let _ = tx.send(match listed {
                Ok(()) => AcrossEvent::Listed { id, items },
                Err(e) => AcrossEvent::Failed {
                    id,
                    error: script_error(e),
                },
            });
        }
    }
}

/// Runs `work`, calling `tick` every [`PROGRESS_EVERY`] until it ends.
async fn reporting<T>(work: impl Future<Output = T>, tick: impl Fn()) -> T {
    let mut work = std::pin::pin!(work);
    let mut every = tokio::time::interval(PROGRESS_EVERY);
    every.tick().await;
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = every.tick() => tick(),
        }
    }
}

/// A scripting failure as the vault error the TUI records.
pub fn script_error(e: ScriptError) -> VaultError {
    match e {
        ScriptError::Vault(v) => v,
        other => VaultError::new(ErrorKind::Other, other.to_string()),
    }
}

/// Clients for the vaults the TUI compares, by URL, opened once each with
/// the run's credential and data dir (a worker's client stays its own).
pub struct Clients {
    opts: ConnectOptions,
    cloud: Cloud,
    open: Mutex<HashMap<String, Arc<SecretClient>>>,
}

impl Clients {
    pub fn new(opts: ConnectOptions, cloud: Cloud) -> Self {
        Self {
            opts,
            cloud,
            open: Mutex::new(HashMap::new()),
        }
    }

    /// The client of the vault at `url`, opened on first use.
    async fn client(&self, url: &str) -> Result<Arc<SecretClient>, VaultError> {
        let key = url.trim_end_matches('/').to_ascii_lowercase();
        if let Some(c) = self.lock().get(&key) {
            return Ok(c.clone());
        }
        let bad = |e: String| VaultError::new(ErrorKind::InvalidInput, e);
        let target = endpoint::parse_vault(url, self.cloud).map_err(|e| bad(e.to_string()))?;
        if target == VaultTarget::Embedded {
            return Err(bad(format!("{url} names no vault")));
        }
        let open = compose::open(&target, &self.opts, &process_env).await?;
        let client = Arc::new(open.client);
        self.lock().insert(key, client.clone());
        Ok(client)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<SecretClient>>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Opens both vaults of `job` and runs it, reporting through `tx`.
    pub async fn run_job(self: Arc<Self>, job: AcrossJob, tx: UnboundedSender<AcrossEvent>) {
        let id = job.id();
        let (source, target) = job.vaults();
        if let AcrossJob::List { .. } = job {
            match self.client(source).await {
                Ok(c) => run(&Api::new(&c), &Api::new(&c), job, &tx).await,
                Err(error) => {
                    let _ = tx.send(AcrossEvent::Failed { id, error });
                }
            }
            return;
        }
        let clients = futures::join!(self.client(source), self.client(target));
        match clients {
            (Ok(s), Ok(t)) => run(&Api::new(&s), &Api::new(&t), job, &tx).await,
            (Err(error), _) | (_, Err(error)) => {
                let _ = tx.send(AcrossEvent::Failed { id, error });
            }
        }
    }
}
