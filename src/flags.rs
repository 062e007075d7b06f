//! Flag groups shared by several commands (the TUI's, the scripting
//! commands', the doctor's, `serve`'s): which vault, which credential, where
//! the local vault keeps its data. Below the commands, so they can share them
//! without depending on the command line that gathers them.

use std::path::PathBuf;

use clap::Args;

use crate::vault::{AuthMethod, Cloud};

#[derive(Debug, Clone, Args)]
pub struct TuiArgs {
    /// Vault name (NAME.vault.azure.net) or URL; may be given several times.
    #[arg(long = "vault", value_name = "NAME|URL")]
    pub vaults: Vec<String>,
    /// Cloud of bare vault names and of discovery (public, china, usgov).
    #[arg(long, value_enum, default_value_t = Cloud::Public)]
    pub cloud: Cloud,
    /// Credential for Azure vaults.
    #[arg(long, value_enum, default_value_t = AuthMethod::Auto)]
    pub auth: AuthMethod,
    /// Tenant to request tokens from; discovery searches only its subscriptions.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Open on the vault picker and search for vaults: Azure's Resource
    /// Manager, and the local vault's beside it when the local vault is open.
    #[arg(long)]
    pub discover: bool,
    /// Resource Manager endpoint to search instead of the cloud's (a loopback
    /// one is a local vault, trusted through the data dir).
    #[arg(long, value_name = "URL")]
    pub arm_endpoint: Option<String>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Act as another identity of a local vault: send this file's token instead
    /// of the data dir's (KVTUI_TOKEN does the same).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Do not add sample secrets to a new local vault.
    #[arg(long)]
    pub no_samples: bool,
    /// Log file (default: kvtui.log in the platform state dir).
    #[arg(long)]
    pub log_file: Option<PathBuf>,
    /// Config file (default: config.toml in the platform config dir).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Neither show nor save cached lists (also `cache = false` in the config).
    #[arg(long)]
    pub no_cache: bool,
    /// List cache dir (default: the platform cache dir).
    #[arg(long, env = "KVTUI_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
}

impl TuiArgs {
    /// The list cache dir: the one given, else the platform's.
    pub fn cache_dir(&self) -> Option<PathBuf> {
        self.cache_dir.clone().or_else(crate::dirs::cache_dir)
    }
}

/// Where the local vault keeps its data.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// Local vault data dir (CA, token, keys, database).
    #[arg(long, env = "KVTUI_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

impl DataArgs {
    /// The data dir given, else the platform data dir.
    pub fn resolve(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(crate::dirs::data_dir)
    }
}
