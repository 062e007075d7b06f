//! Nothing a user pastes or types is altered on its way to the vault: the
//! real run loop against the in-process local vault, read back through the
//! SDK and compared byte for byte (a PEM block pasted with CRLF and tabs,
//! tags with commas, `=`, quotes and edge spaces, a properties save that
//! leaves the tags alone).

mod app_common;
mod loop_common;

use std::collections::{BTreeMap, HashMap};

use crossterm::event::{KeyCode, KeyModifiers};
use futures::channel::mpsc::unbounded;
use kvtui::app::forms::tag_text::format_tags;
use kvtui::local::{self, LocalVaultOptions};
use kvtui::runtime::event_loop;
use kvtui::vault::{WorkerConfig, spawn_worker};
use loop_common::{Script, quiet_clipboard, screen, wired};
use tempfile::TempDir;

/// A key as a pasted PEM file arrives from a terminal: CRLF line ends, a
/// tab-indented comment, a trailing space.
const PASTED_PEM: &str = "-----BEGIN PRIVATE KEY-----\r\n\tComment: indented with a tab \r\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\rBKcwggSjAgEAAoIBAQC7\r\n-----END PRIVATE KEY-----\r\n";

fn hard_tags() -> BTreeMap<String, String> {
    [
        ("hosts", "a.example, b.example"),
        ("a=b", "c=d"),
        ("say", "\"hi\", she said"),
        ("  padded  ", " lead and trail "),
        ("back\\slash", "c:\\dir\\"),
        ("empty", ""),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn sorted(tags: Option<HashMap<String, String>>) -> BTreeMap<String, String> {
    tags.unwrap_or_default().into_iter().collect()
}

#[tokio::test]
async fn pasted_values_and_tags_reach_the_vault_unchanged() {
    let dir = TempDir::new().expect("temp dir");
    let mut opts = LocalVaultOptions::new(dir.path());
    opts.in_memory = true;
    opts.samples = false;
    let vault = local::start(opts).await.expect("local vault");
    let reader = vault.client(&vault.url()).expect("client");
    let (requests, events) = spawn_worker(
        vault.client(&vault.url()).expect("client"),
        WorkerConfig::default(),
    );
    let (mut model, mut wiring) = wired(&vault.url(), true, requests, events);
    let (mut terminal, shared) = screen(120, 40);
    let (keys, input) = unbounded();
    let script = Script {
        keys,
        screen: shared,
    };
    let clipboard = quiet_clipboard();
    let tab = || script.key(KeyCode::Tab, KeyModifiers::NONE);
    let save = || script.key(KeyCode::Char('s'), KeyModifiers::CONTROL);

    let drive = async {
        script
            .until("the empty list", |s| s.contains("no secrets"))
            .await;
        script.keys("n");
        script.until("the form", |s| s.contains("New secret")).await;
        // A paste with line breaks cannot go into a one-line field.
        script.paste("pem-key\nsecond line");
        script
            .until("the refusal", |s| s.contains("Name is one line"))
            .await;
        script.keys("pem-key");
        tab();
        script.paste(PASTED_PEM);
        script
            .until("the line count", |s| s.contains("6 lines"))
            .await;
        tab();
        tab();
        script.keys("application/x-pem-file");
        tab();
        script.paste(&format_tags(&hard_tags()));
        save();
        script
            .until("the saved secret", |s| {
                s.contains("pem-key") && !s.contains("New secret")
            })
            .await;

        let got = reader
            .get_secret("pem-key", None)
            .await
            .expect("read back")
            .into_model()
            .expect("a secret");
        let expected = PASTED_PEM.replace("\r\n", "\n").replace('\r', "\n");
        assert_eq!(got.value.as_deref(), Some(expected.as_str()));
        assert_eq!(got.content_type.as_deref(), Some("application/x-pem-file"));
        assert_eq!(sorted(got.tags), hard_tags());
        let updated = got.attributes.as_ref().and_then(|a| a.updated);

        // Saving the properties untouched sends nothing: tags and `updated` stay.
        script.keys("p");
        script
            .until("the properties form", |s| {
                s.contains("Properties of pem-key")
            })
            .await;
        save();
        script
            .until("nothing to save", |s| s.contains("nothing changed"))
            .await;
        let again = reader
            .get_secret("pem-key", None)
            .await
            .expect("read back")
            .into_model()
            .expect("a secret");
        assert_eq!(again.attributes.as_ref().and_then(|a| a.updated), updated);
        assert_eq!(sorted(again.tags), hard_tags());

        // Changing the content type alone leaves the tags exactly as they were.
        script.keys("p");
        script
            .until("the properties form", |s| {
                s.contains("Properties of pem-key")
            })
            .await;
        tab();
        script.key(KeyCode::End, KeyModifiers::NONE);
        script.keys("; v=2");
        save();
        script
            .until("the form closed", |s| !s.contains("Properties of pem-key"))
            .await;
        let changed = reader
            .get_secret("pem-key", None)
            .await
            .expect("read back")
            .into_model()
            .expect("a secret");
        assert_eq!(
            changed.content_type.as_deref(),
            Some("application/x-pem-file; v=2")
        );
        assert_eq!(sorted(changed.tags), hard_tags());
        assert_eq!(changed.value.as_deref(), Some(expected.as_str()));
        script.keys("q");
    };
    let (result, ()) = tokio::join!(
        event_loop(
            &mut terminal,
            input,
            &mut model,
            &mut wiring,
            clipboard,
            kvtui::runtime::TICK
        ),
        drive
    );
    result.expect("the loop ends cleanly");
    assert_eq!(model.error_count(), 0, "{:?}", model.errors);
    vault.shutdown().await;
}
