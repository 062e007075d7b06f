//! Render snapshots with `TestBackend` at 80×24 and 120×40, plus checks of the
//! colours that carry meaning (expired red, expiring yellow).

mod app_common;

use app_common::*;
use kvtui::app::{Model, Msg, update};
use kvtui::ui::{UiState, render};
use kvtui::vault::{ErrorKind, Secret, VaultEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use secrecy::SecretString;

fn draw(model: &Model, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut state = UiState::default();
    terminal.draw(|f| render(f, model, &mut state)).unwrap();
    terminal
}

/// Snapshots the model at both sizes.
fn snap(name: &str, model: &Model) {
    for (w, h) in [(80, 24), (120, 40)] {
        let text = draw(model, w, h).backend().to_string();
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
    }
}

#[test]
fn list() {
    snap("list", &loaded_model());
}

#[test]
fn list_filtered() {
    let mut model = loaded_model();
    press(&mut model, "/");
    type_text(&mut model, "pas");
    snap("list_filtered", &model);
}

#[test]
fn list_loading_with_marks() {
    let mut model = loaded_model();
    press(&mut model, "space space");
    let reqs = reqs_of(press(&mut model, "f5"));
    let list = reqs
        .iter()
        .find(|r| matches!(r.cmd, kvtui::vault::VaultCmd::ListSecrets))
        .unwrap()
        .id;
    update(
        &mut model,
        event(
            list,
            VaultEventKind::SecretsPage(sample_secrets()[..2].to_vec()),
        ),
    );
    snap("list_loading", &model);
}

#[test]
fn expiring_view() {
    let mut model = loaded_model();
    press(&mut model, "tab tab");
    snap("expiring", &model);
}

fn details_model() -> (Model, kvtui::vault::ReqId) {
    let mut model = loaded_model();
    press(&mut model, "j");
    let reqs = reqs_of(press(&mut model, "enter"));
    let id = reqs[0].id;
    let mut v1 = props("app-config");
    v1.version = Some("9f2c1a7e4b3d4c5e8f9a0b1c2d3e4f50".to_owned());
    let mut v2 = props("app-config");
    v2.version = Some("1a2b3c4d5e6f708192a3b4c5d6e7f809".to_owned());
    v2.created = Some(time::macros::datetime!(2025-03-02 11:00 UTC));
    v2.enabled = false;
    update(
        &mut model,
        event(id, VaultEventKind::SecretsPage(vec![v1, v2])),
    );
    update(&mut model, event(id, VaultEventKind::ListDone { count: 2 }));
    (model, id)
}

#[test]
fn details_masked() {
    let (model, _) = details_model();
    snap("details_masked", &model);
}

#[test]
fn details_shown_pretty_prints_json() {
    let (mut model, _) = details_model();
    let reqs = reqs_of(press(&mut model, "s"));
    let secret = Secret {
        props: props("app-config"),
        value: SecretString::from(r#"{"db":{"host":"db.internal","port":5432},"debug":false}"#),
    };
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::Secret(Box::new(secret))),
    );
    let text = draw(&model, 80, 24).backend().to_string();
    assert!(
        text.contains(r#""host": "db.internal""#),
        "pretty JSON expected:\n{text}"
    );
    snap("details_shown", &model);
}

#[test]
fn a_revealed_value_shows_its_lines_tabs_and_trailing_spaces() {
    let mut model = loaded_model();
    press(&mut model, "n tab");
    update(
        &mut model,
        Msg::Paste("-----BEGIN KEY-----\r\n\tindented  \r\nlast".into()),
    );
    let masked = draw(&model, 80, 24).backend().to_string();
    assert!(!masked.contains("indented"), "masked until revealed");
    press(&mut model, "ctrl-t");
    snap("form_value_revealed", &model);
    let text = draw(&model, 80, 24).backend().to_string();
    assert!(text.contains("␉indented␣␣"), "{text}");
    assert!(text.contains("3 lines"), "{text}");
}

#[test]
fn new_secret_form_with_errors() {
    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "bad_name");
    press(&mut model, "tab tab tab tab");
    type_text(&mut model, "env");
    press(&mut model, "ctrl-s");
    snap("form_new_errors", &model);
}

#[test]
fn new_secret_form_refused_by_the_vault() {
    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "db-password");
    press(&mut model, "tab");
    type_text(&mut model, "line one");
    press(&mut model, "ctrl-j");
    type_text(&mut model, "line two");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    update(
        &mut model,
        event(
            reqs[0].id,
            failure(
                ErrorKind::Forbidden,
                403,
                "ForbiddenByRbac",
                "The caller may not set secrets in this vault.",
            ),
        ),
    );
    snap("form_new_refused", &model);
}

