//! `kvtui state export|import`.

use std::io::Write as _;

use super::args::{StateAction, StateArgs};
use crate::local;

/// Runs `kvtui state ...`; a summary on stderr, the file (or stdout) written whole.
pub fn state_command(args: &StateArgs) -> Result<(), String> {
    match &args.action {
        StateAction::Export {
            data,
            plain,
            output,
        } => {
            let passphrase = local::passphrase_from_env(*plain).map_err(|e| e.to_string())?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            let (bytes, done) = local::export_state(&data.resolve(), passphrase.as_ref(), now)
                .map_err(|e| e.to_string())?;
            if output.as_os_str() == "-" {
                let mut out = std::io::stdout().lock();
                out.write_all(&bytes)
                    .and_then(|()| out.write_all(b"\n"))
                    .and_then(|()| out.flush())
                    .map_err(|e| format!("stdout: {e}"))?;
            } else {
                crate::fsx::write_private(output, &bytes)
                    .map_err(|e| format!("{}: {e}", output.display()))?;
            }
            eprintln!(
                "exported {} vault(s), {} secret(s), {} version(s){}",
                done.vaults,
                done.secrets,
                done.versions,
                if *plain {
                    " (values in clear text)"
                } else {
                    ""
                }
            );
            Ok(())
        }
        StateAction::Import {
            data,
            replace,
            file,
        } => {
            let passphrase = std::env::var(local::PASSPHRASE_VAR)
                .ok()
                .map(secrecy::SecretString::from);
            let done = local::import_state(&data.resolve(), file, passphrase.as_ref(), *replace)
                .map_err(|e| e.to_string())?;
            eprintln!(
                "imported {} vault(s), {} secret(s), {} version(s)",
                done.vaults, done.secrets, done.versions
            );
            Ok(())
        }
    }
}
