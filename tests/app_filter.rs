//! The filter finds what was typed: exact, prefix and substring name matches
//! first whatever the sort, tags as `key=value` words, fuzzy matches only when
//! nothing matches literally; clearing keeps the row; `/` on a filter selects it.

mod app_common;

use app_common::*;
use kvtui::app::{Keymap, Model, Msg, update};
use kvtui::ui::{UiState, render};
use kvtui::vault::{SecretProps, VaultCmd, VaultEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn model_of(rows: Vec<SecretProps>) -> Model {
    let mut model = Model::new(VAULT, false, Keymap::default_keymap(), NOW);
    let reqs = reqs_of(update(&mut model, Msg::Start));
    let n = rows.len();
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::SecretsPage(rows)),
    );
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::ListDone { count: n }),
    );
    update(
        &mut model,
        event(reqs[1].id, VaultEventKind::ListDone { count: 0 }),
    );
    model
}

fn tagged(name: &str, tags: &[(&str, &str)], content_type: Option<&str>) -> SecretProps {
    let mut p = props(name);
    for (k, v) in tags {
        p.tags.insert((*k).to_owned(), (*v).to_owned());
    }
    p.content_type = content_type.map(str::to_owned);
    p
}

fn shown(model: &Model) -> Vec<String> {
    let rows = model.secrets();
    rows.visible
        .iter()
        .map(|&i| rows.items[i].name.to_string())
        .collect()
}

fn filter(model: &mut Model, text: &str) {
    press(model, "/");
    type_text(model, text);
}

#[test]
fn a_long_name_prefix_matches_exactly_the_names_that_hold_it() {
    let rows = (0..327)
        .map(|i| props(&format!("web-staging-secret-{i:05}")))
        .collect();
    let mut model = model_of(rows);
    filter(&mut model, "web-staging-secret-000");
    assert_eq!(model.secrets().visible.len(), 100, "not the fuzzy 327");
    // A filter nothing holds literally still finds fuzzy matches.
    press(&mut model, "esc");
    filter(&mut model, "wss00326");
    assert_eq!(shown(&model), ["web-staging-secret-00326"]);
}

#[test]
fn tags_match_as_words_never_across_fields() {
    let mut model = model_of(vec![
        tagged("db-password", &[("class", "s")], Some("text/plain")),
        tagged("api-cert", &[("kind", "tls")], None),
        props("tls-cert"),
        props("totally-secret"),
        props("edge-tls-key"),
    ]);
    filter(&mut model, "tls");
    assert_eq!(shown(&model), ["tls-cert", "edge-tls-key", "api-cert"]);
    press(&mut model, "esc");
    // A tag is found as its key=value word.
    filter(&mut model, "kind=tls");
    assert_eq!(shown(&model), ["api-cert"]);
}

#[test]
fn name_matches_rank_first_whatever_the_sort() {
    let mut model = model_of(vec![
        tagged("legacy-api-key", &[("status", "retired")], None),
        props("retired-service-key"),
        props("old-retired"),
    ]);
    filter(&mut model, "retired");
    assert_eq!(
        shown(&model),
        ["retired-service-key", "old-retired", "legacy-api-key"]
    );
    let reqs = reqs_of(press(&mut model, "enter enter"));
    assert!(
        matches!(only_cmd(&reqs).1, VaultCmd::ListVersions { name } if name.as_str() == "retired-service-key"),
        "{reqs:?}"
    );
    press(&mut model, "esc");
    // Another sort keeps the name matches first.
    press(&mut model, "s");
    assert_eq!(shown(&model)[..2], ["retired-service-key", "old-retired"]);
    assert_eq!(shown(&model)[2], "legacy-api-key");
}

#[test]
fn clearing_the_filter_keeps_the_selected_row() {
    let mut model = loaded_model();
    filter(&mut model, "pass");
    press(&mut model, "enter");
    assert_eq!(selected_name(&model), "db-password");
    press(&mut model, "esc");
    assert!(model.secrets().filter.is_empty());
    assert_eq!(
        selected_name(&model),
        "db-password",
        "the row stays selected"
    );
    assert_eq!(model.secrets().visible.len(), 5);
}

#[test]
fn slash_on_a_filter_selects_it_so_typing_replaces_it() {
    let mut model = loaded_model();
    filter(&mut model, "db");
    press(&mut model, "enter");
    press(&mut model, "/");
    assert!(model.filter_selected);
    type_text(&mut model, "api");
    assert_eq!(model.secrets().filter, "api");
    press(&mut model, "enter");
    // A movement key first keeps the text and edits it.
    press(&mut model, "/ end");
    type_text(&mut model, "-key");
    assert_eq!(model.secrets().filter, "api-key");
}

#[test]
fn the_filter_hint_names_its_syntax() {
    let mut model = loaded_model();
    press(&mut model, "/");
    let mut terminal = Terminal::new(TestBackend::new(120, 24)).unwrap();
    let mut state = UiState::default();
    terminal.draw(|f| render(f, &model, &mut state)).unwrap();
    let t = terminal.backend().to_string();
    assert!(t.contains("'exact") && t.contains("^start"), "{t}");
}

#[test]
fn x_with_no_mark_and_no_filter_exports_the_selected_row_as_help_says() {
    let mut model = loaded_model();
    press(&mut model, "j x");
    let Some(kvtui::app::Overlay::Form(form)) = model.overlays.last() else {
        panic!("the export form opens");
    };
    assert!(form.title().contains("app-config"), "{}", form.title());
    let help = model.keymap.help(kvtui::app::keymap::Mode::List);
    assert!(
        help.iter()
            .any(|h| h.desc.contains("no mark, no filter) the selected one")),
        "{help:?}"
    );
}
