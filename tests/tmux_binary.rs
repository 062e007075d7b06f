//! The real binary in a real terminal (tmux): what a new user sees on first run.
//! `.ci/run` installs tmux.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Session {
    name: String,
}

impl Session {
    fn start(name: &str, data: &Path, log: &Path) -> Self {
        Self::start_with(name, data, log, "", "")
    }

    /// Starts kvtui behind `prefix` (such as `env HOME=/tmp/x`), with `extra`
    /// arguments after its own.
    fn start_with(name: &str, data: &Path, log: &Path, prefix: &str, extra: &str) -> Self {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", name])
            .output();
        let cmd = format!(
            "{prefix} {} --data-dir {} --log-file {} {extra}",
            env!("CARGO_BIN_EXE_kvtui"),
            data.display(),
            log.display()
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

    /// Waits until `pred` holds for the screen, or fails with the screen shown.
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

    fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["has-session", "-t", &self.name])
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .output();
    }
}

#[test]
fn a_first_run_shows_the_sample_vault_and_quits_cleanly() {
    let dir = tempfile::TempDir::new().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("kvtui.log");
    let s = Session::start(&format!("kvtui-test-{}", std::process::id()), &data, &log);

    let screen = s.wait_for("the sample secrets", |t| {
        t.contains("db-password") && t.contains("app-config")
    });
    assert!(
        screen.contains("local vault"),
        "status bar names the local vault:\n{screen}"
    );
    assert!(
        !screen.contains("Tr0ub4dor"),
        "values stay masked in the list"
    );

    // Filter, then open the details: the value is masked until `s`.
    s.keys(&["/", "d", "b", "-", "p", "a", "s", "s", "Enter"]);
    s.wait_for("the filtered list", |t| {
        t.contains("db-password") && !t.contains("app-config")
    });
    s.keys(&["Enter"]);
    s.wait_for("the details", |t| {
        t.contains("Recoverable+Purgeable") && t.contains("Versions")
    });
    assert!(!s.screen().contains("Tr0ub4dor&3-current"));
    s.keys(&["s"]);
    s.wait_for("the shown value", |t| t.contains("Tr0ub4dor&3-current"));
    s.keys(&["Escape"]);
    s.wait_for("the list again", |t| !t.contains("Recoverable+Purgeable"));

    // The deleted view holds the deleted sample.
    s.keys(&["Escape", "Tab"]);
    s.wait_for("the deleted view", |t| t.contains("retired-service-key"));

    s.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!s.alive(), "q quits");
    let logged = std::fs::read_to_string(&log).expect("the log file was written");
    assert!(!logged.contains("Tr0ub4dor"), "no value in the log");
}

#[test]
fn the_first_run_line_shows_once_and_stays_hidden_once_dismissed() {
    let dir = tempfile::TempDir::new().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("kvtui.log");
    let name = format!("kvtui-welcome-{}", std::process::id());
    let s = Session::start(&name, &data, &log);
    let screen = s.wait_for("the first-run line", |t| {
        t.contains("db-password") && t.contains("Local sample vault")
    });
    assert!(screen.contains("--vault NAME"), "{screen}");
    s.keys(&["W"]);
    s.wait_for("the line gone", |t| {
        t.contains("db-password") && !t.contains("sample vault")
    });
    let marker = data.join("welcome-dismissed");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !marker.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        marker.exists(),
        "the dismissal is remembered in the data dir"
    );
    s.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(s);

    // The next run over the same data dir does not show it.
    let again = Session::start(&name, &data, &log);
    let screen = again.wait_for("the sample secrets", |t| t.contains("db-password"));
    std::thread::sleep(Duration::from_millis(300));
    assert!(!again.screen().contains("sample vault"), "{screen}");
}

