//! A loaded list (secrets or deleted secrets) with its filter, sort, selection
//! and marks. `visible` indexes into `items`, so drawing costs the same for
//! 100 or 100,000 rows.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::vault::{DeletedSecret, ReqId, SecretProps};

/// What a list row offers to filtering and sorting.
pub trait ListRow: Sync {
    fn name(&self) -> &str;
    /// Text the fuzzy filter searches besides the name; `None` when there
    /// is none (most rows), which spares building a string per row.
    fn extra_haystack(&self) -> Option<String>;
    fn compare(&self, other: &Self, sort: SortKey) -> Ordering;
}

/// Sort order of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Name,
    /// Newest first.
    Updated,
    /// Soonest first; secrets without an expiry last.
    Expires,
}

impl SortKey {
    pub fn next(self) -> Self {
        match self {
            SortKey::Name => SortKey::Updated,
            SortKey::Updated => SortKey::Expires,
            SortKey::Expires => SortKey::Name,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Updated => "updated",
            SortKey::Expires => "expires",
        }
    }
}

/// Case-insensitive, without allocating: sorting 100,000 names compares a lot.
fn by_name(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
        .then_with(|| a.cmp(b))
}

impl ListRow for SecretProps {
    fn name(&self) -> &str {
        &self.name
    }

    fn extra_haystack(&self) -> Option<String> {
        if self.content_type.is_none() && self.tags.is_empty() {
            return None;
        }
        let mut s = self.content_type.clone().unwrap_or_default();
        for (k, v) in &self.tags {
            s.push(' ');
            s.push_str(k);
            s.push('=');
            s.push_str(v);
        }
        Some(s)
    }

    fn compare(&self, other: &Self, sort: SortKey) -> Ordering {
        let primary = match sort {
            SortKey::Name => Ordering::Equal,
            SortKey::Updated => other.updated.cmp(&self.updated),
            SortKey::Expires => match (self.expires, other.expires) {
                (Some(a), Some(b)) => a.cmp(&b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
        };
        primary.then_with(|| by_name(&self.name, &other.name))
    }
}

impl ListRow for DeletedSecret {
    fn name(&self) -> &str {
        &self.props.name
    }

    fn extra_haystack(&self) -> Option<String> {
        self.props.extra_haystack()
    }

    fn compare(&self, other: &Self, sort: SortKey) -> Ordering {
        match sort {
            SortKey::Name => by_name(&self.props.name, &other.props.name),
            SortKey::Updated => other
                .deleted_date
                .cmp(&self.deleted_date)
                .then_with(|| by_name(&self.props.name, &other.props.name)),
            SortKey::Expires => self
                .scheduled_purge_date
                .cmp(&other.scheduled_purge_date)
                .then_with(|| by_name(&self.props.name, &other.props.name)),
        }
    }
}

/// A list as loaded page by page, with the user's view of it.
#[derive(Debug, Clone)]
pub struct Rows<T> {
    pub items: Vec<T>,
    /// Indices into `items` that pass the filter, in sort order.
    pub visible: Vec<usize>,
    /// Position in `visible`.
    pub selected: usize,
    /// Marked names, for bulk actions.
    pub marked: BTreeSet<String>,
    pub sort: SortKey,
    pub filter: String,
    /// The list request still bringing pages, if any.
    pub loading: Option<ReqId>,
    /// Set once a full listing has arrived.
    pub loaded: bool,
    /// Pages received since the last rebuild of `visible`.
    stale_pages: usize,
    /// The old rows stay on screen until the first page of a reload arrives.
    replace_on_page: bool,
    /// `extra_haystack` of each item, built once rather than per keystroke.
    extras: Vec<Option<Box<str>>>,
}

impl<T> Default for Rows<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            visible: Vec::new(),
            selected: 0,
            marked: BTreeSet::new(),
            sort: SortKey::default(),
            filter: String::new(),
            loading: None,
            loaded: false,
            stale_pages: 0,
            replace_on_page: false,
            extras: Vec::new(),
        }
    }
}

impl<T: ListRow> Rows<T> {
    pub fn selected_item(&self) -> Option<&T> {
        self.visible
            .get(self.selected)
            .and_then(|&i| self.items.get(i))
    }

    pub fn find(&self, name: &str) -> Option<&T> {
        self.items
            .iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }

    /// Starts a fresh listing. The old rows stay until the first page comes
    /// (a failed reload keeps them); then new pages fill in.
    pub fn begin_load(&mut self, req: ReqId) {
        self.loading = Some(req);
        self.stale_pages = 0;
        self.replace_on_page = true;
    }

    fn drop_old_rows(&mut self) {
        if std::mem::take(&mut self.replace_on_page) {
            self.items.clear();
            self.extras.clear();
            self.visible.clear();
        }
    }

    /// A load that failed leaves the old rows as they are.
    pub fn load_failed(&mut self) {
        self.loading = None;
        self.replace_on_page = false;
    }

    /// Appends a page. Rebuilding the view on every page would be quadratic on
    /// a big vault, so large lists rebuild every few pages and at the end.
    pub fn push_page(&mut self, page: Vec<T>) {
        self.drop_old_rows();
        self.extras.extend(
            page.iter()
                .map(|t| t.extra_haystack().map(String::into_boxed_str)),
        );
        self.items.extend(page);
        self.stale_pages += 1;
        if self.items.len() <= 5_000 || self.stale_pages >= 40 {
            self.rebuild();
        }
    }

