//! Every operation of the local vault through the official Rust SDK.

mod common;

use azure_core::http::RequestContent;
use azure_security_keyvault_secrets::models::{
    SecretClientGetSecretOptions, SecretClientListSecretPropertiesOptions,
    SecretClientListSecretPropertiesVersionsOptions, SecretClientUpdateSecretPropertiesOptions,
    UpdateSecretPropertiesParameters,
};
use common::{error_parts, id_parts, set_body, set_body_with, start};
use futures::TryStreamExt;

#[tokio::test]
async fn set_get_update_versions_delete_recover_purge() {
    let svc = start().await;
    let client = svc.named_client("demo");

    let v1 = client
        .set_secret("Db-Password", set_body("one"), None)
        .await
        .unwrap()
        .into_model()
        .unwrap();
    let v2 = client
        .set_secret(
            "db-password",
            set_body_with("two", Some("text/plain"), &[("env", "prod")], None),
            None,
        )
        .await
        .unwrap()
        .into_model()
        .unwrap();
    assert_eq!(v2.value.as_deref(), Some("two"));
    let (name, version1) = id_parts(v1.id.as_deref().unwrap());
    assert_eq!(
        name, "Db-Password",
        "the name keeps the case it was created with"
    );
    let version1 = version1.unwrap();
    assert_eq!(version1.len(), 32);
    assert!(
        v1.id
            .as_deref()
            .unwrap()
            .starts_with(&svc.vault.vault_url("demo"))
    );

    // Latest, and a named version; names are case-insensitive.
    let latest = client
        .get_secret("DB-PASSWORD", None)
        .await
        .unwrap()
        .into_model()
        .unwrap();
    assert_eq!(latest.value.as_deref(), Some("two"));
    assert_eq!(latest.tags.unwrap()["env"], "prod");
    let attrs = latest.attributes.unwrap();
    assert_eq!(attrs.enabled, Some(true));
    assert_eq!(attrs.recoverable_days, Some(90));
    assert!(attrs.expires.is_none() && attrs.not_before.is_none());
    let old = client
        .get_secret(
            "db-password",
            Some(SecretClientGetSecretOptions {
                secret_version: Some(version1.clone()),
                ..Default::default()
            }),
        )
        .await
        .unwrap()
        .into_model()
        .unwrap();
    assert_eq!(old.value.as_deref(), Some("one"));

    // Update properties of the old version: no value comes back, the value is kept.
    let update = UpdateSecretPropertiesParameters {
        content_type: Some("application/json".into()),
        tags: Some([("k".to_string(), "v".to_string())].into()),
        ..Default::default()
    };
    let updated = client
        .update_secret_properties(
            "db-password",
            update.try_into().unwrap(),
            Some(SecretClientUpdateSecretPropertiesOptions {
                secret_version: Some(version1.clone()),
                ..Default::default()
            }),
        )
        .await
        .unwrap()
        .into_model()
        .unwrap();
    assert!(updated.value.is_none());
    assert_eq!(updated.content_type.as_deref(), Some("application/json"));
    assert_eq!(updated.tags.unwrap()["k"], "v");

    // Versions list: both, with versioned ids.
    let mut versions = Vec::new();
    let mut pager = client
        .list_secret_properties_versions(
            "db-password",
            Some(SecretClientListSecretPropertiesVersionsOptions {
                maxresults: Some(1),
                ..Default::default()
            }),
        )
        .unwrap();
    while let Some(item) = pager.try_next().await.unwrap() {
        versions.push(id_parts(item.id.as_deref().unwrap()).1.unwrap());
    }
    assert_eq!(versions.len(), 2);
    assert!(versions.contains(&version1));

    // Delete: gone from /secrets (404, never 409), present under deleted.
    let deleted = client
        .delete_secret("db-password", None)
        .await
        .unwrap()
        .into_model()
        .unwrap();
    assert!(deleted.value.is_none());
    let (dd, purge) = (
        deleted.deleted_date.unwrap(),
        deleted.scheduled_purge_date.unwrap(),
    );
    assert_eq!((purge - dd).whole_days(), 90);
    assert!(
        deleted
            .recovery_id
            .unwrap()
            .ends_with("/deletedsecrets/Db-Password")
    );
    let err = client.get_secret("db-password", None).await.unwrap_err();
    assert_eq!(error_parts(&err).0, 404);
    let got = client
        .get_deleted_secret("db-password", None)
        .await
        .unwrap()
        .into_model()
        .unwrap();
    assert!(got.scheduled_purge_date.is_some());
    let mut listed = Vec::new();
    let mut pager = client.list_deleted_secret_properties(None).unwrap();
    while let Some(item) = pager.try_next().await.unwrap() {
        listed.push(item.recovery_id.unwrap());
    }
    assert_eq!(listed.len(), 1);

    // Recover brings every version back.
    let recovered = client
        .recover_deleted_secret("db-password", None)
        .await
        .unwrap()
        .into_model()
        .unwrap();
    assert!(recovered.value.is_none());
    let again = client
        .get_secret("db-password", None)
        .await
        .unwrap()
        .into_model()
        .unwrap();
    assert_eq!(again.value.as_deref(), Some("two"));

    // Delete and purge: gone for good, and the name is free again.
    client.delete_secret("db-password", None).await.unwrap();
    let purged = client
        .purge_deleted_secret("db-password", None)
        .await
        .unwrap();
    assert_eq!(u16::from(purged.status()), 204);
    let err = client
        .get_deleted_secret("db-password", None)
        .await
        .unwrap_err();
    assert_eq!(error_parts(&err).0, 404);
    client
        .set_secret("db-password", set_body("fresh"), None)
        .await
        .unwrap();
    svc.vault.shutdown().await;
}

