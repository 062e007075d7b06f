//! `kvtui doctor` against `kvtui serve --access`, both the real binary: the
//! matrix and the fixes for several identities, Resource Manager's view, the
//! probe path when Resource Manager cannot be read, and acting as another
//! identity with KVTUI_TOKEN or --token-file.

mod access_common;

use access_common::{OWNER, jwt, serve};
use serde_json::Value;

fn oid(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

fn file() -> String {
    let id =
        |name: &str, token: &str| format!("[[identity]]\nname = \"{name}\"\ntoken = \"{token}\"\n");
    let role = |who: &str, role: &str| {
        format!("[[vault.role]]\nidentity = \"{who}\"\nrole = \"{role}\"\n")
    };
    [
        id(
            "officer",
            &jwt(&oid(1), Some("olga@example.com"), &oid(901)),
        ),
        id("user", &jwt(&oid(2), None, &oid(902))),
        id(
            "kvreader",
            &jwt(&oid(3), Some("kim@example.com"), &oid(903)),
        ),
        id("polreader", &jwt(&oid(4), None, &oid(904))),
        id("nopol", "nopol-opaque-token-0123456789"),
        "[[vault]]\nname = \"rbac1\"\nmodel = \"rbac\"\n".to_owned(),
        role("officer", "Key Vault Secrets Officer"),
        role("user", "Key Vault Secrets User"),
        role("kvreader", "Key Vault Reader"),
        "[[vault]]\nname = \"pol1\"\nmodel = \"access-policy\"\n".to_owned(),
        role("polreader", "Reader"),
        "[[vault.policy]]\nidentity = \"polreader\"\nsecrets = [\"get\", \"list\"]\n".to_owned(),
        "[[vault]]\nname = \"fw1\"\nfirewall = true\nallow_ips = [\"203.0.113.7\"]\n".to_owned(),
        role("officer", "Key Vault Administrator"),
    ]
    .concat()
}

/// `kvtui doctor --vault URL -o json` as the identity holding `token`: exit code and report.
fn doctor(s: &access_common::Served, vault: &str, token: &str) -> (i32, Value) {
    let url = s.url(vault);
    let out = s.kvtui(
        &["doctor", "--vault", &url, "-o", "json"],
        &[("KVTUI_TOKEN", token)],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let report = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}: {text}\n{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), report)
}

fn row<'a>(r: &'a Value, op: &str) -> &'a Value {
    r["operations"]
        .as_array()
        .and_then(|rows| rows.iter().find(|row| row["operation"] == op))
        .unwrap_or_else(|| panic!("no row {op} in {r}"))
}