#[test]
fn new_version_and_properties_forms() {
    let mut model = loaded_model();
    press(&mut model, "j j e");
    snap("form_new_version", &model);
    let mut model = loaded_model();
    press(&mut model, "j j p tab tab tab tab");
    type_text(&mut model, "soon");
    snap("form_properties_error", &model);
}

#[test]
fn deleted_view() {
    let mut model = loaded_model();
    press(&mut model, "tab");
    snap("deleted", &model);
}

#[test]
fn deleted_details() {
    let mut model = loaded_model();
    press(&mut model, "tab enter");
    snap("deleted_details", &model);
}

#[test]
fn delete_confirmation() {
    let mut model = loaded_model();
    press(&mut model, "j j d");
    snap("confirm_delete", &model);
}

#[test]
fn purge_confirmation() {
    let mut model = loaded_model();
    press(&mut model, "tab P");
    type_text(&mut model, "legacy");
    snap("confirm_purge", &model);
}

#[test]
fn conflict_dialog() {
    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "legacy-token");
    press(&mut model, "tab");
    type_text(&mut model, "v");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    update(
        &mut model,
        event(
            reqs[0].id,
            failure(
                ErrorKind::DeletedButRecoverable,
                409,
                "ObjectIsDeletedButRecoverable",
                "Secret legacy-token is currently in a deleted but recoverable state",
            ),
        ),
    );
    snap("conflict", &model);
}

#[test]
fn help_overlay() {
    let mut model = loaded_model();
    press(&mut model, "?");
    snap("help", &model);
}

#[test]
fn error_history() {
    let mut model = loaded_model();
    let reqs = reqs_of(press(&mut model, "f5"));
    update(
        &mut model,
        event(
            reqs[0].id,
            failure(
                ErrorKind::Throttled,
                429,
                "Throttled",
                "Too many requests; retry after 5 seconds.",
            ),
        ),
    );
    update(&mut model, Msg::Tick(NOW));
    press(&mut model, "!");
    snap("errors", &model);
}

fn row_fg(terminal: &Terminal<TestBackend>, needle: &str) -> Option<Color> {
    let buf = terminal.backend().buffer();
    let area = buf.area;
    for y in 0..area.height {
        let line: String = (0..area.width).map(|x| buf[(x, y)].symbol()).collect();
        if let Some(col) = line.find(needle) {
            return buf[(col as u16, y)].fg.into();
        }
    }
    None
}

#[test]
fn expired_rows_are_red_and_expiring_yellow() {
    let model = loaded_model();
    let t = draw(&model, 120, 40);
    assert_eq!(row_fg(&t, "old-cert"), Some(Color::Red));
    assert_eq!(
        row_fg(&t, "api-key"),
        Some(Color::Yellow).or(row_fg(&t, "api-key"))
    );
    // api-key is selected (reversed) and expiring: still yellow.
    assert_eq!(row_fg(&t, "api-key"), Some(Color::Yellow));
    assert_eq!(row_fg(&t, "db-password"), Some(Color::Reset));
}

#[test]
fn no_color_drops_colours() {
    let mut model = loaded_model();
    model.color = false;
    let t = draw(&model, 120, 40);
    assert_eq!(row_fg(&t, "old-cert"), Some(Color::Reset));
}

#[test]
fn vault_picker() {
    let mut model = loaded_model();
    model.add_vault("https://kv-prod.vault.azure.net", false);
    model.add_vault("https://localhost:8443", true);
    press(&mut model, "v down");
    snap("picker", &model);
}

#[test]
fn filter_matches_are_highlighted() {
    let mut model = loaded_model();
    press(&mut model, "/");
    type_text(&mut model, "pas");
    let t = draw(&model, 120, 40);
    let buf = t.backend().buffer();
    // Row 3 is the first data row: "  app-config" is not it; find db-password.
    let y = (0..40)
        .find(|&y| {
            let line: String = (0..120).map(|x| buf[(x, y)].symbol()).collect();
            line.contains("db-password")
        })
        .expect("db-password shown");
    let line: String = (0..120).map(|x| buf[(x, y)].symbol()).collect();
    let start = line.find("db-password").unwrap() as u16;
    let styled: String = (start..start + 11)
        .filter(|&x| buf[(x, y)].fg == Color::Yellow)
        .map(|x| buf[(x, y)].symbol().to_owned())
        .collect();
    assert_eq!(styled, "pas", "the matched letters are highlighted");
}

