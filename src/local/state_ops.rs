//! `kvtui state export|import` on a data dir, and `serve --import-state`.

use std::path::Path;

use secrecy::SecretString;

use super::state::{self, STATE_FORMAT, STATE_VERSION, StateFile};
use super::store::Store;
use super::{LocalError, crypto, dirlock, fsutil};

/// What an export or import covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateSummary {
    pub vaults: usize,
    pub secrets: usize,
    pub versions: usize,
}

fn summary(vaults: &[state::VaultState]) -> StateSummary {
    StateSummary {
        vaults: vaults.len(),
        secrets: vaults.iter().map(|v| v.secrets.len()).sum(),
        versions: vaults
            .iter()
            .flat_map(|v| &v.secrets)
            .map(|s| s.versions.len())
            .sum(),
    }
}

/// The snapshot of the data dir `dir` as JSON, values sealed with
/// `passphrase` (plain when `None`). Reads alongside a running service: one
/// read of a WAL database is a consistent view.
pub fn export_state(
    dir: &Path,
    passphrase: Option<&SecretString>,
    now: i64,
) -> Result<(zeroize::Zeroizing<Vec<u8>>, StateSummary), LocalError> {
    if !dir.join(super::store::DB_FILE).exists() {
        return Err(LocalError::State(format!(
            "{} holds no vault.db to export",
            dir.display()
        )));
    }
    let sealer = crypto::Sealer::load(dir)?
        .ok_or_else(|| LocalError::KeyMissing(dir.join(crypto::KEY_FILE)))?;
    let store = Store::open(Some(dir), sealer, 90)?;
    let vaults = store.snapshot()?;
    let done = summary(&vaults);
    let mut file = StateFile {
        format: STATE_FORMAT.into(),
        version: STATE_VERSION,
        exported: now,
        encryption: None,
        vaults,
    };
    state::seal_file(&mut file, passphrase)?;
    let bytes = serde_json::to_vec_pretty(&file).map_err(|e| LocalError::State(e.to_string()))?;
    Ok((zeroize::Zeroizing::new(bytes), done))
}

/// Loads the snapshot at `path` into `store`, refusing a store that holds
/// secrets unless `replace`.
pub(super) fn load_into(
    store: &mut Store,
    path: &Path,
    passphrase: Option<&SecretString>,
    replace: bool,
) -> Result<StateSummary, LocalError> {
    let bytes = state::read_file(path)?;
    let file = state::parse_file(&bytes, passphrase)?;
    if !replace && !store.holds_no_secret()? {
        return Err(LocalError::State(
            "the data dir already holds secrets: import into an empty one, or pass --replace to \
             drop everything it holds first"
                .into(),
        ));
    }
    store.load_snapshot(&file.vaults, replace)?;
    Ok(summary(&file.vaults))
}

/// `kvtui state import`: into a data dir no service holds.
pub fn import_state(
    dir: &Path,
    path: &Path,
    passphrase: Option<&SecretString>,
    replace: bool,
) -> Result<StateSummary, LocalError> {
    fsutil::check_data_dir(dir)?;
    let _lock = dirlock::DirLock::acquire(dir, false)?;
    let sealer = super::load_sealer(dir)?;
    let mut store = Store::open(Some(dir), sealer, 90)?;
    load_into(&mut store, path, passphrase, replace)
}
