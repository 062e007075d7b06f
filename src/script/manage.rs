//! `kvtui secret delete|recover|purge|backup|restore`. Several names are each
//! tried; every failure is reported, and the first one's code is the exit code.

use std::path::Path;

use azure_core::http::RequestContent;
use azure_security_keyvault_secrets::models::RestoreSecretParameters;

use super::conn::Api;
use std::time::Duration;

use super::exit::{DELETED, NOT_FOUND, ScriptError, report};
use super::files::write_private;
use super::output::Out;
use crate::vault::error::{ErrorKind, Op, VaultError, classify};
use crate::vault::{SecretName, convert};

/// Largest backup file `restore` reads; real blobs are far smaller.
const MAX_BACKUP_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Delete,
    /// With `wait`, until the secret answers again.
    Recover {
        wait: bool,
    },
    Purge,
}

impl Action {
    fn done(self) -> &'static str {
        match self {
            Action::Delete => "deleted",
            Action::Recover { .. } => "recovered",
            Action::Purge => "purged",
        }
    }
}

/// Longest wait for a recovered secret to answer.
pub const RECOVER_PATIENCE: Duration = Duration::from_secs(60);

async fn one(v: &Api<'_>, action: Action, name: &SecretName) -> Result<(), ScriptError> {
    let n = name.as_str();
    let done = match action {
        Action::Delete => v
            .call_patiently(Op::Delete, || v.client.delete_secret(n, None))
            .await
            .map(drop),
        Action::Recover { .. } => v
            .call_patiently(Op::Recover, || v.client.recover_deleted_secret(n, None))
            .await
            .map(drop),
        Action::Purge => v
            .call_patiently(Op::Purge, || v.client.purge_deleted_secret(n, None))
            .await
            .map(drop),
    };
    match done {
        Ok(()) => match action {
            Action::Recover { wait: true } => wait_readable(v, name).await,
            _ => Ok(()),
        },
        Err(e) if e.kind == ErrorKind::NotFound => Err(not_found(v, action, name, e).await),
        Err(e) => Err(e.into()),
    }
}

/// A 404 said in the words of what the name really is: a delete of a deleted
/// secret says it already is (exit 5); a purge or recover of a live one says
/// it is not deleted.
async fn not_found(v: &Api<'_>, action: Action, name: &SecretName, e: VaultError) -> ScriptError {
    match action {
        Action::Delete => match deleted_info(v, name).await {
            Some(until) => said(DELETED, already_deleted(name, until)),
            None => e.into(),
        },
        Action::Purge | Action::Recover { .. } if is_live(v, name).await => {
            let what = if action == Action::Purge {
                "purge"
            } else {
                "recover"
            };
            said(
                NOT_FOUND,
                format!(
                    "{name} is not deleted: it is a live secret, so there is nothing to {what} (`kvtui secret delete {name}` deletes it)"
                ),
            )
        }
        _ => e.into(),
    }
}

/// Prints `message` now and keeps `code` for the exit.
pub fn said(code: u8, message: String) -> ScriptError {
    eprintln!("kvtui: {message}");
    ScriptError::Reported { code, message }
}

/// `Some(purge date)` when `name` is deleted but recoverable.
pub async fn deleted_info(v: &Api<'_>, name: &SecretName) -> Option<Option<time::OffsetDateTime>> {
    let got = v
        .call(
            Op::GetDeleted,
            v.client.get_deleted_secret(name.as_str(), None),
        )
        .await
        .ok()?;
    let model = got.into_model().ok()?;
    Some(
        convert::from_deleted(&model)
            .ok()
            .and_then(|d| d.scheduled_purge_date),
    )
}

/// "NAME is already deleted ..." with what can be done.
pub fn already_deleted(name: &SecretName, until: Option<time::OffsetDateTime>) -> String {
    let until = match super::output::rfc3339(until) {
        Some(t) => format!(" (recoverable until {t})"),
        None => String::new(),
    };
    format!(
        "{name} is already deleted{until}\nhint: Recover it with `kvtui secret recover {name}`, or purge it with `kvtui secret purge {name}`."
    )
}

/// Whether a live secret of that name answers (a disabled one answers 403).
async fn is_live(v: &Api<'_>, name: &SecretName) -> bool {
    match v
        .call(Op::Get, v.client.get_secret(name.as_str(), None))
        .await
    {
        Ok(_) => true,
        Err(e) => !matches!(e.kind, ErrorKind::NotFound) && e.status.is_some(),
    }
}

