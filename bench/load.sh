#!/usr/bin/env bash
# The load test of issue 11: goose (bench/load/, its own Cargo project) against a
# fresh release `chiso serve` — public readers, reporters saving their unit's form in
# an open round, appraisers reading the board and forms, API clients posting
# observations — then a count of every acknowledged write in the database.
#
#   bash bench/load.sh [sqlite|postgres] [USERS] [DURATION]     # default: sqlite 200 10m
#   bash bench/load.sh sqlite 50 60s                            # a short run
#
# DURATION is goose's --run-time (e.g. 60s, 10m), counted once every user has
# started; users start evenly over RAMP (default 20s). Environment:
#   THINK=1.0        scale of the think times (readers, appraisers, API writers wait
#                    1–3 s between requests; reporters 1–3 s between iterations and
#                    1–3 s between opening the form and saving); 0 = no pauses
#   RAMP=20s         goose --increase-time
#   PG_URL=postgres://postgres@127.0.0.1:5432   where `postgres` creates its database
#   RUST_LOG=warn    the server's log level
#   OUT=DIR          where the run's files go (default /var/tmp/chiso-load-runs/…)
#   KEEP=1           keep the SQLite file / the PostgreSQL database after the run
#   CHISO_BIN=PATH   run this chiso binary instead of building one (to compare two
#                    runs on the very same build)
#
# Loopback only. Server and load generator share this machine's cores: say so next
# to the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
root=$(pwd)
backend="${1:-sqlite}"
users="${2:-200}"
duration="${3:-10m}"
case "$backend" in sqlite | postgres) ;; *) echo "usage: $0 [sqlite|postgres] [USERS] [DURATION]" >&2; exit 2 ;; esac
[[ "$users" =~ ^[0-9]+$ ]] && ((users >= 4 && users <= 2000)) || { echo "USERS: 4 to 2000" >&2; exit 2; }
[[ "$duration" =~ ^[0-9]+[smh]?$ ]] || { echo "DURATION: like 60s or 10m" >&2; exit 2; }
case "$duration" in *m) per=60 ;; *h) per=3600 ;; *) per=1 ;; esac
seconds=$((${duration%[smh]} * per))
((seconds <= 3600)) || { echo "DURATION: at most 1h" >&2; exit 2; }
ramp="${RAMP:-20s}"
think="${THINK:-1.0}"
pg_url="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/chiso-target}"
load_target="${CHISO_LOAD_TARGET:-/var/tmp/chiso-load-target}"
out="${OUT:-/var/tmp/chiso-load-runs/$(date +%Y%m%d-%H%M%S)-$backend-$users}"
mkdir -p "$out"
admin_password="load-admin-$RANDOM$RANDOM"
export CHISO_USER_PASSWORD="load-user-$RANDOM$RANDOM" CHISO_LOAD_PASSWORD
CHISO_LOAD_PASSWORD="$CHISO_USER_PASSWORD"

echo "== building (release): chiso, and the load tool" >&2
build_tools
{
  echo "source: $(git describe --always --dirty 2>/dev/null || echo unknown) (binary $chiso, sha256 $(sha256sum "$chiso" | cut -c1-16), built $(date -r "$chiso" '+%F %T'))"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), sched_autogroup $(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null)"
  echo "run: $backend, $users users, ramp $ramp, run $duration, think x$think, RUST_LOG=${RUST_LOG:-warn}"
} >"$out/run-info.txt"

database="chiso_load"
fresh_database "$database"

cleanup() {
  stop_server
  drop_database "$database"
}
trap cleanup EXIT

start_server

echo "== accounts: a reporter per unit, 8 appraisers (chiso user add)" >&2
while IFS=, read -r code _rest; do
  [[ "$code" == code || -z "$code" ]] && continue
  "$chiso" user add "bc.${code,,}" --role reporter --unit "$code" --name "Báo cáo $code" "${db_args[@]}" \
    >>"$out/users.log" 2>&1 || { tail -3 "$out/users.log" >&2; exit 1; }
