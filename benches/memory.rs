//! Where the TUI's memory goes with a large list: live heap bytes (counted by
//! a global allocator) after the list arrives page by page, the peak while it
//! arrives, and what saving it to the list cache and loading it back cost on
//! top. Rows look like the local vault's (`secret-NNNNNN`, a full id, dates,
//! a recovery level, no tags). The whole process's figure is `keylat`'s.
//!
//! `cargo bench --bench memory` (`KVTUI_BENCH_SECRETS` for another count).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use kvtui::app::{Keymap, Model, Msg, update};
use kvtui::list_cache::ListCache;
use kvtui::list_cache::{CachedList, CachedLists};
use kvtui::vault::{SecretName, SecretProps, VaultEvent, VaultEventKind};
use time::macros::datetime;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call goes straight to the system allocator; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: as `System.alloc`, with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Counted as the copy it may be: both blocks live for a moment.
        let live = LIVE.fetch_add(new_size, Ordering::Relaxed) + new_size;
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: as `System.realloc`, with the caller's arguments.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn mb(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

/// Live bytes now, and the peak since the last call (then reset to now).
fn mark() -> (usize, usize) {
    let live = LIVE.load(Ordering::Relaxed);
    (live, PEAK.swap(live, Ordering::Relaxed))
}

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn secret(i: usize) -> SecretProps {
    let name = format!("secret-{i:06}");
    SecretProps {
        id: format!("https://127.0.0.1:43117/secrets/{name}"),
        created: Some(datetime!(2026-12-05 12:00 UTC)),
        updated: Some(datetime!(2026-12-05 12:00 UTC)),
        recovery_level: Some("Recoverable+Purgeable".into()),
        recoverable_days: Some(90),
        ..SecretProps::named(SecretName::parse(&name).expect("a valid bench name"))
    }
}

fn main() {
    let count: usize = std::env::var("KVTUI_BENCH_SECRETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    println!(
        "size of a row: SecretProps {} bytes",
        std::mem::size_of::<SecretProps>()
    );
    let mut model = Model::new(
        "https://127.0.0.1:43117",
        false,
        Keymap::default_keymap(),
        datetime!(2026-12-05 12:00 UTC),
    );
    let list = kvtui::app::effect::requests(&update(&mut model, Msg::Start))[0].id;
    let (base, _) = mark();
    let rss_base = rss_kib();
    for page in (0..count).collect::<Vec<_>>().chunks(25) {
        let items = page.iter().map(|&i| secret(i)).collect();
        update(
            &mut model,
            Msg::Vault(VaultEvent {
                req: list,
                kind: VaultEventKind::SecretsPage(items),
            }),
        );
    }
    let done = Msg::Vault(VaultEvent {
        req: list,
        kind: VaultEventKind::ListDone { count },
    });
    update(&mut model, done);
    let (live, peak) = mark();
    println!(
        "{count} rows listed: live {} ({} a row), peak while listing {}, RSS growth {}",
        mb(live - base),
        (live - base) / count.max(1),
        mb(peak - base),
        rss_kib()
            .zip(rss_base)
            .map_or("?".into(), |(a, b)| mb(((a - b) * 1024) as usize)),
    );
    // What `Effect::SaveCache` carries to the cache writer.
    let lists = CachedLists {
        secrets: Some(CachedList {
            saved_at: datetime!(2026-12-05 12:00 UTC),
            rows: model.secrets().items.clone(),
        }),
        deleted: None,
    };
    let (with_save, _) = mark();
    println!(
        "the save effect's copy of the rows: {}",
        mb(with_save - live)
    );

    let dir = tempfile::TempDir::new().expect("temp dir");
    let cache = ListCache::new(dir.path());
    let url = "https://127.0.0.1:43117";
    let (before_save, _) = mark();
    cache.save(url, &lists).expect("save the cache");
    let (_, save_peak) = mark();
    println!(
        "writing the cache file: peak {} above what was live",
        mb(save_peak - before_save)
    );
    drop(lists);
    let (before_load, _) = mark();
    let loaded = cache.load(url).expect("load the cache").expect("lists");
    let (after_load, load_peak) = mark();
    println!(
        "reading it back ({} rows): {} kept, peak {} above what was live",
        loaded.secrets.as_ref().map_or(0, |l| l.rows.len()),
        mb(after_load - before_load),
        mb(load_peak - before_load)
    );
}
