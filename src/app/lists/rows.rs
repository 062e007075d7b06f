//! A loaded list (secrets or deleted secrets) with its filter, sort, selection
//! and marks. `order` holds every row in sort order and `visible` the rows the
//! filter keeps, both as indices into `items`: drawing costs the same for 100
//! or 100,000 rows, and neither filtering nor loading sorts the whole list.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use time::OffsetDateTime;

use crate::app::lists::matching::{Filter, matching_map, tier};
use crate::vault::{ReqId, SecretName};
use reconcile::Reconcile;

pub use crate::app::lists::list_row::{ListRow, SortKey};
pub use crate::app::lists::list_view::ListView;

/// Cached rows refreshed in place by a listing.
#[path = "rows_reconcile.rs"]
mod reconcile;

/// A list as loaded page by page, with the user's view of it.
#[derive(Debug, Clone)]
pub struct Rows<T> {
    pub items: Vec<T>,
    /// Indices into `items` that pass the filter, in sort order.
    pub visible: Vec<usize>,
    /// Position in `visible`.
    pub selected: usize,
    /// Marked names, for bulk actions.
    pub marked: BTreeSet<SecretName>,
    pub sort: SortKey,
    /// The sort runs the other way (`O`).
    pub reversed: bool,
    pub filter: String,
    /// Certificate-backed secrets are left out (as `az` and the portal do).
    pub hide_managed: bool,
    /// The list request still bringing pages, if any.
    pub loading: Option<ReqId>,
    /// Set once a full listing has arrived.
    pub loaded: bool,
    /// Why the last listing failed; the rows shown are then stale.
    pub failure: Option<String>,
    /// When the rows shown were listed (their age while stale).
    pub loaded_at: Option<OffsetDateTime>,
    /// When the listing still running was asked for.
    pub load_started: Option<OffsetDateTime>,
    /// When the cache the rows came from was saved; `None` once a full
    /// listing has replaced them.
    pub cached_at: Option<OffsetDateTime>,
    /// Every index into `items`, in sort order.
    order: Vec<usize>,
    /// `extra_haystack` of each item, built once rather than per keystroke.
    extras: Vec<Option<Box<str>>>,
    /// Pages received since `visible` last took new rows in.
    stale_pages: usize,
    /// First item not yet merged into `order` and `visible`.
    unmerged_from: Option<usize>,
    /// The old rows stay on screen until the first page of a reload arrives.
    replace_on_page: bool,
    /// Counts changes to `items`, so lists derived from this one know when
    /// to rebuild.
    generation: u64,
    /// While a listing refreshes cached rows: which rows it has brought.
    reconcile: Option<Reconcile>,
    /// Rows the listing running (or last run) brought, and how many the
    /// list held when it started: the progress `4,200 of ~10,500`.
    pub brought: usize,
    pub expected: usize,
    /// The last listing stopped early: rows may be missing (or stale).
    pub partial: bool,
    /// Some row matches the filter literally (by name, a tag word or the
    /// content type), so rows that match it only fuzzily are left out.
    literal: bool,
}

impl<T> Default for Rows<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            visible: Vec::new(),
            selected: 0,
            marked: BTreeSet::new(),
            sort: SortKey::default(),
            reversed: false,
            filter: String::new(),
            hide_managed: true,
            loading: None,
            loaded: false,
            failure: None,
            loaded_at: None,
            load_started: None,
            cached_at: None,
            order: Vec::new(),
            extras: Vec::new(),
            stale_pages: 0,
            unmerged_from: None,
            replace_on_page: false,
            generation: 0,
            reconcile: None,
            literal: false,
            brought: 0,
            expected: 0,
            partial: false,
        }
    }
}

/// Merges two index lists already sorted by `cmp`.
fn merge_sorted(
    mut a: Vec<usize>,
    b: Vec<usize>,
    cmp: impl Fn(usize, usize) -> Ordering,
) -> Vec<usize> {
    // Vaults list in name order, so new pages usually go after the rest.
    if let (Some(&last), Some(&first)) = (a.last(), b.first())
        && cmp(last, first) != Ordering::Greater
    {
        a.extend(b);
        return a;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(&x), Some(&y)) => cmp(x, y) != Ordering::Greater,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        out.extend(if take_a { a.next() } else { b.next() });
    }
    out
}

impl<T: ListRow> Rows<T> {
    pub fn selected_item(&self) -> Option<&T> {
        self.visible
            .get(self.selected)
            .and_then(|&i| self.items.get(i))
    }

    pub fn find(&self, name: &str) -> Option<&T> {
        self.position(name).map(|i| &self.items[i])
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.items
            .iter()
            .position(|t| t.name().eq_ignore_ascii_case(name))
    }

