//! The UI with 100,000 secrets loaded: a frame drawn into a `TestBackend`, a
//! filter keystroke, and the memory the loaded list takes. Targets from issue
//! 4: a frame under 2 ms, a filter keystroke under 16 ms, under 80 MB.
//!
//! `cargo bench --bench tui` (set `KVTUI_BENCH_SECRETS` for another count).
//! Needs `[[bench]] name = "tui" harness = false` in Cargo.toml; under the
//! default harness it builds and runs nothing.
#![cfg_attr(test, allow(dead_code))]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kvtui::app::{Keymap, Model, Msg, update};
use kvtui::ui::{UiState, render};
use kvtui::vault::{SecretProps, VaultEvent, VaultEventKind};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use time::macros::datetime;

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn secret(i: usize) -> SecretProps {
    let mut tags = BTreeMap::new();
    tags.insert("env".to_owned(), ["prod", "dev", "test"][i % 3].to_owned());
    let name = format!("service-{:03}-secret-{i:06}", i % 997);
    let name = kvtui::vault::SecretName::parse(&name).expect("a valid bench name");
    SecretProps {
        id: format!("https://bench.vault.azure.net/secrets/service-{i:06}"),
        enabled: !i.is_multiple_of(17),
        content_type: i.is_multiple_of(4).then(|| "text/plain".to_owned()),
        created: Some(datetime!(2025-01-01 00:00 UTC)),
        updated: Some(datetime!(2025-06-01 00:00 UTC)),
        expires: i
            .is_multiple_of(5)
            .then_some(datetime!(2026-06-01 00:00 UTC)),
        tags: tags.into(),
        ..SecretProps::named(name)
    }
}

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn main() {
    let count: usize = std::env::var("KVTUI_BENCH_SECRETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rss_before = rss_kib();
    let mut model = Model::new(
        "https://bench.vault.azure.net",
        false,
        Keymap::default_keymap(),
        datetime!(2026-01-15 12:00 UTC),
    );
    let list = kvtui::app::effect::requests(&update(&mut model, Msg::Start))[0].id;
    let start = Instant::now();
    for page in (0..count).collect::<Vec<_>>().chunks(25) {
        let items = page.iter().map(|&i| secret(i)).collect();
        update(
            &mut model,
            Msg::Vault(VaultEvent {
                req: list,
                kind: VaultEventKind::SecretsPage(items),
            }),
        );
    }
    update(
        &mut model,
        Msg::Vault(VaultEvent {
            req: list,
            kind: VaultEventKind::ListDone { count },
        }),
    );
    println!(
        "applied {count} secrets in pages of 25: {:?}",
        start.elapsed()
    );
    if let (Some(a), Some(b)) = (rss_before, rss_kib()) {
        println!(
            "RSS growth with the list loaded: {:.1} MB",
            (b.saturating_sub(a)) as f64 / 1024.0
        );
    }

    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let mut state = UiState::default();
    let frames: u32 = 200;
    let start = Instant::now();
    for i in 0..frames {
        if i.is_multiple_of(2) {
            update(&mut model, key('j'));
        }
        terminal
            .draw(|f| render(f, &model, &mut state))
            .expect("draw");
    }
    println!(
        "frame (120x40, {count} rows): {:?}",
        start.elapsed() / frames
    );

    update(&mut model, key('/'));
    let (mut worst_update, mut worst_frame) = (Duration::ZERO, Duration::ZERO);
    for c in "secret-42".chars() {
        let t = Instant::now();
        update(&mut model, key(c));
        worst_update = worst_update.max(t.elapsed());
        let t = Instant::now();
        terminal
            .draw(|f| render(f, &model, &mut state))
            .expect("draw");
        worst_frame = worst_frame.max(t.elapsed());
    }
    println!(
        "filter keystroke, worst of 9: update {worst_update:?} + frame {worst_frame:?} ({} matches)",
        model.secrets().visible.len()
    );
    let t = Instant::now();
    update(
        &mut model,
        Msg::Key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)),
    );
    println!("filter backspace (full rescan): {:?}", t.elapsed());
}