/// After a recover: polls the secret until it answers (200, or 403 for a
/// disabled one), as the Python and JS pollers do; 404 and 409
/// `ObjectIsBeingRecovered` mean not yet.
async fn wait_readable(v: &Api<'_>, name: &SecretName) -> Result<(), ScriptError> {
    let started = tokio::time::Instant::now();
    let mut pause = Duration::from_millis(250);
    loop {
        match v
            .call(Op::Get, v.client.get_secret(name.as_str(), None))
            .await
        {
            Ok(_) => return Ok(()),
            Err(e) if e.kind == ErrorKind::Disabled => return Ok(()),
            Err(e) if e.kind == ErrorKind::NotFound || being_recovered(&e) => {}
            Err(e) => return Err(e.into()),
        }
        if started.elapsed() + pause > RECOVER_PATIENCE {
            return Err(ScriptError::Failed(format!(
                "{name} was recovered but still does not answer after {} s; try `kvtui secret show {name}` in a while",
                RECOVER_PATIENCE.as_secs()
            )));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(4));
    }
}

/// A 409 `ObjectIsBeingRecovered`: the recover is still under way.
pub fn being_recovered(e: &VaultError) -> bool {
    e.status == Some(409) && e.code.as_deref() == Some("ObjectIsBeingRecovered")
}

/// Applies `action` to each name in turn, printing `deleted NAME` (and so on)
/// for each success.
pub async fn each(v: &Api<'_>, action: Action, names: &[SecretName]) -> Result<(), ScriptError> {
    let mut out = Out::new();
    let mut first_failure: Option<ScriptError> = None;
    for name in names {
        match one(v, action, name).await {
            Ok(()) => {
                out.line(&format!("{} {name}", action.done()))?;
                out.flush()?;
            }
            Err(e) => {
                report(&e, Some(name.as_str()));
                if first_failure.is_none() {
                    first_failure = Some(ScriptError::Reported {
                        code: e.code(),
                        message: e.to_string(),
                    });
                }
            }
        }
    }
    first_failure.map_or(Ok(()), Err)
}

/// `secret backup NAME --file F`: the blob in a new 0600 file.
pub async fn backup(
    v: &Api<'_>,
    name: &SecretName,
    file: &Path,
    force: bool,
) -> Result<(), ScriptError> {
    if !force && file.exists() {
        return Err(ScriptError::Failed(format!(
            "{} already exists; pass --force to overwrite it",
            file.display()
        )));
    }
    let rsp = v
        .call_patiently(Op::Backup, || v.client.backup_secret(name.as_str(), None))
        .await?;
    let blob = rsp
        .into_model()
        .map_err(|e| classify(&e, Op::Backup, &v.host))?
        .value
        .ok_or_else(|| VaultError::new(ErrorKind::Other, "the vault returned an empty backup"))?;
    write_private(file, &blob, force)?;
    let mut out = Out::new();
    out.line(&format!("backed up {name} to {}", file.display()))?;
    out.flush()
}

/// `secret restore --file F`.
pub async fn restore(v: &Api<'_>, file: &Path) -> Result<(), ScriptError> {
    let not_a_backup = || {
        ScriptError::Failed(format!(
            "{} is not a secret backup (empty, or over {} MiB)",
            file.display(),
            MAX_BACKUP_BYTES / (1024 * 1024)
        ))
    };
    let blob = match crate::fsx::read_capped(file, MAX_BACKUP_BYTES) {
        Ok(b) if b.is_empty() => return Err(not_a_backup()),
        Ok(b) => b.to_vec(),
        Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => return Err(not_a_backup()),
        Err(e) => return Err(ScriptError::io(file.display(), e)),
    };
    let rsp = match v
        .call_patiently(Op::Restore, || {
            let body: azure_core::Result<RequestContent<RestoreSecretParameters>> =
                RestoreSecretParameters {
                    secret_backup: Some(blob.clone()),
                }
                .try_into();
            async move {
                match body {
                    Ok(body) => v.client.restore_secret(body, None).await,
                    Err(e) => Err(e),
                }
            }
        })
        .await
    {
        Ok(rsp) => rsp,
        // A name in use: say which, and the commands that free it.
        Err(e) if e.kind == ErrorKind::Conflict && !being_recovered(&e) => {
            let hint = match e.secret_name() {
                Some(n) => format!(
                    "A backup restores only onto a free name: `kvtui secret delete {n}` and `kvtui secret purge {n}` first, or restore into another vault."
                ),
                None => "A backup restores only onto a free name: delete and purge the secret first, or restore into another vault.".into(),
            };
            return Err(said(
                super::exit::code_of(e.kind),
                format!("{}\nhint: {hint}", e.message),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let model = rsp
        .into_model()
        .map_err(|e| classify(&e, Op::Restore, &v.host))?;
    let props = convert::props_of_secret(&model)?;
    let mut out = Out::new();
    out.line(&format!("restored {}", props.name))?;
    out.flush()
}
