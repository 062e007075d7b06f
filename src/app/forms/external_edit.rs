//! `Ctrl-E`: the value edited in the user's own editor (`$VISUAL`, `$EDITOR`).
//! `update` only asks (`Effect::EditValue`) and takes the answer
//! (`Msg::Edited`); the runtime writes the private file, runs the editor and
//! gives the terminal back on every path.

use secrecy::{ExposeSecret, SecretString};

use crate::app::effect::Effect;
use crate::app::forms::editor::ValueEditor;
use crate::app::forms::form::{FieldId, FieldText, Form};
use crate::app::model::{Model, Overlay};

/// `Ctrl-E` in a form with a value field: its text goes to the editor.
pub(crate) fn edit_form_value(model: &mut Model, fx: &mut Vec<Effect>) {
    let Some(Overlay::Form(form)) = model.overlays.last_mut() else {
        return;
    };
    if form.submitting.is_some() {
        return;
    }
    let Some(i) = form.fields.iter().position(|f| f.id == FieldId::Value) else {
        return;
    };
    if let FieldText::Lines(editor) = &form.fields[i].text {
        form.focus = i;
        fx.push(Effect::EditValue(SecretString::from(editor.text())));
    }
}

/// `Ctrl-E` in the details of a secret: a new version, its value written
/// in the editor.
pub(crate) fn new_version_in_editor(model: &mut Model, fx: &mut Vec<Effect>) {
    let Some(d) = model.details.as_ref() else {
        return;
    };
    if d.deleted.is_some() {
        return;
    }
    let form = Form::new_version(&d.props, model.now, &model.zone);
    model.overlays.push(Overlay::Form(form));
    edit_form_value(model, fx);
}

/// The editor closed: its text replaces the value (the form says when it
/// failed, and keeps what it had).
pub(crate) fn edited(model: &mut Model, result: Result<SecretString, String>) {
    let Some(Overlay::Form(form)) = model.overlays.last_mut() else {
        return;
    };
    let Some(field) = form.fields.iter_mut().find(|f| f.id == FieldId::Value) else {
        return;
    };
    match result {
        Ok(text) => {
            if let FieldText::Lines(editor) = &mut field.text {
                let revealed = editor.revealed;
                *editor = ValueEditor::new(text.expose_secret());
                editor.revealed = revealed;
            }
            form.file_value = None;
            form.dirty = true;
            form.error = None;
            crate::app::forms::keys::revalidate_focused(model);
        }
        Err(why) => form.error = Some(why),
    }
}
