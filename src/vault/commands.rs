//! One function per command: call the SDK, convert, classify failures.
//!
//! Each returns the request's terminal event; lists also stream their pages
//! through `Shared::emit` as each arrives.

use std::future::Future;
use std::path::{Path, PathBuf};

use azure_core::http::{RequestContent, Response};
use azure_security_keyvault_secrets::models::{
    self, SecretClientGetSecretOptions, SecretClientListDeletedSecretPropertiesOptions,
    SecretClientListSecretPropertiesOptions, SecretClientUpdateSecretPropertiesOptions,
};
use futures::{Stream, StreamExt};
use serde::de::DeserializeOwned;

use super::convert;
use super::error::{ErrorKind, Op, VaultError, classify};
use super::messages::{ReqId, VaultCmd, VaultEventKind};
use super::types::{NewSecret, PropsUpdate, SecretName};
use super::versions;
use super::worker::Shared;

/// Largest backup file `Restore` reads; real blobs are far smaller.
const MAX_BACKUP_BYTES: u64 = 16 * 1024 * 1024;

/// Runs one command: a table from command to the function that runs it.
pub(crate) async fn run(
    s: &Shared,
    id: ReqId,
    cmd: VaultCmd,
) -> Result<VaultEventKind, VaultError> {
    match cmd {
        VaultCmd::ListSecrets => list_secrets(s, id).await,
        VaultCmd::ListVersions { name } => versions::list_versions(s, id, &name, None).await,
        VaultCmd::MoreVersions { name, resume } => {
            versions::list_versions(s, id, &name, Some(resume)).await
        }
        VaultCmd::ListDeleted => list_deleted(s, id).await,
        VaultCmd::Get { name, version } => get(s, &name, version).await,
        VaultCmd::Set(new) => set(s, &new).await,
        VaultCmd::UpdateProps {
            name,
            version,
            update,
        } => update_props(s, &name, version, &update).await,
        VaultCmd::Delete { name } => delete(s, &name).await,
        VaultCmd::GetDeleted { name } => get_deleted(s, &name).await,
        VaultCmd::Recover { name } => recover(s, &name).await,
        VaultCmd::Purge { name } => purge(s, &name).await,
        VaultCmd::Backup {
            name,
            path,
            overwrite,
        } => backup(s, &name, expand_home(&path), overwrite).await,
        VaultCmd::Restore { path } => restore(s, &expand_home(&path)).await,
        VaultCmd::Export {
            names,
            format,
            path,
            overwrite,
        } => export(s, &names, format, expand_home(&path), overwrite).await,
    }
}

/// A path typed in a form, `~` read as the home directory, off the UI task.
fn expand_home(path: &Path) -> PathBuf {
    crate::fsx::expand_home(path)
}

/// Refuses to write over `path` unless told to, before the vault is asked,
/// so the user can say whether to replace it.
async fn refuse_existing(path: &Path, overwrite: bool) -> Result<(), VaultError> {
    if !overwrite && tokio::fs::symlink_metadata(path).await.is_ok() {
        return Err(VaultError::new(
            ErrorKind::FileExists,
            format!("{} already exists", path.display()),
        ));
    }
    Ok(())
}

/// The TUI's export: the scripting export's own code, written to a new file
/// unless `overwrite`.
async fn export(
    s: &Shared,
    names: &[SecretName],
    format: super::types::ExportFormat,
    path: PathBuf,
    overwrite: bool,
) -> Result<VaultEventKind, VaultError> {
    use crate::script::exit::ScriptError;
    refuse_existing(&path, overwrite).await?;
    let fetched = crate::script::export::export(&s.client, names, format).await;
    let bytes = fetched.map_err(|e| match e {
        ScriptError::Vault(v) => v,
        other => VaultError::new(ErrorKind::Other, other.to_string()),
    })?;
    let write =
        move || crate::script::files::write_private(&path, &bytes, overwrite).map(|()| path);
    let path = tokio::task::spawn_blocking(write)
        .await
        .map_err(|e| VaultError::new(ErrorKind::Other, e.to_string()))?
        .map_err(|e| VaultError::new(ErrorKind::Other, e.to_string()))?;
    Ok(VaultEventKind::Exported {
        path,
        count: names.len(),
    })
}

async fn list_secrets(s: &Shared, id: ReqId) -> Result<VaultEventKind, VaultError> {
    let opts = SecretClientListSecretPropertiesOptions {
        maxresults: s.cfg.page_size,
        ..Default::default()
    };
    let pager = s
        .client
        .list_secret_properties(Some(opts))
        .map_err(classified(s, Op::List))?;
    list(s, id, Op::List, pager.into_pages(), secrets_page).await
}

async fn list_deleted(s: &Shared, id: ReqId) -> Result<VaultEventKind, VaultError> {
    let opts = SecretClientListDeletedSecretPropertiesOptions {
        maxresults: s.cfg.page_size,
        ..Default::default()
    };
    let pager = s
        .client
        .list_deleted_secret_properties(Some(opts))
        .map_err(classified(s, Op::ListDeleted))?;
    list(s, id, Op::ListDeleted, pager.into_pages(), deleted_page).await
}

