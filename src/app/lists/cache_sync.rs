//! The list cache as the model sees it: asked for once when a vault is first
//! opened (alongside the listing, which never waits for it), shown while the
//! listing refreshes it, and saved again whenever a vault's lists settle
//! after a listing or a write. Reading and writing are effects.

use crate::app::effect::Effect;
use crate::app::lists::cached::{CachedList, CachedLists};
use crate::app::lists::rows::{ListRow, Rows};
use crate::app::model::Model;
use crate::app::update::refresh;

/// Opens the vault on screen: its cache (the first time) and a listing.
/// Only the vault on screen lists, so however many vaults are open, one
/// refresh runs at a time.
pub(crate) fn open_lists(model: &mut Model, fx: &mut Vec<Effect>) {
    let route = model.active_vault;
    let slot = model.slot_mut();
    if slot.cache && !slot.cache_asked {
        slot.cache_asked = true;
        fx.push(Effect::LoadCache { route });
    }
    refresh(model, fx);
}

/// Shows what the cache kept, unless a fresh listing already brought rows.
pub(crate) fn cache_loaded(model: &mut Model, route: usize, lists: Option<CachedLists>) {
    let Some(slot) = model.vaults.get_mut(route) else {
        return;
    };
    let Some(lists) = lists else {
        return;
    };
    if let Some(list) = lists.secrets {
        show(&mut slot.secrets, list);
    }
    if let Some(list) = lists.deleted {
        show(&mut slot.deleted, list);
    }
    // Shown rows are not saved back until a listing has refreshed them.
    slot.cache_saved = Some((slot.secrets.generation(), slot.deleted.generation()));
}

fn show<T: ListRow>(rows: &mut Rows<T>, list: CachedList<T>) {
    if rows.items.is_empty() && !rows.loaded {
        rows.show_cached(list.rows, list.saved_at);
    }
}

/// A list as it may be cached: fully listed, not from the cache, not failed.
fn settled<T: ListRow + Clone>(rows: &Rows<T>) -> Option<CachedList<T>> {
    let clean = rows.loaded && rows.cached_at.is_none() && rows.failure.is_none();
    clean.then(|| CachedList {
        saved_at: rows.loaded_at.unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
        rows: rows.items.clone(),
    })
}

/// Saves each cached vault whose lists changed and are settled (no listing
/// running): after a refresh, and after each write made here.
pub(crate) fn save_changed(model: &mut Model, fx: &mut Vec<Effect>) {
    for (route, slot) in model.vaults.iter_mut().enumerate() {
        if !slot.cache || slot.secrets.loading.is_some() || slot.deleted.loading.is_some() {
            continue;
        }
        let key = (slot.secrets.generation(), slot.deleted.generation());
        if slot.cache_saved == Some(key) {
            continue;
        }
        let lists = CachedLists {
            secrets: settled(&slot.secrets),
            deleted: settled(&slot.deleted),
        };
        if lists.secrets.is_none() && lists.deleted.is_none() {
            continue;
        }
        slot.cache_saved = Some(key);
        fx.push(Effect::SaveCache { route, lists });
    }
}
