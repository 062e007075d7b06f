//! Compare and copy across vaults in the real binary under tmux: two local
//! vaults open, `c` compares them, Space and `C` show the plan, Enter copies,
//! and the comparison run again shows the name the same on both sides.
//! `.ci/run` installs tmux.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Session {
    name: String,
}

impl Session {
    fn start(name: &str, dir: &Path) -> Self {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", name])
            .output();
        let cmd = format!(
            "{} --data-dir {} --log-file {} --discover",
            env!("CARGO_BIN_EXE_kvtui"),
            dir.join("data").display(),
            dir.join("kvtui.log").display(),
        );
        let status = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                name,
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
        Self {
            name: name.to_owned(),
        }
    }

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
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let screen = self.screen();
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

/// The row of `name` on the screen.
fn row<'a>(screen: &'a str, name: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(&format!(" {name} ")))
        .unwrap_or("")
}

#[test]
fn compare_two_open_vaults_then_copy_a_missing_secret() {
    let dir = tempfile::TempDir::new().unwrap();
    let s = Session::start(&format!("kvtui-across-{}", std::process::id()), dir.path());
    // Open the second sample vault beside the first.
    s.wait_for("the discovered local vaults", |t| t.contains("team-shared"));
    s.keys(&["t", "e", "a", "m", "Enter"]);
    s.wait_for("the second vault", |t| t.contains("ci-deploy-token"));

    s.keys(&["c"]);
    s.wait_for("the vault chooser", |t| {
        t.contains("Compare vaults") && t.contains("open")
    });
    s.keys(&["Enter"]);
    let screen = s.wait_for("the comparison", |t| {
        t.contains("only in target") && t.contains("2 only in source")
    });
    assert!(
        row(&screen, "ci-deploy-token").contains("only in source"),
        "{screen}"
    );
    assert!(
        row(&screen, "db-password").contains("only in target"),
        "{screen}"
    );

    // Mark ci-deploy-token (the second row) and ask for the plan.
    s.keys(&["j", "Space", "C"]);
    let screen = s.wait_for("the plan", |t| t.contains("1 to write"));
    assert!(screen.contains("1 create"), "{screen}");
    s.keys(&["Enter"]);
    let screen = s.wait_for("the comparison after the copy", |t| {
        row(t, "ci-deploy-token").contains("same") && t.contains("1 only in source")
    });
    assert!(screen.contains("0 marked"), "{screen}");

    // The list on screen is still the source's; one history entry sums the
    // copy up.
    s.keys(&["Escape"]);
    let screen = s.wait_for("the list again", |t| !t.contains("Compare "));
    assert!(
        !screen.contains("db-password"),
        "the vault on screen keeps its own list:\n{screen}"
    );
    s.keys(&["!"]);
    let screen = s.wait_for("the history", |t| t.contains("Messages"));
    assert!(screen.contains(": 1 created"), "{screen}");
    let logged = std::fs::read_to_string(dir.path().join("kvtui.log")).unwrap_or_default();
    assert!(!logged.contains("ghp_sample"), "no value in the log");
}
