//! Versions in batches, and the version count a backup must stay under.
//!
//! A secret rotated every few minutes has tens of thousands of versions, so the
//! list stops after a batch with the service's next link; the UI asks for the
//! next batch (`MoreVersions`) only when the user scrolls near the end.

use azure_core::http::pager::{PagerContinuation, PagerOptions};
use azure_security_keyvault_secrets::models::SecretClientListSecretPropertiesVersionsOptions;
use futures::StreamExt;

use super::commands::{classified, model, secrets_page};
use super::error::{ErrorKind, Op, VaultError};
use super::messages::{ReqId, VaultEventKind};
use super::types::SecretName;
use super::worker::Shared;
use crate::kv_facts::MAX_BACKUP_VERSIONS;

/// Versions per batch: a few screens' worth (four pages of 25).
pub(crate) const VERSIONS_BATCH: usize = 100;

/// Streams one batch of versions, from the start or from `resume`; ends with
/// `ListPaused` when the service has more, `ListDone` when it has not.
pub(super) async fn list_versions(
    s: &Shared,
    id: ReqId,
    name: &SecretName,
    resume: Option<String>,
) -> Result<VaultEventKind, VaultError> {
    let continuation = resume.map(|r| resume_link(s, &r)).transpose()?;
    let opts = SecretClientListSecretPropertiesVersionsOptions {
        maxresults: s.cfg.page_size,
        method_options: PagerOptions {
            continuation,
            ..Default::default()
        },
    };
    let pager = s
        .client
        .list_secret_properties_versions(name.as_str(), Some(opts))
        .map_err(classified(s, Op::ListVersions))?;
    let mut pages = pager.into_pages();
    let mut count = 0usize;
    loop {
        let Some(page) = next_page(s, Op::ListVersions, &mut pages).await? else {
            break;
        };
        let event = secrets_page(model(s, Op::ListVersions, page)?);
        if let VaultEventKind::SecretsPage(items) = &event {
            count += items.len();
        }
        s.emit(id, event).await;
        if count >= VERSIONS_BATCH
            && let Some(next) = pages.continuation()
        {
            return Ok(VaultEventKind::ListPaused {
                count,
                resume: next.to_string(),
            });
        }
    }
    Ok(VaultEventKind::ListDone { count })
}

/// The next page within the request timeout; `None` after the last.
async fn next_page<T>(
    s: &Shared,
    op: Op,
    pages: &mut (impl futures::Stream<Item = azure_core::Result<T>> + Unpin),
) -> Result<Option<T>, VaultError> {
    match tokio::time::timeout(s.cfg.request_timeout, pages.next()).await {
        Err(_) => Err(VaultError::timeout(op, &s.host, s.cfg.request_timeout)),
        Ok(None) => Ok(None),
        Ok(Some(Err(e))) => Err(classified(s, op)(e)),
        Ok(Some(Ok(page))) => Ok(Some(page)),
    }
}

/// A resume link goes back to the vault this worker talks to, and nowhere else.
fn resume_link(s: &Shared, resume: &str) -> Result<PagerContinuation, VaultError> {
    let bad = || {
        VaultError::new(
            ErrorKind::InvalidInput,
            "the versions list cannot continue: its next link does not point at this vault",
        )
    };
    let url: azure_core::http::Url = resume.parse().map_err(|_| bad())?;
    let endpoint = s.client.endpoint();
    let same = url.scheme() == endpoint.scheme()
        && url.host_str() == endpoint.host_str()
        && url.port_or_known_default() == endpoint.port_or_known_default();
    if same {
        Ok(PagerContinuation::Link(url))
    } else {
        Err(bad())
    }
}

/// Key Vault refuses to back up a secret with more than 500 versions; count
/// them first (stopping at 501) so the user learns why before anything is sent.
pub(super) async fn check_backup_size(s: &Shared, name: &SecretName) -> Result<(), VaultError> {
    let opts = SecretClientListSecretPropertiesVersionsOptions {
        maxresults: s.cfg.page_size,
        ..Default::default()
    };
    let pager = s
        .client
        .list_secret_properties_versions(name.as_str(), Some(opts))
        .map_err(classified(s, Op::Backup))?;
    let mut pages = pager.into_pages();
    let mut count = 0usize;
    loop {
        let Some(page) = next_page(s, Op::Backup, &mut pages).await? else {
            return Ok(());
        };
        count += model(s, Op::Backup, page)?.value.len();
        if count > MAX_BACKUP_VERSIONS {
            return Err(too_many_versions(name));
        }
    }
}

/// Key Vault's reason, in its documentation's words.
fn too_many_versions(name: &SecretName) -> VaultError {
    VaultError::new(
        ErrorKind::InvalidInput,
        format!(
            "{name} has more than {MAX_BACKUP_VERSIONS} versions: Key Vault does not back up \
             a secret with more than {MAX_BACKUP_VERSIONS} versions"
        ),
    )
    .with_hint(
        "old versions cannot be deleted; to keep a copy, export the value or copy it to a new secret",
    )
}
