//! What the screen shows is what the vault stores: JSON laid out from its
//! own tokens (big numbers, `1.10`, key order and duplicate keys kept), raw
//! on a key, and hidden characters drawn visibly. Values and properties are
//! written with the SDK into the local vault and read back through the
//! worker, then drawn.

mod app_common;
mod common;

use app_common::{NOW, Stepper, event, loaded_model, press, props, reqs_of};
use kvtui::app::{Keymap, Model, Msg, update};
use kvtui::ui::{UiState, render};
use kvtui::vault::{Secret, SecretProps, VaultEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use secrecy::SecretString;

/// JSON a parse-and-print round trip would change: a number past f64, a
/// trailing zero, keys out of order, a duplicate key, an escaped quote.
const TRICKY_JSON: &str =
    r#"{"z":12345678901234567890123,"price":1.10,"a":"say \"hi\"","a":[1.0e+2,-0]}"#;

fn screen(model: &Model, width: u16, height: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    let mut state = UiState::default();
    t.draw(|f| render(f, model, &mut state)).expect("draw");
    t.backend().to_string()
}

/// The model and the worker of a local vault, stepped until nothing is pending.
struct Harness {
    steps: Stepper,
}

impl Harness {
    fn new(running: &common::Running) -> Self {
        let model = Model::new(running.vault.url(), true, Keymap::default_keymap(), NOW);
        Self {
            steps: Stepper::new(model, running.default_client()),
        }
    }

    async fn keys(&mut self, keys: &str) {
        self.steps.keys(keys).await;
    }

    /// Loads the list and opens the details of `name` with its value shown.
    async fn show(&mut self, name: &str) {
        let start = update(&mut self.steps.model, Msg::Start);
        self.steps.run(start).await;
        let pos = self
            .steps
            .model
            .secrets()
            .visible
            .iter()
            .position(|&i| self.steps.model.secrets().items[i].name == name)
            .expect("the secret is listed");
        self.steps.model.secrets_mut().selected = pos;
        self.keys("enter s").await;
        assert_eq!(
            self.steps.model.error_count(),
            0,
            "{:?}",
            self.steps.model.errors
        );
    }
}

#[tokio::test]
async fn json_from_the_vault_keeps_every_token() {
    let running = common::start().await;
    running
        .default_client()
        .set_secret("tricky-json", common::set_body(TRICKY_JSON), None)
        .await
        .expect("set through the SDK");
    let mut h = Harness::new(&running);
    h.show("tricky-json").await;

    let pretty = screen(&h.steps.model, 120, 40);
    for line in [
        r#""z": 12345678901234567890123,"#,
        r#""price": 1.10,"#,
        r#""a": "say \"hi\"","#,
        r#""a": ["#,
        "1.0e+2,",
        "-0",
    ] {
        assert!(pretty.contains(line), "{line} expected:\n{pretty}");
    }
    assert!(!pretty.contains("e+22"), "never re-serialized:\n{pretty}");
    let z = pretty.find("\"z\"").expect("z");
    let price = pretty.find("\"price\"").expect("price");
    assert!(z < price, "key order kept:\n{pretty}");
    assert!(pretty.contains("JSON re-indented"), "{pretty}");

    // `r` shows the value exactly as stored, and again laid out.
    h.keys("r").await;
    let raw = screen(&h.steps.model, 120, 40);
    assert!(raw.contains(TRICKY_JSON), "raw value expected:\n{raw}");
    assert!(raw.contains("as stored"), "{raw}");
    h.keys("r").await;
    assert!(screen(&h.steps.model, 120, 40).contains(r#""price": 1.10,"#));
    running.vault.shutdown().await;
}

#[tokio::test]
async fn hidden_characters_from_the_vault_are_drawn_visibly() {
    let running = common::start().await;
    let value = "  pass\u{202E}word\u{200B}\t\r\n";
    running
        .default_client()
        .set_secret(
            "tricky-chars",
            common::set_body_with(
                value,
                Some("text/plain\t"),
                &[("owner\u{2066}", " ops ")],
                None,
            ),
            None,
        )
        .await
        .expect("set through the SDK");
    let mut h = Harness::new(&running);
    h.show("tricky-chars").await;

    let text = screen(&h.steps.model, 120, 40);
    assert!(
        text.contains("␣␣pass<U+202E>word<U+200B>␉␍␊"),
        "value with its hidden characters:\n{text}"
    );
    assert!(text.contains("text/plain␉"), "content type:\n{text}");
    assert!(text.contains("owner<U+2066>=␣ops␣"), "tag:\n{text}");
    assert!(!text.contains('\u{202E}') && !text.contains('\t'), "{text}");

    // The list measures the content type after the replacement: the next
    // column starts where it does on every other row.
    h.keys("esc").await;
    let list = screen(&h.steps.model, 120, 40);
    assert!(list.contains("text/plain␉"), "{list}");
    running.vault.shutdown().await;
}

fn with_value(value: &str) -> Model {
    let mut model = loaded_model();
    let reqs = reqs_of(press(&mut model, "enter s"));
    let get = reqs
        .iter()
        .find(|r| matches!(r.cmd, kvtui::vault::VaultCmd::Get { .. }))
        .expect("a get")
        .id;
    let secret = Secret {
        props: props("db-password"),
        value: SecretString::from(value.to_owned()),
    };
    update(
        &mut model,
        event(get, VaultEventKind::Secret(Box::new(secret))),
    );
    model
}

#[test]
fn an_empty_value_reads_empty() {
    let text = screen(&with_value(""), 80, 24);
    assert!(text.contains("(empty)"), "{text}");
}

#[test]
fn invalid_json_is_shown_raw_without_a_toggle() {
    let model = with_value(r#"{"a": 1,}"#);
    let text = screen(&model, 80, 24);
    assert!(text.contains(r#"{"a": 1,}"#), "{text}");
    assert!(!text.contains("r toggles"), "{text}");
    assert!(model.details.as_ref().is_some_and(|d| d.pretty.is_none()));
}

#[test]
fn the_layout_is_made_once_when_the_value_arrives() {
    let model = with_value(r#"{"a":1}"#);
    let d = model.details.as_ref().expect("details");
    use secrecy::ExposeSecret;
    assert_eq!(
        d.pretty.as_ref().map(|p| p.expose_secret().to_owned()),
        Some("{\n  \"a\": 1\n}".to_owned())
    );
    let dbg = format!("{d:?}");
    assert!(!dbg.contains("\"a\""), "Debug hides the layout: {dbg}");
}

/// A list row whose content type holds a tab, a bidi override and a
/// zero-width space: the stand-ins are drawn and the columns after it stay
/// aligned with the other rows.
#[test]
fn list_columns_are_measured_after_the_replacement() {
    let mut model = loaded_model();
    let reqs = reqs_of(press(&mut model, "f5"));
    let list = reqs
        .iter()
        .find(|r| matches!(r.cmd, kvtui::vault::VaultCmd::ListSecrets))
        .expect("a list")
        .id;
    let mut odd: SecretProps = props("odd-type");
    odd.content_type = Some("a\tb\u{202E}c\u{200B}".to_owned());
    odd.updated = app_common::sample_secrets()[0].updated;
    update(
        &mut model,
        event(list, VaultEventKind::SecretsPage(vec![odd])),
    );
    update(
        &mut model,
        event(list, VaultEventKind::ListDone { count: 1 }),
    );
    let text = screen(&model, 120, 40);
    let row = text
        .lines()
        .find(|l| l.contains("odd-type"))
        .expect("the row");
    assert!(row.contains("a␉b<U+202E>c<U+200B>"), "{row}");
    let header = text
        .lines()
        .find(|l| l.contains("Updated"))
        .expect("header");
    let column = |l: &str| {
        l.find("Updated")
            .or_else(|| l.find("2025-"))
            .map(|b| l[..b].chars().count())
    };
    assert_eq!(column(row), column(header), "{text}");
    insta::assert_snapshot!("list_hidden_characters", text);
}

#[test]
fn status_messages_show_hidden_characters() {
    let mut model = loaded_model();
    model.toast("deleted evil\u{202E}txt", false);
    let text = screen(&model, 80, 24);
    assert!(text.contains("deleted evil<U+202E>txt"), "{text}");
}

/// `o` in details shows the properties as the CLI's `-o json` prints them,
/// never the value; `o` again goes back to the table.
#[test]
fn o_shows_the_properties_as_json_without_the_value() {
    let draw = |model: &Model| {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        t.draw(|f| kvtui::ui::render(f, model, &mut kvtui::ui::UiState::default()))
            .unwrap();
        t.backend().to_string()
    };
    let mut model = with_value("hunter2-secret");
    press(&mut model, "o");
    let text = draw(&model);
    assert!(text.contains("\"attributes\": {"), "{text}");
    assert!(text.contains("\"enabled\": true"), "{text}");
    assert!(text.contains("\"recoveryLevel\""), "{text}");
    // The value pane shows it (s was pressed); the JSON never carries it.
    assert_eq!(text.matches("hunter2-secret").count(), 1, "{text}");
    assert!(!text.contains("\"value\""), "{text}");
    press(&mut model, "o");
    assert!(!draw(&model).contains("\"attributes\""));
}
