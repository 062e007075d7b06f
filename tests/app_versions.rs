//! The versions list in the pure update: batches asked for only near the
//! end, marks, the comparison (`D`, values behind `s`), making an old version
//! current (`C`) and enabling or disabling one (`t`); plus render snapshots of
//! the comparison at 80×24.

mod app_common;

use app_common::*;
use kvtui::app::details::compare::ValueView;
use kvtui::app::effect::Effect;
use kvtui::app::{Model, Overlay, update};
use kvtui::ui::{UiState, render};
use kvtui::vault::{ReqId, Secret, SecretProps, VaultCmd, VaultEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use secrecy::{ExposeSecret, SecretString};
use time::Duration;

const RESUME: &str = "https://demo.vault.azure.net/secrets/db-password/versions?$skiptoken=abc";

fn version_id(i: usize) -> String {
    format!("{i:04}aaaabbbbccccddddeeeeffff0000")
}

/// Version `i` of db-password, `i` hours older than the current (0) one,
/// which carries the secret's own times.
fn version(i: usize) -> SecretProps {
    let mut p = props("db-password");
    let id = version_id(i);
    p.id = format!("{VAULT}/secrets/db-password/{id}");
    p.version = Some(id);
    if i > 0 {
        let hours = Duration::hours(i as i64);
        p.created = p.created.map(|c| c - hours);
        p.updated = p.created;
    }
    p
}

/// db-password's details with `n` versions listed (in an order the service
/// chose: oldest first), paused with more to come when `more`.
fn details_with(n: usize, more: bool) -> Model {
    let mut model = loaded_model();
    press(&mut model, "j j");
    let reqs = reqs_of(press(&mut model, "enter"));
    let (id, _) = only_cmd(&reqs);
    let page: Vec<SecretProps> = (0..n).rev().map(version).collect();
    update(&mut model, event(id, VaultEventKind::SecretsPage(page)));
    let end = if more {
        VaultEventKind::ListPaused {
            count: n,
            resume: RESUME.to_owned(),
        }
    } else {
        VaultEventKind::ListDone { count: n }
    };
    assert!(reqs_of(update(&mut model, event(id, end))).is_empty());
    model
}

fn answer_value(model: &mut Model, id: ReqId, value: &str) -> Vec<Effect> {
    let secret = Secret {
        props: props("db-password"),
        value: SecretString::from(value.to_owned()),
    };
    update(model, event(id, VaultEventKind::Secret(Box::new(secret))))
}

fn screen(model: &Model) -> String {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut state = UiState::default();
    t.draw(|f| render(f, model, &mut state)).unwrap();
    t.backend().to_string()
}

#[test]
fn versions_are_newest_first_and_the_next_batch_is_asked_for_only_near_the_end() {
    let mut model = details_with(100, true);
    let d = model.details.as_ref().unwrap();
    assert_eq!(d.props.name.as_str(), "db-password");
    assert_eq!(
        d.versions[0].version.as_deref(),
        Some(version_id(0).as_str())
    );
    assert_eq!(d.current_version(), Some(0));
    for _ in 0..69 {
        assert!(
            reqs_of(press(&mut model, "j")).is_empty(),
            "not yet near the end"
        );
    }
    let reqs = reqs_of(press(&mut model, "j"));
    let (id, cmd) = only_cmd(&reqs);
    assert!(
        matches!(cmd, VaultCmd::MoreVersions { name, resume } if name.as_str() == "db-password" && resume == RESUME),
        "{cmd:?}"
    );
    // While that batch is on its way, moving on asks for nothing more.
    assert!(reqs_of(press(&mut model, "j")).is_empty());
    let page: Vec<SecretProps> = (100..150).map(version).collect();
    update(&mut model, event(id, VaultEventKind::SecretsPage(page)));
    update(
        &mut model,
        event(id, VaultEventKind::ListDone { count: 50 }),
    );
    let d = model.details.as_ref().unwrap();
    assert_eq!(d.versions.len(), 150);
    assert_eq!(d.version_sel, 71, "the selection stays on its version");
    assert!(d.versions_next.is_none());
    assert!(screen(&model).contains("Versions (150)"));
}

#[test]
fn two_marked_versions_compare_oldest_first_and_values_come_only_with_s() {
    let mut model = details_with(5, false);
    // Space marks and moves down: versions 1 and 2 marked.
    press(&mut model, "j space space");
    let d = model.details.as_ref().unwrap();
    assert_eq!(d.marked_versions, vec![version_id(1), version_id(2)]);
    // Back up to 2 to unmark it, then mark 3 instead.
    press(&mut model, "k space space");
    let d = model.details.as_ref().unwrap();
    assert_eq!(d.marked_versions, vec![version_id(1), version_id(3)]);
    assert!(
        reqs_of(press(&mut model, "D")).is_empty(),
        "no value read yet"
    );
    let c = model.details.as_ref().unwrap().compare.as_ref().unwrap();
    assert_eq!(
        c.old.version.as_deref(),
        Some(version_id(3).as_str()),
        "older left"
    );
    assert_eq!(c.new.version.as_deref(), Some(version_id(1).as_str()));
    assert_eq!(model.mode(), kvtui::app::Mode::Compare);

    let reqs = reqs_of(press(&mut model, "s"));
    assert_eq!(reqs.len(), 2);
    let wanted: Vec<Option<String>> = reqs
        .iter()
        .map(|r| match &r.cmd {
            VaultCmd::Get { version, .. } => version.clone(),
            other => panic!("expected a get, got {other:?}"),
        })
        .collect();
    assert_eq!(wanted, vec![Some(version_id(3)), Some(version_id(1))]);
    answer_value(&mut model, reqs[0].id, r#"{"user":"app","port":5432}"#);
    answer_value(&mut model, reqs[1].id, r#"{"user":"app","port":6432}"#);
    let c = model.details.as_ref().unwrap().compare.as_ref().unwrap();
    let Some(ValueView::Diff(diff)) = &c.values else {
        panic!("the values differ");
    };
    assert_eq!(diff.changed, 2);
    assert!(
        !format!("{model:?}").contains("6432"),
        "Debug must not show a value"
    );

    // Esc drops the comparison and its values; the versions list is back.
    let fx = press(&mut model, "esc");
    assert!(cancels(&fx).is_empty(), "nothing was still on its way");
    let d = model.details.as_ref().unwrap();
    assert!(d.compare.is_none());
    assert_eq!(model.mode(), kvtui::app::Mode::Details);
}

#[test]
fn d_compares_the_selected_version_with_the_current_one() {
    let mut model = details_with(5, false);
    press(&mut model, "D");
    assert!(model.details.as_ref().unwrap().compare.is_none());
    let toast = model
        .toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default();
    assert!(toast.contains("current version"), "{toast}");

    press(&mut model, "j j D");
    let c = model.details.as_ref().unwrap().compare.as_ref().unwrap();
    assert_eq!(c.old.version.as_deref(), Some(version_id(2).as_str()));
    assert_eq!(c.new.version, None, "the current one is read as the latest");
    let reqs = reqs_of(press(&mut model, "s"));
    assert_eq!(reqs.len(), 2);
    // Closing while the values are on their way cancels both reads.
    let fx = press(&mut model, "q");
    let mut cancelled = cancels(&fx);
    cancelled.sort();
    assert_eq!(cancelled, vec![reqs[0].id, reqs[1].id]);
    assert!(model.details.is_some(), "q closes the comparison only");
}

#[test]
fn identical_values_say_so_without_showing_them() {
    let mut model = details_with(3, false);
    press(&mut model, "j D");
    let reqs = reqs_of(press(&mut model, "s"));
    answer_value(&mut model, reqs[0].id, "same-secret-text");
    answer_value(&mut model, reqs[1].id, "same-secret-text");
    let text = screen(&model);
    assert!(text.contains("values are identical"), "{text}");
    assert!(!text.contains("same-secret-text"), "{text}");
}

#[test]
fn c_reads_the_old_value_opens_a_prefilled_form_and_confirms_before_writing() {
    let mut model = details_with(3, false);
    assert!(
        reqs_of(press(&mut model, "C")).is_empty(),
        "the current one is already current"
    );
    press(&mut model, "j j");
    let reqs = reqs_of(press(&mut model, "C"));
    let (id, cmd) = only_cmd(&reqs);
    assert!(
        matches!(cmd, VaultCmd::Get { version: Some(v), .. } if *v == version_id(2)),
        "{cmd:?}"
    );
    answer_value(&mut model, id, "the-old-value");
    let Some(Overlay::Form(form)) = model.overlays.last() else {
        panic!("the form opens once the value is read");
    };
    assert!(
        form.title().starts_with("Make version 0002aaaa"),
        "{}",
        form.title()
    );
    assert_eq!(form.fields[0].value(), "the-old-value");

    assert!(
        reqs_of(press(&mut model, "ctrl-s")).is_empty(),
        "asks first"
    );
    let Some(Overlay::Confirm(confirm)) = model.overlays.last() else {
        panic!("a confirmation says what changes");
    };
    assert!(
        confirm
            .lines
            .join("\n")
            .contains("value of version 0002aaaa")
    );
    let reqs = reqs_of(press(&mut model, "y"));
    let (_, cmd) = only_cmd(&reqs);
    let VaultCmd::Set(new) = cmd else {
        panic!("confirming writes a new version, got {cmd:?}");
    };
    assert_eq!(new.name.as_str(), "db-password");
    assert_eq!(new.value.expose_secret(), "the-old-value");
}

#[test]
fn t_disables_the_selected_version_and_the_row_shows_it() {
    let mut model = details_with(3, false);
    press(&mut model, "j");
    assert!(
        reqs_of(press(&mut model, "t")).is_empty(),
        "disabling asks first"
    );
    assert!(matches!(
        model.overlays.last(),
        Some(kvtui::app::Overlay::Confirm(c)) if c.title.contains("Disable")
    ));
    let reqs = reqs_of(press(&mut model, "y"));
    let (id, cmd) = only_cmd(&reqs);
    let VaultCmd::UpdateProps {
        version: which,
        update: u,
        ..
    } = cmd
    else {
        panic!("t updates the version, got {cmd:?}");
    };
    assert_eq!(which.as_deref(), Some(version_id(1).as_str()));
    assert_eq!(u.enabled, Some(false));
    let mut off = version(1);
    off.enabled = false;
    update(&mut model, event(id, VaultEventKind::Props(Box::new(off))));
    let d = model.details.as_ref().unwrap();
    assert!(!d.versions[1].enabled);
    assert!(d.props.enabled, "the current version is untouched");
    // Enabling it again does not ask.
    let reqs = reqs_of(press(&mut model, "t"));
    let (_, cmd) = only_cmd(&reqs);
    assert!(matches!(cmd, VaultCmd::UpdateProps { update, .. } if update.enabled == Some(true)));
}

#[test]
fn compare_screen_before_and_after_the_values() {
    let mut model = details_with(4, false);
    {
        let d = model.details.as_mut().unwrap();
        d.versions[2].content_type = Some("application/json".to_owned());
        d.versions[2].tags = Default::default();
    }
    press(&mut model, "j j D");
    insta::assert_snapshot!("compare_masked_80x24", screen(&model));
    let reqs = reqs_of(press(&mut model, "s"));
    answer_value(
        &mut model,
        reqs[0].id,
        r#"{"host":"db1.internal","port":5432,"user":"app","pool":{"min":2,"max":10}}"#,
    );
    answer_value(
        &mut model,
        reqs[1].id,
        r#"{"host":"db1.internal","port":6432,"user":"app","pool":{"min":2,"max":10}}"#,
    );
    insta::assert_snapshot!("compare_json_diff_80x24", screen(&model));
}

#[test]
fn versions_list_marks_the_current_and_marked_versions() {
    let mut model = details_with(4, false);
    press(&mut model, "space");
    insta::assert_snapshot!("details_versions_marked_80x24", screen(&model));
}

#[test]
fn a_long_value_diff_scrolls_and_stops_at_its_end() {
    let mut model = details_with(3, false);
    press(&mut model, "j D");
    let reqs = reqs_of(press(&mut model, "s"));
    let old: String = (0..40).map(|i| format!("line {i:02}\n")).collect();
    let new = old.replace("line 35", "LINE 35");
    answer_value(&mut model, reqs[0].id, &old);
    answer_value(&mut model, reqs[1].id, &new);
    let text = screen(&model);
    assert!(text.contains("  line 00"), "{text}");
    assert!(
        !text.contains("- line 35"),
        "below the fold at first: {text}"
    );
    press(&mut model, "pagedown pagedown pagedown");
    let text = screen(&model);
    assert!(text.contains("- line 35"), "{text}");
    assert!(text.contains("+ LINE 35"), "{text}");
    assert!(!text.contains("  line 00"), "{text}");
    press(&mut model, "pagedown pagedown pagedown pagedown j j j");
    let c = model.details.as_ref().unwrap().compare.as_ref().unwrap();
    assert_eq!(c.scroll, 40, "41 diff lines: the last one stays on screen");
    press(&mut model, "pageup pageup pageup pageup pageup k");
    let c = model.details.as_ref().unwrap().compare.as_ref().unwrap();
    assert_eq!(c.scroll, 0);
}

#[test]
fn a_failed_later_batch_keeps_the_list_and_is_asked_for_again() {
    let mut model = details_with(100, true);
    for _ in 0..70 {
        press(&mut model, "j");
    }
    let d = model.details.as_ref().unwrap();
    let first = d.versions_req.expect("the next batch was asked for");
    update(
        &mut model,
        event(
            first,
            failure(
                kvtui::vault::ErrorKind::Throttled,
                429,
                "Throttled",
                "slow down",
            ),
        ),
    );
    let d = model.details.as_ref().unwrap();
    assert_eq!(d.versions.len(), 100, "the loaded versions stay");
    assert!(d.versions_error.is_none(), "the list is still shown");
    assert!(screen(&model).contains("0070aaaa"), "{}", screen(&model));
    let reqs = reqs_of(press(&mut model, "j"));
    let (_, cmd) = only_cmd(&reqs);
    assert!(
        matches!(cmd, VaultCmd::MoreVersions { resume, .. } if resume == RESUME),
        "{cmd:?}"
    );
}

/// At 60x15 the versions box still shows a version, not only its header.
#[test]
fn a_small_screen_shows_at_least_one_version() {
    let model = details_with(3, false);
    let mut t = Terminal::new(TestBackend::new(60, 15)).unwrap();
    let mut state = UiState::default();
    t.draw(|f| render(f, &model, &mut state)).unwrap();
    let text = t.backend().to_string();
    assert!(text.contains("Versions"), "{text}");
    assert!(text.contains(&version_id(0)[..12]), "{text}");
}
