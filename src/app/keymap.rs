//! Key bindings as data: loaded from `assets/keymap.toml`, overridable from the
//! config file; the help overlay reads the same table, so it cannot drift.

use std::collections::{BTreeMap, BTreeSet};

use crossterm::event::KeyEvent;
use serde::Deserialize;

pub use super::keyspec::{KeyCodeOrd, KeySpec, KeymapError};
pub use crate::binding::{BindingSpec, Mode};

/// The default keymap, compiled in.
pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// What a key does; names match the `action` strings in the keymap file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Details,
    Back,
    Filter,
    Sort,
    SwitchView,
    New,
    NewVersion,
    Properties,
    Delete,
    Mark,
    /// Marks every row the filter shows.
    MarkAll,
    ClearMarks,
    ReverseSort,
    /// Recovers what the last delete removed, while it is offered.
    Undo,
    /// Mouse capture off (the terminal selects text) or back on.
    ToggleMouse,
    /// Pin a vault in the picker (or unpin it).
    Pin,
    ShowValue,
    /// Scroll the details' properties (a small screen cuts them).
    PropsDown,
    PropsUp,
    /// Raw value / JSON re-indented, in the details view.
    TogglePretty,
    /// The properties as JSON (`az … -o json`), in the details view.
    RawProperties,
    CopyValue,
    CopyId,
    /// Compare the selected version with the current one (or two marked).
    Compare,
    /// Make the selected version current again (a new version with its value).
    MakeCurrent,
    /// Enable or disable the selected version.
    ToggleEnabled,
    Recover,
    Purge,
    Backup,
    Restore,
    Refresh,
    Vaults,
    /// Show or hide certificate-backed secrets.
    ToggleManaged,
    /// The Expiring tab also lists enabled secrets with no expiry date.
    ToggleNoExpiry,
    /// Find a secret by name, tag or content type in every open, pinned and recent vault.
    FindEverywhere,
    /// Compare this vault with another (`c`).
    CompareVaults,
    /// Copy the marked rows of a vault comparison to the target, through a plan.
    CopyAcross,
    /// Expired and expiring secrets of every open vault.
    ExpiringEverywhere,
    /// Edit the value in `$VISUAL` / `$EDITOR`.
    EditInEditor,
    HalfPageDown,
    HalfPageUp,
    CopyName,
    Help,
    Errors,
    /// The access doctor: who you are, what you may do in this vault, the fixes.
    Access,
    Quit,
    Submit,
    NextField,
    PrevField,
    RevealValue,
    Export,
    Confirm,
    Cancel,
    /// Hide the first-run line about the sample vault for good.
    DismissWelcome,
}

/// The action name that removes keys in a config override.
const UNBIND: &str = "unbind";

#[derive(Deserialize)]
struct KeymapFile {
    bindings: Vec<BindingSpec>,
}

/// One row of the help overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpEntry {
    pub keys: Vec<KeySpec>,
    pub action: Action,
    pub desc: String,
    pub hint: Option<String>,
    /// Place in the keymap file; hints follow it across inherited modes.
    pub order: usize,
}

/// Bindings per mode, plus the descriptions in file order for help.
#[derive(Debug, Clone)]
pub struct Keymap {
    map: BTreeMap<(Mode, KeySpec), Action>,
    /// Keys a config unbound in a mode: the lookup stops there instead of
    /// falling through to the parent mode.
    unbound: BTreeSet<(Mode, KeySpec)>,
    help: BTreeMap<Mode, Vec<HelpEntry>>,
}

impl Keymap {
    /// The compiled-in keymap with the default settings; a broken asset is a
    /// build mistake caught by tests.
    pub fn default_keymap() -> Self {
        Self::configured(crate::config::DEFAULT_CLIPBOARD_CLEAR_SECS)
    }

    /// The compiled-in keymap, its help showing the configured clipboard
    /// clear delay.
    pub fn configured(clipboard_clear_secs: u64) -> Self {
        let mut km = Self::from_toml(DEFAULT_KEYMAP).unwrap_or_else(|_| Self::empty());
        km.fill("clipboard_clear", &format!("{clipboard_clear_secs} s"));
        km
    }

    fn empty() -> Self {
        Self {
            map: BTreeMap::new(),
            unbound: BTreeSet::new(),
            help: BTreeMap::new(),
        }
    }