async fn get(
    s: &Shared,
    name: &SecretName,
    version: Option<String>,
) -> Result<VaultEventKind, VaultError> {
    let secret_version = version.map(check_version).transpose()?;
    let opts = SecretClientGetSecretOptions {
        secret_version,
        ..Default::default()
    };
    let fut = s.client.get_secret(name.as_str(), Some(opts));
    let secret = fetch(s, Op::Get, fut).await?;
    Ok(VaultEventKind::Secret(Box::new(convert::from_secret(
        secret,
    )?)))
}

async fn set(s: &Shared, new: &NewSecret) -> Result<VaultEventKind, VaultError> {
    let body: RequestContent<models::SetSecretParameters> = convert::set_parameters(new)
        .try_into()
        .map_err(classified(s, Op::Set))?;
    let fut = s.client.set_secret(new.name.as_str(), body, None);
    props(fetch(s, Op::Set, fut).await?)
}

async fn update_props(
    s: &Shared,
    name: &SecretName,
    version: Option<String>,
    update: &PropsUpdate,
) -> Result<VaultEventKind, VaultError> {
    let secret_version = version.map(check_version).transpose()?;
    let json = convert::update_body(update).to_string();
    let body: RequestContent<models::UpdateSecretPropertiesParameters> =
        RequestContent::from(json.into_bytes());
    let opts = SecretClientUpdateSecretPropertiesOptions {
        secret_version,
        ..Default::default()
    };
    let fut = s
        .client
        .update_secret_properties(name.as_str(), body, Some(opts));
    props(fetch(s, Op::Update, fut).await?)
}

async fn delete(s: &Shared, name: &SecretName) -> Result<VaultEventKind, VaultError> {
    let fut = s.client.delete_secret(name.as_str(), None);
    deleted(&fetch(s, Op::Delete, fut).await?)
}

async fn get_deleted(s: &Shared, name: &SecretName) -> Result<VaultEventKind, VaultError> {
    let fut = s.client.get_deleted_secret(name.as_str(), None);
    deleted(&fetch(s, Op::GetDeleted, fut).await?)
}

async fn recover(s: &Shared, name: &SecretName) -> Result<VaultEventKind, VaultError> {
    let fut = s.client.recover_deleted_secret(name.as_str(), None);
    props(fetch(s, Op::Recover, fut).await?)
}

async fn purge(s: &Shared, name: &SecretName) -> Result<VaultEventKind, VaultError> {
    let fut = s.client.purge_deleted_secret(name.as_str(), None);
    call(s, Op::Purge, fut).await?;
    Ok(VaultEventKind::Purged)
}

async fn backup(
    s: &Shared,
    name: &SecretName,
    path: PathBuf,
    overwrite: bool,
) -> Result<VaultEventKind, VaultError> {
    refuse_existing(&path, overwrite).await?;
    versions::check_backup_size(s, name).await?;
    let fut = s.client.backup_secret(name.as_str(), None);
    let blob = fetch(s, Op::Backup, fut)
        .await?
        .value
        .ok_or_else(|| VaultError::new(ErrorKind::Other, "the vault returned an empty backup"))?;
    write_private(&path, blob).await.map_err(|e| {
        VaultError::new(
            ErrorKind::Other,
            format!("could not write the backup to {}: {e}", path.display()),
        )
    })?;
    Ok(VaultEventKind::BackedUp { path })
}

async fn restore(s: &Shared, path: &Path) -> Result<VaultEventKind, VaultError> {
    let blob = read_backup(path).await?;
    let params = models::RestoreSecretParameters {
        secret_backup: Some(blob),
    };
    let body: RequestContent<models::RestoreSecretParameters> =
        params.try_into().map_err(classified(s, Op::Restore))?;
    let fut = s.client.restore_secret(body, None);
    props(fetch(s, Op::Restore, fut).await?)
}

/// One page of secrets or versions, leaving out items without a usable id.
pub(super) fn secrets_page(p: models::ListSecretPropertiesResult) -> VaultEventKind {
    let items = p
        .value
        .iter()
        .filter_map(|i| keep(convert::from_properties(i)));
    VaultEventKind::SecretsPage(items.collect())
}

/// One page of deleted secrets, leaving out items without a usable id.
fn deleted_page(p: models::ListDeletedSecretPropertiesResult) -> VaultEventKind {
    let items = p
        .value
        .iter()
        .filter_map(|i| keep(convert::from_deleted_properties(i)));
    VaultEventKind::DeletedPage(items.collect())
}

/// Awaits one SDK call and decodes its body, classifying either failure.
async fn fetch<T: DeserializeOwned>(
    s: &Shared,
    op: Op,
    fut: impl Future<Output = azure_core::Result<Response<T>>>,
) -> Result<T, VaultError> {
    let rsp = call(s, op, fut).await?;
    model(s, op, rsp)
}