#[test]
fn files_under_a_tilde_path_are_found_and_replaced_only_on_yes() {
    let dir = tempfile::TempDir::new().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join("value.txt"), "from-a-file").unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("kvtui.log");
    let prefix = format!("env HOME={}", home.display());
    let name = format!("kvtui-tilde-{}", std::process::id());
    let s = Session::start_with(&name, &data, &log, &prefix, "");
    s.wait_for("the sample secrets", |t| t.contains("db-password"));

    // A backup to ~/b.kvbackup lands in the home directory.
    s.keys(&[
        "b", "C-u", "~", "/", "b", ".", "k", "v", "b", "a", "c", "k", "u", "p", "C-s",
    ]);
    s.wait_for("the backup message", |t| t.contains("backed up"));
    let backup = home.join("b.kvbackup");
    assert!(backup.exists(), "the backup is in HOME");
    let first = std::fs::read(&backup).unwrap();
    std::fs::write(&backup, b"keep me").unwrap();

    // The same path again asks; Esc keeps the file, Enter replaces it.
    s.keys(&[
        "b", "C-u", "~", "/", "b", ".", "k", "v", "b", "a", "c", "k", "u", "p", "C-s",
    ]);
    s.wait_for("the question", |t| t.contains("Replace the existing file?"));
    s.keys(&["Escape"]);
    s.wait_for("the form again", |t| {
        !t.contains("Replace the existing file?")
    });
    assert_eq!(std::fs::read(&backup).unwrap(), b"keep me");
    s.keys(&["C-s"]);
    s.wait_for("the question again", |t| {
        t.contains("Replace the existing file?")
    });
    s.keys(&["Enter"]);
    s.wait_for("the form closed", |t| !t.contains("Back up"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read(&backup).unwrap_or_default() == b"keep me" && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        std::fs::read(&backup).unwrap().len(),
        first.len(),
        "replaced"
    );

    // A value file under ~ is read for a new secret.
    s.keys(&[
        "n", "f", "r", "o", "m", "-", "h", "o", "m", "e", "Tab", "Tab",
    ]);
    s.keys(&["~", "/", "v", "a", "l", "u", "e", ".", "t", "x", "t", "C-s"]);
    s.wait_for("the new secret", |t| t.contains("created from-home"));
}

