//! `kvtui import FILE --format env|json`: a plan first (create, new version,
//! unchanged, conflict with a deleted name), changes only with `--apply`.
//! Values are compared in constant time and never printed.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use futures::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

use super::args::{ImportArgs, ImportFormat};
use super::conn::Api;
use super::exit::{DELETED, ScriptError, report};
use super::export::FETCH_CONCURRENCY;
use super::list::{each_deleted_page, each_page, get};
use super::output::Out;
use super::set::{MAX_VALUE_BYTES, set_secret};
use crate::vault::{ErrorKind, NewSecret, SecretName, SecretProps};

/// Largest file read: 1,000 values of 25 KiB with room to spare.
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

/// What importing one entry would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Create,
    NewVersion,
    Unchanged,
    /// The name is deleted but recoverable: recover or purge it first.
    Conflict,
}

impl Step {
    fn label(self) -> &'static str {
        match self {
            Step::Create => "create",
            Step::NewVersion => "new version",
            Step::Unchanged => "unchanged",
            Step::Conflict => "conflict",
        }
    }
}

/// The format `--format` names, else the one the file's name says: `*.env`,
/// `.env` and `.env.*` are env files, `*.json` is JSON.
pub fn format_of(path: &Path, given: Option<ImportFormat>) -> Result<ImportFormat, ScriptError> {
    if let Some(f) = given {
        return Ok(f);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".env") || name.starts_with(".env") {
        Ok(ImportFormat::Env)
    } else if name.ends_with(".json") {
        Ok(ImportFormat::Json)
    } else {
        Err(ScriptError::Usage(format!(
            "cannot tell the format of {} from its name; pass --format env or --format json",
            path.display()
        )))
    }
}

