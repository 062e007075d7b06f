//! The vault picker with discovery, through `update` alone: the search
//! starts once, reports stream in by subscription, typing filters, Enter
//! asks the runtime to open a vault and the answer adds it.

mod app_common;

use app_common::*;
use kvtui::app::effect::Effect;
use kvtui::app::model::Overlay;
use kvtui::app::picker::{PickerRow, picker_rows};
use kvtui::app::{Model, Msg, update};
use kvtui::ui::{UiState, render};
use kvtui::vault::VaultCmd;
use kvtui::vault::discovery::{DiscoveredVault, DiscoveryEvent, SubscriptionInfo, TenantInfo};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn sub(id: &str, tenant: &str, name: &str) -> SubscriptionInfo {
    SubscriptionInfo {
        id: id.into(),
        tenant_id: tenant.into(),
        name: name.into(),
    }
}

fn vault(name: &str, sub: &str, tenant: &str) -> DiscoveredVault {
    DiscoveredVault {
        name: name.into(),
        url: format!("https://{name}.vault.azure.net"),
        subscription_id: sub.into(),
        tenant_id: tenant.into(),
    }
}

fn discovering_model() -> Model {
    let mut model = loaded_model();
    model.discovery_available = true;
    model.known_vaults = vec!["https://from-config.vault.azure.net".into()];
    model
}

fn feed(model: &mut Model, events: Vec<DiscoveryEvent>) {
    for ev in events {
        update(model, Msg::Discovery(ev));
    }
}

fn reports() -> Vec<DiscoveryEvent> {
    vec![
        DiscoveryEvent::Tenants(vec![TenantInfo {
            id: "t1".into(),
            name: Some("Contoso".into()),
        }]),
        DiscoveryEvent::Subscriptions(vec![
            sub("s1", "t1", "Production"),
            sub("s2", "t1", "Locked"),
            sub("s3", "t1", "Slow"),
        ]),
        DiscoveryEvent::Vaults {
            subscription_id: "s1".into(),
            vaults: vec![
                vault("kv-prod", "s1", "t1"),
                vault("kv-payments", "s1", "t1"),
            ],
        },
        DiscoveryEvent::SubscriptionDone {
            subscription_id: "s1".into(),
        },
        DiscoveryEvent::Skipped {
            subscription_id: "s2".into(),
            reason: "403 AuthorizationFailed: no read".into(),
        },
    ]
}

fn selectable(model: &Model) -> Vec<PickerRow> {
    let Some(Overlay::Picker(state)) = model.overlays.last() else {
        panic!("the picker is not open");
    };
    picker_rows(model, &state.filter)
        .into_iter()
        .filter(PickerRow::is_selectable)
        .collect()
}

#[test]
fn v_starts_the_search_once_and_reports_stream_in_by_subscription() {
    let mut model = discovering_model();
    let fx = press(&mut model, "v");
    assert_eq!(
        fx.iter()
            .filter(|e| matches!(e, Effect::Discover { .. }))
            .count(),
        1
    );
    feed(&mut model, reports());
    let rows = picker_rows(&model, "");
    let text: Vec<String> = rows.iter().map(|r| format!("{r:?}")).collect();
    let joined = text.join("\n");
    assert!(joined.contains("from-config"), "{joined}");
    assert!(
        joined.contains("searching… 2/3 subscriptions, 2 vaults"),
        "{joined}"
    );
    assert!(
        joined.contains("Contoso / Production (2 vaults)"),
        "{joined}"
    );
    assert!(
        joined.contains("Contoso / Locked: skipped, 403 AuthorizationFailed"),
        "{joined}"
    );
    assert!(joined.contains("Contoso / Slow: listing…"), "{joined}");
    // Closing and opening again does not search again.
    let fx = press(&mut model, "esc v");
    assert!(!fx.iter().any(|e| matches!(e, Effect::Discover { .. })));
    // ctrl-r does, once the first search is over.
    update(
        &mut model,
        Msg::Discovery(DiscoveryEvent::SubscriptionDone {
            subscription_id: "s3".into(),
        }),
    );
    update(&mut model, Msg::Discovery(DiscoveryEvent::Done));
    assert!(format!("{:?}", picker_rows(&model, "")).contains("2 vaults in 3 subscriptions"));
    let fx = press(&mut model, "ctrl-r");
    assert!(fx.iter().any(|e| matches!(e, Effect::Discover { .. })));
}

