//! Across vaults in the TUI through `update` and `render` alone: `c` chooses
//! the other vault and asks the runtime for a comparison, its rows filter by
//! state and mark, a copy shows its plan before any write and ends in one
//! history entry, and `X` lists what expires in every open vault.

mod app_common;

use app_common::*;
use kvtui::across::apply::Outcome;
use kvtui::across::compare::{CompareOptions, Listing, Row, State, pair, settle};
use kvtui::across::hash::ValueHasher;
use kvtui::across::plan::{Action as PlanAction, Step};
use kvtui::app::across::{AcrossEvent, AcrossJob};
use kvtui::app::effect::Effect;
use kvtui::app::model::Overlay;
use kvtui::app::{Model, Msg, update};
use kvtui::ui::{UiState, render};
use kvtui::vault::{ErrorKind, ReqId, VaultError};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use secrecy::SecretString;
use time::Duration;

const PROD: &str = "https://kv-prod.vault.azure.net";

fn with_prod() -> Model {
    let mut model = loaded_model();
    model.add_vault(PROD, false);
    model
}

/// One row of every state, values settled by digests of a run's key.
fn rows() -> Vec<Row> {
    let mut db = props("db-password");
    db.tags.insert("env".into(), "dev".into());
    let mut db_prod = props("db-password");
    db_prod.tags.insert("env".into(), "prod".into());
    let mut off = props("old-signing-key");
    off.enabled = false;
    let mut tls = props("web-tls");
    tls.managed = true;
    let listing = Listing {
        source: vec![
            props("api-key"),
            db,
            props("new-queue-key"),
            props("old-signing-key"),
            props("smtp-password"),
            tls.clone(),
        ],
        target: vec![props("api-key"), db_prod, off, props("legacy-token"), tls],
        target_deleted: vec![deleted("smtp-password")],
    };
    let opts = CompareOptions {
        values: true,
        ..Default::default()
    };
    let hasher = ValueHasher::new();
    let mut rows = pair(listing, &opts);
    for r in &mut rows {
        let theirs = if r.name.as_str() == "db-password" {
            "prod-value"
        } else {
            "same-value"
        };
        let a = hasher.digest(&SecretString::from("same-value"));
        let b = hasher.digest(&SecretString::from(theirs));
        settle(r, Some((a, b)));
    }
    rows
}

fn across_jobs(fx: &[Effect]) -> Vec<&AcrossJob> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Across(job) => Some(job),
            _ => None,
        })
        .collect()
}

/// `c`, Enter on the first choice: the comparison asked for, then answered.
fn compared() -> (Model, ReqId) {
    let mut model = with_prod();
    press(&mut model, "c");
    let fx = press(&mut model, "enter");
    let jobs = across_jobs(&fx);
    let [
        AcrossJob::Compare {
            id,
            source,
            target,
            values,
        },
    ] = jobs.as_slice()
    else {
        panic!("one comparison expected: {jobs:?}");
    };
    assert_eq!((source.as_str(), target.as_str()), (VAULT, PROD));
    assert!(values, "values are compared by default");
    let id = *id;
    update(
        &mut model,
        Msg::Across(AcrossEvent::Compared { id, rows: rows() }),
    );
    (model, id)
}

fn view(model: &Model) -> &kvtui::app::across::VaultCompare {
    model
        .overlays
        .iter()
        .find_map(|o| match o {
            Overlay::VaultCompare(v) => Some(v),
            _ => None,
        })
        .expect("the compare view is open")
}

fn screen(model: &Model, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    let mut state = UiState::default();
    terminal
        .draw(|f| render(f, model, &mut state))
        .expect("draw");
    terminal.backend().to_string()
}

