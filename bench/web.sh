#!/usr/bin/env bash
# The web benchmark of issue 4: `wrk` against a release build of `chiso serve` on
# the bundled Son La data — the overview page and the results API at 64
# concurrent connections. Goal: p99 < 50 ms and ≥ 3,000 requests/s for the API.
#
#   bash bench/web.sh            # 15 s per endpoint
#   DURATION=30s bash bench/web.sh
#
# Needs wrk (apt-get install wrk). Server and load generator share the machine's
# cores, so the figures are a floor for a real deployment.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/chiso-target}"
DURATION="${DURATION:-15s}"
PORT="${PORT:-18090}"
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }

cargo build -q --release -p chiso
dir=$(mktemp -d)
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
(cd "$dir" && exec env RUST_LOG=warn CHISO_ADMIN_PASSWORD=bench-password \
  "$CARGO_TARGET_DIR/release/chiso" serve --addr "127.0.0.1:$PORT") &
pid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

for path in /api/v1/rounds/1/results / ; do
  url="http://127.0.0.1:$PORT$path"
  curl -fsS "$url" >/dev/null   # warm the cache of the publication's view
  echo "== $path ($(curl -fsS "$url" | wc -c) bytes uncompressed)"
  wrk -t2 -c64 -d"$DURATION" --latency "$url" | grep -E "Requests/sec|Transfer/sec|Latency|50%|90%|99%|requests in|Non-2xx|Socket errors"
done
