//! The application: the model, messages, the pure `update` and the effects it
//! returns, forms and their validation. No I/O: `crate::runtime` runs effects.

mod answers_read;
mod answers_write;
pub mod cache_sync;
pub mod cached;
pub mod details;
pub mod dialogs;
pub mod editor;
pub mod effect;
pub mod events;
pub mod form;
pub mod format;
pub mod forms;
pub mod json_indent;
pub mod keymap;
pub mod matching;
pub mod model;
pub mod rows;
pub mod tag_text;
pub mod update;
pub mod vaults;

pub use keymap::{Action, Keymap, Mode};
pub use model::{
    Confirm, ConfirmAction, Conflict, ConflictChoice, Details, ErrorEntry, Model, Msg, Overlay,
    Pending, Toast, View,
};
pub use update::update;
