//! Several vaults: the picker switches between them and each keeps its loaded
//! lists. Requests remember which vault they went to, so the run loop can
//! route them; switching cancels what was in flight on the old vault.

use time::OffsetDateTime;

use super::effect::Effect;
use super::model::Model;
use super::rows::Rows;
use super::update::refresh;
use crate::vault::{DeletedSecret, ReqId, SecretProps};

/// A vault the picker offers, with its lists while another vault is shown.
#[derive(Debug, Default)]
pub struct VaultSlot {
    pub label: String,
    pub is_local: bool,
    pub secrets: Rows<SecretProps>,
    pub deleted: Rows<DeletedSecret>,
    pub last_refresh: Option<OffsetDateTime>,
}

impl VaultSlot {
    pub fn new(label: impl Into<String>, is_local: bool) -> Self {
        Self {
            label: label.into(),
            is_local,
            ..Self::default()
        }
    }
}

impl Model {
    /// Offers another vault in the picker (the run loop holds its worker).
    pub fn add_vault(&mut self, label: impl Into<String>, is_local: bool) {
        self.vaults.push(VaultSlot::new(label, is_local));
    }

    /// Shows vault `index`: stops what runs on the current one, parks its
    /// lists, brings the other's back and loads them the first time.
    pub(crate) fn switch_vault(&mut self, fx: &mut Vec<Effect>, index: usize) {
        if index == self.active_vault || index >= self.vaults.len() {
            return;
        }
        // Reads on the old vault stop; writes still land and are applied.
        let reads: Vec<ReqId> = self
            .pending
            .iter()
            .filter(|(_, o)| !o.what.is_write())
            .map(|(id, _)| *id)
            .collect();
        for id in reads {
            self.cancel(fx, id);
        }
        self.overlays.clear();
        self.details = None;
        self.filter_input = None;
        self.bulk = None;
        self.progress = None;
        if self.secrets.loading.is_some() || self.deleted.loading.is_some() {
            // A listing cut short must be redone on return.
            self.secrets.stop_loading();
            self.deleted.stop_loading();
            self.secrets.loaded = false;
        }
        let old = &mut self.vaults[self.active_vault];
        std::mem::swap(&mut old.secrets, &mut self.secrets);
        std::mem::swap(&mut old.deleted, &mut self.deleted);
        std::mem::swap(&mut old.last_refresh, &mut self.last_refresh);
        self.active_vault = index;
        let new = &mut self.vaults[index];
        std::mem::swap(&mut new.secrets, &mut self.secrets);
        std::mem::swap(&mut new.deleted, &mut self.deleted);
        std::mem::swap(&mut new.last_refresh, &mut self.last_refresh);
        self.vault_label = new.label.clone();
        self.is_local = new.is_local;
        if !self.secrets.loaded {
            refresh(self, fx);
        }
        let label = self.vault_label.clone();
        self.toast(format!("switched to {label}"), false);
    }
}
