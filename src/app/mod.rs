//! The application: the model, messages, the pure `update` and the effects it
//! returns, forms and their validation. No I/O: `crate::runtime` runs effects.

pub mod access;
pub mod across;
pub mod answers;
pub mod details;
pub mod dialogs;
pub mod effect;
pub mod find;
pub mod format;
pub mod forms;
pub mod keymap;
pub mod keymap_doc;
pub mod keyspec;
pub mod lists;
pub mod model;
pub mod notices;
pub mod overlay;
pub mod pending;
pub mod picker;
pub mod protections;
pub mod text_search;
pub mod update;
pub mod vaults;

pub use keymap::{Action, Keymap, Mode};
pub use model::{
    Confirm, ConfirmAction, Conflict, ConflictChoice, Details, ErrorEntry, Freed, Model, Msg,
    Overlay, Pending, Toast, View, Welcome,
};
pub use update::update;
