//! The list cache as the model uses it (pure, no I/O): asked for once per
//! vault at open, shown at once and marked, refreshed in place by the pages
//! keeping the filter and the selection, rows gone removed when the listing
//! ends, saved once the lists settle and after each write, never for a
//! vault that is not cached, and only the vault on screen refreshes.

mod app_common;

use app_common::{NOW, VAULT, deleted, event, press, props, reqs_of, routed_runs, type_text};
use kvtui::app::effect::Effect;
use kvtui::app::lists::cached::{CachedList, CachedLists};
use kvtui::app::lists::rows::ListView;
use kvtui::app::{Keymap, Model, Msg, update};
use kvtui::vault::{ReqId, SecretProps, VaultCmd, VaultEventKind};
use time::Duration;

fn names(n: std::ops::Range<usize>) -> Vec<SecretProps> {
    n.map(|i| props(&format!("s-{i:03}"))).collect()
}

fn cached(rows: Vec<SecretProps>) -> CachedLists {
    CachedLists {
        secrets: Some(CachedList {
            saved_at: NOW - Duration::minutes(7),
            rows,
        }),
        deleted: Some(CachedList {
            saved_at: NOW - Duration::minutes(7),
            rows: vec![deleted("old-gone")],
        }),
    }
}

fn loads_cache(effects: &[Effect]) -> Vec<usize> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::LoadCache { route } => Some(*route),
            _ => None,
        })
        .collect()
}

fn saves(effects: Vec<Effect>) -> Vec<(usize, CachedLists)> {
    effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::SaveCache { route, lists } => Some((route, lists)),
            _ => None,
        })
        .collect()
}

/// A cached model started: returns the ids of the two listings.
fn started(model: &mut Model) -> (ReqId, ReqId) {
    model.use_cache(0);
    let fx = update(model, Msg::Start);
    assert_eq!(loads_cache(&fx), vec![0], "the cache is asked for at open");
    let reqs = reqs_of(fx);
    assert_eq!(reqs.len(), 2, "the listing does not wait for the cache");
    (reqs[0].id, reqs[1].id)
}

fn screen(model: &Model) -> String {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 20)).expect("terminal");
    let mut state = kvtui::ui::UiState::default();
    terminal
        .draw(|f| kvtui::ui::render(f, model, &mut state))
        .expect("drawn");
    terminal.backend().to_string()
}

fn model() -> Model {
    Model::new(VAULT, false, Keymap::default_keymap(), NOW)
}

fn shown_names(model: &Model) -> Vec<String> {
    let list = model.secrets();
    list.visible
        .iter()
        .map(|&i| list.items[i].name.to_string())
        .collect()
}

