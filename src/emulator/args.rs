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
        data: crate::cli::DataArgs,
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
        data: crate::cli::DataArgs,
        /// Drop everything the data dir holds first.
        #[arg(long)]
        replace: bool,
        /// The snapshot file.
        file: PathBuf,
    },
}
