//! The pure update: key sequences in, the model and the emitted commands out.
//! No terminal, no network.

mod app_common;

use app_common::*;
use kvtui::app::{ConfirmAction, Msg, Overlay, View, update};
use kvtui::vault::{ErrorKind, ReqId, VaultCmd, VaultEventKind};
use secrecy::{ExposeSecret, SecretString};

#[test]
fn start_lists_secrets_and_deleted() {
    let mut model = kvtui::app::Model::new(VAULT, false, kvtui::app::Keymap::default_keymap(), NOW);
    let reqs = update(&mut model, Msg::Start);
    assert!(matches!(reqs[0].cmd, VaultCmd::ListSecrets));
    assert!(matches!(reqs[1].cmd, VaultCmd::ListDeleted));
    assert!(model.is_loading());
}

#[test]
fn pages_fill_the_list_sorted_by_name() {
    let model = loaded_model();
    let names: Vec<_> = model
        .secrets
        .visible
        .iter()
        .map(|&i| model.secrets.items[i].name.as_str())
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
    assert_eq!(model.last_refresh, Some(NOW));
    assert_eq!(model.deleted.items.len(), 1);
}

#[test]
fn refresh_cancels_the_old_listing_and_drops_its_pages() {
    let mut model = kvtui::app::Model::new(VAULT, false, kvtui::app::Keymap::default_keymap(), NOW);
    let first = update(&mut model, Msg::Start)[0].id;
    let reqs = press(&mut model, "f5");
    assert!(
        reqs.iter()
            .any(|r| matches!(r.cmd, VaultCmd::Cancel(id) if id == first))
    );
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
        model.secrets.items.is_empty(),
        "a superseded page must be dropped"
    );
    update(
        &mut model,
        event(second, VaultEventKind::SecretsPage(vec![props("fresh")])),
    );
    assert_eq!(model.secrets.items[0].name, "fresh");
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
    assert_eq!(model.secrets.visible.len(), 1);
    assert_eq!(selected_name(&model), "app-config");
    press(&mut model, "enter");
    assert!(model.filter_input.is_none());
    assert_eq!(model.secrets.filter, "json", "Enter keeps the filter");
    press(&mut model, "/");
    press(&mut model, "ctrl-u");
    type_text(&mut model, "team=data");
    assert_eq!(selected_name(&model), "db-password");
    press(&mut model, "esc");
    assert_eq!(model.secrets.filter, "");
    assert_eq!(model.secrets.visible.len(), 5);
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

#[test]
fn details_fetch_the_value_only_when_asked_and_drop_it_on_close() {
    let mut model = loaded_model();
    press(&mut model, "j j");
    let reqs = press(&mut model, "enter");
    assert!(
        matches!(only_cmd(&reqs).1, VaultCmd::ListVersions { name } if name.as_str() == "db-password")
    );
    assert!(model.details.as_ref().unwrap().value.is_none());

    let reqs = press(&mut model, "s");
    let (id, cmd) = only_cmd(&reqs);
    assert!(matches!(cmd, VaultCmd::Get { name, version: None } if name.as_str() == "db-password"));
    let secret = kvtui::vault::Secret {
        props: props("db-password"),
        value: SecretString::from("sentinel-hunter2"),
    };
    update(
        &mut model,
        event(id, VaultEventKind::Secret(Box::new(secret))),
    );
    let d = model.details.as_ref().unwrap();
    assert!(d.shown);
    assert_eq!(
        d.value.as_ref().unwrap().expose_secret(),
        "sentinel-hunter2"
    );
    assert!(
        !format!("{model:?}").contains("sentinel-hunter2"),
        "Debug must not show a value"
    );

    press(&mut model, "s");
    assert!(!model.details.as_ref().unwrap().shown, "s hides it again");
    press(&mut model, "esc");
    assert!(model.details.is_none(), "closing drops the value");
}

