//! `update`: the pure state machine. Keys and vault events in, the model
//! changed and the commands for the worker out. No I/O, no clock, no terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use time::Duration;
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use super::answers as events;
use super::details::keys as details;
use super::dialogs;
use super::effect::Effect;
use super::forms::editor::normalize_line_breaks;
use super::forms::form::FieldText;
use super::forms::keys as forms;
use super::keymap::{Action, Mode};
use super::lists::cache_sync;
use super::model::{ConfirmAction, Model, Msg, Overlay, Pending};
use crate::vault::{SecretName, VaultCmd};

/// Applies one message and returns the side effects to carry out, in order.
pub fn update(model: &mut Model, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Start => {
            cache_sync::open_lists(model, &mut fx);
            if model.picker_at_start {
                model.open_picker(&mut fx);
            }
        }
        Msg::Discovery(event) => model.on_discovery(&mut fx, event, false),
        Msg::AzureDiscovery(event) => model.on_discovery(&mut fx, event, true),
        Msg::Doctor { url, report } => super::access::on_report(model, &url, report),
        Msg::Across(event) => super::across::on_event(model, &mut fx, event),
        Msg::OtherCachesLoaded(lists) => super::find::on_other_caches(model, lists),
        Msg::VaultOpened { label, is_local } => model.on_vault_opened(&mut fx, label, is_local),
        Msg::VaultOpenFailed { url, reason } => model.on_vault_open_failed(url, reason),
        Msg::CacheLoaded { route, lists } => cache_sync::cache_loaded(model, route, lists),
        Msg::Key(key) => on_key(model, &mut fx, key),
        Msg::Vault(event) => events::on_event(model, &mut fx, event),
        Msg::SendFailed { id, reason } => events::on_send_failed(model, &mut fx, id, reason),
        Msg::WorkerStopped { route } => events::on_worker_stopped(model, &mut fx, route),
        Msg::Tick(now) => {
            model.now = now;
            model.spinner = model.spinner.wrapping_add(1);
            super::lists::bulk::tick(model, &mut fx);
            if model.undo.as_ref().is_some_and(|u| now > u.until) {
                model.undo = None;
            }
            if let Some(t) = &mut model.toast {
                t.ticks_left = t.ticks_left.saturating_sub(1);
                if t.ticks_left == 0 {
                    model.toast = None;
                }
            }
        }
        Msg::PageRows(rows) => model.page_rows = rows.max(1),
        Msg::OverlayMax(max) => {
            model.overlay_max = Some(max);
            if let Some(Overlay::Help { scroll } | Overlay::Errors { scroll }) =
                model.overlays.last_mut()
            {
                *scroll = (*scroll).min(max);
            }
        }
        Msg::DetailsOverflow { props, value } => {
            if let Some(d) = &mut model.details {
                d.props_overflow = props;
                d.props_scroll = d.props_scroll.min(props);
                d.value_overflow = value;
                d.scroll = d.scroll.min(u16::try_from(value).unwrap_or(u16::MAX));
            }
        }
        // The next frame measures the list; `PageRows` follows.
        Msg::Resize { .. } => {}
        Msg::Paste(text) => on_paste(model, &text),
        Msg::FileRead(result) => forms::on_file_read(model, &mut fx, result),
        Msg::Edited(result) => super::forms::external_edit::edited(model, result),
        Msg::SelectRow(index) => {
            if model.overlays.is_empty() && model.details.is_none() {
                model.list_mut().select(index);
            }
        }
        Msg::OpenRow(index) => {
            if model.overlays.is_empty() && model.details.is_none() {
                model.list_mut().select(index);
                details::open(model, &mut fx);
            }
        }
        Msg::SelectView(view) => {
            if model.overlays.is_empty() {
                // Closing details also stops their requests and drops the value.
                while model.details.is_some() {
                    details::on_action(model, &mut fx, Action::Back);
                }
                model.filter_input = None;
                model.filter_before = None;
                model.view = view;
            }
        }
    }
    model.after_update();
    cache_sync::save_changed(model, &mut fx);
    fx
}

/// Reloads both lists, stopping any listing still running.
pub(crate) fn refresh(model: &mut Model, fx: &mut Vec<Effect>) {
    if let Some(old) = model.secrets_mut().loading.take() {
        model.cancel(fx, old);
    }
    if let Some(old) = model.deleted_mut().loading.take() {
        model.cancel(fx, old);
    }
    let now = model.now;
    let id = model.send(fx, VaultCmd::ListSecrets, Pending::ListSecrets);
    model.secrets_mut().begin_load(id, now);
    let id = model.send(fx, VaultCmd::ListDeleted, Pending::ListDeleted);
    model.deleted_mut().begin_load(id, now);
    model.progress = Some("loading…".to_owned());
}

