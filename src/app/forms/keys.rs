//! Keys in a form: editing, moving between fields, submitting and cancelling.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::backend::crossterm::to_input_request;

use crate::app::dialogs;
use crate::app::effect::Effect;
use crate::app::forms::editor::ValueEditor;
use crate::app::forms::form::{FieldKind, FieldText, Form, FormKind, MAX_VALUE_BYTES, check_field};
use crate::app::keymap::Action;
use crate::app::model::{ConfirmAction, Model, Overlay, Pending};
use crate::vault::{SecretProps, VaultCmd};
use secrecy::{ExposeSecret, SecretString};

/// Opens the new-version or properties form for a secret.
pub(crate) fn open(model: &mut Model, action: Action, props: &SecretProps) {
    let form = match action {
        Action::NewVersion => Form::new_version(props, model.now, &model.zone),
        Action::Properties => Form::properties(props, &model.zone),
        _ => return,
    };
    model.overlays.push(Overlay::Form(form));
}

fn top_form(model: &mut Model) -> Option<&mut Form> {
    match model.overlays.last_mut() {
        Some(Overlay::Form(f)) => Some(f),
        _ => None,
    }
}

pub(crate) fn on_key(
    model: &mut Model,
    fx: &mut Vec<Effect>,
    key: KeyEvent,
    action: Option<Action>,
) {
    let Some(form) = top_form(model) else {
        return;
    };
    // Up and Down move through the value's lines first, then between fields.
    if form.submitting.is_none()
        && let Some(FieldText::Lines(editor)) = form.fields.get_mut(form.focus).map(|f| &mut f.text)
    {
        let moved = match key.code {
            KeyCode::Up => editor.up(),
            KeyCode::Down => editor.down(),
            _ => false,
        };
        if moved {
            return;
        }
    }
    let fields = form.fields.len().max(1);
    match action {
        Some(Action::Submit) => submit(model, fx),
        Some(Action::NextField) => form.focus = (form.focus + 1) % fields,
        Some(Action::PrevField) => form.focus = (form.focus + fields - 1) % fields,
        Some(Action::Cancel) => cancel(model),
        Some(Action::EditInEditor) => crate::app::forms::external_edit::edit_form_value(model, fx),
        Some(Action::RevealValue) => {
            for field in &mut form.fields {
                if let FieldText::Lines(editor) = &mut field.text {
                    editor.revealed = !editor.revealed;
                }
            }
        }
        _ if form.submitting.is_some() => {}
        _ => {
            if edit_focused(form, key) {
                revalidate_focused(model);
            }
        }
    }
}

/// A key typed into the focused field; `true` when its text changed.
fn edit_focused(form: &mut Form, key: KeyEvent) -> bool {
    let fields = form.fields.len().max(1);
    let Some(field) = form.fields.get_mut(form.focus) else {
        return false;
    };
    let kind = field.kind;
    // The format is one of three: Space and →/← step through them.
    if kind == FieldKind::Format && key.modifiers.is_empty() {
        let step = match key.code {
            KeyCode::Char(' ') | KeyCode::Right => Some(1),
            KeyCode::Left => Some(-1),
            _ => None,
        };
        if let Some(step) = step {
            form.cycle_format(step);
            form.error = None;
            return true;
        }
    }
    let changed = match (&mut field.text, key.code) {
        // A one-line value (a password, a token) must not end in a line break
        // by a stray Enter: Enter moves on; Ctrl-J, Alt-Enter or a paste add one.
        (FieldText::Lines(editor), KeyCode::Enter)
            if key.modifiers.is_empty() && !editor.text().contains('\n') =>
        {
            form.focus = (form.focus + 1) % fields;
            false
        }
        (FieldText::Lines(editor), _) => edit_lines(editor, key),
        (_, KeyCode::Enter) => {
            form.focus = (form.focus + 1) % fields;
            false
        }
        (FieldText::Flag(on), KeyCode::Char(c @ (' ' | 'y' | 'n'))) => {
            *on = match c {
                'y' => true,
                'n' => false,
                _ => !*on,
            };
            true
        }
        (FieldText::Line(input), _) => to_input_request(&Event::Key(key))
            .and_then(|req| input.handle(req))
            .is_some_and(|c| c.value),
        (FieldText::Flag(_), _) => false,
    };
    if changed {
        if kind == FieldKind::ValueFile {
            form.file_value = None;
        }
        form.dirty = true;
        form.error = None;
    }
    changed
}

