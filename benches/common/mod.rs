//! What the pty benchmarks share: the release binary in a pseudo-terminal
//! with its output timestamped and replayed into a screen model, random key
//! gaps, latency figures, and seeding a vault through the SDK.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use azure_security_keyvault_secrets::SecretClient;
use azure_security_keyvault_secrets::models::SetSecretParameters;
use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};

pub const ROWS: u16 = 40;
pub const COLS: u16 = 120;
pub const ESC: &[u8] = b"\x1b";

/// The program in a pty, its output timestamped by a reader thread and
/// replayed into a screen model so the script can wait for what it shows.
pub struct Pty {
    writer: Box<dyn Write + Send>,
    output: mpsc::Receiver<(Instant, Vec<u8>)>,
    pub screen: vt100::Parser,
    pub child: Box<dyn Child + Send + Sync>,
    /// When the output that made the screen what it is arrived.
    seen_at: Instant,
}

impl Pty {
    pub fn spawn(args: &[String]) -> Pty {
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
            seen_at: Instant::now(),
        }
    }

    pub fn contents(&self) -> String {
        self.screen.screen().contents()
    }

    /// Reads output until `deadline`, or until `stop` holds for the screen.
    pub fn pump(&mut self, deadline: Instant, stop: &dyn Fn(&str) -> bool) -> bool {
        loop {
            if stop(&self.contents()) {
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

    pub fn wait_for(&mut self, text: &str, within: Duration) {
        self.wait_until(&format!("{text:?}"), within, &|s| s.contains(text));
    }

    /// Waits until `cond` holds for the screen; returns when the output that
    /// made it so arrived.
    pub fn wait_until(
        &mut self,
        what: &str,
        within: Duration,
        cond: &dyn Fn(&str) -> bool,
    ) -> Instant {
        let ok = self.pump(Instant::now() + within, cond);
        assert!(
            ok,
            "timed out waiting for {what}; screen:\n{}",
            self.contents()
        );
        self.seen_at
    }

    /// Writes `bytes`; returns when.
    pub fn send(&mut self, bytes: &[u8]) -> Instant {
        let sent = Instant::now();
        self.writer.write_all(bytes).expect("write keys");
        self.writer.flush().expect("flush");
        sent
    }

    /// Writes `bytes` and returns the time to the first byte drawn back.
    pub fn press(&mut self, bytes: &[u8]) -> Option<Duration> {
        let sent = self.send(bytes);
        let (at, first) = self.output.recv_timeout(Duration::from_secs(2)).ok()?;
        self.screen.process(&first);
        self.seen_at = at;
        Some(at.saturating_duration_since(sent))
    }

    pub fn idle(&mut self, gap: Duration) {
        self.pump(Instant::now() + gap, &|_| false);
    }

    /// Quits with `q` and waits for the program to end (its last cache
    /// write included).
    pub fn quit(&mut self) {
        self.send(b"q");
        let _ = self.child.wait();
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).unwrap_or(std::num::NonZeroU16::MIN)
}

/// A small xorshift generator: the gaps need no more than that.
pub struct Gaps(pub u64);

impl Gaps {
    pub fn next(&mut self) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        Duration::from_millis(50 + self.0 % 551)
    }
}

/// Key latencies in milliseconds.
pub struct Figures(pub Vec<f64>);

impl Figures {
    pub fn line(&self) -> String {
        let mut v = self.0.clone();
        if v.is_empty() {
            return "no keys".to_owned();
        }
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

pub fn body(value: &str) -> azure_core::http::RequestContent<SetSecretParameters> {
    SetSecretParameters {
        value: Some(value.into()),
        ..Default::default()
    }
    .try_into()
    .expect("body")
}

/// Writes `secret-000000` … for `0..n`, eight writers at once.
pub async fn seed_numbered(client: std::sync::Arc<SecretClient>, n: usize) {
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
}

/// The program's arguments for a bench run: its data dir, and a config
/// file, log file and list cache under `files`, opening `vault`.
pub fn kvtui_args(data_dir: &str, files: &str, vault: &str, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "--data-dir".to_owned(),
        data_dir.to_owned(),
        "--config".to_owned(),
        format!("{files}/config.toml"),
        "--log-file".to_owned(),
        format!("{files}/kvtui.log"),
        "--cache-dir".to_owned(),
        format!("{files}/cache"),
        "--vault".to_owned(),
        vault.to_owned(),
    ]
    .into();
    a.extend(extra.iter().map(|s| (*s).to_owned()));
    a
}
