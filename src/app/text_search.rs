//! `/` inside help and the message history: only the lines holding the
//! typed text are shown, so a key or an old failure is found without
//! scrolling through all of it.

use crossterm::event::{KeyCode, KeyEvent};
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use super::keymap::Action;
use super::model::Model;
use super::overlay::Overlay;

/// The text searched for in the overlay on top; `typing` while its line
/// takes keys.
#[derive(Debug, Clone, Default)]
pub struct TextSearch {
    pub input: Input,
    pub typing: bool,
}

impl TextSearch {
    /// The text, lowercased for a case-blind match; empty matches all.
    pub fn needle(&self) -> String {
        self.input.value().to_lowercase()
    }

    /// Whether `text` holds what was typed (case-blind).
    pub fn matches(&self, text: &str) -> bool {
        let needle = self.needle();
        needle.is_empty() || text.to_lowercase().contains(&needle)
    }
}

/// A key for help or the history while the search takes keys, or `/`, or
/// `Esc` with a search kept; `true` when it was used here.
pub(crate) fn on_key(model: &mut Model, key: KeyEvent, action: Option<Action>) -> bool {
    let searchable = matches!(
        model.overlays.last(),
        Some(Overlay::Help { .. } | Overlay::Errors { .. })
    );
    if !searchable {
        model.text_search = None;
        return false;
    }
    match &mut model.text_search {
        Some(s) if s.typing => {
            match key.code {
                KeyCode::Esc => model.text_search = None,
                KeyCode::Enter => s.typing = false,
                _ => {
                    if let Some(req) = to_input_request(&crossterm::event::Event::Key(key)) {
                        s.input.handle(req);
                    }
                }
            }
            to_top(model);
            true
        }
        Some(s) if action == Some(Action::Filter) => {
            s.typing = true;
            true
        }
        // Esc drops the search first; a second one closes.
        Some(_) if action == Some(Action::Back) && key.code == KeyCode::Esc => {
            model.text_search = None;
            to_top(model);
            true
        }
        None if action == Some(Action::Filter) => {
            model.text_search = Some(TextSearch {
                input: Input::default(),
                typing: true,
            });
            true
        }
        _ => false,
    }
}

fn to_top(model: &mut Model) {
    if let Some(Overlay::Help { scroll } | Overlay::Errors { scroll }) = model.overlays.last_mut() {
        *scroll = 0;
    }
}
