//! The list cache as a person feels it: the release binary in a
//! pseudo-terminal against the local vault at 40 ms of latency with 10,000
//! secrets. Cold (no cache): time to the first rows and to the whole list.
//! Warm: time to all 10,000 rows shown (searchable: the filter runs over
//! them), time to a filter's answer over them, and time until the refresh
//! ends; then a secret added and one deleted elsewhere before the open must
//! be right. Times run from starting the program to the output that drew
//! the awaited screen.
//!
//! Run with `cargo bench --bench cache`; `CACHE_ROWS` sets the vault's size
//! (default 10000), `CACHE_LATENCY_MS` the latency (default 40).

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use azure_security_keyvault_secrets::SecretClient;
use azure_security_keyvault_secrets::models::SetSecretParameters;
use kvtui::local::{self, Faults, LocalVaultOptions};
use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 40;
const COLS: u16 = 120;
const ESC: &[u8] = b"\x1b";

/// The program in a pty, its output timestamped by a reader thread and
/// replayed into a screen model so the script can wait for what it shows.
struct Pty {
    writer: Box<dyn Write + Send>,
    output: mpsc::Receiver<(Instant, Vec<u8>)>,
    screen: vt100::Parser,
    /// When the output that made the screen what it is arrived.
    seen_at: Instant,
    child: Box<dyn Child + Send + Sync>,
}

impl Pty {
    fn spawn(args: &[String]) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_kvtui"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        let child = pair.slave.spawn_command(cmd).expect("kvtui starts");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let (tx, output) = mpsc::channel();
        std::thread::spawn(move || {
            // Keeps the master open as long as the reader runs.
            let _master = pair.master;
            let mut buf = vec![0u8; 1 << 16];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send((Instant::now(), buf[..n].to_vec())).is_err() {
                    break;
                }
            }
        });
        Pty {
            writer,
            output,
            screen: vt100::Parser::new(nonzero(ROWS), nonzero(COLS), 0),
            seen_at: Instant::now(),
            child,
        }
    }

    /// Reads output until `deadline`, or until `stop` holds for the screen.
    fn pump(&mut self, deadline: Instant, stop: &dyn Fn(&str) -> bool) -> bool {
        loop {
            if stop(&self.screen.screen().contents()) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok((at, bytes)) => {
                    self.screen.process(&bytes);
                    self.seen_at = at;
                }
                Err(_) => return false,
            }
        }
    }

    fn wait_until(&mut self, what: &str, within: Duration, cond: &dyn Fn(&str) -> bool) -> Instant {
        let ok = self.pump(Instant::now() + within, cond);
        assert!(
            ok,
            "timed out waiting for {what}; screen:\n{}",
            self.screen.screen().contents()
        );
        self.seen_at
    }

    fn send(&mut self, bytes: &[u8]) -> Instant {
        let sent = Instant::now();
        self.writer.write_all(bytes).expect("write keys");
        self.writer.flush().expect("flush");
        sent
    }
}

fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).unwrap_or(std::num::NonZeroU16::MIN)
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Pty {
    /// Quits with `q` and waits for the program to end (its last cache
    /// write included).
    fn quit(&mut self) {
        self.send(b"q");
        let _ = self.child.wait();
    }

    /// Filters for `text` and returns the tab's count once drawn.
    fn filter_count(&mut self, text: &str, total: usize) -> (Duration, String) {
        self.send(b"/");
        let sent = self.send(text.as_bytes());
        let want = format!("/{total})");
        let drawn = self.wait_until("the filter's count", Duration::from_secs(10), &|s| {
            s.contains(&want) && s.contains(text)
        });
        let screen = self.screen.screen().contents();
        let count = screen
            .split("Secrets (")
            .nth(1)
            .and_then(|s| s.split(')').next())
            .unwrap_or("?")
            .to_owned();
        self.send(ESC);
        self.send(ESC);
        self.pump(Instant::now() + Duration::from_millis(300), &|_| false);
        (drawn.saturating_duration_since(sent), count)
    }
}

fn body(value: &str) -> azure_core::http::RequestContent<SetSecretParameters> {
    SetSecretParameters {
        value: Some(value.into()),
        ..Default::default()
    }
    .try_into()
    .expect("body")
}

/// Fills the vault with `n - 1` numbered secrets and `doomed-elsewhere`.
async fn seed(client: SecretClient, n: usize) {
    let client = std::sync::Arc::new(client);
    let mut tasks = Vec::new();
    for w in 0..8 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            for i in (w..n - 1).step_by(8) {
                let name = format!("secret-{i:06}");
                client
                    .set_secret(&name, body("a value"), None)
                    .await
                    .expect("seed a secret");
            }
        }));
    }
    for t in tasks {
        t.await.expect("seeding task");
    }
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
    let args = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = [
            "--data-dir".to_owned(),
            format!("{d}/data"),
            "--config".to_owned(),
            format!("{d}/config.toml"),
            "--log-file".to_owned(),
            format!("{d}/kvtui.log"),
            "--cache-dir".to_owned(),
            format!("{d}/cache"),
            "--vault".to_owned(),
            vault.url(),
        ]
        .into();
        a.extend(extra.iter().map(|s| (*s).to_owned()));
        a
    };
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
            "{label:>22}: first rows {}, all {rows} rows {} (400-page floor {})",
            secs(result.0),
            secs(result.1),
            secs(cold_goal)
        );
    }

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
        let shown = pty.wait_until("the cached rows", Duration::from_secs(30), &|s| {
            s.contains(&total) && s.contains("cached · refreshing")
        });
        let (filter, count) = pty.filter_count("secret-009998", rows);
        let refreshed = pty.wait_until("the refresh", Duration::from_secs(300), &|s| {
            s.contains(&total) && listing_done(s) && !s.contains("cached")
        });
        let (_, added) = pty.filter_count("added-elsewhere", rows);
        let (_, doomed) = pty.filter_count("doomed", rows);
        pty.quit();
        let (shown, refreshed) = (shown - t0, refreshed - t0);
        let limit = cold_goal.mul_f64(1.1);
        println!(
            "{:>22}: all {rows} cached rows shown {} (goal < 0.5 s), a filter over them {} ({count} match)",
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