#[test]
fn typing_filters_and_enter_opens_a_discovered_vault_in_a_new_slot() {
    let mut model = discovering_model();
    press(&mut model, "v");
    feed(&mut model, reports());
    type_text(&mut model, "payM");
    let rows = selectable(&model);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let fx = press(&mut model, "enter");
    let url = fx
        .iter()
        .find_map(|e| match e {
            Effect::OpenVault { url } => Some(url.clone()),
            _ => None,
        })
        .expect("asks to open the vault");
    assert_eq!(url, "https://kv-payments.vault.azure.net");
    assert!(model.overlays.is_empty());
    assert_eq!(model.opening.as_deref(), Some(url.as_str()));

    let fx = update(
        &mut model,
        Msg::VaultOpened {
            label: url.clone(),
            is_local: false,
        },
    );
    assert_eq!(model.vaults.len(), 2);
    assert_eq!(model.vault_label(), url);
    let (route, _) = routed_runs(&fx)
        .into_iter()
        .find(|(_, r)| matches!(r.cmd, VaultCmd::ListSecrets))
        .expect("the new vault loads");
    assert_eq!(route, 1);
    assert!(model.opening.is_none());

    // Chosen again, it is switched to, not opened twice.
    press(&mut model, "v");
    type_text(&mut model, "payments");
    let fx = press(&mut model, "enter");
    assert!(!fx.iter().any(|e| matches!(e, Effect::OpenVault { .. })));
    assert_eq!(model.vault_label(), url);
}

#[test]
fn backspace_widens_the_filter_and_a_failed_open_is_an_error_not_a_crash() {
    let mut model = discovering_model();
    press(&mut model, "v");
    feed(&mut model, reports());
    type_text(&mut model, "zzz");
    assert!(selectable(&model).is_empty());
    let fx = press(&mut model, "enter");
    assert!(fx.is_empty(), "nothing to open");
    press(&mut model, "v");
    type_text(&mut model, "kv-");
    assert_eq!(selectable(&model).len(), 2);
    press(&mut model, "backspace backspace backspace");
    assert!(selectable(&model).len() >= 4, "open, config and discovered");
    press(&mut model, "down enter");
    update(
        &mut model,
        Msg::VaultOpenFailed {
            url: "https://from-config.vault.azure.net".into(),
            reason: "no credential worked".into(),
        },
    );
    assert_eq!(model.vaults.len(), 1);
    assert!(model.toast.as_ref().is_some_and(|t| t.is_error));
    assert!(model.opening.is_none());
}

#[test]
fn a_failed_search_is_a_line_in_the_picker() {
    let mut model = discovering_model();
    press(&mut model, "v");
    feed(
        &mut model,
        vec![
            DiscoveryEvent::Failed("Azure CLI: not logged in".into()),
            DiscoveryEvent::Done,
        ],
    );
    let text = format!("{:?}", picker_rows(&model, ""));
    assert!(text.contains("search failed"), "{text}");
    assert!(text.contains("Azure CLI: not logged in"), "{text}");
}

#[test]
fn picker_with_discovered_vaults_renders() {
    let mut model = discovering_model();
    press(&mut model, "v");
    feed(&mut model, reports());
    press(&mut model, "down down");
    for (w, h) in [(80, 24), (120, 40)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        let mut state = UiState::default();
        terminal.draw(|f| render(f, &model, &mut state)).unwrap();
        insta::assert_snapshot!(
            format!("picker_discovered_{w}x{h}"),
            terminal.backend().to_string()
        );
    }
}

