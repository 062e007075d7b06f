//! Real-vault states the local vault can play: a purge-protected vault and
//! the secret of a certificate (`managed`, a `kid`), through the official SDK.

mod common;

use azure_security_keyvault_secrets::models::DeletionRecoveryLevel;
use tempfile::TempDir;

#[tokio::test]
async fn a_purge_protected_vault_reports_no_purgeable_and_refuses_purge_as_key_vault_does() {
    let r = common::start_in(TempDir::new().expect("dir"), |o| {
        o.purge_protected = vec!["locked".into()];
    })
    .await;
    let locked = r.named_client("locked");
    locked
        .set_secret("api-key", common::set_body("v1"), None)
        .await
        .expect("set");
    let live = locked
        .get_secret("api-key", None)
        .await
        .expect("get")
        .into_model()
        .expect("model");
    let attrs = live.attributes.expect("attributes");
    assert_eq!(
        attrs.recovery_level,
        Some(DeletionRecoveryLevel::Recoverable)
    );
    locked.delete_secret("api-key", None).await.expect("delete");
    let deleted = locked
        .get_deleted_secret("api-key", None)
        .await
        .expect("deleted")
        .into_model()
        .expect("model");
    assert_eq!(
        deleted.attributes.and_then(|a| a.recovery_level),
        Some(DeletionRecoveryLevel::Recoverable)
    );
    let err = locked
        .purge_deleted_secret("api-key", None)
        .await
        .expect_err("purge refused");
    let (status, code, _) = common::error_parts(&err);
    assert_eq!((status, code.as_str()), (403, "Forbidden"));
    assert!(
        err.to_string().contains("purge protection is enabled")
            || format!("{err:?}").contains("purge protection is enabled"),
        "{err}"
    );
    // A name that is not deleted is still 404, and recover still works.
    let err = locked
        .purge_deleted_secret("nothing", None)
        .await
        .expect_err("404");
    assert_eq!(common::error_parts(&err).0, 404);
    locked
        .recover_deleted_secret("api-key", None)
        .await
        .expect("recover");

    // Another vault of the same service purges as before.
    let open = r.named_client("open-vault");
    open.set_secret("x", common::set_body("v"), None)
        .await
        .expect("set");
    open.delete_secret("x", None).await.expect("delete");
    open.purge_deleted_secret("x", None).await.expect("purge");
}

#[tokio::test]
async fn the_sample_certificate_secret_is_managed_with_a_kid() {
    let r = common::start_in(TempDir::new().expect("dir"), |o| o.samples = true).await;
    let client = r.named_client("team-shared");
    let secret = client
        .get_secret("web-tls", None)
        .await
        .expect("get")
        .into_model()
        .expect("model");
    assert_eq!(secret.managed, Some(true));
    let kid = secret.kid.expect("kid");
    let id = secret.id.expect("id");
    let version = id.rsplit('/').next().expect("version");
    assert!(
        kid.ends_with(&format!("/keys/web-tls/{version}")),
        "{kid} names the certificate's key"
    );
    assert_eq!(
        secret.content_type.as_deref(),
        Some("application/x-pem-file")
    );
    // An ordinary secret has neither.
    let plain = client
        .get_secret("smtp-password", None)
        .await
        .expect("get")
        .into_model()
        .expect("model");
    assert_eq!((plain.managed, plain.kid), (None, None));
}

#[tokio::test]
async fn the_secret_of_a_certificate_refuses_writes_as_key_vault_does() {
    let r = common::start_in(TempDir::new().expect("dir"), |o| o.samples = true).await;
    let client = r.named_client("team-shared");
    let before = client
        .get_secret("web-tls", None)
        .await
        .expect("get")
        .into_model()
        .expect("model");
    let refused = |err: &azure_core::Error, op: &str| {
        let (status, code, _) = common::error_parts(err);
        assert_eq!((status, code.as_str()), (403, "Forbidden"), "{op}: {err}");
        let text = format!("{err} {err:?}");
        assert!(
            text.contains(&format!("Operation \"{op}\" is not allowed"))
                || text.contains(&format!("Operation \\\"{op}\\\" is not allowed")),
            "{op}: {text}"
        );
    };
    let err = client
        .set_secret("web-tls", common::set_body("replaced"), None)
        .await
        .expect_err("set refused");
    refused(&err, "set");
    let err = client
        .delete_secret("web-tls", None)
        .await
        .expect_err("delete refused");
    refused(&err, "delete");
    // Nothing changed: the same version, still there.
    let after = client
        .get_secret("web-tls", None)
        .await
        .expect("still there")
        .into_model()
        .expect("model");
    assert_eq!(after.id, before.id);
    // An ordinary secret of the same vault takes writes as before.
    client
        .set_secret("smtp-password", common::set_body("new"), None)
        .await
        .expect("set");
}
