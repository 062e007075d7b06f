//! `kvtui serve` options for tests and CI.

use std::path::PathBuf;

use clap::Args;

/// Emulator options of `kvtui serve`.
#[derive(Debug, Clone, Default, Args)]
pub struct EmulatorArgs {
    /// Run the vault's clock shifted: a span as the date fields take it with a
    /// sign (+90d, -12h, +2w, +6m, +1y), seconds, or the date to start at.
    /// Moves created/updated, deletion and purge dates and the retention purge.
    #[arg(long, value_name = "SPAN", allow_hyphen_values = true, value_parser = crate::local::parse_clock_offset)]
    pub clock_offset: Option<i64>,
    /// Once the vault answers, write a JSON file with its URL, CA path and token path.
    #[arg(long, value_name = "PATH")]
    pub ready_file: Option<PathBuf>,
    /// Start from a snapshot made by `kvtui state export` (the data dir must
    /// hold no secret yet; sealed values need KVTUI_STATE_PASSPHRASE).
    #[arg(long, value_name = "FILE")]
    pub import_state: Option<PathBuf>,
    /// Copy a vault's secrets (names, content types, tags, dates, enabled,
    /// versions, deleted ones, managed marks) into local vault LOCALNAME
    /// (default: the same name); values are placeholders unless --with-values.
    /// Repeatable; a second run updates.
    #[arg(long = "seed-from", value_name = "VAULT[=LOCALNAME]")]
    pub seed_from: Vec<String>,
    /// Copy the values too (into the encrypted store); a warning is printed.
    #[arg(long, requires = "seed_from")]
    pub with_values: bool,
    /// Credential for Azure vaults seeded from [default: auto].
    #[arg(long, value_enum, value_name = "METHOD")]
    pub seed_auth: Option<crate::vault::AuthMethod>,
    /// Tenant to request tokens from for --seed-from.
    #[arg(long, value_name = "TENANT")]
    pub seed_tenant: Option<String>,
    /// Cloud of bare vault names in --seed-from [default: public].
    #[arg(long, value_enum, value_name = "CLOUD")]
    pub seed_cloud: Option<crate::vault::Cloud>,
    /// Data dir whose CA and token reach a local (loopback) vault seeded from.
    #[arg(long, value_name = "DIR")]
    pub seed_data_dir: Option<PathBuf>,
    /// For MS after a delete its deleted secret is not found yet, and after a
    /// purge the name cannot be set (409), as while Azure finishes them.
    #[arg(long, value_name = "MS", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=600_000))]
    pub delete_delay: u64,
    /// Print `export` lines for Python and Node clients on stdout (the banner goes to stderr).
    #[arg(long)]
    pub print_env: bool,
}

/// `kvtui state`: snapshots of a data dir.
#[derive(Debug, Clone, Args)]
pub struct StateArgs {
    #[command(subcommand)]
    pub action: StateAction,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum StateAction {
    /// Write every vault, version and deleted secret of a data dir as JSON;
    /// values sealed with KVTUI_STATE_PASSPHRASE unless --plain.
    Export {
        #[command(flatten)]
        data: crate::flags::DataArgs,
        /// Values in clear text (test fixtures only).
        #[arg(long)]
        plain: bool,
        /// Where to write (`-` for stdout).
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
    /// Load a snapshot into a data dir no service is running on; refused when
    /// it holds secrets unless --replace.
    Import {
        #[command(flatten)]
        data: crate::flags::DataArgs,
        /// Drop everything the data dir holds first.
        #[arg(long)]
        replace: bool,
        /// The snapshot file.
        file: PathBuf,
    },
}
