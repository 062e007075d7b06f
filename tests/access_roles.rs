//! `kvtui serve --access`, the real binary, through the official Rust SDK:
//! each built-in role and each access-policy permission against each secret
//! operation, a secret-scoped role, the firewall and disabled public access.

mod access_common;

use access_common::{OWNER, jwt, serve, status_of};
use azure_core::http::RequestContent;
use azure_security_keyvault_secrets::SecretClient;
use azure_security_keyvault_secrets::models::{
    RestoreSecretParameters, SecretClientListSecretPropertiesOptions, SetSecretParameters,
};
use futures::StreamExt;

const OPS: [&str; 8] = [
    "list", "get", "set", "delete", "recover", "backup", "restore", "purge",
];

/// Runs `op` against names that do not exist (so an allowed call answers 404,
/// 400 or 200, never 403): the status and inner code.
async fn run(c: &SecretClient, op: &str, tag: &str) -> (u16, Option<String>) {
    match op {
        "list" => {
            let opts = SecretClientListSecretPropertiesOptions {
                maxresults: Some(1),
                ..Default::default()
            };
            match c.list_secret_properties(Some(opts)) {
                Ok(pager) => {
                    let mut pages = std::pin::pin!(pager.into_pages());
                    match pages.next().await {
                        Some(r) => status_of(&r),
                        None => (200, None),
                    }
                }
                Err(e) => status_of::<()>(&Err(e)),
            }
        }
        "get" => status_of(&c.get_secret("absent", None).await),
        "set" => {
            let body: RequestContent<SetSecretParameters> = SetSecretParameters {
                value: Some("v".into()),
                ..Default::default()
            }
            .try_into()
            .expect("body");
            status_of(&c.set_secret(&format!("made-by-{tag}"), body, None).await)
        }
        "delete" => status_of(&c.delete_secret("absent", None).await),
        "recover" => status_of(&c.recover_deleted_secret("absent", None).await),
        "backup" => status_of(&c.backup_secret("absent", None).await),
        "restore" => {
            let body: RequestContent<RestoreSecretParameters> = RestoreSecretParameters {
                secret_backup: Some(b"not a backup".to_vec()),
            }
            .try_into()
            .expect("body");
            status_of(&c.restore_secret(body, None).await)
        }
        "purge" => status_of(&c.purge_deleted_secret("absent", None).await),
        other => panic!("no operation {other}"),
    }
}

