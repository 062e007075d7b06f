//! Flows that finish: the date forms a field takes shown before any error,
//! a backup that asks before overwriting, a restore onto a taken name.
//! Snapshots at 80×24 and 60×15.

mod app_common;

use app_common::*;
use kvtui::app::Model;
use kvtui::app::Overlay;
use kvtui::app::forms::form::FieldId;
use kvtui::ui::{UiState, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(model: &Model, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut state = UiState::default();
    terminal.draw(|f| render(f, model, &mut state)).unwrap();
    terminal.backend().to_string()
}

fn snap(name: &str, model: &Model) {
    for (w, h) in [(80, 24), (60, 15)] {
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen(model, w, h));
    }
}

fn focused(model: &Model) -> Option<FieldId> {
    match model.overlays.last() {
        Some(Overlay::Form(f)) => f.fields.get(f.focus).map(|f| f.id),
        _ => None,
    }
}

#[test]
fn a_date_field_shows_its_forms_before_any_error() {
    let mut model = loaded_model();
    press(&mut model, "p");
    while focused(&model) != Some(FieldId::Expires) {
        press(&mut model, "tab");
    }
    press(&mut model, "ctrl-u");
    let text = screen(&model, 80, 24);
    assert!(text.contains("YYYY-MM-DD[THH:MM[:SS]] UTC"), "{text}");
    assert!(text.contains("+12h +30d +2w +6m +1y"), "{text}");
    type_text(&mut model, "next tuesday");
    let text = screen(&model, 80, 24);
    let hint = text.find("+12h +30d").expect("the hint stays");
    let error = text.find("is not a date").expect("the error shows");
    assert!(hint < error, "the forms come before the error:\n{text}");
    snap("date_hint_and_error", &model);
}

#[test]
fn a_backup_onto_an_existing_file_asks_on_screen() {
    let mut model = loaded_model();
    press(&mut model, "b");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    let exists = kvtui::vault::VaultError::new(
        kvtui::vault::ErrorKind::FileExists,
        "/home/ann/api-key.kvbackup already exists",
    );
    kvtui::app::update(
        &mut model,
        event(reqs[0].id, kvtui::vault::VaultEventKind::Failed(exists)),
    );
    let text = screen(&model, 80, 24);
    assert!(text.contains("Replace the existing file?"), "{text}");
    snap("backup_overwrite", &model);
}

#[test]
fn a_restore_onto_a_deleted_name_shows_recover_or_purge() {
    let mut model = loaded_model();
    press(&mut model, "R");
    type_text(&mut model, "legacy.kvbackup");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    kvtui::app::update(
        &mut model,
        event(
            reqs[0].id,
            failure(
                kvtui::vault::ErrorKind::DeletedButRecoverable,
                409,
                "ObjectIsDeletedButRecoverable",
                "Secret legacy-token is currently in a deleted but recoverable state",
            ),
        ),
    );
    let text = screen(&model, 80, 24);
    assert!(text.contains("Purge it and restore it"), "{text}");
    snap("restore_conflict", &model);
}
