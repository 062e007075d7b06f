//! The application: the model, messages, the pure `update`, forms and their
//! validation, and the run loop that wires the terminal and the vault worker.

pub mod clipboard;
pub mod details;
pub mod dialogs;
pub mod editor;
pub mod events;
pub mod form;
pub mod format;
pub mod forms;
pub mod json_indent;
pub mod keymap;
pub mod matching;
pub mod model;
pub mod rows;
pub mod run;
pub mod tag_text;
pub mod update;
pub mod vaults;

pub use keymap::{Action, Keymap, Mode};
pub use model::{
    Confirm, ConfirmAction, Conflict, ConflictChoice, Details, ErrorEntry, Model, Msg, Overlay,
    Pending, Toast, View,
};
pub use run::{AppError, VaultConn, Wiring, event_loop, init_logging, run_vaults, wire};
pub use update::update;
