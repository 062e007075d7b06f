//! The whole UI state. Holds no channel and does no I/O; a secret value lives
//! only in an open details view, as a `SecretString`.

use std::collections::HashMap;

use crossterm::event::KeyEvent;
use secrecy::SecretString;
use time::OffsetDateTime;
use tui_input::Input;

use super::effect::Effect;
use super::keymap::{Action, Keymap, Mode};
use super::lists::rows::{ListView, Rows};
use super::vaults::VaultSlot;
use crate::vault::{
    DeletedSecret, ReqId, SecretName, SecretProps, VaultCmd, VaultError, VaultEvent, VaultRequest,
    WorkerInput,
};

pub use super::details::state::Details;
pub use super::lists::bulk::Bulk;
pub use super::notices::{
    Clip, CopyTarget, ERROR_TICKS, ErrorEntry, MAX_ERRORS, TOAST_TICKS, Toast,
};
pub use super::overlay::{Confirm, ConfirmAction, Conflict, ConflictChoice, Freed, Overlay};
pub use super::pending::{Outstanding, Pending};

/// Everything `update` reacts to.
#[derive(Debug, Clone)]
pub enum Msg {
    /// First message: load the lists.
    Start,
    Key(KeyEvent),
    Vault(VaultEvent),
    /// Once a second or so, with the current time (expiry colours, toasts).
    Tick(OffsetDateTime),
    /// Terminal size; the list uses it to page.
    Resize {
        width: u16,
        height: u16,
    },
    Paste(String),
    /// How many rows the list showed in the last frame (page keys move by it).
    PageRows(usize),
    /// How far the help or history on screen scrolls (the frame measured it).
    OverlayMax(usize),
    /// Lines of the open details that did not fit in the last frame: of
    /// the properties (how far `J` scrolls) and of the value (PgDn).
    DetailsOverflow {
        props: usize,
        value: usize,
    },
    /// A click on row `index` of the list on screen (an index into `visible`).
    SelectRow(usize),
    /// A double-click on a row: select it and open its details.
    OpenRow(usize),
    /// A click on a tab.
    SelectView(View),
    /// The runtime read (or failed to read) the value file a form named.
    FileRead(Result<SecretString, String>),
    /// The user's editor closed (`Effect::EditValue`): the new text, or why not.
    Edited(Result<SecretString, String>),
    /// A request could not be handed to its worker (queue full or closed).
    SendFailed {
        id: ReqId,
        reason: String,
    },
    /// The list cache of vault `route` was read: `None` when there is none
    /// (or it could not be read; the runtime logs why).
    CacheLoaded {
        route: usize,
        lists: Option<super::lists::cached::CachedLists>,
    },
    /// The worker of vault `route` stopped; its requests will never be answered.
    WorkerStopped {
        route: usize,
    },
    /// A report of the vault search (`Effect::Discover`).
    Discovery(crate::vault::discovery::DiscoveryEvent),
    /// A report of the Azure search beside the local one (`Effect::DiscoverAzure`).
    AzureDiscovery(crate::vault::discovery::DiscoveryEvent),
    /// The runtime opened a vault (`Effect::OpenVault`); its worker is the next route.
    VaultOpened {
        label: String,
        is_local: bool,
    },
    /// The runtime could not open `url`.
    VaultOpenFailed {
        url: String,
        reason: String,
    },
    /// The access doctor's report for `url` as lines, or why there is none.
    Doctor {
        url: String,
        report: Result<Vec<String>, String>,
    },
    /// A report of a comparison or copy between two vaults (`Effect::Across`).
    Across(super::across::AcrossEvent),
    /// The cached secret lists of vaults not open (`Effect::LoadOtherCaches`),
    /// by URL; a vault with no cache is absent.
    OtherCachesLoaded(Vec<(String, Vec<crate::vault::SecretProps>)>),
}

/// Which list the main screen shows. Each view names its row source, its
/// tab and its keys; `Model::list` reaches the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Secrets,
    /// Secrets that need attention: expired, expiring soon, or enabled with
    /// no expiry date; derived from the secrets list.
    Expiring,
    Deleted,
}

impl View {
    /// The tabs, in the order `Tab` cycles through them.
    pub const ALL: [View; 3] = [View::Secrets, View::Deleted, View::Expiring];

