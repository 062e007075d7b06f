//! `kvtui serve`, the release binary, under load from `wrk`: `GET` of one
//! secret with 16 keep-alive connections on 2 wrk threads, on-disk and
//! `--in-memory`, and the same server's 401 (no token) as the transport's
//! ceiling. Prints requests a second and the 99th percentile.
//!
//! `cargo bench --bench serve`; needs `wrk` on the PATH (`apt-get install
//! wrk`). `WRK_SECONDS` sets each run's length (default 10).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use azure_security_keyvault_secrets::models::SetSecretParameters;
use secrecy::ExposeSecret;

/// A running `kvtui serve`, stopped when dropped.
struct Served {
    child: Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data: &Path, in_memory: bool) -> Result<Served, String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kvtui"));
    cmd.args(["serve", "--port", "0", "--data-dir"]).arg(data);
    if in_memory {
        cmd.arg("--in-memory");
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("kvtui serve: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut url = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| e.to_string())?;
        if line.trim_start().starts_with("default vault:") {
            url = line
                .split_whitespace()
                .find(|w| w.starts_with("https://"))
                .map(str::to_owned);
        }
        if line.contains("Press Ctrl-C") {
            break;
        }
    }
    let url = url.ok_or("no default vault URL in the banner")?;
    Ok(Served { child, url })
}

/// What `wrk --latency` printed that the figures need.
struct WrkRun {
    per_second: f64,
    p99: String,
    non_2xx: u64,
}

fn wrk(url: &str, auth: Option<&str>, seconds: u32) -> Result<WrkRun, String> {
    let mut cmd = Command::new("wrk");
    cmd.args(["-t2", "-c16", "--latency"])
        .arg(format!("-d{seconds}s"));
    if let Some(a) = auth {
        cmd.arg("-H").arg(format!("Authorization: {a}"));
    }
    let out = cmd
        .arg(url)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("wrk: {e} (apt-get install wrk)"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .map(|rest| rest.trim().to_owned())
    };
    let per_second = field("Requests/sec:")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no Requests/sec in wrk's output:\n{text}"))?;
    let p99 = field("99%").ok_or_else(|| format!("no 99% line:\n{text}"))?;
    let non_2xx = field("Non-2xx or 3xx responses:")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    Ok(WrkRun {
        per_second,
        p99,
        non_2xx,
    })
}

async fn seed(served: &Served, data: &Path) -> Result<String, String> {
    let (ca, token) = kvtui::local::client::read_credentials(data).map_err(|e| e.to_string())?;
    let bearer = format!("Bearer {}", token.expose_secret());
    let client =
        kvtui::local::client::secret_client(&served.url, &ca, token).map_err(|e| e.to_string())?;
    let body = SetSecretParameters {
        value: Some("a value of a few dozen bytes, like a connection string".into()),
        ..Default::default()
    }
    .try_into()
    .map_err(|e| format!("{e}"))?;
    client
        .set_secret("bench-get", body, None)
        .await
        .map_err(|e| e.to_string())?;
    Ok(bearer)
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let seconds: u32 = std::env::var("WRK_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    for (label, in_memory) in [("on-disk", false), ("--in-memory", true)] {
        let dir = tempfile::TempDir::new().map_err(|e| e.to_string())?;
        let served = serve(dir.path(), in_memory)?;
        let bearer = seed(&served, dir.path()).await?;
        let get = format!("{}/secrets/bench-get?api-version=7.6", served.url);
        let run = tokio::task::block_in_place(|| wrk(&get, Some(&bearer), seconds))?;
        if run.non_2xx > 0 {
            return Err(format!(
                "{label}: {} GETs were not answered 200",
                run.non_2xx
            ));
        }
        println!(
            "GET one secret, {label:>11}, wrk -t2 -c16 -d{seconds}s: {:>8.0}/s, p99 {} (goal >= 40,000/s, p99 < 2 ms)",
            run.per_second, run.p99
        );
        if in_memory {
            let ceiling = tokio::task::block_in_place(|| wrk(&get, None, seconds))?;
            println!(
                "401 (no token),  {label:>11}, wrk -t2 -c16 -d{seconds}s: {:>8.0}/s, p99 {} (the transport's ceiling)",
                ceiling.per_second, ceiling.p99
            );
        }
    }
    Ok(())
}
