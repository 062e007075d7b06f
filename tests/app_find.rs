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
    assert!(screen(&model).contains("no secret in an open or cached vault matches"));
    press(&mut model, "esc");
    assert!(model.overlays.is_empty());
}

const PINNED: &str = "https://kv-pinned.vault.azure.net";
const RECENT: &str = "https://kv-recent.vault.azure.net";

#[test]
fn pinned_vaults_not_open_are_found_in_their_list_caches_and_enter_opens_them_on_the_secret() {
    use kvtui::app::{Msg, effect::Effect, update};
    use kvtui::vault::{VaultCmd, VaultEventKind};

    let mut model = loaded_model();
    model.pinned_vaults = vec![PINNED.into()];
    // The open vault among the recent ones is searched in its list, not its cache.
    model.recent_vaults = vec![RECENT.into(), VAULT.into(), PINNED.into()];
    let fx = press(&mut model, "F");
    let asked: Vec<&Vec<String>> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::LoadOtherCaches { urls } => Some(urls),
            _ => None,
        })
        .collect();
    assert_eq!(asked, [&vec![PINNED.to_string(), RECENT.to_string()]]);
    assert!(screen(&model).contains("reading the list caches"));

    let mut tagged = props("billing-token");
    tagged.tags.insert("team".into(), "ledger".into());
    update(
        &mut model,
        Msg::OtherCachesLoaded(vec![(
            PINNED.into(),
            vec![props("alpha"), tagged, props("pinned-db-password")],
        )]),
    );
    type_text(&mut model, "db-pass");
    let found: Vec<(Option<usize>, String, String)> = find_rows(&model, "db-pass")
        .into_iter()
        .map(|r| (r.route, r.vault, r.name))
        .collect();
    assert_eq!(
        found,
        [
            (Some(0), VAULT.to_string(), "db-password".to_string()),
            (
                None,
                format!("(cached) {PINNED}"),
                "pinned-db-password".to_string()
            ),
        ]
    );
    let why: Vec<String> = find_rows(&model, "ledger")
        .into_iter()
        .map(|r| format!("{} {}", r.name, r.why))
        .collect();
    assert_eq!(why, ["billing-token tag team=ledger"]);
    let shown = screen(&model);
    assert!(shown.contains("(cached) https://kv-pinned"), "{shown}");
    assert!(!shown.contains("reading the list caches"), "{shown}");

    // Enter on the cached row opens that vault the way the picker does.
    let fx = press(&mut model, "down enter");
    assert!(model.overlays.is_empty());
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::OpenVault { url } if url == PINNED)),
        "{fx:?}"
    );
    assert_eq!(model.opening.as_deref(), Some(PINNED));

    // Once open, its list is asked for, and the secret is selected as its page arrives.
    let fx = update(
        &mut model,
        Msg::VaultOpened {
            label: PINNED.into(),
            is_local: false,
        },
    );
    assert_eq!(model.vault_label(), PINNED);
    let list = routed_runs(&fx)
        .into_iter()
        .find(|(route, r)| *route == 1 && matches!(r.cmd, VaultCmd::ListSecrets))
        .map(|(_, r)| r.id)
        .expect("the opened vault is listed");
    update(
        &mut model,
        event(
            list,
            VaultEventKind::SecretsPage(vec![
                props("alpha"),
                props("beta"),
                props("pinned-db-password"),
                props("zeta"),
            ]),
        ),
    );
    assert_eq!(selected_name(&model), "pinned-db-password");
    update(
        &mut model,
        event(list, VaultEventKind::ListDone { count: 4 }),
    );
    assert_eq!(selected_name(&model), "pinned-db-password");
    assert!(model.find_target.is_none());

    // With the vault open, find reads no cache of it again.
    let fx = press(&mut model, "F");
    assert!(fx.iter().any(
        |e| matches!(e, Effect::LoadOtherCaches { urls } if urls == &vec![RECENT.to_string()])
    ));
}

#[test]
fn a_vault_not_open_is_listed_too_and_its_list_replaces_the_cached_rows() {
    use kvtui::app::across::{AcrossEvent, AcrossJob};
    use kvtui::app::{Msg, effect::Effect, update};

    let mut model = loaded_model();
    model.pinned_vaults = vec![PINNED.into()];
    let fx = press(&mut model, "F");
    let jobs: Vec<(kvtui::vault::ReqId, String)> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Across(AcrossJob::List { id, vault }) => Some((*id, vault.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].1, PINNED);
    update(
        &mut model,
        Msg::OtherCachesLoaded(vec![(PINNED.into(), vec![props("old-db-password")])]),
    );
    let names = |model: &kvtui::app::Model| {
        find_rows(model, "pinned-db")
            .into_iter()
            .chain(find_rows(model, "old-db"))
            .map(|r| format!("{} {}", r.vault, r.name))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&model),
        [format!("(cached) {PINNED} old-db-password")]
    );
    // The listing came: the vault's rows as they are now, no longer cached.
    update(
        &mut model,
        Msg::Across(AcrossEvent::Listed {
            id: jobs[0].0,
            items: vec![props("pinned-db-password")],
        }),
    );
    assert_eq!(names(&model), [format!("{PINNED} pinned-db-password")]);
    // A cache read that lands late does not bring the old rows back.
    update(
        &mut model,
        Msg::OtherCachesLoaded(vec![(PINNED.into(), vec![props("old-db-password")])]),
    );
    assert_eq!(names(&model), [format!("{PINNED} pinned-db-password")]);
}
