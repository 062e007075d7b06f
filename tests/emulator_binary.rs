//! The CI hand-off through the real binary: `--ready-file` and
//! `--print-env`, `kvtui state export --plain` and `serve --import-state`,
//! and `state import` refused on a served or non-empty dir.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn kvtui() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kvtui"));
    c.env_remove("KVTUI_STATE_PASSPHRASE")
        .env_remove("KVTUI_DATA_DIR")
        .env_remove("KVTUI_TOKEN");
    c
}

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        // SAFETY: our own child, not yet waited for.
        unsafe { libc::kill(self.0.id() as i32, libc::SIGTERM) };
        let _ = self.0.wait();
    }
}

fn wait_for(path: &Path) -> serde_json::Value {
    let t0 = Instant::now();
    loop {
        if let Ok(text) = std::fs::read(path)
            && let Ok(v) = serde_json::from_slice(&text)
        {
            return v;
        }
        assert!(t0.elapsed() < Duration::from_secs(60), "no ready file");
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn get(ready: &serde_json::Value, path: &str, token: bool) -> (u16, String) {
    let url = url::Url::parse(ready["url"].as_str().unwrap()).unwrap();
    let ca = std::fs::read(ready["caPath"].as_str().unwrap()).unwrap();
    let http = kvtui::local::client::local_http_client(&url, &ca).unwrap();
    let mut req = http.get(format!("{}{path}", ready["url"].as_str().unwrap()));
    if token {
        let t = std::fs::read_to_string(ready["tokenPath"].as_str().unwrap()).unwrap();
        req = req.bearer_auth(t.trim());
    }
    let rsp = req.send().await.unwrap();
    (rsp.status().as_u16(), rsp.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixture_exported_plain_starts_a_new_vault_that_ci_can_find() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let ready_a = tmp.path().join("ready-a.json");
    let served = Served(
        kvtui()
            .args(["serve", "--port", "0", "--no-samples", "--data-dir"])
            .arg(&a)
            .arg("--ready-file")
            .arg(&ready_a)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let ready = wait_for(&ready_a);
    assert_eq!(ready["version"], 1);
    assert_eq!(get(&ready, "/_kvtui/health", false).await.0, 200);
    let put = {
        let url = url::Url::parse(ready["url"].as_str().unwrap()).unwrap();
        let ca = std::fs::read(ready["caPath"].as_str().unwrap()).unwrap();
        let t = std::fs::read_to_string(ready["tokenPath"].as_str().unwrap()).unwrap();
        kvtui::local::client::local_http_client(&url, &ca)
            .unwrap()
            .put(format!(
                "{}/secrets/fixture?api-version=7.6",
                ready["url"].as_str().unwrap()
            ))
            .bearer_auth(t.trim())
            .header("content-type", "application/json")
            .body(r#"{"value":"from the fixture","tags":{"k":"v"}}"#)
            .send()
            .await
            .unwrap()
    };
    assert_eq!(put.status().as_u16(), 200);

    // Import into a served dir is refused, naming the holder.
    let fixture = tmp.path().join("fixture.json");
    std::fs::write(
        &fixture,
        br#"{"format":"kvtui-state","version":1,"exported":0,"vaults":[]}"#,
    )
    .unwrap();
    let out = kvtui()
        .args(["state", "import", "--data-dir"])
        .arg(&a)
        .arg(&fixture)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("PID {}", served.0.id())), "{err}");

    // Export while it serves: without a passphrase only --plain is allowed.
    let out = kvtui()
        .args(["state", "export", "--data-dir"])
        .arg(&a)
        .args(["-o"])
        .arg(&fixture)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "needs KVTUI_STATE_PASSPHRASE or --plain"
    );
    let out = kvtui()
        .args(["state", "export", "--plain", "--data-dir"])
        .arg(&a)
        .arg("-o")
        .arg(&fixture)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(served);
    assert!(
        String::from_utf8_lossy(&std::fs::read(&fixture).unwrap()).contains("from the fixture")
    );

    // A new dir from the fixture, with the export lines on stdout.
    let ready_b = tmp.path().join("ready-b.json");
    let mut child = kvtui()
        .args([
            "serve",
            "--port",
            "0",
            "--no-samples",
            "--print-env",
            "--data-dir",
        ])
        .arg(&b)
        .arg("--import-state")
        .arg(&fixture)
        .arg("--ready-file")
        .arg(&ready_b)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let served = Served(child);
    let ready = wait_for(&ready_b);
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().unwrap().unwrap();
    assert_eq!(
        first,
        format!(
            "export AZURE_KEYVAULT_URL={}",
            ready["url"].as_str().unwrap()
        )
    );
    let env: Vec<String> = lines.take(7).map(|l| l.unwrap()).collect();
    assert!(
        env.iter()
            .any(|l| l.starts_with("export NODE_EXTRA_CA_CERTS=")),
        "{env:?}"
    );
    let identity = format!(
        "export IDENTITY_ENDPOINT={}/_kvtui/identity/token",
        ready["url"].as_str().unwrap()
    );
    assert!(env.contains(&identity), "{env:?}");
    assert_eq!(
        ready["identityUrl"],
        identity["export IDENTITY_ENDPOINT=".len()..]
    );
    assert!(
        env.iter()
            .any(|l| l.starts_with("export IDENTITY_HEADER=\"$(cat ") && l.ends_with("token')\"")),
        "the token is read when the lines run: {env:?}"
    );
    let (status, body) = get(&ready, "/secrets/fixture?api-version=7.6", true).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("from the fixture") && body.contains(r#""k":"v""#),
        "{body}"
    );
    drop(served);

    // A second --import-state into the now non-empty dir is refused.
    let out = kvtui()
        .args(["serve", "--port", "0", "--no-samples", "--data-dir"])
        .arg(&b)
        .arg("--import-state")
        .arg(&fixture)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--replace"));
}
