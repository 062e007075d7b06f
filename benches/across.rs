//! `kvtui diff` and `kvtui copy --apply` between two named vaults of one
//! in-memory local vault: 10,000 secrets each, 1,000 of them differing
//! (values, and every tenth a tag). Whole processes are timed, start-up
//! included; each figure is one run.
//!
//! `cargo bench --bench across`. `KVTUI_BENCH_SECRETS` sets another count
//! (a tenth of it differs).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use azure_security_keyvault_secrets::SecretClient;
use azure_security_keyvault_secrets::models::SetSecretParameters;
use futures::StreamExt;
use kvtui::local::{self, LocalVaultOptions};

/// Secret `i` of a vault; `differ` gives it another value (and every tenth another tag).
fn params(i: usize, differ: bool) -> Result<SetSecretParameters, String> {
    let value = if differ {
        format!("changed-{i:05}")
    } else {
        format!("value-{i:05}")
    };
    let tag = if differ && i.is_multiple_of(10) {
        "prod"
    } else {
        "dev"
    };
    Ok(SetSecretParameters {
        value: Some(value),
        content_type: Some("text/plain".into()),
        tags: Some([("env".to_owned(), tag.to_owned())].into_iter().collect()),
        ..Default::default()
    })
}

async fn seed(client: &SecretClient, n: usize, differing: usize) -> Result<(), String> {
    let failures = futures::stream::iter(0..n)
        .map(|i| async move {
            let body = params(i, i < differing)?
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

/// Runs the binary once, returning its time, exit code and stdout's line count.
fn timed(args: &[String]) -> Result<(Duration, Option<i32>, usize), String> {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_kvtui"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    let took = start.elapsed();
    if !matches!(out.status.code(), Some(0 | 10 | 11)) {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let lines = out
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    Ok((took, out.status.code(), lines))
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let n: usize = std::env::var("KVTUI_BENCH_SECRETS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let differing = n / 10;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut opts = LocalVaultOptions::new(dir.path());
    opts.in_memory = true;
    let svc = local::start(opts).await.map_err(|e| e.to_string())?;
    let (src, dst) = (svc.vault_url("bench-src"), svc.vault_url("bench-dst"));
    let seeding = Instant::now();
    let sc = svc.client(&src).map_err(|e| e.to_string())?;
    let dc = svc.client(&dst).map_err(|e| e.to_string())?;
    seed(&sc, n, 0).await?;
    seed(&dc, n, differing).await?;
    println!(
        "seeded 2 × {n} secrets ({differing} differing) in {:.1?}",
        seeding.elapsed()
    );

    let data = dir.path().display().to_string();
    let base = |cmd: &str| {
        vec![
            cmd.to_owned(),
            src.clone(),
            dst.clone(),
            "--data-dir".into(),
            data.clone(),
        ]
    };
    let run = |args: Vec<String>| tokio::task::spawn_blocking(move || timed(&args));
    let join =
        |r: Result<Result<_, String>, tokio::task::JoinError>| r.map_err(|e| e.to_string())?;

    let mut meta = base("diff");
    meta.push("--metadata-only".into());
    let (t, code, lines) = join(run(meta).await)?;
    println!(
        "diff --metadata-only: {:.0} ms (exit {code:?}, {lines} lines)",
        t.as_secs_f64() * 1e3
    );
    let (t, code, lines) = join(run(base("diff")).await)?;
    println!(
        "diff with values:     {:.0} ms (exit {code:?}, {lines} lines)",
        t.as_secs_f64() * 1e3
    );
    let mut copy = base("copy");
    copy.extend(["--changed".into(), "--apply".into()]);
    let (t, code, lines) = join(run(copy).await)?;
    println!(
        "copy --changed --apply of {differing}: {:.0} ms (exit {code:?}, {lines} lines)",
        t.as_secs_f64() * 1e3
    );
    let (t, code, _) = join(run(base("diff")).await)?;
    println!(
        "diff after the copy:  {:.0} ms (exit {code:?})",
        t.as_secs_f64() * 1e3
    );
    svc.shutdown().await;
    Ok(())
}
