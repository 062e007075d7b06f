//! Discovery through azure_core's pipeline against the local vault's
//! Resource Manager endpoints: paging, a forbidden subscription, several
//! tenants, `--tenant`, and the local token with no challenge.

mod common;

use kvtui::local::{ArmOptions, LocalSubscription, LocalTenant, SubscriptionVaults};
use kvtui::vault::discovery::{Discovery, DiscoveryEvent};
use secrecy::{ExposeSecret, SecretString};
use tempfile::TempDir;
use tokio::sync::mpsc;

fn discovery(r: &common::Running) -> Discovery {
    kvtui::compose::local_discovery(
        &r.vault.arm_url(),
        r.vault.ca_pem(),
        SecretString::from(r.vault.token().expose_secret().to_owned()),
    )
    .expect("discovery client")
}

async fn run_all(d: &Discovery) -> Vec<DiscoveryEvent> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    d.run(tx).await;
    let mut events = Vec::new();
    while let Ok(ev) = rx.try_recv() {
        events.push(ev);
    }
    events
}

fn found(events: &[DiscoveryEvent]) -> Vec<(String, String, String)> {
    let mut all: Vec<(String, String, String)> = events
        .iter()
        .filter_map(|e| match e {
            DiscoveryEvent::Vaults { vaults, .. } => Some(vaults),
            _ => None,
        })
        .flatten()
        .map(|v| {
            (
                v.subscription_id.clone(),
                v.tenant_id.clone(),
                v.name.clone(),
            )
        })
        .collect();
    all.sort();
    all
}

fn layout() -> ArmOptions {
    let tenant = |id: &str| LocalTenant {
        id: id.into(),
        display_name: format!("Tenant {id}"),
    };
    let sub = |id: &str, t: &str, vaults| LocalSubscription {
        id: id.into(),
        tenant_id: t.into(),
        display_name: format!("Sub {id}"),
        vaults,
    };
    ArmOptions {
        tenants: vec![tenant("t-one"), tenant("t-two")],
        subscriptions: vec![
            sub("s-a", "t-one", SubscriptionVaults::All),
            sub(
                "s-b",
                "t-two",
                SubscriptionVaults::Named(vec!["beta-1".into(), "beta-2".into(), "beta-3".into()]),
            ),
            sub("s-c", "t-two", SubscriptionVaults::Forbidden),
        ],
        page_size: 2,
        ..ArmOptions::default()
    }
}

