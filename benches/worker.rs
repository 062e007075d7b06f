//! Listing 10,000 secrets through the vault worker from an in-memory local vault.
//!
//! Prints the time to the first page, the total time and the memory the listed
//! items take (RSS growth and an estimate of the retained heap). Targets from
//! the issue: first page < 20 ms, all < 1.5 s, < 20 MB for 10,000 items.
//!
//! `cargo bench --bench worker` (set `KVTUI_BENCH_SECRETS` for another count).

use std::time::{Duration, Instant};

use azure_security_keyvault_secrets::SecretClient;
use azure_security_keyvault_secrets::models::SetSecretParameters;
use futures::StreamExt;
use kvtui::local::{self, LocalVaultOptions};
use kvtui::vault::{
    ReqId, SecretProps, VaultCmd, VaultEventKind, VaultRequest, WorkerConfig, WorkerInput,
    spawn_worker,
};

/// Resident set size of this process, in KiB, from /proc (Linux only).
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Heap and inline bytes one listed item keeps alive.
fn item_bytes(p: &SecretProps) -> usize {
    std::mem::size_of::<SecretProps>()
        + p.name.len()
        + p.id.capacity()
        + p.version.as_ref().map_or(0, String::capacity)
        + p.content_type.as_ref().map_or(0, String::capacity)
        + p.recovery_level.as_ref().map_or(0, |l| match l {
            std::borrow::Cow::Owned(s) => s.capacity(),
            std::borrow::Cow::Borrowed(_) => 0,
        })
        + p.tags
            .iter()
            .map(|(k, v)| k.capacity() + v.capacity() + 48)
            .sum::<usize>()
}

async fn seed(client: &SecretClient, n: usize) -> Result<(), String> {
    let errors = futures::stream::iter(0..n)
        .map(|i| async move {
            let body = SetSecretParameters {
                value: Some(format!("value-{i:05}")),
                content_type: Some("text/plain".into()),
                ..Default::default()
            };
            let body = body.try_into().map_err(|e| format!("{e}"))?;
            client
                .set_secret(&format!("bench-secret-{i:05}"), body, None)
                .await
                .map(|_| ())
                .map_err(|e| format!("{e}"))
        })
        .buffer_unordered(16)
        .filter_map(|r| async move { r.err() })
        .collect::<Vec<String>>()
        .await;
    match errors.first() {
        Some(e) => Err(format!("{} seeds failed, first: {e}", errors.len())),
        None => Ok(()),
    }
}

struct Run {
    first_page: Duration,
    total: Duration,
    pages: usize,
    items: Vec<SecretProps>,
}

async fn list_once(
    tx: &tokio::sync::mpsc::Sender<WorkerInput>,
    rx: &mut tokio::sync::mpsc::Receiver<kvtui::vault::VaultEvent>,
    id: u64,
) -> Result<Run, String> {
    let start = Instant::now();
    tx.send(WorkerInput::Run(VaultRequest {
        id: ReqId(id),
        cmd: VaultCmd::ListSecrets,
    }))
    .await
    .map_err(|_| "worker gone".to_string())?;
    let mut first_page = None;
    let mut pages = 0;
    let mut items = Vec::new();
    loop {
        let ev = rx.recv().await.ok_or("worker gone")?;
        match ev.kind {
            VaultEventKind::SecretsPage(p) => {
                first_page.get_or_insert_with(|| start.elapsed());
                pages += 1;
                items.extend(p);
            }
            VaultEventKind::ListDone { count } => {
                if count != items.len() {
                    return Err(format!("count {count} but {} items", items.len()));
                }
                return Ok(Run {
                    first_page: first_page.unwrap_or_default(),
                    total: start.elapsed(),
                    pages,
                    items,
                });
            }
            VaultEventKind::Failed(e) => return Err(e.to_string()),
            _ => {}
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn bench(n: usize) -> Result<(), String> {
    let dir = tempfile::TempDir::new().map_err(|e| e.to_string())?;
    let mut opts = LocalVaultOptions::new(dir.path());
    opts.in_memory = true;
    let vault = local::start(opts).await.map_err(|e| e.to_string())?;
    let url = vault.url();
    let seeder = vault.client(&url).map_err(|e| e.to_string())?;
    let t = Instant::now();
    seed(&seeder, n).await?;
    println!("seeded {n} secrets in {:.0} ms", ms(t.elapsed()));

    let client = vault.client(&url).map_err(|e| e.to_string())?;
    let (tx, mut rx) = spawn_worker(client, WorkerConfig::default());

    let rss_before = rss_kib();
    let cold = list_once(&tx, &mut rx, 1).await?;
    let rss_after = rss_kib();
    let heap: usize = cold.items.iter().map(item_bytes).sum();
    println!(
        "cold list (new connection, auth challenge): first page {:.1} ms, all {} items in {} pages {:.0} ms",
        ms(cold.first_page),
        cold.items.len(),
        cold.pages,
        ms(cold.total)
    );
    if let (Some(b), Some(a)) = (rss_before, rss_after) {
        println!(
            "memory: RSS +{:.1} MB while holding {} items (whole process, local vault included); items retain ~{:.1} MB",
            a.saturating_sub(b) as f64 / 1024.0,
            cold.items.len(),
            heap as f64 / (1024.0 * 1024.0)
        );
    }
    drop(cold);

    let mut firsts = Vec::new();
    let mut totals = Vec::new();
    for i in 0..5 {
        let warm = list_once(&tx, &mut rx, 2 + i).await?;
        firsts.push(warm.first_page);
        totals.push(warm.total);
    }
    firsts.sort();
    totals.sort();
    println!(
        "warm lists (5 runs): first page median {:.1} ms (min {:.1}), all median {:.0} ms (min {:.0})",
        ms(firsts[2]),
        ms(firsts[0]),
        ms(totals[2]),
        ms(totals[0])
    );
    drop(tx);
    vault.shutdown().await;
    Ok(())
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too, so
    // keep that run small.
    let default = if std::env::args().any(|a| a == "--bench") {
        10_000
    } else {
        100
    };
    let n: usize = std::env::var("KVTUI_BENCH_SECRETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("no runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = rt.block_on(bench(n)) {
        eprintln!("bench failed: {e}");
        std::process::exit(1);
    }
}