#[test]
fn c_offers_the_other_vaults_and_nothing_without_one() {
    let mut alone = loaded_model();
    press(&mut alone, "c");
    assert!(
        alone.overlays.is_empty(),
        "no other vault: a toast, no chooser"
    );
    assert!(
        alone
            .toast
            .as_ref()
            .is_some_and(|t| t.text.contains("no other vault"))
    );

    let mut model = with_prod();
    model
        .pinned_vaults
        .push("https://kv-test.vault.azure.net".into());
    model.pinned_vaults.push(VAULT.into());
    press(&mut model, "c");
    let Some(Overlay::CompareWith(choose)) = model.overlays.last() else {
        panic!("the chooser is open: {:?}", model.overlays);
    };
    assert_eq!(
        choose.choices,
        [
            (PROD.to_string(), true),
            ("https://kv-test.vault.azure.net".to_string(), false),
        ],
        "open vaults first, the one on screen never"
    );
    let fx = press(&mut model, "down enter");
    let jobs = across_jobs(&fx);
    assert!(
        matches!(jobs.as_slice(), [AcrossJob::Compare { target, .. }] if target == "https://kv-test.vault.azure.net"),
        "{jobs:?}"
    );
}

#[test]
fn the_rows_show_every_state_and_what_differs() {
    let (model, _) = compared();
    let states: Vec<(String, State)> = view(&model)
        .rows
        .iter()
        .map(|r| (r.name.to_string(), r.state))
        .collect();
    assert_eq!(
        states,
        [
            ("api-key".to_string(), State::Same),
            ("db-password".to_string(), State::Differs),
            ("legacy-token".to_string(), State::OnlyInTarget),
            ("new-queue-key".to_string(), State::OnlyInSource),
            ("old-signing-key".to_string(), State::Disabled),
            ("smtp-password".to_string(), State::DeletedInTarget),
            ("web-tls".to_string(), State::Managed),
        ]
    );
    let shown = screen(&model, 120, 30);
    assert!(shown.contains("value, tags"), "{shown}");
    assert!(!shown.contains("same-value") && !shown.contains("prod-value"));
    insta::assert_snapshot!("vault_compare_120x30", shown);
}

#[test]
fn f_filters_by_state_and_enter_shows_both_sides() {
    let (mut model, _) = compared();
    press(&mut model, "f");
    assert_eq!(view(&model).filter, Some(State::Same));
    press(&mut model, "f");
    assert_eq!(view(&model).filter, Some(State::Differs));
    assert_eq!(view(&model).visible().len(), 1);
    press(&mut model, "enter");
    assert!(view(&model).props_open);
    let shown = screen(&model, 120, 30);
    assert!(
        shown.contains("env=dev") && shown.contains("env=prod"),
        "{shown}"
    );
    insta::assert_snapshot!("vault_compare_sides_120x30", shown);
    // Esc closes the sides first, then the view.
    press(&mut model, "esc");
    assert!(!view(&model).props_open);
    press(&mut model, "esc");
    assert!(model.overlays.is_empty());
}

#[test]
fn progress_shows_while_comparing_and_a_late_answer_is_dropped() {
    let mut model = with_prod();
    let fx = press(&mut model, "c enter");
    let id = across_jobs(&fx)[0].id();
    update(
        &mut model,
        Msg::Across(AcrossEvent::Progress {
            id,
            line: "listed 120 secrets · values 7/60".into(),
        }),
    );
    let shown = screen(&model, 100, 20);
    assert!(
        shown.contains("values 7/60") && shown.contains("comparing"),
        "{shown}"
    );
    // A report of another job changes nothing.
    update(
        &mut model,
        Msg::Across(AcrossEvent::Compared {
            id: ReqId(id.0 + 1000),
            rows: rows(),
        }),
    );
    assert!(view(&model).rows.is_empty());
    update(
        &mut model,
        Msg::Across(AcrossEvent::Compared { id, rows: rows() }),
    );
    assert_eq!(view(&model).rows.len(), 7);
    assert!(view(&model).progress.is_none());
}

