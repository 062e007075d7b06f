//! Private files, written one way everywhere: a fresh file under a random
//! hidden name beside the target (`O_EXCL | O_NOFOLLOW`), synced, then renamed
//! over it, so a reader never sees half a file and a planted symlink is never
//! followed.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};

use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

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
    write_file_with(path, public, |file| file.write_all(bytes))
}

/// [`write_file`] (0600) with the content written by `write` into a buffered
/// writer, so a large file is streamed rather than built in memory first.
pub fn write_private_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    write_file_with(path, false, |file| {
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, file);
        write(&mut out)?;
        out.flush()
    })
}

fn write_file_with(
    path: &Path,
    public: bool,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let tmp = temp_path(path);
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(if public { 0o644 } else { 0o600 });
    }
    let written = open_nofollow(&tmp, &mut opts).and_then(|mut file| {
        write(&mut file)?;
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

/// Reads at most `limit` bytes of `path`: one more is an error of kind
/// `FileTooLarge`, so a FIFO or `/dev/zero` cannot fill memory. The bytes
/// are wiped when dropped (they may be a secret).
pub fn read_capped(path: &Path, limit: usize) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let file = File::open(path)?;
    // Sized up front from the file's length, so growing leaves no copies.
    let hint = file
        .metadata()
        .map_or(0, |m| usize::try_from(m.len()).unwrap_or(usize::MAX));
    read_into(file, limit, hint)
}

/// [`read_capped`] of any reader (stdin).
pub fn read_capped_from(r: impl Read, limit: usize) -> std::io::Result<Zeroizing<Vec<u8>>> {
    read_into(r, limit, limit.min(64 * 1024))
}

fn read_into(r: impl Read, limit: usize, hint: usize) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut buf = Zeroizing::new(Vec::with_capacity(hint.min(limit).saturating_add(1)));
    r.take(limit as u64 + 1).read_to_end(&mut buf)?;
    if buf.len() > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!("more than {limit} bytes"),
        ));
    }
    Ok(buf)
}

/// The directory to keep private files in under `given` (a `--cache-dir`):
/// `given` itself when it is missing or a real directory that only its
/// owner, this user, can write; otherwise (a symlink, a shared 1777 dir such
/// as /tmp, someone else's) a `kvtui-UID` directory inside it, so nothing
/// shared is ever chmod-ed.
pub fn private_dir_in(given: &Path) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        match fs::symlink_metadata(given) {
            Err(_) => given.to_path_buf(),
            Ok(m) if m.is_dir() && m.uid() == my_uid() && m.permissions().mode() & 0o022 == 0 => {
                given.to_path_buf()
            }
            Ok(_) => given.join(format!("kvtui-{}", my_uid())),
        }
    }
    #[cfg(not(unix))]
    {
        given.to_path_buf()
    }
}

#[cfg(unix)]
fn my_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Makes `dir` (as [`private_dir_in`] chose it) if missing and leaves it
/// 0700. A symlink or a directory of another user is refused; the mode is
/// changed through a handle opened without following links, never by path.
pub fn make_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
        match fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
        {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        let handle = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(dir)
            .map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("not a private directory (a symlink?): {e}"),
                )
            })?;
        let meta = handle.metadata()?;
        if meta.uid() != my_uid() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                "the directory belongs to another user",
            ));
        }
        if meta.permissions().mode() & 0o777 != 0o700 {
            handle.set_permissions(fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(dir)
    }
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