/// Awaits one SDK call with the request timeout, classifying any failure.
pub(super) async fn call<T>(
    s: &Shared,
    op: Op,
    fut: impl Future<Output = azure_core::Result<T>>,
) -> Result<T, VaultError> {
    match tokio::time::timeout(s.cfg.request_timeout, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(classified(s, op)(e)),
        Err(_) => Err(VaultError::timeout(op, &s.host, s.cfg.request_timeout)),
    }
}

/// Turns an SDK error from `op` into the vault error the UI shows.
pub(super) fn classified(s: &Shared, op: Op) -> impl Fn(azure_core::Error) -> VaultError + '_ {
    move |e| classify(&e, op, &s.host)
}

/// Decodes a response body; a body the SDK cannot read is classified like any
/// other failure of `op`.
pub(super) fn model<T: DeserializeOwned>(
    s: &Shared,
    op: Op,
    rsp: Response<T>,
) -> Result<T, VaultError> {
    rsp.into_model().map_err(classified(s, op))
}

fn props(secret: models::Secret) -> Result<VaultEventKind, VaultError> {
    Ok(VaultEventKind::Props(Box::new(convert::props_of_secret(
        &secret,
    )?)))
}

fn deleted(secret: &models::DeletedSecret) -> Result<VaultEventKind, VaultError> {
    Ok(VaultEventKind::Deleted(Box::new(convert::from_deleted(
        secret,
    )?)))
}

/// Streams pages as they arrive, then the total; a failure mid-list ends it with
/// `Failed` after the pages already sent.
async fn list<P, St>(
    s: &Shared,
    id: ReqId,
    op: Op,
    pages: St,
    to_event: impl Fn(P) -> VaultEventKind,
) -> Result<VaultEventKind, VaultError>
where
    St: Stream<Item = azure_core::Result<Response<P>>>,
    P: DeserializeOwned,
{
    let mut pages = std::pin::pin!(pages);
    let mut count = 0usize;
    loop {
        let page = match tokio::time::timeout(s.cfg.request_timeout, pages.next()).await {
            Err(_) => return Err(VaultError::timeout(op, &s.host, s.cfg.request_timeout)),
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(classified(s, op)(e)),
            Ok(Some(Ok(page))) => page,
        };
        let event = to_event(model(s, op, page)?);
        count += match &event {
            VaultEventKind::SecretsPage(v) => v.len(),
            VaultEventKind::DeletedPage(v) => v.len(),
            _ => 0,
        };
        s.emit(id, event).await;
    }
    Ok(VaultEventKind::ListDone { count })
}

/// A listed item the vault described badly is left out (and logged), not fatal
/// to the whole list.
fn keep<T>(item: Result<T, VaultError>) -> Option<T> {
    item.map_err(|e| tracing::warn!("skipping a listed item: {}", e.message))
        .ok()
}

/// A version id goes into the URL path, so only plain ids are accepted.
fn check_version(v: String) -> Result<String, VaultError> {
    if !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(v)
    } else {
        Err(VaultError::new(
            ErrorKind::InvalidInput,
            format!("{v:?} is not a secret version id (letters and digits only)"),
        ))
    }
}

/// Writes a backup readable by its owner only (0600), replacing any old file
/// atomically; off the async threads, as the file may be slow to write.
async fn write_private(path: &Path, bytes: Vec<u8>) -> std::io::Result<()> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || crate::fsx::write_private(&path, &bytes))
        .await
        .map_err(std::io::Error::other)?
}

async fn read_backup(path: &Path) -> Result<Vec<u8>, VaultError> {
    let unreadable = |e: std::io::Error| {
        VaultError::new(
            ErrorKind::InvalidInput,
            format!("could not read the backup {}: {e}", path.display()),
        )
    };
    let meta = tokio::fs::metadata(path).await.map_err(unreadable)?;
    if meta.len() > MAX_BACKUP_BYTES || meta.len() == 0 {
        return Err(VaultError::new(
            ErrorKind::InvalidInput,
            format!(
                "{} is not a secret backup ({} bytes)",
                path.display(),
                meta.len()
            ),
        ));
    }
    tokio::fs::read(path).await.map_err(unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_must_be_plain_ids() {
        assert!(check_version("0123456789abcdef0123456789abcdef".into()).is_ok());
        for bad in ["", "../x", "a/b", "a?b"] {
            assert_eq!(
                check_version(bad.into()).map_err(|e| e.kind),
                Err(ErrorKind::InvalidInput)
            );
        }
    }

    #[tokio::test]
    async fn backups_are_written_owner_only() {
        let dir = tempfile::tempdir();
        let Ok(dir) = dir else { panic!("no temp dir") };
        let path = dir.path().join("b.bin");
        assert!(std::fs::write(&path, b"old").is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644));
        }
        assert!(write_private(&path, b"blob".to_vec()).await.is_ok());
        assert_eq!(std::fs::read(&path).ok().as_deref(), Some(&b"blob"[..]));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode.ok(), Some(0o600));
        }
        assert_eq!(read_backup(&path).await.ok(), Some(b"blob".to_vec()));
        let missing = read_backup(&dir.path().join("none")).await;
        assert_eq!(missing.map_err(|e| e.kind), Err(ErrorKind::InvalidInput));
    }
}