/// The file's entries as secret names and values. `env` keys become names by
/// lower-casing and turning `_` into `-` (`DB_PASSWORD` → `db-password`).
/// Reading stops at [`MAX_FILE_BYTES`], so a FIFO or `/dev/zero` cannot fill memory.
pub fn read_entries(
    path: &Path,
    format: ImportFormat,
) -> Result<Vec<(SecretName, SecretString)>, ScriptError> {
    let bytes = match crate::fsx::read_capped(path, MAX_FILE_BYTES) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
            return Err(ScriptError::Usage(format!(
                "{} is larger than an import file may be ({} MiB)",
                path.display(),
                MAX_FILE_BYTES / (1024 * 1024)
            )));
        }
        Err(e) => return Err(ScriptError::io(path.display(), e)),
    };
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ScriptError::Usage(format!("{} is not UTF-8 text", path.display())))?;
    let raw: Vec<(String, SecretString)> = match format {
        ImportFormat::Env => super::envfile::parse(text)
            .map_err(|e| ScriptError::Usage(format!("{}: {e}", path.display())))?
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase().replace('_', "-"), v))
            .collect(),
        ImportFormat::Json => {
            let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)
                .map_err(|e| {
                    ScriptError::Usage(format!(
                        "{}: expected one JSON object of strings (line {}, column {})",
                        path.display(),
                        e.line(),
                        e.column()
                    ))
                })?;
            let mut out = Vec::with_capacity(map.len());
            for (k, v) in map {
                let serde_json::Value::String(s) = v else {
                    return Err(ScriptError::Usage(format!(
                        "{}: the value of {k:?} is not a string",
                        path.display()
                    )));
                };
                out.push((k, SecretString::from(s)));
            }
            out
        }
    };
    let mut seen = HashSet::new();
    let mut entries = Vec::with_capacity(raw.len());
    for (key, value) in raw {
        let name = SecretName::parse(&key)
            .map_err(|e| ScriptError::Usage(format!("{}: {key:?}: {e}", path.display())))?;
        if !seen.insert(key.to_ascii_lowercase()) {
            return Err(ScriptError::Usage(format!(
                "{}: {key} appears twice (names are case-insensitive)",
                path.display()
            )));
        }
        if value.expose_secret().len() > MAX_VALUE_BYTES {
            return Err(ScriptError::Usage(format!(
                "{}: the value of {key} is over 25 KiB",
                path.display()
            )));
        }
        entries.push((name, value));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

/// One entry of the plan, with the current version's properties when there is one.
pub struct Planned {
    pub name: SecretName,
    pub value: SecretString,
    pub step: Step,
    pub current: Option<SecretProps>,
}

/// Compares the file with the vault: one list of live and one of deleted
/// secrets, then the current values of the names both have, eight at a time.
pub async fn plan(
    api: &Api<'_>,
    entries: Vec<(SecretName, SecretString)>,
) -> Result<Vec<Planned>, ScriptError> {
    let mut live: HashMap<String, SecretProps> = HashMap::new();
    each_page(api, |page| {
        live.extend(page.into_iter().map(|p| (p.name.to_ascii_lowercase(), p)));
        Ok(true)
    })
    .await?;
    let mut deleted: HashSet<String> = HashSet::new();
    each_deleted_page(api, |page| {
        deleted.extend(page.into_iter().map(|d| d.props.name.to_ascii_lowercase()));
        Ok(true)
    })
    .await?;
    let steps = futures::stream::iter(entries)
        .map(|(name, value)| {
            let key = name.as_str().to_ascii_lowercase();
            let current = live.get(&key).cloned();
            let is_deleted = deleted.contains(&key);
            async move {
                let step = match &current {
                    _ if is_deleted => Step::Conflict,
                    None => Step::Create,
                    // A disabled value cannot be read, so it cannot be compared.
                    Some(p) if !p.enabled => Step::NewVersion,
                    Some(_) => match get(api, &name, None).await {
                        Ok(s) => {
                            let same: bool = s
                                .value
                                .expose_secret()
                                .as_bytes()
                                .ct_eq(value.expose_secret().as_bytes())
                                .into();
                            if same {
                                Step::Unchanged
                            } else {
                                Step::NewVersion
                            }
                        }
                        Err(e) if e.kind == ErrorKind::NotFound => Step::Create,
                        Err(e) => return Err(ScriptError::from(e)),
                    },
                };
                Ok(Planned {
                    name,
                    value,
                    step,
                    current,
                })
            }
        })
        .buffered(FETCH_CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
    steps.into_iter().collect()
}

/// `kvtui import`: prints the plan, then (with `--apply`) makes it so. Exits 5
/// when a name is deleted but recoverable, in either mode.
pub async fn run(api: &Api<'_>, args: &ImportArgs) -> Result<(), ScriptError> {
    let entries = read_entries(&args.file, format_of(&args.file, args.format)?)?;
    let planned = plan(api, entries).await?;
    let mut out = Out::new();
    let mut counts = [0usize; 4];
    for p in &planned {
        counts[p.step as usize] += 1;
        let note = match p.step {
            Step::Conflict => format!(
                "  (deleted but recoverable: `kvtui secret recover {0}` or `kvtui secret purge {0}` first)",
                p.name
            ),
            Step::NewVersion if p.current.as_ref().is_some_and(|c| !c.enabled) => {
                "  (the current version is disabled; values not compared)".into()
            }
            _ => String::new(),
        };
        out.line(&format!("{:<12} {}{note}", p.step.label(), p.name))?;
    }
    let count = crate::shown::count;
    let summary = format!(
        "{} to create, {}, {} unchanged, {}",
        counts[Step::Create as usize],
        count(
            counts[Step::NewVersion as usize],
            "new version",
            "new versions"
        ),
        counts[Step::Unchanged as usize],
        count(counts[Step::Conflict as usize], "conflict", "conflicts")
    );
    out.flush()?;
    let mut first_failure: Option<ScriptError> = None;
    if args.apply {
        for p in planned
            .iter()
            .filter(|p| matches!(p.step, Step::Create | Step::NewVersion))
        {
            // A new version keeps the current content type and tags.
            let new = NewSecret {
                name: p.name.clone(),
                value: p.value.clone(),
                content_type: p.current.as_ref().and_then(|c| c.content_type.clone()),
                tags: p
                    .current
                    .as_ref()
                    .map(|c| c.tags.to_map())
                    .unwrap_or_default(),
                enabled: true,
                not_before: None,
                expires: None,
            };
            match set_secret(api, &new).await {
                Ok(_) => {
                    let done = if p.step == Step::Create {
                        "created"
                    } else {
                        "updated"
                    };
                    out.line(&format!("{done:<12} {}", p.name))?;
                    out.flush()?;
                }
                Err(e) => {
                    report(&e, Some(p.name.as_str()));
                    first_failure.get_or_insert(ScriptError::Reported {
                        code: e.code(),
                        message: e.to_string(),
                    });
                }
            }
        }
        eprintln!("applied: {summary}");
    } else {
        eprintln!("plan: {summary}; nothing changed (run again with --apply)");
    }
    if let Some(e) = first_failure {
        return Err(e);
    }
    if counts[Step::Conflict as usize] > 0 {
        return Err(ScriptError::Reported {
            code: DELETED,
            message: "some names are deleted but recoverable".into(),
        });
    }
    Ok(())
}
