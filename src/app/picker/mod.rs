//! The vault picker: the open vaults, the config's, and the vaults discovery
//! finds (by tenant and subscription, as they stream in). Typing filters;
//! Enter switches to an open vault or asks the runtime to open another.

pub mod vault_cache;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::effect::Effect;
use super::keymap::Action;
use super::model::{Model, Overlay};
use crate::vault::discovery::{DiscoveredVault, DiscoveryEvent, SubscriptionInfo, TenantInfo};

/// The picker's own state: what is typed and which row is chosen (an index
/// into the selectable rows that the filter leaves).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PickerState {
    pub filter: String,
    pub selected: usize,
}

/// Where discovery is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DiscoveryState {
    /// Not started in this run.
    #[default]
    Idle,
    Running,
    Done,
    /// Subscriptions could not be listed.
    Failed(String),
    /// No credential could get a token (the reason names each source).
    SignIn(String),
}

/// What the picker says where Azure needs a sign-in first.
pub const SIGN_IN_NOTE: &str =
    "Sign in to search Azure: run `az login` (or `azd auth login`), then Ctrl-R";

/// How far one subscription's vaults were read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubStatus {
    Listing,
    Done,
    Skipped(String),
}

/// One subscription and the vaults found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubEntry {
    pub info: SubscriptionInfo,
    pub vaults: Vec<DiscoveredVault>,
    pub status: SubStatus,
}

/// What discovery found so far.
#[derive(Debug, Clone, Default)]
pub struct Discovered {
    pub state: DiscoveryState,
    /// The endpoint searched ("https://management.azure.com"), set by the runtime.
    pub source: String,
    /// The endpoint is a local service: its vaults are the local vaults.
    pub local: bool,
    pub tenants: Vec<TenantInfo>,
    pub subscriptions: Vec<SubEntry>,
    /// What is shown came from the last run's cache (until a search answers).
    pub cached: bool,
    /// The tenant chosen in the picker; `None` searches the default one (`--tenant`).
    pub tenant: Option<String>,
}

impl Discovered {
    /// Applies one report of the discovery run.
    pub fn apply(&mut self, event: DiscoveryEvent) {
        match event {
            DiscoveryEvent::Tenants(t) => self.tenants = t,
            DiscoveryEvent::Subscriptions(subs) => {
                self.cached = false;
                self.subscriptions = subs
                    .into_iter()
                    .map(|info| SubEntry {
                        info,
                        vaults: Vec::new(),
                        status: SubStatus::Listing,
                    })
                    .collect();
            }
            DiscoveryEvent::Vaults {
                subscription_id,
                vaults,
            } => {
                if let Some(sub) = self.sub_mut(&subscription_id) {
                    sub.vaults.extend(vaults);
                }
            }
            DiscoveryEvent::SubscriptionDone { subscription_id } => {
                if let Some(sub) = self.sub_mut(&subscription_id) {
                    sub.status = SubStatus::Done;
                }
            }
            DiscoveryEvent::Skipped {
                subscription_id,
                reason,
            } => {
                if let Some(sub) = self.sub_mut(&subscription_id) {
                    sub.status = SubStatus::Skipped(reason);
                }
            }
            DiscoveryEvent::Failed(reason) => {
                self.cached = false;
                self.subscriptions.clear();
                self.state = DiscoveryState::Failed(reason)
            }
            DiscoveryEvent::SignInNeeded(reason) => {
                self.cached = false;
                self.subscriptions.clear();
                self.tenants.clear();
                self.state = DiscoveryState::SignIn(reason)
            }
            DiscoveryEvent::Done => {
                if self.state == DiscoveryState::Running {
                    self.state = DiscoveryState::Done;
                }
            }
        }
    }

    fn sub_mut(&mut self, id: &str) -> Option<&mut SubEntry> {
        self.subscriptions.iter_mut().find(|s| s.info.id == id)
    }

