//! The list cache as a person feels it: the release binary in a
//! pseudo-terminal against the local vault at 40 ms of latency with 10,000
//! secrets. Cold (no cache): time to the first rows and to the whole list.
//! Warm: time to all 10,000 rows shown (searchable: the filter runs over
//! them), time to a filter's answer over them, and time until the refresh
//! ends; then a secret added and one deleted elsewhere before the open must
//! be right. Times run from starting the program to the output that drew
//! the awaited screen. And keys while the 400 pages arrive: each moves the
//! selection and is timed from its write to the output that drew it.
//!
//! Run with `cargo bench --bench cache`; `CACHE_ROWS` sets the vault's size
//! (default 10000), `CACHE_LATENCY_MS` the latency (default 40).

mod common;

use std::time::{Duration, Instant};

use azure_security_keyvault_secrets::SecretClient;
use common::{ESC, Figures, Gaps, Pty, body, kvtui_args, seed_numbered};
use kvtui::local::{self, Faults, LocalVaultOptions};

/// Filters for `text` and returns the tab's count once drawn.
fn filter_count(pty: &mut Pty, text: &str, total: usize) -> (Duration, String) {
    pty.send(b"/");
    let sent = pty.send(text.as_bytes());
    let want = format!("/{total})");
    let drawn = pty.wait_until("the filter's count", Duration::from_secs(10), &|s| {
        s.contains(&want) && s.contains(text)
    });
    let screen = pty.screen.screen().contents();
    let count = screen
        .split("Secrets (")
        .nth(1)
        .and_then(|s| s.split(')').next())
        .unwrap_or("?")
        .to_owned();
    pty.send(ESC);
    pty.send(ESC);
    pty.pump(Instant::now() + Duration::from_millis(300), &|_| false);
    (drawn.saturating_duration_since(sent), count)
}

/// Fills the vault with `n - 1` numbered secrets and `doomed-elsewhere`.
async fn seed(client: SecretClient, n: usize) {
    let client = std::sync::Arc::new(client);
    seed_numbered(client.clone(), n - 1).await;
    client
        .set_secret("doomed-elsewhere", body("v"), None)
        .await
        .expect("seed");
}

