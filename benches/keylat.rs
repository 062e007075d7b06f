//! Key-to-screen latency of the real binary in a pseudo-terminal, as a person
//! feels it: keys are written at random gaps of 50–600 ms and each is timed
//! from the write to the first byte the program draws back. Every view is
//! measured (list, filter typing, details, form, dialog) with 10 and with
//! 100,000 secrets, then a held key (30 repeats/s) and idle CPU.
//!
//! Run with `cargo bench --bench keylat` (the bench profile builds the binary
//! optimised). `KEYLAT_KEYS` sets keys per view (default 30), `KEYLAT_ROWS`
//! the large vault's size (default 100000).

mod common;

use std::time::{Duration, Instant};

use azure_security_keyvault_secrets::SecretClient;
use common::{ESC, Figures, Gaps, Pty, body, kvtui_args, seed_numbered};
use kvtui::local::{self, LocalVaultOptions};

const BACKSPACE: &[u8] = b"\x7f";

/// Times `count` keys cycling through `keys`, each after a random gap.
fn measure(pty: &mut Pty, keys: &[&[u8]], count: usize, gaps: &mut Gaps) -> Vec<f64> {
    (0..count)
        .map(|i| {
            pty.idle(gaps.next());
            pty.press(keys[i % keys.len()])
                .map_or(2000.0, |d| d.as_secs_f64() * 1000.0)
        })
        .collect()
}

/// Fills the vault with `n` secrets, eight writers at once, and one deleted.
async fn seed(client: SecretClient, n: usize) {
    let client = std::sync::Arc::new(client);
    seed_numbered(client.clone(), n).await;
    client
        .set_secret("gone-secret", body("old"), None)
        .await
        .expect("seed");
    client
        .delete_secret("gone-secret", None)
        .await
        .expect("delete");
}

/// CPU time (user + system) of a process, in clock ticks, from /proc.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Resident memory of a process, in KiB, and its peak, from /proc.
fn rss_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse::<u64>().ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn run_views(label: &str, args: &[String], rows: usize, count: usize, gaps: &mut Gaps) {
    let mut pty = Pty::spawn(args);
    let total = format!("{rows} secrets");
    pty.wait_for(&total, Duration::from_secs(120));
    pty.idle(Duration::from_millis(500));
    let mut all = Vec::new();
    let mut report = |view: &str, v: Vec<f64>| {
        println!("{label:>14} {view:<8} {}", Figures(v.clone()).line());
        all.extend(v);
    };

    report("list", measure(&mut pty, &[b"j", b"k"], count, gaps));

    pty.press(b"/");
    pty.wait_for("match", Duration::from_secs(5));
    report("filter", measure(&mut pty, &[b"a", BACKSPACE], count, gaps));
    pty.press(ESC);
    pty.idle(Duration::from_millis(300));
    pty.press(ESC);
    pty.idle(Duration::from_millis(300));

    pty.press(b"\r");
    pty.wait_for("Versions", Duration::from_secs(5));
    report("details", measure(&mut pty, &[b"s"], count, gaps));
    pty.press(ESC);
    pty.idle(Duration::from_millis(300));

    pty.press(b"n");
    pty.wait_for("New secret", Duration::from_secs(5));
    report("form", measure(&mut pty, &[b"x", BACKSPACE], count, gaps));
    pty.press(ESC);
    pty.wait_for("Discard", Duration::from_secs(5));
    pty.press(b"y");
    pty.idle(Duration::from_millis(300));

    pty.press(b"\t");
    pty.wait_for("gone-secret", Duration::from_secs(5));
    pty.press(b"P");
    pty.wait_for("Purge", Duration::from_secs(5));
    report("dialog", measure(&mut pty, &[b"x", BACKSPACE], count, gaps));
    pty.press(ESC);
    pty.idle(Duration::from_millis(300));
    pty.press(b"\t");
    pty.idle(Duration::from_millis(300));

    // A held key: 90 repeats at 30 a second; each should be drawn before the next.
    let mut drawn = 0;
    for i in 0..90 {
        let key: &[u8] = if (i / 10) % 2 == 0 { b"j" } else { b"k" };
        let sent = Instant::now();
        if pty
            .press(key)
            .is_some_and(|d| d < Duration::from_millis(33))
        {
            drawn += 1;
        }
        pty.idle(Duration::from_millis(33).saturating_sub(sent.elapsed()));
    }
    println!("{label:>14} held j/k at 30/s: {drawn} of 90 keys drawn before the next");

    let pid = pty.child.process_id();
    let before = pid.and_then(cpu_ticks);
    pty.idle(Duration::from_secs(5));
    let after = pid.and_then(cpu_ticks);
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "{label:>14} idle CPU: {} clock ticks (1/100 s) in 5 s",
            a - b
        );
    }
    if let Some((rss, peak)) = pid.and_then(rss_kib) {
        println!(
            "{label:>14} memory: RSS {:.1} MB, peak {:.1} MB (goal < 60 MB with 100,000)",
            rss as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    }
    println!("{label:>14} all views {}", Figures(all).line());
}

#[tokio::main]
async fn main() {
    let count = std::env::var("KEYLAT_KEYS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let large = std::env::var("KEYLAT_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut gaps = Gaps(0x9e37_79b9_7f4a_7c15);
    for rows in [10, large] {
        let dir = tempfile::TempDir::new().expect("temp dir");
        let mut opts = LocalVaultOptions::new(dir.path());
        opts.in_memory = true;
        opts.samples = false;
        let vault = local::start(opts).await.expect("local vault");
        let client = vault.client(&vault.url()).expect("client");
        let t = Instant::now();
        seed(client, rows).await;
        eprintln!("seeded {rows} secrets in {:.1?}", t.elapsed());
        std::fs::write(dir.path().join("config.toml"), "").expect("config file");
        let d = dir.path().display();
        let args = kvtui_args(&d.to_string(), &d.to_string(), &vault.url(), &[]);
        let label = format!("{rows} rows");
        let view_rows = rows;
        tokio::task::block_in_place(|| run_views(&label, &args, view_rows, count, &mut gaps));
        vault.shutdown().await;
    }
}
