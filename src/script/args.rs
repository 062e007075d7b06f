//! Command-line definitions of the scripting subcommands (`kvtui secret ...`,
//! `export`, `import`, `run`). The vault flags match the TUI's; given before
//! the subcommand (`kvtui --vault kv secret list`) they are used too.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use crate::flags::TuiArgs;
use crate::vault::SecretName;
use crate::vault::{AuthMethod, Cloud};

/// Which vault and credential a script uses; the same flags as the TUI.
#[derive(Debug, Clone, Default, Args)]
pub struct VaultArgs {
    /// Vault name (NAME.vault.azure.net) or URL; a loopback URL is a local vault.
    #[arg(long = "vault", value_name = "NAME|URL", global = true)]
    pub vaults: Vec<String>,
    /// Cloud whose vault suffix a bare name uses [default: public].
    #[arg(long, value_enum, global = true)]
    pub cloud: Option<Cloud>,
    /// Credential for Azure vaults [default: auto].
    #[arg(long, value_enum, global = true)]
    pub auth: Option<AuthMethod>,
    /// Tenant to request tokens from.
    #[arg(long, global = true)]
    pub tenant: Option<String>,
    /// Local vault data dir (CA, token, keys, database).
    #[arg(long, env = "KVTUI_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Config file (its `vaults` list is used when no vault is named).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// A local vault identity's token file, sent instead of the data dir's (also KVTUI_TOKEN).
    #[arg(long, value_name = "FILE", global = true)]
    pub token_file: Option<PathBuf>,
}

impl VaultArgs {
    /// These flags, falling back to the ones given before the subcommand.
    pub fn merged(&self, top: &TuiArgs) -> VaultArgs {
        VaultArgs {
            vaults: if self.vaults.is_empty() {
                top.vaults.clone()
            } else {
                self.vaults.clone()
            },
            cloud: Some(self.cloud.unwrap_or(top.cloud)),
            auth: Some(self.auth.unwrap_or(top.auth)),
            tenant: self.tenant.clone().or_else(|| top.tenant.clone()),
            data_dir: self.data_dir.clone().or_else(|| top.data.data_dir.clone()),
            config: self.config.clone().or_else(|| top.config.clone()),
            token_file: self.token_file.clone().or_else(|| top.token_file.clone()),
        }
    }
}

