//! Failures shown as states: a list that could not load says why, rows from
//! before a failed reload are marked stale, messages expire and are kept in
//! the history. Snapshots at 80×24 and 60×15.

mod app_common;

use app_common::*;
use kvtui::app::model::{ERROR_TICKS, TOAST_TICKS};
use kvtui::app::{Keymap, Model, Msg, update};
use kvtui::ui::{UiState, render};
use kvtui::vault::{ErrorKind, ReqId, VaultCmd, VaultError, VaultEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use time::Duration;

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

fn unauthorized() -> VaultEventKind {
    failure(
        ErrorKind::Unauthorized,
        401,
        "Unauthorized",
        "the vault refused the token",
    )
}

/// The id of the secrets listing among `effects`.
fn list_req(effects: Vec<kvtui::app::effect::Effect>) -> ReqId {
    reqs_of(effects)
        .iter()
        .find(|r| matches!(r.cmd, VaultCmd::ListSecrets))
        .expect("a listing")
        .id
}

fn tick(model: &mut Model, n: u16) {
    for _ in 0..n {
        let now = model.now;
        update(model, Msg::Tick(now));
    }
}

#[test]
fn a_list_that_fails_says_why_not_empty() {
    let mut model = Model::new(VAULT, false, Keymap::default_keymap(), NOW);
    let list = list_req(update(&mut model, Msg::Start));
    update(&mut model, event(list, unauthorized()));
    let text = screen(&model, 80, 24);
    assert!(text.contains("could not list: the vault refused"), "{text}");
    assert!(text.contains("! details · F5 retry"), "{text}");
    assert!(!text.contains("no secrets"), "{text}");
    snap("list_failed", &model);
}

#[test]
fn a_failed_reload_marks_rows_stale_and_a_good_one_clears_it() {
    let mut model = loaded_model();
    model.now = NOW + Duration::minutes(12);
    let list = list_req(press(&mut model, "f5"));
    update(&mut model, event(list, unauthorized()));
    assert_eq!(model.secrets().items.len(), 5, "rows stay");
    let text = screen(&model, 80, 24);
    assert!(text.contains("stale · listed 12 min ago"), "{text}");
    assert!(model.toast.as_ref().is_some_and(|t| t.is_error));
    snap("list_stale", &model);

    let list = list_req(press(&mut model, "f5"));
    update(
        &mut model,
        event(list, VaultEventKind::SecretsPage(sample_secrets())),
    );
    update(
        &mut model,
        event(list, VaultEventKind::ListDone { count: 5 }),
    );
    let text = screen(&model, 80, 24);
    assert!(!text.contains("stale"), "{text}");
    assert!(model.toast.is_none(), "the success replaces the 401");
}

#[test]
fn a_silent_vault_is_named_within_seconds() {
    let mut model = Model::new(VAULT, true, Keymap::default_keymap(), NOW);
    update(&mut model, Msg::Start);
    assert!(screen(&model, 80, 24).contains("loading…"));
    update(&mut model, Msg::Tick(NOW + Duration::seconds(6)));
    let text = screen(&model, 80, 24);
    assert!(text.contains("no answer from the vault for 6 s"), "{text}");
    assert!(text.contains("kvtui serve"), "{text}");
}

#[test]
fn versions_that_cannot_load_say_so() {
    let mut model = loaded_model();
    let reqs = reqs_of(press(&mut model, "enter"));
    update(&mut model, event(reqs[0].id, unauthorized()));
    let text = screen(&model, 80, 24);
    assert!(text.contains("could not list versions"), "{text}");
    assert!(!text.contains("Versions (0)"), "{text}");
    let last = model.errors.last().unwrap();
    assert_eq!(last.what, "list the versions of api-key");
}

#[test]
fn information_expires_soon_and_errors_later() {
    let mut model = loaded_model();
    model.toast("switched", false);
    tick(&mut model, TOAST_TICKS);
    assert!(model.toast.is_none());

    let list = list_req(press(&mut model, "f5"));
    update(&mut model, event(list, unauthorized()));
    tick(&mut model, TOAST_TICKS);
    assert!(model.toast.is_some(), "an error outlasts information");
    tick(&mut model, ERROR_TICKS);
    assert!(model.toast.is_none(), "but not forever");
}

#[test]
fn the_history_keeps_successes_too() {
    let mut model = loaded_model();
    model.toast("backed up db-password to /tmp/db.bak", false);
    let list = list_req(press(&mut model, "f5"));
    update(&mut model, event(list, unauthorized()));
    assert_eq!(model.errors.len(), 2);
    assert_eq!(model.error_count(), 1);
    press(&mut model, "!");
    let text = screen(&model, 80, 24);
    assert!(
        text.contains("backed up db-password to /tmp/db.bak"),
        "{text}"
    );
    assert!(text.contains("Messages (2, 1 failed)"), "{text}");
}

#[test]
fn a_status_code_is_not_repeated() {
    let error = VaultError {
        kind: ErrorKind::Other,
        status: Some(409),
        code: Some("Conflict".to_owned()),
        message: "Conflict (409): the name is taken".to_owned(),
        hint: None,
        retry_after: None,
    };
    assert_eq!(
        kvtui::app::answers::describe(&error),
        "Conflict (409): the name is taken"
    );
}

#[test]
fn names_keep_priority_on_a_small_screen() {
    let mut model = loaded_model();
    let mut long = props("a-very-long-secret-name-that-goes-on-and-on-and-on-and-on-forever");
    long.content_type = Some("application/x-pkcs12".to_owned());
    model.secrets_mut().upsert(long);
    snap("list_small", &model);
    let text = screen(&model, 80, 24);
    assert!(
        !text.contains("Content type") && text.contains("On "),
        "columns go before the name shrinks:\n{text}"
    );
    let text = screen(&model, 60, 15);
    let row = text.lines().find(|l| l.contains("a-very")).unwrap();
    assert!(row.contains('…'), "cut names end in …: {row}");
    assert!(!text.contains("Tags"), "Tags go first:\n{text}");
    press(&mut model, "tab");
    snap("deleted_small", &model);
    let text = screen(&model, 60, 15);
    assert!(!text.contains("Recovery id"), "{text}");
    assert!(text.contains("legacy-token"), "{text}");
}

#[test]
fn details_show_every_tag_and_keep_rows_for_value_and_versions() {
    let mut model = loaded_model();
    let mut tagged = props("aaa-tagged");
    for i in 0..15 {
        tagged.tags.insert(
            format!("tag{i:02}"),
            format!("value-{i}-{}", "x".repeat(12)),
        );
    }
    tagged.content_type = Some("application/vnd.example.a-rather-long+json".to_owned());
    model.secrets_mut().upsert(tagged);
    press(&mut model, "g enter");
    let text = screen(&model, 120, 40);
    assert!(text.contains("tag14=value-14-"), "every tag:\n{text}");
    assert!(
        text.contains("application/vnd.example.a-rather-long+json"),
        "{text}"
    );
    let text = screen(&model, 60, 15);
    assert!(text.contains("Value"), "{text}");
    assert!(text.contains("Versions"), "{text}");
    snap("details_tags", &model);
    // At 60x15 the box says more lines lie below, and J scrolls to each of
    // them (the loop reports what the frame cut, as `DetailsOverflow`).
    assert!(text.contains("more · J"), "{text}");
    let mut seen = text.clone();
    for _ in 0..60 {
        let mut terminal = Terminal::new(TestBackend::new(60, 15)).unwrap();
        let mut state = UiState::default();
        terminal.draw(|f| render(f, &model, &mut state)).unwrap();
        update(&mut model, kvtui::ui::details_overflow(&state));
        press(&mut model, "J");
        seen.push_str(&screen(&model, 60, 15));
    }
    for i in 0..15 {
        assert!(seen.contains(&format!("tag{i:02}=value-{i}-")), "tag{i:02}");
    }
    assert!(seen.contains("Recovery level"), "the last line is reached");
    let bottom = screen(&model, 60, 15);
    press(&mut model, "J");
    assert_eq!(screen(&model, 60, 15), bottom, "scrolling stops at the end");
    // Dates are never cut at 60 columns: one per line instead.
    assert!(seen.contains("Created        2025-06-01 09:30  "), "{seen}");
}

#[test]
fn q_goes_back_from_details_and_f5_lists_versions_again() {
    let mut model = loaded_model();
    let reqs = reqs_of(press(&mut model, "enter"));
    update(&mut model, event(reqs[0].id, unauthorized()));
    let again = reqs_of(press(&mut model, "f5"));
    assert!(
        matches!(again[0].cmd, VaultCmd::ListVersions { .. }),
        "{again:?}"
    );
    assert!(model.details.as_ref().unwrap().versions_error.is_none());
    let fx = press(&mut model, "q");
    assert!(!quits(&fx), "q in details goes back");
    assert!(model.details.is_none());
    press(&mut model, "?");
    assert!(!quits(&press(&mut model, "q")));
    assert!(model.overlays.is_empty());
    assert!(quits(&press(&mut model, "q")), "q quits from the list");
}

#[test]
fn purge_compares_names_case_insensitively_and_says_why_not() {
    let mut model = loaded_model();
    press(&mut model, "tab P");
    type_text(&mut model, "legacy-tokn");
    assert!(reqs_of(press(&mut model, "enter")).is_empty());
    let toast = model.toast.clone().unwrap();
    assert!(
        toast.is_error && toast.text.contains("is not legacy-token"),
        "{toast:?}"
    );
    press(&mut model, "ctrl-u");
    type_text(&mut model, "LEGACY-Token");
    let reqs = reqs_of(press(&mut model, "enter"));
    assert!(matches!(only_cmd(&reqs).1, VaultCmd::Purge { .. }));
}

#[test]
fn the_status_line_leaves_the_sdk_error_chain_to_the_history() {
    let mut model = loaded_model();
    let reqs = reqs_of(press(&mut model, "f5"));
    let mut error = VaultError::new(
        ErrorKind::Network,
        "list secrets failed: the connection to demo.vault.azure.net failed (retry policy expired: error sending request: reqwest::Error { kind: Request })",
    );
    error.hint = Some("Check the network, proxy and VPN, then retry.".to_owned());
    update(&mut model, event(reqs[0].id, VaultEventKind::Failed(error)));
    let toast = model.toast.as_ref().expect("said");
    assert!(toast.text.contains("Check the network"), "{}", toast.text);
    assert!(!toast.text.contains("retry policy"), "{}", toast.text);
    assert!(!toast.text.contains("reqwest"), "{}", toast.text);
    // The whole chain is kept for `!`.
    let kept = model.errors.last().and_then(|e| e.error.as_ref()).unwrap();
    assert!(kept.message.contains("reqwest"));
}
