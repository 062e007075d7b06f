//! The properties as JSON, shaped as `az keyvault secret show -o json`
//! prints them without the value (`o` in details): what a script would see.

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::vault::SecretProps;

/// Pretty JSON of `p`'s properties; never the value.
pub fn raw_properties(p: &SecretProps) -> String {
    let date = |d: Option<OffsetDateTime>| -> Value {
        d.and_then(|d| d.format(&Rfc3339).ok())
            .map_or(Value::Null, Value::String)
    };
    let tags: serde_json::Map<String, Value> = p
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let doc = json!({
        "attributes": {
            "created": date(p.created),
            "enabled": p.enabled,
            "expires": date(p.expires),
            "notBefore": date(p.not_before),
            "recoverableDays": p.recoverable_days,
            "recoveryLevel": p.recovery_level.as_deref(),
            "updated": date(p.updated),
        },
        "contentType": p.content_type,
        "id": p.id,
        "managed": p.managed.then_some(true),
        "name": p.name.as_str(),
        "tags": tags,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}