#[test]
fn a_version_opens_from_the_versions_list() {
    let mut model = loaded_model();
    let reqs = press(&mut model, "enter");
    let id = reqs[0].id;
    let mut v1 = props("api-key");
    v1.version = Some("0123456789abcdef0123456789abcdef".to_owned());
    v1.created = Some(time::macros::datetime!(2025-01-01 00:00 UTC));
    let mut v2 = props("api-key");
    v2.version = Some("fedcba9876543210fedcba9876543210".to_owned());
    update(
        &mut model,
        event(id, VaultEventKind::SecretsPage(vec![v1, v2])),
    );
    update(&mut model, event(id, VaultEventKind::ListDone { count: 2 }));
    press(&mut model, "j enter");
    let d = model.details.as_ref().unwrap();
    assert!(d.is_version());
    assert_eq!(
        d.props.version.as_deref(),
        Some("0123456789abcdef0123456789abcdef")
    );
    let reqs = press(&mut model, "s");
    assert!(
        matches!(only_cmd(&reqs).1, VaultCmd::Get { version: Some(v), .. } if v.starts_with("0123"))
    );
    press(&mut model, "esc");
    assert!(
        !model.details.as_ref().unwrap().is_version(),
        "Esc returns to the secret"
    );
}

#[test]
fn new_secret_form_sends_a_set_and_closes_on_success() {
    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "new-secret");
    press(&mut model, "tab");
    type_text(&mut model, "s3cret value");
    press(&mut model, "tab tab");
    type_text(&mut model, "text/plain");
    press(&mut model, "tab");
    type_text(&mut model, "env=dev, owner=me");
    press(&mut model, "tab tab tab");
    type_text(&mut model, "+90d");
    let reqs = press(&mut model, "ctrl-s");
    let (id, cmd) = only_cmd(&reqs);
    let VaultCmd::Set(new) = cmd else {
        panic!("expected Set, got {cmd:?}");
    };
    assert_eq!(new.name.as_str(), "new-secret");
    assert_eq!(new.value.expose_secret(), "s3cret value");
    assert_eq!(new.content_type.as_deref(), Some("text/plain"));
    assert_eq!(new.tags.len(), 2);
    assert!(new.enabled);
    assert_eq!(new.expires, Some(NOW + time::Duration::days(90)));
    assert!(
        !format!("{model:?}").contains("s3cret value"),
        "Debug must not show a typed value"
    );

    update(
        &mut model,
        event(id, VaultEventKind::Props(Box::new(props("new-secret")))),
    );
    assert!(model.overlays.is_empty());
    assert_eq!(selected_name(&model), "new-secret");
}

#[test]
fn form_validates_as_you_type_and_refuses_to_submit() {
    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "bad_name");
    let Some(Overlay::Form(form)) = model.overlays.last() else {
        panic!("form not open");
    };
    assert!(
        form.fields[0]
            .error
            .as_deref()
            .unwrap()
            .contains("letters, digits and '-'")
    );
    let reqs = press(&mut model, "ctrl-s");
    assert!(reqs.is_empty());
    let Some(Overlay::Form(form)) = model.overlays.last() else {
        panic!("form closed");
    };
    assert_eq!(form.fields[0].value(), "bad_name", "input kept");
    assert!(form.fields[1].error.is_some(), "value is required");
}

#[test]
fn name_notes_say_exists_or_deleted() {
    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "db-password");
    let note = |m: &kvtui::app::Model| match m.overlays.last() {
        Some(Overlay::Form(f)) => f.fields[0].note.clone(),
        _ => None,
    };
    assert_eq!(
        note(&model).as_deref(),
        Some("exists: this adds a new version")
    );
    press(&mut model, "ctrl-u");
    type_text(&mut model, "legacy-token");
    assert_eq!(
        note(&model).as_deref(),
        Some("deleted: recover or purge first")
    );
}

#[test]
fn dates_and_tags_are_checked() {
    use kvtui::app::form::{parse_date, parse_tags};
    assert_eq!(parse_date("", NOW), Ok(None));
    assert_eq!(
        parse_date("+90d", NOW),
        Ok(Some(NOW + time::Duration::days(90)))
    );
    assert_eq!(
        parse_date("2026-03-01", NOW),
        Ok(Some(time::macros::datetime!(2026-03-01 00:00 UTC)))
    );
    assert_eq!(
        parse_date("2026-03-01T10:30", NOW),
        Ok(Some(time::macros::datetime!(2026-03-01 10:30 UTC)))
    );
    assert!(parse_date("March", NOW).is_err());
    assert!(parse_date("2026-13-01", NOW).is_err());
    let many: Vec<String> = (0..16).map(|i| format!("k{i}=v")).collect();
    assert!(
        parse_tags(&many.join(","))
            .unwrap_err()
            .contains("at most 15")
    );
    assert!(parse_tags("novalue").is_err());
    assert_eq!(
        parse_tags("a=1, b = 2")
            .unwrap()
            .get("b")
            .map(String::as_str),
        Some("2")
    );
}

