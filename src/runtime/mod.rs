//! The runtime: everything `update` must not do. It owns the terminal, the
//! workers' channels, the clipboard and the files, runs the effects `update`
//! returns and feeds their answers back as messages. `src/app` stays pure.

mod cache_io;
pub mod clipboard;
pub mod edit;
mod effects;
mod event_loop;
mod heap;
mod logging;
mod tmux_buffers;

pub use crate::dates::local_zone;
pub use cache_io::CacheIo;
pub use event_loop::{
    TICK, VaultConn, VaultOpener, Wiring, event_loop, initial_model, run_vaults, wire,
};
pub use logging::{init_logging, init_stderr_logging};

use std::io;
use std::path::PathBuf;

use crate::config::ConfigError;

/// Why the UI stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("terminal: {0}")]
    Terminal(#[from] io::Error),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot open the log file {path}: {source}")]
    Log { path: PathBuf, source: io::Error },
    #[error("cannot set up logging: {0}")]
    LogInit(String),
    #[error("cannot draw: {0}")]
    Draw(String),
}
