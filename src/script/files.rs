//! Files that hold secrets: created owner-only (0600), never replacing an
//! existing file unless asked, written in full or not at all.

use std::io::Write;
use std::path::Path;

use super::exit::ScriptError;

/// Creates `path` 0600 with `bytes`. Without `force` an existing file is an
/// error (O_EXCL: no race with another writer); with it, the file is replaced.
pub fn write_private(path: &Path, bytes: &[u8], force: bool) -> Result<(), ScriptError> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true);
    if force {
        o.create(true).truncate(true);
    } else {
        o.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            ScriptError::Failed(format!(
                "{} already exists; pass --force to overwrite it",
                path.display()
            ))
        } else {
            ScriptError::io(path.display(), e)
        }
    })?;
    #[cfg(unix)]
    if force {
        use std::os::unix::fs::PermissionsExt;
        // A replaced file keeps its old mode through `open`; tighten it.
        f.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| ScriptError::io(path.display(), e))?;
    }
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| ScriptError::io(path.display(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_private_and_not_replaced_without_force() {
        let Ok(dir) = tempfile::tempdir() else {
            panic!("no temp dir")
        };
        let p = dir.path().join("out.env");
        assert!(write_private(&p, b"A=1\n", false).is_ok());
        let again = write_private(&p, b"B=2\n", false);
        assert!(matches!(again, Err(ScriptError::Failed(m)) if m.contains("--force")));
        assert_eq!(std::fs::read(&p).ok().as_deref(), Some(&b"A=1\n"[..]));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644));
        }
        assert!(write_private(&p, b"B=2\n", true).is_ok());
        assert_eq!(std::fs::read(&p).ok().as_deref(), Some(&b"B=2\n"[..]));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode.ok(), Some(0o600));
        }
    }
}
