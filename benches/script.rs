//! `kvtui secret list -o names` over 10,000 secrets against the Python SDK
//! listing the same local vault in the same run, and `kvtui secret show`
//! from process start to value. Whole processes are timed, interpreter and
//! runtime start included, each the median of a few runs.
//!
//! `cargo bench --bench script`. The Python side needs a venv with
//! `azure-keyvault-secrets`: `KVTUI_BENCH_PYTHON=/tmp/venv/bin/python`
//! (without it that side is skipped with a note). `KVTUI_BENCH_SECRETS` sets
//! another count.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use azure_security_keyvault_secrets::SecretClient;
use azure_security_keyvault_secrets::models::SetSecretParameters;
use futures::StreamExt;
use kvtui::local::{self, LocalVaultOptions};

const PY_LIST: &str = r#"
import sys, time
from azure.core.credentials import AccessToken
from azure.keyvault.secrets import SecretClient

class Token:
    def __init__(self, t): self.t = t
    def get_token(self, *scopes, **kw): return AccessToken(self.t, int(time.time()) + 3600)

url, ca, token = sys.argv[1], sys.argv[2], open(sys.argv[3]).read().strip()
client = SecretClient(url, Token(token), connection_verify=ca, verify_challenge_resource=False)
out = sys.stdout
for p in client.list_properties_of_secrets():
    out.write(p.name + "\n")
out.flush()
"#;

async fn seed(client: &SecretClient, n: usize) -> Result<(), String> {
    let failures = futures::stream::iter(0..n)
        .map(|i| async move {
            let body = SetSecretParameters {
                value: Some(format!("value-{i:05}")),
                ..Default::default()
            }
            .try_into()
            .map_err(|e| format!("{e}"))?;
            client
                .set_secret(&format!("bench-secret-{i:05}"), body, None)
                .await
                .map(drop)
                .map_err(|e| format!("{e}"))
        })
        .buffer_unordered(16)
        .filter_map(|r| async move { r.err() })
        .collect::<Vec<String>>()
        .await;
    match failures.first() {
        Some(e) => Err(format!("{} seeds failed, first: {e}", failures.len())),
        None => Ok(()),
    }
}

/// Runs `cmd` `runs` times; the median wall time and the last stdout.
fn time_runs(runs: usize, mut cmd: impl FnMut() -> Command) -> Result<(Duration, Vec<u8>), String> {
    let mut times = Vec::with_capacity(runs);
    let mut last = Vec::new();
    for _ in 0..runs {
        let mut c = cmd();
        c.stdin(Stdio::null()).stderr(Stdio::inherit());
        let start = Instant::now();
        let out = c.output().map_err(|e| format!("cannot run: {e}"))?;
        times.push(start.elapsed());
        if !out.status.success() {
            return Err(format!("exited with {}", out.status));
        }
        last = out.stdout;
    }
    times.sort();
    Ok((times[times.len() / 2], last))
}

fn kvtui(dir: &Path, url: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kvtui"));
    c.args(args)
        .arg("--data-dir")
        .arg(dir)
        .args(["--vault", url]);
    c
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let n: usize = std::env::var("KVTUI_BENCH_SECRETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::TempDir::new().map_err(|e| e.to_string())?;
    // The default store: on disk (SQLite, WAL), as `kvtui serve` runs.
    let opts = LocalVaultOptions::new(dir.path());
    let vault = local::start(opts).await.map_err(|e| e.to_string())?;
    let url = vault.url();
    let client = vault.client(&url).map_err(|e| e.to_string())?;
    let seeded = Instant::now();
    seed(&client, n).await?;
    println!("seeded {n} secrets in {}", ms(seeded.elapsed()));
    let d = dir.path().to_path_buf();

    // The binary runs while this runtime keeps serving the vault.
    let list = {
        let (d, url) = (d.clone(), url.clone());
        tokio::task::spawn_blocking(move || {
            time_runs(5, || kvtui(&d, &url, &["secret", "list", "-o", "names"]))
        })
    }
    .await
    .map_err(|e| e.to_string())??;
    let lines = list.1.iter().filter(|b| **b == b'\n').count();
    if lines != n {
        return Err(format!("kvtui listed {lines} names, expected {n}"));
    }
    println!(
        "kvtui secret list -o names ({n} secrets): {} (median of 5)",
        ms(list.0)
    );

    match std::env::var_os("KVTUI_BENCH_PYTHON") {
        None => println!(
            "python: skipped (set KVTUI_BENCH_PYTHON to a python with azure-keyvault-secrets)"
        ),
        Some(py) => {
            let (d, url) = (d.clone(), url.clone());
            let py_run = tokio::task::spawn_blocking(move || {
                time_runs(3, || {
                    let mut c = Command::new(&py);
                    c.arg("-c")
                        .arg(PY_LIST)
                        .arg(&url)
                        .arg(d.join("ca.pem"))
                        .arg(d.join("token"));
                    c
                })
            })
            .await
            .map_err(|e| e.to_string())??;
            let py_lines = py_run.1.iter().filter(|b| **b == b'\n').count();
            if py_lines != n {
                return Err(format!("python listed {py_lines} names, expected {n}"));
            }
            println!(
                "python azure-keyvault-secrets list ({n} secrets): {} (median of 3); kvtui is {:.1}x faster (goal >= 8x)",
                ms(py_run.0),
                py_run.0.as_secs_f64() / list.0.as_secs_f64()
            );
        }
    }

    let show = {
        let (d, url) = (d.clone(), url.clone());
        tokio::task::spawn_blocking(move || {
            time_runs(21, || {
                kvtui(
                    &d,
                    &url,
                    &["secret", "show", "bench-secret-00042", "-o", "value"],
                )
            })
        })
    }
    .await
    .map_err(|e| e.to_string())??;
    if show.1 != b"value-00042" {
        return Err("secret show printed the wrong value".into());
    }
    println!(
        "kvtui secret show -o value, process start to value: {} (median of 21; goal < 25 ms)",
        ms(show.0)
    );
    vault.shutdown().await;
    Ok(())
}
