//! The pure update, lists: loading, navigation, filter, sort, vaults, errors.
//! Key sequences in, the model and the emitted commands out.

mod app_common;

use app_common::*;
use kvtui::app::{Msg, Overlay, update};
use kvtui::vault::{ErrorKind, VaultCmd, VaultEventKind};

#[test]
fn start_lists_secrets_and_deleted() {
    let mut model = kvtui::app::Model::new(VAULT, false, kvtui::app::Keymap::default_keymap(), NOW);
    let reqs = reqs_of(update(&mut model, Msg::Start));
    assert!(matches!(reqs[0].cmd, VaultCmd::ListSecrets));
    assert!(matches!(reqs[1].cmd, VaultCmd::ListDeleted));
    assert!(model.is_loading());
}

#[test]
fn pages_fill_the_list_sorted_by_name() {
    let model = loaded_model();
    let names: Vec<_> = model
        .secrets()
        .visible
        .iter()
        .map(|&i| model.secrets().items[i].name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "api-key",
            "app-config",
            "db-password",
            "feature-flag",
            "old-cert"
        ]
    );
    assert!(!model.is_loading());
    assert_eq!(model.last_refresh(), Some(NOW));
    assert_eq!(model.deleted().items.len(), 1);
}

#[test]
fn refresh_cancels_the_old_listing_and_drops_its_pages() {
    let mut model = kvtui::app::Model::new(VAULT, false, kvtui::app::Keymap::default_keymap(), NOW);
    let first = reqs_of(update(&mut model, Msg::Start))[0].id;
    let effects = press(&mut model, "f5");
    assert!(cancels(&effects).contains(&first), "{effects:?}");
    let reqs = reqs_of(effects);
    let second = reqs
        .iter()
        .find(|r| matches!(r.cmd, VaultCmd::ListSecrets))
        .map(|r| r.id)
        .unwrap();
    update(
        &mut model,
        event(first, VaultEventKind::SecretsPage(vec![props("stale")])),
    );
    assert!(
        model.secrets().items.is_empty(),
        "a superseded page must be dropped"
    );
    update(
        &mut model,
        event(second, VaultEventKind::SecretsPage(vec![props("fresh")])),
    );
    assert_eq!(model.secrets().items[0].name, "fresh");
}

#[test]
fn keys_move_the_selection() {
    let mut model = loaded_model();
    assert_eq!(selected_name(&model), "api-key");
    press(&mut model, "j j");
    assert_eq!(selected_name(&model), "db-password");
    press(&mut model, "G");
    assert_eq!(selected_name(&model), "old-cert");
    press(&mut model, "k g");
    assert_eq!(selected_name(&model), "api-key");
    press(&mut model, "up");
    assert_eq!(selected_name(&model), "api-key");
}

#[test]
fn filter_matches_name_content_type_and_tags() {
    let mut model = loaded_model();
    press(&mut model, "/");
    type_text(&mut model, "json");
    assert_eq!(model.secrets().visible.len(), 1);
    assert_eq!(selected_name(&model), "app-config");
    press(&mut model, "enter");
    assert!(model.filter_input.is_none());
    assert_eq!(model.secrets().filter, "json", "Enter keeps the filter");
    press(&mut model, "/");
    press(&mut model, "ctrl-u");
    type_text(&mut model, "team=data");
    assert_eq!(selected_name(&model), "db-password");
    press(&mut model, "esc");
    assert!(model.filter_input.is_none());
    assert_eq!(
        model.secrets().filter,
        "json",
        "Esc drops the edit and keeps the filter kept before"
    );
    assert_eq!(model.secrets().visible.len(), 1);
    press(&mut model, "esc");
    assert_eq!(model.secrets().filter, "", "Esc in the list clears it");
    assert_eq!(model.secrets().visible.len(), 5);
}

#[test]
fn sort_cycles_name_updated_expires() {
    let mut model = loaded_model();
    press(&mut model, "o");
    assert_eq!(
        selected_name(&model),
        "api-key",
        "selection stays on the same secret"
    );
    press(&mut model, "g");
    assert_eq!(selected_name(&model), "app-config", "newest first");
    press(&mut model, "o g");
    assert_eq!(selected_name(&model), "old-cert", "soonest expiry first");
}

/// The narrowed list must equal what a full rebuild gives.
fn assert_same_as_rebuild(model: &kvtui::app::Model) {
    let mut fresh = model.secrets().clone();
    fresh.rebuild();
    let mut a = model.secrets().visible.clone();
    let mut b = fresh.visible.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b, "filter {:?}", model.secrets().filter);
}