/// `kvtui secret ...`
#[derive(Debug, Clone, Args)]
pub struct SecretArgs {
    #[command(subcommand)]
    pub cmd: SecretCmd,
    #[command(flatten)]
    pub vault: VaultArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ListFormat {
    #[default]
    Table,
    Json,
    Names,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ShowFormat {
    /// Properties as text; never the value.
    #[default]
    Text,
    /// Properties and value as one JSON object.
    Json,
    /// The value exactly as stored, nothing added.
    Value,
}

#[derive(Debug, Clone, Subcommand)]
pub enum SecretCmd {
    /// List secrets (latest versions), streaming page by page.
    List {
        /// List deleted (recoverable) secrets instead.
        #[arg(long)]
        deleted: bool,
        /// Include certificate-backed secrets.
        #[arg(long)]
        include_managed: bool,
        #[arg(short = 'o', long = "output", value_enum, default_value_t = ListFormat::Table)]
        output: ListFormat,
    },
    /// Show a secret's properties; its value only with `-o value` or `-o json`.
    Show {
        name: SecretName,
        /// A version id (default: the latest).
        #[arg(long)]
        version: Option<String>,
        #[arg(short = 'o', long = "output", value_enum, default_value_t = ShowFormat::Text)]
        output: ShowFormat,
    },
    /// Set a new version; the value comes from --file or stdin, never argv.
    Set(SetArgs),
    /// Change a version's properties (enabled, content type, tags, dates); never its value.
    Update(UpdateArgs),
    /// Delete secrets (recoverable until purged).
    Delete {
        #[arg(required = true)]
        names: Vec<SecretName>,
    },
    /// Recover deleted secrets, waiting until each can be read again.
    Recover {
        #[arg(required = true)]
        names: Vec<SecretName>,
        /// Return once the vault accepted the recovery, before the secret answers.
        #[arg(long)]
        no_wait: bool,
    },
    /// Purge deleted secrets for good.
    Purge {
        #[arg(required = true)]
        names: Vec<SecretName>,
    },
    /// Back a secret (all versions) up to a file, created 0600.
    Backup {
        name: SecretName,
        #[arg(long)]
        file: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Restore a secret from a backup file.
    Restore {
        #[arg(long)]
        file: PathBuf,
    },
}

#[derive(Debug, Clone, Args)]
pub struct SetArgs {
    pub name: SecretName,
    /// Read the value from this file (`-` or no flag: stdin), byte for byte.
    #[arg(long)]
    pub file: Option<PathBuf>,
    #[arg(long)]
    pub content_type: Option<String>,
    /// A tag, KEY=VALUE (split at the first '='); repeat for more.
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    /// Expiry, as the TUI takes it: 2027-01-31[T10:00[:00]] (local zone, or
    /// UTC with `utc = true` in the config), RFC 3339 with Z or an offset, or
    /// +12h +30d +2w +6m +1y from now.
    #[arg(long, value_name = "DATE")]
    pub expires: Option<String>,
    /// Not valid before; the same forms as --expires.
    #[arg(long, value_name = "DATE")]
    pub not_before: Option<String>,
    /// Create the new version disabled.
    #[arg(long)]
    pub disabled: bool,
    /// Accept an empty value (otherwise an empty stdin or file is refused).
    #[arg(long)]
    pub allow_empty: bool,
}

/// `secret update`: properties only; what is not given is not sent.
#[derive(Debug, Clone, Args)]
pub struct UpdateArgs {
    pub name: SecretName,
    /// Enable the version.
    #[arg(long, conflicts_with = "disable")]
    pub enable: bool,
    /// Disable the version (its value can no longer be read).
    #[arg(long)]
    pub disable: bool,
    #[arg(long, value_name = "T")]
    pub content_type: Option<String>,
    /// A tag, KEY=VALUE; the tags given replace all the version's tags.
    #[arg(long = "tag", value_name = "KEY=VALUE", conflicts_with = "clear_tags")]
    pub tags: Vec<String>,
    /// Remove every tag.
    #[arg(long)]
    pub clear_tags: bool,
    /// Expiry, in the forms `secret set --expires` takes.
    #[arg(long, value_name = "DATE", conflicts_with = "no_expires")]
    pub expires: Option<String>,
    /// Remove the expiry.
    #[arg(long)]
    pub no_expires: bool,
    /// Not valid before, in the same forms.
    #[arg(long, value_name = "DATE", conflicts_with = "no_not_before")]
    pub not_before: Option<String>,
    /// Remove the not-before date.
    #[arg(long)]
    pub no_not_before: bool,
    /// The version to change (default: the latest).
    #[arg(long)]
    pub version: Option<String>,
}

pub use crate::vault::ExportFormat;

/// Which secrets export and run take.
#[derive(Debug, Clone, Default, Args)]
pub struct SelectArgs {
    /// Only names starting with P (case-insensitive); P is cut off before mapping.
    #[arg(long, value_name = "P")]
    pub prefix: Option<String>,
    /// Only these secrets (each must exist and be enabled).
    #[arg(long, num_args = 1.., value_name = "NAME")]
    pub only: Vec<SecretName>,
    /// Set variable NAME even though it changes how programs run (PATH,
    /// LD_*, NODE_OPTIONS...) or, for `run`, is already set; repeatable.
    #[arg(long = "allow-env", value_name = "NAME")]
    pub allow_env: Vec<String>,
}

/// `kvtui export`
#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    #[command(flatten)]
    pub select: SelectArgs,
    /// File to create (0600, never overwritten without --force); `-` is stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub vault: VaultArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    /// `NAME=value` lines (quotes as a shell reads them); `DB_PASSWORD` → `db-password`.
    Env,
    /// One JSON object of strings; keys are the secret names.
    Json,
}

/// `kvtui import`
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    pub file: PathBuf,
    /// The file's format (default: from its extension, `.env` or `.json`).
    #[arg(long, value_enum)]
    pub format: Option<ImportFormat>,
    /// Make the changes; without it only the plan is shown.
    #[arg(long)]
    pub apply: bool,
    #[command(flatten)]
    pub vault: VaultArgs,
}

/// `kvtui run`
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub vault: VaultArgs,
    /// The command and its arguments, after `--`.
    #[arg(required = true, last = true, value_name = "CMD")]
    pub command: Vec<std::ffi::OsString>,
}