#[test]
fn a_version_view() {
    let (mut model, _) = details_model_pub();
    press(&mut model, "j enter");
    snap("details_version", &model);
}

fn details_model_pub() -> (Model, kvtui::vault::ReqId) {
    details_model()
}

#[test]
fn new_version_form_with_error() {
    let mut model = loaded_model();
    press(&mut model, "j j e ctrl-s");
    snap("form_new_version_error", &model);
}

#[test]
fn backup_and_restore_forms() {
    let mut model = loaded_model();
    press(&mut model, "j j b");
    snap("form_backup", &model);
    let mut model = loaded_model();
    press(&mut model, "R");
    type_text(&mut model, "db-password.kvbackup");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    update(
        &mut model,
        event(
            reqs[0].id,
            failure(
                ErrorKind::Conflict,
                409,
                "Conflict",
                "A secret named db-password already exists; delete and purge it first.",
            ),
        ),
    );
    snap("form_restore_refused", &model);
}

#[test]
fn discard_and_recover_confirmations() {
    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "half-typed");
    press(&mut model, "esc");
    snap("confirm_discard", &model);
    let mut model = loaded_model();
    press(&mut model, "tab r");
    snap("confirm_recover", &model);
}

/// Every screen draws at tiny sizes without panicking, also after the list
/// shrinks under a scrolled view.
#[test]
fn tiny_terminals_do_not_panic() {
    let (details, _) = details_model();
    let mut filtered = loaded_model();
    press(&mut filtered, "G");
    let mut conflict = loaded_model();
    press(&mut conflict, "n ? ");
    let mut screens = vec![loaded_model(), details, conflict];
    let mut state = UiState::default();
    let mut big = Terminal::new(TestBackend::new(80, 8)).unwrap();
    big.draw(|f| render(f, &filtered, &mut state)).unwrap();
    press(&mut filtered, "/");
    type_text(&mut filtered, "api-k");
    screens.push(filtered);
    for model in &screens {
        for (w, h) in [(1, 1), (10, 3), (20, 5), (30, 8), (200, 2)] {
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            let mut s = state.clone();
            t.draw(|f| render(f, model, &mut s)).unwrap();
        }
    }
}

#[test]
fn a_huge_paste_draws() {
    let mut model = loaded_model();
    press(&mut model, "n");
    update(&mut model, Msg::Paste("x".repeat(100_000)));
    press(&mut model, "tab tab tab tab");
    update(&mut model, Msg::Paste("k=v,".repeat(20_000)));
    for (w, h) in [(80, 24), (120, 40)] {
        let text = draw(&model, w, h).backend().to_string();
        assert!(text.contains("New secret"));
    }
    let mut model = loaded_model();
    press(&mut model, "/");
    update(&mut model, Msg::Paste("y".repeat(70_000)));
    draw(&model, 80, 24);
}

/// Draws like the run loop: a frame, then what it cut goes back to `update`.
fn frame_and_report(model: &mut Model, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut state = UiState::default();
    terminal.draw(|f| render(f, model, &mut state)).unwrap();
    update(model, kvtui::ui::details_overflow(&state));
    terminal.backend().to_string()
}

#[test]
fn a_long_value_shows_where_it_is_and_stops_at_its_last_line() {
    let (mut model, _) = details_model();
    let reqs = reqs_of(press(&mut model, "s"));
    let text: String = (1..=100).map(|i| format!("line {i}\n")).collect();
    let secret = Secret {
        props: props("app-config"),
        value: SecretString::from(text.trim_end().to_owned()),
    };
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::Secret(Box::new(secret))),
    );
    let first = frame_and_report(&mut model, 80, 24);
    assert!(first.contains("/100 lines"), "{first}");
    let mut screen = first.clone();
    for _ in 0..40 {
        press(&mut model, "pagedown");
        screen = frame_and_report(&mut model, 80, 24);
    }
    assert!(screen.contains("line 100"), "{screen}");
    assert!(screen.contains(" 100/100 lines"), "{screen}");
    press(&mut model, "pagedown");
    assert_eq!(
        frame_and_report(&mut model, 80, 24),
        screen,
        "stops at the end"
    );
    // One page up moves at once: no scrolling past the end to undo first.
    press(&mut model, "pageup");
    let up = frame_and_report(&mut model, 80, 24);
    assert!(!up.contains(" 100/100 lines"), "{up}");
}
