//! One writer per data dir: 25 `kvtui serve` started together on a fresh dir
//! leave exactly one serving and the rest naming it; no acknowledged write is
//! lost across a restart; concurrent `kvtui secret set` on a fresh embedded
//! vault all succeed and all land.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use azure_security_keyvault_secrets::models::SetSecretParameters;
use secrecy::SecretString;

fn kvtui() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kvtui"))
}

fn serve(dir: &Path) -> Child {
    kvtui()
        .args(["serve", "--port", "0", "--no-samples", "--data-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kvtui serve starts")
}

/// The port from the banner, or the error the process exited with.
fn outcome(mut child: Child) -> Result<(Child, u16), String> {
    let stdout = child.stdout.take().expect("stdout");
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a banner line");
        if let Some(rest) = line.strip_prefix("kvtui local vault listening on ") {
            let port = rest.rsplit(':').next().and_then(|p| p.parse().ok());
            return Ok((child, port.expect("a port")));
        }
    }
    let out = child.wait_with_output().expect("exit");
    Err(String::from_utf8_lossy(&out.stderr).into_owned())
}

fn stop(mut child: Child) {
    // SAFETY: the pid is our own child's, still unwaited.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let _ = child.wait();
}

async fn put_and_read(dir: &Path, port: u16, names: &[String], write: bool) {
    let (ca, token) = kvtui::local::client::read_credentials(dir).expect("credentials");
    let url = format!("https://localhost:{port}");
    let client = kvtui::local::client::secret_client(
        &url,
        &ca,
        SecretString::from(secrecy::ExposeSecret::expose_secret(&token).to_owned()),
    )
    .expect("client");
    for name in names {
        if write {
            let p = SetSecretParameters {
                value: Some(format!("value of {name}")),
                ..Default::default()
            };
            client
                .set_secret(name, p.try_into().expect("body"), None)
                .await
                .expect("the write is acknowledged");
        }
        let got = client
            .get_secret(name, None)
            .await
            .expect("read back")
            .into_model()
            .expect("model");
        assert_eq!(
            got.value.as_deref(),
            Some(format!("value of {name}").as_str())
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_five_first_starts_leave_one_server_and_lose_no_write() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("data");
    let children: Vec<Child> = (0..25).map(|_| serve(&dir)).collect();
    let mut served = Vec::new();
    let mut refusals = Vec::new();
    for child in children {
        match outcome(child) {
            Ok(s) => served.push(s),
            Err(e) => refusals.push(e),
        }
    }
    assert_eq!(
        served.len(),
        1,
        "exactly one serves; refusals: {refusals:?}"
    );
    let (child, port) = served.pop().expect("one");
    let holder = format!("PID {}", child.id());
    for r in &refusals {
        assert!(r.contains("is in use by") && r.contains(&holder), "{r}");
    }
    let names: Vec<String> = (0..10).map(|i| format!("s{i}")).collect();
    put_and_read(&dir, port, &names, true).await;
    stop(child);
    // Restarted, the same dir opens and every acknowledged write is there.
    let (child, port) = outcome(serve(&dir)).expect("restarts");
    put_and_read(&dir, port, &names, false).await;
    stop(child);
}

/// `kvtui secret --data-dir DIR set NAME` with the value on stdin, no vault named.
async fn cli_set(dir: &Path, home: &Path, name: &str) -> std::process::Output {
    use tokio::io::AsyncWriteExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_kvtui"))
        .args(["secret", "--data-dir"])
        .arg(dir)
        .args(["set", name])
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("KVTUI_VAULT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("kvtui starts");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(format!("value of {name}").as_bytes())
        .await
        .expect("stdin");
    drop(stdin);
    tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("in time")
        .expect("output")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_cli_writes_on_a_fresh_embedded_vault_all_land() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("data");
    let home = tempfile::tempdir().expect("home");
    let names: Vec<String> = (0..6).map(|i| format!("n{i}")).collect();
    let outs = futures::future::join_all(names.iter().map(|n| cli_set(&dir, home.path(), n))).await;
    for (name, out) in names.iter().zip(&outs) {
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A `serve` on the same dir afterwards sees every write.
    let (child, port) = outcome(serve(&dir)).expect("serves the dir");
    put_and_read(&dir, port, &names, false).await;
    stop(child);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_joins_a_running_serve_instead_of_opening_its_store() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("data");
    let (child, port) = outcome(serve(&dir)).expect("serves");
    let home = tempfile::tempdir().expect("home");
    let out = cli_set(&dir, home.path(), "joined").await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    put_and_read(&dir, port, &["joined".to_owned()], false).await;
    stop(child);
}