#[test]
fn typing_narrows_and_backspace_widens_the_filter() {
    let mut model = loaded_model();
    press(&mut model, "/");
    type_text(&mut model, "a");
    let wide = model.secrets().visible.len();
    for c in ["p", "i", "-", "k"] {
        type_text(&mut model, c);
        assert_same_as_rebuild(&model);
    }
    assert_eq!(model.secrets().visible.len(), 1);
    type_text(&mut model, "z");
    assert!(model.secrets().visible.is_empty());
    press(
        &mut model,
        "backspace backspace backspace backspace backspace",
    );
    assert_eq!(model.secrets().visible.len(), wide);
    type_text(&mut model, " !flag");
    assert_same_as_rebuild(&model);
    assert!(
        model
            .secrets()
            .visible
            .iter()
            .all(|&i| model.secrets().items[i].name != "feature-flag"),
        "negation excludes"
    );
}

#[test]
fn deleted_view_filters_too() {
    let mut model = loaded_model();
    press(&mut model, "tab /");
    type_text(&mut model, "zzz");
    assert!(model.deleted().visible.is_empty());
    assert_eq!(
        model.secrets().visible.len(),
        5,
        "the other list keeps its filter"
    );
    press(&mut model, "esc");
    assert_eq!(model.deleted().visible.len(), 1);
}

#[test]
fn a_click_selects_the_row() {
    let mut model = loaded_model();
    update(&mut model, Msg::SelectRow(3));
    assert_eq!(selected_name(&model), "feature-flag");
    update(&mut model, Msg::SelectRow(99));
    assert_eq!(selected_name(&model), "old-cert");
    // Clicks are hit-tested against where the frame drew the rows.
    let mut state = kvtui::ui::UiState::default();
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).expect("terminal");
    terminal
        .draw(|f| kvtui::ui::render(f, &model, &mut state))
        .expect("draw");
    assert_eq!(kvtui::ui::list_row_at(&model, &state, 3), Some(0));
    assert_eq!(kvtui::ui::list_row_at(&model, &state, 5), Some(2));
    assert_eq!(
        kvtui::ui::list_row_at(&model, &state, 2),
        None,
        "the header"
    );
    assert_eq!(
        kvtui::ui::list_row_at(&model, &state, 20),
        None,
        "below the rows"
    );
    assert_eq!(
        kvtui::ui::page_rows(&state),
        Some(18),
        "24 rows less tabs, rule, header, status, two lines of hints"
    );
    press(&mut model, "?");
    terminal
        .draw(|f| kvtui::ui::render(f, &model, &mut state))
        .expect("draw");
    assert_eq!(
        kvtui::ui::list_row_at(&model, &state, 3),
        None,
        "under the help"
    );
}

#[test]
fn a_failed_reload_keeps_the_rows() {
    let mut model = loaded_model();
    let reqs = reqs_of(press(&mut model, "f5"));
    assert_eq!(
        model.secrets().items.len(),
        5,
        "old rows stay while loading"
    );
    let list = reqs
        .iter()
        .find(|r| matches!(r.cmd, VaultCmd::ListSecrets))
        .unwrap()
        .id;
    update(
        &mut model,
        event(
            list,
            failure(ErrorKind::Network, 0, "", "connection refused"),
        ),
    );
    assert_eq!(model.secrets().items.len(), 5);
    assert!(model.secrets().loading.is_none());
    update(
        &mut model,
        event(list, VaultEventKind::SecretsPage(vec![props("late")])),
    );
    assert_eq!(
        model.secrets().items.len(),
        5,
        "answers after failure are dropped"
    );
}

#[test]
fn the_vault_picker_switches_and_keeps_each_list() {
    let mut model = loaded_model();
    model.add_vault("https://other.vault.azure.net", false);
    press(&mut model, "v");
    assert!(matches!(
        model.overlays.last(),
        Some(Overlay::Picker(p)) if p.selected == 0
    ));
    let effects = press(&mut model, "down enter");
    assert!(model.overlays.is_empty());
    assert_eq!(model.vault_label(), "https://other.vault.azure.net");
    assert!(model.secrets().items.is_empty());
    let (route, list) = routed_runs(&effects)
        .into_iter()
        .find(|(_, r)| matches!(r.cmd, VaultCmd::ListSecrets))
        .expect("the new vault loads");
    assert_eq!(route, 1, "routed to the second vault");
    update(
        &mut model,
        event(
            list.id,
            VaultEventKind::SecretsPage(vec![props("elsewhere")]),
        ),
    );
    update(
        &mut model,
        event(list.id, VaultEventKind::ListDone { count: 1 }),
    );
    assert_eq!(selected_name(&model), "elsewhere");

    let reqs = reqs_of(press(&mut model, "v up enter"));
    assert!(
        !reqs.iter().any(|r| matches!(r.cmd, VaultCmd::ListSecrets)),
        "a loaded vault is not reloaded"
    );
    assert_eq!(model.vault_label(), VAULT);
    assert_eq!(
        model.secrets().items.len(),
        5,
        "the first vault's list is kept"
    );
}

