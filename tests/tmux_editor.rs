//! `Ctrl-E` in the real binary under tmux: the value goes to `$EDITOR` in a
//! private file (0600) in a private directory (0700), comes back into the
//! form, and the file is gone afterwards; an editor that crashes leaves the
//! form and the terminal working. `.ci/run` installs tmux.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Session {
    name: String,
}

impl Session {
    fn start(name: &str, dir: &Path, editor: &Path) -> Self {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", name])
            .output();
        let cmd = format!(
            "env EDITOR={} VISUAL= REPORT={} {} --data-dir {} --log-file {}",
            editor.display(),
            dir.join("report").display(),
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

fn script(dir: &Path, name: &str, body: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("editor script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[test]
fn ctrl_e_edits_the_value_in_a_private_file_that_is_removed() {
    let dir = tempfile::TempDir::new().unwrap();
    // Records what it was given and how private it was, then writes the value
    // as editors do, with a line break at the end.
    let editor = script(
        dir.path(),
        "fake-editor",
        r#"stat -c %a "$1" > "$REPORT.file"
stat -c %a "$(dirname "$1")" > "$REPORT.dir"
printf '%s' "$1" > "$REPORT.path"
cat "$1" > "$REPORT.before"
printf 'from-the-editor\n' > "$1""#,
    );
    let s = Session::start(
        &format!("kvtui-editor-{}", std::process::id()),
        dir.path(),
        &editor,
    );
    s.wait_for("the sample secrets", |t| t.contains("db-password"));
    s.keys(&["n"]);
    s.wait_for("the form", |t| t.contains("New secret"));
    for c in "edited-secret".chars() {
        s.keys(&[&c.to_string()]);
    }
    s.keys(&["Tab", "a", "b", "c", "C-e"]);
    s.wait_for("the edited value back in the form", |t| {
        t.contains("1 line · 15 bytes")
    });
    let report = dir.path().join("report");
    assert_eq!(read(&report.with_extension("file")), "600");
    assert_eq!(read(&report.with_extension("dir")), "700");
    assert_eq!(read(&report.with_extension("before")), "abc");
    let edited = std::path::PathBuf::from(read(&report.with_extension("path")));
    assert!(!edited.exists(), "the file is removed");
    assert!(
        !edited.parent().expect("its dir").exists(),
        "and its private directory"
    );
    s.keys(&["C-s"]);
    s.wait_for("saved", |t| t.contains("created edited-secret"));
    s.keys(&["Enter", "s"]);
    s.wait_for("the value as the editor left it", |t| {
        t.contains("from-the-editor")
    });
}

#[test]
fn a_crashed_editor_leaves_the_form_and_the_terminal_working() {
    let dir = tempfile::TempDir::new().unwrap();
    let editor = script(
        dir.path(),
        "crashing-editor",
        r#"printf 'half' > "$1"; kill -9 $$"#,
    );
    let s = Session::start(
        &format!("kvtui-editor-crash-{}", std::process::id()),
        dir.path(),
        &editor,
    );
    s.wait_for("the sample secrets", |t| t.contains("db-password"));
    s.keys(&["n", "Tab", "x", "y", "C-e"]);
    s.wait_for("why, in the form", |t| {
        t.contains("New secret") && t.contains("the value was not changed")
    });
    // The form kept its value, and keys still reach it.
    s.keys(&["z"]);
    s.wait_for("typing works again", |t| t.contains("1 line · 3 bytes"));
    s.keys(&["Escape", "Escape"]);
}
