//! A log line a client can trigger at will is written at most once a second,
//! saying how many were left out, so a client cannot grow the log.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Default)]
pub(super) struct LogLimit {
    state: Mutex<(Option<Instant>, u64)>,
}

impl LogLimit {
    /// `Some(left out since the last line)` when a line is due now.
    pub(super) fn due(&self, now: Instant) -> Option<u64> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let due =
            s.0.is_none_or(|last| now.saturating_duration_since(last) >= Duration::from_secs(1));
        if due {
            s.0 = Some(now);
            Some(std::mem::take(&mut s.1))
        } else {
            s.1 += 1;
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_a_second_with_the_count_left_out() {
        let l = LogLimit::default();
        let t0 = Instant::now();
        let lines: Vec<_> = (0..1000u64)
            .filter_map(|i| l.due(t0 + Duration::from_millis(i)))
            .collect();
        assert_eq!(lines, vec![0]);
        assert_eq!(l.due(t0 + Duration::from_millis(1500)), Some(999));
    }
}
