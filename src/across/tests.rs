//! The pure decisions: pairing, states, settling with digests, plans.

use secrecy::SecretString;

use super::compare::{CompareOptions, Field, Listing, Row, State, pair, settle};
use super::hash::ValueHasher;
use super::names::{MapRule, NameRules};
use super::plan::{Action, OnDeleted, Pick, plan};
use crate::vault::{DeletedSecret, SecretName, SecretProps};

fn props(name: &str) -> SecretProps {
    SecretProps::named(SecretName::parse(name).unwrap())
}

fn deleted(name: &str) -> DeletedSecret {
    DeletedSecret {
        props: props(name),
        recovery_id: None,
        deleted_date: None,
        scheduled_purge_date: None,
    }
}

fn listing() -> Listing {
    let mut tagged = props("tagged");
    tagged.tags.insert("env".into(), "dev".into());
    let mut off = props("off");
    off.enabled = false;
    let mut cert = props("cert");
    cert.managed = true;
    Listing {
        source: vec![
            props("same"),
            props("value"),
            tagged,
            props("new"),
            props("gone"),
            off,
            cert.clone(),
        ],
        target: vec![
            props("Same"),
            props("value"),
            props("tagged"),
            props("extra"),
            props("off"),
            cert,
        ],
        target_deleted: vec![deleted("gone"), deleted("never-in-source")],
    }
}

fn opts(values: bool) -> CompareOptions {
    CompareOptions {
        values,
        ..Default::default()
    }
}

fn states(rows: &[Row]) -> Vec<(&str, State)> {
    rows.iter().map(|r| (r.name.as_str(), r.state)).collect()
}

fn settled() -> Vec<Row> {
    let h = ValueHasher::new();
    let a = h.digest(&SecretString::from("a"));
    let b = h.digest(&SecretString::from("b"));
    let mut rows = pair(listing(), &opts(true));
    for r in &mut rows {
        let digests = if r.name.as_str() == "value" {
            (a, b)
        } else {
            (a, a)
        };
        settle(r, Some(digests));
    }
    rows
}

#[test]
fn every_state_from_listings_and_digests() {
    let rows = settled();
    assert_eq!(
        states(&rows),
        [
            ("cert", State::Managed),
            ("extra", State::OnlyInTarget),
            ("gone", State::DeletedInTarget),
            ("new", State::OnlyInSource),
            ("off", State::Disabled),
            ("same", State::Same),
            ("tagged", State::Differs),
            ("value", State::Differs),
        ]
    );
    let what = |n: &str| {
        rows.iter()
            .find(|r| r.name.as_str() == n)
            .map(|r| r.diffs.describe())
    };
    assert_eq!(what("tagged").as_deref(), Some("tags"));
    assert_eq!(what("value").as_deref(), Some("value"));
    assert_eq!(what("off").as_deref(), Some("enabled"));
    let differ: Vec<&str> = rows
        .iter()
        .filter(|r| r.is_difference())
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(differ, ["extra", "gone", "new", "off", "tagged", "value"]);
}

#[test]
fn metadata_only_reads_no_value_and_includes_managed_when_asked() {
    let rows = pair(listing(), &opts(false));
    assert!(rows.iter().all(|r| !r.needs_values));
    let st = |n: &str| rows.iter().find(|r| r.name.as_str() == n).map(|r| r.state);
    assert_eq!(st("value"), Some(State::Same), "no value, no difference");
    assert_eq!(st("off"), Some(State::Differs));
    let mut o = opts(true);
    o.include_managed = true;
    let rows = pair(listing(), &o);
    let cert = rows.iter().find(|r| r.name.as_str() == "cert");
    assert!(cert.is_some_and(|r| r.needs_values && r.state == State::Same));
}

#[test]
fn maps_pair_renamed_names() {
    let l = Listing {
        source: vec![props("dev-db"), props("dev-api"), props("shared")],
        target: vec![props("prod-db"), props("prod-web"), props("dev-db")],
        target_deleted: vec![],
    };
    let o = CompareOptions {
        rules: NameRules {
            map: vec![MapRule::parse("dev-*=prod-*").unwrap()],
            ..Default::default()
        },
        ..opts(false)
    };
    let rows = pair(l, &o);
    let got: Vec<(&str, &str, State)> = rows
        .iter()
        .map(|r| (r.name.as_str(), r.target_name.as_str(), r.state))
        .collect();
    assert_eq!(
        got,
        [
            ("dev-api", "prod-api", State::OnlyInSource),
            ("dev-db", "prod-db", State::Same),
            ("dev-web", "prod-web", State::OnlyInTarget),
        ]
    );
}

#[test]
fn plans_pick_names_and_say_what_each_would_do() {
    let rows = settled();
    let all = Pick {
        all: true,
        ..Default::default()
    };
    let got: Vec<(String, Action)> = plan(&rows, &all, OnDeleted::Refuse)
        .into_iter()
        .map(|s| (s.name.to_string(), s.action))
        .collect();
    let want: Vec<(String, Action)> = [
        ("cert", Action::Managed),
        ("gone", Action::NeedsRecoverOrPurge),
        ("new", Action::Create),
        (
            "off",
            Action::Refused("disabled in the source: its value cannot be read".into()),
        ),
        ("same", Action::Unchanged),
        ("tagged", Action::UpdateProps),
        ("value", Action::NewVersion),
    ]
    .into_iter()
    .map(|(n, a)| (n.to_string(), a))
    .collect();
    assert_eq!(got, want);

    let missing = Pick {
        missing: true,
        ..Default::default()
    };
    let steps = plan(&rows, &missing, OnDeleted::PurgeFirst);
    let got: Vec<(&str, &Action)> = steps.iter().map(|s| (s.name.as_str(), &s.action)).collect();
    assert_eq!(
        got,
        [("gone", &Action::PurgeFirst), ("new", &Action::Create)]
    );

    let named = Pick {
        names: vec![
            SecretName::parse("value").unwrap(),
            SecretName::parse("nope").unwrap(),
            SecretName::parse("extra").unwrap(),
        ],
        ..Default::default()
    };
    let steps = plan(&rows, &named, OnDeleted::Recover);
    let labels: Vec<(&str, &str)> = steps
        .iter()
        .map(|s| (s.name.as_str(), s.action.label()))
        .collect();
    assert_eq!(
        labels,
        [
            ("extra", "refused"),
            ("nope", "refused"),
            ("value", "new version")
        ]
    );
    assert!(steps[2].note().contains("value"));
    assert!(
        !rows
            .iter()
            .any(|r| r.diffs.contains(Field::Value) && r.name.as_str() != "value")
    );
}