/// Fills the new-secret form for `name` and submits it.
fn submit_new(model: &mut kvtui::app::Model, name: &str, value: &str) -> ReqId {
    press(model, "n");
    type_text(model, name);
    press(model, "tab");
    type_text(model, value);
    let reqs = press(model, "ctrl-s");
    only_cmd(&reqs).0
}

#[test]
fn a_refused_submit_keeps_the_form_and_its_input() {
    let mut model = loaded_model();
    let id = submit_new(&mut model, "x1", "v");
    update(
        &mut model,
        event(
            id,
            failure(
                ErrorKind::Forbidden,
                403,
                "ForbiddenByRbac",
                "Caller is not authorized",
            ),
        ),
    );
    let Some(Overlay::Form(form)) = model.overlays.last() else {
        panic!("form closed on failure");
    };
    assert!(
        form.error
            .as_deref()
            .unwrap()
            .contains("403 ForbiddenByRbac")
    );
    assert_eq!(form.fields[0].value(), "x1");
    assert!(form.submitting.is_none());
    assert_eq!(model.errors.len(), 1);
}

#[test]
fn conflict_dialog_recovers_then_adds_the_value() {
    let mut model = loaded_model();
    let id = submit_new(&mut model, "legacy-token", "new-value");
    update(
        &mut model,
        event(
            id,
            failure(
                ErrorKind::DeletedButRecoverable,
                409,
                "ObjectIsDeletedButRecoverable",
                "Secret legacy-token is currently in a deleted but recoverable state",
            ),
        ),
    );
    assert!(matches!(model.overlays.last(), Some(Overlay::Conflict(_))));
    let reqs = press(&mut model, "r");
    let (rid, cmd) = only_cmd(&reqs);
    assert!(matches!(cmd, VaultCmd::Recover { name } if name.as_str() == "legacy-token"));
    assert!(
        matches!(model.overlays.last(), Some(Overlay::Form(_))),
        "form waits"
    );

    let reqs = update(
        &mut model,
        event(rid, VaultEventKind::Props(Box::new(props("legacy-token")))),
    );
    let (sid, cmd) = only_cmd(&reqs);
    let VaultCmd::Set(new) = cmd else {
        panic!("expected Set after recover");
    };
    assert_eq!(new.value.expose_secret(), "new-value");
    assert!(model.deleted.items.is_empty());
    update(
        &mut model,
        event(sid, VaultEventKind::Props(Box::new(props("legacy-token")))),
    );
    assert!(model.overlays.is_empty());
}

#[test]
fn conflict_dialog_purges_only_after_typing_the_name() {
    let mut model = loaded_model();
    let id = submit_new(&mut model, "legacy-token", "new-value");
    update(
        &mut model,
        event(
            id,
            failure(
                ErrorKind::DeletedButRecoverable,
                409,
                "ObjectIsDeletedButRecoverable",
                "deleted but recoverable",
            ),
        ),
    );
    press(&mut model, "j enter");
    assert!(matches!(
        model.overlays.last(),
        Some(Overlay::Confirm(c)) if matches!(c.action, ConfirmAction::PurgeThenCreate(_))
    ));
    assert!(press(&mut model, "enter").is_empty(), "nothing typed yet");
    type_text(&mut model, "legacy-token");
    let reqs = press(&mut model, "enter");
    let (pid, cmd) = only_cmd(&reqs);
    assert!(matches!(cmd, VaultCmd::Purge { name } if name.as_str() == "legacy-token"));
    let reqs = update(
        &mut model,
        event(
            pid,
            VaultEventKind::Done {
                message: "purged".into(),
            },
        ),
    );
    assert!(matches!(only_cmd(&reqs).1, VaultCmd::Set(_)));
}

