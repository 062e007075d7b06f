//! Shared test data for the app tests: a fixed clock, a handful of secrets
//! with fixed dates, and helpers that drive `update` with key sequences.
#![allow(dead_code)]

use kvtui::app::effect::Effect;
use kvtui::app::keymap::KeySpec;
use kvtui::app::{Keymap, Model, Msg, update};
use kvtui::vault::{
    DeletedSecret, ErrorKind, ReqId, SecretName, SecretProps, VaultCmd, VaultError, VaultEvent,
    VaultEventKind, VaultRequest, WorkerInput,
};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

pub const NOW: OffsetDateTime = datetime!(2026-01-15 12:00 UTC);
pub const VAULT: &str = "https://demo.vault.azure.net";

pub fn props(name: &str) -> SecretProps {
    SecretProps {
        name: SecretName::parse(name).expect("a valid test name"),
        id: format!("{VAULT}/secrets/{name}"),
        version: None,
        enabled: true,
        content_type: None,
        created: Some(datetime!(2025-06-01 09:30 UTC)),
        updated: Some(datetime!(2025-11-20 14:05 UTC)),
        not_before: None,
        expires: None,
        tags: Default::default(),
        recovery_level: Some("Recoverable+Purgeable".into()),
        recoverable_days: Some(90),
        managed: false,
    }
}

pub fn sample_secrets() -> Vec<SecretProps> {
    let mut db = props("db-password");
    db.content_type = Some("text/plain".to_owned());
    db.tags.insert("env".to_owned(), "prod".to_owned());
    db.tags.insert("team".to_owned(), "data".to_owned());
    let mut api = props("api-key");
    api.expires = Some(NOW + Duration::days(10));
    let mut old = props("old-cert");
    old.expires = Some(datetime!(2025-12-31 00:00 UTC));
    old.content_type = Some("application/x-pem-file".to_owned());
    let mut off = props("feature-flag");
    off.enabled = false;
    let mut json = props("app-config");
    json.content_type = Some("application/json".to_owned());
    json.updated = Some(datetime!(2026-01-10 08:00 UTC));
    vec![db, api, old, off, json]
}

pub fn deleted(name: &str) -> DeletedSecret {
    DeletedSecret {
        props: props(name),
        recovery_id: Some(format!("{VAULT}/deletedsecrets/{name}")),
        deleted_date: Some(datetime!(2026-01-05 10:00 UTC)),
        scheduled_purge_date: Some(datetime!(2026-04-05 10:00 UTC)),
    }
}

pub fn event(req: ReqId, kind: VaultEventKind) -> Msg {
    Msg::Vault(VaultEvent { req, kind })
}

pub fn failure(kind: ErrorKind, status: u16, code: &str, message: &str) -> VaultEventKind {
    VaultEventKind::Failed(VaultError {
        kind,
        status: Some(status),
        code: Some(code.to_owned()),
        message: message.to_owned(),
        hint: None,
        retry_after: None,
    })
}