    fn cmp(&self, a: usize, b: usize) -> Ordering {
        let order = self.items[a].compare(&self.items[b], self.sort);
        if self.reversed {
            order.reverse()
        } else {
            order
        }
    }

    /// Starts a fresh listing. The old rows stay until the first page comes
    /// (a failed reload keeps them); then new pages fill in. Rows from the
    /// cache are refreshed in place instead (see `rows_reconcile.rs`).
    pub fn begin_load(&mut self, req: ReqId, now: OffsetDateTime) {
        self.loading = Some(req);
        self.load_started = Some(now);
        self.stale_pages = 0;
        self.brought = 0;
        self.expected = self.items.len();
        // Rows on screen (cached or listed before, as on F5) are refreshed
        // in place: the selection and the rows stay while pages arrive.
        if !self.items.is_empty() {
            self.start_reconcile();
        } else {
            self.replace_on_page = true;
        }
    }

    fn drop_old_rows(&mut self) {
        if std::mem::take(&mut self.replace_on_page) {
            self.items.clear();
            self.extras.clear();
            self.order.clear();
            self.visible.clear();
            self.unmerged_from = None;
        }
    }

    /// A load that failed leaves the old rows as they are, marked stale by
    /// `reason`. Rows that already came from the failed listing stay too.
    pub fn load_failed(&mut self, reason: String) {
        self.partial = self.brought > 0;
        self.stop_loading();
        self.failure = Some(reason);
    }

    /// A listing cut short (the user went to another vault): the rows that
    /// came stay.
    pub fn stop_loading(&mut self) {
        if self.reconcile.take().is_some_and(|r| r.resort) {
            self.rebuild();
        }
        self.loading = None;
        self.load_started = None;
        self.replace_on_page = false;
        self.merge_new();
        self.clamp();
    }

