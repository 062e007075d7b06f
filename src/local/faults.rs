//! Faults the local vault plays on request (latency, throttling, failures,
//! cut responses), so clients can be tested against a slow or failing Azure.
//! Off by default; they touch only authenticated requests, never the 401
//! challenge, so clients can always sign in.

use std::collections::{HashMap, VecDeque};
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng as _};

/// Key Vault's throttling window.
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(10);

/// What the service does wrong on purpose. `Faults::default()` does nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// Added to every authenticated response.
    pub latency: Duration,
    /// A random extra delay of up to this much.
    pub jitter: Duration,
    /// Per vault: requests beyond this many in `throttle_window` get 429.
    pub throttle: Option<u32>,
    /// The sliding window of `throttle`: 10 s like Key Vault; tests shorten it.
    pub throttle_window: Duration,
    /// Share (0..=1) of requests refused with 500 or 503 before they run.
    pub fail_rate: f64,
    /// Share (0..=1) of responses cut mid-body after their request ran.
    pub drop_rate: f64,
    /// Seed of the random draws; `None` seeds from the OS.
    pub seed: Option<u64>,
    /// For this long after a recover, get and set of that secret answer 409
    /// `ObjectIsBeingRecovered`, as Azure does while recovery runs. Read at start.
    pub recover_delay: Duration,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            throttle: None,
            throttle_window: THROTTLE_WINDOW,
            fail_rate: 0.0,
            drop_rate: 0.0,
            seed: None,
            recover_delay: Duration::ZERO,
        }
    }
}

impl Faults {
    pub fn is_off(&self) -> bool {
        self.latency.is_zero()
            && self.jitter.is_zero()
            && self.throttle.is_none()
            && self.fail_rate <= 0.0
            && self.drop_rate <= 0.0
            && self.recover_delay.is_zero()
    }

    /// One line per fault that is on, for the start banner.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if !self.latency.is_zero() || !self.jitter.is_zero() {
            lines.push(format!(
                "latency {} ms + up to {} ms jitter on every response",
                self.latency.as_millis(),
                self.jitter.as_millis()
            ));
        }
        if !self.recover_delay.is_zero() {
            lines.push(format!(
                "recovery takes {} ms: get and set answer 409 ObjectIsBeingRecovered meanwhile",
                self.recover_delay.as_millis()
            ));
        }
        if let Some(n) = self.throttle {
            lines.push(format!(
                "throttle: more than {n} requests per vault in {} s get 429 with Retry-After",
                self.throttle_window.as_secs_f32()
            ));
        }
        if self.fail_rate > 0.0 {
            lines.push(format!(
                "fail rate {}: requests refused with 500 or 503 before they run",
                self.fail_rate
            ));
        }
        if self.drop_rate > 0.0 {
            lines.push(format!(
                "drop rate {}: responses cut mid-body after their request ran",
                self.drop_rate
            ));
        }
        if !lines.is_empty() {
            lines.push(match self.seed {
                Some(seed) => format!("fault seed {seed}"),
                None => "fault seed: random".to_owned(),
            });
        }
        lines
    }
}

/// What happens to one request, drawn before it runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Plan {
    pub delay: Duration,
    /// 500 or 503 instead of running the request.
    pub fail: Option<u16>,
    /// Share of the body sent before the response is cut.
    pub cut: Option<f64>,
}

impl Plan {
    /// What a request gets with no fault on.
    pub(super) const NONE: Plan = Plan {
        delay: Duration::ZERO,
        fail: None,
        cut: None,
    };
}

struct Inner {
    faults: Faults,
    rng: StdRng,
    /// Per vault, when its admitted requests arrived, oldest first.
    windows: HashMap<String, VecDeque<Instant>>,
}

/// The faults in force and their random state; shared by all connections.
pub(super) struct FaultState {
    inner: Mutex<Inner>,
    /// No fault touches a request: plans and admission skip the lock and the draws.
    quiet: AtomicBool,
    /// Delays played so far (each a timer wait), for tests.
    pauses: AtomicU64,
}