    /// The view `Tab` moves to.
    pub fn next(self) -> Self {
        let i = Self::ALL.iter().position(|v| *v == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    pub fn title(self) -> &'static str {
        match self {
            View::Secrets => "Secrets",
            View::Expiring => "Expiring",
            View::Deleted => "Deleted",
        }
    }

    /// The keymap mode of the list.
    pub fn mode(self) -> Mode {
        match self {
            View::Deleted => Mode::Deleted,
            View::Secrets | View::Expiring => Mode::List,
        }
    }

    /// Whether its rows are live secrets (not deleted ones).
    pub fn is_live(self) -> bool {
        self != View::Deleted
    }

    /// Place in `ALL`, for per-view screen state.
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|v| *v == self).unwrap_or(0)
    }
}

/// Secrets a delete just removed, recoverable with `u` until `until`.
#[derive(Debug, Clone)]
pub struct Undo {
    pub names: Vec<SecretName>,
    /// The vault they were deleted from.
    pub route: usize,
    pub until: OffsetDateTime,
}

/// How long `u` offers to undo a delete.
pub const UNDO_SECONDS: i64 = 10;

/// The model `update` mutates and `ui::render` draws.
#[derive(Debug)]
pub struct Model {
    pub view: View,
    /// How far ahead the Expiring view looks, in days.
    expiring_days: i64,
    /// The filter being typed (`/`), shared by both lists.
    pub filter_input: Option<Input>,
    /// The filter kept when `/` was pressed; `Esc` in the filter puts it back.
    pub filter_before: Option<String>,
    /// `/` on a filter selects it: the first character typed replaces it.
    pub filter_selected: bool,
    /// The last delete, while `u` can still recover it.
    pub undo: Option<Undo>,
    /// Whether the terminal reports the mouse to kvtui (`M` toggles).
    pub mouse: bool,
    pub details: Option<Details>,
    pub overlays: Vec<Overlay>,
    pub keymap: Keymap,
    /// Requests sent and not yet answered, with the vault each went to.
    pub pending: HashMap<ReqId, Outstanding>,
    pub errors: Vec<ErrorEntry>,
    pub toast: Option<Toast>,
    pub progress: Option<String>,
    pub now: OffsetDateTime,
    /// Rows a page key moves.
    pub page_rows: usize,
    pub spinner: usize,
    /// Colours on (off under `NO_COLOR`).
    pub color: bool,
    /// The zone times are shown in.
    pub zone: super::format::Zone,
    /// Every vault the picker offers, each with its own lists; never empty.
    pub vaults: Vec<super::vaults::VaultSlot>,
    pub active_vault: usize,
    /// A bulk action still running.
    pub bulk: Option<Bulk>,
    /// Where the runtime's clipboard puts copies, for the message after one.
    pub copy_target: CopyTarget,
    /// The first-run line about the embedded sample vault, until dismissed.
    pub welcome: Option<Welcome>,
    /// Vault URLs from the config and recent use, offered by the picker.
    pub known_vaults: Vec<String>,
    /// Vault URLs opened from the picker, newest first (remembered between runs).
    pub recent_vaults: Vec<String>,
    /// Vault URLs the user pinned in the picker (remembered between runs).
    pub pinned_vaults: Vec<String>,
    /// Whether the runtime can search for vaults (`Effect::Discover`).
    pub discovery_available: bool,
    /// What the vault search found so far.
    pub discovered: super::picker::Discovered,
    /// Azure's Resource Manager searched beside the local vaults' (when a
    /// local service is open): its own group, its own state.
    pub azure_discovered: Option<super::picker::Discovered>,
    /// Open the picker on start (`--discover`).
    pub picker_at_start: bool,
    /// A vault the runtime is opening.
    pub opening: Option<String>,
    /// The vault URL and secret name `F` opened a vault on: selected as its
    /// list arrives.
    pub find_target: Option<(String, String)>,
    /// How far the help or history on screen scrolls, as last drawn.
    pub overlay_max: Option<usize>,
    /// `/` in help or the history: the lines shown hold this text.
    pub text_search: Option<super::text_search::TextSearch>,
    /// The Deleted list's generation the undo offer was last checked against.
    undo_checked: Option<u64>,
    next_req: u64,
}