    /// The tenant's display name, else its id.
    pub fn tenant_name(&self, id: &str) -> String {
        self.tenants
            .iter()
            .find(|t| t.id == id)
            .and_then(|t| t.name.clone())
            .unwrap_or_else(|| id.to_owned())
    }

    /// Vaults found so far.
    pub fn vault_count(&self) -> usize {
        self.subscriptions.iter().map(|s| s.vaults.len()).sum()
    }
}

/// One row of the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerRow {
    /// A group title, with counts or state.
    Header(String),
    /// A vault already open: slot `index`.
    Open { index: usize, label: String },
    /// A vault to open by URL; `detail` says where it was found.
    Vault { url: String, detail: String },
    /// Information that cannot be chosen (a skipped subscription, a failure).
    Note(String),
    /// A tenant to search instead; `chosen` when it is the one searched;
    /// `azure` when it is the Azure group's (beside the local vaults).
    Tenant {
        id: String,
        name: String,
        chosen: bool,
        azure: bool,
    },
}

impl PickerRow {
    pub fn is_selectable(&self) -> bool {
        matches!(
            self,
            PickerRow::Open { .. } | PickerRow::Vault { .. } | PickerRow::Tenant { .. }
        )
    }
}

fn matches(filter: &str, texts: &[&str]) -> bool {
    let f = filter.to_lowercase();
    f.is_empty() || texts.iter().any(|t| t.to_lowercase().contains(&f))
}

/// Same vault: URLs compared without the trailing slash, case-insensitively;
/// a local service's bare `localhost` is its `default` vault.
pub(crate) fn same_url(a: &str, b: &str) -> bool {
    let canonical = |u: &str| {
        u.trim_end_matches('/').to_ascii_lowercase().replacen(
            "://default.localhost",
            "://localhost",
            1,
        )
    };
    canonical(a) == canonical(b)
}

/// The picker's rows for `filter`: open vaults, config and recent ones not
/// open, then discovered ones by tenant and subscription.
pub fn picker_rows(model: &Model, filter: &str) -> Vec<PickerRow> {
    let mut rows = vec![PickerRow::Header("Open".to_owned())];
    for (index, slot) in model.vaults.iter().enumerate() {
        if matches(filter, &[&slot.label]) {
            rows.push(PickerRow::Open {
                index,
                label: slot.label.clone(),
            });
        }
    }
    let is_open = |url: &str| model.vaults.iter().any(|s| same_url(&s.label, url));
    let pinned: Vec<&String> = model
        .pinned_vaults
        .iter()
        .filter(|u| !is_open(u) && matches(filter, &[u]))
        .collect();
    if !pinned.is_empty() {
        rows.push(PickerRow::Header("Pinned".to_owned()));
        rows.extend(pinned.into_iter().map(|u| PickerRow::Vault {
            url: u.clone(),
            detail: "pinned".to_owned(),
        }));
    }
    let is_pinned = |url: &str| model.pinned_vaults.iter().any(|p| same_url(p, url));
    let known: Vec<&String> = model
        .known_vaults
        .iter()
        .filter(|u| !is_open(u) && !is_pinned(u) && matches(filter, &[u]))
        .collect();
    if !known.is_empty() {
        rows.push(PickerRow::Header("Config and recent".to_owned()));
        rows.extend(known.into_iter().map(|u| PickerRow::Vault {
            url: u.clone(),
            detail: String::new(),
        }));
    }
    discovered_rows(model, filter, &is_open, &mut rows);
    rows
}

fn discovered_rows(
    model: &Model,
    filter: &str,
    is_open: &dyn Fn(&str) -> bool,
    rows: &mut Vec<PickerRow>,
) {
    if !model.discovery_available {
        return;
    }
    let d = &model.discovered;
    let title = if d.local { "Local vaults" } else { "Azure" };
    group_rows(d, title, false, filter, is_open, rows);
    if let Some(azure) = &model.azure_discovered {
        group_rows(azure, "Azure", true, filter, is_open, rows);
    }
}

