//! The application: the model, messages, the pure `update` and the effects it
//! returns, forms and their validation. No I/O: `crate::runtime` runs effects.

pub mod access;
pub mod across;
mod answers_read;
mod answers_write;
pub mod bulk;
pub mod cache_sync;
pub mod cached;
pub mod compare;
pub mod details;
pub mod details_state;
pub mod dialogs;
pub mod editor;
pub mod effect;
pub mod events;
pub mod external_edit;
pub mod find;
pub mod form;
pub mod form_dates;
pub mod format;
pub mod forms;
pub mod json_indent;
pub mod keymap;
pub mod keymap_doc;
pub mod keyspec;
pub mod list_row;
pub mod list_view;
pub mod make_current;
pub mod matching;
pub mod model;
pub mod notices;
pub mod overlay;
pub mod pending;
pub mod picker;
pub mod protections;
pub mod rows;
pub mod tag_text;
pub mod update;
pub mod vault_cache;
pub mod vaults;
pub mod versions;

pub use keymap::{Action, Keymap, Mode};
pub use model::{
    Confirm, ConfirmAction, Conflict, ConflictChoice, Details, ErrorEntry, Freed, Model, Msg,
    Overlay, Pending, Toast, View, Welcome,
};
pub use update::update;
