//! `kvtui secret set`: the value comes from a file or stdin, byte for byte,
//! never from the command line (argv is visible to every local user).

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::Path;

use azure_core::http::RequestContent;
use azure_security_keyvault_secrets::models::SetSecretParameters;
use secrecy::ExposeSecret;
use secrecy::SecretString;
use time::OffsetDateTime;

use super::args::SetArgs;
use super::conn::Api;
use super::exit::ScriptError;
use super::output::Out;
use crate::vault::error::{Op, classify};
use crate::vault::{NewSecret, SecretName, SecretProps, convert};

use crate::dates::Zone;
/// Key Vault's limit on a value.
pub use crate::kv_facts::MAX_VALUE_BYTES;
use crate::kv_facts::{MAX_CONTENT_TYPE_CHARS, MAX_TAG_CHARS, MAX_TAGS};

/// Reads a value from `file` (`-` or none: stdin), refusing more than 25 KiB
/// (reading stops there, so `/dev/zero` or a FIFO cannot fill memory), bytes
/// that are not UTF-8, and a terminal on stdin (a script would hang).
pub fn read_value(file: Option<&Path>) -> Result<SecretString, ScriptError> {
    let too_big = || {
        ScriptError::Usage(format!(
            "a secret value is at most {MAX_VALUE_BYTES} bytes (25 KiB)"
        ))
    };
    let buf = match file.filter(|f| f.as_os_str() != "-") {
        Some(path) => match crate::fsx::read_capped(path, MAX_VALUE_BYTES) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => return Err(too_big()),
            Err(e) => return Err(ScriptError::io(path.display(), e)),
        },
        None => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                return Err(ScriptError::Usage(
                    "the value is read from stdin or --file, and stdin is a terminal; pipe the value in (printf %s \"$VALUE\" | kvtui secret set NAME) or pass --file".into(),
                ));
            }
            match crate::fsx::read_capped_from(stdin.lock(), MAX_VALUE_BYTES) {
                Ok(b) => b,
                Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => return Err(too_big()),
                Err(e) => return Err(ScriptError::io("stdin", e)),
            }
        }
    };
    let text = std::str::from_utf8(&buf)
        .map_err(|_| ScriptError::Usage("a secret value must be UTF-8 text".into()))?;
    Ok(SecretString::from(text.to_owned()))
}

/// A date flag in the TUI's forms (RFC 3339 with or without a zone, a plain
/// date, `+12h +30d +2w +6m +1y`); a time without a zone is in `zone`.
pub fn parse_date(flag: &str, s: &str, zone: &Zone) -> Result<OffsetDateTime, ScriptError> {
    let usage = |why: String| {
        ScriptError::Usage(format!(
            "{flag} {s:?}: {why}; write YYYY-MM-DD[THH:MM[:SS]] ({}), RFC 3339 with Z or an offset, or +12h +30d +2w +6m +1y",
            zone.label()
        ))
    };
    match crate::dates::parse_date(s, OffsetDateTime::now_utc(), zone) {
        Ok(Some(t)) => Ok(t),
        Ok(None) => Err(usage("the date is empty".into())),
        Err(e) => Err(usage(
            e.trim_end_matches(" in one of the forms above").to_owned(),
        )),
    }
}