    pub fn from_toml(text: &str) -> Result<Self, KeymapError> {
        let file: KeymapFile =
            toml::from_str(text).map_err(|e| KeymapError::Parse(e.to_string()))?;
        let mut km = Self::empty();
        for (order, b) in file.bindings.into_iter().enumerate() {
            let action = parse_action(&b.action)
                .ok_or_else(|| KeymapError::Parse(format!("unknown action {:?}", b.action)))?;
            let keys = b
                .keys
                .iter()
                .map(|k| KeySpec::parse(k))
                .collect::<Result<Vec<_>, _>>()?;
            for k in &keys {
                km.map.insert((b.mode, *k), action);
            }
            km.help.entry(b.mode).or_default().push(HelpEntry {
                keys,
                action,
                desc: b.desc.unwrap_or_default(),
                hint: b.hint,
                order,
            });
        }
        Ok(km)
    }

    /// Applies config overrides. Each adds its keys to its action in its
    /// mode; `replace = true` drops the action's other keys there first, and
    /// the action `"unbind"` removes keys. Unknown actions, bad keys and
    /// keys taken from another action come back as warnings.
    pub fn apply_overrides(&mut self, overrides: &[BindingSpec]) -> Vec<String> {
        let mut warnings = Vec::new();
        for o in overrides {
            let mut keys = Vec::new();
            for k in &o.keys {
                match KeySpec::parse(k) {
                    Ok(spec) => keys.push(spec),
                    Err(e) => warnings.push(format!("keymap: {e} ignored")),
                }
            }
            if o.action == UNBIND {
                for k in keys {
                    self.unbind(o.mode, k);
                }
                continue;
            }
            let Some(action) = parse_action(&o.action) else {
                warnings.push(format!("keymap: unknown action {:?} ignored", o.action));
                continue;
            };
            if keys.is_empty() {
                continue;
            }
            if o.replace {
                let old: Vec<KeySpec> = self
                    .map
                    .iter()
                    .filter(|((m, _), a)| *m == o.mode && **a == action)
                    .map(|((_, k), _)| *k)
                    .collect();
                for k in old {
                    self.unbind(o.mode, k);
                }
            }
            for k in &keys {
                if let Some(old) = self.lookup(o.mode, *k)
                    && old != action
                {
                    warnings.push(format!(
                        "keymap: {k} in {} was {old:?}, now {action:?}",
                        o.mode.title()
                    ));
                    self.unbind(o.mode, *k);
                }
                self.unbound.remove(&(o.mode, *k));
                self.map.insert((o.mode, *k), action);
            }
            warnings.extend(self.shadowed(o.mode, &keys, action));
            let entries = self.help.entry(o.mode).or_default();
            match entries.iter_mut().find(|e| e.action == action) {
                Some(e) => {
                    for k in keys {
                        if !e.keys.contains(&k) {
                            e.keys.push(k);
                        }
                    }
                    if let Some(d) = &o.desc {
                        e.desc = d.clone();
                    }
                }
                None => entries.push(HelpEntry {
                    keys,
                    action,
                    desc: o.desc.clone().unwrap_or_default(),
                    hint: o.hint.clone(),
                    order: usize::MAX,
                }),
            }
        }
        warnings
    }

    /// Warnings for `keys` bound to `action` in `mode` that a mode inheriting
    /// from it binds to something else (or unbinds): there they do not reach.
    fn shadowed(&self, mode: Mode, keys: &[KeySpec], action: Action) -> Vec<String> {
        let mut out = Vec::new();
        for k in keys {
            for child in Mode::ALL {
                if child == mode || !child.chain().any(|m| m == mode) {
                    continue;
                }
                let what = match self.lookup(child, *k) {
                    Some(a) if a == action => continue,
                    Some(a) => format!("{a:?}"),
                    None => "unbound".to_owned(),
                };
                out.push(format!(
                    "keymap: {k} for {action:?} in {} does nothing in {}, where it is {what}",
                    mode.title(),
                    child.title()
                ));
            }
        }
        out
    }

    /// What help lists under `mode` while `context` is on screen: the mode's
    /// own entries, each with only the keys that still run it there (and,
    /// for a mode `context` inherits, in `context` too), so an unbound key
    /// leaves help as well.
    pub fn help_in(&self, mode: Mode, context: Mode) -> Vec<HelpEntry> {
        let inherited = context.chain().any(|m| m == mode);
        self.help(mode)
            .iter()
            .filter_map(|e| {
                let keys: Vec<KeySpec> = e
                    .keys
                    .iter()
                    .copied()
                    .filter(|k| {
                        self.lookup(mode, *k) == Some(e.action)
                            && (!inherited || self.lookup(context, *k) == Some(e.action))
                    })
                    .collect();
                (!keys.is_empty()).then(|| HelpEntry { keys, ..e.clone() })
            })
            .collect()
    }

    /// Takes `key` away in `mode`, also from what `mode` inherits.
    fn unbind(&mut self, mode: Mode, key: KeySpec) {
        self.map.remove(&(mode, key));
        self.unbound.insert((mode, key));
        if let Some(entries) = self.help.get_mut(&mode) {
            for e in entries.iter_mut() {
                e.keys.retain(|x| *x != key);
            }
        }
    }

