#!/usr/bin/env bash
# Fuzzes chiso's readers (issue 11): packages (TOML, CSV long and wide), XLSX
# templates, monitoring packages and observation uploads, feeds and uncertainty
# specs, each for a fixed time, under libFuzzer with AddressSanitizer and with
# memory limits, so that a panic or an unbounded allocation is a failure.
#
#   bash bench/fuzz.sh              # 60 s per target
#   bash bench/fuzz.sh 300          # 300 s per target
#   TARGETS="xlsx feed" bash bench/fuzz.sh 30
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). The
# targets are in fuzz/ (not a workspace member), seeds in fuzz/seeds/ come from
# data/sonla/; what the fuzzer finds goes to fuzz/corpus/ (not committed) and
# crashes to fuzz/artifacts/TARGET/. Builds and runs are niced: the machine is shared.
# Prints one line per target and exits 1 if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-60}"
TARGETS="${TARGETS:-package xlsx monitoring feed uncertainty}"
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-/var/tmp/chiso-fuzz-target}"
cargo +nightly fuzz --version >/dev/null 2>&1 || {
  echo "cargo-fuzz is not installed: cargo install cargo-fuzz (and a nightly toolchain)" >&2; exit 1; }

sh fuzz/make_seeds.sh
nice -n 10 cargo +nightly fuzz build --fuzz-dir fuzz >/dev/null

failed=0
for target in $TARGETS; do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus" "fuzz/artifacts/$target"
  log="fuzz/artifacts/$target/last-run.log"
  status=0
  nice -n 10 cargo +nightly fuzz run --fuzz-dir fuzz "$target" "$corpus" "fuzz/seeds/$target" -- \
    -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -malloc_limit_mb=1024 \
    -max_len=262144 -timeout=10 -print_final_stats=1 >"$log" 2>&1 || status=$?
  runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)
  peak=$(grep -E '^stat::peak_rss_mb' "$log" | awk '{print $2}' | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  if [ "$status" -eq 0 ]; then
    printf '%-12s ok      %8s runs in %ss, coverage %s, peak RSS %s MB, corpus %s\n' \
      "$target" "${runs:-?}" "$SECONDS_PER_TARGET" "${cov:-?}" "${peak:-?}" "$(ls "$corpus" | wc -l)"
  else
    failed=1
    crash=$(ls -t "fuzz/artifacts/$target"/{crash,oom,leak,timeout,slow-unit}-* 2>/dev/null | head -1 || true)
    printf '%-12s FAILED  %s (exit %s); log: %s\n' "$target" "${crash:-no artifact}" "$status" "$log"
    grep -E 'panicked at|ERROR: libFuzzer|==ERROR|out-of-memory|malloc\(' "$log" | head -3 | sed 's/^/             /'
  fi
done
exit "$failed"
