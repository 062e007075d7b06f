//! `kvtui diff`, `copy` and `expiring` against named vaults of one local vault,
//! through the real binary: every state, the exit codes, a plan that writes
//! nothing, copies that keep content type and tags and make no new version
//! when nothing changed, and values never on stdout, stderr or in files.

mod across_common;

use across_common::{Seed, Vaults, assert_no_values, assert_no_values_in_files, start};

const VALUES: &[&str] = &[
    "same-Val-1",
    "source-Val-2",
    "target-Val-3",
    "props-Val-4",
    "only-src-Val-5",
    "only-tgt-Val-6",
    "gone-Val-7",
    "off-Val-8",
    // Samples of team-shared.
    "ghp_sample_deploy_token_000000",
    "smtp-Passw0rd-current",
];

/// `team-shared` (its samples: two secrets and a certificate's) and `prod`.
async fn seeded() -> Vaults {
    let v = start(true).await;
    let s = "team-shared";
    let t = "prod";
    let same = Seed {
        value: "same-Val-1",
        tags: &[("a", "1")],
        ..Default::default()
    };
    v.set(s, "same-one", same.clone()).await;
    v.set(t, "same-one", same).await;
    v.set(
        s,
        "value-diff",
        Seed {
            value: "source-Val-2",
            ..Default::default()
        },
    )
    .await;
    v.set(
        t,
        "value-diff",
        Seed {
            value: "target-Val-3",
            ..Default::default()
        },
    )
    .await;
    let props = Seed {
        value: "props-Val-4",
        content_type: Some("text/plain"),
        tags: &[("env", "dev")],
        ..Default::default()
    };
    v.set(s, "props-diff", props.clone()).await;
    v.set(
        t,
        "props-diff",
        Seed {
            content_type: Some("application/json"),
            tags: &[("env", "prod")],
            ..props
        },
    )
    .await;
    v.set(
        s,
        "only-src",
        Seed {
            value: "only-src-Val-5",
            ..Default::default()
        },
    )
    .await;
    v.set(
        t,
        "only-tgt",
        Seed {
            value: "only-tgt-Val-6",
            ..Default::default()
        },
    )
    .await;
    v.set(
        s,
        "gone",
        Seed {
            value: "gone-Val-7",
            ..Default::default()
        },
    )
    .await;
    v.set(
        t,
        "gone",
        Seed {
            value: "gone-Val-7",
            ..Default::default()
        },
    )
    .await;
    v.delete(t, "gone").await;
    v.set(
        s,
        "off",
        Seed {
            value: "off-Val-8",
            ..Default::default()
        },
    )
    .await;
    v.set(
        t,
        "off",
        Seed {
            value: "off-Val-8",
            disabled: true,
            ..Default::default()
        },
    )
    .await;
    v.set(
        t,
        "web-tls",
        Seed {
            value: "other",
            ..Default::default()
        },
    )
    .await;
    v
}

/// `(name, state)` of each line whose state column is `width` wide.
fn columns(out: &str, width: usize) -> Vec<(String, String)> {
    out.lines()
        .map(|l| {
            let state = l.get(..width).unwrap_or(l).trim().to_owned();
            let name = l
                .get(width + 1..)
                .unwrap_or("")
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_owned();
            (name, state)
        })
        .collect()
}

/// A diff's table.
fn table(out: &str) -> Vec<(String, String)> {
    columns(out, 18)
}

/// A copy's plan or results.
fn steps(out: &str) -> Vec<(String, String)> {
    columns(out, 22)
}

