//! Refresh in place: F5 keeps the rows and the selection while pages arrive
//! and says how far it got, a listing cut short is partial, details follow a
//! version added elsewhere, the Expiring tab counts only what expires, and
//! `u` stops offering what is no longer deleted.

mod app_common;

use app_common::*;
use kvtui::app::{Keymap, Model, Msg, View, update};
use kvtui::ui::{UiState, render};
use kvtui::vault::{ErrorKind, VaultCmd, VaultEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(model: &Model) -> String {
    let mut terminal = Terminal::new(TestBackend::new(100, 20)).unwrap();
    let mut state = UiState::default();
    terminal.draw(|f| render(f, model, &mut state)).unwrap();
    terminal.backend().to_string()
}

fn list_ids(
    effects: Vec<kvtui::app::effect::Effect>,
) -> (kvtui::vault::ReqId, kvtui::vault::ReqId) {
    let reqs = reqs_of(effects);
    let find = |want: fn(&VaultCmd) -> bool| reqs.iter().find(|r| want(&r.cmd)).unwrap().id;
    (
        find(|c| matches!(c, VaultCmd::ListSecrets)),
        find(|c| matches!(c, VaultCmd::ListDeleted)),
    )
}

#[test]
fn f5_keeps_the_rows_and_the_selection_while_pages_arrive() {
    let mut model = loaded_model();
    press(&mut model, "/");
    type_text(&mut model, "db-password");
    press(&mut model, "enter esc");
    assert_eq!(selected_name(&model), "db-password");
    let (list, _) = list_ids(press(&mut model, "f5"));
    let page = sample_secrets().into_iter().take(2).collect();
    update(&mut model, event(list, VaultEventKind::SecretsPage(page)));
    assert_eq!(
        model.secrets().items.len(),
        5,
        "no row goes while it refreshes"
    );
    assert_eq!(selected_name(&model), "db-password");
    assert!(
        screen(&model).contains("refreshing: 2 of ~5"),
        "{}",
        screen(&model)
    );
    let rest: Vec<_> = sample_secrets().into_iter().skip(2).take(2).collect();
    update(&mut model, event(list, VaultEventKind::SecretsPage(rest)));
    update(
        &mut model,
        event(list, VaultEventKind::ListDone { count: 4 }),
    );
    // The row no page brought is gone, and the selection stayed.
    assert_eq!(model.secrets().items.len(), 4);
    assert_eq!(selected_name(&model), "db-password");
}

#[test]
fn a_listing_cut_short_is_partial_and_f5_lists_again() {
    let mut model = loaded_model();
    let (list, _) = list_ids(press(&mut model, "f5"));
    let page = sample_secrets().into_iter().take(2).collect();
    update(&mut model, event(list, VaultEventKind::SecretsPage(page)));
    update(
        &mut model,
        event(
            list,
            failure(
                ErrorKind::Network,
                503,
                "ServiceUnavailable",
                "the page failed",
            ),
        ),
    );
    assert!(model.secrets().partial);
    let t = screen(&model);
    assert!(t.contains("partial · F5 lists again"), "{t}");
    assert!(!t.contains("stale"), "{t}");
    let (list, _) = list_ids(press(&mut model, "f5"));
    update(
        &mut model,
        event(list, VaultEventKind::SecretsPage(sample_secrets())),
    );
    update(
        &mut model,
        event(list, VaultEventKind::ListDone { count: 5 }),
    );
    assert!(!model.secrets().partial);
    assert!(!screen(&model).contains("partial"));
}

#[test]
fn details_of_the_latest_follow_a_version_added_elsewhere() {
    let mut model = loaded_model();
    // api-key, the first row.
    let reqs = reqs_of(press(&mut model, "enter"));
    let mut v1 = props("api-key");
    v1.version = Some("1111".to_owned());
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::SecretsPage(vec![v1.clone()])),
    );
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::ListDone { count: 1 }),
    );
    assert_eq!(model.details.as_ref().unwrap().current_version(), Some(0));
    // Another client adds a version with other tags; F5 in the details.
    let reqs = reqs_of(press(&mut model, "f5"));
    let mut v2 = props("api-key");
    v2.version = Some("2222".to_owned());
    v2.created = Some(NOW);
    v2.updated = Some(NOW);
    v2.tags.insert("rotated".to_owned(), "yes".to_owned());
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::SecretsPage(vec![v1, v2])),
    );
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::ListDone { count: 2 }),
    );
    let d = model.details.as_ref().unwrap();
    assert_eq!(d.props.version.as_deref(), Some("2222"));
    assert_eq!(
        d.props.tags.to_map().get("rotated").map(String::as_str),
        Some("yes")
    );
    assert_eq!(d.current_version(), Some(0), "● on the new version");
    assert_eq!(d.versions[0].version.as_deref(), Some("2222"));
    let row = model.secrets().find("api-key").unwrap();
    assert_eq!(row.created, Some(NOW), "the list row follows too");
}

#[test]
fn the_expiring_tab_counts_only_what_expires_unless_asked() {
    let mut model = loaded_model();
    // old-cert expired, api-key in 10 days; the others have no expiry.
    assert_eq!(model.expiring().items.len(), 2);
    press(&mut model, "tab tab");
    assert_eq!(model.view, View::Expiring);
    press(&mut model, "E");
    update(&mut model, Msg::Tick(NOW));
    // db-password and app-config (enabled, no expiry) join; feature-flag is off.
    assert_eq!(model.expiring().items.len(), 4);
    press(&mut model, "E");
    update(&mut model, Msg::Tick(NOW));
    assert_eq!(model.expiring().items.len(), 2);
}

#[test]
fn the_expiring_tab_says_loading_until_the_list_is_complete() {
    let mut model = Model::new(VAULT, false, Keymap::default_keymap(), NOW);
    let (list, del) = list_ids(update(&mut model, Msg::Start));
    press(&mut model, "tab tab");
    let plain: Vec<_> = sample_secrets()
        .into_iter()
        .filter(|p| p.expires.is_none())
        .collect();
    update(&mut model, event(list, VaultEventKind::SecretsPage(plain)));
    let t = screen(&model);
    assert!(t.contains("loading"), "{t}");
    assert!(
        !t.contains("no secret"),
        "nothing is said of a list still coming:\n{t}"
    );
    update(
        &mut model,
        event(list, VaultEventKind::ListDone { count: 3 }),
    );
    update(
        &mut model,
        event(del, VaultEventKind::ListDone { count: 0 }),
    );
    let t = screen(&model);
    assert!(t.contains("no secret expired or expires"), "{t}");
}

#[test]
fn undo_is_no_longer_offered_once_the_name_is_not_deleted() {
    let mut model = loaded_model();
    let reqs = reqs_of(press(&mut model, "d y"));
    update(
        &mut model,
        event(
            reqs[0].id,
            VaultEventKind::Deleted(Box::new(deleted("api-key"))),
        ),
    );
    assert!(model.undo.is_some());
    // A refresh finds it recovered by someone else: no longer deleted.
    let (list, del) = list_ids(press(&mut model, "f5"));
    update(
        &mut model,
        event(
            del,
            VaultEventKind::DeletedPage(vec![deleted("legacy-token")]),
        ),
    );
    update(
        &mut model,
        event(del, VaultEventKind::ListDone { count: 1 }),
    );
    update(
        &mut model,
        event(list, VaultEventKind::SecretsPage(sample_secrets())),
    );
    update(
        &mut model,
        event(list, VaultEventKind::ListDone { count: 5 }),
    );
    assert!(model.undo.is_none(), "the offer ended");
    assert!(!model.offers(kvtui::app::keymap::Action::Undo));
}