/// A key in the value's editor; `true` when the text changed. `Enter` adds a
/// line to a value of several lines, Ctrl-J and Alt-Enter to any; other
/// control chords than the keymap's are ignored.
fn edit_lines(editor: &mut ValueEditor, key: KeyEvent) -> bool {
    let chord = key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    match key.code {
        KeyCode::Char('j') if key.modifiers == KeyModifiers::CONTROL => {
            editor.insert_char('\n');
            return true;
        }
        KeyCode::Char(c) if !chord => editor.insert_char(c),
        KeyCode::Enter => editor.insert_char('\n'),
        KeyCode::Backspace => return editor.backspace(),
        KeyCode::Delete => return editor.delete(),
        KeyCode::Left => editor.left(),
        KeyCode::Right => editor.right(),
        KeyCode::Home => editor.home(),
        KeyCode::End => editor.end(),
        _ => return false,
    }
    matches!(key.code, KeyCode::Char(_) | KeyCode::Enter)
}

/// Checks the focused field as it is typed; a name also against the lists.
pub(crate) fn revalidate_focused(model: &mut Model) {
    let now = model.now;
    let zone = model.zone.clone();
    let (exists, deleted) = match top_form(model).and_then(|f| f.fields.get(f.focus)) {
        Some(f) if f.kind == FieldKind::Name => {
            let name = f.value().to_owned();
            (
                model.secrets().find(&name).is_some(),
                model.deleted().find(&name).is_some(),
            )
        }
        _ => (false, false),
    };
    let Some(form) = top_form(model) else {
        return;
    };
    let Some(field) = form.fields.get_mut(form.focus) else {
        return;
    };
    field.error = check_field(field.kind, field.value(), now, &zone).err();
    field.note = None;
    if field.kind == FieldKind::Name && field.error.is_none() {
        if deleted {
            field.note = Some("deleted: recover or purge first".to_owned());
        } else if exists {
            field.note = Some("exists: this adds a new version".to_owned());
        }
    }
    if field.kind == FieldKind::Date {
        form.check_dates(now, &zone);
    }
}

fn submit(model: &mut Model, fx: &mut Vec<Effect>) {
    submit_with(model, fx, false);
}

/// Submits the top form again, now allowed to replace the file it names
/// (the user said yes to replacing it).
pub(crate) fn submit_overwriting(model: &mut Model, fx: &mut Vec<Effect>) {
    submit_with(model, fx, true);
}