#[test]
fn a_refused_value_read_compares_properties_only() {
    let mut model = with_prod();
    let fx = press(&mut model, "c enter");
    let id = across_jobs(&fx)[0].id();
    let error = VaultError::new(ErrorKind::Forbidden, "get is not allowed");
    let fx = update(&mut model, Msg::Across(AcrossEvent::Failed { id, error }));
    let jobs = across_jobs(&fx);
    assert!(
        matches!(jobs.as_slice(), [AcrossJob::Compare { values: false, .. }]),
        "{jobs:?}"
    );
    assert!(
        view(&model)
            .note
            .as_ref()
            .is_some_and(|n| n.contains("refused"))
    );

    // Any other failure is said and kept in the history.
    let again = jobs[0].id();
    let error = VaultError::new(ErrorKind::Network, "connection refused");
    let fx = update(
        &mut model,
        Msg::Across(AcrossEvent::Failed { id: again, error }),
    );
    assert!(across_jobs(&fx).is_empty());
    assert_eq!(model.error_count(), 1);
    assert!(view(&model).failure.is_some());
}

#[test]
fn space_marks_source_rows_and_c_shows_the_plan_before_writing() {
    let (mut model, _) = compared();
    // api-key, db-password, legacy-token (target only: not markable),
    // new-queue-key, smtp-password (deleted in target).
    let fx = press(&mut model, "space space space space j space");
    assert!(across_jobs(&fx).is_empty());
    let marked: Vec<String> = view(&model).marked.iter().map(|n| n.to_string()).collect();
    assert_eq!(
        marked,
        ["api-key", "db-password", "new-queue-key", "smtp-password"]
    );
    let fx = press(&mut model, "C");
    assert!(across_jobs(&fx).is_empty(), "the plan writes nothing");
    let Some(Overlay::CopyPlan(plan)) = model.overlays.last() else {
        panic!("the plan dialog is open: {:?}", model.overlays.last());
    };
    assert_eq!(
        plan.counts(),
        [
            ("unchanged", 1),
            ("new version", 1),
            ("create", 1),
            ("deleted in target", 1)
        ]
    );
    assert_eq!(plan.writes(), 2);
    let shown = screen(&model, 100, 30);
    assert!(shown.contains("2 to write"), "{shown}");
    insta::assert_snapshot!("copy_plan_100x30", shown);

    // `r`: recover the deleted name, then copy over it.
    press(&mut model, "r");
    let Some(Overlay::CopyPlan(plan)) = model.overlays.last() else {
        panic!("still the plan");
    };
    assert_eq!(plan.writes(), 3);
    assert!(plan.steps.iter().any(|s| s.action == PlanAction::Recover));

    // Esc cancels: nothing written, marks kept.
    let fx = press(&mut model, "esc");
    assert!(across_jobs(&fx).is_empty());
    assert_eq!(view(&model).marked.len(), 4);
}

fn copy_job(model: &mut Model) -> (ReqId, Vec<Step>) {
    let fx = press(model, "C enter");
    let jobs = across_jobs(&fx);
    let [
        AcrossJob::Copy {
            id,
            source,
            target,
            steps,
        },
    ] = jobs.as_slice()
    else {
        panic!("one copy expected: {jobs:?}");
    };
    assert_eq!((source.as_str(), target.as_str()), (VAULT, PROD));
    (*id, steps.clone())
}