/// "1 subscription", "2 vaults".
fn count(n: usize, one: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{n} {one}{s}")
}

/// One search's rows: its header with its state, then tenants and vaults.
fn group_rows(
    d: &Discovered,
    title: &str,
    azure: bool,
    filter: &str,
    is_open: &dyn Fn(&str) -> bool,
    rows: &mut Vec<PickerRow>,
) {
    let state = match &d.state {
        _ if d.cached => format!(
            "{} from the last search, searching again…",
            count(d.vault_count(), "vault")
        ),
        DiscoveryState::Idle => "not searched yet (ctrl-r searches)".to_owned(),
        DiscoveryState::Running => {
            let done = d
                .subscriptions
                .iter()
                .filter(|s| s.status != SubStatus::Listing)
                .count();
            format!(
                "searching… {done}/{}, {}",
                count(d.subscriptions.len(), "subscription"),
                count(d.vault_count(), "vault")
            )
        }
        DiscoveryState::Done => format!(
            "{} in {}",
            count(d.vault_count(), "vault"),
            count(d.subscriptions.len(), "subscription")
        ),
        DiscoveryState::Failed(_) => "search failed".to_owned(),
        DiscoveryState::SignIn(_) => "not signed in".to_owned(),
    };
    let source = match d.source.as_str() {
        "" => String::new(),
        s => format!(" · {}", s.trim_start_matches("https://")),
    };
    rows.push(PickerRow::Header(format!("{title} ({state}){source}")));
    match &d.state {
        DiscoveryState::Failed(reason) => rows.push(PickerRow::Note(reason.clone())),
        DiscoveryState::SignIn(reason) => {
            rows.push(PickerRow::Note(SIGN_IN_NOTE.to_owned()));
            rows.push(PickerRow::Note(reason.clone()));
        }
        _ => {}
    }
    if d.tenants.len() > 1 || d.tenant.is_some() {
        let tenants: Vec<&TenantInfo> = d
            .tenants
            .iter()
            .filter(|t| matches(filter, &[&t.id, t.name.as_deref().unwrap_or_default()]))
            .collect();
        if !tenants.is_empty() {
            rows.push(PickerRow::Header(
                "Tenants (Enter searches that tenant only)".to_owned(),
            ));
        }
        for t in tenants {
            rows.push(PickerRow::Tenant {
                id: t.id.clone(),
                name: t.name.clone().unwrap_or_else(|| t.id.clone()),
                chosen: d.tenant.as_deref() == Some(t.id.as_str()),
                azure,
            });
        }
    }
    for sub in &d.subscriptions {
        let tenant = d.tenant_name(&sub.info.tenant_id);
        let shown: Vec<&DiscoveredVault> = sub
            .vaults
            .iter()
            .filter(|v| matches(filter, &[&v.name, &v.url, &sub.info.name]))
            .collect();
        // A local service's one tenant and subscription are both "Local
        // vault": say it once.
        let head = if tenant == sub.info.name {
            tenant
        } else {
            format!("{tenant} / {}", sub.info.name)
        };
        match &sub.status {
            SubStatus::Skipped(reason) => {
                if filter.is_empty() {
                    rows.push(PickerRow::Note(format!("{head}: skipped, {reason}")));
                }
                continue;
            }
            SubStatus::Listing if shown.is_empty() && filter.is_empty() => {
                rows.push(PickerRow::Note(format!("{head}: listing…")));
                continue;
            }
            _ => {}
        }
        if shown.is_empty() {
            continue;
        }
        rows.push(PickerRow::Header(format!(
            "{head} ({})",
            count(sub.vaults.len(), "vault")
        )));
        for v in shown {
            let open = if is_open(&v.url) { " (open)" } else { "" };
            rows.push(PickerRow::Vault {
                url: v.url.clone(),
                detail: format!("{}{open}", v.name),
            });
        }
    }
}

