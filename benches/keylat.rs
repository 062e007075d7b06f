//! Key-to-screen latency of the real binary in a pseudo-terminal, as a person
//! feels it: keys are written at random gaps of 50–600 ms and each is timed
//! from the write to the first byte the program draws back. Every view is
//! measured (list, filter typing, details, form, dialog) with 10 and with
//! 100,000 secrets, then a held key (30 repeats/s) and idle CPU.
//!
//! Run with `cargo bench --bench keylat` (the bench profile builds the binary
//! optimised). `KEYLAT_KEYS` sets keys per view (default 30), `KEYLAT_ROWS`
//! the large vault's size (default 100000).

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use azure_security_keyvault_secrets::SecretClient;
use azure_security_keyvault_secrets::models::SetSecretParameters;
use kvtui::local::{self, LocalVaultOptions};
use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 40;
const COLS: u16 = 120;
const BACKSPACE: &[u8] = b"\x7f";
const ESC: &[u8] = b"\x1b";

/// The program in a pty, its output timestamped by a reader thread and
/// replayed into a screen model so the script can wait for what it shows.
struct Pty {
    writer: Box<dyn Write + Send>,
    output: mpsc::Receiver<(Instant, Vec<u8>)>,
    screen: vt100::Parser,
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
                Ok((_, bytes)) => self.screen.process(&bytes),
                Err(_) => return false,
            }
        }
    }

    fn wait_for(&mut self, text: &str, within: Duration) {
        let ok = self.pump(Instant::now() + within, &|s| s.contains(text));
        assert!(
            ok,
            "timed out waiting for {text:?}; screen:\n{}",
            self.screen.screen().contents()
        );
    }

    /// Writes `bytes` and returns the time to the first byte drawn back.
    fn press(&mut self, bytes: &[u8]) -> Option<Duration> {
        let sent = Instant::now();
        self.writer.write_all(bytes).expect("write a key");
        self.writer.flush().expect("flush");
        let (at, first) = self.output.recv_timeout(Duration::from_secs(2)).ok()?;
        self.screen.process(&first);
        Some(at.saturating_duration_since(sent))
    }

    fn idle(&mut self, gap: Duration) {
        self.pump(Instant::now() + gap, &|_| false);
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

/// A small xorshift generator: the gaps need no more than that.
struct Gaps(u64);

impl Gaps {
    fn next(&mut self) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        Duration::from_millis(50 + self.0 % 551)
    }
}

struct Figures(Vec<f64>);

impl Figures {
    fn line(&self) -> String {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        let p = |q: f64| v[((q * v.len() as f64) as usize).min(v.len() - 1)];
        format!(
            "min {:5.1}  median {:5.1}  p99 {:5.1}  max {:5.1} ms ({} keys)",
            v[0],
            p(0.5),
            p(0.99),
            v[v.len() - 1],
            v.len()
        )
    }
}

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

fn body(value: &str) -> azure_core::http::RequestContent<SetSecretParameters> {
    SetSecretParameters {
        value: Some(value.into()),
        ..Default::default()
    }
    .try_into()
    .expect("body")
}

/// Fills the vault with `n` secrets, eight writers at once, and one deleted.
async fn seed(client: SecretClient, n: usize) {
    let client = std::sync::Arc::new(client);
    let mut tasks = Vec::new();
    for w in 0..8 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            for i in (w..n).step_by(8) {
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
        let args: Vec<String> = [
            "--data-dir".to_owned(),
            d.to_string(),
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
        let label = format!("{rows} rows");
        let view_rows = rows;
        tokio::task::block_in_place(|| run_views(&label, &args, view_rows, count, &mut gaps));
        vault.shutdown().await;
    }
}
