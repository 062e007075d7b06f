//! The first-run line about the embedded sample vault: shown once, hidden for
//! good by its key (the runtime writes a marker file). Snapshots at 80×24 and
//! 60×15.

mod app_common;

use app_common::*;
use kvtui::app::effect::Effect;
use kvtui::app::{Model, Welcome};
use kvtui::ui::{UiState, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(model: &Model, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut state = UiState::default();
    terminal.draw(|f| render(f, model, &mut state)).unwrap();
    terminal.backend().to_string()
}

fn welcomed() -> Model {
    let mut model = loaded_model();
    model.welcome = Some(Welcome {
        data_dir: "~/.local/share/kvtui".to_owned(),
        marker: "/home/ann/.local/share/kvtui/welcome-dismissed".into(),
    });
    model
}

#[test]
fn the_first_run_line_says_what_where_and_how_to_open_azure() {
    let model = welcomed();
    let wide = screen(&model, 80, 24);
    assert!(wide.contains("Local sample vault"), "{wide}");
    assert!(wide.contains("~/.local/share/kvtui"), "{wide}");
    assert!(wide.contains("--vault NAME"), "{wide}");
    assert!(wide.contains("W hides"), "{wide}");
    let narrow = screen(&model, 60, 15);
    assert!(
        narrow.contains("Sample vault · Azure: --vault NAME · W hides · data ~/.lo"),
        "{narrow}"
    );
    for (w, h) in [(80, 24), (60, 15)] {
        insta::assert_snapshot!(format!("welcome_{w}x{h}"), screen(&model, w, h));
    }
}

#[test]
fn its_key_hides_it_and_asks_the_runtime_to_remember() {
    let mut model = welcomed();
    let effects = press(&mut model, "W");
    assert!(model.welcome.is_none());
    assert!(
        matches!(effects.as_slice(), [Effect::RememberWelcomeDismissed(p)]
            if p.ends_with("welcome-dismissed")),
        "{effects:?}"
    );
    assert!(!screen(&model, 80, 24).contains("sample vault"));
    // Pressed again, nothing more is written.
    assert!(press(&mut model, "W").is_empty());
}

#[test]
fn without_it_the_screen_has_no_such_line() {
    let model = loaded_model();
    assert!(!screen(&model, 80, 24).contains("sample vault"));
}
