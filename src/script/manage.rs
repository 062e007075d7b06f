//! `kvtui secret delete|recover|purge|backup|restore`. Several names are each
//! tried; every failure is reported, and the first one's code is the exit code.

use std::path::Path;

use azure_core::http::RequestContent;
use azure_security_keyvault_secrets::models::RestoreSecretParameters;

use super::conn::Api;
use super::exit::{ScriptError, report};
use super::files::write_private;
use super::output::Out;
use crate::vault::error::{ErrorKind, Op, VaultError, classify};
use crate::vault::{SecretName, convert};

/// Largest backup file `restore` reads; real blobs are far smaller.
const MAX_BACKUP_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Delete,
    Recover,
    Purge,
}

impl Action {
    fn done(self) -> &'static str {
        match self {
            Action::Delete => "deleted",
            Action::Recover => "recovered",
            Action::Purge => "purged",
        }
    }
}

async fn one(v: &Api<'_>, action: Action, name: &SecretName) -> Result<(), VaultError> {
    let n = name.as_str();
    match action {
        Action::Delete => v
            .call_patiently(Op::Delete, || v.client.delete_secret(n, None))
            .await
            .map(drop),
        Action::Recover => v
            .call_patiently(Op::Recover, || v.client.recover_deleted_secret(n, None))
            .await
            .map(drop),
        Action::Purge => v
            .call_patiently(Op::Purge, || v.client.purge_deleted_secret(n, None))
            .await
            .map(drop),
    }
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
                let e = ScriptError::from(e);
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
    let meta = std::fs::metadata(file).map_err(|e| ScriptError::io(file.display(), e))?;
    if meta.len() == 0 || meta.len() > MAX_BACKUP_BYTES {
        return Err(ScriptError::Failed(format!(
            "{} is not a secret backup ({} bytes)",
            file.display(),
            meta.len()
        )));
    }
    let blob = std::fs::read(file).map_err(|e| ScriptError::io(file.display(), e))?;
    let rsp = v
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
        .await?;
    let model = rsp
        .into_model()
        .map_err(|e| classify(&e, Op::Restore, &v.host))?;
    let props = convert::props_of_secret(&model)?;
    let mut out = Out::new();
    out.line(&format!("restored {}", props.name))?;
    out.flush()
}
