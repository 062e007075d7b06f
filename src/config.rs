//! The config file (TOML): vaults for the picker, keymap overrides and the
//! clipboard clear delay. A missing file is the defaults; a broken one is an
//! error that names the file.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::binding::BindingSpec;

/// Seconds a copied value stays on the clipboard by default.
pub const DEFAULT_CLIPBOARD_CLEAR_SECS: u64 = 30;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Vault names or URLs offered by the vault picker.
    #[serde(default)]
    pub vaults: Vec<String>,
    /// Seconds before a copied value is cleared from the clipboard; 0 never.
    #[serde(default = "default_clear")]
    pub clipboard_clear_seconds: u64,
    /// Bindings that replace the defaults, same shape as `assets/keymap.toml`.
    #[serde(default)]
    pub keymap: Vec<BindingSpec>,
    /// Days ahead the Expiring view looks.
    #[serde(default = "default_expiring_days")]
    pub expiring_days: u32,
    /// Show times in UTC rather than the local time zone (`TZ`).
    #[serde(default)]
    pub utc: bool,
    /// Keep the lists (metadata, never values) in the cache dir so a vault
    /// opens at once; `false` turns it off.
    #[serde(default = "default_cache")]
    pub cache: bool,
}

fn default_cache() -> bool {
    true
}

fn default_expiring_days() -> u32 {
    30
}

fn default_clear() -> u64 {
    DEFAULT_CLIPBOARD_CLEAR_SECS
}

impl Default for Config {
    fn default() -> Self {
        Self {
            vaults: Vec::new(),
            clipboard_clear_seconds: DEFAULT_CLIPBOARD_CLEAR_SECS,
            keymap: Vec::new(),
            expiring_days: default_expiring_days(),
            utc: false,
            cache: true,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the config file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
}

impl Config {
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }

    /// Loads `path`, or the default location; a missing default file is fine,
    /// a missing file the user named is not.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let (path, named) = match path {
            Some(p) => (p.to_owned(), true),
            None => match crate::dirs::config_file() {
                Some(p) => (p, false),
                None => return Ok(Self::default()),
            },
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text, &path),
            Err(e) if !named && e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }
}
