//! The clipboard: the system one through its command-line tool where there
//! is one (wl-copy, xclip, xsel, pbcopy); inside tmux otherwise (and over
//! SSH) a named tmux paste buffer; OSC 52 through the terminal elsewhere. A
//! copied value is cleared where it was put, after a while and at quit: the
//! system clipboard unless it changed meanwhile, the tmux buffer by deleting
//! it, the terminal's by an empty OSC 52 (which cannot read back).
//!
//! Under tmux, OSC 52 is not used: with `set-clipboard on` tmux keeps what
//! it forwards in a paste buffer of its own that no escape sequence removes.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};

use crate::app::model::{Clip, CopyTarget};
use crate::tui;

/// How text reaches the clipboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A program that reads the text on stdin, and one that prints it back.
    Command {
        copy: Vec<String>,
        paste: Option<Vec<String>>,
    },
    /// A named tmux paste buffer (`prefix ]` pastes it), loaded from stdin
    /// and deleted when cleared.
    Tmux { buffer: String },
    /// The terminal's OSC 52 escape: works over SSH, cannot read back.
    Osc52,
}

use super::tmux_buffers::delete_stale_tmux_buffers;
pub use super::tmux_buffers::tmux_buffer_name;

fn argv(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

/// Picks the backend from the environment and the programs on `PATH`.
pub fn detect(env: &dyn Fn(&str) -> Option<String>, on_path: &dyn Fn(&str) -> bool) -> Backend {
    let set = |k: &str| env(k).is_some_and(|v| !v.is_empty());
    let tmux = || Backend::Tmux {
        buffer: tmux_buffer_name(),
    };
    let in_tmux = set("TMUX") && on_path("tmux");
    // Over SSH the remote machine's clipboard is not the user's.
    if set("SSH_CONNECTION") || set("SSH_TTY") {
        return if in_tmux { tmux() } else { Backend::Osc52 };
    }
    if cfg!(target_os = "macos") && on_path("pbcopy") {
        return Backend::Command {
            copy: argv(&["pbcopy"]),
            paste: on_path("pbpaste").then(|| argv(&["pbpaste"])),
        };
    }
    if set("WAYLAND_DISPLAY") && on_path("wl-copy") {
        return Backend::Command {
            copy: argv(&["wl-copy"]),
            paste: on_path("wl-paste").then(|| argv(&["wl-paste", "--no-newline"])),
        };
    }
    if set("DISPLAY") && on_path("xclip") {
        return Backend::Command {
            copy: argv(&["xclip", "-selection", "clipboard"]),
            paste: Some(argv(&["xclip", "-selection", "clipboard", "-o"])),
        };
    }
    if set("DISPLAY") && on_path("xsel") {
        return Backend::Command {
            copy: argv(&["xsel", "--clipboard", "--input"]),
            paste: Some(argv(&["xsel", "--clipboard", "--output"])),
        };
    }
    if in_tmux {
        return tmux();
    }
    Backend::Osc52
}

/// Whether `program` is an executable file in a `PATH` directory.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| is_file(&dir.join(program))))
}

fn is_file(p: &Path) -> bool {
    p.metadata().is_ok_and(|m| m.is_file())
}

/// A value waiting to be cleared; only its hash is kept.
struct PendingClear {
    due: Instant,
    hash: u64,
}

