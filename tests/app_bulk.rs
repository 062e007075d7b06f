//! Bulk delete, recover and purge in the pure update: the names wait in the
//! model and go out a few at a time, 429s are waited out, one history entry
//! sums up every failure, failed rows stay marked, `u` undoes the whole delete.

mod app_common;

use std::time::Duration as StdDuration;

use app_common::*;
use kvtui::app::effect::{Effect, WORKER_BUSY};
use kvtui::app::lists::bulk::BULK_IN_FLIGHT;
use kvtui::app::model::MAX_ERRORS;
use kvtui::app::{Keymap, Model, Msg, update};
use kvtui::vault::{ErrorKind, ReqId, VaultCmd, VaultError, VaultEventKind};

/// A model listing `n` secrets `s-00000` ….
fn model_with(n: usize) -> Model {
    let mut model = Model::new(VAULT, false, Keymap::default_keymap(), NOW);
    let reqs = reqs_of(update(&mut model, Msg::Start));
    let rows = (0..n).map(|i| props(&format!("s-{i:05}"))).collect();
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::SecretsPage(rows)),
    );
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::ListDone { count: n }),
    );
    update(
        &mut model,
        event(reqs[1].id, VaultEventKind::ListDone { count: 0 }),
    );
    model
}

fn deletes(effects: &[Effect]) -> Vec<(ReqId, String)> {
    runs(effects)
        .into_iter()
        .filter_map(|r| match &r.cmd {
            VaultCmd::Delete { name } => Some((r.id, name.to_string())),
            _ => None,
        })
        .collect()
}

fn recovers(effects: &[Effect]) -> Vec<String> {
    runs(effects)
        .into_iter()
        .filter_map(|r| match &r.cmd {
            VaultCmd::Recover { name } => Some(name.to_string()),
            _ => None,
        })
        .collect()
}

fn deleted_answer(model: &mut Model, id: ReqId, name: &str) -> Vec<Effect> {
    update(
        model,
        event(id, VaultEventKind::Deleted(Box::new(deleted(name)))),
    )
}

fn throttled(retry_after: Option<StdDuration>) -> VaultEventKind {
    VaultEventKind::Failed(VaultError {
        kind: ErrorKind::Throttled,
        status: Some(429),
        code: Some("Throttled".to_owned()),
        message: "too many requests".to_owned(),
        hint: None,
        retry_after,
    })
}

#[test]
fn a_bulk_delete_keeps_at_most_a_few_requests_out_and_finishes() {
    let mut model = model_with(300);
    press(&mut model, "A d");
    let mut out = deletes(&press(&mut model, "y"));
    assert_eq!(
        out.len(),
        BULK_IN_FLIGHT,
        "only a few go to the worker at once"
    );
    assert!(model.secrets().marked.is_empty());
    let mut answered = 0;
    while let Some((id, name)) = out.pop() {
        let more = if name == "s-00007" || name == "s-00150" {
            update(
                &mut model,
                event(
                    id,
                    failure(
                        ErrorKind::Forbidden,
                        403,
                        "ForbiddenByPolicy",
                        "denied by policy",
                    ),
                ),
            )
        } else {
            deleted_answer(&mut model, id, &name)
        };
        answered += 1;
        out.extend(deletes(&more));
        assert!(model.pending.len() <= BULK_IN_FLIGHT);
        if answered == 100 {
            let progress = model.bulk.as_ref().unwrap().progress();
            assert!(progress.starts_with("deleting 100/300"), "{progress}");
        }
    }
    assert_eq!(answered, 300, "every marked row was sent once");
    assert!(model.bulk.is_none());
    assert_eq!(model.secrets().items.len(), 2);
    // The failed rows stay marked, so the same key retries them.
    let marked: Vec<String> = model
        .secrets()
        .marked
        .iter()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(marked, ["s-00007", "s-00150"]);
    // One entry in the history for the whole action, with each failure and why.
    assert_eq!(model.errors.len(), 1, "{:?}", model.errors);
    let entry = &model.errors[0];
    assert!(entry.is_error());
    assert_eq!(
        entry.what,
        "deleted 298 of 300; 2 failed, still marked (! for why)"
    );
    assert_eq!(entry.failures.len(), 2);
    assert!(
        entry.failures[0].1.contains("denied by policy"),
        "{:?}",
        entry.failures
    );
    let toast = model.toast.as_ref().unwrap();
    assert!(
        toast.is_error && toast.text.ends_with("· u undo"),
        "{}",
        toast.text
    );
    assert_eq!(model.undo.as_ref().unwrap().names.len(), 298);
    // `d` again retries exactly the failed two.
    press(&mut model, "d");
    let again = deletes(&press(&mut model, "y"));
    let names: Vec<&str> = again.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["s-00007", "s-00150"]);
}