/// True when no request gets a delay, a refusal, a cut or a 429.
fn quiet(f: &Faults) -> bool {
    f.latency.is_zero()
        && f.jitter.is_zero()
        && f.throttle.is_none()
        && f.fail_rate <= 0.0
        && f.drop_rate <= 0.0
}

fn rng_for(seed: Option<u64>) -> StdRng {
    match seed {
        Some(seed) => StdRng::seed_from_u64(seed),
        None => rand::make_rng(),
    }
}

impl FaultState {
    pub(super) fn new(faults: Faults) -> Self {
        Self {
            quiet: AtomicBool::new(quiet(&faults)),
            pauses: AtomicU64::new(0),
            inner: Mutex::new(Inner {
                rng: rng_for(faults.seed),
                faults,
                windows: HashMap::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces the faults, restarting the random sequence and the windows.
    pub(super) fn set(&self, faults: Faults) {
        let mut inner = self.lock();
        inner.rng = rng_for(faults.seed);
        inner.windows.clear();
        self.quiet.store(quiet(&faults), Ordering::Release);
        inner.faults = faults;
    }

    pub(super) fn get(&self) -> Faults {
        self.lock().faults.clone()
    }

    /// Draws the same four numbers for every request, whichever faults are on,
    /// so a seed gives one sequence per request order.
    pub(super) fn plan(&self) -> Plan {
        if self.quiet.load(Ordering::Acquire) {
            return Plan::NONE;
        }
        let mut inner = self.lock();
        let (jitter, fail, kind, cut): (f64, f64, bool, f64) = (
            inner.rng.random(),
            inner.rng.random(),
            inner.rng.random(),
            inner.rng.random(),
        );
        let f = &inner.faults;
        Plan {
            delay: f.latency + f.jitter.mul_f64(jitter),
            fail: (fail < f.fail_rate).then_some(if kind { 503 } else { 500 }),
            cut: (cut < f.drop_rate).then(|| cut / f.drop_rate.max(f64::MIN_POSITIVE)),
        }
    }

    /// Admits a request to `vault`, or says in whole seconds when to retry.
    /// Refused requests do not count: a client that waits gets through.
    pub(super) fn admit(&self, vault: &str, now: Instant) -> Result<(), u64> {
        if self.quiet.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut inner = self.lock();
        let Some(limit) = inner.faults.throttle else {
            return Ok(());
        };
        let window = inner.faults.throttle_window;
        if inner.windows.len() > 1024 {
            inner
                .windows
                .retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let queue = inner.windows.entry(vault.to_owned()).or_default();
        while queue
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            queue.pop_front();
        }
        if queue.len() < limit as usize {
            queue.push_back(now);
            return Ok(());
        }
        let oldest = queue.front().copied().unwrap_or(now);
        let wait = window.saturating_sub(now.duration_since(oldest));
        Err(wait.as_secs_f64().ceil().max(1.0) as u64)
    }

    /// Plays a planned delay. A zero delay returns at once: `sleep(ZERO)`
    /// still waits for the timer's next tick (about 1 ms a request).
    pub(super) async fn pause(&self, delay: Duration) {
        if delay.is_zero() {
            return;
        }
        self.pauses.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(delay).await;
    }

    /// How many delays requests have waited for.
    pub(super) fn pauses(&self) -> u64 {
        self.pauses.load(Ordering::Relaxed)
    }
}

/// A response body, whole or cut after `head` with the full length announced.
pub(super) enum ReplyBody {
    Whole(Option<Bytes>),
    Cut {
        head: Option<Bytes>,
        full: u64,
        done: bool,
    },
}

/// The error that makes hyper abort the response: HTTP/1.1 closes the
/// connection, HTTP/2 resets the stream.
#[derive(Debug, thiserror::Error)]
#[error("response cut on purpose (drop rate)")]
pub(super) struct CutError;

impl ReplyBody {
    pub(super) fn whole(body: Bytes) -> Self {
        ReplyBody::Whole((!body.is_empty()).then_some(body))
    }

    /// Sends `share` of `body` (never all of it), then fails.
    pub(super) fn cut(body: Bytes, share: f64) -> Self {
        let full = body.len() as u64;
        let keep = ((body.len() as f64 * share) as usize).min(body.len().saturating_sub(1));
        let head = body.slice(..keep);
        ReplyBody::Cut {
            head: (!head.is_empty()).then_some(head),
            full,
            done: false,
        }
    }
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = CutError;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, CutError>>> {
        match self.get_mut() {
            ReplyBody::Whole(body) => Poll::Ready(body.take().map(|b| Ok(Frame::data(b)))),
            ReplyBody::Cut { head, done, .. } => {
                if let Some(h) = head.take() {
                    return Poll::Ready(Some(Ok(Frame::data(h))));
                }
                if *done {
                    return Poll::Ready(None);
                }
                *done = true;
                Poll::Ready(Some(Err(CutError)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, ReplyBody::Whole(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ReplyBody::Whole(body) => {
                SizeHint::with_exact(body.as_ref().map_or(0, |b| b.len()) as u64)
            }
            // An empty body announces no length, so its end can still be cut.
            ReplyBody::Cut { full: 0, .. } => SizeHint::default(),
            ReplyBody::Cut { full, .. } => SizeHint::with_exact(*full),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(faults: Faults) -> FaultState {
        FaultState::new(faults)
    }

    #[test]
    fn off_by_default_and_describes_nothing() {
        let f = Faults::default();
        assert!(f.is_off());
        assert!(f.describe().is_empty());
        let plan = on(f).plan();
        assert_eq!(plan.delay, Duration::ZERO);
        assert_eq!((plan.fail, plan.cut), (None, None));
    }

    #[test]
    fn a_seed_gives_the_same_plans() {
        let faults = Faults {
            jitter: Duration::from_millis(50),
            fail_rate: 0.5,
            drop_rate: 0.5,
            seed: Some(7),
            ..Faults::default()
        };
        let a: Vec<Plan> = (0..50)
            .map({
                let s = on(faults.clone());
                move |_| s.plan()
            })
            .collect();
        let b: Vec<Plan> = (0..50)
            .map({
                let s = on(faults.clone());
                move |_| s.plan()
            })
            .collect();
        assert_eq!(a, b);
        assert!(a.iter().any(|p| p.fail == Some(500)) && a.iter().any(|p| p.fail == Some(503)));
        assert!(a.iter().any(|p| p.fail.is_none()) && a.iter().any(|p| p.cut.is_some()));
    }

    #[test]
    fn throttle_counts_per_vault_in_a_sliding_window() {
        let s = on(Faults {
            throttle: Some(2),
            ..Faults::default()
        });
        let t0 = Instant::now();
        assert_eq!(s.admit("a", t0), Ok(()));
        assert_eq!(s.admit("a", t0 + Duration::from_secs(1)), Ok(()));
        assert_eq!(s.admit("a", t0 + Duration::from_secs(2)), Err(8));
        assert_eq!(s.admit("b", t0 + Duration::from_secs(2)), Ok(()));
        assert_eq!(s.admit("a", t0 + Duration::from_millis(9_500)), Err(1));
        assert_eq!(s.admit("a", t0 + Duration::from_secs(10)), Ok(()));
        assert_eq!(s.admit("a", t0 + Duration::from_secs(10)), Err(1));
    }

    #[test]
    fn a_cut_body_never_sends_all_of_it() {
        for share in [0.0, 0.5, 0.999, 1.0] {
            if let ReplyBody::Cut { head, full, .. } =
                ReplyBody::cut(Bytes::from_static(b"abcd"), share)
            {
                assert_eq!(full, 4);
                assert!(head.map_or(0, |h| h.len()) < 4);
            }
        }
    }
}
