//! Carrying out what `update` asked for: requests to the right worker, value
//! files read off the UI task, the clipboard. Answers come back as messages.

use std::path::Path;

use secrecy::SecretString;
use tokio::sync::mpsc;

use super::cache_io::CacheIo;
use super::clipboard::Clipboard;
use super::event_loop::{Opened, VaultOpener};
use crate::app::Msg;
use crate::app::effect::Effect;
use crate::vault::WorkerInput;
use crate::vault::discovery::DiscoveryEvent;
use std::sync::Arc;

/// What the effects need: the workers' inboxes, the clipboard, and a way to
/// send answers back into the loop.
pub(super) struct Performer<'a> {
    pub workers: &'a [mpsc::Sender<WorkerInput>],
    pub clipboard: &'a mut Clipboard,
    pub answers: &'a mpsc::UnboundedSender<Msg>,
    pub mouse: Option<&'a mut super::event_loop::MouseSwitch>,
    pub opener: Option<&'a Arc<dyn VaultOpener>>,
    pub opened: &'a mpsc::UnboundedSender<Opened>,
    /// The list cache; `None` when it is off.
    pub cache: Option<&'a CacheIo>,
    /// A value to edit in the user's editor: the loop runs it once these
    /// effects are done, as it owns the terminal.
    pub edit: Option<SecretString>,
}

impl Performer<'_> {
    /// Runs one effect; `true` when it asks the loop to end.
    pub fn perform(&mut self, effect: Effect) -> bool {
        match effect {
            Effect::Vault { route, input } => self.hand_over(route, input),
            Effect::EditValue(text) => self.edit = Some(text),
            Effect::ReadValueFile(path) => {
                let answers = self.answers.clone();
                // A FIFO or a slow disk must not freeze the screen.
                tokio::task::spawn_blocking(move || {
                    let path = crate::fsx::expand_home(&path);
                    let _ = answers.send(Msg::FileRead(read_value_file(&path)));
                });
            }
            Effect::Copy(clip) => self.clipboard.copy(&clip),
            Effect::MouseCapture(on) => {
                if let Some(switch) = self.mouse.as_mut() {
                    switch(on);
                }
            }
            Effect::RememberWelcomeDismissed(marker) => {
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = crate::fsx::write_file(&marker, b"", true) {
                        tracing::warn!(path = %marker.display(), "cannot remember the dismissed first-run line: {e}");
                    }
                });
            }
            Effect::Discover { tenant } => self.discover(tenant, false),
            Effect::DiscoverAzure { tenant } => self.discover(tenant, true),
            Effect::OpenVault { url } => self.open(url),
            Effect::Doctor { url } => self.doctor(url),
            Effect::Across(job) => self.across(job),
            Effect::SaveVaultCache(cache) => {
                if let Some(opener) = self.opener {
                    opener.save_cache(cache);
                }
            }
            Effect::LoadCache { route } => match self.cache {
                Some(cache) => cache.load(route, self.answers),
                None => {
                    let _ = self.answers.send(Msg::CacheLoaded { route, lists: None });
                }
            },
            Effect::LoadOtherCaches { urls } => match self.cache {
                Some(cache) => cache.load_urls(urls, self.answers),
                None => {
                    let _ = self.answers.send(Msg::OtherCachesLoaded(Vec::new()));
                }
            },
            Effect::SaveCache { route, lists } => {
                if let Some(cache) = self.cache {
                    cache.save(route, lists);
                }
            }
            Effect::Quit => {
                self.clipboard.clear_now();
                return true;
            }
        }
        false
    }

    /// Runs the search off the loop; its reports come back as messages.
    fn discover(&self, tenant: Option<String>, azure: bool) {
        let answers = self.answers.clone();
        let msg = move |ev| {
            if azure {
                Msg::AzureDiscovery(ev)
            } else {
                Msg::Discovery(ev)
            }
        };
        let Some(opener) = self.opener else {
            let _ = answers.send(msg(DiscoveryEvent::Failed(
                "this run cannot search for vaults".to_owned(),
            )));
            let _ = answers.send(msg(DiscoveryEvent::Done));
            return;
        };
        let (tx, mut rx) = mpsc::unbounded_channel();
        tokio::spawn(opener.discover(tenant, azure, tx));
        tokio::spawn(async move {
            while let Some(ev) = rx.recv().await {
                if answers.send(msg(ev)).is_err() {
                    return;
                }
            }
        });
    }

    /// Opens a vault off the loop; the loop wires its worker when it is ready.
    fn open(&self, url: String) {
        let opened = self.opened.clone();
        let Some(opener) = self.opener else {
            let _ = opened.send(Err((url, "this run opens no other vault".to_owned())));
            return;
        };
        let fut = opener.open(url.clone());
        tokio::spawn(async move {
            let _ = opened.send(fut.await.map_err(|reason| (url, reason)));
        });
    }

    /// Compares or copies between two vaults off the loop; its reports come
    /// back as `Msg::Across`.
    fn across(&self, job: crate::app::across::AcrossJob) {
        let answers = self.answers.clone();
        let (tx, mut rx) = mpsc::unbounded_channel();
        match self.opener {
            Some(opener) => {
                tokio::spawn(opener.across(job, tx));
            }
            None => {
                let id = job.id();
                let error = crate::vault::VaultError::new(
                    crate::vault::ErrorKind::Other,
                    "this run compares no vaults",
                );
                let _ = tx.send(crate::app::across::AcrossEvent::Failed { id, error });
            }
        }
        tokio::spawn(async move {
            while let Some(ev) = rx.recv().await {
                if answers.send(Msg::Across(ev)).is_err() {
                    return;
                }
            }
        });
    }

    /// Runs the access doctor off the loop; its report comes back as `Msg::Doctor`.
    fn doctor(&self, url: String) {
        let answers = self.answers.clone();
        let Some(opener) = self.opener else {
            let _ = answers.send(Msg::Doctor {
                url,
                report: Err("this run has no access doctor".to_owned()),
            });
            return;
        };
        let fut = opener.doctor(url.clone());
        tokio::spawn(async move {
            let report = fut.await;
            let _ = answers.send(Msg::Doctor { url, report });
        });
    }

    /// Hands a request to its worker without waiting; a full or closed queue
    /// comes back through `update` as the request's failure.
    fn hand_over(&mut self, route: usize, input: WorkerInput) {
        let id = match &input {
            WorkerInput::Run(req) => Some(req.id),
            WorkerInput::Cancel(_) | WorkerInput::Reread => None,
        };
        let reason = match self.workers.get(route) {
            None => "no worker serves this vault",
            Some(worker) => match worker.try_send(input) {
                Ok(()) => return,
                Err(mpsc::error::TrySendError::Full(_)) => crate::app::effect::WORKER_BUSY,
                Err(mpsc::error::TrySendError::Closed(_)) => "the vault worker stopped",
            },
        };
        if let Some(id) = id {
            let _ = self.answers.send(Msg::SendFailed {
                id,
                reason: reason.to_owned(),
            });
        }
    }
}