#[test]
fn throttled_names_wait_and_go_again() {
    let mut model = model_with(20);
    press(&mut model, "A d");
    let out = deletes(&press(&mut model, "y"));
    let (id, name) = out[0].clone();
    let more = update(
        &mut model,
        event(id, throttled(Some(StdDuration::from_secs(3)))),
    );
    assert!(
        deletes(&more).is_empty(),
        "nothing more goes out while throttled"
    );
    assert!(
        model
            .bulk
            .as_ref()
            .unwrap()
            .progress()
            .contains("throttled")
    );
    // The others in flight land; still nothing new before the pause ends.
    for (id, name) in &out[1..] {
        assert!(deletes(&deleted_answer(&mut model, *id, name)).is_empty());
    }
    let early = update(&mut model, Msg::Tick(NOW + time::Duration::seconds(1)));
    assert!(deletes(&early).is_empty());
    let later = deletes(&update(
        &mut model,
        Msg::Tick(NOW + time::Duration::seconds(4)),
    ));
    assert_eq!(later.len(), BULK_IN_FLIGHT);
    assert!(
        later.iter().any(|(_, n)| *n == name)
            || model
                .bulk
                .as_ref()
                .unwrap()
                .queue
                .iter()
                .any(|(n, _)| n.as_str() == name),
        "the throttled name is queued again, not failed"
    );
    assert!(model.bulk.as_ref().unwrap().failed.is_empty());
}

#[test]
fn a_full_worker_queue_puts_the_name_back_in_line() {
    let mut model = model_with(10);
    press(&mut model, "A d");
    let out = deletes(&press(&mut model, "y"));
    let (id, name) = out[0].clone();
    update(
        &mut model,
        Msg::SendFailed {
            id,
            reason: WORKER_BUSY.to_owned(),
        },
    );
    let bulk = model.bulk.as_ref().unwrap();
    assert!(bulk.failed.is_empty(), "a busy worker is no failure");
    assert_eq!(
        bulk.queue.front().map(|(n, _)| n.to_string()),
        Some(name.clone())
    );
    let again = deletes(&update(
        &mut model,
        Msg::Tick(NOW + time::Duration::seconds(1)),
    ));
    assert!(again.iter().any(|(_, n)| *n == name), "{again:?}");
}

#[test]
fn u_during_a_bulk_delete_stops_it_and_recovers_all_it_deleted() {
    let mut model = model_with(50);
    press(&mut model, "A d");
    let mut out = deletes(&press(&mut model, "y"));
    for (id, name) in out.clone()[..4].iter() {
        out.extend(deletes(&deleted_answer(&mut model, *id, name)));
    }
    // 4 answered and 4 more sent: 12 sent in all, 8 of them still out.
    assert_eq!(out.len(), 12);
    assert!(model.offers(kvtui::app::keymap::Action::Undo));
    let fx = press(&mut model, "u");
    assert!(deletes(&fx).is_empty(), "nothing more is deleted");
    // The rest in flight land, and then everything deleted comes back.
    let mut rec = Vec::new();
    let rest: Vec<_> = model
        .bulk
        .as_ref()
        .unwrap()
        .in_flight
        .iter()
        .map(|(id, (n, _))| (*id, n.to_string()))
        .collect();
    for (id, name) in rest {
        rec.extend(recovers(&deleted_answer(&mut model, id, &name)));
    }
    let bulk = model
        .bulk
        .as_ref()
        .expect("the recover runs as one bulk action");
    assert_eq!(bulk.total, out.len());
    assert_eq!(rec.len(), BULK_IN_FLIGHT);
    // The never-sent rows are still there and still marked.
    assert_eq!(model.secrets().items.len(), 50 - out.len());
    assert_eq!(model.secrets().marked.len(), 50 - out.len());
    assert!(
        model.errors[0].what.contains("stopped by undo"),
        "{:?}",
        model.errors[0].what
    );
}

#[test]
fn the_history_cap_never_drops_an_error_for_successes() {
    let mut model = model_with(3);
    model.record_error("delete early", VaultError::new(ErrorKind::Forbidden, "no"));
    for i in 0..(MAX_ERRORS * 2) {
        model.toast(format!("copied {i}"), false);
    }
    assert_eq!(model.errors.len(), MAX_ERRORS);
    assert_eq!(model.errors[0].what, "delete early");
}

#[test]
fn a_bulk_recover_and_purge_go_through_the_queue_too() {
    let mut model = Model::new(VAULT, false, Keymap::default_keymap(), NOW);
    let reqs = reqs_of(update(&mut model, Msg::Start));
    update(
        &mut model,
        event(reqs[0].id, VaultEventKind::ListDone { count: 0 }),
    );
    let rows = (0..30).map(|i| deleted(&format!("d-{i:03}"))).collect();
    update(
        &mut model,
        event(reqs[1].id, VaultEventKind::DeletedPage(rows)),
    );
    update(
        &mut model,
        event(reqs[1].id, VaultEventKind::ListDone { count: 30 }),
    );
    press(&mut model, "tab A r");
    let fx = press(&mut model, "y");
    assert_eq!(recovers(&fx).len(), BULK_IN_FLIGHT);
    assert!(
        model
            .bulk
            .as_ref()
            .unwrap()
            .progress()
            .starts_with("recovering 0/30")
    );
}
