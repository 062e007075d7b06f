//! `F`, find everywhere, through `update` and `render` alone: names, tags
//! and content types of every open vault's list, the vault beside each match,
//! `Enter` switching to that vault with the secret selected.

mod app_common;

use app_common::*;
use kvtui::app::find::find_rows;
use kvtui::app::model::Overlay;
use kvtui::ui::{UiState, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const PROD: &str = "https://kv-prod.vault.azure.net";

fn two_vaults() -> kvtui::app::Model {
    let mut model = loaded_model();
    model.add_vault(PROD, false);
    let mut db = props("prod-db-password");
    db.tags.insert("owner".into(), "payments".into());
    let mut cert = props("web-cert");
    cert.content_type = Some("application/x-pem-file".into());
    let rows = &mut model.vaults[1].secrets;
    rows.push_page(vec![db, cert, props("zzz-other")]);
    rows.finish_load();
    model
}

fn screen(model: &kvtui::app::Model) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).expect("terminal");
    let mut state = UiState::default();
    terminal
        .draw(|f| render(f, model, &mut state))
        .expect("draw");
    terminal.backend().to_string()
}

#[test]
fn f_finds_names_tags_and_content_types_in_every_open_vault() {
    let mut model = two_vaults();
    press(&mut model, "F");
    assert!(matches!(model.overlays.last(), Some(Overlay::Find(_))));
    type_text(&mut model, "db");
    let found: Vec<(String, String)> = find_rows(&model, "db")
        .into_iter()
        .map(|r| (r.vault, r.name))
        .collect();
    assert_eq!(
        found,
        [
            (VAULT.to_string(), "db-password".to_string()),
            (PROD.to_string(), "prod-db-password".to_string()),
        ]
    );
    let why = |q: &str| {
        find_rows(&model, q)
            .into_iter()
            .map(|r| format!("{} {}", r.name, r.why))
            .collect::<Vec<_>>()
    };
    assert_eq!(why("payments"), ["prod-db-password tag owner=payments"]);
    assert_eq!(
        why("x-pem"),
        [
            "old-cert content type application/x-pem-file",
            "web-cert content type application/x-pem-file"
        ]
    );
    let shown = screen(&model);
    assert!(shown.contains("Find everywhere (2)"), "{shown}");
    assert!(
        shown.contains("prod-db-password") && shown.contains(PROD),
        "{shown}"
    );
}

#[test]
fn enter_opens_that_vault_on_that_secret() {
    let mut model = two_vaults();
    press(&mut model, "F");
    type_text(&mut model, "db");
    press(&mut model, "down enter");
    assert!(model.overlays.is_empty());
    assert_eq!(model.vault_label(), PROD);
    assert_eq!(selected_name(&model), "prod-db-password");

    // And back to the first vault.
    press(&mut model, "F");
    type_text(&mut model, "api-key");
    press(&mut model, "enter");
    assert_eq!(model.vault_label(), VAULT);
    assert_eq!(selected_name(&model), "api-key");
    press(&mut model, "F");
    type_text(&mut model, "nothing-like-it");
    assert!(screen(&model).contains("no secret in an open vault matches"));
    press(&mut model, "esc");
    assert!(model.overlays.is_empty());
}
