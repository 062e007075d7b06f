//! The SDK side of a comparison: both listings at once, then the values of the
//! names both vaults hold, at most [`PER_VAULT`] requests at once per vault,
//! 429s waited out (the scripting call layer's `call_patiently`). Each value
//! is hashed as it arrives and dropped (zeroized) at once.

use std::sync::atomic::{AtomicUsize, Ordering};

use azure_security_keyvault_secrets::models::SecretClientListSecretPropertiesVersionsOptions;
use futures::StreamExt;

use super::compare::{CompareOptions, Listing, Row, pair, settle};
use super::hash::{ValueDigest, ValueHasher};
use crate::script::conn::Api;
use crate::script::exit::ScriptError;
use crate::script::list::{PAGE_SIZE, each_deleted_page, each_page, get};
use crate::vault::error::{Op, classify};
use crate::vault::{ErrorKind, SecretName, SecretProps, VaultError, convert};

/// Requests at once per vault: well under Key Vault's throttling limits.
pub const PER_VAULT: usize = 8;

/// How far a run has got, for a progress line; updated from the tasks.
#[derive(Debug, Default)]
pub struct Progress {
    pub listed: AtomicUsize,
    pub values_wanted: AtomicUsize,
    pub values_read: AtomicUsize,
}

impl Progress {
    /// `listed 2,400 · values 130/1,000`.
    pub fn line(&self) -> String {
        let listed = self.listed.load(Ordering::Relaxed);
        let wanted = self.values_wanted.load(Ordering::Relaxed);
        let read = self.values_read.load(Ordering::Relaxed);
        if wanted == 0 {
            format!("listed {listed} secrets")
        } else {
            format!("listed {listed} secrets · values {read}/{wanted}")
        }
    }
}

/// Both listings: the source's live secrets, the target's live and deleted ones.
pub async fn listing(
    source: &Api<'_>,
    target: &Api<'_>,
    progress: &Progress,
) -> Result<Listing, ScriptError> {
    let live = |api| {
        let mut all = Vec::new();
        async move {
            each_page(api, |page| {
                progress.listed.fetch_add(page.len(), Ordering::Relaxed);
                all.extend(page);
                Ok(true)
            })
            .await
            .map(|()| all)
        }
    };
    let deleted = async {
        let mut all = Vec::new();
        each_deleted_page(target, |page| {
            all.extend(page);
            Ok(true)
        })
        .await
        .map(|()| all)
    };
    let (s, t, d) = futures::join!(live(source), live(target), deleted);
    Ok(Listing {
        source: s?,
        target: t?,
        target_deleted: d?,
    })
}

/// The latest version of `names` in one vault, value hashed and dropped:
/// `Ok(None)` for a disabled one (its value cannot be read).
async fn digests(
    api: &Api<'_>,
    names: Vec<(usize, SecretName)>,
    hasher: &ValueHasher,
    progress: &Progress,
) -> Vec<(
    usize,
    Result<Option<(SecretProps, ValueDigest)>, VaultError>,
)> {
    futures::stream::iter(names)
        .map(|(i, name)| async move {
            let got = match get(api, &name, None).await {
                Ok(secret) => Ok(Some((secret.props.clone(), hasher.digest(&secret.value)))),
                Err(e) if e.kind == ErrorKind::Disabled => Ok(None),
                Err(e) => Err(e),
            };
            progress.values_read.fetch_add(1, Ordering::Relaxed);
            (i, got)
        })
        .buffer_unordered(PER_VAULT)
        .collect()
        .await
}

/// One side's read of a row: not read, disabled, or its version and digest.
type Read = Option<Option<(SecretProps, ValueDigest)>>;

/// Compares two vaults: listings, pairing, then values (unless
/// `--metadata-only`). Rows carry the versioned properties of every value read.
pub async fn compare(
    source: &Api<'_>,
    target: &Api<'_>,
    opts: &CompareOptions,
    progress: &Progress,
) -> Result<Vec<Row>, ScriptError> {
    let listing = listing(source, target, progress).await?;
    let mut rows = pair(listing, opts);
    let wanted: Vec<usize> = (0..rows.len()).filter(|i| rows[*i].needs_values).collect();
    if wanted.is_empty() {
        return Ok(rows);
    }
    progress
        .values_wanted
        .store(2 * wanted.len(), Ordering::Relaxed);
    let hasher = ValueHasher::new();
    let src_names = wanted.iter().map(|i| (*i, rows[*i].name.clone())).collect();
    let tgt_names = wanted
        .iter()
        .map(|i| (*i, rows[*i].target_name.clone()))
        .collect();
    let (src, tgt) = futures::join!(
        digests(source, src_names, &hasher, progress),
        digests(target, tgt_names, &hasher, progress)
    );
    let mut sides: Vec<[Read; 2]> = vec![[None, None]; rows.len()];
    for (side, results) in [src, tgt].into_iter().enumerate() {
        for (i, r) in results {
            match r {
                Ok(v) => sides[i][side] = Some(v),
                Err(e) => return Err(read_failure(e)),
            }
        }
    }
    for i in wanted {
        let [s, t] = std::mem::take(&mut sides[i]);
        let row = &mut rows[i];
        match (s.flatten(), t.flatten()) {
            (Some((sp, sd)), Some((tp, td))) => {
                row.source = Some(sp);
                row.target = Some(tp);
                settle(row, Some((sd, td)));
            }
            _ => settle(row, None),
        }
    }
    Ok(rows)
}

/// A value that could not be read fails the run; a refusal says how to compare
/// without values.
fn read_failure(e: VaultError) -> ScriptError {
    if matches!(e.kind, ErrorKind::Forbidden) {
        let e = e.with_hint(
            "Comparing values needs permission to read them (get); --metadata-only compares the properties alone.",
        );
        return ScriptError::Vault(e);
    }
    ScriptError::Vault(e)
}

/// The current version's properties of `name`, `None` when there is none:
/// a get, or for a disabled secret (whose value cannot be read) the newest of
/// its versions.
pub async fn current(api: &Api<'_>, name: &SecretName) -> Result<Option<SecretProps>, VaultError> {
    match get(api, name, None).await {
        Ok(s) => Ok(Some(s.props.clone())),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) if e.kind == ErrorKind::Disabled => newest_version(api, name).await,
        Err(e) => Err(e),
    }
}

async fn newest_version(
    api: &Api<'_>,
    name: &SecretName,
) -> Result<Option<SecretProps>, VaultError> {
    let opts = SecretClientListSecretPropertiesVersionsOptions {
        maxresults: Some(PAGE_SIZE),
        ..Default::default()
    };
    let pager = api
        .client
        .list_secret_properties_versions(name.as_str(), Some(opts))
        .map_err(|e| classify(&e, Op::ListVersions, &api.host))?;
    let mut pages = std::pin::pin!(pager.into_pages());
    let mut newest: Option<SecretProps> = None;
    while let Some(page) = api
        .call(Op::ListVersions, async { pages.next().await.transpose() })
        .await?
    {
        let model = page
            .into_model()
            .map_err(|e| classify(&e, Op::ListVersions, &api.host))?;
        for p in model
            .value
            .iter()
            .filter_map(|i| convert::from_properties(i).ok())
        {
            if newest.as_ref().is_none_or(|n| p.created > n.created) {
                newest = Some(p);
            }
        }
    }
    Ok(newest)
}
