//! What `update` asks of the world outside the model. `update` returns these
//! and never performs them; the runtime (`crate::runtime`) carries them out
//! and feeds any answer back as a `Msg`.

use std::path::PathBuf;

use super::lists::cached::CachedLists;
use super::model::Clip;
use crate::vault::WorkerInput;

/// Why a request was not handed over: its worker's queue was full (a bulk
/// action queues it again).
pub const WORKER_BUSY: &str = "the vault worker is busy; try again";

/// One side effect, in the order `update` asked for it.
#[derive(Debug)]
pub enum Effect {
    /// Hand `input` to the worker of vault `route` (an index into the picker's
    /// vaults). A send that fails comes back as `Msg::SendFailed`.
    Vault { route: usize, input: WorkerInput },
    /// Edit a value in the user's editor (a private file, removed after);
    /// the text comes back as `Msg::Edited`.
    EditValue(secrecy::SecretString),
    /// Read the value file a form names; the result comes back as `Msg::FileRead`.
    ReadValueFile(PathBuf),
    /// Put text on the clipboard; a value is cleared after a while.
    Copy(Clip),
    /// Turn the terminal's mouse reporting on (clicks reach kvtui) or off
    /// (the terminal selects text).
    MouseCapture(bool),
    /// Write the (empty) marker file that keeps the first-run line hidden.
    RememberWelcomeDismissed(PathBuf),
    /// Read the list cache of vault `route`; the lists come back as
    /// `Msg::CacheLoaded`.
    LoadCache { route: usize },
    /// Read the cached secret lists of vaults not open, by URL, for `F`;
    /// `Msg::OtherCachesLoaded` follows.
    LoadOtherCaches { urls: Vec<String> },
    /// Replace the list cache of vault `route` (metadata only, no value).
    SaveCache { route: usize, lists: CachedLists },
    /// Leave: clear a copied value and give the terminal back.
    Quit,
    /// Search for vaults through Resource Manager, in `tenant` only when set
    /// (a token of that tenant); reports come back as `Msg::Discovery`.
    Discover { tenant: Option<String> },
    /// The same search of Azure's Resource Manager, beside the local vaults';
    /// reports come back as `Msg::AzureDiscovery`.
    DiscoverAzure { tenant: Option<String> },
    /// Open the vault at `url` with its own worker; `Msg::VaultOpened` or
    /// `Msg::VaultOpenFailed` follows.
    OpenVault { url: String },
    /// Remember recent and discovered vaults (names and URLs only) for the next run.
    SaveVaultCache(super::picker::vault_cache::VaultCache),
    /// Run the access doctor on the vault at `url`; `Msg::Doctor` follows.
    Doctor { url: String },
    /// Compare two vaults or copy between them; `Msg::Across` reports follow.
    Across(super::across::AcrossJob),
}

/// The requests among `effects`, for tests and for logging.
pub fn requests(effects: &[Effect]) -> Vec<&crate::vault::VaultRequest> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Vault {
                input: WorkerInput::Run(req),
                ..
            } => Some(req),
            _ => None,
        })
        .collect()
}
