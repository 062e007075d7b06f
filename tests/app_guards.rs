//! Nothing saved that was not meant: a trailing line break is shown, a
//! version is disabled only after asking, invisible characters in a form are
//! drawn as in details, and an expiry about to pass is pointed out.

mod app_common;

use app_common::*;
use kvtui::app::{Model, Msg, Overlay, update};
use kvtui::ui::{UiState, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(model: &Model) -> String {
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let mut state = UiState::default();
    terminal.draw(|f| render(f, model, &mut state)).unwrap();
    terminal.backend().to_string()
}

fn form(model: &Model) -> &kvtui::app::forms::form::Form {
    match model.overlays.last() {
        Some(Overlay::Form(f)) => f,
        other => panic!("a form, not {other:?}"),
    }
}

#[test]
fn a_pasted_trailing_line_break_is_shown_in_the_form() {
    let mut model = loaded_model();
    press(&mut model, "n tab");
    update(&mut model, Msg::Paste("hunter2\n".to_owned()));
    assert_eq!(form(&model).fields[1].value(), "hunter2\n");
    let t = screen(&model);
    assert!(t.contains("2 lines · 8 bytes"), "{t}");
    assert!(t.contains("ends with a line break"), "{t}");
    press(&mut model, "backspace");
    assert!(!screen(&model).contains("ends with a line break"));
}

#[test]
fn a_form_draws_invisible_characters_as_details_do() {
    let mut model = loaded_model();
    press(&mut model, "n tab tab tab tab");
    update(&mut model, Msg::Paste("t=a\u{200b}b".to_owned()));
    assert_eq!(form(&model).fields[4].value(), "t=a\u{200b}b");
    let t = screen(&model);
    assert!(t.contains("t=a<U+200B>b"), "{t}");
}

#[test]
fn a_new_version_points_out_an_expiry_days_away() {
    let mut model = loaded_model();
    let mut soon = props("short-lived");
    soon.expires = Some(NOW + time::Duration::days(3) + time::Duration::hours(1));
    model.secrets_mut().upsert(soon);
    press(&mut model, "/");
    type_text(&mut model, "short-lived");
    press(&mut model, "enter e");
    let f = form(&model);
    let expires = f.fields.last().expect("the Expires field");
    let note = expires.note.as_deref().unwrap_or_default();
    assert!(note.contains("expires in 3 days"), "{note:?}");
    assert!(screen(&model).contains("expires in 3 days"));
    // Ten days away is no warning.
    press(&mut model, "esc esc");
    press(&mut model, "/");
    type_text(&mut model, "api-key");
    press(&mut model, "enter e");
    assert!(form(&model).fields.last().unwrap().note.is_none());
}

#[test]
fn ctrl_e_hands_the_value_to_the_editor_and_takes_its_text_back() {
    use secrecy::ExposeSecret;
    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "new-one");
    press(&mut model, "tab");
    type_text(&mut model, "draft");
    let fx = press(&mut model, "ctrl-e");
    let sent = fx.iter().find_map(|e| match e {
        kvtui::app::effect::Effect::EditValue(v) => Some(v.expose_secret().to_owned()),
        _ => None,
    });
    assert_eq!(sent.as_deref(), Some("draft"));
    update(
        &mut model,
        Msg::Edited(Ok(secrecy::SecretString::from("from the editor"))),
    );
    assert_eq!(form(&model).fields[1].value(), "from the editor");
    update(&mut model, Msg::Edited(Err("the editor failed".to_owned())));
    assert_eq!(form(&model).fields[1].value(), "from the editor", "kept");
    assert_eq!(form(&model).error.as_deref(), Some("the editor failed"));
    // From the details: a new version, its value written in the editor.
    press(&mut model, "esc esc");
    press(&mut model, "enter");
    let fx = press(&mut model, "ctrl-e");
    assert!(
        matches!(model.overlays.last(), Some(Overlay::Form(f)) if f.title().contains("New version"))
    );
    assert!(
        fx.iter()
            .any(|e| matches!(e, kvtui::app::effect::Effect::EditValue(_)))
    );
}

#[test]
fn esc_twice_leaves_a_form_with_typed_input() {
    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "half-typed");
    press(&mut model, "esc");
    assert!(
        matches!(model.overlays.last(), Some(Overlay::Confirm(_))),
        "Esc asks first"
    );
    press(&mut model, "n");
    assert_eq!(form(&model).fields[0].value(), "half-typed", "n goes back");
    press(&mut model, "esc esc");
    assert!(model.overlays.is_empty(), "Esc again leaves");
}