#[test]
fn conflict_cancel_returns_to_the_form() {
    let mut model = loaded_model();
    let id = submit_new(&mut model, "legacy-token", "v");
    update(
        &mut model,
        event(
            id,
            failure(ErrorKind::DeletedButRecoverable, 409, "Conflict", "deleted"),
        ),
    );
    assert!(press(&mut model, "esc").is_empty());
    assert!(
        matches!(model.overlays.last(), Some(Overlay::Form(f)) if f.fields[0].value() == "legacy-token")
    );
}

#[test]
fn delete_confirms_naming_the_recovery_date() {
    let mut model = loaded_model();
    press(&mut model, "j j d");
    let Some(Overlay::Confirm(c)) = model.overlays.last() else {
        panic!("no confirmation");
    };
    assert_eq!(c.title, "Delete db-password?");
    assert!(
        c.lines
            .iter()
            .any(|l| l.contains("recoverable until 2026-04-15"))
    );
    assert!(press(&mut model, "n").is_empty());
    assert!(model.overlays.is_empty());

    press(&mut model, "d");
    let reqs = press(&mut model, "y");
    let (id, cmd) = only_cmd(&reqs);
    assert!(matches!(cmd, VaultCmd::Delete { name } if name.as_str() == "db-password"));
    update(
        &mut model,
        event(
            id,
            VaultEventKind::Deleted(Box::new(deleted("db-password"))),
        ),
    );
    assert!(model.secrets.find("db-password").is_none());
    assert!(model.deleted.find("db-password").is_some());
}

