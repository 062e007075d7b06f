//! Carrying out what `update` asked for: requests to the right worker, value
//! files read off the UI task, the clipboard. Answers come back as messages.

use std::path::Path;

use secrecy::SecretString;
use tokio::sync::mpsc;

use super::cache_io::CacheIo;
use super::clipboard::Clipboard;
use crate::app::Msg;
use crate::app::effect::Effect;
use crate::vault::WorkerInput;

/// What the effects need: the workers' inboxes, the clipboard, and a way to
/// send answers back into the loop.
pub(super) struct Performer<'a> {
    pub workers: &'a [mpsc::Sender<WorkerInput>],
    pub clipboard: &'a mut Clipboard,
    pub answers: &'a mpsc::UnboundedSender<Msg>,
    /// The list cache; `None` when it is off.
    pub cache: Option<&'a CacheIo>,
}

impl Performer<'_> {
    /// Runs one effect; `true` when it asks the loop to end.
    pub fn perform(&mut self, effect: Effect) -> bool {
        match effect {
            Effect::Vault { route, input } => self.hand_over(route, input),
            Effect::ReadValueFile(path) => {
                let answers = self.answers.clone();
                // A FIFO or a slow disk must not freeze the screen.
                tokio::task::spawn_blocking(move || {
                    let _ = answers.send(Msg::FileRead(read_value_file(&path)));
                });
            }
            Effect::Copy(clip) => self.clipboard.copy(&clip),
            Effect::LoadCache { route } => match self.cache {
                Some(cache) => cache.load(route, self.answers),
                None => {
                    let _ = self.answers.send(Msg::CacheLoaded { route, lists: None });
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

    /// Hands a request to its worker without waiting; a full or closed queue
    /// comes back through `update` as the request's failure.
    fn hand_over(&mut self, route: usize, input: WorkerInput) {
        let id = match &input {
            WorkerInput::Run(req) => Some(req.id),
            WorkerInput::Cancel(_) => None,
        };
        let reason = match self.workers.get(route) {
            None => "no worker serves this vault",
            Some(worker) => match worker.try_send(input) {
                Ok(()) => return,
                Err(mpsc::error::TrySendError::Full(_)) => "the vault worker is busy; try again",
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
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.len() > 64 * 1024 {
        return Err(format!(
            "{} has {} bytes; Key Vault takes at most 25 KiB",
            path.display(),
            meta.len()
        ));
    }
    std::fs::read_to_string(path)
        .map(SecretString::from)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
}
