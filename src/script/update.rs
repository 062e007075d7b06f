//! `kvtui secret update NAME`: a version's properties, never its value. Only
//! what is given is sent (a PATCH), so a script that disables a secret leaves
//! its tags and dates as they are.

use azure_core::http::RequestContent;
use azure_security_keyvault_secrets::models::{
    SecretClientUpdateSecretPropertiesOptions, UpdateSecretPropertiesParameters,
};

use super::args::UpdateArgs;
use super::conn::Api;
use super::exit::ScriptError;
use super::output::Out;
use super::set::{check_content_type, parse_date, parse_tags};
use crate::dates::Zone;
use crate::vault::error::{ErrorKind, Op, VaultError, classify};
use crate::vault::{PropsUpdate, convert};

/// The update the flags ask for, checked before any vault is opened.
pub fn prepare(args: &UpdateArgs, zone: &Zone) -> Result<PropsUpdate, ScriptError> {
    check_content_type(args.content_type.as_deref())?;
    let date = |flag: &str, given: &Option<String>, clear: bool| {
        if clear {
            return Ok(Some(None));
        }
        given
            .as_deref()
            .map(|s| parse_date(flag, s, zone).map(Some))
            .transpose()
    };
    let update = PropsUpdate {
        enabled: match (args.enable, args.disable) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        },
        content_type: args.content_type.clone(),
        tags: if args.clear_tags {
            Some(Default::default())
        } else if args.tags.is_empty() {
            None
        } else {
            Some(parse_tags(&args.tags)?)
        },
        not_before: date("--not-before", &args.not_before, args.no_not_before)?,
        expires: date("--expires", &args.expires, args.no_expires)?,
    };
    if update == PropsUpdate::default() {
        return Err(ScriptError::Usage(
            "nothing to change: give --enable, --disable, --content-type, --tag, --clear-tags, --expires, --no-expires, --not-before or --no-not-before".into(),
        ));
    }
    if let Some(v) = args.version.as_deref()
        && !(v.len() <= 64 && !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(ScriptError::Usage(format!(
            "{v:?} is not a secret version id (letters and digits only)"
        )));
    }
    Ok(update)
}

/// Sends the update; prints the version's id.
pub async fn run(v: &Api<'_>, args: &UpdateArgs, update: &PropsUpdate) -> Result<(), ScriptError> {
    let name = args.name.as_str();
    let json = convert::update_body(update).to_string();
    let rsp = v
        .call_patiently(Op::Update, || {
            let body: RequestContent<UpdateSecretPropertiesParameters> =
                RequestContent::from(json.clone().into_bytes());
            let opts = SecretClientUpdateSecretPropertiesOptions {
                secret_version: args.version.clone(),
                ..Default::default()
            };
            v.client.update_secret_properties(name, body, Some(opts))
        })
        .await?;
    let model = rsp
        .into_model()
        .map_err(|e| classify(&e, Op::Update, &v.host))?;
    let id = model
        .id
        .ok_or_else(|| VaultError::new(ErrorKind::Other, "the vault's answer has no id"))?;
    let mut out = Out::new();
    out.line(&id)?;
    out.flush()
}