async fn list_names(client: &azure_security_keyvault_secrets::SecretClient) -> Vec<String> {
    let mut names = Vec::new();
    let mut pager = client.list_secret_properties(None).unwrap();
    while let Some(item) = pager.try_next().await.unwrap() {
        assert!(
            id_parts(item.id.as_deref().unwrap()).1.is_none(),
            "list ids are unversioned"
        );
        names.push(id_parts(item.id.as_deref().unwrap()).0);
    }
    names
}

#[tokio::test]
async fn paging_neither_skips_nor_repeats_across_inserts_and_deletes() {
    let svc = start().await;
    let client = svc.default_client();
    for i in 0..30 {
        client
            .set_secret(&format!("s{i:02}"), set_body("v"), None)
            .await
            .unwrap();
    }
    let options = SecretClientListSecretPropertiesOptions {
        maxresults: Some(7),
        ..Default::default()
    };
    let mut pages = client
        .list_secret_properties(Some(options))
        .unwrap()
        .into_pages();
    let mut seen = Vec::new();
    let mut page_count = 0;
    while let Some(page) = pages.try_next().await.unwrap() {
        let page = page.into_model().unwrap();
        page_count += 1;
        assert!(page.value.len() <= 7);
        if let Some(link) = &page.next_link {
            assert!(
                link.starts_with(&svc.vault.url()),
                "absolute nextLink on our host: {link}"
            );
        }
        seen.extend(
            page.value
                .iter()
                .map(|p| id_parts(p.id.as_deref().unwrap()).0),
        );
        if page_count == 1 {
            // Between pages: add one before and one after the cursor, delete one ahead.
            client
                .set_secret("a-before", set_body("v"), None)
                .await
                .unwrap();
            client
                .set_secret("z-after", set_body("v"), None)
                .await
                .unwrap();
            client.delete_secret("s20", None).await.unwrap();
        }
    }
    assert_eq!(page_count, 5);
    let unchanged: Vec<String> = (0..30)
        .filter(|i| *i != 20)
        .map(|i| format!("s{i:02}"))
        .collect();
    for name in &unchanged {
        assert_eq!(
            seen.iter().filter(|n| *n == name).count(),
            1,
            "{name} seen exactly once"
        );
    }
    assert!(seen.contains(&"z-after".to_string()));
    assert!(
        !seen.contains(&"a-before".to_string()),
        "inserted behind the cursor"
    );
    assert_eq!(list_names(&client).await.len(), 31);
    svc.vault.shutdown().await;
}

#[tokio::test]
async fn vaults_are_chosen_by_host_and_kept_apart() {
    let svc = start().await;
    let a = svc.named_client("alpha");
    let b = svc.named_client("beta");
    a.set_secret("shared-name", set_body("from-alpha"), None)
        .await
        .unwrap();
    let err = b.get_secret("shared-name", None).await.unwrap_err();
    assert_eq!(error_parts(&err).0, 404);
    assert!(list_names(&svc.default_client()).await.is_empty());
    assert_eq!(list_names(&a).await, vec!["shared-name".to_string()]);
    svc.vault.shutdown().await;
}

