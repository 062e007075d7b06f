//! Command line: the TUI's options and `kvtui serve`.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "kvtui",
    // The package version and the commit (build.rs), when it is known.
    version = env!("KVTUI_VERSION"),
    about = "A terminal browser for Azure Key Vault secrets"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub tui: TuiArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the local Key Vault service for any Key Vault client.
    Serve(ServeArgs),
    /// Read and change secrets from scripts (exit codes: 0 done, 2 usage, 3 not found, 4 not signed in or forbidden, 5 deleted but recoverable, 1 other).
    Secret(crate::script::args::SecretArgs),
    /// Write the latest enabled values to an env, JSON or .NET user-secrets file.
    Export(crate::script::args::ExportArgs),
    /// Set secrets from an env or JSON file: shows a plan, changes nothing without --apply.
    Import(crate::script::args::ImportArgs),
    /// Run a command with secrets in its environment; exits with its code.
    Run(crate::script::args::RunArgs),
    /// Why can't I read this? Who you are, how the vault decides, what you may do, and the fixes (exit 0 when you can list and get, 4 otherwise).
    Doctor(crate::doctor::DoctorArgs),
    /// Compare two vaults: one line per name (same, differs, only in source, ...); exits 10 when they differ.
    Diff(crate::script::across_args::DiffArgs),
    /// Copy secrets from one vault to another: a plan, nothing written without --apply; exits 11 when some are not copied.
    Copy(crate::script::across_args::CopyArgs),
    /// List expired and expiring secrets across vaults; exits 12 when there are any.
    Expiring(crate::script::across_args::ExpiringArgs),
    /// Manage the list cache (names, dates and tags the lists showed; never a value).
    Cache(CacheArgs),
    /// Export or import a data dir's state (every vault, version and deleted secret) as JSON.
    State(crate::emulator::StateArgs),
    /// Print shell completions: `kvtui completions bash > /etc/bash_completion.d/kvtui`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into --dir.
    Man {
        /// Write kvtui.1, kvtui-secret.1, ... into this directory instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct CacheArgs {
    #[command(subcommand)]
    pub action: CacheAction,
    /// List cache dir (default: KVTUI_CACHE_DIR, else the platform cache dir).
    #[arg(long, global = true)]
    pub cache_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum CacheAction {
    /// Forget the cached lists of the vaults given with --vault, or of every vault.
    Clear {
        /// Vault name or URL; may be given several times.
        #[arg(long = "vault", value_name = "NAME|URL")]
        vaults: Vec<String>,
    },
    /// Print the cache dir.
    Path,
}

pub use crate::vault::{AuthMethod, Cloud};

pub use crate::flags::{DataArgs, TuiArgs};

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 8443)]
    pub port: u16,
    /// Address to bind; a non-loopback address needs --allow-remote.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Allow binding a non-loopback address.
    #[arg(long)]
    pub allow_remote: bool,
    #[command(flatten)]
    pub data: DataArgs,
    /// Keep no secret on disk (CA and token are still written).
    #[arg(long)]
    pub in_memory: bool,
    /// Days a deleted secret stays recoverable (7..=90).
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(7..=90))]
    pub retention_days: u32,
    /// The one bearer token the service accepts, at least 16 visible characters
    /// (default: a random one in DATA_DIR/token). A --token flag is visible to
    /// other local users in /proc/PID/cmdline and `ps`: prefer KVTUI_TOKEN or the token file.
    #[arg(long, env = "KVTUI_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Server certificate (PEM) instead of the generated one.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// Private key (PEM) of --tls-cert.
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Do not add sample secrets to a new `default` vault.
    #[arg(long)]
    pub no_samples: bool,
    /// Seconds a client has to finish the TLS handshake.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub handshake_timeout: u64,
    /// Seconds a client has to send a request head, and then its body (x3).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub request_timeout: u64,
    /// Seconds a connection may stay open with no request in flight.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub idle_timeout: u64,
    /// Open connections at most (also kept below the open-file limit).
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=65536))]
    pub max_connections: u64,
    /// Fault: milliseconds added to every authenticated response.
    #[arg(long, value_name = "MS", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub latency: u64,
    /// Fault: a random extra of up to MS milliseconds on every authenticated response.
    #[arg(long, value_name = "MS", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub jitter: u64,
    /// Fault: per vault, requests beyond N in a sliding 10 s window get 429 with Retry-After.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub throttle: Option<u32>,
    /// Fault: share (0..1) of requests refused with 500 or 503 before they run.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = share)]
    pub fail_rate: f64,
    /// Fault: share (0..1) of responses cut mid-body (a write has committed by then).
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = share)]
    pub drop_rate: f64,
    /// Fault: for MS after a recover, get and set of that secret answer 409 ObjectIsBeingRecovered.
    #[arg(long, value_name = "MS", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=600_000))]
    pub recover_delay: u64,
    /// Seed of the faults' random draws, for the same sequence every run.
    #[arg(long, value_name = "N")]
    pub fault_seed: Option<u64>,
    /// Create an empty vault NAME at start (repeatable); vaults also appear on their first write.
    #[arg(long = "create-vault", value_name = "NAME")]
    pub create_vaults: Vec<String>,
    /// Run vault NAME purge-protected: its deleted secrets cannot be purged (repeatable).
    #[arg(long = "purge-protection", value_name = "NAME")]
    pub purge_protected: Vec<String>,
    /// DNS suffix of the vault URLs discovery reports (`vault.azure.net` behind a hosts entry).
    #[arg(long, value_name = "SUFFIX", default_value = "localhost")]
    pub vault_suffix: String,
    /// Access file (TOML): identities and their tokens, and per vault Azure RBAC
    /// or access policies, public network access and a firewall (see docs/access.md).
    #[arg(long, value_name = "FILE")]
    pub access: Option<PathBuf>,
    #[command(flatten)]
    pub emulator: crate::emulator::EmulatorArgs,
}

/// A share from 0 to 1.
fn share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{s} is not a share from 0 to 1")),
    }
}
