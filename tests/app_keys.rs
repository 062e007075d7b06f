//! The pure update, keys people expect: marks that survive the filter,
//! reverse sort, undo after a delete, recover and purge from a deleted
//! secret's details, Ctrl-C in a form, the mouse.

mod app_common;

use app_common::*;
use kvtui::app::effect::Effect;
use kvtui::app::keymap::Mode;
use kvtui::app::{Msg, Overlay, View, update};
use kvtui::vault::{VaultCmd, VaultEventKind};
use time::Duration;

fn visible_names(model: &kvtui::app::Model) -> Vec<String> {
    let list = model.list();
    (0..list.len())
        .filter_map(|i| list.props_at(i).map(|p| p.name.to_string()))
        .collect()
}

fn confirm_text(model: &kvtui::app::Model) -> String {
    match model.overlays.last() {
        Some(Overlay::Confirm(c)) => format!("{}\n{}", c.title, c.lines.join("\n")),
        other => panic!("no confirmation on top: {other:?}"),
    }
}

#[test]
fn esc_clears_the_filter_first_and_keeps_the_marks() {
    let mut model = loaded_model();
    press(&mut model, "space space");
    assert_eq!(model.list().marked_count(), 2);
    press(&mut model, "/");
    type_text(&mut model, "config");
    press(&mut model, "enter esc");
    assert_eq!(model.list().filter(), "");
    assert_eq!(
        model.list().marked_count(),
        2,
        "Esc on a filter keeps marks"
    );
    press(&mut model, "esc");
    assert_eq!(model.list().marked_count(), 0, "then Esc clears the marks");
}

#[test]
fn marks_hidden_by_the_filter_are_counted_where_they_act() {
    let mut model = loaded_model();
    // api-key and app-config, then a filter that shows only db-password.
    press(&mut model, "space space");
    press(&mut model, "/");
    type_text(&mut model, "db-pass");
    press(&mut model, "enter");
    assert_eq!(model.list().hidden_marked(), 2);
    press(&mut model, "d");
    let text = confirm_text(&model);
    assert!(text.contains("Delete 2 secrets?"), "{text}");
    assert!(
        text.contains("2 of them are hidden by the filter"),
        "{text}"
    );
}

#[test]
fn a_key_marks_every_shown_row_and_one_clears_them() {
    let mut model = loaded_model();
    press(&mut model, "/");
    // feature-flag has no "a" followed by a "p" anywhere.
    type_text(&mut model, "ap");
    press(&mut model, "enter");
    let shown = model.list().len();
    assert!((2..5).contains(&shown), "{shown}");
    press(&mut model, "A");
    assert_eq!(model.list().marked_count(), shown);
    assert_eq!(model.list().hidden_marked(), 0);
    press(&mut model, "U");
    assert_eq!(model.list().marked_count(), 0);
}

#[test]
fn reverse_sort_turns_the_order_around_and_back() {
    let mut model = loaded_model();
    let forward = visible_names(&model);
    press(&mut model, "O");
    let mut backward = visible_names(&model);
    assert!(model.list().reversed());
    backward.reverse();
    assert_eq!(backward, forward);
    press(&mut model, "O");
    assert_eq!(visible_names(&model), forward);
}

#[test]
fn undo_recovers_what_the_last_delete_removed_while_offered() {
    let mut model = loaded_model();
    let reqs = reqs_of(press(&mut model, "d enter"));
    let (id, cmd) = only_cmd(&reqs);
    let VaultCmd::Delete { name } = cmd else {
        panic!("{cmd:?}")
    };
    let name = name.to_string();
    update(
        &mut model,
        event(id, VaultEventKind::Deleted(Box::new(deleted(&name)))),
    );
    let toast = model.toast.clone().unwrap();
    assert!(toast.text.contains("u undo"), "{}", toast.text);
    let hints = model.keymap.hints(Mode::List);
    assert!(hints.iter().any(|h| h.text() == "u undo"), "{hints:?}");

    let reqs = reqs_of(press(&mut model, "u"));
    let (_, cmd) = only_cmd(&reqs);
    assert!(
        matches!(cmd, VaultCmd::Recover { name: n } if n.as_str() == name),
        "{cmd:?}"
    );
    assert!(model.undo.is_none());
    assert!(reqs_of(press(&mut model, "u")).is_empty(), "only once");
}

