//! The words of key bindings, shared by the config file (`[[keymap]]`) and the
//! app's keymap: where a binding applies and one binding as written. A leaf,
//! so the config can read bindings without depending on the app.

use serde::Deserialize;

/// Where a binding applies. Modes inherit: a key not bound in a mode is
/// looked up in its parent (`List` and `Deleted` share `Lists`, the dialogs
/// share `Dialog`, and every chain ends in `Global`, where Ctrl-C lives).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Global,
    Lists,
    List,
    Deleted,
    Details,
    /// The details of a deleted secret: recover, purge, copy its id.
    DeletedDetails,
    /// Two versions compared (from the details view's versions list).
    Compare,
    /// Two vaults compared (`c` in a list).
    VaultCompare,
    /// A copy's plan between two vaults, before anything is written.
    CopyPlan,
    Filter,
    Form,
    Dialog,
    Confirm,
    TypedConfirm,
    Conflict,
    Picker,
    Help,
}

impl Mode {
    /// Every mode, in the order help lists them.
    pub const ALL: [Mode; 17] = [
        Mode::Lists,
        Mode::List,
        Mode::Deleted,
        Mode::Details,
        Mode::DeletedDetails,
        Mode::Compare,
        Mode::VaultCompare,
        Mode::CopyPlan,
        Mode::Filter,
        Mode::Form,
        Mode::Dialog,
        Mode::Confirm,
        Mode::TypedConfirm,
        Mode::Conflict,
        Mode::Picker,
        Mode::Help,
        Mode::Global,
    ];

    /// The mode whose bindings apply where this one binds nothing.
    pub fn parent(self) -> Option<Mode> {
        match self {
            Mode::Global => None,
            Mode::List | Mode::Deleted => Some(Mode::Lists),
            Mode::Confirm | Mode::Conflict | Mode::CopyPlan => Some(Mode::Dialog),
            _ => Some(Mode::Global),
        }
    }

    /// This mode and its ancestors, nearest first.
    pub fn chain(self) -> impl Iterator<Item = Mode> {
        std::iter::successors(Some(self), |m| m.parent())
    }

    pub fn title(self) -> &'static str {
        match self {
            Mode::Global => "Everywhere",
            Mode::Lists => "Both lists",
            Mode::List => "Secrets",
            Mode::Deleted => "Deleted",
            Mode::Details => "Details",
            Mode::DeletedDetails => "Deleted secret's details",
            Mode::Compare => "Compare versions",
            Mode::VaultCompare => "Compare vaults",
            Mode::CopyPlan => "Copy plan",
            Mode::Filter => "Filter",
            Mode::Form => "Forms",
            Mode::Dialog => "Dialogs",
            Mode::Confirm => "Confirmation",
            Mode::TypedConfirm => "Typed confirmation",
            Mode::Conflict => "Deleted-name conflict",
            Mode::Picker => "Vault picker",
            Mode::Help => "Help and errors",
        }
    }
}

/// One binding as written in the keymap file or the config's `[[keymap]]`.
#[derive(Debug, Clone, Deserialize)]
pub struct BindingSpec {
    pub mode: Mode,
    pub keys: Vec<String>,
    pub action: String,
    #[serde(default)]
    pub desc: Option<String>,
    /// A short label for the on-screen key hints; bindings without one are
    /// listed in help only.
    #[serde(default)]
    pub hint: Option<String>,
    /// In the config: the keys replace the action's default keys instead of
    /// adding to them.
    #[serde(default)]
    pub replace: bool,
}
