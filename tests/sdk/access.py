"""`kvtui serve --access` through the official Python SDK: each built-in role
and each access-policy permission against each secret operation, and the
firewall and public-access refusals as the SDK reports them.

Usage: access.py PORT CA_PEM  (the service runs tests/sdk/access.toml with the
owner token below). Prints 'N passed, N failed' and exits non-zero on a failure.
"""

import socket
import sys
import time

from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError
from azure.keyvault.secrets import SecretClient

OPS = ["list", "get", "set", "delete", "recover", "backup", "restore", "purge"]
ROLES = {
    "reader": [],
    "kvreader": ["list"],
    "user": ["list", "get"],
    "officer": OPS,
    "admin": OPS,
}

# *.localhost is loopback, but not every resolver says so.
_getaddrinfo = socket.getaddrinfo


def _resolve(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith(".localhost"):
        host = "127.0.0.1"
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _resolve


class Token:
    def __init__(self, token):
        self._token = token

    def get_token(self, *scopes, **kwargs):
        return AccessToken(self._token, int(time.time()) + 3600)


def token_of(name):
    return f"{name}-token-0123456789abcdef"


def run(client, op, tag):
    """Status of `op` on names that do not exist: never 403 when allowed."""
    try:
        if op == "list":
            next(iter(client.list_properties_of_secrets(max_page_size=1)), None)
        elif op == "get":
            client.get_secret("absent")
        elif op == "set":
            client.set_secret(f"made-by-{tag}", "v")
        elif op == "delete":
            client.begin_delete_secret("absent")
        elif op == "recover":
            client.begin_recover_deleted_secret("absent")
        elif op == "backup":
            client.backup_secret("absent")
        elif op == "restore":
            client.restore_secret_backup(b"not a backup")
        elif op == "purge":
            client.purge_deleted_secret("absent")
        return 200, None, None
    except HttpResponseError as e:
        inner = getattr(getattr(e, "error", None), "innererror", None) or {}
        code = inner.get("code") if isinstance(inner, dict) else None
        return e.status_code, code, e


def main():
    port, ca = sys.argv[1:3]
    failures = []

    def client(vault, who):
        return SecretClient(f"https://{vault}.localhost:{port}", Token(token_of(who)), connection_verify=ca)

    for who, allowed in ROLES.items():
        c = client("rbac1", who)
        for op in OPS:
            status, code, _ = run(c, op, who)
            ok = (status != 403) if op in allowed else (status == 403 and code == "ForbiddenByRbac")
            if not ok:
                failures.append(f"role {who} {op}: {status} {code}")
    for perm in OPS + ["all"]:
        c = client("pol1", f"perm-{perm}")
        for op in OPS:
            status, code, _ = run(c, op, f"perm-{perm}")
            ok = (status != 403) if perm in (op, "all") else (status == 403 and code == "AccessDenied")
            if not ok:
                failures.append(f"policy {perm} {op}: {status} {code}")

    status, code, err = run(client("fw1", "admin"), "list", "fw")
    headers = err.response.headers if err is not None else {}
    info = headers.get("x-ms-keyvault-network-info", "")
    if status != 403 or code != "ForbiddenByFirewall" or "addr=" not in info:
        failures.append(f"firewall: {status} {code} {info!r}")
    status, code, err = run(client("private1", "admin"), "get", "private")
    if status != 403 or code != "ForbiddenByConnection" or "Public network access is disabled" not in str(err):
        failures.append(f"public access: {status} {code}")
    status, code, err = run(client("rbac1", "user"), "set", "msg")
    if "Action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action'" not in str(err):
        failures.append(f"rbac message: {err}")

    total = len(ROLES) * len(OPS) + 9 * len(OPS) + 3
    for f in failures:
        print(f"FAIL {f}")
    print(f"{total - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