    pub fn finish_load(&mut self) {
        self.drop_old_rows();
        self.loading = None;
        self.loaded = true;
        self.rebuild();
    }

    /// Inserts or replaces the row with the same name (case-insensitively).
    pub fn upsert(&mut self, item: T) {
        match self
            .items
            .iter()
            .position(|t| t.name().eq_ignore_ascii_case(item.name()))
        {
            Some(i) => {
                self.extras[i] = item.extra_haystack().map(String::into_boxed_str);
                self.items[i] = item;
            }
            None => {
                self.extras
                    .push(item.extra_haystack().map(String::into_boxed_str));
                self.items.push(item);
            }
        }
        self.rebuild();
    }

    pub fn remove(&mut self, name: &str) -> Option<T> {
        let i = self
            .items
            .iter()
            .position(|t| t.name().eq_ignore_ascii_case(name))?;
        self.marked.remove(name);
        let item = self.items.remove(i);
        self.extras.remove(i);
        // Indices shifted: keep the selection's position, not its name.
        self.visible.clear();
        self.rebuild();
        Some(item)
    }

    /// Sets the filter. Typing one more character can only narrow a fuzzy
    /// match, so then only the rows still visible are checked (and keep
    /// their order); pattern syntax that can widen a match rebuilds.
    pub fn set_filter(&mut self, filter: &str) {
        let narrowing = filter.starts_with(self.filter.as_str())
            && !filter.contains(['!', '^', '$', '\'', ' ', '\\'])
            && self.stale_pages == 0
            && !self.replace_on_page;
        filter.clone_into(&mut self.filter);
        self.selected = 0;
        if narrowing {
            let candidates = std::mem::take(&mut self.visible);
            self.visible = self.matching(candidates);
            self.clamp();
        } else {
            self.rebuild();
        }
    }

    /// The candidates (indices into `items`) the filter matches, in order.
    /// Big lists are split over the cores: a keystroke on 100,000 rows must
    /// stay within a frame.
    fn matching(&self, candidates: Vec<usize>) -> Vec<usize> {
        if self.filter.is_empty() {
            return candidates;
        }
        let pattern = Pattern::parse(&self.filter, CaseMatching::Ignore, Normalization::Smart);
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        if threads < 2 || candidates.len() < 20_000 {
            return self.match_chunk(&pattern, &candidates);
        }
        let chunk = candidates.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = candidates
                .chunks(chunk)
                .map(|part| scope.spawn(|| self.match_chunk(&pattern, part)))
                .collect();
            let mut out = Vec::new();
            for (h, part) in handles.into_iter().zip(candidates.chunks(chunk)) {
                // A panicked worker thread would be a bug; fall back to this one.
                out.extend(
                    h.join()
                        .unwrap_or_else(|_| self.match_chunk(&pattern, part)),
                );
            }
            out
        })
    }

    fn match_chunk(&self, pattern: &Pattern, candidates: &[usize]) -> Vec<usize> {
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        candidates
            .iter()
            .copied()
            .filter(|&i| {
                pattern
                    .score(Utf32Str::new(self.items[i].name(), &mut buf), &mut matcher)
                    .is_some()
                    || self
                        .extras
                        .get(i)
                        .and_then(|e| e.as_deref())
                        .is_some_and(|extra| {
                            pattern
                                .score(Utf32Str::new(extra, &mut buf), &mut matcher)
                                .is_some()
                        })
            })
            .collect()
    }

    pub fn set_sort(&mut self, sort: SortKey) {
        self.sort = sort;
        self.rebuild();
    }

    /// Recomputes `visible` from the items, the filter and the sort, keeping
    /// the selection on the same name when it is still visible.
    pub fn rebuild(&mut self) {
        self.stale_pages = 0;
        let keep = self.selected_item().map(|t| t.name().to_owned());
        let mut visible = self.matching((0..self.items.len()).collect());
        let items = &self.items;
        let sort = self.sort;
        visible.sort_by(|&a, &b| items[a].compare(&items[b], sort));
        self.visible = visible;
        if let Some(name) = keep
            && let Some(pos) = self
                .visible
                .iter()
                .position(|&i| self.items[i].name() == name)
        {
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
        if let Some(name) = self.selected_item().map(|t| t.name().to_owned())
            && !self.marked.remove(&name)
        {
            self.marked.insert(name);
        }
    }

    /// The marked names, or the selected one when nothing is marked.
    pub fn targets(&self) -> Vec<String> {
        if self.marked.is_empty() {
            self.selected_item()
                .map(|t| vec![t.name().to_owned()])
                .unwrap_or_default()
        } else {
            self.marked.iter().cloned().collect()
        }
    }
}

/// Positions in `text` the filter matched, for highlighting.
pub fn match_positions(filter: &str, text: &str) -> Vec<u32> {
    if filter.is_empty() {
        return Vec::new();
    }
    let pattern = Pattern::parse(filter, CaseMatching::Ignore, Normalization::Smart);
    let mut matcher = Matcher::new(Config::DEFAULT);
    let mut buf = Vec::new();
    let mut idx = Vec::new();
    pattern.indices(Utf32Str::new(text, &mut buf), &mut matcher, &mut idx);
    idx.sort_unstable();
    idx.dedup();
    idx
}