fn submit_with(model: &mut Model, fx: &mut Vec<Effect>, overwrite: bool) {
    let now = model.now;
    let zone = model.zone.clone();
    let Some(form) = top_form(model) else {
        return;
    };
    if form.submitting.is_some() || form.reading_file {
        return;
    }
    if !form.validate(now, &zone) {
        form.error = Some("fix the marked fields".to_owned());
        if let Some(i) = form.fields.iter().position(|f| f.error.is_some()) {
            form.focus = i;
        }
        return;
    }
    form.error = None;
    if let Some(path) = form.value_file_to_read() {
        form.reading_file = true;
        fx.push(Effect::ReadValueFile(path));
        return;
    }
    match form.kind.clone() {
        FormKind::NewSecret | FormKind::NewVersion { .. } => {
            let Some(secret) = form.to_new_secret(now, &zone) else {
                return;
            };
            if let Some(from) = form.make_current_of.clone() {
                crate::app::details::make_current::confirm(model, secret, &from);
                return;
            }
            let id = model.send(
                fx,
                VaultCmd::Set(secret.clone()),
                Pending::Create { secret },
            );
            if let Some(form) = top_form(model) {
                form.submitting = Some(id);
            }
        }
        FormKind::Backup { name } => {
            let path = form.path();
            let pending = Pending::Backup { name: name.clone() };
            let cmd = VaultCmd::Backup {
                name,
                path,
                overwrite,
            };
            let id = model.send(fx, cmd, pending);
            if let Some(form) = top_form(model) {
                form.submitting = Some(id);
            }
        }
        FormKind::Export { names } => {
            let (path, Some(format)) = (form.path(), form.export_format()) else {
                return;
            };
            let cmd = VaultCmd::Export {
                names,
                format,
                path,
                overwrite,
            };
            let id = model.send(fx, cmd, Pending::Export);
            if let Some(form) = top_form(model) {
                form.submitting = Some(id);
            }
        }
        FormKind::Restore => {
            let path = form.path();
            let id = model.send(fx, VaultCmd::Restore { path }, Pending::Restore);
            if let Some(form) = top_form(model) {
                form.submitting = Some(id);
            }
        }
        FormKind::Properties { name, version } => {
            let Some(update) = form.to_update(now, &zone) else {
                return;
            };
            if update == crate::vault::PropsUpdate::default() {
                model.overlays.pop();
                model.toast(format!("nothing changed in {name}"), false);
                return;
            }
            let id = model.send(
                fx,
                VaultCmd::UpdateProps {
                    name,
                    version,
                    update,
                },
                Pending::Update,
            );
            if let Some(form) = top_form(model) {
                form.submitting = Some(id);
            }
        }
    }
}

/// Whether the form on top holds typed input (Esc and Ctrl-C then ask).
pub(crate) fn has_typed_input(model: &Model) -> bool {
    matches!(model.overlays.last(), Some(Overlay::Form(f)) if f.dirty)
}

/// `Esc`: closes at once when nothing was typed, else asks.
fn cancel(model: &mut Model) {
    let Some(form) = top_form(model) else {
        return;
    };
    if form.dirty {
        dialogs::push_confirm(
            model,
            "Discard this form?".to_owned(),
            vec![
                "What you typed will be lost.".to_owned(),
                "Esc again or Enter discards it; n goes back to the form.".to_owned(),
            ],
            ConfirmAction::DiscardForm,
            None,
            false,
        );
    } else {
        // A save already sent still lands: its answer updates the lists.
        model.overlays.pop();
    }
}

/// The open form waiting for `req`, if any.
pub(crate) fn form_waiting_for(model: &mut Model, req: crate::vault::ReqId) -> Option<&mut Form> {
    model.overlays.iter_mut().rev().find_map(|o| match o {
        Overlay::Form(f) if f.submitting == Some(req) => Some(f),
        _ => None,
    })
}

/// Closes the form waiting for `req` (it succeeded).
pub(crate) fn close_form_for(model: &mut Model, req: crate::vault::ReqId) {
    model
        .overlays
        .retain(|o| !matches!(o, Overlay::Form(f) if f.submitting == Some(req)));
}

/// The value file was read: submit with it, or show why it could not be.
pub(crate) fn on_file_read(
    model: &mut Model,
    fx: &mut Vec<Effect>,
    result: Result<SecretString, String>,
) {
    let Some(form) = top_form(model).filter(|f| f.reading_file) else {
        return;
    };
    form.reading_file = false;
    match result {
        Ok(value) if value.expose_secret().len() > MAX_VALUE_BYTES => {
            form.error = Some(format!(
                "the value file has {} bytes; Key Vault takes at most 25 KiB",
                value.expose_secret().len()
            ));
        }
        Ok(value) if value.expose_secret().is_empty() => {
            form.error = Some("the value file is empty".to_owned());
        }
        Ok(value) => {
            form.file_value = Some(value);
            submit(model, fx);
        }
        Err(e) => form.error = Some(e),
    }
}
