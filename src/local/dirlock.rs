//! One writer per data dir: an exclusive `flock` on `<dir>/lock`, held for as
//! long as the service runs. The file says who holds it (PID) and, once the
//! service listens, where (port), so a second instance can name the holder or
//! connect to it as a client instead of writing behind its back.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::LocalError;
use crate::fsx::open_nofollow;

pub(crate) const LOCK_FILE: &str = "lock";

/// What the holder of the lock wrote in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub pid: u32,
    /// The port it listens on, once it does.
    #[serde(default)]
    pub port: Option<u16>,
    /// True for a service that stays (`serve`, the TUI), false for one-shot
    /// commands that stop in a moment: those are waited for, not joined.
    #[serde(default)]
    pub lasting: bool,
}

/// The held lock; released when dropped (the file stays, empty of meaning).
#[derive(Debug)]
pub(super) struct DirLock {
    file: File,
    holder: Holder,
}

fn open_lock(dir: &Path) -> Result<(File, PathBuf), LocalError> {
    let path = dir.join(LOCK_FILE);
    let mut opts = OpenOptions::new();
    opts.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let file = open_nofollow(&path, &mut opts).map_err(|e| LocalError::io(&path, e))?;
    Ok((file, path))
}

#[cfg(unix)]
fn try_flock(file: &File) -> std::io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: the descriptor is open for the life of `file`; flock has no other preconditions.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let err = std::io::Error::last_os_error();
    if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(err)
    }
}

#[cfg(not(unix))]
fn try_flock(_file: &File) -> std::io::Result<bool> {
    Ok(true)
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(4096).read_to_string(&mut text).ok()?;
    serde_json::from_str(text.trim()).ok()
}

/// Who holds the lock of `dir` now, if anyone does.
pub fn holder(dir: &Path) -> Option<Holder> {
    let (mut file, _) = open_lock(dir).ok()?;
    if try_flock(&file).ok()? {
        return None; // free (and released again as `file` drops)
    }
    read_holder(&mut file)
}

impl DirLock {
    /// Takes the lock or says who has it. The holder writes its PID right
    /// after locking; a reader that finds it locked but empty waits briefly.
    pub(super) fn acquire(dir: &Path, lasting: bool) -> Result<Self, LocalError> {
        let (mut file, path) = open_lock(dir)?;
        if try_flock(&file).map_err(|e| LocalError::io(&path, e))? {
            let mut lock = Self {
                file,
                holder: Holder {
                    pid: std::process::id(),
                    port: None,
                    lasting,
                },
            };
            lock.write().map_err(|e| LocalError::io(&path, e))?;
            return Ok(lock);
        }
        let t0 = Instant::now();
        let holder = loop {
            match read_holder(&mut file) {
                Some(h) => break Some(h),
                None if t0.elapsed() < Duration::from_secs(2) => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                None => break None,
            }
        };
        Err(LocalError::Locked {
            dir: dir.to_path_buf(),
            holder,
        })
    }

    /// Records the port, once listening, for instances that join as clients.
    pub(super) fn set_port(&mut self, port: u16) -> std::io::Result<()> {
        self.holder.port = Some(port);
        self.write()
    }

    fn write(&mut self) -> std::io::Result<()> {
        let text = serde_json::to_string(&self.holder).map_err(std::io::Error::other)?;
        self.file.set_len(0)?;
        self.file.seek(SeekFrom::Start(0))?;
        self.file.write_all(text.as_bytes())?;
        self.file.sync_data()
    }
}

/// The message for a data dir another process holds.
pub(super) fn locked_message(dir: &Path, holder: &Option<Holder>) -> String {
    let who = match holder {
        Some(Holder {
            pid,
            port: Some(port),
            ..
        }) => format!("kvtui (PID {pid}, listening on https://localhost:{port})"),
        Some(h) => format!("kvtui (PID {}, starting)", h.pid),
        None => "another process".to_owned(),
    };
    format!(
        "{} is in use by {who}; a second instance would lose writes. Stop it, use it as a client \
         (kvtui https://localhost:PORT --data-dir {}), or pick another --data-dir",
        dir.display(),
        dir.display()
    )
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_names_the_holder_and_the_first_release_frees_it() {
        let tmp = tempfile::tempdir().unwrap();
        let mut first = DirLock::acquire(tmp.path(), true).unwrap();
        first.set_port(4321).unwrap();
        let err = DirLock::acquire(tmp.path(), false).unwrap_err();
        let LocalError::Locked { holder, .. } = &err else {
            panic!("{err}");
        };
        let h = holder.clone().unwrap();
        assert_eq!(h.pid, std::process::id());
        assert_eq!(h.port, Some(4321));
        assert!(h.lasting);
        assert!(err.to_string().contains(&format!("PID {}", h.pid)), "{err}");
        assert_eq!(super::holder(tmp.path()), Some(h));
        drop(first);
        assert_eq!(super::holder(tmp.path()), None);
        DirLock::acquire(tmp.path(), true).unwrap();
    }
}