#[test]
fn cached_rows_show_at_once_and_pages_refresh_them_in_place() {
    let mut model = model();
    let (list, del) = started(&mut model);
    let fx = update(
        &mut model,
        Msg::CacheLoaded {
            route: 0,
            lists: Some(cached(names(0..60))),
        },
    );
    assert!(saves(fx).is_empty(), "rows just read are not written back");
    assert_eq!(model.secrets().total(), 60);
    assert_eq!(
        model.secrets().cached_at(),
        Some(NOW - Duration::minutes(7))
    );
    assert!(model.secrets().is_loading());
    assert_eq!(model.deleted().total(), 1);
    let shown = screen(&model);
    assert!(
        shown.contains("cached · refreshing · saved 7 min ago"),
        "{shown}"
    );
    assert!(shown.contains("s-000"), "{shown}");

    // The person filters and picks a row while the refresh runs.
    press(&mut model, "/");
    type_text(&mut model, "s-04");
    press(&mut model, "enter");
    let matching = model.secrets().len();
    assert!((10..60).contains(&matching), "{matching} rows match");
    press(&mut model, "G k k k");
    let picked = model.secrets().selected_props().map(|p| p.name.to_string());
    assert!(
        picked.as_deref().is_some_and(|n| n.starts_with("s-04")),
        "{picked:?}"
    );

    // Page 1: s-000..s-029 as they were, plus s-041 with a new content type.
    let mut page = names(0..30);
    let mut changed = props("s-041");
    changed.content_type = Some("text/plain".into());
    page.push(changed);
    update(&mut model, event(list, VaultEventKind::SecretsPage(page)));
    assert_eq!(model.secrets().total(), 60, "no row is lost mid-refresh");
    assert_eq!(model.secrets().filter, "s-04");
    assert_eq!(
        model.secrets().selected_props().map(|p| p.name.to_string()),
        picked,
        "the selection stays on its secret"
    );
    assert_eq!(
        model
            .secrets()
            .find("s-041")
            .and_then(|p| p.content_type.clone()),
        Some("text/plain".to_owned())
    );

    // Page 2: s-040..s-049 and a secret added elsewhere; s-030..s-039 and
    // s-050..s-059 were deleted elsewhere.
    let mut page = names(40..50);
    page.push(props("s-045b"));
    update(&mut model, event(list, VaultEventKind::SecretsPage(page)));
    assert_eq!(model.secrets().total(), 61, "gone rows stay until the end");
    let fx = update(
        &mut model,
        event(list, VaultEventKind::ListDone { count: 41 }),
    );
    assert!(
        saves(fx).is_empty(),
        "nothing saved while a list still loads"
    );
    assert_eq!(
        model.secrets().total(),
        41,
        "rows gone are removed at the end"
    );
    assert_eq!(model.secrets().cached_at(), None, "the marker goes");
    assert!(model.secrets().find("s-035").is_none());
    assert!(model.secrets().find("s-045b").is_some());
    assert_eq!(model.secrets().filter, "s-04");
    assert_eq!(
        model.secrets().selected_props().map(|p| p.name.to_string()),
        picked
    );
    let shown = shown_names(&model);
    assert!(
        shown.contains(&"s-045b".to_owned()),
        "a new row passes the filter"
    );
    assert!(
        !shown.contains(&"s-054".to_owned()),
        "a gone row is no longer shown"
    );

    update(&mut model, event(del, VaultEventKind::DeletedPage(vec![])));
    let fx = update(
        &mut model,
        event(del, VaultEventKind::ListDone { count: 0 }),
    );
    assert_eq!(model.deleted().total(), 0, "the cached deleted row is gone");
    let shown = screen(&model);
    assert!(!shown.contains("cached"), "the marker goes:\n{shown}");
    let saved = saves(fx);
    assert_eq!(saved.len(), 1, "the settled lists are saved once");
    let (route, lists) = &saved[0];
    assert_eq!(*route, 0);
    let rows = &lists.secrets.as_ref().expect("secrets saved").rows;
    assert_eq!(rows.len(), 41);
    assert_eq!(lists.secrets.as_ref().map(|l| l.saved_at), Some(NOW));
    assert_eq!(lists.deleted.as_ref().map(|l| l.rows.len()), Some(0));
}

#[test]
fn a_failed_refresh_keeps_the_cached_rows_and_never_saves_them_back() {
    let mut model = model();
    let (list, del) = started(&mut model);
    update(
        &mut model,
        Msg::CacheLoaded {
            route: 0,
            lists: Some(cached(names(0..30))),
        },
    );
    update(
        &mut model,
        event(list, VaultEventKind::SecretsPage(names(0..25))),
    );
    let failed = app_common::failure(
        kvtui::vault::ErrorKind::Other,
        503,
        "ServiceUnavailable",
        "try later",
    );
    let mut fx = update(&mut model, event(list, failed.clone()));
    fx.extend(update(&mut model, event(del, failed)));
    assert_eq!(model.secrets().total(), 30, "no cached row is dropped");
    assert!(model.secrets().failure().is_some(), "the failure is said");
    assert!(model.secrets().cached_at().is_some(), "still marked cached");
    assert!(saves(fx).is_empty());
}

#[test]
fn a_cache_read_after_the_first_fresh_page_is_ignored() {
    let mut model = model();
    let (list, _) = started(&mut model);
    update(
        &mut model,
        event(list, VaultEventKind::SecretsPage(names(0..3))),
    );
    update(
        &mut model,
        Msg::CacheLoaded {
            route: 0,
            lists: Some(cached(names(0..50))),
        },
    );
    assert_eq!(model.secrets().total(), 3);
    assert_eq!(model.secrets().cached_at(), None);
}

