//! Bulk delete, recover and purge over marked rows. The names wait in the
//! model and go to the worker a few at a time, so 10,000 marked rows never
//! overflow its queue; a throttled name waits its turn again; the whole
//! action ends in one history entry naming every failure and its reason.

use std::collections::{HashMap, VecDeque};

use time::OffsetDateTime;

use crate::app::answers::{Outcome, describe};
use crate::app::effect::Effect;
use crate::app::model::{Model, Pending, UNDO_SECONDS, Undo, View};
use crate::vault::{ErrorKind, ReqId, SecretName, VaultCmd, VaultError, VaultEventKind};

/// Requests of one bulk action with the worker at once.
pub const BULK_IN_FLIGHT: usize = 8;

/// Times a name refused with 429 (after the worker's own retries) is queued
/// again before it counts as failed.
pub const THROTTLE_REQUEUES: u8 = 10;

/// What is done to every name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkOp {
    Delete,
    Recover,
    Purge,
}

impl BulkOp {
    /// `deleting`, for the progress.
    pub fn doing(self) -> &'static str {
        match self {
            Self::Delete => "deleting",
            Self::Recover => "recovering",
            Self::Purge => "purging",
        }
    }

    /// `deleted`, for the summary.
    pub fn done(self) -> &'static str {
        match self {
            Self::Delete => "deleted",
            Self::Recover => "recovered",
            Self::Purge => "purged",
        }
    }

    /// `delete`, for the history.
    pub fn verb(self) -> &'static str {
        match self {
            Self::Delete => "delete",
            Self::Recover => "recover",
            Self::Purge => "purge",
        }
    }

    fn request(self, name: SecretName) -> (VaultCmd, Pending) {
        match self {
            Self::Delete => (
                VaultCmd::Delete { name: name.clone() },
                Pending::Delete { name },
            ),
            Self::Recover => (
                VaultCmd::Recover { name: name.clone() },
                Pending::Recover { name, then: None },
            ),
            Self::Purge => (
                VaultCmd::Purge { name: name.clone() },
                Pending::Purge { name, then: None },
            ),
        }
    }
}

/// A bulk action under way.
#[derive(Debug, Clone)]
pub struct Bulk {
    pub op: BulkOp,
    /// The vault it works on (it goes on when another is shown).
    pub route: usize,
    /// The list whose marks it took; failures are marked there again.
    pub view: View,
    pub total: usize,
    pub ok: usize,
    /// Names not sent yet, each with the times it was throttled.
    pub queue: VecDeque<(SecretName, u8)>,
    pub in_flight: HashMap<ReqId, (SecretName, u8)>,
    /// Every failure and its reason, in order.
    pub failed: Vec<(SecretName, String)>,
    /// Names done, for undoing a bulk delete as a whole.
    pub done_names: Vec<SecretName>,
    /// No request goes out before this (the vault answered 429).
    pub paused_until: Option<OffsetDateTime>,
    /// `u` during a delete: stop sending, then recover what was deleted.
    pub undo_requested: bool,
}

impl Bulk {
    /// How many names have an answer.
    pub fn finished(&self) -> usize {
        self.ok + self.failed.len()
    }

    /// `deleting 4,200/10,000`, with failures and a pause when there are.
    pub fn progress(&self) -> String {
        let mut s = format!(
            "{} {}/{}",
            self.op.doing(),
            thousands(self.finished()),
            thousands(self.total)
        );
        if !self.failed.is_empty() {
            s.push_str(&format!(", {} failed", thousands(self.failed.len())));
        }
        if self.paused_until.is_some() {
            s.push_str(" · throttled, waiting");
        }
        if self.undo_requested {
            s.push_str(" · stopping to undo");
        } else if self.op == BulkOp::Delete {
            s.push_str(" · u undo");
        }
        s
    }
}

