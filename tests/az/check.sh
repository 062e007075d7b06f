#!/usr/bin/env bash
# The Azure CLI against `kvtui serve`, by hand (not part of .ci/run: azure-cli
# is a large install and the hosts entries change the machine):
#   AZ=/path/to/venv/bin/az KVTUI=target/debug/kvtui tests/az/check.sh
# Needs `127.0.0.1 management.localhost demo.localhost` in /etc/hosts.
# Everything stays on loopback: the cloud is set before `az login`.
set -euo pipefail
AZ="${AZ:-az}"
KVTUI="${KVTUI:-target/debug/kvtui}"
KVTUI="$(realpath "$KVTUI")"
for host in management.localhost demo.localhost; do
  getent hosts "$host" | grep -q '^127\.0\.0\.1' || {
    echo "add '127.0.0.1 management.localhost demo.localhost' to /etc/hosts"; exit 2; }
done
work="$(mktemp -d)"
cd "$work"
"$KVTUI" serve --port 0 --data-dir ./kv --no-samples --create-vault demo \
  --ready-file ./ready.json --print-env > kv.env 2> serve.log &
serve=$!
trap 'kill $serve 2>/dev/null; wait $serve 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s ready.json ] && break; sleep 0.1; done
. ./kv.env
export AZURE_CONFIG_DIR="$work/az"
port="$(sed -n 's/.*"port": \([0-9]*\).*/\1/p' ready.json)"
passed=0 failed=0
check() { # check WHAT EXPECTED COMMAND...
  local what="$1" want="$2"; shift 2
  local got
  got="$("$@" 2>&1)" || true
  if [[ "$got" == *"$want"* ]]; then passed=$((passed + 1)); echo "ok   $what"
  else failed=$((failed + 1)); echo "FAIL $what: $got"; fi
}
check "cloud register (endpoint discovery)" "" \
  "$AZ" cloud register -n KvtuiLocal --endpoint-resource-manager "https://management.localhost:$port/"
check "cloud set" "" "$AZ" cloud set -n KvtuiLocal
check "cloud show: the Key Vault suffix" ".localhost:$port" \
  "$AZ" cloud show -n KvtuiLocal --query suffixes.keyvaultDns -o tsv
check "login --identity" "Local vault" "$AZ" login --identity --query "[0].name" -o tsv
check "keyvault list" "demo" "$AZ" keyvault list --query "[].name" -o tsv
check "secret set" "https://demo.localhost:$port/secrets/db-password/" \
  "$AZ" keyvault secret set --vault-name demo --name db-password --value hunter2 --query id -o tsv
check "secret show" "hunter2" \
  "$AZ" keyvault secret show --vault-name demo --name db-password --query value -o tsv
check "secret list" "db-password" "$AZ" keyvault secret list --vault-name demo --query "[].name" -o tsv
check "secret delete" "db-password" \
  "$AZ" keyvault secret delete --vault-name demo --name db-password --query name -o tsv
check "secret list-deleted" "db-password" \
  "$AZ" keyvault secret list-deleted --vault-name demo --query "[].name" -o tsv
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