#[tokio::test]
async fn concurrent_writers_each_get_their_own_version() {
    let svc = start().await;
    let client = std::sync::Arc::new(svc.default_client());
    let mut tasks = Vec::new();
    for i in 0..16 {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let s = client
                .set_secret("contended", set_body(&format!("w{i}")), None)
                .await
                .unwrap();
            id_parts(s.into_model().unwrap().id.as_deref().unwrap())
                .1
                .unwrap()
        }));
    }
    let mut versions = Vec::new();
    for t in tasks {
        versions.push(t.await.unwrap());
    }
    versions.sort();
    versions.dedup();
    assert_eq!(versions.len(), 16);
    let mut pager = client
        .list_secret_properties_versions("contended", None)
        .unwrap();
    let mut listed = 0;
    while pager.try_next().await.unwrap().is_some() {
        listed += 1;
    }
    assert_eq!(listed, 16);
    svc.vault.shutdown().await;
}

#[tokio::test]
async fn backup_purge_restore_round_trip_keeps_every_version() {
    let svc = start().await;
    let client = svc.default_client();
    client
        .set_secret("api-key", set_body("v1"), None)
        .await
        .unwrap();
    client
        .set_secret(
            "api-key",
            set_body_with("v2", Some("text/plain"), &[("team", "web")], Some(false)),
            None,
        )
        .await
        .unwrap();
    let blob = client
        .backup_secret("api-key", None)
        .await
        .unwrap()
        .into_model()
        .unwrap()
        .value
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&blob).contains("v1"),
        "backup blobs are opaque"
    );

    // Restoring over a live name conflicts.
    let body = || -> RequestContent<_> {
        azure_security_keyvault_secrets::models::RestoreSecretParameters {
            secret_backup: Some(blob.clone()),
        }
        .try_into()
        .unwrap()
    };
    let err = client.restore_secret(body(), None).await.unwrap_err();
    assert_eq!(error_parts(&err).0, 409);
    // While deleted: 409 deleted-but-recoverable.
    client.delete_secret("api-key", None).await.unwrap();
    let err = client.restore_secret(body(), None).await.unwrap_err();
    assert_eq!(
        error_parts(&err),
        (
            409,
            "Conflict".into(),
            Some("ObjectIsDeletedButRecoverable".into())
        )
    );
    client.purge_deleted_secret("api-key", None).await.unwrap();

    let restored = client
        .restore_secret(body(), None)
        .await
        .unwrap()
        .into_model()
        .unwrap();
    assert_eq!(restored.tags.unwrap()["team"], "web");
    assert_eq!(restored.attributes.unwrap().enabled, Some(false));
    let mut pager = client
        .list_secret_properties_versions("api-key", None)
        .unwrap();
    let mut versions = Vec::new();
    while let Some(v) = pager.try_next().await.unwrap() {
        versions.push(v);
    }
    assert_eq!(versions.len(), 2);
    let first = versions
        .iter()
        .find(|v| v.attributes.as_ref().unwrap().enabled == Some(true))
        .unwrap();
    let first_version = id_parts(first.id.as_deref().unwrap()).1;
    let v1 = client
        .get_secret(
            "api-key",
            Some(SecretClientGetSecretOptions {
                secret_version: first_version,
                ..Default::default()
            }),
        )
        .await
        .unwrap()
        .into_model()
        .unwrap();
    assert_eq!(v1.value.as_deref(), Some("v1"));

    // A tampered blob is refused and stores nothing.
    client.delete_secret("api-key", None).await.unwrap();
    client.purge_deleted_secret("api-key", None).await.unwrap();
    let mut bad = blob.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x01;
    let tampered: RequestContent<_> =
        azure_security_keyvault_secrets::models::RestoreSecretParameters {
            secret_backup: Some(bad),
        }
        .try_into()
        .unwrap();
    let err = client.restore_secret(tampered, None).await.unwrap_err();
    assert_eq!(error_parts(&err).0, 400);
    assert_eq!(
        error_parts(&client.get_secret("api-key", None).await.unwrap_err()).0,
        404
    );
    svc.vault.shutdown().await;
}
