//! What real vaults refuse before it is asked: a certificate's secret changes
//! only through its certificate, and a purge-protected vault purges deleted
//! secrets itself, at their scheduled date. The UI says so instead of sending
//! a request that must fail.

use super::model::Model;
use crate::vault::{DeletedSecret, SecretName, SecretProps};

/// Why a certificate-backed secret is read-only here.
pub fn managed_explanation(name: &str) -> String {
    format!(
        "{name} belongs to a certificate (managed, with a kid): change it through the certificate (`az keyvault certificate`), not as a secret"
    )
}

/// Whether a deleted secret can be purged: its recovery level says `Purgeable`
/// (an unknown level is let through; the vault decides).
pub fn purgeable(d: &DeletedSecret) -> bool {
    d.props
        .recovery_level
        .as_deref()
        .is_none_or(|level| level.contains("Purgeable"))
}

/// "purge protection is on: Key Vault purges db-password itself in 12 days (2026-12-10)".
pub fn purge_protected_explanation(model: &Model, d: &DeletedSecret) -> String {
    let when = match d.scheduled_purge_date {
        Some(at) => format!(
            " in {} days ({})",
            super::format::days_until(model.now, at),
            model.zone.date(Some(at))
        ),
        None => " at the end of its retention".to_owned(),
    };
    format!(
        "purge protection is on for this vault: Key Vault purges {} itself{when}; it can only be recovered until then",
        d.props.name
    )
}

impl Model {
    /// Refuses a change to a certificate-backed secret with the reason; true when refused.
    pub(crate) fn refuse_if_managed(&mut self, props: &SecretProps) -> bool {
        if props.managed {
            self.toast(managed_explanation(&props.name), true);
        }
        props.managed
    }

    /// The first of `names` that a certificate owns, among the live secrets.
    pub(crate) fn refuse_if_any_managed(&mut self, names: &[SecretName]) -> bool {
        let owned = names.iter().find_map(|n| {
            self.secrets()
                .find(n.as_str())
                .filter(|p| p.managed)
                .cloned()
        });
        match owned {
            Some(props) => self.refuse_if_managed(&props),
            None => false,
        }
    }

    /// Refuses to purge when a target's vault is purge-protected; true when refused.
    pub(crate) fn refuse_if_purge_protected(&mut self, names: &[SecretName]) -> bool {
        let blocked = names.iter().find_map(|n| {
            self.deleted()
                .find(n.as_str())
                .filter(|d| !purgeable(d))
                .cloned()
        });
        match blocked {
            Some(d) => {
                let text = purge_protected_explanation(self, &d);
                self.toast(text, true);
                true
            }
            None => false,
        }
    }

    /// Shows or hides certificate-backed secrets in every vault's lists.
    pub(crate) fn toggle_managed(&mut self) {
        let hide = !self.secrets().hide_managed;
        for slot in &mut self.vaults {
            slot.secrets.set_hide_managed(hide);
            slot.deleted.set_hide_managed(hide);
            slot.expiring.set_hide_managed(hide);
        }
        let text = if hide {
            "certificate-backed secrets hidden (C shows them)"
        } else {
            "certificate-backed secrets shown, marked c; they are read-only here"
        };
        self.toast(text, false);
    }
}