#[test]
fn marked_rows_are_deleted_with_one_confirmation() {
    let mut model = loaded_model();
    press(&mut model, "space space");
    assert_eq!(model.secrets.marked.len(), 2);
    press(&mut model, "d");
    let reqs = press(&mut model, "enter");
    let names: Vec<_> = reqs
        .iter()
        .filter_map(|r| match &r.cmd {
            VaultCmd::Delete { name } => Some(name.as_str().to_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["api-key", "app-config"]);
    assert!(model.secrets.marked.is_empty());
}

#[test]
fn deleted_view_recovers_and_purges() {
    let mut model = loaded_model();
    press(&mut model, "tab");
    assert_eq!(model.view, View::Deleted);
    press(&mut model, "r");
    let reqs = press(&mut model, "y");
    assert!(
        matches!(only_cmd(&reqs).1, VaultCmd::Recover { name } if name.as_str() == "legacy-token")
    );

    press(&mut model, "P");
    assert!(
        press(&mut model, "y").is_empty(),
        "y is typed, not a confirmation"
    );
    press(&mut model, "ctrl-u");
    type_text(&mut model, "legacy-token");
    let reqs = press(&mut model, "enter");
    let (id, cmd) = only_cmd(&reqs);
    assert!(matches!(cmd, VaultCmd::Purge { name } if name.as_str() == "legacy-token"));
    update(
        &mut model,
        event(
            id,
            VaultEventKind::Done {
                message: String::new(),
            },
        ),
    );
    assert!(model.deleted.items.is_empty());
}

#[test]
fn cancel_asks_only_when_something_was_typed() {
    let mut model = loaded_model();
    press(&mut model, "n esc");
    assert!(model.overlays.is_empty());
    press(&mut model, "n");
    type_text(&mut model, "abc");
    press(&mut model, "esc");
    assert!(matches!(model.overlays.last(), Some(Overlay::Confirm(_))));
    press(&mut model, "y");
    assert!(model.overlays.is_empty());
}

#[test]
fn properties_form_sends_an_update() {
    let mut model = loaded_model();
    press(&mut model, "j j p");
    press(&mut model, "n");
    let reqs = press(&mut model, "ctrl-s");
    let VaultCmd::UpdateProps {
        name, update: upd, ..
    } = only_cmd(&reqs).1
    else {
        panic!("expected UpdateProps");
    };
    assert_eq!(name.as_str(), "db-password");
    assert_eq!(upd.enabled, Some(false));
    assert_eq!(
        upd.tags.as_ref().map(|t| t.len()),
        Some(2),
        "tags prefilled"
    );
}

#[test]
fn new_version_form_prefills_and_sets_the_same_name() {
    let mut model = loaded_model();
    press(&mut model, "j j e");
    type_text(&mut model, "rotated");
    let reqs = press(&mut model, "ctrl-s");
    let VaultCmd::Set(new) = only_cmd(&reqs).1 else {
        panic!("expected Set");
    };
    assert_eq!(new.name.as_str(), "db-password");
    assert_eq!(new.content_type.as_deref(), Some("text/plain"));
    assert_eq!(new.tags.get("env").map(String::as_str), Some("prod"));
}

#[test]
fn failures_go_to_the_error_history() {
    let mut model = loaded_model();
    let reqs = press(&mut model, "f5");
    let list = reqs
        .iter()
        .find(|r| matches!(r.cmd, VaultCmd::ListSecrets))
        .unwrap()
        .id;
    update(
        &mut model,
        event(
            list,
            failure(ErrorKind::Throttled, 429, "Throttled", "Too many requests"),
        ),
    );
    assert_eq!(model.errors.len(), 1);
    assert!(model.toast.as_ref().unwrap().is_error);
    press(&mut model, "!");
    assert!(matches!(
        model.overlays.last(),
        Some(Overlay::Errors { .. })
    ));
    press(&mut model, "esc");
    assert!(model.overlays.is_empty());
}

#[test]
fn quit_with_q_or_ctrl_c() {
    let mut model = loaded_model();
    press(&mut model, "q");
    assert!(model.quit);
    let mut model = loaded_model();
    press(&mut model, "n ctrl-c");
    assert!(model.quit, "Ctrl-C quits even from a form");
}

#[test]
fn y_copies_the_value_without_showing_it() {
    let mut model = loaded_model();
    let reqs = press(&mut model, "y");
    let (id, cmd) = only_cmd(&reqs);
    assert!(matches!(cmd, VaultCmd::Get { name, .. } if name.as_str() == "api-key"));
    let secret = kvtui::vault::Secret {
        props: props("api-key"),
        value: SecretString::from("copied-sentinel"),
    };
    update(
        &mut model,
        event(id, VaultEventKind::Secret(Box::new(secret))),
    );
    let clip = model.clipboard.take().expect("something to copy");
    assert!(clip.is_value);
    assert_eq!(clip.text.expose_secret(), "copied-sentinel");
    assert!(model.details.is_none(), "copying opens nothing");

    press(&mut model, "Y");
    let clip = model.clipboard.take().expect("the id");
    assert!(!clip.is_value, "an id is not cleared later");
    assert_eq!(
        clip.text.expose_secret(),
        format!("{VAULT}/secrets/api-key")
    );
}

#[test]
fn a_failed_reload_keeps_the_rows() {
    let mut model = loaded_model();
    let reqs = press(&mut model, "f5");
    assert_eq!(model.secrets.items.len(), 5, "old rows stay while loading");
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
    assert_eq!(model.secrets.items.len(), 5);
    assert!(model.secrets.loading.is_none());
    update(
        &mut model,
        event(list, VaultEventKind::SecretsPage(vec![props("late")])),
    );
    assert_eq!(
        model.secrets.items.len(),
        5,
        "answers after failure are dropped"
    );
}

#[test]
fn help_scrolls_and_closes() {
    let mut model = loaded_model();
    press(&mut model, "? j j");
    assert!(matches!(
        model.overlays.last(),
        Some(Overlay::Help { scroll: 2 })
    ));
    press(&mut model, "esc");
    assert!(model.overlays.is_empty());
}

#[test]
fn backup_and_restore_forms_send_paths() {
    let mut model = loaded_model();
    press(&mut model, "b");
    let reqs = press(&mut model, "ctrl-s");
    let VaultCmd::Backup { name, path } = only_cmd(&reqs).1 else {
        panic!("expected Backup");
    };
    assert_eq!(name.as_str(), "api-key");
    assert_eq!(path, &std::path::PathBuf::from("api-key.kvbackup"));
    update(
        &mut model,
        event(
            reqs[0].id,
            VaultEventKind::Done {
                message: String::new(),
            },
        ),
    );
    assert!(model.overlays.is_empty());

    press(&mut model, "R");
    assert!(press(&mut model, "ctrl-s").is_empty(), "a path is required");
    type_text(&mut model, "/tmp/x.kvbackup");
    let reqs = press(&mut model, "ctrl-s");
    assert!(
        matches!(only_cmd(&reqs).1, VaultCmd::Restore { path } if path.ends_with("x.kvbackup"))
    );
    update(
        &mut model,
        event(
            reqs[0].id,
            failure(
                ErrorKind::Conflict,
                409,
                "Conflict",
                "A secret with this name already exists",
            ),
        ),
    );
    assert!(matches!(model.overlays.last(), Some(Overlay::Form(f)) if f.error.is_some()));
}

#[test]
fn bulk_results_are_summarised_per_item() {
    let mut model = loaded_model();
    press(&mut model, "space space space d y");
    let reqs: Vec<_> = model.pending.keys().copied().collect();
    assert_eq!(reqs.len(), 3);
    let mut ids = reqs;
    ids.sort();
    update(
        &mut model,
        event(
            ids[0],
            VaultEventKind::Deleted(Box::new(deleted("api-key"))),
        ),
    );
    update(
        &mut model,
        event(
            ids[1],
            failure(
                ErrorKind::Forbidden,
                403,
                "ForbiddenByRbac",
                "no delete permission",
            ),
        ),
    );
    update(
        &mut model,
        event(
            ids[2],
            VaultEventKind::Deleted(Box::new(deleted("db-password"))),
        ),
    );
    let toast = model.toast.as_ref().unwrap();
    assert_eq!(
        toast.text,
        "deleted 2 of 3; failed: app-config (! for details)"
    );
    assert!(toast.is_error);
    assert!(model.bulk.is_none());
}

#[test]
fn a_click_selects_the_row() {
    let mut model = loaded_model();
    update(&mut model, Msg::SelectRow(3));
    assert_eq!(selected_name(&model), "feature-flag");
    update(&mut model, Msg::SelectRow(99));
    assert_eq!(selected_name(&model), "old-cert");
    let state = kvtui::ui::UiState::default();
    assert_eq!(kvtui::ui::list_row_at(&model, &state, 3, 24), Some(0));
    assert_eq!(kvtui::ui::list_row_at(&model, &state, 5, 24), Some(2));
    assert_eq!(
        kvtui::ui::list_row_at(&model, &state, 2, 24),
        None,
        "the header"
    );
    assert_eq!(
        kvtui::ui::list_row_at(&model, &state, 20, 24),
        None,
        "below the rows"
    );
}

#[test]
fn deleted_view_filters_too() {
    let mut model = loaded_model();
    press(&mut model, "tab /");
    type_text(&mut model, "zzz");
    assert!(model.deleted.visible.is_empty());
    assert_eq!(
        model.secrets.visible.len(),
        5,
        "the other list keeps its filter"
    );
    press(&mut model, "esc");
    assert_eq!(model.deleted.visible.len(), 1);
}

#[test]
fn the_vault_picker_switches_and_keeps_each_list() {
    let mut model = loaded_model();
    model.add_vault("https://other.vault.azure.net", false);
    press(&mut model, "v");
    assert!(matches!(
        model.overlays.last(),
        Some(Overlay::Picker { selected: 0 })
    ));
    let reqs = press(&mut model, "j enter");
    assert!(model.overlays.is_empty());
    assert_eq!(model.vault_label, "https://other.vault.azure.net");
    assert!(model.secrets.items.is_empty());
    let list = reqs
        .iter()
        .find(|r| matches!(r.cmd, VaultCmd::ListSecrets))
        .expect("the new vault loads");
    assert_eq!(model.route(list.id), 1, "routed to the second vault");
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

    let reqs = press(&mut model, "v k enter");
    assert!(
        !reqs.iter().any(|r| matches!(r.cmd, VaultCmd::ListSecrets)),
        "a loaded vault is not reloaded"
    );
    assert_eq!(model.vault_label, VAULT);
    assert_eq!(
        model.secrets.items.len(),
        5,
        "the first vault's list is kept"
    );
}

#[test]
fn switching_vaults_cancels_requests_in_flight() {
    let mut model = loaded_model();
    model.add_vault("second", false);
    let reqs = press(&mut model, "d y");
    let delete = only_cmd(&reqs).0;
    assert_eq!(model.route(delete), 0);
    let reqs = press(&mut model, "v j enter");
    let cancel = reqs
        .iter()
        .find(|r| matches!(r.cmd, VaultCmd::Cancel(id) if id == delete))
        .expect("the delete is cancelled")
        .id;
    assert_eq!(model.route(cancel), 0, "a cancel goes to the old vault");
    let list = reqs
        .iter()
        .find(|r| matches!(r.cmd, VaultCmd::ListSecrets))
        .unwrap()
        .id;
    assert_eq!(model.route(list), 1);
    // A late answer from the old vault changes nothing here.
    update(
        &mut model,
        event(
            delete,
            VaultEventKind::Deleted(Box::new(deleted("api-key"))),
        ),
    );
    assert!(model.deleted.items.is_empty());
}

#[test]
fn a_value_can_come_from_a_file() {
    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "from-file");
    press(&mut model, "tab tab");
    type_text(&mut model, "/tmp/value.txt");
    assert!(
        press(&mut model, "ctrl-s").is_empty(),
        "the file is read first"
    );
    assert_eq!(
        model.read_file.take(),
        Some(std::path::PathBuf::from("/tmp/value.txt"))
    );
    let reqs = update(
        &mut model,
        Msg::FileRead(Ok(SecretString::from("file-content"))),
    );
    let VaultCmd::Set(new) = only_cmd(&reqs).1 else {
        panic!("expected Set");
    };
    assert_eq!(new.value.expose_secret(), "file-content");

    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "x");
    press(&mut model, "tab tab");
    type_text(&mut model, "/nope");
    press(&mut model, "ctrl-s");
    update(&mut model, Msg::FileRead(Err("cannot read /nope".into())));
    assert!(matches!(
        model.overlays.last(),
        Some(Overlay::Form(f)) if f.error.as_deref() == Some("cannot read /nope")
    ));
}

