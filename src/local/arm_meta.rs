//! What the Azure CLI asks Resource Manager beyond discovery: the cloud's
//! endpoints (`az cloud register`, no token) and the generic resource list
//! `az keyvault list` filters to vaults.

use super::api::ApiResult;
use super::errors::ApiError;
use super::host::HostInfo;

/// True for `GET /metadata/endpoints`, answered without a token as Azure does.
pub(super) fn is_metadata(method: &str, path: &str) -> bool {
    (method == "GET" || method == "HEAD")
        // `az cloud register` with an endpoint ending in `/` asks `//metadata/endpoints`.
        && path
            .trim_matches('/')
            .eq_ignore_ascii_case("metadata/endpoints")
}

/// The endpoints of the local "cloud": Resource Manager and vaults here (the
/// Key Vault suffix carries the port), the token audience the management host. api-versions from 2019 answer the
/// list form (one cloud), older ones the single object.
pub(super) fn metadata(host: &HostInfo, query: Option<&str>, vault_suffix: &str) -> ApiResult {
    let arm = format!("{}/", host.base_url.trim_end_matches('/'));
    let version = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "api-version")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let auth = serde_json::json!({
        "loginEndpoint": arm,
        "audiences": [arm],
        "tenant": "common",
        "identityProvider": "AAD",
    });
    // With the port, `az keyvault … --vault-name NAME` builds `https://NAME.localhost:PORT`.
    let port = host.port.filter(|p| *p != 443);
    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
    let keyvault_dns = format!(".{vault_suffix}{port}");
    let cloud = serde_json::json!({
        "name": "KvtuiLocal",
        "resourceManager": arm,
        "authentication": auth,
        "portal": arm,
        "gallery": arm,
        "graph": arm,
        "graphAudience": arm,
        "media": arm,
        "activeDirectoryDataLake": arm,
        "batch": arm,
        "sqlManagement": arm,
        "vmImageAliasDoc": "",
        "microsoftGraphResourceId": arm,
        "suffixes": {
            "keyVaultDns": keyvault_dns,
            "storage": "core.windows.net",
            "sqlServerHostname": ".database.windows.net",
            "acrLoginServer": ".azurecr.io",
        },
    });
    // As Azure: 2019 versions list every cloud, later ones (the Azure CLI
    // asks 2022-09-01) answer this cloud alone, older ones the first shape.
    let body = if version.as_str() >= "2020" {
        cloud
    } else if version.as_str() >= "2019" {
        serde_json::json!([cloud])
    } else {
        serde_json::json!({
            "galleryEndpoint": arm,
            "graphEndpoint": arm,
            "portalEndpoint": arm,
            "authentication": auth,
        })
    };
    super::api::json(&body)
}

/// `$filter` of `/subscriptions/{id}/resources`: true when it asks for vaults
/// (or for everything); other resource types have none here.
pub(super) fn filter_wants_vaults(query: Option<&str>) -> Result<bool, ApiError> {
    let filter = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "$filter")
        .map(|(_, v)| v.into_owned());
    let Some(filter) = filter else {
        return Ok(true);
    };
    let f = filter.to_ascii_lowercase();
    let Some(rest) = f.trim().strip_prefix("resourcetype eq ") else {
        return Err(ApiError::bad(format!(
            "The $filter '{}' is not supported by the local vault; use resourceType eq 'Microsoft.KeyVault/vaults'.",
            filter.escape_debug()
        )));
    };
    Ok(rest.trim().trim_matches('\'') == "microsoft.keyvault/vaults")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vault_filter_is_told_from_others() {
        let q = |f: &str| format!("api-version=2021-04-01&$filter={}", urlencode(f));
        fn urlencode(s: &str) -> String {
            url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
        }
        assert!(
            filter_wants_vaults(Some(&q("resourceType eq 'Microsoft.KeyVault/vaults'"))).unwrap()
        );
        assert!(
            !filter_wants_vaults(Some(&q(
                "resourceType eq 'Microsoft.Storage/storageAccounts'"
            )))
            .unwrap()
        );
        assert!(filter_wants_vaults(None).unwrap());
        assert!(filter_wants_vaults(Some(&q("name eq 'x'"))).is_err());
    }
}
