//! One list as the key handlers and the screen use it.

use time::OffsetDateTime;

use crate::app::lists::rows::{ListRow, Rows, SortKey};
use crate::vault::{SecretName, SecretProps};

/// One list as the key handlers and the screen use it, whatever its rows:
/// a view reaches its list through this, so a new list is a new source,
/// not an edit to every handler.
pub trait ListView {
    /// Rows the filter keeps.
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Rows loaded.
    fn total(&self) -> usize;
    fn selected(&self) -> usize;
    fn select(&mut self, index: usize);
    /// Moves the selection; `isize::MIN` / `isize::MAX` jump to the ends.
    fn nav(&mut self, delta: isize);
    fn toggle_mark(&mut self);
    fn marked_count(&self) -> usize;
    fn clear_marks(&mut self);
    fn mark_visible(&mut self);
    /// Marked rows the filter hides.
    fn hidden_marked(&self) -> usize;
    fn reversed(&self) -> bool;
    fn reverse(&mut self);
    /// The marked names, or the selected one when none is marked.
    fn target_names(&self) -> Vec<SecretName>;
    fn filter(&self) -> &str;
    fn set_filter(&mut self, filter: &str);
    fn sort(&self) -> SortKey;
    fn set_sort(&mut self, sort: SortKey);
    fn is_loading(&self) -> bool;
    /// The properties of the selected row (a deleted secret's as it was).
    fn selected_props(&self) -> Option<&SecretProps>;
    /// The properties of the `index`th row the filter keeps.
    fn props_at(&self, index: usize) -> Option<&SecretProps>;
    /// Why the last listing failed (the rows are stale), if it did.
    fn failure(&self) -> Option<&str>;
    /// The last listing stopped after some pages: rows may be missing.
    fn is_partial(&self) -> bool;
    /// When the rows were listed.
    fn loaded_at(&self) -> Option<OffsetDateTime>;
    /// When the listing still running was asked for.
    fn load_started(&self) -> Option<OffsetDateTime>;
    /// When the cache the rows came from was saved, while they still are.
    fn cached_at(&self) -> Option<OffsetDateTime>;
}

impl<T: ListRow> ListView for Rows<T> {
    fn len(&self) -> usize {
        self.visible.len()
    }
    fn total(&self) -> usize {
        self.items.len()
    }
    fn selected(&self) -> usize {
        self.selected
    }
    fn select(&mut self, index: usize) {
        self.selected = index;
        self.clamp();
    }
    fn nav(&mut self, delta: isize) {
        match delta {
            isize::MIN => self.select_first(),
            isize::MAX => self.select_last(),
            d => self.move_by(d),
        }
    }
    fn toggle_mark(&mut self) {
        Rows::toggle_mark(self);
    }
    fn marked_count(&self) -> usize {
        self.marked.len()
    }
    fn clear_marks(&mut self) {
        self.marked.clear();
    }
    fn mark_visible(&mut self) {
        Rows::mark_visible(self);
    }
    fn hidden_marked(&self) -> usize {
        Rows::hidden_marked(self)
    }
    fn reversed(&self) -> bool {
        self.reversed
    }
    fn reverse(&mut self) {
        self.reversed = !self.reversed;
        self.rebuild();
    }
    fn target_names(&self) -> Vec<SecretName> {
        self.targets()
    }
    fn filter(&self) -> &str {
        &self.filter
    }
    fn set_filter(&mut self, filter: &str) {
        Rows::set_filter(self, filter);
    }
    fn sort(&self) -> SortKey {
        self.sort
    }
    fn set_sort(&mut self, sort: SortKey) {
        Rows::set_sort(self, sort);
    }
    fn is_loading(&self) -> bool {
        self.loading.is_some()
    }
    fn selected_props(&self) -> Option<&SecretProps> {
        self.selected_item().map(ListRow::props)
    }
    fn props_at(&self, index: usize) -> Option<&SecretProps> {
        self.visible
            .get(index)
            .and_then(|&i| self.items.get(i))
            .map(ListRow::props)
    }
    fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }
    fn is_partial(&self) -> bool {
        self.partial
    }
    fn loaded_at(&self) -> Option<OffsetDateTime> {
        self.loaded_at
    }
    fn load_started(&self) -> Option<OffsetDateTime> {
        self.load_started
    }
    fn cached_at(&self) -> Option<OffsetDateTime> {
        self.cached_at
    }
}