/// Reads a value file for a form; refuses files far over Key Vault's limit
/// without reading them whole.
fn read_value_file(path: &Path) -> Result<SecretString, String> {
    use crate::kv_facts::MAX_VALUE_BYTES;
    // Read at most one byte past the limit: a FIFO or `/dev/zero` stops there.
    let bytes = crate::fsx::read_capped(path, MAX_VALUE_BYTES).map_err(|e| {
        if e.kind() == std::io::ErrorKind::FileTooLarge {
            format!(
                "{} holds more than {MAX_VALUE_BYTES} bytes; Key Vault takes at most 25 KiB",
                path.display()
            )
        } else {
            format!("cannot read {}: {e}", path.display())
        }
    })?;
    std::str::from_utf8(&bytes)
        .map(|t| SecretString::from(t.to_owned()))
        .map_err(|_| format!("{} is not UTF-8 text", path.display()))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_value_file_that_never_ends_stops_at_the_limit() {
        let zero = read_value_file(Path::new("/dev/zero"));
        assert!(zero.is_err_and(|e| e.contains("25 KiB")));
        let Ok(dir) = tempfile::tempdir() else {
            panic!("no temp dir")
        };
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()));
        let writer = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("yes > '{}'", fifo.display()))
            .spawn();
        let Ok(mut writer) = writer else {
            panic!("no writer")
        };
        let read = read_value_file(&fifo);
        let _ = writer.kill();
        let _ = writer.wait();
        assert!(read.is_err_and(|e| e.contains("25 KiB")));
    }
}