impl Model {
    /// Shows the picker on the vault on screen; starts discovery the first time.
    pub(crate) fn open_picker(&mut self, fx: &mut Vec<Effect>) {
        let mut state = PickerState::default();
        let rows = picker_rows(self, "");
        state.selected = rows
            .iter()
            .filter(|r| r.is_selectable())
            .position(|r| matches!(r, PickerRow::Open { index, .. } if *index == self.active_vault))
            .unwrap_or(0);
        self.overlays.push(Overlay::Picker(state));
        if !self.discovery_available {
            return;
        }
        if self.discovered.state == DiscoveryState::Idle {
            self.start_search(fx, false);
        }
        if self
            .azure_discovered
            .as_ref()
            .is_some_and(|d| d.state == DiscoveryState::Idle)
        {
            self.start_search(fx, true);
        }
    }

    /// Asks the runtime to search for vaults (again): every group.
    pub(crate) fn start_discovery(&mut self, fx: &mut Vec<Effect>) {
        self.start_search(fx, false);
        self.start_search(fx, true);
    }

    /// The search of one group: the first, or Azure's beside the local one.
    fn start_search(&mut self, fx: &mut Vec<Effect>, azure: bool) {
        if !self.discovery_available {
            return;
        }
        let d = if azure {
            match self.azure_discovered.as_mut() {
                Some(d) => d,
                None => return,
            }
        } else {
            &mut self.discovered
        };
        if d.state == DiscoveryState::Running {
            return;
        }
        d.state = DiscoveryState::Running;
        // Cached results stay on screen until the search answers; the tenants
        // stay so another can be chosen.
        if !d.cached {
            d.subscriptions.clear();
        }
        let tenant = d.tenant.clone();
        fx.push(if azure {
            Effect::DiscoverAzure { tenant }
        } else {
            Effect::Discover { tenant }
        });
    }

    /// A report of a discovery run (`azure`: the Azure group's); its end is
    /// remembered for the next run.
    pub(crate) fn on_discovery(
        &mut self,
        fx: &mut Vec<Effect>,
        event: DiscoveryEvent,
        azure: bool,
    ) {
        if let DiscoveryEvent::Failed(reason) = &event {
            tracing::warn!(reason = %reason, "vault discovery failed");
        }
        let done = event == DiscoveryEvent::Done;
        let d = if azure {
            match self.azure_discovered.as_mut() {
                Some(d) => d,
                None => return,
            }
        } else {
            &mut self.discovered
        };
        d.apply(event);
        if done && d.state == DiscoveryState::Done {
            fx.push(Effect::SaveVaultCache(self.vault_cache()));
        }
    }

    /// The runtime opened `label`: offer it and show it.
    pub(crate) fn on_vault_opened(&mut self, fx: &mut Vec<Effect>, label: String, is_local: bool) {
        self.opening = None;
        self.remember_recent(&label);
        fx.push(Effect::SaveVaultCache(self.vault_cache()));
        self.add_vault(label, is_local);
        let index = self.vaults.len() - 1;
        self.switch_vault(fx, index);
    }

    pub(crate) fn on_vault_open_failed(&mut self, url: String, reason: String) {
        self.opening = None;
        self.progress = None;
        let error = crate::vault::VaultError::new(crate::vault::ErrorKind::Other, reason);
        self.record_error(format!("open {url}"), error);
    }
}

/// Keys in the picker: arrows move, typing filters, Enter opens, Esc closes,
/// ctrl-r searches again.
/// Whether `Ctrl-T` can pin the chosen row: a vault whose URL stays the
/// same from run to run (a local vault's port does not).
pub(crate) fn can_pin(model: &Model) -> bool {
    let Some(Overlay::Picker(state)) = model.overlays.last() else {
        return false;
    };
    let rows = picker_rows(model, &state.filter);
    let url = match rows
        .iter()
        .filter(|r| r.is_selectable())
        .nth(state.selected)
    {
        Some(PickerRow::Vault { url, .. }) => url.clone(),
        Some(PickerRow::Open { label, .. }) => label.clone(),
        _ => return false,
    };
    !vault_cache::is_ephemeral(&url)
}

