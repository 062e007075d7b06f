//! One function per command: call the SDK, convert, classify failures.
//!
//! Each returns the request's terminal event; lists also stream their pages
//! through `Shared::emit` as each arrives.

use std::future::Future;
use std::path::Path;

use azure_core::http::RequestContent;
use azure_security_keyvault_secrets::models::{
    self, SecretClientGetSecretOptions, SecretClientListDeletedSecretPropertiesOptions,
    SecretClientListSecretPropertiesOptions, SecretClientListSecretPropertiesVersionsOptions,
    SecretClientUpdateSecretPropertiesOptions,
};
use futures::{Stream, StreamExt};

use super::convert;
use super::error::{ErrorKind, Op, VaultError, classify};
use super::messages::{ReqId, VaultCmd, VaultEventKind};
use super::worker::Shared;

/// Largest backup file `Restore` reads; real blobs are far smaller.
const MAX_BACKUP_BYTES: u64 = 16 * 1024 * 1024;

/// One page of secrets or versions, leaving out items without a usable id.
fn secrets_page(p: models::ListSecretPropertiesResult) -> VaultEventKind {
    let items = p
        .value
        .iter()
        .filter_map(|i| keep(convert::from_properties(i)));
    VaultEventKind::SecretsPage(items.collect())
}

pub(crate) async fn run(
    s: &Shared,
    id: ReqId,
    cmd: VaultCmd,
) -> Result<VaultEventKind, VaultError> {
    let c = &s.client;
    match cmd {
        VaultCmd::ListSecrets => {
            let opts = SecretClientListSecretPropertiesOptions {
                maxresults: s.cfg.page_size,
                ..Default::default()
            };
            let pager = c
                .list_secret_properties(Some(opts))
                .map_err(|e| classify(&e, Op::List, &s.host))?;
            list(s, id, Op::List, pager.into_pages(), secrets_page).await
        }
        VaultCmd::ListVersions { name } => {
            let opts = SecretClientListSecretPropertiesVersionsOptions {
                maxresults: s.cfg.page_size,
                ..Default::default()
            };
            let pager = c
                .list_secret_properties_versions(name.as_str(), Some(opts))
                .map_err(|e| classify(&e, Op::ListVersions, &s.host))?;
            list(s, id, Op::ListVersions, pager.into_pages(), secrets_page).await
        }
        VaultCmd::ListDeleted => {
            let opts = SecretClientListDeletedSecretPropertiesOptions {
                maxresults: s.cfg.page_size,
                ..Default::default()
            };
            let pager = c
                .list_deleted_secret_properties(Some(opts))
                .map_err(|e| classify(&e, Op::ListDeleted, &s.host))?;
            list(
                s,
                id,
                Op::ListDeleted,
                pager.into_pages(),
                |p: models::ListDeletedSecretPropertiesResult| {
                    let items = p
                        .value
                        .iter()
                        .filter_map(|i| keep(convert::from_deleted_properties(i)));
                    VaultEventKind::DeletedPage(items.collect())
                },
            )
            .await
        }
        VaultCmd::Get { name, version } => {
            let secret_version = version.map(check_version).transpose()?;
            let opts = SecretClientGetSecretOptions {
                secret_version,
                ..Default::default()
            };
            let rsp = call(s, Op::Get, c.get_secret(name.as_str(), Some(opts))).await?;
            let model = rsp
                .into_model()
                .map_err(|e| classify(&e, Op::Get, &s.host))?;
            Ok(VaultEventKind::Secret(Box::new(convert::from_secret(
                model,
            )?)))
        }
        VaultCmd::Set(new) => {
            let body: RequestContent<models::SetSecretParameters> = convert::set_parameters(&new)
                .try_into()
                .map_err(|e| classify(&e, Op::Set, &s.host))?;
            let rsp = call(s, Op::Set, c.set_secret(new.name.as_str(), body, None)).await?;
            props(s, Op::Set, rsp)
        }
        VaultCmd::UpdateProps {
            name,
            version,
            update,
        } => {
            let secret_version = version.map(check_version).transpose()?;
            let json = convert::update_body(&update).to_string();
            let body: RequestContent<models::UpdateSecretPropertiesParameters> =
                RequestContent::from(json.into_bytes());
            let opts = SecretClientUpdateSecretPropertiesOptions {
                secret_version,
                ..Default::default()
            };
            let fut = c.update_secret_properties(name.as_str(), body, Some(opts));
            let rsp = call(s, Op::Update, fut).await?;
            props(s, Op::Update, rsp)
        }
        VaultCmd::Delete { name } => {
            let rsp = call(s, Op::Delete, c.delete_secret(name.as_str(), None)).await?;
            let model = rsp
                .into_model()
                .map_err(|e| classify(&e, Op::Delete, &s.host))?;
            Ok(VaultEventKind::Deleted(Box::new(convert::from_deleted(
                &model,
            )?)))
        }
        VaultCmd::GetDeleted { name } => {
            let rsp = call(s, Op::GetDeleted, c.get_deleted_secret(name.as_str(), None)).await?;
            let model = rsp
                .into_model()
                .map_err(|e| classify(&e, Op::GetDeleted, &s.host))?;
            Ok(VaultEventKind::Deleted(Box::new(convert::from_deleted(
                &model,
            )?)))
        }
        VaultCmd::Recover { name } => {
            let rsp = call(
                s,
                Op::Recover,
                c.recover_deleted_secret(name.as_str(), None),
            )
            .await?;
            props(s, Op::Recover, rsp)
        }
        VaultCmd::Purge { name } => {
            call(s, Op::Purge, c.purge_deleted_secret(name.as_str(), None)).await?;
            Ok(VaultEventKind::Purged)
        }
        VaultCmd::Backup { name, path } => {
            let rsp = call(s, Op::Backup, c.backup_secret(name.as_str(), None)).await?;
            let blob = rsp
                .into_model()
                .map_err(|e| classify(&e, Op::Backup, &s.host))?
                .value
                .ok_or_else(|| {
                    VaultError::new(ErrorKind::Other, "the vault returned an empty backup")
                })?;
            write_private(&path, &blob).await.map_err(|e| {
                VaultError::new(
                    ErrorKind::Other,
                    format!("could not write the backup to {}: {e}", path.display()),
                )
            })?;
            Ok(VaultEventKind::BackedUp { path })
        }
        VaultCmd::Restore { path } => {
            let blob = read_backup(&path).await?;
            let params = models::RestoreSecretParameters {
                secret_backup: Some(blob),
            };
            let body: RequestContent<models::RestoreSecretParameters> = params
                .try_into()
                .map_err(|e| classify(&e, Op::Restore, &s.host))?;
            let rsp = call(s, Op::Restore, c.restore_secret(body, None)).await?;
            props(s, Op::Restore, rsp)
        }
    }
}

