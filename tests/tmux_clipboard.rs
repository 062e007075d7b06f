//! Under tmux, `y` copies into a named tmux paste buffer and the clear
//! deletes it: after the clear timer, and at quit, the value is gone from
//! `tmux list-buffers`. The real binary runs in a tmux server of its own
//! (`-L`), so other tests and the user's buffers are untouched. `.ci/run`
//! installs tmux.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The sample vault's current `db-password` value.
const SAMPLE_VALUE: &str = "Tr0ub4dor&3-current";

/// A private tmux server with kvtui in one session and a second session
/// that keeps the server (and its buffers) alive after kvtui quits.
struct Server {
    socket: String,
}

impl Server {
    fn start(test: &str, dir: &Path, clear_seconds: u64) -> Self {
        let socket = format!("kvtui-{test}-{}", std::process::id());
        let server = Self { socket };
        let keeper = server.tmux(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "keeper",
            "cat",
        ]);
        assert!(
            keeper.status.success(),
            "tmux runs: {}",
            String::from_utf8_lossy(&keeper.stderr)
        );
        server.start_ui(dir, clear_seconds);
        server
    }

    /// Starts kvtui in the session `ui`.
    fn start_ui(&self, dir: &Path, clear_seconds: u64) {
        let config = dir.join("config.toml");
        std::fs::write(
            &config,
            format!("clipboard_clear_seconds = {clear_seconds}\n"),
        )
        .expect("config file");
        let cmd = format!(
            "{} --data-dir {} --log-file {} --config {}",
            env!("CARGO_BIN_EXE_kvtui"),
            dir.join("data").display(),
            dir.join("kvtui.log").display(),
            config.display()
        );
        // No display: the clipboard must be tmux's, not a system one.
        let ui = self.tmux(&[
            "new-session",
            "-d",
            "-s",
            "ui",
            "-x",
            "200",
            "-y",
            "40",
            "-e",
            "DISPLAY=",
            "-e",
            "WAYLAND_DISPLAY=",
            "-e",
            "KEY_VAULT_NAME=",
            "-e",
            "AZURE_KEYVAULT_URL=",
            &cmd,
        ]);
        assert!(
            ui.status.success(),
            "{}",
            String::from_utf8_lossy(&ui.stderr)
        );
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs (install it with apt-get install -y tmux)")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "ui"]).stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            assert!(self.tmux(&["send-keys", "-t", "ui", k]).status.success());
        }
    }

    /// Every buffer as `name<TAB>sample`.
    fn buffers(&self) -> String {
        let out = self.tmux(&["list-buffers", "-F", "#{buffer_name}\t#{buffer_sample}"]);
        assert!(
            out.status.success(),
            "list-buffers: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn ui_alive(&self) -> bool {
        self.tmux(&["has-session", "-t", "ui"]).status.success()
    }

    /// Waits until `pred` holds for `what()`, or fails showing it.
    fn wait_for(&self, what: &str, read: impl Fn() -> String, pred: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let seen = read();
            if pred(&seen) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; saw:\n{seen}\nscreen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Opens the list, selects `db-password` and copies its value with `y`;
    /// returns the buffer name the status line gives.
    fn copy_sample_value(&self) -> String {
        self.wait_for(
            "the sample secrets",
            || self.screen(),
            |t| t.contains("db-password"),
        );
        self.keys(&["/", "db-password", "Enter"]);
        self.wait_for(
            "the filtered list",
            || self.screen(),
            |t| t.contains("db-password") && !t.contains("app-config"),
        );
        self.keys(&["y"]);
        let marker = "copied the value of db-password to tmux buffer ";
        self.wait_for("the copy message", || self.screen(), |t| t.contains(marker));
        let screen = self.screen();
        let after = &screen[screen.find(marker).expect("message") + marker.len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(name.starts_with("kvtui-"), "buffer name {name:?}");
        self.wait_for(
            "the value in the named buffer",
            || self.buffers(),
            |b| b.contains(&format!("{name}\t{SAMPLE_VALUE}")),
        );
        name
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

fn log_has_no_value(dir: &Path) {
    let logged = std::fs::read_to_string(dir.join("kvtui.log")).expect("the log file");
    assert!(!logged.contains(SAMPLE_VALUE), "no value in the log");
}

#[test]
fn the_clear_timer_deletes_the_tmux_buffer() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let s = Server::start("clear", dir.path(), 1);
    let name = s.copy_sample_value();
    s.wait_for(
        "the buffer to be deleted",
        || s.buffers(),
        |b| !b.contains(&name) && !b.contains(SAMPLE_VALUE),
    );
    assert!(s.ui_alive(), "cleared while still running");
    s.keys(&["q"]);
    s.wait_for(
        "kvtui to quit",
        || s.ui_alive().to_string(),
        |a| a == "false",
    );
    log_has_no_value(dir.path());
}

#[test]
fn quitting_deletes_the_tmux_buffer() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let s = Server::start("quit", dir.path(), 3600);
    let name = s.copy_sample_value();
    s.keys(&["q"]);
    s.wait_for(
        "kvtui to quit",
        || s.ui_alive().to_string(),
        |a| a == "false",
    );
    let left = s.buffers();
    assert!(
        !left.contains(&name) && !left.contains(SAMPLE_VALUE),
        "the value stayed in tmux:\n{left}"
    );
    log_has_no_value(dir.path());
}

/// SIGKILL runs no clean-up, so the value stays in the buffer; the buffer's
/// name holds the dead kvtui's pid, and the next kvtui under that tmux
/// deletes it as soon as it starts.
#[test]
fn a_later_run_deletes_the_buffer_a_killed_kvtui_left() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let s = Server::start("killed", dir.path(), 3600);
    let name = s.copy_sample_value();
    // The buffer is named after the kvtui that copied into it.
    let pid = name.trim_start_matches("kvtui-").to_owned();
    assert!(
        Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .expect("kill")
            .success()
    );
    s.wait_for(
        "kvtui to die",
        || s.ui_alive().to_string(),
        |a| a == "false",
    );
    assert!(
        s.buffers().contains(&name),
        "SIGKILL leaves the buffer behind"
    );
    s.start_ui(dir.path(), 3600);
    s.wait_for(
        "the stale buffer to be deleted",
        || s.buffers(),
        |b| !b.contains(&name) && !b.contains(SAMPLE_VALUE),
    );
    s.keys(&["q"]);
}
