//! The real binary in tmux over two named vaults of one local vault service:
//! `c` compares them, Space marks, `C` shows the plan, Enter copies; the
//! target then holds the source's values and the screen never showed one.
//! `.ci/run` installs tmux.

mod across_common;

use std::process::Command;
use std::time::{Duration, Instant};

use across_common::{Seed, assert_no_values_in_files, start};

const VALUES: &[&str] = &["same-Val-1", "dev-Val-2", "prod-Val-3", "new-Val-4"];

struct Session {
    name: String,
}

impl Session {
    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            let ok = Command::new("tmux")
                .args(["send-keys", "-t", &self.name, k])
                .status()
                .expect("send-keys");
            assert!(ok.success());
            std::thread::sleep(Duration::from_millis(80));
        }
    }

    /// Waits until `pred` holds for the screen; every screen seen is free of values.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
            for v in VALUES {
                assert!(!screen.contains(v), "a value reached the screen:\n{screen}");
            }
            if pred(&screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .output();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_then_copy_the_marked_rows() {
    let v = start(false).await;
    let seed = |value| Seed {
        value,
        ..Default::default()
    };
    v.set("dev", "api-key", seed("same-Val-1")).await;
    v.set("prod", "api-key", seed("same-Val-1")).await;
    v.set("dev", "db-password", seed("dev-Val-2")).await;
    v.set("prod", "db-password", seed("prod-Val-3")).await;
    v.set("dev", "new-key", seed("new-Val-4")).await;
    let (dev, prod) = (v.url("dev"), v.url("prod"));
    let log = v.home.path().join("kvtui.log");
    let name = format!("kvtui-across-{}", std::process::id());
    let _ = Command::new("tmux")
        .args(["kill-session", "-t", &name])
        .output();
    let cmd = format!(
        "env HOME={} {} --vault {dev} --vault {prod} --data-dir {} --log-file {} --no-cache",
        v.home.path().display(),
        env!("CARGO_BIN_EXE_kvtui"),
        v.dir.path().display(),
        log.display()
    );
    let status = Command::new("tmux")
        .args([
            "new-session",
            "-d",
            "-s",
            &name,
            "-x",
            "120",
            "-y",
            "40",
            &cmd,
        ])
        .env_remove("KEY_VAULT_NAME")
        .env_remove("AZURE_KEYVAULT_URL")
        .status()
        .expect("tmux runs (install it with apt-get install -y tmux)");
    assert!(status.success());
    let s = Session { name };
    s.wait_for("the dev list", |t| t.contains("db-password"));

    s.keys(&["c"]);
    s.wait_for("the vault chooser", |t| {
        t.contains("Compare vaults") && t.contains("prod.localhost")
    });
    s.keys(&["Enter"]);
    let shown = s.wait_for("the comparison", |t| {
        t.contains("1 same, 1 differs, 1 only in source")
    });
    assert!(shown.contains("value"), "what differs is named:\n{shown}");

    // api-key, db-password, new-key: mark the last two, then copy.
    s.keys(&["j", "Space", "Space", "C"]);
    s.wait_for("the plan", |t| {
        t.contains("Copy 2 names") && t.contains("new version") && t.contains("create")
    });
    s.keys(&["Enter"]);
    s.wait_for("the copy's summary and the new comparison", |t| {
        t.contains("1 created") && t.contains("3 same")
    });
    s.keys(&["q", "q"]);
    drop(s);

    assert_eq!(
        v.value("prod", "db-password").await.as_deref(),
        Some("dev-Val-2")
    );
    assert_eq!(
        v.value("prod", "new-key").await.as_deref(),
        Some("new-Val-4")
    );
    assert_eq!(v.versions("prod", "api-key").await, 1, "no new version");
    assert_no_values_in_files(v.home.path(), VALUES);
}
