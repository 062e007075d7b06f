//! Several vaults: each slot owns its lists and the picker shows another
//! slot. Requests remember which vault they went to, so the runtime can route
//! them; switching cancels the reads in flight on the old vault.

use time::OffsetDateTime;

use super::effect::Effect;
use super::lists::cache_sync::open_lists;
use super::lists::rows::Rows;
use super::model::Model;
use crate::vault::{Access, DeletedSecret, ReqId, SecretProps};

/// A vault the picker offers, with its own lists: switching shows another
/// slot, nothing is moved.
#[derive(Debug, Default)]
pub struct VaultSlot {
    pub label: String,
    pub is_local: bool,
    pub secrets: Rows<SecretProps>,
    pub deleted: Rows<DeletedSecret>,
    /// The Expiring view's rows, rebuilt when the secrets change.
    pub expiring: Rows<SecretProps>,
    /// The secrets' generation `expiring` was built from.
    pub(crate) expiring_from: Option<u64>,
    pub last_refresh: Option<OffsetDateTime>,
    /// The Expiring view also lists enabled secrets with no expiry date.
    pub no_expiry: bool,
    /// Whether this vault's lists are kept in the list cache.
    pub cache: bool,
    /// The cache was asked for (once, at the first open).
    pub(crate) cache_asked: bool,
    /// Generations of the lists last saved to, or read from, the cache.
    pub(crate) cache_saved: Option<(u64, u64)>,
}

impl VaultSlot {
    pub fn new(label: impl Into<String>, is_local: bool) -> Self {
        Self {
            label: label.into(),
            is_local,
            ..Self::default()
        }
    }

    /// Rebuilds the Expiring rows once a listing ends (not per page) and
    /// after each change to the secrets.
    pub(crate) fn sync_expiring(&mut self, now: OffsetDateTime, days: i64) {
        let generation = self.secrets.generation();
        // Cached rows count as listed until the refresh ends.
        let listed = self.secrets.loading.is_none()
            || (self.secrets.cached_at.is_some() && self.expiring_from.is_none());
        if listed && self.expiring_from != Some(generation) {
            self.expiring_from = Some(generation);
            self.rebuild_expiring(now + time::Duration::days(days));
        }
        // The Expiring view is as stale, partial or loading as the list it
        // comes from: "nothing expires" is said only of a complete list.
        if self.expiring.failure != self.secrets.failure {
            self.expiring.failure.clone_from(&self.secrets.failure);
        }
        self.expiring.partial = self.secrets.partial;
        self.expiring.loading = self.secrets.loading;
        self.expiring.load_started = self.secrets.load_started;
        self.expiring.loaded_at = self.secrets.loaded_at;
    }

    /// Expired or expiring before `horizon` (and enabled without an expiry,
    /// when asked); soonest first, keeping the filter and the selected secret.
    fn rebuild_expiring(&mut self, horizon: OffsetDateTime) {
        let no_expiry = self.no_expiry;
        let wanted = |p: &&SecretProps| match p.expires {
            Some(expires) => expires <= horizon,
            None => no_expiry && p.enabled,
        };
        let keep = self.expiring.selected_item().map(|p| p.name.clone());
        let mut rows = Rows::default();
        rows.sort = super::lists::rows::SortKey::Expires;
        rows.hide_managed = self.secrets.hide_managed;
        rows.filter = std::mem::take(&mut self.expiring.filter);
        rows.push_page(self.secrets.items.iter().filter(wanted).cloned().collect());
        rows.finish_load();
        if let Some(name) = keep
            && let Some(i) = rows
                .visible
                .iter()
                .position(|&i| rows.items[i].name == name)
        {
            rows.selected = i;
        }
        self.expiring = rows;
    }
}

impl Model {
    /// Offers another vault in the picker (the run loop holds its worker).
    pub fn add_vault(&mut self, label: impl Into<String>, is_local: bool) {
        self.vaults.push(VaultSlot::new(label, is_local));
    }

    /// Keeps the lists of vault `route` in the list cache.
    pub fn use_cache(&mut self, route: usize) {
        if let Some(slot) = self.vaults.get_mut(route) {
            slot.cache = true;
        }
    }

    /// `E`: the Expiring tab lists enabled secrets with no expiry date too,
    /// or again only the expired and expiring ones.
    pub(crate) fn toggle_no_expiry(&mut self) {
        let on = !self.slot().no_expiry;
        for slot in &mut self.vaults {
            slot.no_expiry = on;
            slot.expiring_from = None;
        }
        let text = if on {
            "Expiring lists secrets with no expiry date too (E hides them)"
        } else {
            "Expiring lists only expired and expiring secrets (E adds those with no expiry)"
        };
        self.toast(text, false);
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
            .filter(|(_, o)| o.access == Access::Read)
            .map(|(id, _)| *id)
            .collect();
        for id in reads {
            self.cancel(fx, id);
        }
        self.overlays.clear();
        self.details = None;
        self.filter_input = None;
        self.progress = None;
        let old = self.slot_mut();
        if old.secrets.loading.is_some() || old.deleted.loading.is_some() {
            // A listing cut short must be redone on return.
            old.secrets.stop_loading();
            old.deleted.stop_loading();
            old.secrets.loaded = false;
        }
        self.active_vault = index;
        if !self.secrets().loaded {
            open_lists(self, fx);
        }
        let label = self.vault_label().to_owned();
        self.toast(format!("switched to {label}"), false);
    }
}

#[cfg(test)]
mod tests {
    use super::super::keymap::Keymap;
    use super::super::model::Pending;
    use super::*;
    use crate::vault::{NewSecret, SecretName, VaultCmd};

    /// What a request is (read or write) comes from its command, whatever
    /// the app calls it: the read stops on a switch, the write lands.
    #[test]
    fn a_switch_stops_reads_and_keeps_writes() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let mut model = Model::new("one", true, Keymap::default_keymap(), now);
        model.add_vault("two", true);
        let name = SecretName::parse("a").expect("name");
        let mut fx = Vec::new();
        let read = model.send(
            &mut fx,
            VaultCmd::Get {
                name: name.clone(),
                version: None,
            },
            Pending::Value,
        );
        let secret = NewSecret {
            name,
            value: secrecy::SecretString::from("v".to_owned()),
            content_type: None,
            tags: Default::default(),
            enabled: true,
            not_before: None,
            expires: None,
        };
        let write = model.send(
            &mut fx,
            VaultCmd::Set(secret.clone()),
            Pending::Create { secret },
        );
        model.switch_vault(&mut fx, 1);
        assert!(!model.pending.contains_key(&read), "the read stopped");
        assert!(model.pending.contains_key(&write), "the write still lands");
    }
}
