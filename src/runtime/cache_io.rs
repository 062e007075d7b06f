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
use crate::vault::SecretProps;

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

    /// Reads the cached secret lists of the vaults at `urls` (not open, for
    /// `F`) and answers with `Msg::OtherCachesLoaded`; one unreadable is left out.
    pub fn load_urls(&self, urls: Vec<String>, answers: &mpsc::UnboundedSender<Msg>) {
        let answers = answers.clone();
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let _ = answers.send(Msg::OtherCachesLoaded(secrets_of(&store, urls)));
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

/// The cached secret rows of each of `urls` that has them.
fn secrets_of(store: &ListCache, urls: Vec<String>) -> Vec<(String, Vec<SecretProps>)> {
    urls.into_iter()
        .filter_map(|url| {
            let lists = store.load(&url).unwrap_or_else(|e| {
                tracing::warn!("{e}");
                None
            })?;
            Some((url, lists.secrets?.rows))
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::list_cache::CachedList;
    use crate::vault::SecretName;

    fn props(vault: &str, name: &str) -> SecretProps {
        let mut p = SecretProps {
            name: SecretName::parse(name).expect("a valid test name"),
            id: format!("{vault}/secrets/{name}"),
            version: None,
            enabled: true,
            content_type: Some("text/plain".into()),
            created: None,
            updated: None,
            not_before: None,
            expires: None,
            tags: Default::default(),
            recovery_level: None,
            recoverable_days: None,
            managed: false,
        };
        p.tags.insert("env".into(), "prod".into());
        p
    }

    /// `F`'s effect reads the cache file of a vault that is not open (none
    /// of the routes) and answers with its rows; a vault with no cache file
    /// is left out.
    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn other_vaults_caches_are_read_from_disk() {
        const OPEN: &str = "https://kv-open.vault.azure.net";
        const PINNED: &str = "https://kv-pinned.vault.azure.net";
        const NEVER: &str = "https://kv-never-listed.vault.azure.net";
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ListCache::new(dir.path());
        let rows = vec![props(PINNED, "db-password"), props(PINNED, "web-cert")];
        store
            .save(
                PINNED,
                &CachedLists {
                    secrets: Some(CachedList {
                        saved_at: time::OffsetDateTime::UNIX_EPOCH,
                        rows: rows.clone(),
                    }),
                    deleted: None,
                },
            )
            .expect("cache saved");
        assert!(store.file_for(PINNED).is_file());

        let io = CacheIo::new(store, vec![Some(OPEN.to_owned())]);
        let (tx, mut rx) = mpsc::unbounded_channel();
        // Another spelling of the URL finds the same file.
        io.load_urls(
            vec![format!("{PINNED}/").to_uppercase(), NEVER.to_owned()],
            &tx,
        );
        let Some(Msg::OtherCachesLoaded(found)) = rx.recv().await else {
            panic!("no OtherCachesLoaded answer");
        };
        assert_eq!(found.len(), 1, "only the vault with a cache: {found:?}");
        assert_eq!(found[0].0, format!("{PINNED}/").to_uppercase());
        assert_eq!(found[0].1, rows);
    }
}