/// What the first-run line says about the embedded sample vault, and the
/// marker file that, once written, keeps it hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Welcome {
    /// The data dir as shown (`~` for the home directory).
    pub data_dir: String,
    /// Written when the line is dismissed.
    pub marker: std::path::PathBuf,
}

impl Model {
    pub fn new(
        vault_label: impl Into<String>,
        is_local: bool,
        keymap: Keymap,
        now: OffsetDateTime,
    ) -> Self {
        let vault_label: String = vault_label.into();
        Self {
            vaults: vec![super::vaults::VaultSlot::new(vault_label, is_local)],
            view: View::Secrets,
            expiring_days: 30,
            filter_input: None,
            filter_before: None,
            filter_selected: false,
            undo: None,
            mouse: true,
            details: None,
            overlays: Vec::new(),
            keymap,
            pending: HashMap::new(),
            errors: Vec::new(),
            toast: None,
            progress: None,
            now,
            page_rows: 10,
            spinner: 0,
            color: true,
            zone: Default::default(),
            copy_target: Default::default(),
            welcome: None,
            bulk: None,
            active_vault: 0,
            known_vaults: Vec::new(),
            recent_vaults: Vec::new(),
            pinned_vaults: Vec::new(),
            discovery_available: false,
            discovered: Default::default(),
            azure_discovered: None,
            picker_at_start: false,
            opening: None,
            find_target: None,
            undo_checked: None,
            overlay_max: None,
            text_search: None,
            next_req: 0,
        }
    }

    /// A request id no other request has (for work the runtime does itself,
    /// such as comparing two vaults).
    pub(crate) fn fresh_id(&mut self) -> ReqId {
        self.next_req += 1;
        ReqId(self.next_req)
    }

    /// Asks the active vault's worker to run `cmd` and remembers what for.
    pub(crate) fn send(&mut self, fx: &mut Vec<Effect>, cmd: VaultCmd, what: Pending) -> ReqId {
        self.send_to(fx, self.active_vault, cmd, what)
    }

    /// Asks the worker of vault `route` to run `cmd` (a bulk action goes on
    /// in its vault while another is shown).
    pub(crate) fn send_to(
        &mut self,
        fx: &mut Vec<Effect>,
        route: usize,
        cmd: VaultCmd,
        what: Pending,
    ) -> ReqId {
        self.next_req += 1;
        let id = ReqId(self.next_req);
        let access = cmd.nature().access;
        self.pending.insert(
            id,
            Outstanding {
                route,
                what,
                access,
            },
        );
        fx.push(Effect::Vault {
            route,
            input: WorkerInput::Run(VaultRequest { id, cmd }),
        });
        id
    }

    /// Stops a request and forgets it, so late answers are dropped.
    pub(crate) fn cancel(&mut self, fx: &mut Vec<Effect>, id: ReqId) {
        if let Some(Outstanding { route, .. }) = self.pending.remove(&id) {
            fx.push(Effect::Vault {
                route,
                input: WorkerInput::Cancel(id),
            });
        }
    }

    /// The mode whose bindings apply now.
    pub fn mode(&self) -> Mode {
        match self.overlays.last() {
            Some(Overlay::Form(_)) => Mode::Form,
            Some(Overlay::Confirm(c)) if c.type_to_confirm.is_some() => Mode::TypedConfirm,
            Some(Overlay::Confirm(_)) => Mode::Confirm,
            Some(Overlay::Conflict(_)) => Mode::Conflict,
            Some(
                Overlay::Picker { .. }
                | Overlay::Find(_)
                | Overlay::CompareWith(_)
                | Overlay::ExpiringAll(_),
            ) => Mode::Picker,
            Some(Overlay::VaultCompare(_)) => Mode::VaultCompare,
            Some(Overlay::CopyPlan(_)) => Mode::CopyPlan,
            Some(Overlay::Help { .. } | Overlay::Errors { .. } | Overlay::Access(_)) => Mode::Help,
            None if self.details.as_ref().is_some_and(|d| d.compare.is_some()) => Mode::Compare,
            None if self.details.as_ref().is_some_and(|d| d.deleted.is_some()) => {
                Mode::DeletedDetails
            }
            None if self.details.is_some() => Mode::Details,
            None if self.filter_input.is_some() => Mode::Filter,
            None => self.view.mode(),
        }
    }

