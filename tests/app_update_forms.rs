//! The pure update, forms: new secret, new version, properties, backup and
//! restore, validation, the vault's refusals and the deleted-name conflict.

mod app_common;

use app_common::*;
use kvtui::app::{ConfirmAction, Msg, Overlay, update};
use kvtui::vault::{ErrorKind, ReqId, VaultCmd, VaultEventKind};
use secrecy::{ExposeSecret, SecretString};

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
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
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
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
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
    use kvtui::app::forms::form::{parse_date, parse_tags};
    use time::macros::datetime;
    let utc = kvtui::app::format::Zone::utc();
    let date = |s: &str| parse_date(s, NOW, &utc);
    assert_eq!(date(""), Ok(None));
    assert_eq!(date("+90d"), Ok(Some(NOW + time::Duration::days(90))));
    assert_eq!(
        date("2026-03-01"),
        Ok(Some(datetime!(2026-03-01 00:00 UTC)))
    );
    assert_eq!(
        date("2026-03-01T10:30"),
        Ok(Some(datetime!(2026-03-01 10:30 UTC)))
    );
    assert!(date("March").is_err());
    assert!(date("2026-13-01").is_err());
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

#[test]
fn dates_take_rfc3339_as_az_prints_it_and_spans_from_now() {
    use kvtui::app::forms::form::parse_date;
    use time::macros::{datetime, offset};
    let utc = kvtui::app::format::Zone::utc();
    let date = |s: &str| parse_date(s, NOW, &utc);
    let ten = Ok(Some(datetime!(2026-12-01 10:00 UTC)));
    assert_eq!(date("2026-12-01T10:00:00+00:00"), ten);
    assert_eq!(date("2026-12-01T10:00:00Z"), ten);
    assert_eq!(date("2026-12-01 10:00:00+00:00"), ten);
    assert_eq!(date("2026-12-01T12:00:00+02:00"), ten);
    assert_eq!(date("2026-12-01T10:00:00"), ten);
    assert_eq!(
        date("2026-12-01T10:00:00.250000+00:00"),
        Ok(Some(datetime!(2026-12-01 10:00:00.25 UTC)))
    );
    assert_eq!(date("+12h"), Ok(Some(NOW + time::Duration::hours(12))));
    assert_eq!(date("+2w"), Ok(Some(NOW + time::Duration::weeks(2))));
    assert_eq!(date("+1y"), Ok(Some(datetime!(2027-01-15 12:00 UTC))));
    assert_eq!(date("+6m"), Ok(Some(datetime!(2026-07-15 12:00 UTC))));
    // A month without the day ends on its last.
    let jan31 = datetime!(2026-01-31 08:00 UTC);
    assert_eq!(
        parse_date("+1m", jan31, &utc),
        Ok(Some(datetime!(2026-02-28 08:00 UTC)))
    );
    for bad in [
        "+5",
        "+d",
        "+3x",
        "+99999999999y",
        "2026-12-01T25:00",
        "tomorrow",
    ] {
        assert!(date(bad).is_err(), "{bad} should be refused");
    }
    // Without an offset, a time is in the zone the screen shows.
    let cet = kvtui::app::format::Zone::fixed("CET", offset!(+1));
    assert_eq!(
        parse_date("2026-12-01T11:00", NOW, &cet),
        Ok(Some(datetime!(2026-12-01 10:00 UTC)))
    );
    assert_eq!(
        parse_date("2026-12-01T10:00:00Z", NOW, &cet),
        Ok(Some(datetime!(2026-12-01 10:00 UTC)))
    );
}

