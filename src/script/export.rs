//! `kvtui export` and the fetching `kvtui run` shares: pick the secrets, fetch
//! their latest values (eight at a time, waiting out 429s), map the names for
//! the format, and render the file. [`export`] is the entry point for callers
//! that already hold a client (the TUI's `x`).

use std::collections::BTreeMap;

use azure_security_keyvault_secrets::SecretClient;
use futures::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use super::args::{ExportFormat, SelectArgs};
use super::conn::Api;
use super::exit::{ScriptError, report};
use super::list::{each_page, get};
use crate::vault::SecretName;

/// Values fetched at once: well under Key Vault's throttling limits.
pub const FETCH_CONCURRENCY: usize = 8;

/// The names `sel` picks: `--only` as given, else every enabled secret that is
/// not certificate-backed; either way only names starting with the prefix.
pub async fn select(api: &Api<'_>, sel: &SelectArgs) -> Result<Vec<SecretName>, ScriptError> {
    let has_prefix = |n: &str| strip(n, sel.prefix.as_deref()).is_some();
    if !sel.only.is_empty() {
        if let Some(bad) = sel.only.iter().find(|n| !has_prefix(n.as_str())) {
            return Err(ScriptError::Usage(format!(
                "--only {bad} does not start with the --prefix {:?}",
                sel.prefix.as_deref().unwrap_or("")
            )));
        }
        return Ok(sel.only.clone());
    }
    let mut names = Vec::new();
    each_page(api, |page| {
        names.extend(
            page.into_iter()
                .filter(|p| p.enabled && !p.managed && has_prefix(&p.name))
                .filter_map(|p| SecretName::parse(&p.name).ok()),
        );
        Ok(true)
    })
    .await?;
    Ok(names)
}

/// `name` without `prefix` (case-insensitive), `None` when it lacks it or is
/// nothing more.
pub fn strip<'n>(name: &'n str, prefix: Option<&str>) -> Option<&'n str> {
    let Some(p) = prefix.filter(|p| !p.is_empty()) else {
        return Some(name);
    };
    let head = name.get(..p.len())?;
    (head.eq_ignore_ascii_case(p) && name.len() > p.len()).then(|| &name[p.len()..])
}

/// The latest values of `names`, fetched [`FETCH_CONCURRENCY`] at a time, in
/// name order. Every failure is reported; the first one is returned.
pub async fn fetch(
    api: &Api<'_>,
    names: &[SecretName],
) -> Result<Vec<(SecretName, SecretString)>, ScriptError> {
    // Owned names: a future borrowing each one cannot be shown `Send` for
    // every lifetime, which the TUI's worker needs.
    let results: Vec<_> = futures::stream::iter(names.iter().cloned())
        .map(|n| async move {
            let got = get(api, &n, None).await;
            (n, got)
        })
        .buffer_unordered(FETCH_CONCURRENCY)
        .collect()
        .await;
    let mut values = Vec::with_capacity(results.len());
    let mut first: Option<ScriptError> = None;
    for (name, r) in results {
        match r {
            Ok(secret) => values.push((name, secret.value)),
            Err(e) => {
                let e = ScriptError::from(e);
                report(&e, Some(name.as_str()));
                first.get_or_insert(ScriptError::Reported {
                    code: e.code(),
                    message: e.to_string(),
                });
            }
        }
    }
    if let Some(e) = first {
        return Err(e);
    }
    values.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(values)
}

/// The key `name` gets in `format`: `env` upper-cases and turns `-` into `_`
/// (`db-password` → `DB_PASSWORD`), `dotnet` turns `--` into `:`, `json`
/// keeps it.
pub fn map_name(name: &str, format: ExportFormat) -> Result<String, ScriptError> {
    match format {
        ExportFormat::Json => Ok(name.to_owned()),
        ExportFormat::Dotnet => Ok(name.replace("--", ":")),
        ExportFormat::Env => {
            if name.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
                return Err(ScriptError::Failed(format!(
                    "{name:?} cannot be an environment variable name (it starts with a digit or '-'); leave it out with --only or --prefix"
                )));
            }
            Ok(name.to_ascii_uppercase().replace('-', "_"))
        }
    }
}

/// Keys for every value, after the prefix is cut; two names with one key is an error.
pub fn mapped(
    values: Vec<(SecretName, SecretString)>,
    format: ExportFormat,
    prefix: Option<&str>,
) -> Result<BTreeMap<String, SecretString>, ScriptError> {
    mapped_from(values, format, prefix).map(|(pairs, _)| pairs)
}

/// What [`mapped`] gives, with the secret each key came from.
pub type Origins = BTreeMap<String, String>;

/// [`mapped`], also telling which secret each key came from.
pub fn mapped_from(
    values: Vec<(SecretName, SecretString)>,
    format: ExportFormat,
    prefix: Option<&str>,
) -> Result<(BTreeMap<String, SecretString>, Origins), ScriptError> {
    let mut out: BTreeMap<String, SecretString> = BTreeMap::new();
    let mut from: BTreeMap<String, String> = BTreeMap::new();
    let mut origins = Origins::new();
    for (name, value) in values {
        let short = strip(name.as_str(), prefix)
            .ok_or_else(|| ScriptError::Usage(format!("{name} does not start with the prefix")))?;
        let key = map_name(short, format)?;
        // Environment variables and .NET keys differ by case only in theory.
        let folded = key.to_ascii_lowercase();
        if let Some(other) = from.insert(folded, name.to_string()) {
            return Err(ScriptError::Failed(format!(
                "{other} and {name} both map to {key}; leave one out with --only"
            )));
        }
        if format == ExportFormat::Env && value.expose_secret().contains('\0') {
            return Err(ScriptError::Failed(format!(
                "{name}'s value holds a NUL character, which no environment variable can"
            )));
        }
        origins.insert(key.clone(), name.to_string());
        out.insert(key, value);
    }
    Ok((out, origins))
}