    /// Whether `action` does something where the user is now, so a key hint
    /// never offers what would be ignored.
    pub fn offers(&self, action: Action) -> bool {
        if action == Action::Undo {
            let deleting = self.bulk.as_ref().is_some_and(|b| {
                b.op == super::lists::bulk::BulkOp::Delete
                    && b.route == self.active_vault
                    && !b.undo_requested
            });
            return self.undo.is_some() || deleting;
        }
        // The lists over vaults choose and open; they neither search nor pin.
        if matches!(action, Action::Refresh | Action::Pin)
            && matches!(
                self.overlays.last(),
                Some(Overlay::Find(_) | Overlay::CompareWith(_) | Overlay::ExpiringAll(_))
            )
        {
            return false;
        }
        if let (Action::Pin, Some(Overlay::Picker(_))) = (action, self.overlays.last()) {
            return super::picker::can_pin(self);
        }
        if let (Action::EditInEditor, Some(Overlay::Form(form))) = (action, self.overlays.last()) {
            return form
                .fields
                .iter()
                .any(|f| f.id == super::forms::form::FieldId::Value);
        }
        let Some(details) = self.details.as_ref().filter(|_| self.overlays.is_empty()) else {
            // A purge-protected vault purges by itself: no purge to offer.
            if action == Action::Purge && self.view == View::Deleted {
                return self
                    .deleted()
                    .selected_item()
                    .is_none_or(super::protections::purgeable);
            }
            return true;
        };
        match action {
            Action::TogglePretty => details.shown && details.pretty.is_some(),
            Action::PropsDown | Action::PropsUp => details.props_overflow > 0,
            // The versions list is in the secret's details, not a version's.
            Action::Compare | Action::MakeCurrent | Action::ToggleEnabled | Action::Mark => {
                !details.is_version() || details.compare.is_some()
            }
            _ => true,
        }
    }

    /// How far ahead the Expiring view looks; it is rebuilt at the next message.
    pub fn set_expiring_days(&mut self, days: u32) {
        self.expiring_days = i64::from(days);
        for slot in &mut self.vaults {
            slot.expiring_from = None;
        }
    }

    pub fn expiring_days(&self) -> i64 {
        self.expiring_days
    }

    /// Shows the next list (`Tab`).
    pub fn switch_view(&mut self) {
        self.view = self.view.next();
    }

    /// Brings lists derived from others up to date; run after every message.
    pub fn after_update(&mut self) {
        let (now, days) = (self.now, self.expiring_days);
        self.slot_mut().sync_expiring(now, days);
        self.end_stale_undo();
    }

    /// `u` is offered only for names still deleted: once the Deleted list
    /// no longer holds them (recovered or purged another way), the offer ends.
    fn end_stale_undo(&mut self) {
        let Some(undo) = &self.undo else {
            return;
        };
        let Some(slot) = self.vaults.get(undo.route) else {
            self.undo = None;
            return;
        };
        let generation = slot.deleted.generation();
        if self.undo_checked == Some(generation) || slot.deleted.loading.is_some() {
            return;
        }
        self.undo_checked = Some(generation);
        let still: std::collections::HashSet<String> = slot
            .deleted
            .items
            .iter()
            .map(|d| d.props.name.to_ascii_lowercase())
            .collect();
        if let Some(undo) = self.undo.as_mut() {
            undo.names
                .retain(|n| still.contains(&n.as_str().to_ascii_lowercase()));
            if undo.names.is_empty() {
                self.undo = None;
            }
        }
    }

    /// The vault on screen, with its lists.
    pub fn slot(&self) -> &VaultSlot {
        &self.vaults[self.active_vault]
    }

    pub fn slot_mut(&mut self) -> &mut VaultSlot {
        &mut self.vaults[self.active_vault]
    }

    /// The label (URL) of the vault on screen.
    pub fn vault_label(&self) -> &str {
        &self.slot().label
    }

    /// Whether the vault on screen is a local vault.
    pub fn is_local(&self) -> bool {
        self.slot().is_local
    }

    /// The secrets of the vault on screen.
    pub fn secrets(&self) -> &Rows<SecretProps> {
        &self.slot().secrets
    }

    pub fn secrets_mut(&mut self) -> &mut Rows<SecretProps> {
        &mut self.slot_mut().secrets
    }

    /// The deleted secrets of the vault on screen.
    pub fn deleted(&self) -> &Rows<DeletedSecret> {
        &self.slot().deleted
    }

