//! The access doctor's panel in the pure update: `a` in a list opens it and
//! asks the runtime for the report of the active vault; the report fills it;
//! a report for a panel already closed is dropped; Esc closes it.

mod app_common;

use app_common::*;
use kvtui::app::access::PanelState;
use kvtui::app::effect::Effect;
use kvtui::app::keymap::Mode;
use kvtui::app::{Msg, Overlay, update};

fn panel(model: &kvtui::app::Model) -> Option<&kvtui::app::access::AccessPanel> {
    match model.overlays.last() {
        Some(Overlay::Access(p)) => Some(p),
        _ => None,
    }
}

#[test]
fn a_opens_the_doctor_on_the_active_vault() {
    let mut model = loaded_model();
    let url = model.vaults[model.active_vault].label.clone();
    let fx = press(&mut model, "a");
    let asked: Vec<&String> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Doctor { url } => Some(url),
            _ => None,
        })
        .collect();
    assert_eq!(asked, [&url]);
    assert_eq!(model.mode(), Mode::Help);
    assert_eq!(
        panel(&model).map(|p| &p.state),
        Some(&PanelState::Examining)
    );

    let lines: Vec<String> = (0..60).map(|i| format!("line {i}")).collect();
    update(
        &mut model,
        Msg::Doctor {
            url: url.clone(),
            report: Ok(lines.clone()),
        },
    );
    assert_eq!(
        panel(&model).map(|p| &p.state),
        Some(&PanelState::Report(lines))
    );
    press(&mut model, "j j j");
    assert_eq!(panel(&model).map(|p| p.scroll), Some(3));
    press(&mut model, "esc");
    assert!(panel(&model).is_none());

    // A late report for a closed panel changes nothing.
    update(
        &mut model,
        Msg::Doctor {
            url,
            report: Err("late".into()),
        },
    );
    assert!(model.overlays.is_empty());
}

#[test]
fn a_failed_doctor_says_why() {
    let mut model = loaded_model();
    let url = model.vaults[model.active_vault].label.clone();
    press(&mut model, "a");
    update(
        &mut model,
        Msg::Doctor {
            url,
            report: Err("no token".into()),
        },
    );
    assert_eq!(
        panel(&model).map(|p| &p.state),
        Some(&PanelState::Failed("no token".into()))
    );
}

#[test]
fn a_long_fix_wraps_whole_inside_the_panel() {
    let mut model = loaded_model();
    let url = model.vaults[model.active_vault].label.clone();
    press(&mut model, "a");
    let fix = format!(
        "           az role assignment create --role \"Key Vault Secrets User\" --assignee {} --scope /subscriptions/{}/END-OF-SCOPE",
        "0".repeat(36),
        "1".repeat(60)
    );
    update(
        &mut model,
        Msg::Doctor {
            url,
            report: Ok(vec!["To allow what is denied".into(), fix.clone()]),
        },
    );
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).expect("terminal");
    let mut state = kvtui::ui::UiState::default();
    terminal
        .draw(|f| kvtui::ui::render(f, &model, &mut state))
        .expect("draw");
    let screen = terminal.backend().to_string();
    // The rows inside the border, indentation dropped, read as one text.
    let joined: String = screen
        .lines()
        .filter_map(|l| l.split('│').nth(1))
        .map(str::trim)
        .collect();
    assert!(joined.contains(fix.trim()), "{screen}");
}
