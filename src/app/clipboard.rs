//! The clipboard: the system one through its command-line tool where there
//! is one (wl-copy, xclip, xsel, pbcopy), OSC 52 through the terminal
//! otherwise and over SSH. A copied value is cleared after a while unless the
//! clipboard changed meanwhile (OSC 52 cannot read back, so it always clears).

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;

use super::model::Clip;
use crate::tui;

/// How text reaches the clipboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A program that reads the text on stdin, and one that prints it back.
    Command {
        copy: Vec<String>,
        paste: Option<Vec<String>>,
    },
    /// The terminal's OSC 52 escape: works over SSH, cannot read back.
    Osc52,
}

fn argv(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

/// Picks the backend from the environment and the programs on `PATH`.
pub fn detect(env: &dyn Fn(&str) -> Option<String>, on_path: &dyn Fn(&str) -> bool) -> Backend {
    let set = |k: &str| env(k).is_some_and(|v| !v.is_empty());
    // Over SSH the remote machine's clipboard is not the user's.
    if set("SSH_CONNECTION") || set("SSH_TTY") {
        return Backend::Osc52;
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

pub struct Clipboard {
    backend: Backend,
    after: Duration,
    pending: Option<PendingClear>,
}

impl Clipboard {
    pub fn new(backend: Backend, after: Duration) -> Self {
        tracing::info!(?backend, "clipboard");
        Self {
            backend,
            after,
            pending: None,
        }
    }

    /// Copies without blocking the UI: a program runs on a blocking thread.
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
                let value = clip.text.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = run_copy(&copy, value.expose_secret()) {
                        tracing::warn!("clipboard: {}: {e}", copy[0]);
                    }
                });
            }
        }
        self.pending = (clip.is_value && !self.after.is_zero()).then(|| PendingClear {
            due: Instant::now() + self.after,
            hash: hash_of(text),
        });
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
                let job = move || clear_if_unchanged(&copy, paste.as_deref(), pending.hash);
                if wait {
                    job();
                } else {
                    tokio::task::spawn_blocking(job);
                }
            }
        }
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
