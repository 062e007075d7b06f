//! Private files, written one way everywhere: a fresh file under a random
//! hidden name beside the target (`O_EXCL | O_NOFOLLOW`), synced, then renamed
//! over it, so a reader never sees half a file and a planted symlink is never
//! followed.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use rand::Rng as _;

/// Opens `path` without following a symlink.
pub fn open_nofollow(path: &Path, opts: &mut OpenOptions) -> std::io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    opts.open(path)
}

/// A temporary name beside `path`: hidden, random, so it cannot be predicted.
fn temp_path(path: &Path) -> PathBuf {
    let mut r = [0u8; 8];
    rand::rng().fill_bytes(&mut r);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.{:016x}.tmp", u64::from_be_bytes(r)))
}

/// Writes `bytes` to `path` with mode 0600 (or 0644 when `public`), replacing
/// it atomically through a new file.
pub fn write_file(path: &Path, bytes: &[u8], public: bool) -> std::io::Result<()> {
    let tmp = temp_path(path);
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(if public { 0o644 } else { 0o600 });
    }
    let written = open_nofollow(&tmp, &mut opts).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    });
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// Writes `bytes` to `path` (0600) only if no file is there: a complete new
/// file is linked into place, never replacing one another process made first.
/// False when one was there; the caller then reads what is on disk.
pub fn create_exclusive(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    let tmp = temp_path(path);
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let linked = open_nofollow(&tmp, &mut opts).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::hard_link(&tmp, path)
    });
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// A path as a shell would read it: a leading `~` or `~/` is the home
/// directory (`HOME`); anything else, `~user` included, is left as typed.
pub fn expand_home(path: &Path) -> PathBuf {
    expand_home_in(path, std::env::var_os("HOME").as_deref().map(Path::new))
}

fn expand_home_in(path: &Path, home: Option<&Path>) -> PathBuf {
    let Some(home) = home.filter(|h| !h.as_os_str().is_empty()) else {
        return path.to_path_buf();
    };
    let mut parts = path.components();
    match parts.next() {
        Some(std::path::Component::Normal(first)) if first == "~" => home.join(parts.as_path()),
        _ => path.to_path_buf(),
    }
}

/// Writes a file only its owner can read (0600), replacing any old one.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_file(path, bytes, false)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> Option<u32> {
        fs::symlink_metadata(p)
            .ok()
            .map(|m| m.permissions().mode() & 0o777)
    }

    #[test]
    fn an_exclusive_create_keeps_the_first_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("key");
        assert!(create_exclusive(&p, b"first").unwrap());
        assert!(!create_exclusive(&p, b"second").unwrap());
        assert_eq!(fs::read(&p).unwrap(), b"first");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn a_leading_tilde_is_the_home_directory() {
        let home = Some(Path::new("/home/ann"));
        let expand = |p: &str| expand_home_in(Path::new(p), home);
        assert_eq!(expand("~"), PathBuf::from("/home/ann"));
        assert_eq!(expand("~/a/b.env"), PathBuf::from("/home/ann/a/b.env"));
        assert_eq!(expand("~bob/x"), PathBuf::from("~bob/x"));
        assert_eq!(expand("a/~/x"), PathBuf::from("a/~/x"));
        assert_eq!(expand("/tmp/x"), PathBuf::from("/tmp/x"));
        assert_eq!(expand_home_in(Path::new("~/x"), None), PathBuf::from("~/x"));
    }

    #[test]
    fn writes_go_through_a_fresh_file_and_never_through_a_planted_link() {
        let Ok(tmp) = tempfile::tempdir() else {
            panic!("no temp dir")
        };
        let path = tmp.path().join("store.key");
        // A stale `.tmp` (the old fixed name) pointing elsewhere is not followed.
        let target = tmp.path().join("victim");
        assert!(std::os::unix::fs::symlink(&target, path.with_extension("tmp")).is_ok());
        assert!(write_private(&path, b"k").is_ok());
        assert_eq!(fs::read(&path).ok().as_deref(), Some(&b"k"[..]));
        assert_eq!(mode(&path), Some(0o600));
        assert!(!target.exists());
        // An old file with a looser mode is replaced by a private one.
        assert!(fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).is_ok());
        assert!(write_private(&path, b"new").is_ok());
        assert_eq!(mode(&path), Some(0o600));
        assert!(write_file(&path, b"cert", true).is_ok());
        assert_eq!(mode(&path), Some(0o644));
    }
}