fn on_key(model: &mut Model, fx: &mut Vec<Effect>, key: KeyEvent) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    let mode = model.mode();
    let action = model.keymap.action(mode, &key);
    if action == Some(Action::Quit) {
        // Ctrl-C in a form with typed input asks first, as Esc does.
        if mode == Mode::Form && forms::has_typed_input(model) {
            forms::on_key(model, fx, key, Some(Action::Cancel));
        } else {
            fx.push(Effect::Quit);
        }
        return;
    }
    match mode {
        Mode::Filter => on_filter_key(model, key, action),
        Mode::Form => forms::on_key(model, fx, key, action),
        Mode::Confirm | Mode::TypedConfirm | Mode::Conflict | Mode::Picker | Mode::Dialog => {
            dialogs::on_key(model, fx, key, action)
        }
        Mode::Help => {
            if !super::text_search::on_key(model, key, action) {
                on_help_key(model, fx, action);
            }
        }
        Mode::VaultCompare => match action {
            Some(Action::Help) => model.overlays.push(Overlay::Help { scroll: 0 }),
            Some(action) => super::across::view::on_action(model, fx, action),
            None => {}
        },
        Mode::CopyPlan => {
            if let Some(action) = action {
                super::across::copy::on_action(model, fx, action);
            }
        }
        Mode::Compare => {
            if let Some(action) = action {
                super::details::versions::on_compare_action(model, fx, action);
            }
        }
        Mode::Details | Mode::DeletedDetails => {
            if let Some(action) = action {
                details::on_action(model, fx, action);
            }
        }
        Mode::List | Mode::Deleted | Mode::Lists | Mode::Global => {
            if let Some(action) = action {
                on_list_action(model, fx, action);
            }
        }
    }
}

fn on_paste(model: &mut Model, text: &str) {
    if let Some(Overlay::Form(form)) = model.overlays.last_mut() {
        if form.submitting.is_some() {
            return;
        }
        let Some(field) = form.fields.get_mut(form.focus) else {
            return;
        };
        if field.kind == super::forms::form::FieldKind::ValueFile {
            form.file_value = None;
        }
        match &mut field.text {
            // The value keeps every character; only line breaks are made LF.
            FieldText::Lines(editor) => editor.insert_str(&normalize_line_breaks(text)),
            FieldText::Line(_) if text.contains(['\r', '\n']) => {
                form.error = Some(format!(
                    "{} is one line: the paste has line breaks, so nothing was inserted",
                    field.label()
                ));
                return;
            }
            FieldText::Line(input) => insert_at_cursor(input, text),
            // Nothing to paste into a yes/no flag.
            FieldText::Flag(_) => return,
        }
        form.dirty = true;
        form.error = None;
        forms::revalidate_focused(model);
    } else if let Some(input) = &mut model.filter_input {
        if std::mem::take(&mut model.filter_selected) {
            *input = Input::default();
        }
        let clean: String = text.chars().filter(|c| !c.is_control()).collect();
        insert_at_cursor(input, &clean);
        let text = input.value().to_owned();
        set_filter(model, &text);
    }
}

/// Inserts pasted text in one step: one character at a time is quadratic,
/// and a large paste would freeze the screen.
fn insert_at_cursor(input: &mut Input, text: &str) {
    let value = input.value();
    let cursor = input.cursor();
    let at = value
        .char_indices()
        .nth(cursor)
        .map_or(value.len(), |(i, _)| i);
    let mut joined = String::with_capacity(value.len() + text.len());
    joined.push_str(&value[..at]);
    joined.push_str(text);
    joined.push_str(&value[at..]);
    *input = Input::new(joined).with_cursor(cursor + text.chars().count());
}

fn set_filter(model: &mut Model, text: &str) {
    model.list_mut().set_filter(text);
}

/// In the filter: `Enter` keeps it and returns to the list, `Esc` drops the
/// edit and puts back the filter kept before; other keys edit the text.
fn on_filter_key(model: &mut Model, key: KeyEvent, action: Option<Action>) {
    match action {
        Some(Action::Confirm) => {
            model.filter_input = None;
            model.filter_before = None;
            model.filter_selected = false;
        }
        Some(Action::Back) => {
            model.filter_input = None;
            model.filter_selected = false;
            let kept = model.filter_before.take().unwrap_or_default();
            if model.list().filter() != kept {
                set_filter(model, &kept);
            }
        }
        Some(Action::Down) => model.list_mut().nav(1),
        Some(Action::Up) => model.list_mut().nav(-1),
        _ => {
            let selected = std::mem::take(&mut model.filter_selected);
            let Some(input) = &mut model.filter_input else {
                return;
            };
            // The selected filter goes at the first character or deletion.
            let typed = matches!(key.code, KeyCode::Char(_))
                && !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
            if selected && (typed || matches!(key.code, KeyCode::Backspace | KeyCode::Delete)) {
                *input = Input::default();
                if !typed {
                    set_filter(model, "");
                    return;
                }
            }
            let Some(input) = &mut model.filter_input else {
                return;
            };
            if let Some(req) = to_input_request(&crossterm::event::Event::Key(key))
                && input.handle(req).is_some_and(|c| c.value)
            {
                let text = input.value().to_owned();
                set_filter(model, &text);
            }
        }
    }
}

