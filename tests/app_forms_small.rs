//! Forms taller than the screen scroll: the focused field, the cursor and the
//! key hints stay in view; a confirmation over a form hides the form under it.

mod app_common;

use app_common::*;
use kvtui::app::Model;
use kvtui::ui::{UiState, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

struct Drawn {
    text: String,
    cursor: Option<(u16, u16)>,
    height: u16,
}

fn draw(model: &Model, width: u16, height: u16) -> Drawn {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let mut state = UiState::default();
    terminal.draw(|f| render(f, model, &mut state)).unwrap();
    let cursor = terminal.get_cursor_position().ok().map(|p| (p.x, p.y));
    Drawn {
        text: terminal.backend().to_string(),
        cursor,
        height,
    }
}

/// The line of the screen that holds `needle`.
fn row_of(drawn: &Drawn, needle: &str) -> Option<u16> {
    drawn
        .text
        .lines()
        .position(|l| l.contains(needle))
        .map(|r| u16::try_from(r).unwrap())
}

/// A new-secret form with a long refusal and a tag field full of long tags.
fn crowded_form() -> Model {
    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "a-name");
    // To the tags field (Name, Value, Value file, Content type, Tags),
    // filled with long tags.
    press(&mut model, "tab tab tab tab");
    let tags: Vec<String> = (0..15)
        .map(|i| format!("tag{i}={}", "v".repeat(40)))
        .collect();
    type_text(&mut model, &tags.join(","));
    model
}

#[test]
fn a_form_taller_than_the_screen_keeps_the_focused_field_and_hints_in_view() {
    let mut model = crowded_form();
    for (w, h) in [(80, 24), (60, 15), (60, 12)] {
        let drawn = draw(&model, w, h);
        let hints = row_of(&drawn, "Ctrl-S submit");
        assert!(hints.is_some(), "hints at {w}x{h}:\n{}", drawn.text);
        let (_, y) = drawn.cursor.expect("the cursor is placed");
        assert!(y < drawn.height, "cursor on screen at {w}x{h}");
        assert!(
            y < hints.unwrap(),
            "the cursor is above the hints at {w}x{h}"
        );
    }
    let tags = draw(&model, 60, 12);
    // The long line scrolls sideways to its end, where the cursor is.
    let line = tags.text.lines().find(|l| l.contains("Tags")).unwrap();
    assert!(
        line.contains("…vvvv"),
        "the focused tags show:\n{}",
        tags.text
    );
    // Moving to the last field and back to the first scrolls both ways.
    press(&mut model, "tab tab tab");
    let down = draw(&model, 60, 12);
    assert!(row_of(&down, "Expires").is_some(), "{}", down.text);
    assert!(row_of(&down, "Ctrl-S submit").is_some(), "{}", down.text);
    let focus = |m: &Model| match m.overlays.last() {
        Some(kvtui::app::Overlay::Form(f)) => f.focus,
        _ => usize::MAX,
    };
    while focus(&model) > 0 {
        press(&mut model, "backtab");
    }
    let up = draw(&model, 60, 12);
    assert!(row_of(&up, "Name").is_some(), "{}", up.text);
    assert!(
        up.text.contains("more fields"),
        "the box says more fields lie below:\n{}",
        up.text
    );
}

#[test]
fn a_long_refusal_never_pushes_the_hints_out() {
    let mut model = crowded_form();
    if let Some(kvtui::app::Overlay::Form(form)) = model.overlays.last_mut() {
        form.error = Some(format!(
            "the vault refused: {}",
            "very long reason ".repeat(30)
        ));
    }
    let drawn = draw(&model, 60, 15);
    assert!(row_of(&drawn, "Ctrl-S submit").is_some(), "{}", drawn.text);
    assert!(drawn.text.contains("✗ the vault refused"), "{}", drawn.text);
}

#[test]
fn a_confirmation_over_a_form_hides_what_is_under_it() {
    let mut model = loaded_model();
    press(&mut model, "n");
    type_text(&mut model, "draft-name");
    press(&mut model, "esc");
    let drawn = draw(&model, 80, 24);
    let title = row_of(&drawn, "Discard this form?").expect("the confirmation");
    // The confirmation's rows show only its own text, inside its border.
    let line = drawn.text.lines().nth(usize::from(title) + 1).unwrap();
    let inside: String = line.split('│').nth(1).unwrap_or_default().trim().to_owned();
    assert_eq!(inside, "What you typed will be lost.", "{}", drawn.text);
    assert!(
        !drawn.text.contains("draft-name"),
        "the form is hidden:\n{}",
        drawn.text
    );
    insta::assert_snapshot!("confirm_over_form_80x24", drawn.text);
}

/// The export's format steps through env, json and dotnet with Space, → and
/// ←, and the file's default name follows it; a name typed by hand stays.
#[test]
fn the_export_format_cycles_and_renames_the_file() {
    use kvtui::app::forms::form::FieldId;
    let mut model = loaded_model();
    press(&mut model, "x");
    let fields = |model: &kvtui::app::Model| match model.overlays.last() {
        Some(kvtui::app::Overlay::Form(f)) => (
            f.field(FieldId::Format).unwrap().value().to_owned(),
            f.field(FieldId::File).unwrap().value().to_owned(),
        ),
        other => panic!("the export form, not {other:?}"),
    };
    assert_eq!(fields(&model), ("env".into(), "secrets.env".into()));
    press(&mut model, "space");
    assert_eq!(fields(&model), ("json".into(), "secrets.json".into()));
    press(&mut model, "right");
    assert_eq!(
        fields(&model),
        ("dotnet".into(), "secrets.dotnet.json".into())
    );
    press(&mut model, "right");
    assert_eq!(fields(&model), ("env".into(), "secrets.env".into()));
    press(&mut model, "left");
    assert_eq!(
        fields(&model),
        ("dotnet".into(), "secrets.dotnet.json".into())
    );
    // A file named by hand is left alone.
    press(&mut model, "tab");
    for _ in 0.."secrets.dotnet.json".len() {
        press(&mut model, "backspace");
    }
    type_text(&mut model, "mine.txt");
    press(&mut model, "backtab space");
    assert_eq!(fields(&model), ("env".into(), "mine.txt".into()));
}
