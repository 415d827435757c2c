#!/usr/bin/env bash
# Smoke test of the real `npm start` on the embedded default: start, post the sale fixture with the
# printed dev key, read it back through GraphQL, stop cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
FIXTURES="${FIXTURES:-test/fixtures/banban}"
PORT="${SMOKE_PORT:-4517}"
DATA="$(mktemp -d)"
chmod 755 "$DATA"
LOG="$DATA/server.log"

# its own process group, so the stop signal reaches node itself (as a process manager would send it)
setsid env -u DATABASE_URL PORT="$PORT" NODE_ENV=development EMBEDDED_PG_DIR="$DATA/postgres" EMBEDDED_PG_PORT=$((PORT + 1000)) \
  npm start >"$LOG" 2>&1 &
PID=$!
cleanup() { kill -KILL -- "-$PID" 2>/dev/null || true; }
trap cleanup EXIT

for _ in $(seq 1 120); do
  curl -fs "localhost:$PORT/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
KEY=$(grep -o 'dev API key for banban: [A-Za-z0-9_-]*' "$LOG" | awk '{print $NF}')
[ -n "$KEY" ] || { echo "smoke: no dev key printed"; cat "$LOG"; exit 1; }

curl -fs -X POST "localhost:$PORT/api/v1/webhooks/sales-flow" -H "x-api-key: $KEY" -H 'content-type: application/json' \
  --data @"$FIXTURES/sales-flow/register_sale.json" | grep -q '"ok":true'
curl -fs "localhost:$PORT/graphql" -H "x-api-key: $KEY" -H 'content-type: application/json' \
  -d '{"query":"{ sale(id: \"V-2026-000123\") { id total items { sku } } }"}' | grep -q '"total":"309.70"'
# ops endpoints: closed without credentials, a client's own health with its key; probes open
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(status "localhost:$PORT/metrics")" = 401 ] || { echo "smoke: /metrics is not closed"; exit 1; }
[ "$(status "localhost:$PORT/health/integrations/banban")" = 401 ] || { echo "smoke: /health/integrations is not closed"; exit 1; }
[ "$(status "localhost:$PORT/health/integrations/banban" -H "x-api-key: $KEY")" = 200 ] || { echo "smoke: own health refused"; exit 1; }
[ "$(status "localhost:$PORT/health/live")" = 200 ] || { echo "smoke: /health/live is not open"; exit 1; }

kill -TERM -- "-$PID"
for _ in $(seq 1 60); do pgrep -g "$PID" >/dev/null || break; sleep 0.5; done
if pgrep -g "$PID" >/dev/null; then echo "smoke: server did not stop on SIGTERM"; tail -20 "$LOG"; exit 1; fi
grep -q 'shutting down' "$LOG"
if pgrep -f -- "-D $DATA/postgres" >/dev/null; then echo "smoke: embedded PostgreSQL left running"; exit 1; fi
echo "smoke: npm start → webhook → GraphQL → ops endpoints → clean stop: ok"
rm -rf "$DATA"