fn verdicts(r: &Value) -> Vec<String> {
    r["operations"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|row| {
                    format!(
                        "{}={}",
                        row["operation"].as_str().unwrap_or("?"),
                        row["verdict"].as_str().unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_doctor_explains_each_identity() {
    let s = serve(&file());
    let vault_id = |v: &str| {
        format!(
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/local/providers/Microsoft.KeyVault/vaults/{v}"
        )
    };

    // A Secrets Officer: everything, learnt from Resource Manager.
    let (code, r) = doctor(
        &s,
        "rbac1",
        &jwt(&oid(1), Some("olga@example.com"), &oid(901)),
    );
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["whoami"]["user"], "olga@example.com");
    assert_eq!(r["whoami"]["object_id"], oid(1));
    assert_eq!(r["whoami"]["tenant_id"], access_common::TENANT);
    assert!(
        r["whoami"]["credential"]
            .as_str()
            .unwrap_or_default()
            .contains("KVTUI_TOKEN"),
        "{r}"
    );
    assert_eq!(r["vault"]["model"], "rbac");
    assert_eq!(r["vault"]["resource_id"], vault_id("rbac1"));
    assert_eq!(r["vault"]["public_network_access"], true);
    assert_eq!(r["vault"]["firewall"], false);
    assert!(
        verdicts(&r).iter().all(|v| v.ends_with("=allowed")),
        "{:?}",
        verdicts(&r)
    );
    assert_eq!(row(&r, "purge")["source"], "arm-permissions");

    // Key Vault Reader: lists, but get and the writes are denied, each with its role and command.
    let (code, r) = doctor(
        &s,
        "rbac1",
        &jwt(&oid(3), Some("kim@example.com"), &oid(903)),
    );
    assert_eq!(code, 4, "{r}");
    assert_eq!(row(&r, "list")["verdict"], "allowed");
    let get = row(&r, "get");
    assert_eq!(get["verdict"], "denied");
    assert_eq!(
        get["needs"],
        "Microsoft.KeyVault/vaults/secrets/getSecret/action"
    );
    assert_eq!(get["grant"], "role Key Vault Secrets User");
    assert_eq!(
        get["fix"],
        format!(
            "az role assignment create --role \"Key Vault Secrets User\" --assignee {} --scope {}",
            oid(3),
            vault_id("rbac1")
        )
    );
    let set = row(&r, "set");
    assert_eq!(
        set["needs"],
        "Microsoft.KeyVault/vaults/secrets/setSecret/action"
    );
    assert!(
        set["fix"]
            .as_str()
            .unwrap_or_default()
            .contains("--role \"Key Vault Secrets Officer\""),
        "{set}"
    );

    // Secrets User has no control-plane role: Resource Manager is unreadable, so two probes decide.
    let (code, r) = doctor(&s, "rbac1", &jwt(&oid(2), None, &oid(902)));
    assert_eq!(code, 0, "{r}");
    assert!(
        r["vault"]["resource_manager"]
            .as_str()
            .unwrap_or_default()
            .starts_with("unreadable: 403 AuthorizationFailed"),
        "{r}"
    );
    assert_eq!(row(&r, "list")["source"], "probe");
    assert_eq!(row(&r, "get")["verdict"], "allowed");
    assert_eq!(row(&r, "set")["verdict"], "unknown");
    assert_eq!(row(&r, "set")["source"], "not-probed");

    // Access policies read from Resource Manager: set is missing, and the fix keeps get and list.
    let (code, r) = doctor(&s, "pol1", &jwt(&oid(4), None, &oid(904)));
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["vault"]["model"], "access-policy");
    let set = row(&r, "set");
    assert_eq!(
        (set["verdict"].as_str(), set["source"].as_str()),
        (Some("denied"), Some("arm-access-policies"))
    );
    assert_eq!(set["needs"], "secrets/set");
    assert_eq!(
        set["fix"],
        format!(
            "az keyvault set-policy --name pol1 --object-id {} --secret-permissions get list set",
            oid(4)
        )
    );

    // No policy, no role, an opaque token: the probes are refused, and the refusal names the caller.
    let (code, r) = doctor(&s, "pol1", "nopol-opaque-token-0123456789");
    assert_eq!(code, 4, "{r}");
    assert_eq!(r["whoami"]["opaque"], true);
    assert_eq!(r["vault"]["model"], "access-policy");
    let list = row(&r, "list");
    assert_eq!(
        (list["verdict"].as_str(), list["source"].as_str()),
        (Some("denied"), Some("probe"))
    );
    let made_up = kvtui::kv_access::made_up_object_id("nopol");
    assert_eq!(
        list["fix"],
        format!(
            "az keyvault set-policy --name pol1 --object-id {made_up} --secret-permissions list"
        )
    );

    // The firewall refuses everything; the fix names the address the vault saw.
    let (code, r) = doctor(
        &s,
        "fw1",
        &jwt(&oid(1), Some("olga@example.com"), &oid(901)),
    );
    assert_eq!(code, 4, "{r}");
    let seen = r["vault"]["my_address"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(seen == "127.0.0.1" || seen == "::1", "{r}");
    assert_eq!(r["vault"]["allowed_ips"][0], "203.0.113.7");
    let get = row(&r, "get");
    assert_eq!(
        (get["verdict"].as_str(), get["source"].as_str()),
        (Some("denied"), Some("network"))
    );
    assert_eq!(
        get["fix"],
        format!("az keyvault network-rule add --name fw1 --ip-address {seen}")
    );

    // The text report says the same for people.
    let out = s.kvtui(
        &["doctor", "--vault", &s.url("rbac1")],
        &[(
            "KVTUI_TOKEN",
            &jwt(&oid(3), Some("kim@example.com"), &oid(903)),
        )],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("model          Azure RBAC"), "{text}");
    assert!(
        text.contains("  set      DENIED   Resource Manager permissions"),
        "{text}"
    );
    assert!(
        text.contains("az role assignment create --role \"Key Vault Secrets Officer\""),
        "{text}"
    );
}

#[test]
fn clients_act_as_another_identity() {
    let s = serve(&file());
    let url = s.url("pol1");
    // The data dir's token is the owner's: everything works.
    let out = s.kvtui(&["secret", "list", "--vault", &url], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // As an identity without a policy: refused with exit 4 and the missing permission.
    let out = s.kvtui(
        &["secret", "list", "--vault", &url],
        &[("KVTUI_TOKEN", "nopol-opaque-token-0123456789")],
    );
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("secrets/list"), "{err}");
    // --token-file does the same from a file, and wins over KVTUI_TOKEN.
    let tf = s.data_dir().join("polreader.token");
    std::fs::write(&tf, jwt(&oid(4), None, &oid(904))).expect("token file");
    let tf = tf.to_string_lossy().into_owned();
    let out = s.kvtui(
        &["secret", "list", "--vault", &url, "--token-file", &tf],
        &[("KVTUI_TOKEN", "nopol-opaque-token-0123456789")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = OWNER;
}

#[tokio::test]
async fn resource_manager_shows_the_vaults_authorization() {
    let s = serve(&file());
    let base = format!("https://management.localhost:{}", s.port);
    let http = {
        let url = url::Url::parse(&base).expect("url");
        kvtui::local::client::local_http_client(&url, &s.ca()).expect("http")
    };
    let get = |path: String, token: String| {
        let http = http.clone();
        let url = format!("{base}{path}");
        async move {
            let rsp = http
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("an answer");
            let status = rsp.status().as_u16();
            let body: Value =
                serde_json::from_slice(&rsp.bytes().await.unwrap_or_default()).unwrap_or_default();
            (status, body)
        }
    };
    let id = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/local/providers/Microsoft.KeyVault/vaults";
    let kim = jwt(&oid(3), Some("kim@example.com"), &oid(903));
    // The vault resource: model, policies, network rules, public access.
    let (status, v) = get(
        format!("{id}/pol1?api-version=2023-07-01"),
        OWNER.to_owned(),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["properties"]["enableRbacAuthorization"], false);
    let policies = v["properties"]["accessPolicies"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        policies.iter().any(|p| p["objectId"] == oid(4)
            && p["permissions"]["secrets"] == serde_json::json!(["list", "get"])),
        "{v}"
    );
    let (_, v) = get(format!("{id}/fw1?api-version=2023-07-01"), OWNER.to_owned()).await;
    assert_eq!(v["properties"]["networkAcls"]["defaultAction"], "Deny");
    assert_eq!(
        v["properties"]["networkAcls"]["ipRules"][0]["value"],
        "203.0.113.7"
    );
    assert_eq!(v["properties"]["publicNetworkAccess"], "Enabled");
    // The caller's effective permissions.
    let (status, p) = get(
        format!("{id}/rbac1/providers/Microsoft.Authorization/permissions?api-version=2022-04-01"),
        kim.clone(),
    )
    .await;
    assert_eq!(status, 200, "{p}");
    let data = p["value"][0]["dataActions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        data.contains(&Value::from(
            "Microsoft.KeyVault/vaults/secrets/readMetadata/action"
        )),
        "{p}"
    );
    assert!(
        !data
            .iter()
            .any(|a| a.as_str().is_some_and(|a| a.contains("getSecret"))),
        "{p}"
    );
    // Role assignments at the vault, for one principal.
    let (status, r) = get(
        format!(
            "{id}/rbac1/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&$filter=assignedTo('{}')",
            oid(3)
        ),
        kim.clone(),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    let rows = r["value"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 1, "{r}");
    assert_eq!(rows[0]["properties"]["principalId"], oid(3));
    assert!(
        rows[0]["properties"]["roleDefinitionId"]
            .as_str()
            .is_some_and(|d| d.ends_with("/roleDefinitions/21090545-7ca7-4776-b22c-e363652d74d2")),
        "{r}"
    );
    // A Secrets User has no control-plane read: the vault is refused.
    let (status, e) = get(
        format!("{id}/rbac1?api-version=2023-07-01"),
        jwt(&oid(2), None, &oid(902)),
    )
    .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (403, Some("AuthorizationFailed")),
        "{e}"
    );
}
