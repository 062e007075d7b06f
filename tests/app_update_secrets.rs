//! The pure update, one secret at a time and in bulk: details and values,
//! copy, delete, recover and purge.

mod app_common;

use app_common::*;
use kvtui::app::{Overlay, View, update};
use kvtui::vault::{ErrorKind, VaultCmd, VaultEventKind};
use secrecy::{ExposeSecret, SecretString};

#[test]
fn details_fetch_the_value_only_when_asked_and_drop_it_on_close() {
    let mut model = loaded_model();
    press(&mut model, "j j");
    let reqs = reqs_of(press(&mut model, "enter"));
    assert!(
        matches!(only_cmd(&reqs).1, VaultCmd::ListVersions { name } if name.as_str() == "db-password")
    );
    assert!(model.details.as_ref().unwrap().value.is_none());

    let reqs = reqs_of(press(&mut model, "s"));
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
    let reqs = reqs_of(press(&mut model, "enter"));
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
    let reqs = reqs_of(press(&mut model, "s"));
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
fn y_copies_the_value_without_showing_it() {
    let mut model = loaded_model();
    let reqs = reqs_of(press(&mut model, "y"));
    let (id, cmd) = only_cmd(&reqs);
    assert!(matches!(cmd, VaultCmd::Get { name, .. } if name.as_str() == "api-key"));
    let secret = kvtui::vault::Secret {
        props: props("api-key"),
        value: SecretString::from("copied-sentinel"),
    };
    let effects = update(
        &mut model,
        event(id, VaultEventKind::Secret(Box::new(secret))),
    );
    let clip = copied(effects).expect("something to copy");
    assert!(clip.is_value);
    assert_eq!(clip.text.expose_secret(), "copied-sentinel");
    assert!(model.details.is_none(), "copying opens nothing");

    let clip = copied(press(&mut model, "Y")).expect("the id");
    assert!(!clip.is_value, "an id is not cleared later");
    assert_eq!(
        clip.text.expose_secret(),
        format!("{VAULT}/secrets/api-key")
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
    let reqs = reqs_of(press(&mut model, "y"));
    let (id, cmd) = only_cmd(&reqs);
    assert!(matches!(cmd, VaultCmd::Delete { name } if name.as_str() == "db-password"));
    update(
        &mut model,
        event(
            id,
            VaultEventKind::Deleted(Box::new(deleted("db-password"))),
        ),
    );
    assert!(model.secrets().find("db-password").is_none());
    assert!(model.deleted().find("db-password").is_some());
}

#[test]
fn marked_rows_are_deleted_with_one_confirmation() {
    let mut model = loaded_model();
    press(&mut model, "space space");
    assert_eq!(model.secrets().marked.len(), 2);
    press(&mut model, "d");
    let reqs = reqs_of(press(&mut model, "enter"));
    let names: Vec<_> = reqs
        .iter()
        .filter_map(|r| match &r.cmd {
            VaultCmd::Delete { name } => Some(name.as_str().to_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(names, ["api-key", "app-config"]);
    assert!(model.secrets().marked.is_empty());
}

#[test]
fn deleted_view_recovers_and_purges() {
    let mut model = loaded_model();
    press(&mut model, "tab");
    assert_eq!(model.view, View::Deleted);
    press(&mut model, "r");
    let reqs = reqs_of(press(&mut model, "y"));
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
    let reqs = reqs_of(press(&mut model, "enter"));
    let (id, cmd) = only_cmd(&reqs);
    assert!(matches!(cmd, VaultCmd::Purge { name } if name.as_str() == "legacy-token"));
    update(&mut model, event(id, VaultEventKind::Purged));
    assert!(model.deleted().items.is_empty());
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
        "deleted 2 of 3; 1 failed, still marked (! for why) · u undo"
    );
    assert!(toast.is_error);
    assert!(model.bulk.is_none());
    let last = model.errors.last().unwrap();
    assert_eq!(last.failures.len(), 1);
    assert_eq!(last.failures[0].0, "app-config");
    assert!(last.failures[0].1.contains("no delete permission"));
    assert!(
        model
            .secrets()
            .marked
            .iter()
            .any(|n| n.as_str() == "app-config")
    );
}

#[test]
fn properties_of_one_version_update_that_version_only() {
    let mut model = loaded_model();
    let reqs = reqs_of(press(&mut model, "enter"));
    let mut v1 = props("api-key");
    v1.version = Some("0123456789abcdef0123456789abcdef".to_owned());
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::SecretsPage(vec![v1.clone()])),
    );
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::ListDone { count: 1 }),
    );
    press(&mut model, "enter p n");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    let VaultCmd::UpdateProps { version, .. } = only_cmd(&reqs).1 else {
        panic!("expected UpdateProps");
    };
    assert_eq!(version.as_deref(), Some("0123456789abcdef0123456789abcdef"));
    let mut after = v1;
    after.enabled = false;
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::Props(Box::new(after))),
    );
    assert!(model.overlays.is_empty());
    assert!(!model.details.as_ref().unwrap().props.enabled);
    assert!(
        model.secrets().find("api-key").unwrap().enabled,
        "the list shows the latest"
    );
}

#[test]
fn x_exports_the_filtered_rows_through_a_form() {
    let mut model = loaded_model();
    press(&mut model, "/");
    type_text(&mut model, "ap");
    press(&mut model, "enter");
    let shown: Vec<String> = model
        .secrets()
        .visible
        .iter()
        .map(|&i| model.secrets().items[i].name.to_string())
        .collect();
    assert!(shown.len() >= 2 && shown.len() < 5, "{shown:?}");
    press(&mut model, "x");
    let Some(kvtui::app::Overlay::Form(form)) = model.overlays.last() else {
        panic!("the export form opens");
    };
    let many = format!("{} secrets", shown.len());
    assert!(form.title().contains(&many), "{}", form.title());
    // A format that is not one of the three is refused as typed.
    press(&mut model, "ctrl-u");
    type_text(&mut model, "yaml");
    assert!(reqs_of(press(&mut model, "ctrl-s")).is_empty());
    press(&mut model, "ctrl-u");
    type_text(&mut model, "json");
    let reqs = reqs_of(press(&mut model, "ctrl-s"));
    let VaultCmd::Export {
        names,
        format,
        path,
        overwrite: false,
    } = only_cmd(&reqs).1
    else {
        panic!("expected an export");
    };
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    assert_eq!(names, shown, "every row the filter shows");
    assert_eq!(*format, kvtui::script::args::ExportFormat::Json);
    assert_eq!(path, &std::path::PathBuf::from("secrets.env"));
}