fn hash_of(text: &str) -> u64 {
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// Clipboard programs run one at a time on a thread of their own, in the
/// order asked (a clear never overtakes the copy it clears), without
/// blocking the UI.
struct Jobs {
    tx: mpsc::Sender<Box<dyn FnOnce() + Send>>,
}

impl Jobs {
    fn start() -> Option<Self> {
        let (tx, rx) = mpsc::channel::<Box<dyn FnOnce() + Send>>();
        let spawned = std::thread::Builder::new()
            .name("kvtui-clipboard".to_owned())
            .spawn(move || {
                for job in rx {
                    job();
                }
            });
        match spawned {
            Ok(_) => Some(Self { tx }),
            Err(e) => {
                tracing::warn!("clipboard: cannot start its thread: {e}");
                None
            }
        }
    }

    /// Queues `job`; with `wait`, returns once it and all before it ran
    /// (or after a few seconds, so a hung program cannot hang the exit).
    fn run(&self, job: impl FnOnce() + Send + 'static, wait: bool) {
        if self.tx.send(Box::new(job)).is_err() || !wait {
            return;
        }
        let (done_tx, done_rx) = mpsc::channel();
        let signal = move || {
            let _ = done_tx.send(());
        };
        if self.tx.send(Box::new(signal)).is_ok()
            && done_rx.recv_timeout(Duration::from_secs(5)).is_err()
        {
            tracing::warn!("clipboard: the clear did not finish in time");
        }
    }
}

pub struct Clipboard {
    backend: Backend,
    after: Duration,
    pending: Option<PendingClear>,
    jobs: Option<Jobs>,
}

impl Clipboard {
    pub fn new(backend: Backend, after: Duration) -> Self {
        tracing::info!(?backend, "clipboard");
        let jobs = match backend {
            Backend::Osc52 => None,
            _ => Jobs::start(),
        };
        if let (Backend::Tmux { .. }, Some(jobs)) = (&backend, &jobs) {
            jobs.run(delete_stale_tmux_buffers, false);
        }
        Self {
            backend,
            after,
            pending: None,
            jobs,
        }
    }

    /// Where copies land, for the message after a copy.
    pub fn target(&self) -> CopyTarget {
        match &self.backend {
            Backend::Command { .. } => CopyTarget::System,
            Backend::Tmux { buffer } => CopyTarget::Tmux {
                buffer: buffer.clone(),
            },
            Backend::Osc52 => CopyTarget::Terminal,
        }
    }

    /// Copies without blocking the UI: a program runs on the clipboard thread.
    pub fn copy(&mut self, clip: &Clip) {
        let text = clip.text.expose_secret();
        match &self.backend {
            Backend::Osc52 => {
                if let Err(e) = tui::osc52_copy(text) {
                    tracing::warn!("clipboard: {e}");
                    return;
                }
            }
            Backend::Command { copy, .. } => {
                let copy = copy.clone();
                self.spawn_copy(copy, clip.text.clone());
            }
            Backend::Tmux { buffer } => {
                let copy = tmux_argv(&["load-buffer", "-b", buffer, "-"]);
                self.spawn_copy(copy, clip.text.clone());
            }
        }
        self.pending = (clip.is_value && !self.after.is_zero()).then(|| PendingClear {
            due: Instant::now() + self.after,
            hash: hash_of(text),
        });
    }

    /// Runs `argv` with the value on its stdin (never in its arguments).
    fn spawn_copy(&self, argv: Vec<String>, value: SecretString) {
        if let Some(jobs) = &self.jobs {
            jobs.run(
                move || {
                    if let Err(e) = run_copy(&argv, value.expose_secret()) {
                        tracing::warn!("clipboard: {}: {e}", argv[0]);
                    }
                },
                false,
            );
        }
    }

    /// When a copied value is due to be cleared, so an idle loop wakes for it.
    pub fn due(&self) -> Option<Instant> {
        self.pending.as_ref().map(|p| p.due)
    }

    pub fn clear_if_due(&mut self) {
        if self
            .pending
            .as_ref()
            .is_some_and(|p| Instant::now() >= p.due)
        {
            self.clear(false);
        }
    }

    /// On the way out a value still on the clipboard is cleared, waiting for it.
    pub fn clear_now(&mut self) {
        self.clear(true);
    }

    fn clear(&mut self, wait: bool) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        match &self.backend {
            Backend::Osc52 => {
                if let Err(e) = tui::osc52_copy("") {
                    tracing::warn!("clipboard: {e}");
                }
            }
            Backend::Command { copy, paste } => {
                let (copy, paste) = (copy.clone(), paste.clone());
                if let Some(jobs) = &self.jobs {
                    jobs.run(
                        move || clear_if_unchanged(&copy, paste.as_deref(), pending.hash),
                        wait,
                    );
                }
            }
            Backend::Tmux { buffer } => {
                let delete = tmux_argv(&["delete-buffer", "-b", buffer]);
                if let Some(jobs) = &self.jobs {
                    jobs.run(move || delete_tmux_buffer(&delete), wait);
                }
            }
        }
    }
}

/// Whatever way the UI stops (quit, a signal, an error), a value still
/// waiting to be cleared is cleared.
impl Drop for Clipboard {
    fn drop(&mut self) {
        self.clear_now();
    }
}

pub(super) fn tmux_argv(args: &[&str]) -> Vec<String> {
    std::iter::once("tmux")
        .chain(args.iter().copied())
        .map(str::to_owned)
        .collect()
}

/// Deletes the named buffer; already gone (deleted by hand) is fine.
pub(super) fn delete_tmux_buffer(argv: &[String]) {
    let status = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => tracing::debug!("clipboard: tmux buffer deleted"),
        Ok(s) => tracing::debug!("clipboard: tmux delete-buffer exited with {s}"),
        Err(e) => tracing::warn!("clipboard: tmux: {e}"),
    }
}

fn run_copy(argv: &[String], text: &str) -> std::io::Result<()> {
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(text.as_bytes())?;
    }
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!("exited with {status}")))
    }
}

