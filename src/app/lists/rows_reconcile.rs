//! Cached rows refreshed in place: the rows a cache kept are shown at once,
//! then each page of the listing replaces rows by name or adds them, keeping
//! the filter and the selection, and the rows no page brought go when the
//! listing ends.

use std::collections::{BTreeSet, HashMap};

use time::OffsetDateTime;

use super::{ListRow, Rows};

/// A listing laid over cached rows: each page replaces rows by name or adds
/// them, and the rows no page brought go when the listing ends.
#[derive(Debug, Clone, Default)]
pub(super) struct Reconcile {
    /// Lower-cased name to index into `items`.
    pub(super) index: HashMap<String, usize>,
    /// Per item: a page of this listing brought it.
    pub(super) seen: Vec<bool>,
    /// A row changed in place, so the order and filter must be rebuilt.
    pub(super) resort: bool,
}

impl<T: ListRow> Rows<T> {
    /// Shows rows from the cache, saved at `saved_at`, keeping the filter,
    /// sort and selection; a listing running or started later refreshes
    /// them in place.
    pub fn show_cached(&mut self, rows: Vec<T>, saved_at: OffsetDateTime) {
        self.generation += 1;
        self.extras = rows
            .iter()
            .map(|t| t.extra_haystack().map(String::into_boxed_str))
            .collect();
        self.items = rows;
        self.cached_at = Some(saved_at);
        self.loaded_at = Some(saved_at);
        self.rebuild();
        if self.loading.is_some() {
            self.replace_on_page = false;
            self.start_reconcile();
        }
    }

    pub(super) fn start_reconcile(&mut self) {
        self.merge_new();
        let index = self
            .items
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name().to_ascii_lowercase(), i))
            .collect();
        self.reconcile = Some(Reconcile {
            index,
            seen: vec![false; self.items.len()],
            resort: false,
        });
    }

    /// A page laid over cached rows: a known name is replaced in place (the
    /// selection stays on it), a new one is added.
    pub(super) fn reconcile_page(&mut self, page: Vec<T>, mut r: Reconcile) {
        for item in page {
            let key = item.name().to_ascii_lowercase();
            match r.index.get(&key) {
                Some(&i) => {
                    r.seen[i] = true;
                    if self.items[i] != item {
                        self.extras[i] = item.extra_haystack().map(String::into_boxed_str);
                        self.items[i] = item;
                        r.resort = true;
                    }
                }
                None => {
                    let i = self.items.len();
                    r.index.insert(key, i);
                    r.seen.push(true);
                    self.extras
                        .push(item.extra_haystack().map(String::into_boxed_str));
                    self.items.push(item);
                    self.unmerged_from.get_or_insert(i);
                }
            }
        }
        self.stale_pages += 1;
        if self.items.len() <= 5_000 || self.stale_pages >= 40 {
            if std::mem::take(&mut r.resort) {
                self.rebuild();
            } else {
                self.merge_new();
            }
        }
        self.reconcile = Some(r);
    }

    /// The refresh of cached rows ended: rows no page brought are gone.
    pub(super) fn finish_reconcile(&mut self, r: Reconcile) {
        if r.resort {
            self.rebuild();
        } else {
            self.merge_new();
        }
        if r.seen.iter().all(|&s| s) {
            return;
        }
        let keep = self.visible.get(self.selected).copied();
        let mut remap = vec![usize::MAX; self.items.len()];
        let mut next = 0;
        for (i, slot) in remap.iter_mut().enumerate() {
            if r.seen[i] {
                *slot = next;
                next += 1;
            }
        }
        let mut seen = r.seen.iter();
        self.items.retain(|_| seen.next().copied().unwrap_or(true));
        let mut seen = r.seen.iter();
        self.extras.retain(|_| seen.next().copied().unwrap_or(true));
        let apply = |list: &mut Vec<usize>| {
            list.retain(|&i| remap[i] != usize::MAX);
            for i in list.iter_mut() {
                *i = remap[*i];
            }
        };
        apply(&mut self.order);
        let before = self.selected;
        apply(&mut self.visible);
        let names: BTreeSet<&str> = self.items.iter().map(|t| t.name()).collect();
        self.marked.retain(|m| names.contains(m.as_str()));
        self.selected = before;
        self.reselect(keep.map(|k| remap[k]).filter(|&k| k != usize::MAX));
    }
}