/// A model with the sample secrets and one deleted secret loaded.
pub fn loaded_model() -> Model {
    let mut model = Model::new(VAULT, false, Keymap::default_keymap(), NOW);
    let reqs = reqs_of(update(&mut model, Msg::Start));
    let (list, del) = (reqs[0].id, reqs[1].id);
    update(
        &mut model,
        event(list, VaultEventKind::SecretsPage(sample_secrets())),
    );
    update(
        &mut model,
        event(list, VaultEventKind::ListDone { count: 5 }),
    );
    update(
        &mut model,
        event(
            del,
            VaultEventKind::DeletedPage(vec![deleted("legacy-token")]),
        ),
    );
    update(
        &mut model,
        event(del, VaultEventKind::ListDone { count: 1 }),
    );
    update(
        &mut model,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    model
}

/// Presses keys written as in the keymap, space separated (`j j enter`);
/// returns every request emitted on the way.
pub fn press(model: &mut Model, keys: &str) -> Vec<Effect> {
    let mut out = Vec::new();
    for k in keys.split_whitespace() {
        let spec = KeySpec::parse(k).unwrap_or_else(|e| panic!("bad key in test: {e}"));
        out.extend(update(model, Msg::Key(spec.to_event())));
    }
    out
}

/// Types text character by character (spaces included).
pub fn type_text(model: &mut Model, text: &str) -> Vec<Effect> {
    let mut out = Vec::new();
    for c in text.chars() {
        let spec = KeySpec::parse(&c.to_string()).unwrap_or_else(|e| panic!("{e}"));
        out.extend(update(model, Msg::Key(spec.to_event())));
    }
    out
}

pub fn only_cmd(reqs: &[VaultRequest]) -> (ReqId, &VaultCmd) {
    assert_eq!(reqs.len(), 1, "expected one request, got {reqs:?}");
    (reqs[0].id, &reqs[0].cmd)
}

/// The requests to run among the effects `update` returned, in order.
pub fn reqs_of(effects: Vec<Effect>) -> Vec<VaultRequest> {
    kvtui::app::effect::requests(&effects)
        .into_iter()
        .cloned()
        .collect()
}

/// The requests to run among `effects`, in order.
pub fn runs(effects: &[Effect]) -> Vec<&VaultRequest> {
    kvtui::app::effect::requests(effects)
}

/// The requests to cancel among `effects`.
pub fn cancels(effects: &[Effect]) -> Vec<ReqId> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Vault {
                input: WorkerInput::Cancel(id),
                ..
            } => Some(*id),
            _ => None,
        })
        .collect()
}

/// Whether `effects` ask the program to quit.
pub fn quits(effects: &[Effect]) -> bool {
    effects.iter().any(|e| matches!(e, Effect::Quit))
}

pub fn selected_name(model: &Model) -> String {
    model
        .secrets()
        .selected_item()
        .map(|p| p.name.to_string())
        .unwrap_or_default()
}

/// What `effects` put on the clipboard, if anything.
pub fn copied(effects: Vec<Effect>) -> Option<kvtui::app::model::Clip> {
    effects.into_iter().find_map(|e| match e {
        Effect::Copy(clip) => Some(clip),
        _ => None,
    })
}

/// The requests to run among `effects`, each with the vault it goes to.
pub fn routed_runs(effects: &[Effect]) -> Vec<(usize, &VaultRequest)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Vault {
                route,
                input: WorkerInput::Run(req),
            } => Some((*route, req)),
            _ => None,
        })
        .collect()
}

/// The requests cancelled by `effects`, each with the vault it goes to.
pub fn routed_cancels(effects: &[Effect]) -> Vec<(usize, ReqId)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Vault {
                route,
                input: WorkerInput::Cancel(id),
            } => Some((*route, *id)),
            _ => None,
        })
        .collect()
}

/// The model and a vault worker, stepped: every request `update` returns goes
/// to the worker, and its answers are applied until nothing is pending.
pub struct Stepper {
    pub model: Model,
    tx: tokio::sync::mpsc::Sender<WorkerInput>,
    rx: tokio::sync::mpsc::Receiver<VaultEvent>,
}

impl Stepper {
    pub fn new(model: Model, client: azure_security_keyvault_secrets::SecretClient) -> Self {
        let (tx, rx) = kvtui::vault::spawn_worker(client, kvtui::vault::WorkerConfig::default());
        Self { model, tx, rx }
    }

    /// Hands the effects' worker inputs over, then applies answers (and
    /// hands over what they ask for) until nothing is pending.
    pub async fn run(&mut self, effects: Vec<Effect>) {
        self.send(effects).await;
        while !self.model.pending.is_empty() {
            let ev = tokio::time::timeout(std::time::Duration::from_secs(30), self.rx.recv())
                .await
                .expect("an answer in time")
                .expect("worker alive");
            let more = update(&mut self.model, Msg::Vault(ev));
            self.send(more).await;
        }
    }

    async fn send(&mut self, effects: Vec<Effect>) {
        for e in effects {
            if let Effect::Vault { input, .. } = e {
                self.tx.send(input).await.expect("worker alive");
            }
        }
    }

    pub async fn keys(&mut self, keys: &str) {
        let effects = press(&mut self.model, keys);
        self.run(effects).await;
    }

    pub async fn text(&mut self, text: &str) {
        let effects = type_text(&mut self.model, text);
        self.run(effects).await;
    }
}