    /// Appends a page. New rows are sorted among themselves and merged into
    /// the sorted lists, every page while the list is small and every few
    /// pages once it is big, so loading stays linear.
    /// How many times `items` changed; see `generation` on the struct.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn push_page(&mut self, page: Vec<T>) {
        self.generation += 1;
        self.brought += page.len();
        if let Some(r) = self.reconcile.take() {
            return self.reconcile_page(page, r);
        }
        self.drop_old_rows();
        let start = self.items.len();
        self.extras.extend(
            page.iter()
                .map(|t| t.extra_haystack().map(String::into_boxed_str)),
        );
        self.items.extend(page);
        self.unmerged_from.get_or_insert(start);
        self.stale_pages += 1;
        if self.items.len() <= 5_000 || self.stale_pages >= 40 {
            self.merge_new();
        }
    }

    pub fn finish_load(&mut self) {
        self.generation += 1;
        if let Some(r) = self.reconcile.take() {
            self.finish_reconcile(r);
        }
        self.cached_at = None;
        self.drop_old_rows();
        self.loading = None;
        self.load_started = None;
        self.loaded = true;
        self.failure = None;
        self.partial = false;
        self.merge_new();
        self.clamp();
        // Pages grew these by doubling: up to half of each was spare.
        self.items.shrink_to_fit();
        self.extras.shrink_to_fit();
        self.order.shrink_to_fit();
        self.visible.shrink_to_fit();
    }

    /// Which items in `0..len` the filter keeps (all when it is empty),
    /// and whether any of them matched literally; `wanted` limits the
    /// check; `literal`: fuzzy matches are left out whatever these bring.
    fn matches(&self, wanted: Option<&[bool]>, literal: bool) -> (Vec<bool>, bool) {
        let shown = |i: usize| !(self.hide_managed && self.items[i].props().managed);
        if self.filter.is_empty() {
            return ((0..self.items.len()).map(shown).collect(), false);
        }
        let filter = Filter::new(&self.filter);
        let tiers = matching_map(self.items.len(), wanted, &filter, tier::NONE, |m, i| {
            if shown(i) {
                m.tier(self.items[i].name(), self.extras[i].as_deref())
            } else {
                tier::NONE
            }
        });
        let found = tiers.iter().any(|t| *t < tier::FUZZY);
        let literal = literal || found;
        let keeps = tiers
            .iter()
            .map(|t| *t != tier::NONE && (!literal || *t < tier::FUZZY))
            .collect();
        (keeps, found)
    }

    /// `visible` again from `order`: the rows `show` names, in sort order,
    /// then ranked.
    fn show_in_order(&mut self, show: &[bool]) {
        self.visible = self
            .order
            .iter()
            .copied()
            .filter(|&i| show.get(i).copied().unwrap_or(false))
            .collect();
        self.rank();
    }

    /// Shows or hides certificate-backed secrets.
    pub fn set_hide_managed(&mut self, hide: bool) {
        if self.hide_managed != hide {
            self.hide_managed = hide;
            self.rebuild();
        }
    }

    /// Rows left out because a certificate owns them.
    pub fn hidden_managed(&self) -> usize {
        if !self.hide_managed {
            return 0;
        }
        self.items.iter().filter(|i| i.props().managed).count()
    }

    /// Merges the rows that arrived since the last merge into the lists.
    fn merge_new(&mut self) {
        self.stale_pages = 0;
        let Some(from) = self.unmerged_from.take() else {
            return;
        };
        let keep = self.visible.get(self.selected).copied();
        let mut fresh: Vec<usize> = (from..self.items.len()).collect();
        fresh.sort_by(|&a, &b| self.cmp(a, b));
        let order = std::mem::take(&mut self.order);
        if self.filter.is_empty() && !self.hide_managed {
            self.order = merge_sorted(order, fresh, |a, b| self.cmp(a, b));
            self.visible.clone_from(&self.order);
        } else {
            let mut wanted = vec![false; self.items.len()];
            for &i in &fresh {
                wanted[i] = true;
            }
            let (mut show, found) = self.matches(Some(&wanted), self.literal);
            self.order = merge_sorted(order, fresh, |a, b| self.cmp(a, b));
            if found && !self.literal {
                // The first literal match: fuzzy rows shown so far go.
                self.literal = true;
                show = self.matches(None, true).0;
            } else {
                for &i in &self.visible {
                    show[i] = true;
                }
            }
            self.show_in_order(&show);
        }
        self.reselect(keep);
    }

    /// Inserts or replaces the row with the same name (case-insensitively),
    /// placing it in both lists without sorting them again.
    pub fn upsert(&mut self, item: T) {
        self.generation += 1;
        self.merge_new();
        let extra = item.extra_haystack().map(String::into_boxed_str);
        let i = match self.position(item.name()) {
            Some(i) => {
                self.order.retain(|&x| x != i);
                self.visible.retain(|&x| x != i);
                self.items[i] = item;
                self.extras[i] = extra;
                i
            }
            None => {
                self.items.push(item);
                self.extras.push(extra);
                self.items.len() - 1
            }
        };
        // A row written during a refresh is as fresh as any page.
        if let Some(r) = self.reconcile.as_mut() {
            r.index.insert(self.items[i].name().to_ascii_lowercase(), i);
            r.seen.resize(self.items.len(), true);
            r.seen[i] = true;
        }
        let at = self
            .order
            .partition_point(|&x| self.cmp(x, i) == Ordering::Less);
        self.order.insert(at, i);
        let mut wanted = vec![false; self.items.len()];
        wanted[i] = true;
        if self.filter.is_empty() {
            if self.matches(Some(&wanted), false).0[i] {
                let at = self
                    .visible
                    .partition_point(|&x| self.cmp(x, i) == Ordering::Less);
                self.visible.insert(at, i);
            }
        } else {
            let keep = self.visible.get(self.selected).copied();
            let (mut show, found) = self.matches(Some(&wanted), self.literal);
            if found && !self.literal {
                self.literal = true;
                show = self.matches(None, true).0;
            } else {
                for &x in &self.visible {
                    show[x] = true;
                }
            }
            self.show_in_order(&show);
            self.reselect(keep);
        }
        self.clamp();
    }

    /// Removes a row; the selection keeps its position.
    pub fn remove(&mut self, name: &str) -> Option<T> {
        self.generation += 1;
        self.merge_new();
        let i = self.position(name)?;
        self.marked.retain(|m| *m != name);
        self.extras.remove(i);
        let item = self.items.remove(i);
        if let Some(r) = self.reconcile.as_mut() {
            r.seen.remove(i);
            r.index.remove(&item.name().to_ascii_lowercase());
            for x in r.index.values_mut().filter(|x| **x > i) {
                *x -= 1;
            }
        }
        let shift = |list: &mut Vec<usize>| {
            list.retain(|&x| x != i);
            for x in list.iter_mut().filter(|x| **x > i) {
                *x -= 1;
            }
        };
        shift(&mut self.order);
        shift(&mut self.visible);
        self.clamp();
        Some(item)
    }

    /// Sets the filter. Typing one more character can only narrow a fuzzy
    /// match, so then only the visible rows are checked; otherwise every row
    /// is, in the kept sort order, so nothing is sorted again.
    /// Clearing the filter keeps the selected row; typing selects the best match.
    pub fn set_filter(&mut self, filter: &str) {
        self.merge_new();
        let keep = if filter.is_empty() {
            self.visible.get(self.selected).copied()
        } else {
            None
        };
        let narrowing = filter.starts_with(self.filter.as_str())
            && !self.filter.is_empty()
            && crate::app::lists::matching::is_plain(filter)
            && !self.replace_on_page;
        filter.clone_into(&mut self.filter);
        self.selected = 0;
        // Literal matches of the longer filter are among those of the shorter.
        let (show, found) = if narrowing {
            let mut wanted = vec![false; self.items.len()];
            for &i in &self.visible {
                wanted[i] = true;
            }
            self.matches(Some(&wanted), false)
        } else {
            self.matches(None, false)
        };
        self.literal = found;
        if narrowing && !found {
            // Rows left out as fuzzy under the shorter filter may match now.
            let (all, _) = self.matches(None, false);
            self.show_in_order(&all);
        } else {
            self.show_in_order(&show);
        }
        self.reselect(keep);
    }

    /// Whatever the sort, exact, then prefix, then substring name matches
    /// come first, then tag and content type matches, then fuzzy ones; under
    /// the `best match` sort, by how well the filter matches within each
    /// (the name counts double), ties by the sort order.
    fn rank(&mut self) {
        if self.filter.is_empty() {
            return;
        }
        let filter = Filter::new(&self.filter);
        let mut m = filter.matcher();
        let mut s = filter.scorer();
        let by_score = self.sort == SortKey::Match;
        let mut keyed: Vec<(u8, std::cmp::Reverse<u32>, usize)> = self
            .visible
            .iter()
            .map(|&i| {
                let t = m.tier(self.items[i].name(), self.extras[i].as_deref());
                let score = if by_score {
                    let name = s.score(self.items[i].name()).saturating_mul(2);
                    name.max(self.extras[i].as_deref().map_or(0, |e| s.score(e)))
                } else {
                    0
                };
                (t, std::cmp::Reverse(score), i)
            })
            .collect();
        // Stable: equal keys keep the sort order of `visible`.
        keyed.sort_by_key(|k| (k.0, k.1));
        self.visible = keyed.into_iter().map(|k| k.2).collect();
    }

    pub fn set_sort(&mut self, sort: SortKey) {
        self.sort = sort;
        self.rebuild();
    }

    /// Recomputes both lists from the items, the filter and the sort,
    /// keeping the selection on the same name when it is still visible.
    pub fn rebuild(&mut self) {
        self.stale_pages = 0;
        self.unmerged_from = None;
        let keep = self.visible.get(self.selected).copied();
        let mut order: Vec<usize> = (0..self.items.len()).collect();
        order.sort_by(|&a, &b| self.cmp(a, b));
        let (keeps, found) = self.matches(None, false);
        self.literal = found;
        self.order = order;
        self.show_in_order(&keeps);
        self.reselect(keep);
    }

    /// Puts the selection back on item `keep` when it is still visible
    /// (a scan of indices, cheap even for 100,000 rows).
    fn reselect(&mut self, keep: Option<usize>) {
        if let Some(pos) = keep.and_then(|k| self.visible.iter().position(|&i| i == k)) {
            self.selected = pos;
        }
        self.clamp();
    }

    pub fn clamp(&mut self) {
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.visible.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
    }

    pub fn select_first(&mut self) {
        self.selected = 0;
    }

    pub fn select_last(&mut self) {
        self.selected = self.visible.len().saturating_sub(1);
    }

    pub fn toggle_mark(&mut self) {
        if let Some(name) = self.selected_item().map(|t| t.props().name.clone())
            && !self.marked.remove(&name)
        {
            self.marked.insert(name);
        }
    }

    /// Marks every row the filter shows (the others keep theirs).
    pub fn mark_visible(&mut self) {
        for &i in &self.visible {
            self.marked.insert(self.items[i].props().name.clone());
        }
    }

    /// Marked rows the filter hides.
    pub fn hidden_marked(&self) -> usize {
        if self.marked.is_empty() || self.filter.is_empty() {
            return 0;
        }
        let shown = self
            .visible
            .iter()
            .filter(|&&i| self.marked.contains(&self.items[i].props().name))
            .count();
        self.marked.len() - shown
    }

    /// The marked names, or the selected one when nothing is marked.
    pub fn targets(&self) -> Vec<SecretName> {
        if self.marked.is_empty() {
            self.selected_item()
                .map(|t| vec![t.props().name.clone()])
                .unwrap_or_default()
        } else {
            self.marked.iter().cloned().collect()
        }
    }
}