/// `10,000`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Starts `op` over `names` on the vault on screen; names joining a running
/// action of the same kind are queued behind it.
pub(crate) fn start(model: &mut Model, fx: &mut Vec<Effect>, op: BulkOp, names: Vec<SecretName>) {
    let route = model.active_vault;
    let view = model.view;
    match &mut model.bulk {
        Some(b) if b.op == op && b.route == route && !b.undo_requested => {
            b.total += names.len();
            b.queue.extend(names.into_iter().map(|n| (n, 0)));
        }
        Some(b) => {
            let busy = b.progress();
            // Nothing is lost: the marks stay for a later try.
            let list = list_of(model, route, view);
            list.extend(names);
            model.toast(format!("wait for the running action to end ({busy})"), true);
            return;
        }
        slot => {
            *slot = Some(Bulk {
                op,
                route,
                view,
                total: names.len(),
                ok: 0,
                queue: names.into_iter().map(|n| (n, 0)).collect(),
                in_flight: HashMap::new(),
                failed: Vec::new(),
                done_names: Vec::new(),
                paused_until: None,
                undo_requested: false,
            })
        }
    }
    pump(model, fx);
}

/// Sends queued names until `BULK_IN_FLIGHT` are out, unless paused.
pub(crate) fn pump(model: &mut Model, fx: &mut Vec<Effect>) {
    let now = model.now;
    loop {
        let Some(b) = model.bulk.as_mut() else {
            return;
        };
        if let Some(until) = b.paused_until {
            if now < until {
                return;
            }
            b.paused_until = None;
        }
        if b.in_flight.len() >= BULK_IN_FLIGHT {
            return;
        }
        let Some((name, tries)) = b.queue.pop_front() else {
            if b.in_flight.is_empty() {
                finish(model, fx);
            }
            return;
        };
        let (op, route) = (b.op, b.route);
        let (cmd, pending) = op.request(name.clone());
        let id = model.send_to(fx, route, cmd, pending);
        if let Some(b) = model.bulk.as_mut() {
            b.in_flight.insert(id, (name, tries));
        }
    }
}

/// Whether `req` is one of the running bulk action's requests.
pub(crate) fn owns(model: &Model, req: ReqId) -> bool {
    model
        .bulk
        .as_ref()
        .is_some_and(|b| b.in_flight.contains_key(&req))
}

/// A request that never reached a full worker queue goes back in line.
pub(crate) fn not_sent(model: &mut Model, fx: &mut Vec<Effect>, req: ReqId, reason: &str) {
    if reason != crate::app::effect::WORKER_BUSY {
        return answer(
            model,
            fx,
            req,
            Err(VaultError::new(ErrorKind::Other, reason)),
        );
    }
    let now = model.now;
    if let Some(b) = model.bulk.as_mut()
        && let Some(item) = b.in_flight.remove(&req)
    {
        b.queue.push_front(item);
        b.paused_until = Some(now + time::Duration::milliseconds(250));
    }
}

/// The answer to one of the bulk action's requests.
pub(crate) fn answer(model: &mut Model, fx: &mut Vec<Effect>, req: ReqId, outcome: Outcome) {
    model.pending.remove(&req);
    let now = model.now;
    let Some(b) = model.bulk.as_mut() else {
        return;
    };
    let Some((name, tries)) = b.in_flight.remove(&req) else {
        return;
    };
    let (op, route, view) = (b.op, b.route, b.view);
    match outcome {
        Err(e) if e.kind == ErrorKind::Throttled && tries < THROTTLE_REQUEUES => {
            let wait = e
                .retry_after
                .unwrap_or(std::time::Duration::from_secs(2))
                .min(std::time::Duration::from_secs(60));
            let wait = time::Duration::try_from(wait).unwrap_or(time::Duration::seconds(2));
            b.queue.push_back((name, tries + 1));
            b.paused_until = Some(now + wait);
        }
        Err(e) => {
            b.failed.push((name.clone(), describe(&e)));
            list_of(model, route, view).insert_one(name);
        }
        Ok(kind) => applied(model, route, op, &name, kind),
    }
    pump(model, fx);
}

