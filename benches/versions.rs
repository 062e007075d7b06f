//! A long history through the vault worker from an in-memory local vault: the
//! time to the first batch of versions (what opening the details waits for)
//! against the time to list every version batch by batch.
//!
//! `cargo bench --bench versions` (set `KVTUI_BENCH_VERSIONS` for another
//! count; default 3,000).

use std::time::{Duration, Instant};

use azure_security_keyvault_secrets::SecretClient;
use azure_security_keyvault_secrets::models::SetSecretParameters;
use futures::StreamExt;
use kvtui::local::{self, LocalVaultOptions};
use kvtui::vault::{
    ReqId, SecretName, VaultCmd, VaultEvent, VaultEventKind, VaultRequest, WorkerConfig,
    WorkerInput, spawn_worker,
};
use tokio::sync::mpsc::{Receiver, Sender};

async fn seed(client: &SecretClient, n: usize) -> Result<(), String> {
    let failed = futures::stream::iter(0..n)
        .map(|i| async move {
            let body = SetSecretParameters {
                value: Some(format!("value-{i:06}")),
                ..Default::default()
            };
            let body = body.try_into().map_err(|e| format!("{e}"))?;
            client
                .set_secret("rotated", body, None)
                .await
                .map(|_| ())
                .map_err(|e| format!("{e}"))
        })
        .buffer_unordered(16)
        .filter_map(|r| async move { r.err() })
        .collect::<Vec<String>>()
        .await;
    match failed.first() {
        Some(e) => Err(format!("{} seeds failed, first: {e}", failed.len())),
        None => Ok(()),
    }
}

/// Runs one command; the items it listed and how it ended.
async fn batch(
    tx: &Sender<WorkerInput>,
    rx: &mut Receiver<VaultEvent>,
    id: u64,
    cmd: VaultCmd,
) -> Result<(usize, Option<String>), String> {
    tx.send(WorkerInput::Run(VaultRequest { id: ReqId(id), cmd }))
        .await
        .map_err(|e| e.to_string())?;
    let mut items = 0;
    loop {
        let ev = rx.recv().await.ok_or("worker gone")?;
        match ev.kind {
            VaultEventKind::SecretsPage(p) => items += p.len(),
            VaultEventKind::ListPaused { resume, .. } => return Ok((items, Some(resume))),
            VaultEventKind::ListDone { .. } => return Ok((items, None)),
            other => return Err(format!("unexpected {other:?}")),
        }
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let n: usize = std::env::var("KVTUI_BENCH_VERSIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    let dir = tempfile::TempDir::new().map_err(|e| e.to_string())?;
    let mut opts = LocalVaultOptions::new(dir.path());
    opts.in_memory = true;
    let vault = local::start(opts).await.map_err(|e| e.to_string())?;
    let client = vault.client(&vault.url()).map_err(|e| e.to_string())?;
    seed(&client, n).await?;
    let (tx, mut rx) = spawn_worker(client, WorkerConfig::default());
    let name = SecretName::parse("rotated").map_err(|e| e.to_string())?;
    let (mut firsts, mut alls) = (Vec::new(), Vec::new());
    let mut id = 0;
    for _ in 0..5 {
        let start = Instant::now();
        id += 1;
        let cmd = VaultCmd::ListVersions { name: name.clone() };
        let (mut items, mut next) = batch(&tx, &mut rx, id, cmd).await?;
        firsts.push(start.elapsed());
        while let Some(resume) = next {
            id += 1;
            let cmd = VaultCmd::MoreVersions {
                name: name.clone(),
                resume,
            };
            let (more, after) = batch(&tx, &mut rx, id, cmd).await?;
            items += more;
            next = after;
        }
        alls.push(start.elapsed());
        if items != n {
            return Err(format!("listed {items} of {n} versions"));
        }
    }
    println!(
        "{n} versions: first batch (opening the details) median {:.1} ms; all batches median {:.1} ms",
        median(firsts).as_secs_f64() * 1e3,
        median(alls).as_secs_f64() * 1e3
    );
    Ok(())
}