/// For environment variables: values holding a NUL (which no variable can
/// hold) are left out with a warning naming them; when the user named them
/// with `--only`, that is an error instead.
pub fn without_nul(
    values: Vec<(SecretName, SecretString)>,
    named: bool,
) -> Result<Vec<(SecretName, SecretString)>, ScriptError> {
    let mut kept = Vec::with_capacity(values.len());
    for (name, value) in values {
        if !value.expose_secret().contains('\0') {
            kept.push((name, value));
        } else if named {
            return Err(ScriptError::Failed(format!(
                "{name}'s value holds a NUL character, which no environment variable can; leave it out of --only"
            )));
        } else {
            eprintln!(
                "kvtui: warning: skipped {name}: its value holds a NUL character, which no environment variable can (leave it out with --only or --prefix)"
            );
        }
    }
    Ok(kept)
}

/// The file's bytes. `env`: `KEY='value'` lines a POSIX shell sources
/// (`'` written as `'\''`); `json`/`dotnet`: one pretty JSON object.
pub fn render(pairs: &BTreeMap<String, SecretString>, format: ExportFormat) -> Zeroizing<Vec<u8>> {
    // Sized up front (JSON escapes grow a character to at most 6 bytes) so the
    // buffer never reallocates and leaves a copy behind.
    let room: usize = pairs
        .iter()
        .map(|(k, v)| 6 * (k.len() + v.expose_secret().len()) + 16)
        .sum::<usize>()
        + 8;
    let mut buf = Zeroizing::new(Vec::with_capacity(room));
    match format {
        ExportFormat::Env => {
            for (k, v) in pairs {
                buf.extend_from_slice(k.as_bytes());
                buf.extend_from_slice(b"='");
                for part in v.expose_secret().split('\'').enumerate() {
                    if part.0 > 0 {
                        buf.extend_from_slice(b"'\\''");
                    }
                    buf.extend_from_slice(part.1.as_bytes());
                }
                buf.extend_from_slice(b"'\n");
            }
        }
        ExportFormat::Json | ExportFormat::Dotnet => {
            let view: BTreeMap<&str, &str> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.expose_secret()))
                .collect();
            // Writing to a Vec cannot fail, and string maps always serialize.
            let _ = serde_json::to_writer_pretty(&mut *buf, &view);
            buf.push(b'\n');
        }
    }
    buf
}

/// The export of `names` in `format` from the vault behind `client`: what
/// `kvtui export` writes, for callers holding their own client.
pub async fn export(
    client: &SecretClient,
    names: &[SecretName],
    format: ExportFormat,
) -> Result<Zeroizing<Vec<u8>>, ScriptError> {
    let api = Api::new(client);
    let values = fetch(&api, names).await?;
    let (pairs, origins) = mapped_from(values, format, None)?;
    if format == ExportFormat::Env
        && let Some((var, secret, why)) =
            super::envguard::refused(&pairs, &origins, &[], None).first()
    {
        // An env file is for `set -a; . ./file`: the same rule as `kvtui export`.
        return Err(ScriptError::Failed(format!(
            "not exported: {var} (from secret {secret}) {why} when the file is sourced; leave {secret} out, or export as JSON"
        )));
    }
    Ok(render(&pairs, format))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(SecretName, SecretString)> {
        items
            .iter()
            .filter_map(|(n, v)| Some((SecretName::parse(n).ok()?, SecretString::from(*v))))
            .collect()
    }

    #[test]
    fn names_map_per_format() {
        let m = |n, f| map_name(n, f).ok();
        assert_eq!(
            m("db-password", ExportFormat::Env).as_deref(),
            Some("DB_PASSWORD")
        );
        assert_eq!(
            m("ConnectionStrings--Default", ExportFormat::Dotnet).as_deref(),
            Some("ConnectionStrings:Default")
        );
        assert_eq!(
            m("db-password", ExportFormat::Json).as_deref(),
            Some("db-password")
        );
        assert!(map_name("1st", ExportFormat::Env).is_err());
    }

    #[test]
    fn collisions_are_errors() {
        let r = mapped(
            pairs(&[("db-x", "1"), ("DB-X", "2")]),
            ExportFormat::Env,
            None,
        );
        assert!(matches!(r, Err(ScriptError::Failed(m)) if m.contains("both map to")));
    }

    #[test]
    fn prefixes_select_and_are_cut() {
        assert_eq!(strip("App-Db", Some("app-")), Some("Db"));
        assert_eq!(strip("other", Some("app-")), None);
        assert_eq!(strip("app-", Some("app-")), None);
        let r = mapped(
            pairs(&[("app-db-pass", "x")]),
            ExportFormat::Env,
            Some("app-"),
        );
        assert_eq!(
            r.ok().map(|m| m.keys().cloned().collect::<Vec<_>>()),
            Some(vec!["DB_PASS".to_string()])
        );
    }

    #[test]
    fn env_output_quotes_for_a_shell() {
        let m = mapped(pairs(&[("a", "it's\nok")]), ExportFormat::Env, None).unwrap_or_default();
        let out = render(&m, ExportFormat::Env);
        assert_eq!(&out[..], b"A='it'\\''s\nok'\n");
    }
}