fn on_help_key(model: &mut Model, fx: &mut Vec<Effect>, action: Option<Action>) {
    let page = model.page_rows;
    // Lines the overlay holds, so scrolling stops at its end.
    let help_lines: usize = Mode::ALL
        .iter()
        .map(|m| model.keymap.help(*m).len() + 2)
        .sum();
    let error_lines = model.errors.len() * 2;
    let (scroll, lines) = match model.overlays.last_mut() {
        Some(Overlay::Help { scroll }) => (scroll, help_lines),
        Some(Overlay::Errors { scroll }) => (scroll, error_lines),
        Some(Overlay::Access(panel)) => {
            let lines = panel.line_count();
            (&mut panel.scroll, lines)
        }
        _ => return,
    };
    // The frame says how far the box scrolls; past it a key would do nothing
    // visible, and as many keys back would be spent before it moved again.
    let lines = model.overlay_max.map_or(lines, |max| lines.min(max + 1));
    match action {
        Some(Action::Back) => {
            model.overlays.pop();
            model.text_search = None;
        }
        Some(Action::Down) => *scroll = (*scroll + 1).min(lines.saturating_sub(1)),
        Some(Action::Up) => *scroll = scroll.saturating_sub(1),
        Some(Action::PageDown) => *scroll = (*scroll + page).min(lines.saturating_sub(1)),
        Some(Action::PageUp) => *scroll = scroll.saturating_sub(page),
        Some(Action::Quit) => fx.push(Effect::Quit),
        _ => {}
    }
}

fn on_list_action(model: &mut Model, fx: &mut Vec<Effect>, action: Action) {
    let page = model.page_rows as isize;
    match action {
        Action::Down => model.list_mut().nav(1),
        Action::Up => model.list_mut().nav(-1),
        Action::PageDown => model.list_mut().nav(page),
        Action::PageUp => model.list_mut().nav(-page),
        Action::HalfPageDown => model.list_mut().nav((page / 2).max(1)),
        Action::HalfPageUp => model.list_mut().nav(-(page / 2).max(1)),
        Action::Top => model.list_mut().nav(isize::MIN),
        Action::Bottom => model.list_mut().nav(isize::MAX),
        Action::Mark => {
            model.list_mut().toggle_mark();
            model.list_mut().nav(1);
        }
        Action::MarkAll => model.list_mut().mark_visible(),
        Action::ClearMarks => model.list_mut().clear_marks(),
        Action::Filter => {
            let kept = model.list().filter().to_owned();
            model.filter_selected = !kept.is_empty();
            model.filter_input = Some(Input::new(kept.clone()));
            model.filter_before = Some(kept);
        }
        // One thing at a time: the filter first, the marks once it is gone.
        Action::Back if !model.list().filter().is_empty() => model.list_mut().set_filter(""),
        Action::Back => model.list_mut().clear_marks(),
        Action::Sort => {
            let next = model.list().sort().next();
            model.list_mut().set_sort(next);
        }
        Action::ReverseSort => model.list_mut().reverse(),
        Action::Undo => undo_delete(model, fx),
        Action::ToggleMouse => {
            model.mouse = !model.mouse;
            fx.push(Effect::MouseCapture(model.mouse));
            let text = if model.mouse {
                "mouse on: click rows and tabs"
            } else {
                "mouse off: the terminal selects text (M turns it back on)"
            };
            model.toast(text, false);
        }
        Action::SwitchView => model.switch_view(),
        Action::Details => details::open(model, fx),
        action => on_secret_action(model, fx, action),
    }
}

