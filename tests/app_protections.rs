//! Certificate-backed secrets (hidden by default, `C` shows them, read-only
//! with the reason) and purge protection (purge refused before it is sent,
//! with the days until Key Vault purges it), through `update` alone.

mod app_common;

use app_common::*;
use kvtui::app::model::Overlay;
use kvtui::app::{Model, update};
use kvtui::vault::VaultEventKind;

fn model_with(
    secrets: Vec<kvtui::vault::SecretProps>,
    gone: Vec<kvtui::vault::DeletedSecret>,
) -> Model {
    let mut model = Model::new(VAULT, false, kvtui::app::Keymap::default_keymap(), NOW);
    let reqs = reqs_of(update(&mut model, kvtui::app::Msg::Start));
    let n = secrets.len();
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::SecretsPage(secrets)),
    );
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::ListDone { count: n }),
    );
    let m = gone.len();
    update(
        &mut model,
        event(reqs[1].id, VaultEventKind::DeletedPage(gone)),
    );
    update(
        &mut model,
        event(reqs[1].id, VaultEventKind::ListDone { count: m }),
    );
    model
}

fn cert(name: &str) -> kvtui::vault::SecretProps {
    let mut p = props(name);
    p.managed = true;
    p.content_type = Some("application/x-pkcs12".into());
    p
}

fn visible_names(model: &Model) -> Vec<String> {
    let rows = model.secrets();
    rows.visible
        .iter()
        .map(|&i| rows.items[i].name.to_string())
        .collect()
}

#[test]
fn certificate_secrets_are_hidden_until_c_and_read_only() {
    let mut model = model_with(vec![props("db-password"), cert("web-tls")], vec![]);
    assert_eq!(visible_names(&model), ["db-password"], "hidden by default");
    assert_eq!(model.secrets().hidden_managed(), 1);
    press(&mut model, "C");
    assert_eq!(visible_names(&model), ["db-password", "web-tls"]);
    // The filter keeps the choice.
    press(&mut model, "/");
    type_text(&mut model, "web");
    press(&mut model, "enter");
    assert_eq!(visible_names(&model), ["web-tls"]);
    assert_eq!(selected_name(&model), "web-tls");

    for keys in ["e", "p", "d"] {
        let fx = press(&mut model, keys);
        assert!(reqs_of(fx).is_empty(), "{keys}: nothing is sent");
        assert!(
            model.overlays.is_empty(),
            "{keys}: no form, no confirmation"
        );
        let toast = model.toast.clone().expect("a reason");
        assert!(
            toast.text.contains("belongs to a certificate"),
            "{}",
            toast.text
        );
        model.toast = None;
    }
    // In the details too; reading it stays possible.
    press(&mut model, "enter");
    assert!(model.details.is_some());
    press(&mut model, "e");
    assert!(model.overlays.is_empty());
    press(&mut model, "esc esc");

    press(&mut model, "C");
    assert_eq!(model.secrets().hidden_managed(), 1);
    assert!(!visible_names(&model).contains(&"web-tls".to_owned()));
    // An ordinary secret still opens its forms.
    press(&mut model, "e");
    assert!(matches!(model.overlays.last(), Some(Overlay::Form(_))));
}

#[test]
fn purge_is_refused_in_a_purge_protected_vault_with_the_days_left() {
    let mut protected = deleted("old-key");
    protected.props.recovery_level = Some("Recoverable".into());
    let ordinary = deleted("spare");
    let mut model = model_with(vec![props("a")], vec![protected, ordinary]);
    press(&mut model, "tab");
    assert_eq!(
        model
            .list()
            .selected_props()
            .map(|p| p.name.to_string())
            .as_deref(),
        Some("old-key")
    );
    let fx = press(&mut model, "P");
    assert!(reqs_of(fx).is_empty());
    assert!(
        model.overlays.is_empty(),
        "no confirmation for a purge that must fail"
    );
    let toast = model.toast.clone().expect("a reason");
    assert!(
        toast.text.contains("purge protection is on"),
        "{}",
        toast.text
    );
    // NOW is 2026-01-15 12:00; the purge date 2026-04-05 10:00.
    assert!(toast.text.contains("in 79 days"), "{}", toast.text);
    assert!(!model.offers(kvtui::app::Action::Purge));
    // Recover is still offered and the purgeable one purges as before.
    assert!(model.offers(kvtui::app::Action::Recover));
    press(&mut model, "down P");
    assert!(matches!(model.overlays.last(), Some(Overlay::Confirm(_))));
}

#[test]
fn a_retry_is_said_and_the_request_stays_pending() {
    let mut model = loaded_model();
    let reqs = reqs_of(press(&mut model, "enter s"));
    let get = reqs
        .iter()
        .find(|r| matches!(r.cmd, kvtui::vault::VaultCmd::Get { .. }))
        .expect("the value is asked for")
        .id;
    update(
        &mut model,
        event(
            get,
            VaultEventKind::Retrying {
                note: "throttled, retrying in 4 s".into(),
            },
        ),
    );
    let toast = model.toast.clone().expect("said");
    assert!(!toast.is_error);
    assert!(
        toast.text.ends_with("throttled, retrying in 4 s"),
        "{}",
        toast.text
    );
    assert!(
        model.pending.contains_key(&get),
        "the answer is still awaited"
    );
    // The value arrives: the retry note goes with it.
    let secret = kvtui::vault::Secret {
        props: props(&selected_name(&model)),
        value: secrecy::SecretString::from("v".to_owned()),
    };
    update(
        &mut model,
        event(get, VaultEventKind::Secret(Box::new(secret))),
    );
    assert!(
        model
            .toast
            .as_ref()
            .is_none_or(|t| !t.text.contains("retrying")),
        "{:?}",
        model.toast.as_ref().map(|t| &t.text)
    );
}

#[test]
fn details_say_who_owns_a_secret_and_when_a_protected_one_goes() {
    use kvtui::ui::{UiState, render};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let screen = |model: &Model| {
        let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
        t.draw(|f| render(f, model, &mut UiState::default()))
            .unwrap();
        t.backend().to_string()
    };
    let mut protected = deleted("old-key");
    protected.props.recovery_level = Some("Recoverable".into());
    let mut model = model_with(vec![cert("web-tls")], vec![protected]);
    press(&mut model, "C enter");
    assert!(screen(&model).contains("A certificate owns this secret"));
    press(&mut model, "esc tab enter");
    let text = screen(&model);
    assert!(
        text.contains("Purge protection: Key Vault purges it on that date"),
        "{text}"
    );
    assert!(text.contains("79d left"), "{text}");
}