#[test]
fn switching_vaults_stops_reads_but_lets_writes_land() {
    let mut model = loaded_model();
    model.add_vault("second", false);
    let reqs = reqs_of(press(&mut model, "d y"));
    let delete = only_cmd(&reqs).0;
    assert_eq!(model.pending[&delete].route, 0);
    let read = only_cmd(&reqs_of(press(&mut model, "j y"))).0;
    let effects = press(&mut model, "v down enter");
    let cancelled: Vec<_> = routed_cancels(&effects);
    assert_eq!(
        cancelled,
        vec![(0, read)],
        "the read stops on the old vault"
    );
    let (route, _) = routed_runs(&effects)
        .into_iter()
        .find(|(_, r)| matches!(r.cmd, VaultCmd::ListSecrets))
        .expect("the new vault loads");
    assert_eq!(route, 1);
    // The delete still lands: not in this vault's lists, said in a message,
    // and the old vault's lists reload on return.
    reqs_of(update(
        &mut model,
        event(
            delete,
            VaultEventKind::Deleted(Box::new(deleted("api-key"))),
        ),
    ));
    assert!(model.deleted().items.is_empty());
    assert!(
        model
            .toast
            .as_ref()
            .is_some_and(|t| t.text.contains("delete api-key done in"))
    );
    let reqs = reqs_of(press(&mut model, "v up enter"));
    assert!(
        reqs.iter().any(|r| matches!(r.cmd, VaultCmd::ListSecrets)),
        "the first vault reloads after a write landed there"
    );
}

#[test]
fn quit_with_q_or_ctrl_c() {
    let mut model = loaded_model();
    assert!(quits(&press(&mut model, "q")));
    let mut model = loaded_model();
    assert!(
        quits(&press(&mut model, "n ctrl-c")),
        "Ctrl-C quits even from a form"
    );
}

#[test]
fn pages_out_of_order_merge_into_the_same_view_as_a_rebuild() {
    let mut model = kvtui::app::Model::new(VAULT, false, kvtui::app::Keymap::default_keymap(), NOW);
    let list = reqs_of(update(&mut model, Msg::Start))[0].id;
    press(&mut model, "/");
    type_text(&mut model, "7");
    press(&mut model, "enter");
    // 8,000 names in a scrambled order, so the throttled merges do real work.
    for page in 0..320 {
        let items = (0..25)
            .map(|i| props(&format!("s-{:05}", (page * 25 + i) * 7919 % 8000)))
            .collect();
        update(&mut model, event(list, VaultEventKind::SecretsPage(items)));
        if page == 250 {
            let mut fresh = model.secrets().clone();
            fresh.rebuild();
            assert!(model.secrets().visible.len() <= fresh.visible.len());
        }
    }
    update(
        &mut model,
        event(list, VaultEventKind::ListDone { count: 8000 }),
    );
    let mut fresh = model.secrets().clone();
    fresh.rebuild();
    assert_eq!(model.secrets().visible, fresh.visible);
    assert!(model.secrets().visible.len() > 1000);
    press(&mut model, "o");
    let mut fresh = model.secrets().clone();
    fresh.rebuild();
    assert_eq!(model.secrets().visible, fresh.visible);
}

#[test]
fn upserts_and_removals_keep_the_view_as_a_rebuild_would() {
    let mut model = loaded_model();
    press(&mut model, "o");
    press(&mut model, "/");
    type_text(&mut model, "e");
    let same = |m: &kvtui::app::Model| {
        let mut fresh = m.secrets().clone();
        fresh.rebuild();
        assert_eq!(m.secrets().visible, fresh.visible);
    };
    let mut newer = props("zeta-secret");
    newer.updated = Some(NOW);
    model.secrets_mut().upsert(newer);
    same(&model);
    assert_eq!(
        model.secrets().items[model.secrets().visible[0]].name,
        "zeta-secret"
    );
    let mut changed = props("api-key");
    changed.updated = Some(time::macros::datetime!(2020-01-01 00:00 UTC));
    model.secrets_mut().upsert(changed);
    same(&model);
    model.secrets_mut().remove("db-password");
    same(&model);
    model.secrets_mut().remove("app-config");
    same(&model);
    assert_eq!(model.secrets().items.len(), 4);
}

