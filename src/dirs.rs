//! The platform's directories for kvtui, resolved in one place so the config,
//! the log and the local vault's data agree on where they live.

use std::path::{Path, PathBuf};

fn project() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "kvtui")
}

/// `~/.config/kvtui/config.toml` on Linux, the platform's equivalent elsewhere.
pub fn config_file() -> Option<PathBuf> {
    project().map(|d| d.config_dir().join("config.toml"))
}

/// The platform state dir, where the log file goes.
pub fn state_dir() -> Option<PathBuf> {
    project().map(|d| {
        d.state_dir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| d.data_local_dir().to_path_buf())
    })
}

/// `~/.local/share/kvtui` on Linux, the platform's equivalent elsewhere;
/// `.kvtui` when there is no home directory.
pub fn data_dir() -> PathBuf {
    project()
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".kvtui"))
}

/// `~/.cache/kvtui` on Linux, the platform's equivalent elsewhere; `None`
/// when there is no home directory (then nothing is cached).
pub fn cache_dir() -> Option<PathBuf> {
    project().map(|d| d.cache_dir().to_path_buf())
}
