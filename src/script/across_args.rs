//! Command-line definitions of `kvtui diff`, `copy` and `expiring`.

use clap::{Args, ValueEnum};

use super::args::VaultArgs;
use crate::across::names::MapRule;
use crate::vault::SecretName;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum DiffFormat {
    /// One line per name: state, name, what differs.
    #[default]
    Table,
    /// One JSON array, an object per name (never a value).
    Json,
    /// The names that differ, one a line.
    Names,
}

/// Which names two vaults compare, and how they are spelled in the target.
#[derive(Debug, Clone, Default, Args)]
pub struct PairArgs {
    /// Source vault: a name (NAME.vault.azure.net) or URL, as --vault takes it.
    #[arg(value_name = "SOURCE")]
    pub source: String,
    /// Target vault: a name or URL.
    #[arg(value_name = "TARGET")]
    pub target: String,
    /// Name mapping SOURCE_PATTERN=TARGET_PATTERN, one `*` each side
    /// ('dev-*=prod-*'); repeatable, the first that matches wins. With a map,
    /// only names it matches take part.
    #[arg(long = "map", value_name = "SRC=TGT")]
    pub map: Vec<MapRule>,
    /// Only source names starting with P (case-insensitive).
    #[arg(long, value_name = "P")]
    pub prefix: Option<String>,
    /// Only these source names.
    #[arg(long, num_args = 1.., value_name = "NAME")]
    pub only: Vec<SecretName>,
    /// Compare certificate-backed secrets too.
    #[arg(long)]
    pub include_managed: bool,
    #[command(flatten)]
    pub vault: VaultArgs,
}

/// `kvtui diff SOURCE TARGET`
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub pair: PairArgs,
    /// Compare properties only; no value is read.
    #[arg(long)]
    pub metadata_only: bool,
    #[arg(short = 'o', long = "output", value_enum, default_value_t = DiffFormat::Table)]
    pub output: DiffFormat,
}

/// `kvtui copy SOURCE TARGET [NAME...]`
#[derive(Debug, Clone, Args)]
pub struct CopyArgs {
    #[command(flatten)]
    pub pair: PairArgs,
    /// Source names to copy (or --all, --missing, --changed).
    #[arg(value_name = "NAME")]
    pub names: Vec<SecretName>,
    /// Every secret of the source.
    #[arg(long, conflicts_with = "names")]
    pub all: bool,
    /// Names the target lacks (or holds deleted).
    #[arg(long, conflicts_with = "names")]
    pub missing: bool,
    /// Names whose value or properties differ.
    #[arg(long, conflicts_with = "names")]
    pub changed: bool,
    /// Recover a name deleted in the target, then copy over it.
    #[arg(long, conflicts_with = "purge_first")]
    pub recover: bool,
    /// Purge a name deleted in the target for good, then create it.
    #[arg(long)]
    pub purge_first: bool,
    /// Carry the plan out; without it nothing is written.
    #[arg(long)]
    pub apply: bool,
    /// Write even when a side changed since the plan.
    #[arg(long, requires = "apply")]
    pub force: bool,
}

/// `kvtui expiring`
#[derive(Debug, Clone, Args)]
pub struct ExpiringArgs {
    /// The window: 30d, 12h, 2w, 90m.
    #[arg(long, default_value = "30d", value_name = "SPAN")]
    pub within: String,
    /// Count disabled secrets too.
    #[arg(long)]
    pub include_disabled: bool,
    #[arg(short = 'o', long = "output", value_enum, default_value_t = DiffFormat::Table)]
    pub output: DiffFormat,
    #[command(flatten)]
    pub vault: VaultArgs,
}