/// Actions on the selected (or marked) secrets, and the screens anywhere.
fn on_secret_action(model: &mut Model, fx: &mut Vec<Effect>, action: Action) {
    let live = model.view.is_live();
    let selected = model.list().selected_props().cloned();
    match action {
        Action::New => model
            .overlays
            .push(Overlay::Form(super::forms::form::Form::new_secret())),
        Action::NewVersion | Action::Properties if live => {
            if let Some(props) = selected
                && !model.refuse_if_managed(&props)
            {
                forms::open(model, action, &props);
            }
        }
        Action::Delete if live => {
            let names = model.list().target_names();
            if !model.refuse_if_any_managed(&names) {
                confirm_delete(model);
            }
        }
        Action::ToggleManaged => model.toggle_managed(),
        Action::ToggleNoExpiry => model.toggle_no_expiry(),
        Action::FindEverywhere => model.open_find(fx),
        Action::CompareVaults => super::across::choose::open(model),
        Action::ExpiringEverywhere => super::across::expiring::open(model, fx),
        Action::Backup if live => {
            if let Some(props) = selected {
                model
                    .overlays
                    .push(Overlay::Form(super::forms::form::Form::backup(&props.name)));
            }
        }
        Action::Export if live => {
            let names = export_targets(model);
            if !names.is_empty() {
                model
                    .overlays
                    .push(Overlay::Form(super::forms::form::Form::export(names)));
            }
        }
        Action::Restore => model
            .overlays
            .push(Overlay::Form(super::forms::form::Form::restore())),
        Action::Recover if !live => {
            let names = model.deleted().targets();
            dialogs::confirm_recover(model, names)
        }
        Action::Purge if !live => {
            let names = model.deleted().targets();
            if !model.refuse_if_purge_protected(&names) {
                dialogs::confirm_purge(model, names);
            }
        }
        Action::CopyValue if live => {
            if let Some(props) = selected {
                details::copy_value(model, fx, &props.name, None);
            }
        }
        Action::CopyName => {
            if let Some(name) = model.list().selected_props().map(|p| p.name.to_string()) {
                details::copy(model, fx, name, "name");
            }
        }
        Action::CopyId => {
            let id = if live {
                selected.map(|p| p.id)
            } else {
                model
                    .deleted()
                    .selected_item()
                    .and_then(|d| d.recovery_id.clone())
            };
            if let Some(id) = id {
                details::copy(model, fx, id, "id");
            }
        }
        Action::Refresh => {
            // A local vault's token file may have been fixed meanwhile.
            if model
                .vaults
                .get(model.active_vault)
                .is_some_and(|v| v.is_local)
            {
                fx.push(Effect::Vault {
                    route: model.active_vault,
                    input: crate::vault::WorkerInput::Reread,
                });
            }
            refresh(model, fx)
        }
        Action::Vaults => model.open_picker(fx),
        Action::Help => model.overlays.push(Overlay::Help { scroll: 0 }),
        Action::Errors => model.overlays.push(Overlay::Errors { scroll: 0 }),
        Action::Access => super::access::open(model, fx),
        Action::DismissWelcome => {
            if let Some(welcome) = model.welcome.take() {
                fx.push(Effect::RememberWelcomeDismissed(welcome.marker));
            }
        }
        Action::Quit => fx.push(Effect::Quit),
        _ => {}
    }
}

/// What `x` exports: the marked rows, else every row the filter shows, else
/// the selected one.
fn export_targets(model: &Model) -> Vec<SecretName> {
    let list = model.list();
    if list.marked_count() == 0 && !list.filter().is_empty() {
        return (0..list.len())
            .filter_map(|i| list.props_at(i).map(|p| p.name.clone()))
            .collect();
    }
    list.target_names()
}

/// Asks before deleting the marked secrets (or the selected one).
fn confirm_delete(model: &mut Model) {
    let names: Vec<SecretName> = model.list().target_names();
    let Some(first) = names.first() else {
        return;
    };
    let days = model
        .secrets()
        .find(first.as_str())
        .and_then(|p| p.recoverable_days)
        .unwrap_or(90);
    let until = model
        .zone
        .date(Some(model.now + Duration::days(i64::from(days))));
    let title = if names.len() == 1 {
        format!("Delete {first}?")
    } else {
        format!("Delete {} secrets?", names.len())
    };
    let mut lines: Vec<String> = names.iter().take(8).map(|n| format!("  {n}")).collect();
    if names.len() > 8 {
        lines.push(format!("  … and {} more", names.len() - 8));
    }
    lines.extend(dialogs::hidden_marks_line(model));
    lines.push(String::new());
    let span = super::format::count(usize::try_from(days).unwrap_or(0), "day", "days");
    lines.push(format!("It stays recoverable until {until} ({span})."));
    lines.push("Find it in the Deleted view (Tab) to recover or purge it.".to_owned());
    dialogs::push_confirm(
        model,
        title,
        lines,
        ConfirmAction::Delete(names),
        None,
        false,
    );
}

/// `u` after a delete: recovers what it removed, while the offer stands.
fn undo_delete(model: &mut Model, fx: &mut Vec<Effect>) {
    if super::lists::bulk::undo_running(model, fx) {
        return;
    }
    let Some(undo) = model.undo.take() else {
        model.toast("nothing to undo", false);
        return;
    };
    if undo.route != model.active_vault || model.now > undo.until {
        model.toast("nothing to undo", false);
        return;
    }
    dialogs::recover(model, fx, undo.names);
}
