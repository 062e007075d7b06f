//! The access doctor as a panel (`a` in a list, offered on a 403): who you
//! are, how the vault decides, what you may do there, and the fixes.

use super::effect::Effect;
use super::model::Model;
use super::overlay::Overlay;

/// What the panel shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PanelState {
    /// The doctor is reading (Resource Manager, two harmless probes).
    Examining,
    Report(Vec<String>),
    Failed(String),
}

/// The doctor's panel for the vault at `url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessPanel {
    pub url: String,
    pub state: PanelState,
    /// First line shown.
    pub scroll: usize,
}

impl AccessPanel {
    /// Lines the panel holds, so scrolling stops at its end.
    pub fn line_count(&self) -> usize {
        match &self.state {
            PanelState::Report(lines) => lines.len(),
            _ => 1,
        }
    }
}

/// Opens the panel on the active vault and asks the runtime for the report.
pub fn open(model: &mut Model, fx: &mut Vec<Effect>) {
    let Some(url) = model
        .vaults
        .get(model.active_vault)
        .map(|v| v.label.clone())
    else {
        return;
    };
    model.overlays.push(Overlay::Access(AccessPanel {
        url: url.clone(),
        state: PanelState::Examining,
        scroll: 0,
    }));
    fx.push(Effect::Doctor { url });
}

/// Fills the open panel of `url` with its report; a report for a closed panel is dropped.
pub fn on_report(model: &mut Model, url: &str, report: Result<Vec<String>, String>) {
    for overlay in model.overlays.iter_mut().rev() {
        if let Overlay::Access(panel) = overlay
            && panel.url == url
            && panel.state == PanelState::Examining
        {
            panel.state = match report {
                Ok(lines) => PanelState::Report(lines),
                Err(e) => PanelState::Failed(e),
            };
            return;
        }
    }
}
