//! The forms (new secret, new version, properties): fields and validation,
//! the value editor, tags as text, and the keys that edit them.

pub mod editor;
pub mod external_edit;
pub mod form;
pub mod form_dates;
pub mod keys;
pub mod tag_text;