#[tokio::test]
async fn finds_every_vault_of_every_tenant_and_skips_a_forbidden_subscription() {
    let r = common::start_in(TempDir::new().expect("dir"), |o| {
        o.create_vaults = vec!["alpha-1".into(), "alpha-2".into(), "alpha-3".into()];
        o.arm = layout();
    })
    .await;
    let d = discovery(&r).with_concurrency(2);
    let events = run_all(&d).await;
    let tenants: Vec<String> = events
        .iter()
        .find_map(|e| match e {
            DiscoveryEvent::Tenants(t) => Some(t.iter().map(|t| t.id.clone()).collect()),
            _ => None,
        })
        .expect("tenants reported");
    assert_eq!(tenants, ["t-one", "t-two"]);
    let subs: Vec<String> = events
        .iter()
        .find_map(|e| match e {
            DiscoveryEvent::Subscriptions(s) => Some(s.iter().map(|s| s.id.clone()).collect()),
            _ => None,
        })
        .expect("subscriptions reported (over two pages)");
    assert_eq!(subs, ["s-a", "s-b", "s-c"]);
    let t = |s: &str, t: &str, n: &str| (s.to_owned(), t.to_owned(), n.to_owned());
    assert_eq!(
        found(&events),
        [
            t("s-a", "t-one", "alpha-1"),
            t("s-a", "t-one", "alpha-2"),
            t("s-a", "t-one", "alpha-3"),
            t("s-a", "t-one", "default"),
            t("s-b", "t-two", "beta-1"),
            t("s-b", "t-two", "beta-2"),
            t("s-b", "t-two", "beta-3"),
        ],
        "every page of every subscription, none twice"
    );
    // Pages stream in: s-a's four vaults came in two events of two.
    let pages_of_a = events
        .iter()
        .filter(|e| matches!(e, DiscoveryEvent::Vaults { subscription_id, .. } if subscription_id == "s-a"))
        .count();
    assert_eq!(pages_of_a, 2);
    let skipped: Vec<(&str, &str)> = events
        .iter()
        .filter_map(|e| match e {
            DiscoveryEvent::Skipped {
                subscription_id,
                reason,
            } => Some((subscription_id.as_str(), reason.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].0, "s-c");
    assert!(
        skipped[0].1.starts_with("403 AuthorizationFailed"),
        "{}",
        skipped[0].1
    );
    let done = events
        .iter()
        .filter(|e| matches!(e, DiscoveryEvent::SubscriptionDone { .. }))
        .count();
    assert_eq!(done, 2);
    assert_eq!(events.last(), Some(&DiscoveryEvent::Done));
    // A URL found opens the vault through the SDK.
    let url = format!("https://alpha-2.localhost:{}", r.vault.port());
    assert!(
        events.iter().any(|e| matches!(e, DiscoveryEvent::Vaults { vaults, .. } if vaults.iter().any(|v| v.url == url)))
    );
}

#[tokio::test]
async fn a_tenant_limits_the_subscriptions_searched() {
    let r = common::start_in(TempDir::new().expect("dir"), |o| o.arm = layout()).await;
    let d = kvtui::compose::discovery_for(
        Some(&r.vault.arm_url()),
        None,
        &kvtui::compose::ConnectOptions {
            credential: kvtui::vault::credential::CredentialOptions {
                tenant: Some("t-two".into()),
                ..Default::default()
            },
            data_dir: r.dir.path().to_owned(),
            samples: false,
            in_memory: false,
        },
        &|_| None,
    )
    .expect("a loopback --arm-endpoint uses the data dir's CA and token");
    let subs = d.subscriptions().await.expect("subscriptions");
    let ids: Vec<&str> = subs.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["s-b", "s-c"]);
}

#[tokio::test]
async fn a_wrong_token_fails_discovery_with_the_arm_reason() {
    let r = common::start().await;
    let d = kvtui::compose::local_discovery(
        &r.vault.arm_url(),
        r.vault.ca_pem(),
        SecretString::from("not-the-local-token-at-all".to_owned()),
    )
    .expect("client");
    let events = run_all(&d).await;
    let failed = events.iter().find_map(|e| match e {
        DiscoveryEvent::Failed(reason) => Some(reason.clone()),
        _ => None,
    });
    let reason = failed.expect("discovery failed");
    assert!(reason.starts_with("401 AuthenticationFailed"), "{reason}");
    assert_eq!(events.last(), Some(&DiscoveryEvent::Done));
}

#[tokio::test]
async fn http_endpoints_are_refused() {
    let r = common::start().await;
    let err = kvtui::compose::local_discovery(
        "http://management.localhost:1",
        r.vault.ca_pem(),
        SecretString::from("x".repeat(20)),
    )
    .err()
    .expect("refused");
    assert!(err.contains("not https"), "{err}");
}

/// With no credential that gives a token, discovery says "sign in" and sends
/// nothing: the endpoint here has nothing listening, so a request would end
/// in a connection failure instead.
#[tokio::test]
async fn no_credential_asks_for_a_sign_in_before_any_request() {
    let credential = kvtui::vault::credential::build(
        &kvtui::vault::credential::CredentialOptions {
            method: kvtui::cli::AuthMethod::Env,
            ..Default::default()
        },
        &|_| None,
    );
    let d = Discovery::new(
        "https://management.localhost:1",
        std::sync::Arc::new(credential),
        Default::default(),
        None,
    )
    .expect("client");
    let events = run_all(&d).await;
    let reason = events
        .iter()
        .find_map(|e| match e {
            DiscoveryEvent::SignInNeeded(reason) => Some(reason.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no sign-in asked: {events:?}"));
    assert!(reason.contains("AZURE_CLIENT_SECRET"), "{reason}");
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, DiscoveryEvent::Failed(_))),
        "{events:?}"
    );
    assert_eq!(events.last(), Some(&DiscoveryEvent::Done));
}