#[test]
fn the_undo_offer_expires() {
    let mut model = loaded_model();
    let reqs = reqs_of(press(&mut model, "d enter"));
    let (id, _) = only_cmd(&reqs);
    update(
        &mut model,
        event(id, VaultEventKind::Deleted(Box::new(deleted("api-key")))),
    );
    assert!(model.undo.is_some());
    update(&mut model, Msg::Tick(NOW + Duration::seconds(30)));
    assert!(model.undo.is_none());
    assert!(!model.offers(kvtui::app::keymap::Action::Undo));
    assert!(reqs_of(press(&mut model, "u")).is_empty());
}

#[test]
fn a_deleted_secrets_details_recover_and_purge() {
    let mut model = loaded_model();
    press(&mut model, "tab enter");
    assert_eq!(model.mode(), Mode::DeletedDetails);
    press(&mut model, "r");
    assert!(confirm_text(&model).contains("Recover legacy-token?"));
    let reqs = reqs_of(press(&mut model, "enter"));
    assert!(
        matches!(&only_cmd(&reqs).1, VaultCmd::Recover { name } if name.as_str() == "legacy-token")
    );
    assert!(model.details.is_none(), "details close once recovered");

    let mut model = loaded_model();
    press(&mut model, "tab enter P");
    assert_eq!(model.mode(), Mode::TypedConfirm);
    // Key Vault names are case-insensitive, and so is the typed one.
    type_text(&mut model, "LEGACY-TOKEN");
    let reqs = reqs_of(press(&mut model, "enter"));
    assert!(matches!(&only_cmd(&reqs).1, VaultCmd::Purge { .. }));
}

#[test]
fn a_mismatched_purge_name_says_why() {
    let mut model = loaded_model();
    press(&mut model, "tab P");
    type_text(&mut model, "legacy");
    assert!(reqs_of(press(&mut model, "enter")).is_empty());
    let toast = model.toast.clone().unwrap();
    assert!(toast.text.contains("is not legacy-token"), "{}", toast.text);
}

#[test]
fn ctrl_c_in_a_form_with_typed_input_asks_like_esc() {
    let mut model = loaded_model();
    press(&mut model, "n");
    let fx = press(&mut model, "ctrl-c");
    assert!(quits(&fx), "an untouched form: Ctrl-C quits");

    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "draft");
    let fx = press(&mut model, "ctrl-c");
    assert!(!quits(&fx));
    assert!(confirm_text(&model).contains("Discard this form?"));
    assert!(quits(&press(&mut model, "ctrl-c")), "a second Ctrl-C quits");
}

#[test]
fn q_goes_back_in_details_help_and_dialogs_and_quits_only_from_the_list() {
    let mut model = loaded_model();
    press(&mut model, "enter");
    assert!(!quits(&press(&mut model, "q")));
    assert!(model.details.is_none());
    press(&mut model, "?");
    assert!(!quits(&press(&mut model, "q")));
    assert!(model.overlays.is_empty());
    press(&mut model, "d");
    assert!(!quits(&press(&mut model, "q")));
    assert!(model.overlays.is_empty());
    assert!(quits(&press(&mut model, "q")));
}

#[test]
fn clicks_switch_tabs_and_a_double_click_opens_details() {
    let mut model = loaded_model();
    update(&mut model, Msg::SelectView(View::Deleted));
    assert_eq!(model.view, View::Deleted);
    update(&mut model, Msg::SelectView(View::Secrets));
    let reqs = reqs_of(update(&mut model, Msg::OpenRow(2)));
    assert_eq!(model.list().selected(), 2);
    let details = model.details.as_ref().expect("details open");
    assert_eq!(details.props.name.as_str(), visible_names(&model)[2]);
    assert!(
        reqs.iter()
            .any(|r| matches!(r.cmd, VaultCmd::ListVersions { .. }))
    );
    // A tab click from details closes them (their requests stop).
    let fx = update(&mut model, Msg::SelectView(View::Expiring));
    assert!(model.details.is_none());
    assert_eq!(model.view, View::Expiring);
    assert!(!cancels(&fx).is_empty());
}

#[test]
fn the_tab_under_a_click_is_found_where_it_was_drawn() {
    let model = loaded_model();
    let mut state = kvtui::ui::UiState::default();
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|f| kvtui::ui::render(f, &model, &mut state))
        .unwrap();
    let line: String = (0..80)
        .map(|x| terminal.backend().buffer()[(x, 0)].symbol().to_owned())
        .collect();
    let at = |word: &str| u16::try_from(line.find(word).unwrap()).unwrap();
    assert_eq!(
        kvtui::ui::tab_at(&model, &state, at("Deleted") + 2, 0),
        Some(View::Deleted)
    );
    assert_eq!(
        kvtui::ui::tab_at(&model, &state, at("Expiring"), 0),
        Some(View::Expiring)
    );
    assert_eq!(kvtui::ui::tab_at(&model, &state, at("Deleted"), 1), None);
}

