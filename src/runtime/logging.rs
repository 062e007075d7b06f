//! Logs go to a file in the state dir, never to the terminal.

use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;

use super::AppError;
use crate::config::default_state_dir;

/// Sends logs to a file (never the terminal) through a non-blocking writer;
/// keep the guard alive until exit so the last lines are flushed.
pub fn init_logging(log_file: Option<&Path>) -> Result<WorkerGuard, AppError> {
    let path = match log_file {
        Some(p) => p.to_owned(),
        None => default_state_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("kvtui.log"),
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| AppError::Log {
            path: path.clone(),
            source,
        })?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|source| AppError::Log {
            path: path.clone(),
            source,
        })?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = tracing_subscriber::EnvFilter::try_from_env("KVTUI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .map_err(|e| AppError::LogInit(e.to_string()))?;
    Ok(guard)
}