/// The narrowed list must equal what a full rebuild gives.
fn assert_same_as_rebuild(model: &kvtui::app::Model) {
    let mut fresh = model.secrets.clone();
    fresh.rebuild();
    let mut a = model.secrets.visible.clone();
    let mut b = fresh.visible.clone();
    a.sort();
    b.sort();
    assert_eq!(a, b, "filter {:?}", model.secrets.filter);
}

#[test]
fn typing_narrows_and_backspace_widens_the_filter() {
    let mut model = loaded_model();
    press(&mut model, "/");
    type_text(&mut model, "a");
    let wide = model.secrets.visible.len();
    for c in ["p", "i", "-", "k"] {
        type_text(&mut model, c);
        assert_same_as_rebuild(&model);
    }
    assert_eq!(model.secrets.visible.len(), 1);
    type_text(&mut model, "z");
    assert!(model.secrets.visible.is_empty());
    press(
        &mut model,
        "backspace backspace backspace backspace backspace",
    );
    assert_eq!(model.secrets.visible.len(), wide);
    type_text(&mut model, " !flag");
    assert_same_as_rebuild(&model);
    assert!(
        model
            .secrets
            .visible
            .iter()
            .all(|&i| model.secrets.items[i].name != "feature-flag"),
        "negation excludes"
    );
}

#[test]
fn pasting_keeps_line_breaks_only_in_the_value() {
    let mut model = loaded_model();
    press(&mut model, "n");
    update(&mut model, Msg::Paste("pasted\nname".into()));
    press(&mut model, "tab");
    update(&mut model, Msg::Paste("line1\nline2".into()));
    let Some(Overlay::Form(f)) = model.overlays.last() else {
        panic!("form");
    };
    assert_eq!(f.fields[0].value(), "pastedname");
    assert_eq!(f.fields[1].value(), "line1\nline2");
}

#[test]
fn error_history_scroll_stops_at_the_end() {
    let mut model = loaded_model();
    press(&mut model, "! j j j j");
    assert!(matches!(
        model.overlays.last(),
        Some(Overlay::Errors { scroll: 0 })
    ));
}
