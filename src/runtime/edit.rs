//! `Ctrl-E`: a value edited in the user's editor. The text goes to a file
//! (0600) in a private directory (0700) made for it, the editor runs with the
//! terminal given back, and the file is overwritten and removed afterwards,
//! whatever the editor did. The terminal input reader is paused meanwhile,
//! so no keystroke meant for the editor reaches kvtui.

use std::io::{self, Write};
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use crossterm::event::{Event, EventStream};
use futures::Stream;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

/// The command that edits a file: `$VISUAL`, else `$EDITOR`, else `vi`.
pub fn editor_command(var: &dyn Fn(&str) -> Option<String>) -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|k| var(k))
        .map(|v| v.trim().to_owned())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "vi".to_owned())
}

/// Writes `initial` to a private file, runs `editor` on it (through `sh`, so
/// `code --wait` works as in git), and reads it back. A single line break
/// the editor added at the end of a one-line value is dropped, as a
/// password rarely wants one.
pub fn edit_in(editor: &str, initial: &SecretString) -> Result<SecretString, String> {
    let dir = tempfile::Builder::new()
        .prefix("kvtui-edit-")
        .tempdir()
        .map_err(|e| format!("cannot make a private directory for the editor: {e}"))?;
    private_dir(dir.path()).map_err(|e| format!("cannot make the edit directory private: {e}"))?;
    let path = dir.path().join("value");
    write_private(&path, initial.expose_secret().as_bytes())
        .map_err(|e| format!("cannot write the value for the editor: {e}"))?;
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status();
    let result = match status {
        Ok(s) if s.success() => read_back(&path, initial),
        Ok(s) => Err(format!(
            "the editor ({editor}) ended with {s}; the value was not changed"
        )),
        Err(e) => Err(format!("cannot start the editor ({editor}): {e}")),
    };
    shred(&path);
    drop(dir);
    result
}

fn read_back(path: &Path, initial: &SecretString) -> Result<SecretString, String> {
    let bytes = Zeroizing::new(
        std::fs::read(path).map_err(|e| format!("cannot read the edited value: {e}"))?,
    );
    let mut text = Zeroizing::new(
        String::from_utf8(bytes.to_vec())
            .map_err(|_| "the edited value is not UTF-8; it was not changed".to_owned())?,
    );
    let was_one_line = !initial.expose_secret().contains('\n');
    if was_one_line && text.ends_with('\n') && text.matches('\n').count() == 1 {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Ok(SecretString::from(text.as_str()))
}

#[cfg(unix)]
fn private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn private_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Overwrites the file with zeros before it goes (best effort).
fn shred(path: &Path) {
    if let Ok(meta) = std::fs::metadata(path)
        && let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(path)
    {
        let zeros = vec![0u8; usize::try_from(meta.len()).unwrap_or(0)];
        let _ = f.write_all(&zeros).and_then(|()| f.sync_all());
    }
    let _ = std::fs::remove_file(path);
}

/// The terminal's events, with a reader that can be stopped while another
/// program owns the terminal and started again after.
#[derive(Clone, Default)]
pub struct PausableEvents(Arc<Mutex<Option<EventStream>>>);

impl PausableEvents {
    pub fn new() -> Self {
        Self(Arc::new(Mutex::new(Some(EventStream::new()))))
    }

    /// Stops the reader (dropping crossterm's stream ends its thread).
    pub fn pause(&self) {
        let stream = self.0.lock().map(|mut s| s.take());
        drop(stream);
    }

    pub fn resume(&self) {
        if let Ok(mut s) = self.0.lock() {
            *s = Some(EventStream::new());
        }
    }
}

impl Stream for PausableEvents {
    type Item = io::Result<Event>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.0.lock() {
            Ok(mut guard) => match guard.as_mut() {
                Some(stream) => Pin::new(stream).poll_next(cx),
                // Paused: nothing arrives until it is resumed (the loop is
                // waiting on the editor meanwhile).
                None => Poll::Pending,
            },
            Err(_) => Poll::Ready(None),
        }
    }
}

/// Runs the editor with the terminal given back: input paused, raw mode and
/// the alternate screen left, then all of it restored, whatever happened.
pub fn edit_with_terminal(
    events: &PausableEvents,
    initial: &SecretString,
) -> Result<SecretString, String> {
    events.pause();
    crate::tui::restore();
    let editor = editor_command(&|k| std::env::var(k).ok());
    let result = edit_in(&editor, initial);
    let back = crate::tui::resume();
    events.resume();
    if let Err(e) = back {
        tracing::warn!("could not take the terminal back after the editor: {e}");
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_editor_is_visual_then_editor_then_vi() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        assert_eq!(
            editor_command(&env(&[("VISUAL", "nvim"), ("EDITOR", "nano")])),
            "nvim"
        );
        assert_eq!(
            editor_command(&env(&[("VISUAL", " "), ("EDITOR", "nano")])),
            "nano"
        );
        assert_eq!(editor_command(&env(&[])), "vi");
    }
}