    /// Puts configured values into the descriptions (`{clipboard_clear}` in
    /// the keymap file), so help shows what this run does.
    pub fn fill(&mut self, placeholder: &str, value: &str) {
        let needle = format!("{{{placeholder}}}");
        for e in self.help.values_mut().flatten() {
            if e.desc.contains(&needle) {
                e.desc = e.desc.replace(&needle, value);
            }
        }
    }

    /// The action `key` runs in `mode`, looked up through its parents.
    pub fn action(&self, mode: Mode, key: &KeyEvent) -> Option<Action> {
        let spec = KeySpec::from_event(key)?;
        self.lookup(mode, spec).or_else(|| {
            // Shifted letters arrive with SHIFT set and an uppercase char; the
            // spec ignores shift, so nothing more to try. Ctrl-letters may
            // arrive uppercase from some terminals.
            if let KeyCodeOrd::Char(c) = spec.code
                && spec.ctrl
            {
                let lower = KeySpec {
                    code: KeyCodeOrd::Char(c.to_ascii_lowercase()),
                    ..spec
                };
                return self.lookup(mode, lower);
            }
            None
        })
    }

    fn lookup(&self, mode: Mode, spec: KeySpec) -> Option<Action> {
        for m in mode.chain() {
            if self.unbound.contains(&(m, spec)) {
                return None;
            }
            if let Some(a) = self.map.get(&(m, spec)) {
                return Some(*a);
            }
        }
        None
    }

    /// The bindings written for `mode` itself, in file order (help sections).
    pub fn help(&self, mode: Mode) -> &[HelpEntry] {
        self.help.get(&mode).map(Vec::as_slice).unwrap_or(&[])
    }

    /// What works in `mode`: its own bindings and those it inherits, each with
    /// only the keys that still reach it there.
    pub fn effective(&self, mode: Mode) -> Vec<HelpEntry> {
        let mut out: Vec<HelpEntry> = Vec::new();
        for m in mode.chain() {
            for e in self.help(m) {
                if out.iter().any(|o| o.action == e.action) {
                    continue;
                }
                let keys: Vec<KeySpec> = e
                    .keys
                    .iter()
                    .copied()
                    .filter(|k| self.lookup(mode, *k) == Some(e.action))
                    .collect();
                if !keys.is_empty() {
                    out.push(HelpEntry { keys, ..e.clone() });
                }
            }
        }
        out
    }

    /// The first key bound to an action, for hints like "press s to show".
    pub fn key_for(&self, mode: Mode, action: Action) -> Option<KeySpec> {
        self.effective(mode)
            .iter()
            .find(|e| e.action == action)
            .and_then(|e| e.keys.first().copied())
    }

    /// The on-screen hints of `mode`: each binding with a `hint`, as data
    /// (keys, label, priority), in keymap file order.
    pub fn hints(&self, mode: Mode) -> Vec<Hint> {
        let mut entries = self.effective(mode);
        entries.sort_by_key(|e| e.order);
        entries
            .into_iter()
            .filter_map(|e| {
                let label = e.hint?;
                let keys: Vec<String> = e.keys.iter().take(2).map(ToString::to_string).collect();
                Some(Hint {
                    action: e.action,
                    keys: keys.join("/"),
                    label,
                    priority: HintPriority::of(e.action),
                })
            })
            .collect()
    }
}

/// How readily a hint leaves a footer too narrow for all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HintPriority {
    /// Dropped first: toggles and moves that help (`?`) lists anyway.
    Low,
    Normal,
    /// Never dropped: help and quit, the way to everything else and out.
    Always,
}

impl HintPriority {
    pub fn of(action: Action) -> Self {
        match action {
            Action::Help | Action::Quit => HintPriority::Always,
            Action::ToggleMouse
            | Action::ToggleManaged
            | Action::ToggleNoExpiry
            | Action::ReverseSort
            | Action::Pin
            | Action::Errors
            | Action::HalfPageDown
            | Action::HalfPageUp
            | Action::PropsDown
            | Action::PropsUp
            | Action::DismissWelcome => HintPriority::Low,
            _ => HintPriority::Normal,
        }
    }
}

/// One on-screen key hint: `keys` (accented) and what they do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub action: Action,
    pub keys: String,
    pub label: String,
    pub priority: HintPriority,
}

impl Hint {
    /// `Enter details`, as one piece of a hint line.
    pub fn text(&self) -> String {
        format!("{} {}", self.keys, self.label)
    }
}

fn parse_action(name: &str) -> Option<Action> {
    #[derive(Deserialize)]
    struct W {
        a: Action,
    }
    toml::from_str::<W>(&format!("a = {name:?}"))
        .ok()
        .map(|w| w.a)
}