#[test]
fn a_copy_ends_in_one_history_entry_and_compares_again() {
    let (mut model, _) = compared();
    press(&mut model, "space space j space");
    let (id, steps) = copy_job(&mut model);
    let names: Vec<&str> = steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["api-key", "db-password", "new-queue-key"]);
    assert!(view(&model).copying.is_some());
    // Esc while copying keeps the view: the summary must be seen.
    press(&mut model, "esc");
    assert!(
        model
            .overlays
            .iter()
            .any(|o| matches!(o, Overlay::VaultCompare(_)))
    );
    update(
        &mut model,
        Msg::Across(AcrossEvent::Progress {
            id,
            line: "copying 2/3".into(),
        }),
    );
    let shown = screen(&model, 100, 20);
    assert!(shown.contains("copying 2/3"), "{shown}");

    let outcomes = [Outcome::Unchanged, Outcome::TargetChanged, Outcome::Created];
    let results = steps.into_iter().zip(outcomes).collect();
    model.vaults[1].secrets.push_page(vec![props("prod-only")]);
    model.vaults[1].secrets.finish_load();
    assert!(model.vaults[1].secrets.loaded);
    let before = model.errors.len();
    let fx = update(&mut model, Msg::Across(AcrossEvent::Copied { id, results }));
    assert!(
        routed_runs(&fx).is_empty(),
        "no list request: its answers would land in the vault on screen"
    );
    assert!(
        !model.vaults[1].secrets.loaded,
        "the target lists again when next shown"
    );
    assert_eq!(
        model.secrets().items.len(),
        5,
        "the vault on screen is untouched"
    );
    assert_eq!(model.errors.len(), before + 1, "one history entry");
    let entry = model.errors.last().expect("entry");
    assert!(
        entry.what.contains("1 unchanged") && entry.what.contains("1 created"),
        "{}",
        entry.what
    );
    assert_eq!(
        entry.failures,
        [(
            "db-password".to_string(),
            "skipped: the target changed since the plan".to_string()
        )]
    );
    assert!(view(&model).marked.is_empty() && view(&model).copying.is_none());
    assert!(
        matches!(across_jobs(&fx).as_slice(), [AcrossJob::Compare { .. }]),
        "the comparison runs again"
    );
}

#[test]
fn a_plan_that_writes_nothing_is_not_sent() {
    let (mut model, _) = compared();
    // The selected row, api-key, is the same on both sides.
    let fx = press(&mut model, "C enter");
    assert!(across_jobs(&fx).is_empty());
    assert!(
        model
            .toast
            .as_ref()
            .is_some_and(|t| t.text.contains("nothing to write"))
    );
    // A row only the target holds cannot be copied.
    let fx = press(&mut model, "j j C");
    assert!(across_jobs(&fx).is_empty());
    assert!(
        !model
            .overlays
            .iter()
            .any(|o| matches!(o, Overlay::CopyPlan(_)))
    );
}

#[test]
fn x_lists_what_expires_in_every_open_vault_and_enter_goes_there() {
    let mut model = with_prod();
    let mut soon = props("prod-cert-password");
    soon.expires = Some(NOW + Duration::days(3));
    let mut later = props("prod-far");
    later.expires = Some(NOW + Duration::days(300));
    let rows = &mut model.vaults[1].secrets;
    rows.push_page(vec![soon, later, props("prod-no-expiry")]);
    rows.finish_load();
    press(&mut model, "X");
    assert!(matches!(
        model.overlays.last(),
        Some(Overlay::ExpiringAll(_))
    ));
    let due: Vec<(String, String)> = kvtui::app::across::expiring::rows(&model)
        .into_iter()
        .map(|(_, r)| (r.props.name.to_string(), r.vault))
        .collect();
    assert_eq!(
        due,
        [
            ("old-cert".to_string(), VAULT.to_string()),
            ("prod-cert-password".to_string(), PROD.to_string()),
            ("api-key".to_string(), VAULT.to_string()),
        ],
        "expired first, then soonest; far and undated ones not at all"
    );
    let shown = screen(&model, 120, 20);
    insta::assert_snapshot!("expiring_everywhere_120x20", shown);
    press(&mut model, "down enter");
    assert!(model.overlays.is_empty());
    assert_eq!(model.vault_label(), PROD);
    assert_eq!(selected_name(&model), "prod-cert-password");
}