#[test]
fn a_prefilled_date_round_trips_with_its_seconds() {
    use kvtui::app::forms::form::{format_date_input, parse_date};
    use time::macros::{datetime, offset};
    let at = datetime!(2026-12-01 10:00:07 UTC);
    let utc = kvtui::app::format::Zone::utc();
    let cet = kvtui::app::format::Zone::fixed("CET", offset!(+1));
    assert_eq!(format_date_input(Some(at), &utc), "2026-12-01T10:00:07Z");
    assert_eq!(
        format_date_input(Some(at), &cet),
        "2026-12-01T11:00:07+01:00"
    );
    for zone in [&utc, &cet] {
        let shown = format_date_input(Some(at), zone);
        assert_eq!(parse_date(&shown, NOW, zone), Ok(Some(at)), "{shown}");
    }
    // Opened and saved untouched, the properties form sends no date back.
    let mut model = loaded_model();
    model.zone = cet;
    let Some(mut selected) = model.secrets().selected_item().cloned() else {
        panic!("no secret selected");
    };
    selected.expires = Some(at);
    model.secrets_mut().upsert(selected);
    press(&mut model, "p");
    let Some(Overlay::Form(form)) = model.overlays.last() else {
        panic!("properties form not open");
    };
    let expires = form
        .field(kvtui::app::forms::form::FieldId::Expires)
        .map(|f| f.value());
    assert_eq!(expires, Some("2026-12-01T11:00:07+01:00"));
}

#[test]
fn a_typed_value_and_a_value_file_together_are_refused_and_kept() {
    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "both");
    press(&mut model, "tab");
    type_text(&mut model, "typed");
    press(&mut model, "tab");
    type_text(&mut model, "~/value.txt");
    let fx = press(&mut model, "ctrl-s");
    assert!(fx.is_empty(), "nothing is read or sent: {fx:?}");
    let Some(Overlay::Form(form)) = model.overlays.last() else {
        panic!("form closed");
    };
    let file = form.field(kvtui::app::forms::form::FieldId::ValueFile);
    assert_eq!(file.map(|f| f.value()), Some("~/value.txt"));
    assert!(
        file.and_then(|f| f.error.as_deref())
            .is_some_and(|e| e.contains("a value is typed too")),
        "{file:?}"
    );
    let value = form.field(kvtui::app::forms::form::FieldId::Value);
    assert_eq!(value.map(|f| f.value()), Some("typed"));
    assert_eq!(form.focus, 2, "the focus goes to the file field");
}

/// Fills the new-secret form for `name` and submits it.
fn submit_new(model: &mut kvtui::app::Model, name: &str, value: &str) -> ReqId {
    press(model, "n");
    type_text(model, name);
    press(model, "tab");
    type_text(model, value);
    let reqs = reqs_of(press(model, "ctrl-s"));
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
    assert_eq!(model.error_count(), 1);
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
    let reqs = reqs_of(press(&mut model, "r"));
    let (rid, cmd) = only_cmd(&reqs);
    assert!(matches!(cmd, VaultCmd::Recover { name } if name.as_str() == "legacy-token"));
    assert!(
        matches!(model.overlays.last(), Some(Overlay::Form(_))),
        "form waits"
    );

    let mut recovered = props("legacy-token");
    recovered.content_type = Some("text/plain; charset=utf-8".to_owned());
    recovered
        .tags
        .insert("owner".to_owned(), "ops, infra".to_owned());
    let reqs = reqs_of(update(
        &mut model,
        event(rid, VaultEventKind::Props(Box::new(recovered))),
    ));
    let (sid, cmd) = only_cmd(&reqs);
    let VaultCmd::Set(new) = cmd else {
        panic!("expected Set after recover");
    };
    assert_eq!(new.value.expose_secret(), "new-value");
    assert_eq!(
        new.content_type.as_deref(),
        Some("text/plain; charset=utf-8"),
        "the recovered content type is kept"
    );
    assert_eq!(
        new.tags.get("owner").map(String::as_str),
        Some("ops, infra"),
        "the recovered tags are kept"
    );
    assert!(model.deleted().items.is_empty());
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
        Some(Overlay::Confirm(c)) if matches!(c.action, ConfirmAction::PurgeThen(..))
    ));
    assert!(press(&mut model, "enter").is_empty(), "nothing typed yet");
    type_text(&mut model, "legacy-token");
    let reqs = reqs_of(press(&mut model, "enter"));
    let (pid, cmd) = only_cmd(&reqs);
    assert!(matches!(cmd, VaultCmd::Purge { name } if name.as_str() == "legacy-token"));
    let reqs = reqs_of(update(&mut model, event(pid, VaultEventKind::Purged)));
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
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    let VaultCmd::UpdateProps {
        name, update: upd, ..
    } = only_cmd(&reqs).1
    else {
        panic!("expected UpdateProps");
    };
    assert_eq!(name.as_str(), "db-password");
    assert_eq!(upd.enabled, Some(false));
    assert_eq!(upd.tags, None, "untouched tags are not sent back");
    assert_eq!(upd.content_type, None, "untouched content type is not sent");
    assert_eq!(upd.expires, None);
}