/// Clears the clipboard when it still holds the value copied (by hash).
fn clear_if_unchanged(copy: &[String], paste: Option<&[String]>, hash: u64) {
    if let Some(paste) = paste {
        let current = Command::new(&paste[0])
            .args(&paste[1..])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output();
        match current {
            Ok(out) => {
                let text =
                    zeroize::Zeroizing::new(String::from_utf8_lossy(&out.stdout).into_owned());
                if hash_of(&text) != hash {
                    tracing::debug!("clipboard changed since the copy; left alone");
                    return;
                }
            }
            Err(e) => tracing::warn!("clipboard: {}: {e}", paste[0]),
        }
    }
    if let Err(e) = run_copy(copy, "") {
        tracing::warn!("clipboard: {}: {e}", copy[0]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn ssh_uses_osc52_even_with_a_display() {
        let e = env(&[("SSH_TTY", "/dev/pts/1"), ("DISPLAY", ":0")]);
        assert_eq!(detect(&e, &|_| true), Backend::Osc52);
    }

    #[test]
    fn tmux_takes_the_place_of_osc52_even_over_ssh() {
        let tmux = env(&[("TMUX", "/tmp/tmux-0/default,1,0")]);
        assert!(
            matches!(detect(&tmux, &|_| true), Backend::Tmux { buffer } if buffer.starts_with("kvtui-"))
        );
        let ssh = env(&[("TMUX", "/tmp/t,1,0"), ("SSH_TTY", "/dev/pts/1")]);
        assert!(matches!(detect(&ssh, &|_| true), Backend::Tmux { .. }));
        // No tmux program: the terminal is all there is.
        assert_eq!(detect(&tmux, &|p| p != "tmux"), Backend::Osc52);
        // A system clipboard program is still preferred locally.
        let x11 = env(&[("TMUX", "/tmp/t,1,0"), ("DISPLAY", ":0")]);
        assert!(matches!(
            detect(&x11, &|p| p != "pbcopy"),
            Backend::Command { .. }
        ));
    }

    #[test]
    fn the_message_says_where_the_copy_went() {
        let what = "the value of db";
        assert_eq!(CopyTarget::System.copied(what), "copied the value of db");
        assert_eq!(
            CopyTarget::Terminal.copied(what),
            "sent the value of db to the terminal (OSC 52)"
        );
        let tmux = CopyTarget::Tmux {
            buffer: "kvtui-7".to_owned(),
        };
        assert_eq!(
            tmux.copied(what),
            "copied the value of db to tmux buffer kvtui-7"
        );
    }

    #[test]
    fn a_value_is_cleared_when_the_clipboard_is_dropped() {
        let dir = tempfile::TempDir::new().unwrap();
        let store = dir.path().join("clip");
        let copy = argv(&["sh", "-c", &format!("cat > {}", store.display())]);
        let backend = Backend::Command { copy, paste: None };
        let mut clipboard = Clipboard::new(backend, Duration::from_secs(3600));
        clipboard.copy(&Clip {
            text: SecretString::from("the value"),
            is_value: true,
        });
        // Copies and clears run in order on one thread: the clear on drop
        // waits for the copy before it, then empties the clipboard.
        drop(clipboard);
        assert_eq!(std::fs::read_to_string(&store).unwrap(), "");
    }

    #[test]
    fn wayland_then_x11_then_osc52() {
        let e = env(&[("WAYLAND_DISPLAY", "wayland-0"), ("DISPLAY", ":0")]);
        let Backend::Command { copy, paste } = detect(&e, &|p| p != "pbcopy") else {
            panic!("expected a command");
        };
        assert_eq!(copy, ["wl-copy"]);
        assert_eq!(paste.unwrap(), ["wl-paste", "--no-newline"]);
        let x = detect(&e, &|p| p == "xsel");
        assert!(matches!(x, Backend::Command { copy, .. } if copy[0] == "xsel"));
        assert_eq!(detect(&env(&[]), &|_| true), Backend::Osc52);
    }

    #[test]
    fn a_changed_clipboard_is_left_alone() {
        let dir = tempfile::TempDir::new().unwrap();
        let store = dir.path().join("clip");
        std::fs::write(&store, "someone else's text").unwrap();
        let copy = argv(&["sh", "-c", &format!("cat > {}", store.display())]);
        let paste = argv(&["cat", &store.display().to_string()]);
        clear_if_unchanged(&copy, Some(&paste), hash_of("the value"));
        assert_eq!(
            std::fs::read_to_string(&store).unwrap(),
            "someone else's text"
        );
        std::fs::write(&store, "the value").unwrap();
        clear_if_unchanged(&copy, Some(&paste), hash_of("the value"));
        assert_eq!(std::fs::read_to_string(&store).unwrap(), "");
    }
}
