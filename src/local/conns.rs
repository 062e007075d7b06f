//! Open connections: a cap below the fd limit, and room for a new client made
//! by closing the oldest connection that never authenticated a request, or
//! else the authenticated one idle the longest: a token holder that opens
//! every slot cannot lock others out.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Every open connection, oldest first.
pub(super) struct Tracker {
    cap: usize,
    open: Mutex<BTreeMap<u64, Entry>>,
    next: AtomicUsize,
    ticks: AtomicU64,
    freed: Notify,
}

struct Entry {
    stop: CancellationToken,
    trusted: Arc<AtomicBool>,
    activity: Arc<Activity>,
}

/// Requests in flight on a connection and when the last one began (a tick
/// of the tracker), to pick the idlest.
#[derive(Default)]
pub(super) struct Activity {
    inflight: AtomicUsize,
    last: AtomicU64,
}

/// A request in flight; dropping it ends it.
pub(super) struct Active(Arc<Activity>);

impl Drop for Active {
    fn drop(&mut self) {
        self.0.inflight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One admitted connection; dropping it frees its place.
pub(super) struct Slot {
    id: u64,
    tracker: Arc<Tracker>,
    /// Cancelled to close the connection (shutdown or eviction).
    pub stop: CancellationToken,
    /// Set once a request on it authenticated: it is evicted only when no
    /// untrusted one is left, and then the idlest first.
    pub trusted: Arc<AtomicBool>,
    activity: Arc<Activity>,
}

impl Slot {
    /// Marks a request in flight until the guard drops.
    pub(super) fn begin(&self) -> Active {
        let tick = self.tracker.ticks.fetch_add(1, Ordering::Relaxed);
        self.activity.last.store(tick, Ordering::Relaxed);
        self.activity.inflight.fetch_add(1, Ordering::Relaxed);
        Active(self.activity.clone())
    }
}

impl Tracker {
    pub(super) fn new(cap: usize) -> Arc<Self> {
        Arc::new(Self {
            cap: cap.max(1),
            open: Mutex::new(BTreeMap::new()),
            next: AtomicUsize::new(0),
            ticks: AtomicU64::new(0),
            freed: Notify::new(),
        })
    }

    pub(super) fn cap(&self) -> usize {
        self.cap
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Entry>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A place for a new connection. At the cap, the oldest untrusted
    /// connection is told to close and this waits until a place is free.
    pub(super) async fn admit(self: &Arc<Self>, parent: &CancellationToken) -> Slot {
        loop {
            let freed = self.freed.notified();
            {
                let mut open = self.lock();
                if open.len() < self.cap {
                    let id = self.next.fetch_add(1, Ordering::Relaxed) as u64;
                    let stop = parent.child_token();
                    let trusted = Arc::new(AtomicBool::new(false));
                    let activity = Arc::new(Activity {
                        inflight: AtomicUsize::new(0),
                        last: AtomicU64::new(self.ticks.fetch_add(1, Ordering::Relaxed)),
                    });
                    open.insert(
                        id,
                        Entry {
                            stop: stop.clone(),
                            trusted: trusted.clone(),
                            activity: activity.clone(),
                        },
                    );
                    return Slot {
                        id,
                        tracker: self.clone(),
                        stop,
                        trusted,
                        activity,
                    };
                }
                // One already told to go frees a place soon: wait for it.
                if !open.values().any(|e| e.stop.is_cancelled()) {
                    let untrusted = open.values().find(|e| !e.trusted.load(Ordering::Relaxed));
                    let idlest = || {
                        open.values()
                            .filter(|e| e.activity.inflight.load(Ordering::Relaxed) == 0)
                            .min_by_key(|e| e.activity.last.load(Ordering::Relaxed))
                    };
                    if let Some(victim) = untrusted.or_else(idlest) {
                        victim.stop.cancel();
                    }
                }
            }
            freed.await;
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.tracker.lock().remove(&self.id);
        self.tracker.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn at_the_cap_the_oldest_untrusted_connection_makes_room() {
        let stop = CancellationToken::new();
        let tracker = Tracker::new(3);
        let oldest = tracker.admit(&stop).await;
        let trusted = tracker.admit(&stop).await;
        trusted.trusted.store(true, Ordering::Relaxed);
        let young = tracker.admit(&stop).await;
        // The oldest untrusted one is told to stop; its place frees when it goes.
        let next = tokio::spawn({
            let tracker = tracker.clone();
            let stop = stop.clone();
            async move { tracker.admit(&stop).await }
        });
        tokio::time::timeout(Duration::from_secs(5), oldest.stop.cancelled())
            .await
            .expect("oldest asked to stop");
        assert!(!trusted.stop.is_cancelled() && !young.stop.is_cancelled());
        drop(oldest);
        let admitted = tokio::time::timeout(Duration::from_secs(5), next)
            .await
            .expect("admitted once a place is free")
            .expect("task");
        assert_eq!(tracker.len(), 3);
        drop(admitted);
        assert_eq!(tracker.len(), 2);
    }

    #[tokio::test]
    async fn with_every_slot_trusted_the_idlest_makes_room_and_a_busy_one_stays() {
        let stop = CancellationToken::new();
        let tracker = Tracker::new(2);
        let busy = tracker.admit(&stop).await;
        let idle = tracker.admit(&stop).await;
        for s in [&busy, &idle] {
            s.trusted.store(true, Ordering::Relaxed);
        }
        drop(idle.begin()); // used once, now idle
        let _working = busy.begin(); // a request in flight
        let next = tokio::spawn({
            let tracker = tracker.clone();
            let stop = stop.clone();
            async move { tracker.admit(&stop).await }
        });
        tokio::time::timeout(Duration::from_secs(5), idle.stop.cancelled())
            .await
            .expect("the idle one is asked to go");
        assert!(!busy.stop.is_cancelled(), "a connection mid-request stays");
        drop(idle);
        tokio::time::timeout(Duration::from_secs(5), next)
            .await
            .expect("admitted")
            .expect("task");
    }
}