#[test]
fn x_lists_pinned_vaults_that_are_not_open_and_enter_opens_one() {
    const PINNED: &str = "https://kv-pinned.vault.azure.net";
    let mut model = with_prod();
    model.pinned_vaults.push(PROD.into());
    model.pinned_vaults.push(PINNED.into());
    model
        .pinned_vaults
        .push("https://kv-gone.vault.azure.net".into());
    let fx = press(&mut model, "X");
    let listed: Vec<(ReqId, &str)> = across_jobs(&fx)
        .into_iter()
        .map(|j| match j {
            AcrossJob::List { id, vault } => (*id, vault.as_str()),
            other => panic!("only listings: {other:?}"),
        })
        .collect();
    let [
        (pinned_id, PINNED),
        (gone_id, "https://kv-gone.vault.azure.net"),
    ] = listed[..]
    else {
        panic!("the pinned vaults not open are listed, the open one not: {listed:?}");
    };
    let shown = screen(&model, 120, 20);
    assert!(shown.contains("listing 2 pinned"), "{shown}");

    let mut soon = props("pinned-api-key");
    soon.expires = Some(NOW + Duration::days(1));
    let mut off = props("pinned-retired");
    off.expires = Some(NOW - Duration::days(1));
    off.enabled = false;
    update(
        &mut model,
        Msg::Across(AcrossEvent::Listed {
            id: pinned_id,
            items: vec![soon, off, props("pinned-undated")],
        }),
    );
    update(
        &mut model,
        Msg::Across(AcrossEvent::Failed {
            id: gone_id,
            error: VaultError::new(ErrorKind::NotFound, "no such vault"),
        }),
    );
    let due: Vec<(Option<usize>, String)> = kvtui::app::across::expiring::rows(&model)
        .into_iter()
        .map(|(route, r)| (route, r.props.name.to_string()))
        .collect();
    assert_eq!(
        due,
        [
            (Some(0), "old-cert".to_string()),
            (None, "pinned-api-key".to_string()),
            (Some(0), "api-key".to_string()),
        ],
        "a disabled secret is no alarm"
    );
    let shown = screen(&model, 120, 20);
    assert!(
        shown.contains("kv-gone.vault.azure.net not listed: no such vault"),
        "{shown}"
    );
    assert!(!shown.contains("listing"), "{shown}");
    insta::assert_snapshot!("expiring_everywhere_pinned_120x20", shown);

    let fx = press(&mut model, "down enter");
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::OpenVault { url } if url == PINNED)),
        "Enter on a pinned vault's row opens it"
    );
}

#[test]
fn s_compares_the_selected_rows_values_masked_until_asked() {
    let (mut model, _) = compared();
    press(&mut model, "j enter");
    let shown = screen(&model, 120, 40);
    assert!(shown.contains("press s to compare the values"), "{shown}");
    let fx = press(&mut model, "s");
    let jobs = across_jobs(&fx);
    let [
        AcrossJob::Values {
            id,
            name,
            target_name,
            ..
        },
    ] = jobs.as_slice()
    else {
        panic!("one read of both values: {jobs:?}");
    };
    assert_eq!(
        (name.as_str(), target_name.as_str()),
        ("db-password", "db-password")
    );
    let id = *id;
    assert!(screen(&model, 120, 40).contains("reading both values"));
    update(
        &mut model,
        Msg::Across(AcrossEvent::Values {
            id,
            source: SecretString::from("user=app\nhost=dev-db"),
            target: SecretString::from("user=app\nhost=prod-db"),
        }),
    );
    let shown = screen(&model, 120, 40);
    assert!(
        shown.contains("- host=dev-db") && shown.contains("+ host=prod-db"),
        "{shown}"
    );
    insta::assert_snapshot!("vault_compare_values_120x40", shown);
    // Moving on drops the values; a row only one side holds has none to compare.
    press(&mut model, "j");
    assert!(view(&model).value.is_none());
    assert!(!screen(&model, 120, 40).contains("host="));
    let fx = press(&mut model, "s");
    assert!(across_jobs(&fx).is_empty());
    assert!(
        model
            .toast
            .as_ref()
            .is_some_and(|t| t.text.contains("both vaults"))
    );
}
