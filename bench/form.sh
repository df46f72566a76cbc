#!/usr/bin/env bash
# The speed goal of issue 12: 100 reporters saving their unit's form at once for 60 s,
# 75 communes × 50 indicators. goose (bench/load/, command form-run) against a fresh
# release `chiso serve`; then every acknowledged value is counted in the database.
#
#   bash bench/form.sh [sqlite|postgres] [REPORTERS] [DURATION]   # default: sqlite 100 60s
#
# What it does: builds chiso (release) and the load tool; writes a package in a temp
# dir (chiso-load form-package: the 75 communes of Sơn La from
# data/vn-admin/communes-2025.csv, one framework of 10 main indicators × 5 leaves, 90 %
# of the values filled in, deterministic); starts `chiso serve` on an empty data dir
# (or a fresh PostgreSQL database); adds REPORTERS reporter accounts (`chiso user add`,
# one per unit, a second one on the first units); creates the round as an admin
# uploads it (POST /work/rounds) and opens it; runs REPORTERS goose users for
# DURATION after the last one signed in; each opens its unit's form, saves fields one
# by one (POST …/field) and now and then the whole form (POST …/save); then dumps the
# round's values and audit rows and checks them against the tool's ledger.
#
# Environment:
#   THINK=1.0          scale of the pauses (1–3 s before each save); 0 = none (stress)
#   FIELDS=3           field saves per visit of the form
#   FORM_SAVE_EVERY=3  a whole-form save every N visits (0 = never)
#   RAMP=10s           goose --increase-time (users start evenly over it)
#   PG_URL=postgres://postgres@127.0.0.1:5432   where `postgres` creates its database
#   RUST_LOG=warn      the server's log level
#   OUT=DIR            the run's files (default /var/tmp/chiso-form-runs/<time>-<backend>-<n>)
#   KEEP=1             keep the data dir / the PostgreSQL database after the run
#   CHISO_BIN=PATH     run this chiso binary instead of building one
#
# Loopback only; the load generator and the server share this machine's cores (2 on
# the project's machines): say so next to the figures. Exits non-zero when the tool
# fails, a request fails, or a value is lost or duplicated.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
backend="${1:-sqlite}"
users="${2:-100}"
duration="${3:-60s}"
case "$backend" in sqlite | postgres) ;; *) echo "usage: $0 [sqlite|postgres] [REPORTERS] [DURATION]" >&2; exit 2 ;; esac
[[ "$users" =~ ^[0-9]+$ ]] && ((users >= 1 && users <= 1000)) || { echo "REPORTERS: 1 to 1000" >&2; exit 2; }
[[ "$duration" =~ ^[0-9]+[smh]?$ ]] || { echo "DURATION: like 60s or 10m" >&2; exit 2; }
case "$duration" in *m) per=60 ;; *h) per=3600 ;; *) per=1 ;; esac
seconds=$((${duration%[smh]} * per))
pg_url="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/chiso-target}"
load_target="${CHISO_LOAD_TARGET:-/var/tmp/chiso-load-target}"
out="${OUT:-/var/tmp/chiso-form-runs/$(date +%Y%m%d-%H%M%S)-$backend-$users}"
mkdir -p "$out"
package=$(mktemp -d "${TMPDIR:-/tmp}/chiso-form-package.XXXXXX")
admin_password="form-admin-$RANDOM$RANDOM"
export CHISO_USER_PASSWORD="form-user-$RANDOM$RANDOM" CHISO_LOAD_PASSWORD
CHISO_LOAD_PASSWORD="$CHISO_USER_PASSWORD"

echo "== building (release): chiso, and the load tool (bench/load)" >&2
build_tools

echo "== package: 75 communes × 50 indicators, $users reporters ($package)" >&2
"$load" form-package --communes data/vn-admin/communes-2025.csv --reporters "$users" --out "$package"
{
  echo "binary: $chiso, sha256 $(sha256sum "$chiso" | cut -c1-16), built $(date -r "$chiso" '+%F %T')$([[ -n "${CHISO_BIN:-}" ]] && echo " (CHISO_BIN: built elsewhere)"); checkout: $(git describe --always --dirty 2>/dev/null || echo unknown)"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -sr)"
  echo "run: $backend, $users reporters, ramp ${RAMP:-10s}, $duration measured after the last sign-in, think x${THINK:-1.0}, ${FIELDS:-3} field saves a visit, a form save every ${FORM_SAVE_EVERY:-3} visits, RUST_LOG=${RUST_LOG:-warn}"
  echo "package: $(sha256sum "$package"/assessment.toml "$package"/frameworks/commune.toml "$package"/units.csv "$package"/values.csv | cut -c1-12 | paste -sd' ')"
} >"$out/run-info.txt"

database="chiso_form_bench"
fresh_database "$database"

