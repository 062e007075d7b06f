//! `--delete-delay`: Azure deletes and purges in the background for a few
//! seconds. For that long after a delete its deleted secret is not found
//! yet (the SDKs' delete pollers wait on it), and after a purge the name
//! cannot be set again (409).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    Deleting,
    Purging,
}

#[derive(Default)]
pub(super) struct PendingDeletes {
    delay: Duration,
    map: Mutex<HashMap<String, (Instant, Stage)>>,
}

fn key(vault: &str, name: &str) -> String {
    format!("{vault}/{}", name.to_ascii_lowercase())
}

impl PendingDeletes {
    pub(super) fn new(delay: Duration) -> Self {
        Self {
            delay,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Marks `vault/name` as in `stage` for the delay (nothing when it is zero).
    pub(super) fn begin(&self, vault: &str, name: &str, stage: Stage) {
        if self.delay.is_zero() {
            return;
        }
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, (since, _)| since.elapsed() < self.delay);
        map.insert(key(vault, name), (Instant::now(), stage));
    }

    /// Whether `vault/name` is still in `stage`.
    pub(super) fn is(&self, vault: &str, name: &str, stage: Stage) -> bool {
        if self.delay.is_zero() {
            return false;
        }
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&key(vault, name))
            .is_some_and(|(since, s)| *s == stage && since.elapsed() < self.delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_lasts_the_delay_and_zero_is_off() {
        let p = PendingDeletes::new(Duration::from_millis(200));
        p.begin("v", "Name", Stage::Deleting);
        assert!(p.is("v", "name", Stage::Deleting));
        assert!(!p.is("v", "name", Stage::Purging));
        std::thread::sleep(Duration::from_millis(250));
        assert!(!p.is("v", "name", Stage::Deleting));
        let off = PendingDeletes::default();
        off.begin("v", "n", Stage::Purging);
        assert!(!off.is("v", "n", Stage::Purging));
    }
}