#[test]
fn properties_saved_untouched_send_nothing() {
    let mut model = loaded_model();
    press(&mut model, "j j p");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    assert!(reqs.is_empty(), "{reqs:?}");
    assert!(model.overlays.is_empty(), "the form closes");
    assert!(
        model
            .toast
            .as_ref()
            .is_some_and(|t| t.text.contains("nothing changed"))
    );
}

#[test]
fn duplicate_tag_keys_are_an_error_not_last_wins() {
    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "dup");
    press(&mut model, "tab");
    type_text(&mut model, "v");
    press(&mut model, "tab tab tab");
    type_text(&mut model, "env=dev, env=prod");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    assert!(reqs.is_empty());
    let Some(Overlay::Form(f)) = model.overlays.last() else {
        panic!("form");
    };
    assert!(f.fields[4].error.as_deref().unwrap().contains("twice"));
}

#[test]
fn new_version_form_prefills_and_sets_the_same_name() {
    let mut model = loaded_model();
    press(&mut model, "j j e");
    type_text(&mut model, "rotated");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    let VaultCmd::Set(new) = only_cmd(&reqs).1 else {
        panic!("expected Set");
    };
    assert_eq!(new.name.as_str(), "db-password");
    assert_eq!(new.content_type.as_deref(), Some("text/plain"));
    assert_eq!(new.tags.get("env").map(String::as_str), Some("prod"));
}

#[test]
fn new_version_leaves_out_dates_already_past() {
    let mut model = loaded_model();
    // old-cert expired on 2025-12-31; api-key expires in ten days.
    press(&mut model, "G e");
    type_text(&mut model, "renewed");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    let VaultCmd::Set(new) = only_cmd(&reqs).1 else {
        panic!("expected Set");
    };
    assert_eq!(new.name.as_str(), "old-cert");
    assert_eq!(new.expires, None, "a past expiry is not carried forward");
    assert_eq!(new.content_type.as_deref(), Some("application/x-pem-file"));

    let mut model = loaded_model();
    press(&mut model, "e");
    type_text(&mut model, "rotated");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    let VaultCmd::Set(new) = only_cmd(&reqs).1 else {
        panic!("expected Set");
    };
    assert_eq!(new.name.as_str(), "api-key");
    assert_eq!(new.expires, Some(NOW + time::Duration::days(10)));
}

#[test]
fn forms_warn_when_expires_is_past_or_before_not_before() {
    let mut model = loaded_model();
    press(&mut model, "n");
    press(&mut model, "tab tab tab tab tab tab");
    type_text(&mut model, "2026-03-01");
    press(&mut model, "tab");
    type_text(&mut model, "2026-02-01");
    let note = |m: &kvtui::app::Model| match m.overlays.last() {
        Some(Overlay::Form(f)) => f.fields[7].note.clone(),
        _ => None,
    };
    assert!(note(&model).unwrap().contains("before Not before"));
    press(
        &mut model,
        "backspace backspace backspace backspace backspace backspace backspace backspace backspace backspace",
    );
    type_text(&mut model, "2025-01-01");
    assert!(note(&model).unwrap().contains("past"));
    press(
        &mut model,
        "backspace backspace backspace backspace backspace backspace backspace backspace backspace backspace",
    );
    type_text(&mut model, "2026-06-01");
    assert_eq!(note(&model), None);
}