fn listing_done(s: &str) -> bool {
    !s.contains("loading") && !s.contains("loaded ") && !s.contains("refreshing")
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

#[tokio::main]
async fn main() {
    let rows: usize = std::env::var("CACHE_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let latency: u64 = std::env::var("CACHE_LATENCY_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let dir = tempfile::TempDir::new().expect("temp dir");
    let mut opts = LocalVaultOptions::new(dir.path().join("data"));
    opts.in_memory = true;
    opts.samples = false;
    let vault = local::start(opts).await.expect("local vault");
    let client = vault.client(&vault.url()).expect("client");
    let t = Instant::now();
    seed(client, rows).await;
    eprintln!("seeded {rows} secrets in {:.1?}", t.elapsed());
    vault.set_faults(Faults {
        latency: Duration::from_millis(latency),
        ..Faults::default()
    });
    let rtt = {
        let client = vault.client(&vault.url()).expect("client");
        let t = Instant::now();
        for _ in 0..5 {
            client
                .get_secret("doomed-elsewhere", None)
                .await
                .expect("a read");
        }
        t.elapsed() / 5
    };
    let d = dir.path().display();
    std::fs::write(dir.path().join("config.toml"), "").expect("config file");
    let (data, files, url) = (format!("{d}/data"), d.to_string(), vault.url());
    let args = |extra: &[&str]| kvtui_args(&data, &files, &url, extra);
    let total = format!("Secrets ({rows})");
    let pages = rows.div_ceil(25);
    println!(
        "{rows} secrets, latency {latency} ms, measured round trip {:.1} ms, {pages} pages",
        rtt.as_secs_f64() * 1000.0
    );
    let cold_goal = rtt * pages as u32;

    // Cold: no cache (and the first run with the cache, which fills it).
    for (label, extra) in [
        ("cold, --no-cache", &["--no-cache"][..]),
        ("cold, cache empty", &[][..]),
    ] {
        let result = tokio::task::block_in_place(|| {
            let t0 = Instant::now();
            let mut pty = Pty::spawn(&args(extra));
            let first = pty.wait_until("the first rows", Duration::from_secs(30), &|s| {
                s.contains("secret-000000")
            });
            let all = pty.wait_until("the whole list", Duration::from_secs(300), &|s| {
                s.contains(&total) && listing_done(s)
            });
            pty.quit();
            (first - t0, all - t0)
        });
        println!(
            "{label:>22}: first rows {}, all {rows} rows {} ({pages} x RTT {}: {:+.1} %)",
            secs(result.0),
            secs(result.1),
            secs(cold_goal),
            (result.1.as_secs_f64() / cold_goal.as_secs_f64() - 1.0) * 100.0
        );
    }

    // Keys while the pages arrive: each key moves the selection, and is timed
    // from its write to the output that drew the new position.
    let keys = tokio::task::block_in_place(|| {
        let mut pty = Pty::spawn(&args(&["--no-cache"]));
        pty.wait_until("the first rows", Duration::from_secs(30), &|s| {
            s.contains("secret-000000")
        });
        let mut gaps = Gaps(0x5eed_cafe);
        let mut times = Vec::new();
        let mut row = 1;
        while times.len() < 200 && !listing_done(&pty.contents()) {
            pty.idle(gaps.next());
            row = 3 - row;
            let key: &[u8] = if row == 2 { b"j" } else { b"k" };
            let sent = pty.send(key);
            let want = format!("─ {row}/");
            let drawn = pty.wait_until("the selection", Duration::from_secs(5), &|s| {
                s.contains(&want)
            });
            times.push(drawn.saturating_duration_since(sent).as_secs_f64() * 1000.0);
        }
        pty.quit();
        Figures(times)
    });
    println!("{:>22}: {}", "keys while pages come", keys.line());

    // Elsewhere, before the next open: one secret added, one deleted.
    let client = vault.client(&vault.url()).expect("client");
    client
        .set_secret("added-elsewhere", body("v"), None)
        .await
        .expect("add");
    client
        .delete_secret("doomed-elsewhere", None)
        .await
        .expect("delete");

    tokio::task::block_in_place(|| {
        let t0 = Instant::now();
        let mut pty = Pty::spawn(&args(&[]));
        // At zero latency the refresh may end before the cached rows are seen.
        let shown = pty.wait_until("the cached rows", Duration::from_secs(30), &|s| {
            s.contains(&total) && (s.contains("cached · refreshing") || listing_done(s))
        });
        let (filter, count) = filter_count(&mut pty, "secret-009998", rows);
        let refreshed = pty.wait_until("the refresh", Duration::from_secs(300), &|s| {
            s.contains(&total) && listing_done(s) && !s.contains("cached")
        });
        let (_, added) = filter_count(&mut pty, "added-elsewhere", rows);
        let (_, doomed) = filter_count(&mut pty, "doomed", rows);
        pty.quit();
        let (shown, refreshed) = (shown - t0, refreshed - t0);
        let limit = cold_goal.mul_f64(1.1);
        println!(
            "{:>22}: all {rows} cached rows shown {} (goal < 0.15 s), a filter over them {} ({count} match)",
            "warm",
            secs(shown),
            secs(filter),
        );
        println!(
            "{:>22}: refresh done {} (goal <= 400 x RTT + 10 % = {}) {}",
            "warm",
            secs(refreshed),
            secs(limit),
            if refreshed <= limit { "ok" } else { "OVER" }
        );
        println!(
            "{:>22}: added elsewhere {added} (want 1/{rows}), deleted elsewhere {doomed} (want 0/{rows}) {}",
            "after the refresh",
            if added == format!("1/{rows}") && doomed == format!("0/{rows}") {
                "ok"
            } else {
                "WRONG"
            }
        );
    });
    vault.shutdown().await;
}
