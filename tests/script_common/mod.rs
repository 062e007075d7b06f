//! Running the real `kvtui` binary against a local vault started in the test:
//! `--data-dir <its dir> --vault <its url>`, a clean environment, bounded waits.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use kvtui::local::{self, LocalVault, LocalVaultOptions};
use tempfile::TempDir;
use tokio::io::AsyncWriteExt;

/// Longest any one run of the binary may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(60);

pub struct Vault {
    pub vault: LocalVault,
    pub dir: TempDir,
    /// Stands in for HOME and the XDG dirs, so no user config is read.
    pub home: TempDir,
}

pub struct Output {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Output {
    pub fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

pub async fn start() -> Vault {
    start_with(local::Faults::default()).await
}

/// A vault with faults read at start (such as `recover_delay`).
pub async fn start_with(faults: local::Faults) -> Vault {
    let dir = TempDir::new().expect("temp dir");
    let mut opts = LocalVaultOptions::new(dir.path());
    opts.in_memory = true;
    opts.samples = false;
    opts.faults = faults;
    let vault = local::start(opts).await.expect("local vault starts");
    Vault {
        vault,
        dir,
        home: TempDir::new().expect("temp home"),
    }
}

impl Vault {
    pub fn url(&self) -> String {
        self.vault.url()
    }

    /// `kvtui ARGS --data-dir DIR --vault URL` with `stdin`.
    pub async fn kvtui(&self, args: &[&str], stdin: Option<&[u8]>) -> Output {
        self.kvtui_with(self.dir.path(), args, stdin, &[]).await
    }

    /// The same against another data dir (a wrong token), with extra variables.
    pub async fn kvtui_with(
        &self,
        data_dir: &Path,
        args: &[&str],
        stdin: Option<&[u8]>,
        env: &[(&str, &str)],
    ) -> Output {
        // The vault flags go right after the subcommand (`secret`, `export`, `run`...).
        let mut full: Vec<String> = vec![args[0].to_string()];
        full.extend([
            "--data-dir".into(),
            data_dir.display().to_string(),
            "--vault".into(),
            self.url(),
        ]);
        full.extend(args[1..].iter().map(|s| s.to_string()));
        run_binary(&full, stdin, self.home.path(), env).await
    }
}

/// Runs the binary with a clean environment (no vault variables, HOME in `home`).
pub async fn run_binary(
    args: &[String],
    stdin: Option<&[u8]>,
    home: &Path,
    env: &[(&str, &str)],
) -> Output {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_kvtui"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        // Dates without a zone are local: the same zone on every machine.
        .env("TZ", "UTC")
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("kvtui starts");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        // A command refused for its arguments exits before reading stdin; its
        // closed pipe is its answer, not a failure of the test.
        match pipe.write_all(bytes).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(e) => panic!("write stdin: {e}"),
        }
        drop(pipe);
    }
    let out = tokio::time::timeout(PATIENCE, child.wait_with_output())
        .await
        .expect("kvtui finishes in time")
        .expect("kvtui output");
    Output {
        code: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A copy of the data dir's CA with a wrong token: the vault answers 401.
pub fn wrong_token_dir(v: &Vault) -> TempDir {
    let d = TempDir::new().expect("temp dir");
    std::fs::copy(v.dir.path().join("ca.pem"), d.path().join("ca.pem")).expect("copy CA");
    std::fs::write(d.path().join("token"), "not-the-token-this-vault-takes").expect("write token");
    d
}

pub fn path_str(p: &Path) -> String {
    p.display().to_string()
}

pub fn join(d: &TempDir, name: &str) -> PathBuf {
    d.path().join(name)
}
