//! The list cache's reads and writes, off the UI task: a read runs on the
//! blocking pool and answers with `Msg::CacheLoaded`; writes go to one
//! thread, which keeps only the newest lists of each vault when several
//! queue up, and finishes the last write before the program ends.

use std::collections::BTreeMap;
use std::sync::mpsc as std_mpsc;
use std::thread::JoinHandle;

use tokio::sync::mpsc;

use crate::app::Msg;
use crate::list_cache::CachedLists;
use crate::list_cache::ListCache;

/// The cache of the vaults the UI shows, by route.
pub struct CacheIo {
    store: ListCache,
    /// Vault URL per route; `None` for a vault not cached.
    urls: Vec<Option<String>>,
    saves: Option<std_mpsc::Sender<(usize, CachedLists)>>,
    writer: Option<JoinHandle<()>>,
}

impl CacheIo {
    pub fn new(store: ListCache, urls: Vec<Option<String>>) -> Self {
        let (tx, rx) = std_mpsc::channel::<(usize, CachedLists)>();
        let writer_store = store.clone();
        let writer_urls = urls.clone();
        let writer = std::thread::Builder::new()
            .name("kvtui-cache".into())
            .spawn(move || write_loop(&writer_store, &writer_urls, &rx))
            .map_err(|e| tracing::warn!("list cache writer not started: {e}"))
            .ok();
        Self {
            store,
            urls,
            saves: Some(tx),
            writer,
        }
    }

    fn url(&self, route: usize) -> Option<String> {
        self.urls.get(route).cloned().flatten()
    }

    /// Reads vault `route`'s lists and answers with `Msg::CacheLoaded`.
    pub fn load(&self, route: usize, answers: &mpsc::UnboundedSender<Msg>) {
        let answers = answers.clone();
        let Some(url) = self.url(route) else {
            let _ = answers.send(Msg::CacheLoaded { route, lists: None });
            return;
        };
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let lists = store.load(&url).unwrap_or_else(|e| {
                tracing::warn!("{e}");
                None
            });
            let _ = answers.send(Msg::CacheLoaded { route, lists });
            super::heap::give_back();
        });
    }

    pub fn save(&self, route: usize, lists: CachedLists) {
        if let Some(saves) = &self.saves {
            let _ = saves.send((route, lists));
        }
    }
}

impl Drop for CacheIo {
    /// Waits for the last write, so lists changed just before quitting stay.
    fn drop(&mut self) {
        self.saves = None;
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

fn write_loop(
    store: &ListCache,
    urls: &[Option<String>],
    rx: &std_mpsc::Receiver<(usize, CachedLists)>,
) {
    while let Ok((route, lists)) = rx.recv() {
        let mut newest = BTreeMap::from([(route, lists)]);
        while let Ok((route, lists)) = rx.try_recv() {
            newest.insert(route, lists);
        }
        for (route, lists) in newest {
            let Some(Some(url)) = urls.get(route) else {
                continue;
            };
            if let Err(e) = store.save(url, &lists) {
                tracing::warn!("{e}");
            }
        }
        // The copy of the rows just written is free again.
        super::heap::give_back();
    }
}
