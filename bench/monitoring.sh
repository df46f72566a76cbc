#!/usr/bin/env bash
# The monitoring benchmark of issue 11: `chiso serve` (release, SQLite) holding
# 100,000 observations, and `wrk` against what reads them — the dashboard, the KPI
# API, a page of the observations API — and a scorecard beside them, at 16
# concurrent connections. Before issue 11 every such request loaded every
# observation (0.39 s a page; 16 clients gave 3.9 req/s).
#
#   bash bench/monitoring.sh                 # 100,000 observations, 15 s per endpoint
#   OBSERVATIONS=20000 DURATION=30s bash bench/monitoring.sh
#
# Needs wrk (apt-get install wrk) and python3. Server and load generator share the
# machine's cores, so the figures are a floor for a real deployment.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/chiso-target}"
DURATION="${DURATION:-15s}"
OBSERVATIONS="${OBSERVATIONS:-100000}"
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }

cargo build -q --release -p chiso
dir=$(mktemp -d)
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
(cd "$dir" && exec env RUST_LOG=warn CHISO_ADMIN_PASSWORD=bench-password \
  "$CARGO_TARGET_DIR/release/chiso" serve --addr 127.0.0.1:0 2>serve.log) &
pid=$!
base=""
for _ in $(seq 1 100); do
  base=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$dir/serve.log" 2>/dev/null | head -n 1 || true)
  [ -n "$base" ] && curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
[ -n "$base" ] || { echo "the server did not start:" >&2; cat "$dir/serve.log" >&2; exit 1; }

# OBSERVATIONS monthly observations of the bundled KPIs for synthetic scopes, as
# an observations.csv the admin uploads (one transaction).
python3 - "$OBSERVATIONS" "$dir/observations.csv" <<'PY'
import re, sys
count, out = int(sys.argv[1]), sys.argv[2]
kpis = re.findall(r'^code = "([^"]+)"', open("data/sonla/monitoring/kpis.toml", encoding="utf-8").read(), re.M)
with open(out, "w", encoding="utf-8") as f:
    f.write("kpi,scope,period,value,note\n")
    n = 0
    scope = 0
    while n < count:
        for kpi in kpis:
            for month in range(1, 13):
                if n == count:
                    break
                f.write(f"{kpi},X{scope:05d},2025-{month:02d},{(n % 1000) / 10},\n")
                n += 1
        scope += 1
PY

jar="$dir/cookies"
login_page=$(curl -fsS -c "$jar" "$base/login")
token=$(grep -oE 'name="csrf" value="[^"]+"' <<<"$login_page" | head -n 1 | sed 's/.*value="//; s/"$//')
curl -fsS -b "$jar" -c "$jar" -o /dev/null --data-urlencode "csrf=$token" --data-urlencode username=admin \
  --data-urlencode password=bench-password --data-urlencode next=/admin "$base/login"
csrf=$(curl -fsS -b "$jar" "$base/admin" | grep -oE 'name="csrf" value="[^"]+"' | head -n 1 | sed 's/.*value="//; s/"$//')
started=$(date +%s.%N)
curl -fsS -b "$jar" -o /dev/null -F "csrf=$csrf" -F "files=@$dir/observations.csv;filename=observations.csv" \
  "$base/admin/monitoring"
echo "== $OBSERVATIONS observations uploaded in $(python3 -c "print(round($(date +%s.%N) - $started, 1))") s"
stored=$(curl -fsS "$base/api/v1/observations?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
echo "   the API counts $stored observations"

for path in /monitoring "/api/v1/kpis" "/api/v1/observations?limit=100&offset=50000" /rounds/1/units/STTTT; do
  url="$base$path"
  first=$(curl -fsS -o /dev/null -w "%{time_total}" "$url")
  echo "== $path (first request ${first} s, then 16 connections for $DURATION)"
  wrk -t2 -c16 -d"$DURATION" --latency "$url" | grep -E "Requests/sec|Latency |50%|99%|requests in|Non-2xx|Socket errors"
done
