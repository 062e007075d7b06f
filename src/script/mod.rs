//! Scripting: `kvtui secret ...`, `export`, `import` and `run`. The same vault
//! resolution, credentials and error hints as the TUI, values never on argv,
//! and exit codes a script can branch on (see [`exit`]).

pub mod across_args;
pub mod args;
pub mod conn;
pub mod copy;
pub mod diff;
pub mod envfile;
pub mod envguard;
pub mod exit;
pub mod expiring;
pub mod export;
pub mod files;
pub mod import;
pub mod list;
pub mod manage;
pub mod output;
pub mod progress;
pub mod run;
pub mod set;
pub mod update;

use std::process::ExitCode;

use args::{SecretArgs, SecretCmd};
use conn::Vault;
use exit::{ScriptError, finish};
use manage::Action;

use crate::flags::TuiArgs;

/// A request read and checked before the vault is opened, so bad input
/// fails fast and a value is read before any network wait.
enum Prepared {
    Set(crate::vault::NewSecret),
    Update(crate::vault::PropsUpdate),
    Other,
}

/// The zone a date without one is in: the local one, or UTC when the config
/// says `utc = true` (as in the TUI).
fn zone(args: &args::VaultArgs) -> crate::dates::Zone {
    let utc = crate::config::Config::load(args.config.as_deref()).is_ok_and(|c| c.utc);
    crate::dates::local_zone(utc)
}

/// Runs `kvtui secret ...`; `top` holds flags given before `secret`.
pub async fn secret(args: &SecretArgs, top: &TuiArgs) -> ExitCode {
    let vault_args = args.vault.merged(top);
    let prepared = match &args.cmd {
        SecretCmd::Set(a) => set::prepare(a, &zone(&vault_args)).map(Prepared::Set),
        SecretCmd::Update(a) => update::prepare(a, &zone(&vault_args)).map(Prepared::Update),
        _ => Ok(Prepared::Other),
    };
    let prepared = match prepared {
        Ok(p) => p,
        Err(e) => return finish(Err(e)),
    };
    let vault = match Vault::open(&vault_args).await {
        Ok(v) => v,
        Err(e) => return finish(Err(e)),
    };
    let result = secret_cmd(&vault.api(), &args.cmd, &prepared).await;
    vault.close().await;
    finish(result)
}

async fn secret_cmd(
    v: &conn::Api<'_>,
    cmd: &SecretCmd,
    prepared: &Prepared,
) -> Result<(), ScriptError> {
    match (cmd, prepared) {
        (
            SecretCmd::List {
                deleted,
                include_managed,
                output,
            },
            _,
        ) => list::list(v, *deleted, *include_managed, *output).await,
        (
            SecretCmd::Show {
                name,
                version,
                output,
            },
            _,
        ) => match list::show(v, name, version.as_deref(), *output).await {
            Err(ScriptError::Vault(e)) if e.kind == crate::vault::ErrorKind::NotFound => {
                // A deleted secret is not just missing: 5, with the way back.
                match manage::deleted_info(v, name).await {
                    Some(until) => Err(manage::said(
                        exit::DELETED,
                        manage::already_deleted(name, until),
                    )),
                    None => Err(set::named(ScriptError::Vault(e), name)),
                }
            }
            r => r.map_err(|e| set::named(e, name)),
        },
        (SecretCmd::Set(_), Prepared::Set(new)) => set::run(v, new).await,
        (SecretCmd::Update(a), Prepared::Update(u)) => update::run(v, a, u)
            .await
            .map_err(|e| set::named(e, &a.name)),
        (SecretCmd::Set(_) | SecretCmd::Update(_), _) => Err(ScriptError::Failed(
            "internal error: the request was not read".into(),
        )),
        (SecretCmd::Delete { names }, _) => manage::each(v, Action::Delete, names).await,
        (SecretCmd::Recover { names, no_wait }, _) => {
            manage::each(v, Action::Recover { wait: !no_wait }, names).await
        }
        (SecretCmd::Purge { names }, _) => manage::each(v, Action::Purge, names).await,
        (SecretCmd::Backup { name, file, force }, _) => manage::backup(v, name, file, *force)
            .await
            .map_err(|e| set::named(e, name)),
        (SecretCmd::Restore { file }, _) => manage::restore(v, file).await,
    }
}

/// `kvtui export`: writes the file (0600, never over an existing one without
/// `--force`), or stdout with `-o -`.
pub async fn export(args: &args::ExportArgs, top: &TuiArgs) -> ExitCode {
    let vault = match Vault::open(&args.vault.merged(top)).await {
        Ok(v) => v,
        Err(e) => return finish(Err(e)),
    };
    let result = export_cmd(&vault.api(), args).await;
    vault.close().await;
    finish(result)
}

async fn export_cmd(api: &conn::Api<'_>, args: &args::ExportArgs) -> Result<(), ScriptError> {
    let to_stdout = args.output.as_os_str() == "-";
    if !to_stdout && !args.force && args.output.exists() {
        return Err(ScriptError::Failed(format!(
            "{} already exists; pass --force to overwrite it",
            args.output.display()
        )));
    }
    let names = export::select(api, &args.select).await?;
    let mut values = export::fetch(api, &names).await?;
    if args.format == args::ExportFormat::Env {
        values = export::without_nul(values, !args.select.only.is_empty())?;
    }
    let count = values.len();
    let (pairs, origins) = export::mapped_from(values, args.format, args.select.prefix.as_deref())?;
    if args.format == args::ExportFormat::Env {
        // The file is meant for `set -a; . ./app.env`: the same denylist as `run`.
        envguard::check(&pairs, &origins, &args.select.allow_env, None)?;
    }
    let bytes = export::render(&pairs, args.format);
    if to_stdout {
        let mut out = output::Out::new();
        out.write(&bytes)?;
        out.flush()?;
    } else {
        files::write_private(&args.output, &bytes, args.force)?;
        eprintln!(
            "exported {} to {}",
            crate::shown::count(count, "secret", "secrets"),
            args.output.display()
        );
    }
    Ok(())
}

/// `kvtui run`: exits with the command's code.
pub async fn run(args: &args::RunArgs, top: &TuiArgs) -> ExitCode {
    let vault = match Vault::open(&args.vault.merged(top)).await {
        Ok(v) => v,
        Err(e) => return finish(Err(e)),
    };
    match run::run(vault, args).await {
        Ok(code) => code,
        Err(e) => finish(Err(e)),
    }
}

/// `kvtui import`: the plan, and with `--apply` the changes.
pub async fn import(args: &args::ImportArgs, top: &TuiArgs) -> ExitCode {
    let vault = match Vault::open(&args.vault.merged(top)).await {
        Ok(v) => v,
        Err(e) => return finish(Err(e)),
    };
    let result = import::run(&vault.api(), args).await;
    vault.close().await;
    finish(result)
}

/// `kvtui diff SOURCE TARGET`: exits 0 when nothing differs, 10 when something does.
pub async fn diff(args: &across_args::DiffArgs, top: &TuiArgs) -> ExitCode {
    finish(diff::run(args, top).await)
}

/// `kvtui copy SOURCE TARGET`: the plan, and with `--apply` the copies.
pub async fn copy(args: &across_args::CopyArgs, top: &TuiArgs) -> ExitCode {
    finish(copy::run(args, top).await)
}

/// `kvtui expiring`: exits 12 when any secret is expired or expiring.
pub async fn expiring(args: &across_args::ExpiringArgs, top: &TuiArgs) -> ExitCode {
    finish(expiring::run(args, top).await)
}