fn expiring_names(model: &kvtui::app::Model) -> Vec<String> {
    model
        .expiring()
        .visible
        .iter()
        .map(|&i| model.expiring().items[i].name.to_string())
        .collect()
}

#[test]
fn the_expiring_view_lists_what_needs_attention_soonest_first() {
    let mut model = loaded_model();
    press(&mut model, "tab tab");
    assert_eq!(model.view, kvtui::app::View::Expiring);
    // old-cert expired, api-key expires in 10 days; the enabled secrets
    // without an expiry only after `E`; the disabled feature-flag never.
    assert_eq!(expiring_names(&model), ["old-cert", "api-key"]);
    press(&mut model, "E");
    update(&mut model, Msg::Tick(NOW));
    assert_eq!(
        expiring_names(&model),
        ["old-cert", "api-key", "app-config", "db-password"]
    );
    // Acting on a row acts on that secret.
    press(&mut model, "j");
    let reqs = reqs_of(press(&mut model, "y"));
    assert!(matches!(only_cmd(&reqs).1, VaultCmd::Get { name, .. } if name.as_str() == "api-key"));

    // A secret given a far expiry elsewhere in the app leaves the view.
    let mut renewed = props("api-key");
    renewed.expires = Some(NOW + time::Duration::days(365));
    press(&mut model, "p");
    press(&mut model, "tab tab tab tab ctrl-u");
    type_text(&mut model, "+365d");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    let (id, _) = only_cmd(&reqs);
    update(
        &mut model,
        event(id, VaultEventKind::Props(Box::new(renewed))),
    );
    assert_eq!(
        expiring_names(&model),
        ["old-cert", "app-config", "db-password"]
    );
    press(&mut model, "tab");
    assert_eq!(
        model.view,
        kvtui::app::View::Secrets,
        "Tab cycles through the three lists"
    );
}

#[test]
fn the_expiring_horizon_comes_from_the_config() {
    let mut model = loaded_model();
    model.set_expiring_days(5);
    press(&mut model, "tab tab");
    assert!(
        !expiring_names(&model).contains(&"api-key".to_owned()),
        "ten days away is past a five-day horizon"
    );
}

#[test]
fn f5_on_a_local_vault_reads_its_token_and_ca_again_first() {
    use kvtui::app::effect::Effect;
    use kvtui::vault::WorkerInput;
    let rereads = |effects: &[Effect]| {
        effects.iter().position(|e| {
            matches!(
                e,
                Effect::Vault {
                    input: WorkerInput::Reread,
                    ..
                }
            )
        })
    };
    let mut azure = loaded_model();
    assert_eq!(
        rereads(&press(&mut azure, "f5")),
        None,
        "Azure has no token file"
    );
    let mut local = kvtui::app::Model::new(
        "https://localhost:8443",
        true,
        kvtui::app::Keymap::default_keymap(),
        NOW,
    );
    kvtui::app::update(&mut local, kvtui::app::Msg::Start);
    let effects = press(&mut local, "f5");
    assert_eq!(rereads(&effects), Some(0), "before the lists: {effects:?}");
    assert_eq!(reqs_of(effects).len(), 2, "then both lists");
}

#[test]
fn the_progress_follows_the_list_still_loading() {
    let mut model = kvtui::app::Model::new(VAULT, false, kvtui::app::Keymap::default_keymap(), NOW);
    let reqs = reqs_of(update(&mut model, Msg::Start));
    let (list, del) = (reqs[0].id, reqs[1].id);
    update(
        &mut model,
        event(list, VaultEventKind::SecretsPage(sample_secrets())),
    );
    assert_eq!(model.progress.as_deref(), Some("loaded 5…"));
    update(
        &mut model,
        event(list, VaultEventKind::ListDone { count: 5 }),
    );
    assert_eq!(
        model.progress.as_deref(),
        Some("loading deleted…"),
        "not what the finished secrets list said last"
    );
    update(
        &mut model,
        event(del, VaultEventKind::ListDone { count: 0 }),
    );
    assert_eq!(model.progress, None);
}