/// Awaits one SDK call with the request timeout, classifying any failure.
async fn call<T>(
    s: &Shared,
    op: Op,
    fut: impl Future<Output = azure_core::Result<T>>,
) -> Result<T, VaultError> {
    match tokio::time::timeout(s.cfg.request_timeout, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(classify(&e, op, &s.host)),
        Err(_) => Err(VaultError::timeout(op, &s.host, s.cfg.request_timeout)),
    }
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
    St: Stream<Item = azure_core::Result<azure_core::http::Response<P>>>,
    P: serde::de::DeserializeOwned,
{
    let mut pages = std::pin::pin!(pages);
    let mut count = 0usize;
    loop {
        let page = match tokio::time::timeout(s.cfg.request_timeout, pages.next()).await {
            Err(_) => return Err(VaultError::timeout(op, &s.host, s.cfg.request_timeout)),
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(classify(&e, op, &s.host)),
            Ok(Some(Ok(page))) => page,
        };
        let model = page.into_model().map_err(|e| classify(&e, op, &s.host))?;
        let event = to_event(model);
        count += match &event {
            VaultEventKind::SecretsPage(v) => v.len(),
            VaultEventKind::DeletedPage(v) => v.len(),
            _ => 0,
        };
        s.emit(id, event).await;
    }
    Ok(VaultEventKind::ListDone { count })
}

fn props(
    s: &Shared,
    op: Op,
    rsp: azure_core::http::Response<models::Secret>,
) -> Result<VaultEventKind, VaultError> {
    let model = rsp.into_model().map_err(|e| classify(&e, op, &s.host))?;
    Ok(VaultEventKind::Props(Box::new(convert::props_of_secret(
        &model,
    )?)))
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

/// Writes a backup readable by its owner only (0600), replacing any old file.
async fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut o = tokio::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    o.mode(0o600);
    let mut f = o.open(path).await?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // An existing file keeps its old mode through `open`; tighten it.
        f.set_permissions(std::fs::Permissions::from_mode(0o600))
            .await?;
    }
    f.write_all(bytes).await?;
    f.sync_all().await
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
        assert!(write_private(&path, b"blob").await.is_ok());
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