cleanup() {
  stop_server
  rm -rf "$package"
  drop_database "$database"
}
trap cleanup EXIT

start_server

echo "== accounts: $users reporters (chiso user add)" >&2
while IFS=$'\t' read -r username unit; do
  "$chiso" user add "$username" --role reporter --unit "$unit" --name "Báo cáo $unit" "${db_args[@]}" \
    >>"$out/users.log" 2>&1 || { tail -3 "$out/users.log" >&2; exit 1; }
done <"$package/reporters.tsv"

echo "== setup: the round uploaded by the admin (frameworks, units, values) and opened" >&2
"$load" form-setup --base "$base" --admin-password "$admin_password" --package "$package" --out "$out/setup.json"
round=$(grep -o '"round": [0-9]*' "$out/setup.json" | grep -o '[0-9]*$')

if [[ "$backend" == sqlite ]]; then
  q() { sqlite3 -separator $'\t' "$out/data/chiso.db" "$1"; }
else
  q() { psql "$pg_url/$database" -qAt -F $'\t' -c "$1"; }
fi
values_query="SELECT unit_code, indicator, value, version FROM round_values WHERE round_id = $round"
audit_query="SELECT count(*) FROM audit_log WHERE action = 'round.values.set' AND entity_id = '$round'"
q "$values_query" >"$out/values-before.tsv"
audited_before=$(q "$audit_query")

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
echo "== load: $users reporters, ramp ${RAMP:-10s}, $duration (load average before: $load0)" >&2
started=$(date +%s)
status=0
timeout $((seconds + 600)) /usr/bin/time -f "%U %S %M" -o "$out/load-time.txt" \
  "$load" form-run --setup "$out/setup.json" --out "$out" --think "${THINK:-1.0}" \
  --fields "${FIELDS:-3}" --form-save-every "${FORM_SAVE_EVERY:-3}" \
  --users "$users" --increase-time "${RAMP:-10s}" --run-time "$duration" --no-reset-metrics \
  --report-file "$out/goose-report.html" --quiet >"$out/goose.txt" 2>"$out/goose.log" || status=$?
elapsed=$(($(date +%s) - started))
server_cpu=$(($(cpu_of "$pid") - server_cpu0))
pg_cpu_used=$(($(pg_cpu) - pg_cpu0))
load1=$(cut -d' ' -f1-3 /proc/loadavg)
stop_server
cat "$out/run-info.txt"
cat "$out/summary.txt" 2>/dev/null || { echo "the load tool failed ($status):" >&2; tail -20 "$out/goose.log" >&2; exit 1; }

echo
echo "== CPU over the ${elapsed}s of the load, ramp included ($(nproc) cores = $(($(nproc) * elapsed)) CPU-s available)"
read -r load_user load_sys load_rss <"$out/load-time.txt" || true
awk -v s="$server_cpu" -v t="$tick" -v e="$elapsed" 'BEGIN { printf "   chiso serve: %.1f CPU-s (%.0f%% of one core)\n", s / t, 100 * s / t / e }'
awk -v u="${load_user:-0}" -v y="${load_sys:-0}" -v e="$elapsed" -v m="${load_rss:-0}" \
  'BEGIN { printf "   load generator (goose): %.1f CPU-s (%.0f%% of one core), peak RSS %.0f MiB\n", u + y, 100 * (u + y) / e, m / 1024 }'
if [[ "$backend" == postgres ]]; then
  awk -v s="$pg_cpu_used" -v t="$tick" -v e="$elapsed" 'BEGIN { printf "   postgres (all its processes): %.1f CPU-s (%.0f%% of one core)\n", s / t, 100 * s / t / e }'
fi
echo "   load average before / after: $load0 / $load1"

echo
echo "== values counted in the database after the server stopped"
q "$values_query" >"$out/values.tsv"
audited=$(($(q "$audit_query") - audited_before))
rows=$(q "SELECT count(*) FROM round_values WHERE round_id = $round")
distinct=$(q "SELECT count(*) FROM (SELECT DISTINCT unit_code, indicator FROM round_values WHERE round_id = $round) AS d")
echo "rows of the round: $rows, distinct (unit, indicator): $distinct (before the load: $(wc -l <"$out/values-before.tsv") rows)"
verify=0
"$load" verify --strict --ledger "$out/ledger.json" --values "$out/values.tsv" --observations /dev/null \
  --before "$out/values-before.tsv" --audited "$audited" | tee "$out/verify.txt" || verify=$?
[[ "$rows" == "$distinct" ]] || { echo "DUPLICATED ROWS: $((rows - distinct))"; verify=5; }
failed=$(grep -c '^failures by status' "$out/summary.txt" || true)
echo
echo "files: $out (summary.txt, verify.txt, run-info.txt, goose-report.html, ledger.json, values.tsv, server.log)"
[[ $status -eq 0 && $verify -eq 0 && $failed -eq 0 ]]
