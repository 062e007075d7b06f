//! The run loop and the mouse: a click on a tab switches lists, two clicks on
//! one row open its details, one click only selects. Scripted terminal
//! events into a shared `TestBackend`; a stand-in worker answers the lists.

mod loop_common;

use crossterm::event::{Event, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use futures::channel::mpsc::unbounded;
use kvtui::runtime::event_loop;
use kvtui::vault::{SecretName, SecretProps, VaultCmd, VaultEvent, VaultEventKind, WorkerInput};
use loop_common::{Script, quiet_clipboard, screen, wired};

fn click(column: u16, row: u16) -> Event {
    Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

/// Answers every list with `names` (deleted: none, versions: none).
async fn stand_in_worker(
    mut requests: tokio::sync::mpsc::Receiver<WorkerInput>,
    answers: tokio::sync::mpsc::Sender<VaultEvent>,
    names: &[&str],
) {
    while let Some(input) = requests.recv().await {
        let WorkerInput::Run(req) = input else {
            continue;
        };
        if matches!(req.cmd, VaultCmd::ListSecrets) {
            let page = names
                .iter()
                .map(|n| SecretProps::named(SecretName::parse(n).expect("name")))
                .collect();
            let kind = VaultEventKind::SecretsPage(page);
            let _ = answers.send(VaultEvent { req: req.id, kind }).await;
        }
        let kind = VaultEventKind::ListDone { count: 0 };
        let _ = answers.send(VaultEvent { req: req.id, kind }).await;
    }
}

#[tokio::test]
async fn clicks_switch_tabs_and_a_double_click_opens_a_row() {
    let (requests, worker_in) = tokio::sync::mpsc::channel(64);
    let (answers, events) = tokio::sync::mpsc::channel(64);
    let (mut model, mut wiring) = wired("mouse vault", false, requests, events);
    tokio::spawn(stand_in_worker(
        worker_in,
        answers,
        &["alpha-secret", "beta-secret", "gamma-secret"],
    ));
    let (mut terminal, shared) = screen(100, 30);
    let (keys, input) = unbounded();
    let script = Script {
        keys,
        screen: shared,
    };
    let send = |ev: Event| {
        let _ = script.keys.unbounded_send(Ok(ev));
    };
    let drive = async {
        script
            .until("the rows", |s| s.contains("gamma-secret"))
            .await;
        let top = script.screen.screen();
        let first_line = top.lines().next().unwrap_or_default();
        let deleted_at = first_line.find("Deleted").expect("a Deleted tab") as u16;
        send(click(deleted_at, 0));
        script
            .until("the Deleted list", |s| s.contains("no deleted secrets"))
            .await;
        send(click(2, 0));
        script
            .until("the Secrets list again", |s| s.contains("beta-secret"))
            .await;
        // Rows start under the tabs, the rule and the header: line 4 is the
        // second row. One click selects it; a second one opens it.
        send(click(5, 4));
        script.until("row 2 of 3", |s| s.contains("2/3")).await;
        send(click(5, 4));
        script
            .until("beta-secret's details", |s| s.contains("┌ beta-secret"))
            .await;
        script.keys("q");
        script.keys("q");
    };
    let (result, ()) = tokio::join!(
        event_loop(
            &mut terminal,
            input,
            &mut model,
            &mut wiring,
            quiet_clipboard(),
            kvtui::runtime::TICK
        ),
        drive
    );
    result.expect("the loop ends cleanly");
}
