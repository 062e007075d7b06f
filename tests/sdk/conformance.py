"""Conformance of `kvtui serve` with the official Python SDK (azure-keyvault-secrets).

Runs the Azure quickstart flow (set, get, begin_delete_secret().wait(), the
deleted-but-recoverable conflict, recover, purge) and the other operations
against a running local vault. Usage: conformance.py URL CA_PEM TOKEN_FILE
Prints 'N passed, N failed' and exits non-zero on any failure.
"""

import sys
import time
import traceback

from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.keyvault.secrets import SecretClient


class LocalToken:
    """The local vault's one bearer token, as an azure-core credential."""

    def __init__(self, token):
        self._token = token
        self.scopes = []

    def get_token(self, *scopes, **kwargs):
        self.scopes.extend(scopes)
        return AccessToken(self._token, int(time.time()) + 3600)


def error_code(err):
    """Inner Key Vault code when there is one, else the outer one."""
    inner = getattr(getattr(err, "error", None), "innererror", None) or {}
    if isinstance(inner, dict) and inner.get("code"):
        return inner["code"]
    return getattr(getattr(err, "error", None), "code", None)


def main():
    url, ca, token_file = sys.argv[1:4]
    with open(token_file) as f:
        credential = LocalToken(f.read().strip())
    # Bare localhost cannot match the challenge resource; the SDK's check is turned off as documented.
    client = SecretClient(url, credential, connection_verify=ca, verify_challenge_resource=False)
    results = []

    def check(name, fn):
        try:
            fn()
            results.append((name, None))
            print(f"ok   {name}")
        except Exception as e:  # noqa: BLE001 - report every failure
            results.append((name, e))
            print(f"FAIL {name}: {e!r}")
            traceback.print_exc()

    def quickstart():
        s = client.set_secret("quickstart-secret", "hello-python")
        assert s.value == "hello-python", s.value
        assert len(s.properties.version) == 32
        assert client.get_secret("quickstart-secret").value == "hello-python"
        deleted = client.begin_delete_secret("quickstart-secret").result()
        assert deleted.recovery_id.endswith("/deletedsecrets/quickstart-secret"), deleted.recovery_id
        assert deleted.scheduled_purge_date > deleted.deleted_date
        try:
            client.set_secret("quickstart-secret", "again")
            raise AssertionError("set of a deleted name must conflict")
        except ResourceExistsError as e:
            assert e.status_code == 409 and error_code(e) == "ObjectIsDeletedButRecoverable", (e.status_code, error_code(e))
        client.begin_recover_deleted_secret("quickstart-secret").wait()
        assert client.get_secret("quickstart-secret").value == "hello-python"
        client.begin_delete_secret("quickstart-secret").wait()
        client.purge_deleted_secret("quickstart-secret")
        try:
            client.get_deleted_secret("quickstart-secret")
            raise AssertionError("purged secret still listed as deleted")
        except ResourceNotFoundError:
            pass

    def the_scope_comes_from_the_challenge():
        assert credential.scopes, "the SDK asked for no token"
        assert all(s.startswith("https://localhost:") and s.endswith("/.default") for s in credential.scopes), credential.scopes

    def versions_properties_and_lists():
        first = client.set_secret("py-versions", "one", content_type="text/plain", tags={"team": "py"})
        client.set_secret("py-versions", "two")
        old = client.get_secret("py-versions", first.properties.version)
        assert old.value == "one" and old.properties.tags == {"team": "py"}
        updated = client.update_secret_properties("py-versions", first.properties.version, enabled=False, tags={"k": "v"})
        assert updated.enabled is False and updated.tags == {"k": "v"}
        try:
            client.get_secret("py-versions", first.properties.version)
            raise AssertionError("a disabled version must be forbidden")
        except HttpResponseError as e:
            assert e.status_code == 403 and error_code(e) == "SecretDisabled", (e.status_code, error_code(e))
        versions = list(client.list_properties_of_secret_versions("py-versions", max_page_size=1))
        assert len(versions) == 2, len(versions)
        for i in range(30):
            client.set_secret(f"py-page-{i:02}", "v")
        names = [p.name for p in client.list_properties_of_secrets(max_page_size=7)]
        assert len([n for n in names if n.startswith("py-page-")]) == 30, names
        assert len(names) == len(set(names))

    def deleted_listing_get_and_purge():
        client.set_secret("py-deleted", "v")
        client.begin_delete_secret("py-deleted").wait()
        listed = [d.name for d in client.list_deleted_secrets()]
        assert "py-deleted" in listed, listed
        d = client.get_deleted_secret("py-deleted")
        assert d.properties.recovery_level == "Recoverable+Purgeable", d.properties.recovery_level
        client.purge_deleted_secret("py-deleted")
        assert "py-deleted" not in [d.name for d in client.list_deleted_secrets()]

    def backup_and_restore():
        client.set_secret("py-backup", "v1")
        client.set_secret("py-backup", "v2", tags={"a": "b"})
        blob = client.backup_secret("py-backup")
        assert isinstance(blob, bytes) and b"v1" not in blob
        client.begin_delete_secret("py-backup").wait()
        client.purge_deleted_secret("py-backup")
        restored = client.restore_secret_backup(blob)
        assert restored.name == "py-backup" and restored.tags == {"a": "b"}
        assert client.get_secret("py-backup").value == "v2"
        assert len(list(client.list_properties_of_secret_versions("py-backup"))) == 2

    def errors():
        try:
            client.get_secret("does-not-exist")
            raise AssertionError("expected 404")
        except ResourceNotFoundError as e:
            assert error_code(e) == "SecretNotFound", error_code(e)
        try:
            client.set_secret("too-big", "x" * (25 * 1024 + 1))
            raise AssertionError("expected 400")
        except HttpResponseError as e:
            assert e.status_code == 400 and error_code(e) == "BadParameter", (e.status_code, error_code(e))

    check("quickstart flow", quickstart)
    check("scope from the challenge", the_scope_comes_from_the_challenge)
    check("versions, properties and paged lists", versions_properties_and_lists)
    check("deleted listing, get and purge", deleted_listing_get_and_purge)
    check("backup and restore", backup_and_restore)
    check("error codes", errors)

    failed = sum(1 for _, e in results if e is not None)
    print(f"python-sdk: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