/// `KEY=VALUE` flags as a map, split at the first `=`; a key given twice is
/// refused, as the TUI's tag field refuses it.
pub fn parse_tags(raw: &[String]) -> Result<BTreeMap<String, String>, ScriptError> {
    let mut tags = BTreeMap::new();
    for t in raw {
        let (k, v) = t
            .split_once('=')
            .ok_or_else(|| ScriptError::Usage(format!("--tag {t:?}: expected KEY=VALUE")))?;
        if k.is_empty() {
            return Err(ScriptError::Usage(format!("--tag {t:?}: the key is empty")));
        }
        for (what, text) in [("key", k), ("value", v)] {
            let n = text.chars().count();
            if n > MAX_TAG_CHARS {
                return Err(ScriptError::Usage(format!(
                    "--tag: a tag {what} has {n} characters; at most {MAX_TAG_CHARS}"
                )));
            }
        }
        if tags.insert(k.to_owned(), v.to_owned()).is_some() {
            return Err(ScriptError::Usage(format!(
                "--tag: tag {k:?} is given twice; give each key once"
            )));
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(ScriptError::Usage(format!(
            "at most {MAX_TAGS} tags (got {})",
            tags.len()
        )));
    }
    Ok(tags)
}

/// A content type Key Vault takes.
pub fn check_content_type(ct: Option<&str>) -> Result<(), ScriptError> {
    match ct.map(|c| c.chars().count()) {
        Some(n) if n > MAX_CONTENT_TYPE_CHARS => Err(ScriptError::Usage(format!(
            "--content-type has {n} characters; at most {MAX_CONTENT_TYPE_CHARS}"
        ))),
        _ => Ok(()),
    }
}

/// Writes a new version; its properties come back.
pub async fn set_secret(v: &Api<'_>, new: &NewSecret) -> Result<SecretProps, ScriptError> {
    let rsp = v
        .call_patiently(Op::Set, || {
            let body: azure_core::Result<RequestContent<SetSecretParameters>> =
                convert::set_parameters(new).try_into();
            async move {
                match body {
                    Ok(body) => v.client.set_secret(new.name.as_str(), body, None).await,
                    Err(e) => Err(e),
                }
            }
        })
        .await?;
    let model = rsp
        .into_model()
        .map_err(|e| classify(&e, Op::Set, &v.host))?;
    Ok(convert::props_of_secret(&model)?)
}

/// `secret set`'s request, read and checked before any vault is opened.
pub fn prepare(args: &SetArgs, zone: &Zone) -> Result<NewSecret, ScriptError> {
    let tags = parse_tags(&args.tags)?;
    check_content_type(args.content_type.as_deref())?;
    let date = |flag: &str, d: &Option<String>| {
        d.as_deref().map(|s| parse_date(flag, s, zone)).transpose()
    };
    let not_before = date("--not-before", &args.not_before)?;
    let expires = date("--expires", &args.expires)?;
    let value = read_value(args.file.as_deref())?;
    if value.expose_secret().is_empty() && !args.allow_empty {
        return Err(ScriptError::Usage(
            "the value is empty (nothing on stdin or in --file); pass --allow-empty to set an empty value".into(),
        ));
    }
    Ok(NewSecret {
        name: args.name.clone(),
        value,
        content_type: args.content_type.clone(),
        tags,
        enabled: !args.disabled,
        not_before,
        expires,
    })
}

/// `secret set`: prints the new version's id.
pub async fn run(v: &Api<'_>, new: &NewSecret) -> Result<(), ScriptError> {
    let props = set_secret(v, new).await.map_err(|e| named(e, &new.name))?;
    let mut out = Out::new();
    out.line(&props.id)?;
    out.flush()
}

/// Reports a failure about `name` now (so a 409's hint names it), keeping its code.
pub fn named(e: ScriptError, name: &SecretName) -> ScriptError {
    super::exit::report(&e, Some(name.as_str()));
    ScriptError::Reported {
        code: e.code(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_take_the_tui_forms_and_tags_refuse_duplicates() {
        let utc = Zone::utc();
        let d = parse_date("--expires", "2027-01-31", &utc).map(|t| t.unix_timestamp());
        assert_eq!(d.ok(), Some(1_801_353_600));
        assert!(parse_date("--expires", "2027-01-31T12:00:00+02:00", &utc).is_ok());
        let local = parse_date("--expires", "2027-01-31T10:00", &utc).map(|t| t.unix_timestamp());
        assert_eq!(local.ok(), Some(1_801_353_600 + 36_000));
        let soon = parse_date("--expires", "+30d", &utc).map(|t| t - OffsetDateTime::now_utc());
        assert!(soon.is_ok_and(|d| d.whole_days() == 29 || d.whole_days() == 30));
        assert!(parse_date("--expires", "tomorrow", &utc).is_err());
        let t = parse_tags(&["a=b=c".into(), "env=".into()]).unwrap_or_default();
        assert_eq!(t.get("a").map(String::as_str), Some("b=c"));
        assert_eq!(t.get("env").map(String::as_str), Some(""));
        assert!(parse_tags(&["novalue".into()]).is_err());
        let twice = parse_tags(&["a=1".into(), "a=2".into()]);
        assert!(matches!(twice, Err(ScriptError::Usage(m)) if m.contains("twice")));
    }
}
