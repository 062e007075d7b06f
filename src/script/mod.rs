//! Scripting: `kvtui secret ...`, `export`, `import` and `run`. The same vault
//! resolution, credentials and error hints as the TUI, values never on argv,
//! and exit codes a script can branch on (see [`exit`]).

pub mod args;
pub mod conn;
pub mod exit;
pub mod files;
pub mod list;
pub mod manage;
pub mod output;
pub mod set;

use std::process::ExitCode;

use args::{SecretArgs, SecretCmd};
use conn::Vault;
use exit::{ScriptError, finish};
use manage::Action;

use crate::cli::TuiArgs;

/// Runs `kvtui secret ...`; `top` holds flags given before `secret`.
pub async fn secret(args: &SecretArgs, top: &TuiArgs) -> ExitCode {
    let vault = match Vault::open(&args.vault.merged(top)).await {
        Ok(v) => v,
        Err(e) => return finish(Err(e)),
    };
    let result = secret_cmd(&vault, &args.cmd).await;
    vault.close().await;
    finish(result)
}

async fn secret_cmd(v: &Vault, cmd: &SecretCmd) -> Result<(), ScriptError> {
    match cmd {
        SecretCmd::List {
            deleted,
            include_managed,
            output,
        } => list::list(v, *deleted, *include_managed, *output).await,
        SecretCmd::Show {
            name,
            version,
            output,
        } => list::show(v, name, version.as_deref(), *output)
            .await
            .map_err(|e| set::named(e, name)),
        SecretCmd::Set(a) => set::run(v, a).await,
        SecretCmd::Delete { names } => manage::each(v, Action::Delete, names).await,
        SecretCmd::Recover { names } => manage::each(v, Action::Recover, names).await,
        SecretCmd::Purge { names } => manage::each(v, Action::Purge, names).await,
        SecretCmd::Backup { name, file, force } => manage::backup(v, name, file, *force)
            .await
            .map_err(|e| set::named(e, name)),
        SecretCmd::Restore { file } => manage::restore(v, file).await,
    }
}

/// `kvtui export` (not yet).
pub async fn export(_args: &args::ExportArgs, _top: &TuiArgs) -> ExitCode {
    finish(Err(ScriptError::Failed("not yet".into())))
}

/// `kvtui import` (not yet).
pub async fn import(_args: &args::ImportArgs, _top: &TuiArgs) -> ExitCode {
    finish(Err(ScriptError::Failed("not yet".into())))
}

/// `kvtui run` (not yet).
pub async fn run(_args: &args::RunArgs, _top: &TuiArgs) -> ExitCode {
    finish(Err(ScriptError::Failed("not yet".into())))
}