#[test]
fn backup_and_restore_forms_send_paths() {
    let mut model = loaded_model();
    press(&mut model, "b");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    let VaultCmd::Backup {
        name,
        path,
        overwrite,
    } = only_cmd(&reqs).1
    else {
        panic!("expected Backup");
    };
    assert!(!overwrite, "an existing file is never replaced unasked");
    assert_eq!(name.as_str(), "api-key");
    assert_eq!(path, &std::path::PathBuf::from("api-key.kvbackup"));
    update(
        &mut model,
        event(
            reqs[0].id,
            VaultEventKind::BackedUp {
                path: "api-key.kvbackup".into(),
            },
        ),
    );
    assert!(model.overlays.is_empty());

    press(&mut model, "R");
    assert!(press(&mut model, "ctrl-s").is_empty(), "a path is required");
    type_text(&mut model, "/tmp/x.kvbackup");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
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
fn a_backup_onto_an_existing_file_asks_and_replaces_only_on_yes() {
    let mut model = loaded_model();
    press(&mut model, "b");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    let exists = kvtui::vault::VaultError::new(
        ErrorKind::FileExists,
        "/home/ann/api-key.kvbackup already exists",
    );
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::Failed(exists)),
    );
    let Some(Overlay::Confirm(c)) = model.overlays.last() else {
        panic!("expected a question, got {:?}", model.overlays.last());
    };
    assert!(matches!(c.action, ConfirmAction::OverwriteFile));
    assert!(c.lines[0].contains("/home/ann/api-key.kvbackup already exists"));
    assert_eq!(model.error_count(), 0, "a question is not an error");
    // No: back to the form, its path kept, nothing sent.
    assert!(reqs_of(press(&mut model, "esc")).is_empty());
    let Some(Overlay::Form(form)) = model.overlays.last() else {
        panic!("the form is gone");
    };
    assert_eq!(form.path(), std::path::PathBuf::from("api-key.kvbackup"));
    assert!(form.submitting.is_none());
    // Yes: the same backup again, now allowed to replace the file.
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    update(
        &mut model,
        event(
            reqs[0].id,
            VaultEventKind::Failed(kvtui::vault::VaultError::new(
                ErrorKind::FileExists,
                "api-key.kvbackup already exists",
            )),
        ),
    );
    let reqs = reqs_of(press(&mut model, "enter"));
    let (id, cmd) = only_cmd(&reqs);
    assert!(
        matches!(cmd, VaultCmd::Backup { overwrite: true, name, .. } if name.as_str() == "api-key"),
        "{cmd:?}"
    );
    update(
        &mut model,
        event(
            id,
            VaultEventKind::BackedUp {
                path: "api-key.kvbackup".into(),
            },
        ),
    );
    assert!(model.overlays.is_empty(), "{:?}", model.overlays);
}

#[test]
fn a_restore_onto_a_deleted_name_offers_recover_or_purge_then_restores() {
    let mut model = loaded_model();
    press(&mut model, "R");
    type_text(&mut model, "~/legacy.kvbackup");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    update(
        &mut model,
        event(
            reqs[0].id,
            failure(
                ErrorKind::DeletedButRecoverable,
                409,
                "ObjectIsDeletedButRecoverable",
                "The name is deleted but recoverable (409): Secret legacy-token is currently in a deleted but recoverable state",
            ),
        ),
    );
    let Some(Overlay::Conflict(c)) = model.overlays.last() else {
        panic!(
            "expected the conflict dialog, got {:?}",
            model.overlays.last()
        );
    };
    assert_eq!(c.name.as_str(), "legacy-token");
    // Purge, confirmed by name, then the same backup file again.
    press(&mut model, "P");
    type_text(&mut model, "LEGACY-token");
    let reqs = reqs_of(press(&mut model, "enter"));
    let (purge, cmd) = only_cmd(&reqs);
    assert!(matches!(cmd, VaultCmd::Purge { name } if name.as_str() == "legacy-token"));
    let reqs = reqs_of(update(&mut model, event(purge, VaultEventKind::Purged)));
    let (restore, cmd) = only_cmd(&reqs);
    assert!(
        matches!(cmd, VaultCmd::Restore { path } if path == &std::path::PathBuf::from("~/legacy.kvbackup")),
        "{cmd:?}"
    );
    update(
        &mut model,
        event(
            restore,
            VaultEventKind::Props(Box::new(props("legacy-token"))),
        ),
    );
    assert!(model.overlays.is_empty(), "{:?}", model.overlays);
    assert_eq!(selected_name(&model), "legacy-token");
}