#[test]
fn the_search_and_recent_vaults_are_remembered_for_the_next_run() {
    let mut model = discovering_model();
    model.discovered.source = "https://management.azure.com".into();
    press(&mut model, "v");
    feed(&mut model, reports());
    let fx = update(&mut model, Msg::Discovery(DiscoveryEvent::Done));
    let cache = fx
        .iter()
        .find_map(|e| match e {
            Effect::SaveVaultCache(c) => Some(c.clone()),
            _ => None,
        })
        .expect("the search's end is saved");
    let names: Vec<&str> = cache.discovered.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["kv-prod", "kv-payments"]);
    assert_eq!(cache.discovered[0].tenant_name, "Contoso");
    assert_eq!(cache.discovered[0].subscription_name, "Production");

    // Opening a vault makes it recent, and saves that too.
    type_text(&mut model, "prod");
    press(&mut model, "enter");
    let fx = update(
        &mut model,
        Msg::VaultOpened {
            label: "https://kv-prod.vault.azure.net".into(),
            is_local: false,
        },
    );
    let cache = fx
        .iter()
        .find_map(|e| match e {
            Effect::SaveVaultCache(c) => Some(c.clone()),
            _ => None,
        })
        .expect("saved");
    assert_eq!(cache.recent, ["https://kv-prod.vault.azure.net"]);

    // The next run shows both at once, before any search answers.
    let mut next = loaded_model();
    next.discovery_available = true;
    next.discovered.source = "https://management.azure.com".into();
    next.apply_vault_cache(cache.clone());
    let fx = press(&mut next, "v");
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Discover { .. })),
        "refreshed"
    );
    let text = format!("{:?}", picker_rows(&next, ""));
    assert!(text.contains("2 vaults from the last search"), "{text}");
    assert!(text.contains("kv-payments"), "{text}");
    assert!(text.contains("Config and recent"), "{text}");
    // The search's answer replaces the cached list.
    update(
        &mut next,
        Msg::Discovery(DiscoveryEvent::Subscriptions(vec![sub(
            "s9", "t1", "Other",
        )])),
    );
    assert!(!format!("{:?}", picker_rows(&next, "")).contains("kv-payments"));

    // Another endpoint's results are not shown.
    let mut other = loaded_model();
    other.discovery_available = true;
    other.discovered.source = "https://management.chinacloudapi.cn".into();
    other.apply_vault_cache(cache);
    assert!(other.discovered.subscriptions.is_empty());
}

#[test]
fn loopback_vaults_are_not_remembered_as_recent() {
    let mut model = discovering_model();
    update(
        &mut model,
        Msg::VaultOpened {
            label: "https://team.localhost:40123".into(),
            is_local: true,
        },
    );
    assert!(model.recent_vaults.is_empty());
    assert!(model.vault_cache().recent.is_empty());
}

#[test]
fn the_picker_lists_tenants_and_searches_the_one_chosen() {
    let mut model = discovering_model();
    press(&mut model, "v");
    feed(
        &mut model,
        vec![
            DiscoveryEvent::Tenants(vec![
                TenantInfo {
                    id: "t1".into(),
                    name: Some("Contoso".into()),
                },
                TenantInfo {
                    id: "t2".into(),
                    name: Some("Fabrikam".into()),
                },
            ]),
            DiscoveryEvent::Subscriptions(vec![sub("s1", "t1", "Production")]),
            DiscoveryEvent::SubscriptionDone {
                subscription_id: "s1".into(),
            },
            DiscoveryEvent::Done,
        ],
    );
    type_text(&mut model, "fabri");
    let rows = selectable(&model);
    assert!(
        matches!(rows.as_slice(), [PickerRow::Tenant { id, chosen: false, .. }] if id == "t2"),
        "{rows:?}"
    );
    let fx = press(&mut model, "enter");
    let tenant = fx.iter().find_map(|e| match e {
        Effect::Discover { tenant } => Some(tenant.clone()),
        _ => None,
    });
    assert_eq!(
        tenant,
        Some(Some("t2".to_owned())),
        "searched in that tenant"
    );
    assert!(
        matches!(model.overlays.last(), Some(Overlay::Picker(_))),
        "the picker stays open for the results"
    );
    assert!(
        model.discovered.subscriptions.is_empty(),
        "the other tenant's are gone"
    );
    // Searching again keeps the tenant; choosing it again goes back to all.
    update(&mut model, Msg::Discovery(DiscoveryEvent::Done));
    let fx = press(&mut model, "ctrl-r");
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Discover { tenant: Some(t) } if t == "t2"))
    );
    update(&mut model, Msg::Discovery(DiscoveryEvent::Done));
    type_text(&mut model, "fabri");
    let fx = press(&mut model, "enter");
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Discover { tenant: None }))
    );
}

