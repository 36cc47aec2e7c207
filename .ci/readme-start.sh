#!/usr/bin/env bash
# Runs the README's platform command (`npm start`) on a fresh data folder, as a newcomer would,
# and checks that the living demo city is up: the API answers and readings are flowing.
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(mktemp -d)
log=$(mktemp)
started=$(date +%s)
setsid npm start -- --port 18090 --mqtt-port 18893 --data-dir "$data" >"$log" 2>&1 &
leader=$!
cleanup() { kill -TERM -- "-$leader" 2>/dev/null || true; sleep 2; kill -KILL -- "-$leader" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 1 180); do
  if grep -q '"viewerKey"' "$log" 2>/dev/null; then break; fi
  if ! kill -0 "$leader" 2>/dev/null; then cat "$log"; echo "npm start exited early"; exit 1; fi
  sleep 1
done
key=$(grep -o '"viewerKey":"[^"]*"' "$log" | head -1 | cut -d'"' -f4)
[ -n "$key" ] || { cat "$log"; echo "the demo city did not come up within 180 s"; exit 1; }
# Read the whole page first: `curl | grep -q` fails under pipefail when grep stops reading early.
page=$(curl -fsS http://127.0.0.1:18090/)
[[ "$page" == *'<title>Urban Brain'* ]] || { echo "dashboard not served at /"; exit 1; }
count=$(curl -fsS -H "Authorization: Bearer $key" 'http://127.0.0.1:18090/api/v1/sensors?limit=5000' | grep -o '"id"' | wc -l)
[ "$count" -gt 1000 ] || { echo "expected the demo's sensors, found $count"; exit 1; }
echo "npm start: demo city with $count sensors up in $(( $(date +%s) - started )) s"
