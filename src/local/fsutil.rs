//! Files the local vault keeps. It refuses a data dir others can write to,
//! never follows a symlink to a file it writes or re-permissions, and keeps
//! files that hold keys or secrets at 0600.

use std::fs::{self, OpenOptions};
use std::path::Path;

use super::LocalError;
use crate::fsx::open_nofollow;

fn unsafe_path(path: &Path, reason: String) -> LocalError {
    LocalError::Unsafe {
        path: path.to_path_buf(),
        reason,
    }
}

#[cfg(unix)]
fn my_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Creates `dir` (0700) when missing; refuses an existing one that another
/// user owns or that group or others may write to.
pub(super) fn check_data_dir(dir: &Path) -> Result<(), LocalError> {
    if !dir.exists() {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir).map_err(|e| LocalError::io(dir, e))?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::metadata(dir).map_err(|e| LocalError::io(dir, e))?;
        if !meta.is_dir() {
            return Err(unsafe_path(dir, "is not a directory".into()));
        }
        if meta.uid() != my_uid() {
            return Err(unsafe_path(
                dir,
                format!(
                    "is owned by uid {}, not by you (uid {}); use a data dir of your own",
                    meta.uid(),
                    my_uid()
                ),
            ));
        }
        if meta.mode() & 0o022 != 0 {
            return Err(unsafe_path(
                dir,
                format!(
                    "is writable by group or others (mode {:o}); fix it with: chmod go-w {}",
                    meta.mode() & 0o7777,
                    dir.display()
                ),
            ));
        }
        // Tighten to 0700 through the directory itself, never through a symlink.
        if meta.mode() & 0o077 != 0
            && let Ok(d) = open_nofollow(dir, OpenOptions::new().read(true))
        {
            use std::os::unix::fs::PermissionsExt;
            d.set_permissions(fs::Permissions::from_mode(0o700))
                .map_err(|e| LocalError::io(dir, e))?;
        }
    }
    Ok(())
}

/// For a private file that may exist: false when absent; when present it must
/// be a regular file of ours (not a symlink) and is set to 0600 if it was looser.
pub(super) fn secure_existing(path: &Path) -> Result<bool, LocalError> {
    let file = match open_nofollow(path, OpenOptions::new().read(true)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) if e.raw_os_error() == Some(libc_eloop()) => {
            return Err(unsafe_path(
                path,
                "is a symbolic link; replace it with the file itself".into(),
            ));
        }
        Err(e) => return Err(LocalError::io(path, e)),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let meta = file.metadata().map_err(|e| LocalError::io(path, e))?;
        if !meta.is_file() {
            return Err(unsafe_path(path, "is not a regular file".into()));
        }
        if meta.uid() != my_uid() {
            return Err(unsafe_path(
                path,
                format!("is owned by uid {}, not by you", meta.uid()),
            ));
        }
        if meta.mode() & 0o077 != 0 {
            file.set_permissions(fs::Permissions::from_mode(0o600))
                .map_err(|e| {
                    unsafe_path(
                        path,
                        format!("is readable by others and cannot be made 0600: {e}"),
                    )
                })?;
        }
    }
    Ok(true)
}

#[cfg(unix)]
fn libc_eloop() -> i32 {
    libc::ELOOP
}

#[cfg(not(unix))]
fn libc_eloop() -> i32 {
    -1
}

/// Creates an empty private file (0600) unless it exists; for SQLite, which
/// gives its journal files the mode of the database.
pub(super) fn create_private(path: &Path) -> Result<(), LocalError> {
    if secure_existing(path)? {
        return Ok(());
    }
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    open_nofollow(path, &mut opts)
        .map(drop)
        .map_err(|e| LocalError::io(path, e))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_dir_others_can_write_is_refused_with_the_fix() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        check_data_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
        let err = check_data_dir(&dir).unwrap_err().to_string();
        assert!(err.contains("chmod go-w"), "{err}");
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        check_data_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700, "tightened");
    }

    #[test]
    fn private_files_are_tightened_and_symlinks_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("token");
        fs::write(&file, "x").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(secure_existing(&file).unwrap());
        assert_eq!(mode(&file), 0o600);
        let target = tmp.path().join("elsewhere");
        fs::write(&target, "y").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(secure_existing(&link).is_err());
        assert_eq!(mode(&target), 0o644, "the link's target is left alone");
        assert!(!secure_existing(&tmp.path().join("absent")).unwrap());
    }
}