#[tokio::test(flavor = "multi_thread")]
async fn diff_shows_every_state_and_exits_10_without_a_value_anywhere() {
    let v = seeded().await;
    let (s, t) = (v.url("team-shared"), v.url("prod"));
    let r = v.kvtui(&["diff", &s, &t]).await;
    assert_eq!(r.code, Some(10), "differences exit 10: {}", r.stderr);
    let rows = table(&r.out());
    let want = [
        ("ci-deploy-token", "only in source"),
        ("gone", "deleted in target"),
        ("off", "disabled"),
        ("only-src", "only in source"),
        ("only-tgt", "only in target"),
        ("props-diff", "differs"),
        ("same-one", "same"),
        ("smtp-password", "only in source"),
        ("value-diff", "differs"),
        ("web-tls", "certificate-backed"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(rows, want, "{}", r.out());
    let line = |n: &str| {
        r.out()
            .lines()
            .find(|l| l.contains(&format!(" {n} ")))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        line("value-diff").ends_with("value"),
        "{}",
        line("value-diff")
    );
    assert!(
        line("props-diff").ends_with("content type, tags"),
        "{}",
        line("props-diff")
    );
    assert!(line("off").contains("disabled in target") && line("off").contains("enabled"));
    assert!(
        r.stderr.contains("1 same") && r.stderr.contains("2 differ"),
        "{}",
        r.stderr
    );
    assert_no_values(&r, VALUES);
    assert_no_values_in_files(v.home.path(), VALUES);

    // JSON: states by key, differences by field, never a value.
    let j = v.kvtui(&["diff", &s, &t, "-o", "json"]).await;
    assert_eq!(j.code, Some(10));
    let items: serde_json::Value = serde_json::from_str(&j.out()).expect("json");
    let find = |n: &str| {
        items
            .as_array()
            .and_then(|a| a.iter().find(|i| i["name"] == n))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(
        find("props-diff")["differences"],
        serde_json::json!(["contentType", "tags"])
    );
    assert_eq!(find("gone")["state"], "deleted-in-target");
    assert_eq!(find("web-tls")["state"], "certificate-backed");
    assert_no_values(&j, VALUES);

    // Names: the ones that differ, for a pipe.
    let n = v.kvtui(&["diff", &s, &t, "-o", "names"]).await;
    assert_eq!(
        n.out().lines().collect::<Vec<_>>(),
        [
            "ci-deploy-token",
            "gone",
            "off",
            "only-src",
            "only-tgt",
            "props-diff",
            "smtp-password",
            "value-diff"
        ]
    );

    // Properties only: the value difference goes unseen.
    let m = v
        .kvtui(&[
            "diff",
            &s,
            &t,
            "--metadata-only",
            "--only",
            "value-diff",
            "same-one",
        ])
        .await;
    assert_eq!(m.code, Some(0), "{}{}", m.out(), m.stderr);
    assert_eq!(table(&m.out()).len(), 2);
    assert!(m.stderr.contains("properties only"));

    // Certificate-backed compared when asked; a prefix narrows the names.
    let c = v
        .kvtui(&["diff", &s, &t, "--include-managed", "--prefix", "web-"])
        .await;
    assert_eq!(
        table(&c.out()),
        [("web-tls".to_string(), "differs".to_string())],
        "{}",
        c.out()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn diff_maps_names_and_exits_0_when_nothing_differs() {
    let v = start(false).await;
    for (vault, name) in [
        ("dev", "app-db"),
        ("dev", "app-api"),
        ("stage", "prod-db"),
        ("stage", "prod-api"),
        ("stage", "unrelated"),
    ] {
        v.set(
            vault,
            name,
            Seed {
                value: "same-Val-1",
                ..Default::default()
            },
        )
        .await;
    }
    let r = v
        .kvtui(&[
            "diff",
            &v.url("dev"),
            &v.url("stage"),
            "--map",
            "app-*=prod-*",
        ])
        .await;
    assert_eq!(r.code, Some(0), "{}{}", r.out(), r.stderr);
    assert!(r.out().contains("app-db → prod-db"), "{}", r.out());
    assert_eq!(r.out().lines().count(), 2);

    let same = v.kvtui(&["diff", &v.url("dev"), &v.url("dev")]).await;
    assert_eq!(same.code, Some(2), "{}", same.stderr);
    let bad = v
        .kvtui(&[
            "diff",
            &v.url("dev"),
            &v.url("stage"),
            "--map",
            "app-*=prod",
        ])
        .await;
    assert_eq!(bad.code, Some(2), "{}", bad.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn copy_plans_without_writing_then_applies_without_needless_versions() {
    let v = seeded().await;
    let (s, t) = (v.url("team-shared"), v.url("prod"));
    let before = [
        v.versions("prod", "same-one").await,
        v.versions("prod", "value-diff").await,
        v.versions("prod", "props-diff").await,
    ];
    let plan = v.kvtui(&["copy", &s, &t, "--all"]).await;
    assert_eq!(
        plan.code,
        Some(11),
        "a deleted name blocks: {}",
        plan.stderr
    );
    let rows = steps(&plan.out());
    let want = [
        ("ci-deploy-token", "create"),
        ("gone", "deleted in target"),
        ("off", "new version"),
        ("only-src", "create"),
        ("props-diff", "properties"),
        ("same-one", "unchanged"),
        ("smtp-password", "create"),
        ("value-diff", "new version"),
        ("web-tls", "certificate-backed"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(rows, want, "{}", plan.out());
    assert!(plan.stderr.contains("nothing written"));
    assert_no_values(&plan, VALUES);
    // Nothing was written.
    assert_eq!(v.value("prod", "only-src").await, None);
    assert_eq!(
        v.value("prod", "value-diff").await.as_deref(),
        Some("target-Val-3")
    );
    assert_eq!(
        v.props("prod", "props-diff").await.0.as_deref(),
        Some("application/json")
    );

    let done = v
        .kvtui(&["copy", &s, &t, "--all", "--recover", "--apply"])
        .await;
    assert_eq!(done.code, Some(0), "{}{}", done.out(), done.stderr);
    let mut rows = steps(&done.out());
    rows.sort();
    let want = [
        ("ci-deploy-token", "created"),
        ("gone", "recovered"),
        ("off", "new version"),
        ("only-src", "created"),
        ("props-diff", "properties"),
        ("same-one", "unchanged"),
        ("smtp-password", "created"),
        ("value-diff", "new version"),
        ("web-tls", "certificate-backed"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(rows, want, "{}", done.out());
    assert_no_values(&done, VALUES);
    assert_no_values_in_files(v.home.path(), VALUES);

    assert_eq!(
        v.value("prod", "value-diff").await.as_deref(),
        Some("source-Val-2")
    );
    assert_eq!(v.value("prod", "off").await.as_deref(), Some("off-Val-8"));
    assert_eq!(v.value("prod", "gone").await.as_deref(), Some("gone-Val-7"));
    assert_eq!(
        v.props("prod", "props-diff").await,
        (
            Some("text/plain".into()),
            vec![("env".into(), "dev".into())]
        )
    );
    assert_eq!(
        v.props("prod", "ci-deploy-token").await,
        (
            Some("text/plain".into()),
            vec![("team".into(), "platform".into())]
        )
    );
    let after = [
        v.versions("prod", "same-one").await,
        v.versions("prod", "value-diff").await,
        v.versions("prod", "props-diff").await,
    ];
    assert_eq!(
        after,
        [before[0], before[1] + 1, before[2]],
        "unchanged and properties-only make no version"
    );

    // Now the vaults agree (but for the certificate's secret and the target's own).
    let again = v.kvtui(&["copy", &s, &t, "--all", "--apply"]).await;
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert!(
        again
            .out()
            .lines()
            .all(|l| l.starts_with("unchanged") || l.starts_with("certificate-backed")),
        "{}",
        again.out()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn copy_names_chosen_and_deleted_targets_purged_first() {
    let v = seeded().await;
    let (s, t) = (v.url("team-shared"), v.url("prod"));
    let none = v.kvtui(&["copy", &s, &t]).await;
    assert_eq!(none.code, Some(2), "{}", none.stderr);
    let r = v
        .kvtui(&[
            "copy",
            &s,
            &t,
            "gone",
            "only-src",
            "no-such",
            "--purge-first",
            "--apply",
        ])
        .await;
    assert_eq!(r.code, Some(11), "{}{}", r.out(), r.stderr);
    let mut rows = steps(&r.out());
    rows.sort();
    assert_eq!(
        rows,
        [
            ("gone".to_string(), "purged, created".to_string()),
            ("no-such".to_string(), "refused".to_string()),
            ("only-src".to_string(), "created".to_string()),
        ]
    );
    assert_eq!(
        v.versions("prod", "gone").await,
        1,
        "purged, then one new version"
    );
    let m = v.kvtui(&["copy", &s, &t, "--missing"]).await;
    let names: Vec<String> = steps(&m.out()).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["ci-deploy-token", "smtp-password"], "{}", m.out());
    let c = v.kvtui(&["copy", &s, &t, "--changed"]).await;
    let names: Vec<String> = steps(&c.out()).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["off", "props-diff", "value-diff"], "{}", c.out());
}

#[tokio::test(flavor = "multi_thread")]
async fn expiring_lists_across_vaults_and_exits_12() {
    let v = start(false).await;
    v.set(
        "dev",
        "soon",
        Seed {
            value: "x",
            expires: Some(5 * 86_400),
            ..Default::default()
        },
    )
    .await;
    v.set(
        "dev",
        "later",
        Seed {
            value: "x",
            expires: Some(90 * 86_400),
            ..Default::default()
        },
    )
    .await;
    v.set(
        "prod",
        "past",
        Seed {
            value: "x",
            expires: Some(-86_400),
            ..Default::default()
        },
    )
    .await;
    v.set(
        "prod",
        "retired",
        Seed {
            value: "x",
            expires: Some(-86_400),
            disabled: true,
            ..Default::default()
        },
    )
    .await;
    v.set(
        "prod",
        "fine",
        Seed {
            value: "x",
            ..Default::default()
        },
    )
    .await;
    let (d, p) = (v.url("dev"), v.url("prod"));
    let r = v
        .kvtui(&["expiring", "--within", "30d", "--vault", &d, "--vault", &p])
        .await;
    assert_eq!(r.code, Some(12), "{}", r.stderr);
    let rows: Vec<(String, String)> = r
        .out()
        .lines()
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w[0].to_owned(), w[3].to_owned())
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("expired".to_string(), "past".to_string()),
            ("expiring".to_string(), "soon".to_string())
        ]
    );
    assert!(r.out().contains(&p) && r.out().contains(&d));
    let quiet = v
        .kvtui(&["expiring", "--within", "1d", "--vault", &d])
        .await;
    assert_eq!(quiet.code, Some(0), "{}", quiet.stderr);
    let bad = v
        .kvtui(&["expiring", "--within", "soon", "--vault", &d])
        .await;
    assert_eq!(bad.code, Some(2));
}