#[test]
fn writes_made_here_update_the_cache() {
    let mut model = model();
    let (list, del) = started(&mut model);
    update(
        &mut model,
        Msg::CacheLoaded {
            route: 0,
            lists: None,
        },
    );
    update(
        &mut model,
        event(list, VaultEventKind::SecretsPage(names(0..3))),
    );
    update(
        &mut model,
        event(list, VaultEventKind::ListDone { count: 3 }),
    );
    let fx = update(
        &mut model,
        event(del, VaultEventKind::ListDone { count: 0 }),
    );
    assert_eq!(saves(fx).len(), 1);

    // Delete s-001: once the vault confirms, the cache loses it.
    press(&mut model, "j");
    let fx = press(&mut model, "d");
    let fx = if reqs_of(fx).is_empty() {
        press(&mut model, "y")
    } else {
        Vec::new()
    };
    let reqs = reqs_of(fx);
    let Some(req) = reqs
        .iter()
        .find(|r| matches!(r.cmd, VaultCmd::Delete { .. }))
    else {
        panic!("no delete request: {reqs:?}");
    };
    let gone = kvtui::vault::DeletedSecret {
        props: props("s-001"),
        ..deleted("s-001")
    };
    let fx = update(
        &mut model,
        event(req.id, VaultEventKind::Deleted(Box::new(gone))),
    );
    let saved = saves(fx);
    assert_eq!(saved.len(), 1, "the write is saved");
    let lists = &saved[0].1;
    let secrets: Vec<String> = lists
        .secrets
        .as_ref()
        .expect("secrets")
        .rows
        .iter()
        .map(|p| p.name.to_string())
        .collect();
    assert_eq!(secrets, ["s-000", "s-002"]);
    assert_eq!(lists.deleted.as_ref().map(|l| l.rows.len()), Some(1));
}

#[test]
fn a_vault_not_cached_asks_for_nothing_and_saves_nothing() {
    let mut model = model();
    let fx = update(&mut model, Msg::Start);
    assert!(loads_cache(&fx).is_empty());
    let reqs = reqs_of(fx);
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::ListDone { count: 0 }),
    );
    let fx = update(
        &mut model,
        event(reqs[1].id, VaultEventKind::ListDone { count: 0 }),
    );
    assert!(saves(fx).is_empty());
}

#[test]
fn only_the_vault_on_screen_refreshes() {
    let mut model = model();
    for i in 1..4 {
        model.add_vault(format!("https://v{i}.vault.azure.net"), false);
    }
    for route in 0..4 {
        model.use_cache(route);
    }
    let fx = update(&mut model, Msg::Start);
    assert_eq!(loads_cache(&fx), vec![0]);
    let routes: Vec<usize> = routed_runs(&fx).iter().map(|(r, _)| *r).collect();
    assert_eq!(routes, [0, 0], "one vault lists at a time");
    // Switching to another vault stops the first one's listing.
    press(&mut model, "v");
    let fx = press(&mut model, "down enter");
    assert_eq!(loads_cache(&fx), vec![1]);
    let routes: Vec<usize> = routed_runs(&fx).iter().map(|(r, _)| *r).collect();
    assert_eq!(routes, [1, 1]);
    let cancelled: Vec<usize> = app_common::routed_cancels(&fx)
        .iter()
        .map(|(r, _)| *r)
        .collect();
    assert_eq!(cancelled, [0, 0], "the old vault's listing is cancelled");
}

#[test]
fn writes_during_a_refresh_of_cached_rows_are_kept() {
    use kvtui::app::lists::rows::Rows;
    let mut rows: Rows<SecretProps> = Rows::default();
    rows.begin_load(ReqId(1), NOW);
    rows.show_cached(names(0..4), NOW - Duration::hours(2));
    // Saved here while the refresh runs: one new, one deleted.
    rows.upsert(props("written-here"));
    rows.remove("s-001");
    rows.push_page(vec![props("s-000"), props("s-002")]);
    rows.finish_load();
    let mut left: Vec<String> = rows.items.iter().map(|p| p.name.to_string()).collect();
    left.sort();
    assert_eq!(left, ["s-000", "s-002", "written-here"]);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows.cached_at, None);
}
