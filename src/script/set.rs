//! `kvtui secret set`: the value comes from a file or stdin, byte for byte,
//! never from the command line (argv is visible to every local user).

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read};
use std::path::Path;

use azure_core::http::RequestContent;
use azure_security_keyvault_secrets::models::SetSecretParameters;
use secrecy::SecretString;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

use super::args::SetArgs;
use super::conn::Api;
use super::exit::ScriptError;
use super::output::Out;
use crate::vault::error::{Op, classify};
use crate::vault::{NewSecret, SecretName, SecretProps, convert};

use crate::kv_facts::MAX_TAGS;
/// Key Vault's limit on a value.
pub use crate::kv_facts::MAX_VALUE_BYTES;

/// Reads a value from `file` (`-` or none: stdin), refusing more than 25 KiB,
/// bytes that are not UTF-8, and a terminal on stdin (a script would hang).
pub fn read_value(file: Option<&Path>) -> Result<SecretString, ScriptError> {
    let mut buf = Zeroizing::new(Vec::new());
    let limit = MAX_VALUE_BYTES as u64 + 1;
    match file.filter(|f| f.as_os_str() != "-") {
        Some(path) => {
            let f = std::fs::File::open(path).map_err(|e| ScriptError::io(path.display(), e))?;
            f.take(limit)
                .read_to_end(&mut buf)
                .map_err(|e| ScriptError::io(path.display(), e))?;
        }
        None => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                return Err(ScriptError::Usage(
                    "the value is read from stdin or --file, and stdin is a terminal; pipe the value in (printf %s \"$VALUE\" | kvtui secret set NAME) or pass --file".into(),
                ));
            }
            stdin
                .lock()
                .take(limit)
                .read_to_end(&mut buf)
                .map_err(|e| ScriptError::io("stdin", e))?;
        }
    }
    if buf.len() > MAX_VALUE_BYTES {
        return Err(ScriptError::Usage(format!(
            "a secret value is at most {MAX_VALUE_BYTES} bytes (25 KiB)"
        )));
    }
    let text = std::str::from_utf8(&buf)
        .map_err(|_| ScriptError::Usage("a secret value must be UTF-8 text".into()))?;
    Ok(SecretString::from(text.to_owned()))
}

/// `2027-01-31T12:00:00Z` (any offset) or `2027-01-31` (midnight UTC).
pub fn parse_date(flag: &str, s: &str) -> Result<OffsetDateTime, ScriptError> {
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt)
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| {
            ScriptError::Usage(format!(
                "{flag} {s:?}: expected a date (2027-01-31) or RFC 3339 time (2027-01-31T12:00:00Z)"
            ))
        })
}

/// `KEY=VALUE` flags as a map, split at the first `=`.
pub fn parse_tags(raw: &[String]) -> Result<BTreeMap<String, String>, ScriptError> {
    let mut tags = BTreeMap::new();
    for t in raw {
        let (k, v) = t
            .split_once('=')
            .ok_or_else(|| ScriptError::Usage(format!("--tag {t:?}: expected KEY=VALUE")))?;
        if k.is_empty() {
            return Err(ScriptError::Usage(format!("--tag {t:?}: the key is empty")));
        }
        tags.insert(k.to_owned(), v.to_owned());
    }
    if tags.len() > MAX_TAGS {
        return Err(ScriptError::Usage(format!(
            "at most {MAX_TAGS} tags (got {})",
            tags.len()
        )));
    }
    Ok(tags)
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

/// `secret set`: prints the new version's id.
pub async fn run(v: &Api<'_>, args: &SetArgs) -> Result<(), ScriptError> {
    let new = NewSecret {
        name: args.name.clone(),
        value: read_value(args.file.as_deref())?,
        content_type: args.content_type.clone(),
        tags: parse_tags(&args.tags)?,
        enabled: !args.disabled,
        not_before: args
            .not_before
            .as_deref()
            .map(|s| parse_date("--not-before", s))
            .transpose()?,
        expires: args
            .expires
            .as_deref()
            .map(|s| parse_date("--expires", s))
            .transpose()?,
    };
    let props = set_secret(v, &new).await.map_err(|e| named(e, &new.name))?;
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
    fn dates_and_tags_parse() {
        let d = parse_date("--expires", "2027-01-31").map(|t| t.unix_timestamp());
        assert_eq!(d.ok(), Some(1_801_353_600));
        assert!(parse_date("--expires", "2027-01-31T12:00:00+02:00").is_ok());
        assert!(parse_date("--expires", "tomorrow").is_err());
        let t = parse_tags(&["a=b=c".into(), "env=".into()]).unwrap_or_default();
        assert_eq!(t.get("a").map(String::as_str), Some("b=c"));
        assert_eq!(t.get("env").map(String::as_str), Some(""));
        assert!(parse_tags(&["novalue".into()]).is_err());
    }
}