done <data/sonla/2024/units.csv
for i in 1 2 3 4 5 6 7 8; do
  "$chiso" user add "$(printf 'td%02d' "$i")" --role appraiser --name "Thẩm định $i" "${db_args[@]}" \
    >>"$out/users.log" 2>&1 || { tail -3 "$out/users.log" >&2; exit 1; }
done

echo "== setup: round from the bundled frameworks and units, opened; API token" >&2
"$load" setup --base "$base" --admin-password "$admin_password" --package data/sonla/2024 --out "$out/setup.json"
round=$(grep -o '"round": [0-9]*' "$out/setup.json" | grep -o '[0-9]*$')
for path in /rounds/1 /map /monitoring /api/v1/rounds/1/results; do curl -fsS -o /dev/null "$base$path"; done

cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_cpu() { # CPU ticks of every postgres process (other databases' too)
  local sum=0 p
  for p in $(pgrep -x postgres 2>/dev/null); do sum=$((sum + $(cpu_of "$p"))); done
  echo "$sum"
}
tick=$(getconf CLK_TCK)
server_cpu0=$(cpu_of "$pid")
pg_cpu0=$(pg_cpu)
load0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== load: $users users, ramp $ramp, run $duration, think ×$think (load average before: $load0)" >&2
started=$(date +%s)
status=0
timeout $((seconds + 600)) /usr/bin/time -f "%U %S %M" -o "$out/load-time.txt" \
  "$load" run --setup "$out/setup.json" --out "$out" --think "$think" \
  --users "$users" --increase-time "$ramp" --run-time "$duration" --no-reset-metrics \
  --report-file "$out/goose-report.html" --quiet >"$out/goose.txt" 2>"$out/goose.log" || status=$?
elapsed=$(($(date +%s) - started))
server_cpu=$(($(cpu_of "$pid") - server_cpu0))
pg_cpu_used=$(($(pg_cpu) - pg_cpu0))
load1=$(cut -d' ' -f1-3 /proc/loadavg)
stop_server
cat "$out/run-info.txt"
cat "$out/summary.txt" 2>/dev/null || { echo "the load tool failed ($status):" >&2; tail -20 "$out/goose.log" >&2; exit 1; }

echo
echo "== CPU over the ${elapsed}s of the load (2 cores = $((2 * elapsed)) CPU-s available)"
read -r load_user load_sys load_rss <"$out/load-time.txt" || true
awk -v s="$server_cpu" -v t="$tick" -v e="$elapsed" 'BEGIN { printf "   chiso serve: %.1f CPU-s (%.0f%% of one core)\n", s / t, 100 * s / t / e }'
awk -v u="${load_user:-0}" -v y="${load_sys:-0}" -v e="$elapsed" -v m="${load_rss:-0}" \
  'BEGIN { printf "   load generator (goose): %.1f CPU-s (%.0f%% of one core), peak RSS %.0f MiB\n", u + y, 100 * (u + y) / e, m / 1024 }'
if [[ "$backend" == postgres ]]; then
  awk -v s="$pg_cpu_used" -v t="$tick" -v e="$elapsed" 'BEGIN { printf "   postgres (all its processes): %.1f CPU-s (%.0f%% of one core)\n", s / t, 100 * s / t / e }'
fi
echo "   load average before / after: $load0 / $load1"

echo
echo "== writes counted in the database after the server stopped"
if [[ "$backend" == sqlite ]]; then
  q() { sqlite3 -separator $'\t' "$out/data/chiso.db" "$1"; }
else
  q() { psql "$pg_url/chiso_load" -qAt -F $'\t' -c "$1"; }
fi
q "SELECT unit_code, indicator, value, version FROM round_values WHERE round_id = $round" >"$out/values.tsv"
q "SELECT kpi_code, scope, period, value FROM observations WHERE scope LIKE 'load-w%'" >"$out/observations.tsv"
audited=$(q "SELECT count(*) FROM audit_log WHERE action = 'round.values.set' AND entity_id = '$round'")
verify=0
"$load" verify --ledger "$out/ledger.json" --values "$out/values.tsv" --observations "$out/observations.tsv" \
  --audited "$audited" || verify=$?
echo
echo "files: $out (summary.txt, goose-report.html, goose.txt, server.log, ledger.json)"
[[ $status -eq 0 && $verify -eq 0 ]]
