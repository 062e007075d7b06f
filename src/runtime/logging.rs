//! The one logging setup: the TUI logs to a file in the state dir (never to
//! the terminal it draws on); `kvtui serve` logs to stderr. Values never reach
//! a log.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::fmt::MakeWriter;

use super::AppError;
use crate::dirs::state_dir;

/// Sends logs to a file (never the terminal) through a non-blocking writer;
/// keep the guard alive until exit so the last lines are flushed.
pub fn init_logging(log_file: Option<&Path>) -> Result<WorkerGuard, AppError> {
    let path = match log_file {
        Some(p) => p.to_owned(),
        None => state_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("kvtui.log"),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| AppError::Log {
            path: path.clone(),
            source,
        })?;
    }
    let file = open_log(&path).map_err(|source| AppError::Log {
        path: path.clone(),
        source,
    })?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    install(writer, "KVTUI_LOG", "info", Some(false)).map_err(AppError::LogInit)?;
    Ok(guard)
}

/// Opens the log for appending: created 0600 (it names vaults and secrets),
/// never through a symlink (a planted link cannot point the log at another
/// file), and an older, wider log is narrowed to 0600 through its handle.
fn open_log(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let file = crate::fsx::open_nofollow(path, &mut opts)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = file.metadata()?;
        // `/dev/null` and the like are left as they are.
        if meta.is_file() && meta.permissions().mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(file)
}

/// The service logs requests' outcomes to stderr; RUST_LOG tunes it. A second
/// call (a subscriber already set) is harmless.
/// h2's own reset warnings are left out: a client triggers them at will; the
/// service logs them itself, at most once a second.
pub fn init_stderr_logging() {
    let _ = install(std::io::stderr, "RUST_LOG", "warn,h2=error", None);
}

/// Installs the global subscriber: `env_var` filters, else `default`; `ansi`
/// forces colours on or off (`None`: the library's choice).
fn install<W>(writer: W, env_var: &str, default: &str, ansi: Option<bool>) -> Result<(), String>
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = tracing_subscriber::EnvFilter::try_from_env(env_var)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let mut builder = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_env_filter(filter);
    if let Some(ansi) = ansi {
        builder = builder.with_ansi(ansi);
    }
    builder.try_init().map_err(|e| e.to_string())
}