pub(crate) fn on_picker_key(
    model: &mut Model,
    fx: &mut Vec<Effect>,
    key: KeyEvent,
    action: Option<Action>,
) {
    let Some(Overlay::Picker(state)) = model.overlays.last() else {
        return;
    };
    let mut state = state.clone();
    let rows = picker_rows(model, &state.filter);
    let choices: Vec<&PickerRow> = rows.iter().filter(|r| r.is_selectable()).collect();
    let n = choices.len().max(1);
    // Every printable key types into the filter, even one a dialog binds (`y`, `n`).
    let typed = match key.code {
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    };
    let action = if typed.is_some() { None } else { action };
    match action {
        Some(Action::Down) => state.selected = (state.selected + 1) % n,
        Some(Action::Up) => state.selected = (state.selected + n - 1) % n,
        Some(Action::Refresh) => model.start_discovery(fx),
        Some(Action::Pin) => {
            let url = match choices.get(state.selected) {
                Some(PickerRow::Vault { url, .. }) => Some(url.clone()),
                Some(PickerRow::Open { label, .. }) => Some(label.clone()),
                _ => None,
            };
            if let Some(url) = url {
                if model.toggle_pin(&url) {
                    let pinned = model.pinned_vaults.iter().any(|p| same_url(p, &url));
                    let text = if pinned { "pinned" } else { "unpinned" };
                    model.toast(format!("{text} {url}"), false);
                    fx.push(Effect::SaveVaultCache(model.vault_cache()));
                } else {
                    model.toast(
                        "a local vault's port changes every run: open it by name instead",
                        false,
                    );
                }
            }
        }
        Some(Action::Confirm) => {
            let chosen = choices.get(state.selected).map(|r| (*r).clone());
            model.overlays.pop();
            match chosen {
                Some(PickerRow::Open { index, .. }) => model.switch_vault(fx, index),
                Some(PickerRow::Vault { url, .. }) => model.open_url(fx, url),
                Some(PickerRow::Tenant {
                    id, chosen, azure, ..
                }) => {
                    let d = if azure {
                        model.azure_discovered.as_mut()
                    } else {
                        Some(&mut model.discovered)
                    };
                    if let Some(d) = d {
                        // Choosing the tenant searched goes back to the default one.
                        d.tenant = (!chosen).then_some(id);
                        d.subscriptions.clear();
                        d.cached = false;
                        d.state = DiscoveryState::Idle;
                    }
                    model.open_picker(fx);
                }
                _ => {}
            }
            return;
        }
        Some(Action::Cancel) => {
            model.overlays.pop();
            return;
        }
        _ => {
            if let Some(c) = typed {
                state.filter.push(c);
                state.selected = 0;
            } else if key.code == KeyCode::Backspace {
                state.filter.pop();
                state.selected = 0;
            }
        }
    }
    if let Some(Overlay::Picker(s)) = model.overlays.last_mut() {
        *s = state;
    }
}

impl Model {
    /// Switches to `url` when it is open, else asks the runtime to open it.
    pub(crate) fn open_url(&mut self, fx: &mut Vec<Effect>, url: String) {
        if let Some(index) = self.vaults.iter().position(|s| same_url(&s.label, &url)) {
            self.switch_vault(fx, index);
            return;
        }
        if self.opening.is_some() {
            self.toast("still opening a vault; try again in a moment", true);
            return;
        }
        self.progress = Some(format!("opening {url}…"));
        self.opening = Some(url.clone());
        fx.push(Effect::OpenVault { url });
    }
}