#[test]
fn a_pinned_vault_is_listed_first_and_remembered() {
    let mut model = discovering_model();
    model
        .known_vaults
        .push("https://second.vault.azure.net".into());
    press(&mut model, "v");
    feed(&mut model, reports());
    // Choose the second vault from the config and pin it.
    let at = selectable(&model)
        .iter()
        .position(|r| matches!(r, PickerRow::Vault { url, .. } if url.contains("second")))
        .expect("the vault from the config");
    for _ in 0..at {
        press(&mut model, "down");
    }
    let fx = press(&mut model, "ctrl-t");
    assert_eq!(model.pinned_vaults, ["https://second.vault.azure.net"]);
    let saved = fx
        .iter()
        .find_map(|e| match e {
            Effect::SaveVaultCache(c) => Some(c.clone()),
            _ => None,
        })
        .expect("the pin is saved");
    assert_eq!(saved.pinned, ["https://second.vault.azure.net"]);
    assert!(saved.pinned.iter().all(|u| !u.contains("value")));
    // Listed first after the open vaults, under its own header, and only once.
    let rows = picker_rows(&model, "");
    let headers: Vec<&str> = rows
        .iter()
        .filter_map(|r| match r {
            PickerRow::Header(h) => Some(h.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(&headers[..2], ["Open", "Pinned"], "{headers:?}");
    let times = rows
        .iter()
        .filter(|r| matches!(r, PickerRow::Vault { url, .. } if url.contains("second")))
        .count();
    assert_eq!(times, 1);

    // The next run starts with it pinned.
    let mut next = discovering_model();
    next.apply_vault_cache(saved);
    assert_eq!(next.pinned_vaults, ["https://second.vault.azure.net"]);

    // Pinning it again unpins it; a loopback vault is never pinned.
    let first = selectable(&model)
        .iter()
        .position(|r| matches!(r, PickerRow::Vault { url, .. } if url.contains("second")))
        .expect("still listed");
    while model
        .overlays
        .last()
        .is_some_and(|o| matches!(o, Overlay::Picker(s) if s.selected > first))
    {
        press(&mut model, "up");
    }
    while model
        .overlays
        .last()
        .is_some_and(|o| matches!(o, Overlay::Picker(s) if s.selected < first))
    {
        press(&mut model, "down");
    }
    press(&mut model, "ctrl-t");
    assert!(model.pinned_vaults.is_empty());
    let local = "https://team.localhost:4443";
    assert!(!model.toggle_pin(local));
    assert!(model.pinned_vaults.is_empty());
}

/// With the embedded vault open, Azure's Resource Manager is searched beside
/// it as its own group; without a credential that group says how to sign in,
/// in place, and a sign-in then Ctrl-R fills it.
#[test]
fn azure_is_searched_beside_the_local_vaults_and_asks_for_a_sign_in() {
    let mut model = discovering_model();
    model.discovered.source = "https://management.localhost:8443".into();
    model.discovered.local = true;
    model.azure_discovered = Some(kvtui::app::picker::Discovered {
        source: "https://management.azure.com".into(),
        ..Default::default()
    });
    let fx = press(&mut model, "v");
    assert!(fx.iter().any(|e| matches!(e, Effect::Discover { .. })));
    assert!(fx.iter().any(|e| matches!(e, Effect::DiscoverAzure { .. })));
    let local = sub("local", "local", "Local vault");
    feed(
        &mut model,
        vec![
            DiscoveryEvent::Tenants(vec![TenantInfo {
                id: "local".into(),
                name: Some("Local vault".into()),
            }]),
            DiscoveryEvent::Subscriptions(vec![local]),
            DiscoveryEvent::Vaults {
                subscription_id: "local".into(),
                vaults: vec![vault("team-shared", "local", "local")],
            },
            DiscoveryEvent::SubscriptionDone {
                subscription_id: "local".into(),
            },
            DiscoveryEvent::Done,
        ],
    );
    for ev in [
        DiscoveryEvent::SignInNeeded("Azure CLI: az not found".into()),
        DiscoveryEvent::Done,
    ] {
        update(&mut model, Msg::AzureDiscovery(ev));
    }
    let text: Vec<String> = picker_rows(&model, "")
        .iter()
        .map(|r| format!("{r:?}"))
        .collect();
    let joined = text.join("\n");
    assert!(
        joined.contains("Local vaults (1 vault in 1 subscription)"),
        "{joined}"
    );
    assert!(
        joined.contains("Local vault (1 vault)") && !joined.contains("Local vault / Local vault"),
        "{joined}"
    );
    let azure = text
        .iter()
        .position(|r| r.contains("Azure (not signed in) · management.azure.com"))
        .unwrap_or_else(|| panic!("no Azure group:\n{joined}"));
    assert!(text[azure + 1].contains("az login"), "{joined}");
    assert!(text[azure + 2].contains("az not found"), "{joined}");
    // Signed in, Ctrl-R searches both groups again; Azure's vaults fill its group.
    let fx = press(&mut model, "ctrl-r");
    assert!(fx.iter().any(|e| matches!(e, Effect::DiscoverAzure { .. })));
    for ev in [
        DiscoveryEvent::Tenants(Vec::new()),
        DiscoveryEvent::Subscriptions(vec![sub("s1", "t1", "Production")]),
        DiscoveryEvent::Vaults {
            subscription_id: "s1".into(),
            vaults: vec![vault("kv-prod", "s1", "t1")],
        },
        DiscoveryEvent::SubscriptionDone {
            subscription_id: "s1".into(),
        },
        DiscoveryEvent::Done,
    ] {
        update(&mut model, Msg::AzureDiscovery(ev));
    }
    let joined = format!("{:?}", picker_rows(&model, ""));
    assert!(
        joined.contains("Azure (1 vault in 1 subscription)"),
        "{joined}"
    );
    assert!(!joined.contains("az login"), "{joined}");
    type_text(&mut model, "kv-prod");
    let fx = press(&mut model, "enter");
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::OpenVault { url } if url.contains("kv-prod"))),
        "{fx:?}"
    );
    // Azure's results are remembered under its own endpoint.
    let cache = model.vault_cache();
    assert_eq!(cache.azure_source, "https://management.azure.com");
    assert_eq!(cache.azure_discovered.len(), 1);
    assert_eq!(cache.azure_discovered[0].name, "kv-prod");
}

/// `Ctrl-T pin` is hinted only on a vault that can be pinned: a loopback
/// URL's port changes every run, so there the hint goes.
#[test]
fn the_pin_hint_is_offered_only_where_pinning_works() {
    use kvtui::app::keymap::Action;
    let mut model = discovering_model();
    model.known_vaults.push("https://localhost:8443".into());
    press(&mut model, "v");
    assert!(model.offers(Action::Pin), "{:?}", selectable(&model));
    let rows = selectable(&model);
    let local = rows
        .iter()
        .position(|r| matches!(r, PickerRow::Vault { url, .. } if url.contains("localhost")))
        .unwrap_or_else(|| panic!("{rows:?}"));
    for _ in 0..local {
        press(&mut model, "down");
    }
    assert!(!model.offers(Action::Pin));
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let mut state = UiState::default();
    terminal.draw(|f| render(f, &model, &mut state)).unwrap();
    let screen = terminal.backend().to_string();
    assert!(screen.contains("Ctrl-R search again"), "{screen}");
    assert!(!screen.contains("Ctrl-T pin"), "{screen}");
}
