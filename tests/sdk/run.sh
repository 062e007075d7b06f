#!/usr/bin/env bash
# Starts `kvtui serve` on a free port with a fresh in-memory vault and runs the
# Python SDK conformance script against it. Needs the release or debug binary built.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${KVTUI_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/kvtui}"
python="${PYTHON:-python3}"
data="$(mktemp -d)"
log="$data/serve.log"
"$bin" serve --port 0 --in-memory --no-samples --data-dir "$data" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT
url=""
for _ in $(seq 1 100); do
  url="$(sed -n 's/^  default vault: *//p' "$log" | head -n1)"
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "kvtui serve exited"; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$log"; echo "kvtui serve printed no URL"; exit 1; }
echo "kvtui serve at $url"
"$python" "$here/conformance.py" "$url" "$data/ca.pem" "$data/token"

# The same binary enforcing an access file, through the Python SDK.
adata="$(mktemp -d)"
alog="$adata/serve.log"
"$bin" serve --port 0 --in-memory --no-samples --data-dir "$adata" --access "$here/access.toml" >"$alog" 2>&1 &
apid=$!
trap 'kill "$pid" "$apid" 2>/dev/null || true; wait "$pid" "$apid" 2>/dev/null || true; rm -rf "$data" "$adata"' EXIT
aurl=""
for _ in $(seq 1 100); do
  aurl="$(sed -n 's/^  default vault: *//p' "$alog" | head -n1)"
  [ -n "$aurl" ] && break
  kill -0 "$apid" 2>/dev/null || { cat "$alog"; echo "kvtui serve --access exited"; exit 1; }
  sleep 0.1
done
[ -n "$aurl" ] || { cat "$alog"; echo "kvtui serve --access printed no URL"; exit 1; }
"$python" "$here/access.py" "${aurl##*:}" "$adata/ca.pem"
