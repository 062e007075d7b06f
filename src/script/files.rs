//! Files that hold secrets: created owner-only (0600), never replacing an
//! existing file unless asked, written in full or not at all.

use std::path::Path;

use super::exit::ScriptError;

/// Writes `path` 0600 with `bytes`, whole or not at all (the shared atomic
/// writer). Without `force` an existing file is an error.
pub fn write_private(path: &Path, bytes: &[u8], force: bool) -> Result<(), ScriptError> {
    if !force && std::fs::symlink_metadata(path).is_ok() {
        return Err(ScriptError::Failed(format!(
            "{} already exists; pass --force to overwrite it",
            path.display()
        )));
    }
    crate::fsx::write_private(path, bytes).map_err(|e| ScriptError::io(path.display(), e))
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