#[test]
fn a_key_turns_mouse_capture_off_and_on() {
    let mut model = loaded_model();
    let fx = press(&mut model, "M");
    assert!(
        fx.iter().any(|e| matches!(e, Effect::MouseCapture(false))),
        "{fx:?}"
    );
    assert!(!model.mouse);
    let fx = press(&mut model, "M");
    assert!(fx.iter().any(|e| matches!(e, Effect::MouseCapture(true))));
}

fn screen(model: &kvtui::app::Model, width: u16, height: u16) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height))
        .expect("terminal");
    let mut state = kvtui::ui::UiState::default();
    terminal
        .draw(|f| kvtui::ui::render(f, model, &mut state))
        .expect("draw");
    terminal.backend().to_string()
}

#[test]
fn the_filter_says_why_a_row_matched_when_its_name_did_not() {
    let mut model = loaded_model();
    press(&mut model, "/");
    type_text(&mut model, "team=data");
    press(&mut model, "enter");
    let text = screen(&model, 80, 24);
    assert!(text.contains("matched tag team=data"), "{text}");
    press(&mut model, "esc /");
    type_text(&mut model, "json");
    press(&mut model, "enter");
    let text = screen(&model, 80, 24);
    assert!(
        text.contains("matched content type application/json"),
        "{text}"
    );
    insta::assert_snapshot!("filter_reason_80x24", text);
    // Where the name leaves room, the reason follows it on its row.
    let wide = screen(&model, 120, 24);
    assert!(wide.contains("app-config · content type"), "{wide}");
    // Rows whose name matched need no reason.
    press(&mut model, "esc /");
    type_text(&mut model, "config");
    press(&mut model, "enter");
    assert!(!screen(&model, 80, 24).contains("matched"));
}

#[test]
fn best_match_ranks_rows_by_how_well_they_match() {
    let mut model = loaded_model();
    // Sort: name → updated → expires → best match.
    press(&mut model, "o o o");
    assert_eq!(model.list().sort().label(), "best match");
    press(&mut model, "/");
    type_text(&mut model, "cert");
    press(&mut model, "enter");
    let names = visible_names(&model);
    assert_eq!(
        names.first().map(String::as_str),
        Some("old-cert"),
        "{names:?}"
    );
    // A tight match on a name that sorts later comes first under best match,
    // while the name sort keeps alphabetical order.
    let mut model = kvtui::app::Model::new(VAULT, false, kvtui::app::Keymap::default_keymap(), NOW);
    let list = reqs_of(update(&mut model, Msg::Start))[0].id;
    // (Both match only fuzzily: a literal match would leave the other out.)
    let page = vec![props("a-d-x-x-x-t"), props("b-d-t")];
    update(&mut model, event(list, VaultEventKind::SecretsPage(page)));
    update(
        &mut model,
        event(list, VaultEventKind::ListDone { count: 2 }),
    );
    press(&mut model, "/");
    type_text(&mut model, "dt");
    press(&mut model, "enter");
    assert_eq!(visible_names(&model), ["a-d-x-x-x-t", "b-d-t"]);
    press(&mut model, "o o o");
    assert_eq!(visible_names(&model), ["b-d-t", "a-d-x-x-x-t"]);
    press(&mut model, "o");
    assert_eq!(visible_names(&model), ["a-d-x-x-x-t", "b-d-t"]);
}