#[test]
fn a_restore_recovered_instead_closes_the_form() {
    let mut model = loaded_model();
    press(&mut model, "R");
    type_text(&mut model, "legacy.kvbackup");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    update(
        &mut model,
        event(
            reqs[0].id,
            failure(
                ErrorKind::DeletedButRecoverable,
                409,
                "ObjectIsDeletedButRecoverable",
                "Secret legacy-token is currently in a deleted but recoverable state",
            ),
        ),
    );
    let reqs = reqs_of(press(&mut model, "r"));
    let (recover, cmd) = only_cmd(&reqs);
    assert!(matches!(cmd, VaultCmd::Recover { name } if name.as_str() == "legacy-token"));
    let after = reqs_of(update(
        &mut model,
        event(
            recover,
            VaultEventKind::Props(Box::new(props("legacy-token"))),
        ),
    ));
    assert!(
        after.is_empty(),
        "the backup is not restored over it: {after:?}"
    );
    assert!(model.overlays.is_empty(), "{:?}", model.overlays);
    assert!(model.deleted().find("legacy-token").is_none());
}

#[test]
fn a_restore_onto_a_live_name_says_the_name_is_in_use() {
    let mut model = loaded_model();
    press(&mut model, "R");
    type_text(&mut model, "api.kvbackup");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    update(
        &mut model,
        event(
            reqs[0].id,
            failure(
                ErrorKind::Conflict,
                409,
                "Conflict",
                "The name is in use (409): Secret api-key already exists; restore needs a name that is not in use.",
            ),
        ),
    );
    let Some(Overlay::Form(form)) = model.overlays.last() else {
        panic!("expected the form, got {:?}", model.overlays.last());
    };
    let error = form.error.as_deref().unwrap_or("");
    assert!(error.contains("api-key already exists"), "{error}");
    assert_eq!(form.path(), std::path::PathBuf::from("api.kvbackup"));
}

#[test]
fn a_value_can_come_from_a_file() {
    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "from-file");
    press(&mut model, "tab tab");
    type_text(&mut model, "/tmp/value.txt");
    let effects = press(&mut model, "ctrl-s");
    assert!(
        matches!(
            effects.as_slice(),
            [kvtui::app::effect::Effect::ReadValueFile(p)] if p == std::path::Path::new("/tmp/value.txt")
        ),
        "the file is read first: {effects:?}"
    );
    let reqs = reqs_of(update(
        &mut model,
        Msg::FileRead(Ok(SecretString::from("file-content"))),
    ));
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

#[test]
fn pasting_keeps_line_breaks_only_in_the_value() {
    let mut model = loaded_model();
    press(&mut model, "n");
    update(&mut model, Msg::Paste("pasted\rname".into()));
    {
        let Some(Overlay::Form(f)) = model.overlays.last() else {
            panic!("form");
        };
        assert_eq!(f.fields[0].value(), "", "nothing half-inserted");
        assert!(f.error.as_deref().unwrap().contains("Name is one line"));
    }
    press(&mut model, "tab");
    update(
        &mut model,
        Msg::Paste("line1\r\nline2\rline3\n\tx \u{200b}".into()),
    );
    let Some(Overlay::Form(f)) = model.overlays.last() else {
        panic!("form");
    };
    assert_eq!(f.fields[1].value(), "line1\nline2\nline3\n\tx \u{200b}");
    assert!(f.error.is_none(), "a good paste clears the message");
}

#[test]
fn the_value_editor_moves_across_lines_before_leaving_the_field() {
    let mut model = loaded_model();
    press(&mut model, "n tab");
    type_text(&mut model, "abc");
    press(&mut model, "ctrl-j");
    type_text(&mut model, "de");
    press(&mut model, "up");
    type_text(&mut model, "X");
    press(&mut model, "down down");
    let Some(Overlay::Form(f)) = model.overlays.last() else {
        panic!("form");
    };
    assert_eq!(f.fields[1].value(), "abXc\nde");
    assert_eq!(f.focus, 2, "down on the last line moves to the next field");
}

#[test]
fn the_typed_value_is_masked_until_revealed() {
    let mut model = loaded_model();
    press(&mut model, "n tab");
    type_text(&mut model, "s3cret");
    let revealed = |m: &kvtui::app::Model| match m.overlays.last() {
        Some(Overlay::Form(f)) => match &f.fields[1].text {
            kvtui::app::forms::form::FieldText::Lines(e) => e.revealed,
            _ => panic!("the value is an editor"),
        },
        _ => panic!("form"),
    };
    assert!(!revealed(&model));
    press(&mut model, "ctrl-t");
    assert!(revealed(&model));
    press(&mut model, "ctrl-t");
    assert!(!revealed(&model));
}