#[test]
fn discover_lists_the_local_vaults_and_opens_one() {
    let dir = tempfile::TempDir::new().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("kvtui.log");
    // Azure is searched beside the local vaults whenever a credential gives
    // a token: here only the environment's service principal may, and its
    // variables are unset, so no token and no request ever leaves loopback.
    let s = Session::start_with(
        &format!("kvtui-discover-{}", std::process::id()),
        &data,
        &log,
        "env -u AZURE_CLIENT_SECRET -u AZURE_CLIENT_ID -u AZURE_TENANT_ID",
        "--discover --auth env",
    );
    // The picker opens at once and the embedded vault's Resource Manager
    // endpoint reports both sample vaults.
    let screen = s.wait_for("the discovered local vaults", |t| {
        t.contains("Local vaults (2 vaults in 1 subscription)") && t.contains("team-shared")
    });
    assert!(screen.contains("Type to filter"), "{screen}");
    assert!(screen.contains("default"), "{screen}");
    assert!(!screen.contains("Local vault / Local vault"), "{screen}");
    // Azure's group, in place: how to sign in.
    let screen = s.wait_for("the Azure group asking for a sign-in", |t| {
        t.contains("Azure (not signed in) · management.azure.com") && t.contains("az login")
    });
    assert!(screen.contains("AZURE_TENANT_ID"), "{screen}");

    s.keys(&["t", "e", "a", "m", "Enter"]);
    let screen = s.wait_for("the second vault's secrets", |t| {
        t.contains("ci-deploy-token") && t.contains("smtp-password")
    });
    assert!(
        screen.contains("team-shared.localhost"),
        "the status bar names the opened vault:\n{screen}"
    );
    assert!(!screen.contains("db-password"), "{screen}");

    // Back to the first vault through the picker: its list was kept.
    s.keys(&["v"]);
    s.wait_for("the picker again", |t| t.contains("Type to filter"));
    s.keys(&["l", "o", "c", "a", "l", "h", "o", "s", "t", ":", "Enter"]);
    s.wait_for("the first vault", |t| t.contains("db-password"));
    s.keys(&["q"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    // The search is remembered beside the log: names and URLs, no value.
    let cache = std::fs::read_to_string(dir.path().join("vaults.json")).expect("vaults.json");
    assert!(cache.contains("https://team-shared.localhost:"), "{cache}");
    assert!(!cache.contains("ghp_sample") && !cache.contains("Passw0rd"));
}

/// `--cache-dir` naming a shared 1777 directory through a symlink: kvtui
/// keeps its lists in a private `kvtui-UID` inside it and changes neither the
/// link nor the shared directory; `--log-file` is created 0600.
#[cfg(unix)]
#[test]
fn a_shared_cache_dir_gets_a_private_subdirectory_and_the_log_is_private() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::TempDir::new().expect("temp dir");
    let data = dir.path().join("data");
    let mut serve = Command::new(env!("CARGO_BIN_EXE_kvtui"))
        .args(["serve", "--port", "0", "--in-memory", "--data-dir"])
        .arg(&data)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("kvtui serve starts");
    let stdout = serve.stdout.take().expect("stdout");
    let mut url = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a banner line");
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
    let url = url.expect("the served URL");
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).expect("shared dir");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).expect("chmod");
    let link = dir.path().join("cache-link");
    std::os::unix::fs::symlink(&shared, &link).expect("symlink");
    let log = dir.path().join("logs").join("kvtui.log");
    let s = Session::start_with(
        "kvtui-test-cachedir",
        &data,
        &log,
        "",
        &format!("--vault {url} --cache-dir {}", link.display()),
    );
    s.wait_for("the served vault's list", |t| t.contains("db-password"));
    // SAFETY: geteuid has no preconditions.
    let uid = unsafe { libc::geteuid() };
    let private = shared.join(format!("kvtui-{uid}"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let cached = || {
        std::fs::read_dir(&private)
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with("lists-"))
            })
            .unwrap_or(false)
    };
    while !cached() {
        assert!(Instant::now() < deadline, "no list cached in {private:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    s.keys(&["q"]);
    let _ = serve.kill();
    let _ = serve.wait();
    let mode = |p: &Path| std::fs::symlink_metadata(p).map(|m| m.mode() & 0o7777).ok();
    assert_eq!(mode(&shared), Some(0o1777), "the shared dir is untouched");
    assert!(std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()));
    assert_eq!(mode(&private), Some(0o700));
    assert_eq!(mode(&log), Some(0o600), "the log is private");
}

/// The new-secret form's value file on a FIFO that never ends: reading stops
/// at Key Vault's 25 KiB and the form says so, instead of reading until
/// memory runs out.
#[cfg(unix)]
#[test]
fn a_value_file_that_never_ends_is_refused_at_the_limit() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let fifo = dir.path().join("endless");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let mut writer = Command::new("sh")
        .arg("-c")
        .arg(format!("yes > '{}'", fifo.display()))
        .spawn()
        .expect("writer");
    let s = Session::start(
        &format!("kvtui-test-fifo-{}", std::process::id()),
        &dir.path().join("data"),
        &dir.path().join("kvtui.log"),
    );
    s.wait_for("the sample secrets", |t| t.contains("db-password"));
    s.keys(&["n"]);
    s.wait_for("the new-secret form", |t| t.contains("New secret"));
    s.keys(&["b", "i", "g", "Tab", "Tab"]);
    s.keys(&[&fifo.display().to_string(), "C-s"]);
    let screen = s.wait_for("the refusal", |t| t.contains("holds more than 25600 bytes"));
    let _ = writer.kill();
    let _ = writer.wait();
    assert!(s.alive(), "still running:\n{screen}");
}