#[test]
fn daily_keys_half_pages_copy_the_name_and_page_the_versions() {
    let mut model = kvtui::app::Model::new(VAULT, false, kvtui::app::Keymap::default_keymap(), NOW);
    let list = reqs_of(update(&mut model, Msg::Start))[0].id;
    let page = (0..40).map(|i| props(&format!("s-{i:02}"))).collect();
    update(&mut model, event(list, VaultEventKind::SecretsPage(page)));
    update(
        &mut model,
        event(list, VaultEventKind::ListDone { count: 40 }),
    );
    update(&mut model, Msg::PageRows(10));
    press(&mut model, "ctrl-d");
    assert_eq!(model.list().selected(), 5, "half a page down");
    press(&mut model, "ctrl-d ctrl-u");
    assert_eq!(model.list().selected(), 5, "and up");
    let clip = copied(press(&mut model, "N")).expect("N copies");
    use secrecy::ExposeSecret;
    assert_eq!(clip.text.expose_secret(), "s-05");
    assert!(!clip.is_value);
    // The versions list: G, g, PgDn and PgUp move through the versions.
    let reqs = reqs_of(press(&mut model, "enter"));
    let versions = (0..30)
        .map(|i| {
            let mut v = props("s-05");
            v.version = Some(format!("{i:032}"));
            v.created = Some(NOW - time::Duration::hours(i));
            v
        })
        .collect();
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::SecretsPage(versions)),
    );
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::ListDone { count: 30 }),
    );
    let sel = |m: &kvtui::app::Model| m.details.as_ref().unwrap().version_sel;
    press(&mut model, "G");
    assert_eq!(sel(&model), 29);
    press(&mut model, "g");
    assert_eq!(sel(&model), 0);
    press(&mut model, "pagedown");
    assert_eq!(sel(&model), 10);
    press(&mut model, "pageup");
    assert_eq!(sel(&model), 0);
    let clip = copied(press(&mut model, "N")).expect("N copies in details");
    assert_eq!(clip.text.expose_secret(), "s-05");
}

#[test]
fn help_scrolls_no_further_than_its_end_so_page_up_moves_at_once() {
    let mut model = loaded_model();
    update(&mut model, Msg::PageRows(10));
    press(&mut model, "?");
    // The frame says the help box scrolls 40 lines at most.
    update(&mut model, Msg::OverlayMax(40));
    for _ in 0..30 {
        press(&mut model, "pagedown");
    }
    let scroll = |m: &kvtui::app::Model| match m.overlays.last() {
        Some(kvtui::app::Overlay::Help { scroll }) => *scroll,
        other => panic!("help, not {other:?}"),
    };
    assert_eq!(scroll(&model), 40);
    press(&mut model, "pageup");
    assert_eq!(scroll(&model), 30, "one PgUp moves at once");
}

/// `/` in help and in the message history shows only the lines holding the
/// typed text; Esc drops the search first, a second Esc closes.
#[test]
fn slash_searches_inside_help_and_the_message_history() {
    use ratatui::{Terminal, backend::TestBackend};
    let draw = |model: &kvtui::app::Model| {
        let mut terminal = Terminal::new(TestBackend::new(100, 40)).unwrap();
        let mut state = kvtui::ui::UiState::default();
        terminal
            .draw(|f| kvtui::ui::render(f, model, &mut state))
            .unwrap();
        terminal.backend().to_string()
    };
    let mut model = loaded_model();
    press(&mut model, "?");
    assert!(draw(&model).contains("sort by the next column"));
    press(&mut model, "/");
    type_text(&mut model, "purge");
    let screen = draw(&model);
    assert!(screen.contains("Search: purge"), "{screen}");
    assert!(screen.contains("purge"), "{screen}");
    assert!(!screen.contains("sort by the next column"), "{screen}");
    // Enter keeps the search while j/k scroll; Esc shows all again.
    press(&mut model, "enter");
    assert!(draw(&model).contains("Lines with \"purge\""));
    press(&mut model, "esc");
    assert!(matches!(
        model.overlays.last(),
        Some(kvtui::app::Overlay::Help { .. })
    ));
    assert!(draw(&model).contains("sort by the next column"));
    press(&mut model, "esc");
    assert!(model.overlays.is_empty());

    // The history: a message is shown whole when any of its lines matches.
    let now = model.now;
    for (what, failures) in [
        (
            "delete 3 secrets",
            vec![("db-password".to_owned(), "403 Forbidden".to_owned())],
        ),
        ("copied the value of api-key", vec![]),
    ] {
        model.errors.push(kvtui::app::notices::ErrorEntry {
            at: now,
            what: what.into(),
            error: None,
            failures,
        });
    }
    press(&mut model, "!");
    let screen = draw(&model);
    assert!(screen.contains("copied the value of api-key"), "{screen}");
    press(&mut model, "/");
    type_text(&mut model, "forbidden");
    let screen = draw(&model);
    assert!(screen.contains("delete 3 secrets"), "{screen}");
    assert!(screen.contains("db-password: 403 Forbidden"), "{screen}");
    assert!(!screen.contains("copied the value"), "{screen}");
}