/// A successful answer: the lists of vault `route` show what it now holds.
fn applied(model: &mut Model, route: usize, op: BulkOp, name: &SecretName, kind: VaultEventKind) {
    let showing = model
        .details
        .as_ref()
        .is_some_and(|d| d.props.name.eq_ignore_ascii_case(name));
    if showing && route == model.active_vault {
        model.details = None;
    }
    let Some(slot) = model.vaults.get_mut(route) else {
        return;
    };
    match (op, kind) {
        (BulkOp::Delete, VaultEventKind::Deleted(ds)) => {
            slot.secrets.remove(name);
            slot.deleted.upsert(*ds);
        }
        (BulkOp::Recover, VaultEventKind::Props(props)) => {
            slot.deleted.remove(name);
            slot.secrets.upsert(*props);
        }
        (BulkOp::Purge, VaultEventKind::Purged) => {
            slot.deleted.remove(name);
        }
        (_, other) => crate::app::answers::unexpected(op.verb(), &other),
    }
    if let Some(b) = model.bulk.as_mut() {
        b.ok += 1;
        b.done_names.push(name.clone());
    }
}

/// The marks of `view` in vault `route`, to mark failures again.
fn list_of(model: &mut Model, route: usize, view: View) -> Marks<'_> {
    let slot = model.vaults.get_mut(route);
    Marks(slot.map(|s| match view {
        View::Deleted => &mut s.deleted.marked,
        View::Expiring => &mut s.expiring.marked,
        View::Secrets => &mut s.secrets.marked,
    }))
}

struct Marks<'a>(Option<&'a mut std::collections::BTreeSet<SecretName>>);

impl Marks<'_> {
    fn insert_one(self, name: SecretName) {
        if let Some(m) = self.0 {
            m.insert(name);
        }
    }

    fn extend(self, names: Vec<SecretName>) {
        if let Some(m) = self.0 {
            m.extend(names);
        }
    }
}

/// Every name has its answer: one summary in the history, the failures
/// left marked, a bulk delete offered to `u` as a whole.
fn finish(model: &mut Model, fx: &mut Vec<Effect>) {
    let Some(b) = model.bulk.take() else {
        return;
    };
    let stopped = b.undo_requested && b.finished() < b.total;
    let mut text = format!(
        "{} {} of {}",
        b.op.done(),
        thousands(b.ok),
        thousands(b.total)
    );
    if !b.failed.is_empty() {
        text.push_str(&format!(
            "; {} failed, still marked (! for why)",
            thousands(b.failed.len())
        ));
    }
    if stopped {
        text.push_str("; stopped by undo");
    }
    let failures = b
        .failed
        .iter()
        .map(|(n, why)| (n.to_string(), why.clone()))
        .collect();
    model.record_bulk(text.clone(), failures);
    if b.op != BulkOp::Delete || b.done_names.is_empty() {
        return;
    }
    if b.undo_requested {
        if b.route == model.active_vault {
            start(model, fx, BulkOp::Recover, b.done_names);
        }
        return;
    }
    model.undo = Some(Undo {
        names: b.done_names,
        route: b.route,
        until: model.now + time::Duration::seconds(UNDO_SECONDS),
    });
    if let Some(t) = model.toast.as_mut() {
        t.text.push_str(" · u undo");
    }
}

/// `u` while a bulk delete runs on the vault on screen: nothing more is
/// sent, and once the running requests land, all it deleted is recovered.
/// `false` when no such delete runs.
pub(crate) fn undo_running(model: &mut Model, fx: &mut Vec<Effect>) -> bool {
    let active = model.active_vault;
    let Some(b) = model.bulk.as_mut() else {
        return false;
    };
    if b.op != BulkOp::Delete || b.route != active || b.undo_requested {
        return false;
    }
    b.undo_requested = true;
    // The names never sent were never deleted: they stay marked.
    let unsent: Vec<SecretName> = b.queue.drain(..).map(|(n, _)| n).collect();
    let view = b.view;
    list_of(model, active, view).extend(unsent);
    let idle = model.bulk.as_ref().is_some_and(|b| b.in_flight.is_empty());
    if idle {
        finish(model, fx);
    }
    true
}

/// Once a tick: a pause for 429 that is over lets names go again.
pub(crate) fn tick(model: &mut Model, fx: &mut Vec<Effect>) {
    if model
        .bulk
        .as_ref()
        .is_some_and(|b| b.paused_until.is_some_and(|t| model.now >= t))
    {
        pump(model, fx);
    }
}