fn oid(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

const ROLES: [(&str, &[&str]); 5] = [
    ("Reader", &[]),
    ("Key Vault Reader", &["list"]),
    ("Key Vault Secrets User", &["list", "get"]),
    ("Key Vault Secrets Officer", &OPS),
    ("Key Vault Administrator", &OPS),
];

/// One identity per role on `rbac1`, one per permission (and `all`) on `pol1`.
fn access_file() -> String {
    let mut f = String::new();
    let mut rbac = String::from("[[vault]]\nname = \"rbac1\"\nmodel = \"rbac\"\n");
    let mut pol = String::from("[[vault]]\nname = \"pol1\"\nmodel = \"access-policy\"\n");
    for (i, (role, _)) in ROLES.iter().enumerate() {
        let name = format!("role{i}");
        f += &format!(
            "[[identity]]\nname = \"{name}\"\ntoken = \"{}\"\n",
            jwt(&oid(i), None, &oid(100 + i))
        );
        rbac += &format!("[[vault.role]]\nidentity = \"{name}\"\nrole = \"{role}\"\n");
    }
    for (i, perm) in OPS.iter().chain(["all"].iter()).enumerate() {
        let name = format!("perm-{perm}");
        f += &format!("[[identity]]\nname = \"{name}\"\ntoken = \"token-of-{name}-0123456789\"\n");
        pol += &format!("[[vault.policy]]\nidentity = \"{name}\"\nsecrets = [\"{perm}\"]\n");
        let _ = i;
    }
    format!("{f}\n{rbac}\n{pol}")
}

#[tokio::test]
async fn each_role_and_each_policy_permission_against_each_operation() {
    let served = serve(&access_file());
    let mut wrong = Vec::new();
    for (i, (role, allowed)) in ROLES.iter().enumerate() {
        let c = served.client("rbac1", &jwt(&oid(i), None, &oid(100 + i)));
        for op in OPS {
            let (status, inner) = run(&c, op, &format!("role{i}")).await;
            let expect_ok = allowed.contains(&op);
            let ok = if expect_ok {
                status != 403 && status != 401 && status != 0
            } else {
                status == 403 && inner.as_deref() == Some("ForbiddenByRbac")
            };
            if !ok {
                wrong.push(format!("{role} {op}: {status} {inner:?}"));
            }
        }
    }
    for perm in OPS.iter().chain(["all"].iter()) {
        let token = format!("token-of-perm-{perm}-0123456789");
        let c = served.client("pol1", &token);
        for op in OPS {
            let (status, inner) = run(&c, op, &format!("perm-{perm}")).await;
            let expect_ok = *perm == "all" || *perm == op;
            let ok = if expect_ok {
                status != 403 && status != 401 && status != 0
            } else {
                status == 403 && inner.as_deref() == Some("AccessDenied")
            };
            if !ok {
                wrong.push(format!("policy {perm} {op}: {status} {inner:?}"));
            }
        }
    }
    // The owner keeps every right on every vault.
    let owner = served.client("pol1", OWNER);
    for op in OPS {
        let (status, _) = run(&owner, op, "owner").await;
        if status == 403 || status == 401 {
            wrong.push(format!("owner {op}: {status}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "unexpected answers:\n{}",
        wrong.join("\n")
    );
}

#[tokio::test]
async fn refusals_carry_key_vault_wording() {
    let file = format!(
        "[[identity]]\nname = \"reader\"\ntoken = \"{}\"\n\
         [[identity]]\nname = \"nobody\"\ntoken = \"nobody-token-0123456789\"\n\
         [[identity]]\nname = \"scoped\"\ntoken = \"scoped-token-0123456789\"\n\
         [[vault]]\nname = \"rbac1\"\n\
         [[vault.role]]\nidentity = \"reader\"\nrole = \"Key Vault Secrets User\"\n\
         [[vault.role]]\nidentity = \"scoped\"\nrole = \"Key Vault Secrets Officer\"\nscope = \"secret:only-this\"\n\
         [[vault]]\nname = \"pol1\"\nmodel = \"access-policy\"\n\
         [[vault.policy]]\nidentity = \"reader\"\nsecrets = [\"get\", \"list\"]\n\
         [[vault]]\nname = \"fw1\"\nfirewall = true\nallow_ips = [\"203.0.113.0/24\"]\n\
         [[vault.role]]\nidentity = \"reader\"\nrole = \"Key Vault Administrator\"\n\
         [[vault]]\nname = \"fwok\"\nfirewall = true\nallow_ips = [\"127.0.0.1\", \"::1\"]\n\
         [[vault.role]]\nidentity = \"reader\"\nrole = \"Key Vault Administrator\"\n\
         [[vault]]\nname = \"private1\"\npublic_network_access = false\n\
         [[vault.role]]\nidentity = \"reader\"\nrole = \"Key Vault Administrator\"\n",
        jwt(&oid(1), Some("ana@example.com"), &oid(2))
    );
    let served = serve(&file);
    let reader = jwt(&oid(1), Some("ana@example.com"), &oid(2));
    let raw = |vault: &str, token: &str, method: reqwest::Method, path: &str| {
        let http = served.http(vault);
        let url = format!("{}{path}?api-version=7.6", served.url(vault));
        let token = token.to_owned();
        async move {
            let rsp = http
                .request(method, url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body("{\"value\":\"v\"}")
                .send()
                .await
                .expect("an answer");
            let status = rsp.status().as_u16();
            let info = rsp
                .headers()
                .get("x-ms-keyvault-network-info")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let bytes = rsp.bytes().await.unwrap_or_default();
            let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            (status, body, info)
        }
    };
    // RBAC: the caller, the action and the resource.
    let (status, body, _) = raw("rbac1", &reader, reqwest::Method::PUT, "/secrets/Db-Pass").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "Forbidden");
    assert_eq!(body["error"]["innererror"]["code"], "ForbiddenByRbac");
    let msg = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        msg.starts_with("Caller is not authorized to perform action on resource."),
        "{msg}"
    );
    assert!(
        msg.contains(&format!(
            "Caller: name=ana@example.com;appid={};oid={};iss=https://sts.windows.net/{}/",
            oid(2),
            oid(1),
            access_common::TENANT
        )),
        "{msg}"
    );
    assert!(
        msg.contains("Action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action'"),
        "{msg}"
    );
    assert!(
        msg.contains("/providers/microsoft.keyvault/vaults/rbac1/secrets/db-pass'"),
        "{msg}"
    );
    assert!(msg.contains("Vault: rbac1;location=local"), "{msg}");
    // Access policies: the missing permission, or no policy at all.
    let (status, body, _) = raw("pol1", &reader, reqwest::Method::DELETE, "/secrets/x").await;
    assert_eq!(
        (status, body["error"]["innererror"]["code"].as_str()),
        (403, Some("AccessDenied"))
    );
    let msg = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("does not have secrets delete permission on key vault 'pol1;location=local'"),
        "{msg}"
    );
    let (status, body, _) = raw(
        "pol1",
        "nobody-token-0123456789",
        reqwest::Method::GET,
        "/secrets",
    )
    .await;
    assert_eq!(status, 403);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Caller was not found on any access policy"),
        "{body}"
    );
    // A secret-scoped role: that secret only, and no listing.
    let (status, _, _) = raw(
        "rbac1",
        "scoped-token-0123456789",
        reqwest::Method::PUT,
        "/secrets/only-this",
    )
    .await;
    assert_eq!(status, 200);
    let (status, _, _) = raw(
        "rbac1",
        "scoped-token-0123456789",
        reqwest::Method::GET,
        "/secrets/Only-This",
    )
    .await;
    assert_eq!(status, 200, "names are case-insensitive");
    let (status, _, _) = raw(
        "rbac1",
        "scoped-token-0123456789",
        reqwest::Method::GET,
        "/secrets/other",
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = raw(
        "rbac1",
        "scoped-token-0123456789",
        reqwest::Method::GET,
        "/secrets",
    )
    .await;
    assert_eq!(status, 403);
    // The firewall: refused with the caller's address in the header, unless allowed.
    let (status, body, info) = raw("fw1", &reader, reqwest::Method::GET, "/secrets").await;
    assert_eq!(
        (status, body["error"]["innererror"]["code"].as_str()),
        (403, Some("ForbiddenByFirewall"))
    );
    let info = info.unwrap_or_default();
    assert!(
        info.contains("addr=127.0.0.1;") || info.contains("addr=::1;"),
        "{info}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Client address is not authorized and caller is not a trusted service."),
        "{body}"
    );
    let (status, _, _) = raw("fwok", &reader, reqwest::Method::GET, "/secrets").await;
    assert_eq!(status, 200);
    // Public network access disabled.
    let (status, body, _) = raw("private1", &reader, reqwest::Method::GET, "/secrets").await;
    assert_eq!(
        (status, body["error"]["innererror"]["code"].as_str()),
        (403, Some("ForbiddenByConnection"))
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Public network access is disabled"),
        "{body}"
    );
    // The owner passes the firewall and the closed endpoint; an unknown token is a 401.
    let (status, _, _) = raw("private1", OWNER, reqwest::Method::GET, "/secrets").await;
    assert_eq!(status, 200);
    let (status, _, _) = raw(
        "fw1",
        "stranger-token-0123456789",
        reqwest::Method::GET,
        "/secrets",
    )
    .await;
    assert_eq!(status, 401);
    // The emulator's own endpoints (the clock) are the owner's.
    let (status, _, _) = raw("rbac1", &reader, reqwest::Method::POST, "/_kvtui/clock").await;
    assert_eq!(status, 403);
    // Vaults not in the file behave as without one.
    let (status, _, _) = raw(
        "elsewhere",
        "nobody-token-0123456789",
        reqwest::Method::PUT,
        "/secrets/x",
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_bad_access_file_stops_serve_with_its_reason() {
    let data = tempfile::tempdir().expect("temp dir");
    let file = data.path().join("access.toml");
    std::fs::write(&file, "[[identity]]\nname = \"a\"\ntoken = \"a-token-0123456789\"\n[[vault]]\nname = \"vlt1\"\n[[vault.role]]\nidentity = \"a\"\nrole = \"Key Vault Owner\"\n").expect("file");
    let out = std::process::Command::new(access_common::bin())
        .args(["serve", "--port", "0", "--in-memory"])
        .arg("--data-dir")
        .arg(data.path())
        .arg("--access")
        .arg(&file)
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown role \"Key Vault Owner\""), "{err}");
    assert!(!err.contains("a-token-0123456789"), "{err}");
}
