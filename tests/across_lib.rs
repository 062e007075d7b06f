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

/// The TUI's jobs (`Effect::Across`) run the same engine: a comparison
/// reports its rows, a copy of its plan reports each step's outcome, and no
/// report carries a value.
#[tokio::test(flavor = "multi_thread")]
async fn the_tui_jobs_compare_then_copy_through_the_plan() {
    use kvtui::across::jobs::run;
    use kvtui::app::across::{AcrossEvent, AcrossJob};
    use kvtui::vault::ReqId;

    let v = start(false).await;
    let seed = |value| Seed {
        value,
        ..Default::default()
    };
    v.set("src", "same", seed("same-Val")).await;
    v.set("dst", "same", seed("same-Val")).await;
    v.set("src", "changed", seed("mine-Val")).await;
    v.set("dst", "changed", seed("theirs-Val")).await;
    v.set("src", "fresh", seed("fresh-Val")).await;
    let (sc, tc) = (v.client("src"), v.client("dst"));
    let (s, t) = (Api::new(&sc), Api::new(&tc));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let job = AcrossJob::Compare {
        id: ReqId(7),
        source: v.url("src"),
        target: v.url("dst"),
        values: true,
    };
    run(&s, &t, job, &tx).await;
    let mut rows = None;
    while let Ok(ev) = rx.try_recv() {
        assert_eq!(ev.id(), ReqId(7));
        let shown = format!("{ev:?}");
        assert!(!shown.contains("-Val"), "a value reached a report: {shown}");
        if let AcrossEvent::Compared { rows: r, .. } = ev {
            rows = Some(r);
        }
    }
    let rows = rows.expect("the rows are reported");
    let states: Vec<(&str, State)> = rows.iter().map(|r| (r.name.as_str(), r.state)).collect();
    assert_eq!(
        states,
        [
            ("changed", State::Differs),
            ("fresh", State::OnlyInSource),
            ("same", State::Same)
        ]
    );

    let all = Pick {
        all: true,
        ..Default::default()
    };
    let steps = plan(&rows, &all, OnDeleted::Refuse);
    let job = AcrossJob::Copy {
        id: ReqId(8),
        source: v.url("src"),
        target: v.url("dst"),
        steps,
    };
    run(&s, &t, job, &tx).await;
    let mut progress = 0;
    let mut results = None;
    while let Ok(ev) = rx.try_recv() {
        match ev {
            AcrossEvent::Progress { .. } => progress += 1,
            AcrossEvent::Copied { results: r, .. } => results = Some(r),
            other => panic!("unexpected report: {other:?}"),
        }
    }
    assert_eq!(progress, 3, "one progress report per step");
    let outcomes: Vec<Outcome> = results
        .expect("the outcomes are reported")
        .into_iter()
        .map(|(_, o)| o)
        .collect();
    assert_eq!(
        outcomes,
        [Outcome::NewVersion, Outcome::Created, Outcome::Unchanged]
    );
    assert_eq!(v.value("dst", "changed").await.as_deref(), Some("mine-Val"));
    assert_eq!(v.value("dst", "fresh").await.as_deref(), Some("fresh-Val"));
    assert_eq!(v.versions("dst", "same").await, 1, "no new version");

    // `s` reads one name's value on both sides.
    let job = AcrossJob::Values {
        id: ReqId(10),
        source: v.url("src"),
        target: v.url("dst"),
        name: kvtui::vault::SecretName::parse("fresh").expect("name"),
        target_name: kvtui::vault::SecretName::parse("fresh").expect("name"),
    };
    run(&s, &t, job, &tx).await;
    let Ok(AcrossEvent::Values { id, source, target }) = rx.try_recv() else {
        panic!("both values are reported");
    };
    use secrecy::ExposeSecret;
    assert_eq!(id, ReqId(10));
    assert_eq!(source.expose_secret(), "fresh-Val");
    assert_eq!(target.expose_secret(), "fresh-Val");

    // `X` lists a pinned vault that is not open: its properties, no value.
    let job = AcrossJob::List {
        id: ReqId(9),
        vault: v.url("dst"),
    };
    run(&t, &t, job, &tx).await;
    let Ok(AcrossEvent::Listed { id, items }) = rx.try_recv() else {
        panic!("the listing is reported");
    };
    assert_eq!(id, ReqId(9));
    let mut names: Vec<&str> = items.iter().map(|p| p.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["changed", "fresh", "same"]);
}
