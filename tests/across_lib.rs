//! The shared compare, plan and apply code through the SDK against named
//! local vaults: a write is skipped when the target changed since the plan,
//! and made with `force`; a plan writes nothing.

mod across_common;

use across_common::{Seed, start};
use kvtui::across::apply::{Outcome, apply};
use kvtui::across::compare::{CompareOptions, State};
use kvtui::across::fetch::{Progress, compare};
use kvtui::across::plan::{Action, OnDeleted, Pick, plan};
use kvtui::script::conn::Api;

#[tokio::test(flavor = "multi_thread")]
async fn a_target_changed_since_the_plan_is_skipped_unless_forced() {
    let v = start(false).await;
    for name in ["a", "b", "c"] {
        v.set(
            "src",
            name,
            Seed {
                value: "new-Val",
                ..Default::default()
            },
        )
        .await;
        v.set(
            "dst",
            name,
            Seed {
                value: "old-Val",
                ..Default::default()
            },
        )
        .await;
    }
    let (sc, tc) = (v.client("src"), v.client("dst"));
    let (s, t) = (Api::new(&sc), Api::new(&tc));
    let opts = CompareOptions {
        values: true,
        ..Default::default()
    };
    let rows = compare(&s, &t, &opts, &Progress::default())
        .await
        .expect("compare");
    assert!(rows.iter().all(|r| r.state == State::Differs));
    let all = Pick {
        all: true,
        ..Default::default()
    };
    let steps = plan(&rows, &all, OnDeleted::Refuse);
    assert!(steps.iter().all(|s| s.action == Action::NewVersion));
    assert_eq!(v.versions("dst", "a").await, 1, "planning writes nothing");

    // Someone writes `a` and retags `b` after the plan was made.
    v.set(
        "dst",
        "a",
        Seed {
            value: "theirs-Val",
            ..Default::default()
        },
    )
    .await;
    v.retag("dst", "b", "owner", "them").await;
    let outcomes = apply(&s, &t, &steps, false, |_, _| {}).await;
    assert_eq!(
        outcomes,
        [
            Outcome::TargetChanged,
            Outcome::TargetChanged,
            Outcome::NewVersion
        ]
    );
    assert_eq!(v.value("dst", "a").await.as_deref(), Some("theirs-Val"));
    assert_eq!(v.value("dst", "c").await.as_deref(), Some("new-Val"));
    assert_eq!(v.versions("dst", "b").await, 1);

    let forced = apply(&s, &t, &steps[..2], true, |_, _| {}).await;
    assert_eq!(forced, [Outcome::NewVersion, Outcome::NewVersion]);
    assert_eq!(v.value("dst", "a").await.as_deref(), Some("new-Val"));

    // The source changing since the plan stops a write too.
    let rows = compare(&s, &t, &opts, &Progress::default())
        .await
        .expect("compare");
    let steps = plan(&rows, &all, OnDeleted::Refuse);
    assert!(
        steps.iter().all(|s| s.action == Action::Unchanged),
        "now the same"
    );
    v.set(
        "src",
        "c",
        Seed {
            value: "newer-Val",
            ..Default::default()
        },
    )
    .await;
    let rows = compare(&s, &t, &opts, &Progress::default())
        .await
        .expect("compare");
    let steps = plan(&rows, &all, OnDeleted::Refuse);
    v.set(
        "src",
        "c",
        Seed {
            value: "newest-Val",
            ..Default::default()
        },
    )
    .await;
    let outcomes = apply(&s, &t, &steps, false, |_, _| {}).await;
    assert_eq!(
        outcomes,
        [
            Outcome::Unchanged,
            Outcome::Unchanged,
            Outcome::SourceChanged
        ]
    );
    assert_eq!(v.value("dst", "c").await.as_deref(), Some("new-Val"));
}