#[test]
fn paste_goes_in_at_the_cursor() {
    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "ab");
    press(&mut model, "left");
    update(&mut model, Msg::Paste("X-é".into()));
    let Some(Overlay::Form(f)) = model.overlays.last() else {
        panic!("form");
    };
    assert_eq!(f.fields[0].value(), "aX-éb");
    assert_eq!(f.fields[0].cursor(), 4);
}

#[test]
fn a_save_answered_after_its_form_closed_still_shows_the_secret() {
    let mut model = loaded_model();
    let id = submit_new(&mut model, "late-secret", "v");
    press(&mut model, "esc");
    press(&mut model, "y");
    assert!(model.overlays.is_empty(), "the form was discarded");
    update(
        &mut model,
        event(id, VaultEventKind::Props(Box::new(props("late-secret")))),
    );
    assert!(
        model.secrets().find("late-secret").is_some(),
        "a write's answer is never stale"
    );
}

#[test]
fn a_request_that_never_reached_the_worker_fails_and_can_be_resent() {
    let mut model = loaded_model();
    let id = submit_new(&mut model, "queued", "v");
    reqs_of(update(
        &mut model,
        Msg::SendFailed {
            id,
            reason: "the vault worker is busy; try again".to_owned(),
        },
    ));
    assert!(!model.pending.contains_key(&id), "nothing waits for it");
    let Some(Overlay::Form(f)) = model.overlays.last() else {
        panic!("the form stays open");
    };
    assert!(f.submitting.is_none(), "the spinner stops");
    assert!(f.error.as_deref().unwrap().contains("busy"));
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    assert!(
        matches!(only_cmd(&reqs).1, VaultCmd::Set(_)),
        "it can be resent"
    );
}

#[test]
fn a_worker_that_stops_is_reported_and_its_requests_cleared() {
    let mut model = kvtui::app::Model::new(VAULT, false, kvtui::app::Keymap::default_keymap(), NOW);
    reqs_of(update(&mut model, Msg::Start));
    assert!(model.is_loading());
    reqs_of(update(&mut model, Msg::WorkerStopped { route: 0 }));
    assert!(model.pending.is_empty());
    assert!(!model.is_loading(), "the spinner stops");
    assert!(model.errors.iter().any(|e| {
        e.error
            .as_ref()
            .is_some_and(|e| e.message.contains("worker stopped"))
    }));
}

#[test]
fn an_export_onto_an_existing_file_asks_too() {
    let mut model = loaded_model();
    press(&mut model, "x");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    assert!(
        matches!(
            only_cmd(&reqs).1,
            VaultCmd::Export {
                overwrite: false,
                ..
            }
        ),
        "{reqs:?}"
    );
    let exists = kvtui::vault::VaultError::new(ErrorKind::FileExists, "secrets.env already exists");
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::Failed(exists)),
    );
    assert!(matches!(
        model.overlays.last(),
        Some(Overlay::Confirm(c)) if matches!(c.action, ConfirmAction::OverwriteFile)
    ));
    let reqs = reqs_of(press(&mut model, "enter"));
    assert!(
        matches!(
            only_cmd(&reqs).1,
            VaultCmd::Export {
                overwrite: true,
                ..
            }
        ),
        "{reqs:?}"
    );
}

#[test]
fn enter_on_a_one_line_value_moves_on_and_never_adds_a_line_break() {
    let mut model = loaded_model();
    press(&mut model, "n tab");
    type_text(&mut model, "hunter2");
    press(&mut model, "enter");
    let Some(Overlay::Form(f)) = model.overlays.last() else {
        panic!("form");
    };
    assert_eq!(
        f.fields[1].value(),
        "hunter2",
        "saved as typed, no line break"
    );
    assert_eq!(f.focus, 2, "Enter moved to the next field");
    // A line break is asked for with Ctrl-J or Alt-Enter; then Enter adds lines.
    press(&mut model, "backtab alt-enter");
    type_text(&mut model, "b");
    press(&mut model, "enter");
    type_text(&mut model, "c");
    let Some(Overlay::Form(f)) = model.overlays.last() else {
        panic!("form");
    };
    assert_eq!(f.fields[1].value(), "hunter2\nb\nc");
}