    pub fn deleted_mut(&mut self) -> &mut Rows<DeletedSecret> {
        &mut self.slot_mut().deleted
    }

    /// The Expiring rows of the vault on screen.
    pub fn expiring(&self) -> &Rows<SecretProps> {
        &self.slot().expiring
    }

    /// When the vault on screen was last listed.
    pub fn last_refresh(&self) -> Option<OffsetDateTime> {
        self.slot().last_refresh
    }

    /// The list the main screen shows.
    pub fn list(&self) -> &dyn ListView {
        self.list_of(self.view)
    }

    pub fn list_mut(&mut self) -> &mut dyn ListView {
        let view = self.view;
        let slot = self.slot_mut();
        match view {
            View::Secrets => &mut slot.secrets,
            View::Expiring => &mut slot.expiring,
            View::Deleted => &mut slot.deleted,
        }
    }

    /// The list behind `view`.
    pub fn list_of(&self, view: View) -> &dyn ListView {
        let slot = self.slot();
        match view {
            View::Secrets => &slot.secrets,
            View::Expiring => &slot.expiring,
            View::Deleted => &slot.deleted,
        }
    }

    /// Something moves or runs out with time (a spinner, a message's stay,
    /// the undo offer, a bulk action's pause, an answer awaited): the loop
    /// ticks only then, and otherwise sleeps until an event.
    pub fn animating(&self) -> bool {
        self.is_loading()
            || self.toast.is_some()
            || self.undo.is_some()
            || self.bulk.is_some()
            || self.opening.is_some()
            || !self.pending.is_empty()
    }

    pub fn is_loading(&self) -> bool {
        self.secrets().loading.is_some() || self.deleted().loading.is_some()
    }

    /// Shows a message for a few seconds (an error for longer) and keeps it
    /// in the history.
    pub fn toast(&mut self, text: impl Into<String>, is_error: bool) {
        let text = text.into();
        self.remember(text.clone(), None);
        self.show(text, is_error, None);
    }

    fn show(&mut self, text: String, is_error: bool, op: Option<String>) {
        let ticks_left = if is_error { ERROR_TICKS } else { TOAST_TICKS };
        self.toast = Some(Toast {
            text,
            is_error,
            ticks_left,
            op,
            retry_of: None,
        });
    }

    /// Keeps a message; at the cap the oldest success goes first, so a
    /// burst of successes never pushes an earlier failure out.
    fn remember(&mut self, what: String, error: Option<VaultError>) {
        self.remember_entry(ErrorEntry {
            at: self.now,
            what,
            error,
            failures: Vec::new(),
        });
    }

    fn remember_entry(&mut self, entry: ErrorEntry) {
        if self.errors.len() >= MAX_ERRORS {
            let oldest = self.errors.iter().position(|e| !e.is_error()).unwrap_or(0);
            self.errors.remove(oldest);
        }
        self.errors.push(entry);
    }

    /// The one history entry of a bulk action: its summary and every failure
    /// with its reason; the summary shows in the status line too.
    pub fn record_bulk(&mut self, summary: String, failures: Vec<(String, String)>) {
        let is_error = !failures.is_empty();
        for (name, why) in &failures {
            tracing::warn!(name = %name, "bulk action failed: {why}");
        }
        self.show(summary.clone(), is_error, None);
        self.remember_entry(ErrorEntry {
            at: self.now,
            what: summary,
            error: None,
            failures,
        });
    }

    /// Records a failure: a toast now, the history for later, the log file.
    pub fn record_error(&mut self, what: impl Into<String>, error: VaultError) {
        let what = what.into();
        tracing::warn!(what = %what, kind = ?error.kind, status = ?error.status, code = ?error.code, "{}", error.message);
        let text = format!("{what}: {}", super::answers::short(&error));
        self.show(text, true, Some(what.clone()));
        self.remember(what, Some(error));
    }

    /// `op` worked: the error it left on screen no longer applies.
    pub fn succeeded(&mut self, op: &str) {
        if self
            .toast
            .as_ref()
            .is_some_and(|t| t.is_error && t.op.as_deref() == Some(op))
        {
            self.toast = None;
        }
    }

    /// Failed messages in the history.
    pub fn error_count(&self) -> usize {
        self.errors.iter().filter(|e| e.is_error()).count()
    }
}
