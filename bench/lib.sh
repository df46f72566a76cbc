# Shared by bench/load.sh and bench/form.sh (sourced, not run): building chiso and
# the load tool, a fresh database, and `chiso serve` on a free port.
# Expects: CARGO_TARGET_DIR, load_target, backend, out, pg_url, admin_password.

# Sets `chiso` (CHISO_BIN or a release build) and `load` (bench/load's tool).
build_tools() {
  if [[ -n "${CHISO_BIN:-}" ]]; then
    chiso="$CHISO_BIN"
  else
    nice -n 10 cargo build -q --release -p chiso
    chiso="$CARGO_TARGET_DIR/release/chiso"
  fi
  CARGO_TARGET_DIR="$load_target" nice -n 10 cargo build -q --release --manifest-path bench/load/Cargo.toml
  load="$load_target/release/chiso-load"
}

# Sets `db_args` for `chiso serve`: a data dir under $out (SQLite) or the fresh
# PostgreSQL database $1 (dropped and created).
fresh_database() {
  local database="$1"
  db_args=()
  if [[ "$backend" == sqlite ]]; then
    mkdir -p "$out/data"
    db_args=(--data-dir "$out/data")
  else
    command -v psql >/dev/null || { echo "psql is not installed" >&2; exit 1; }
    psql "$pg_url/postgres" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $database" \
      -c "CREATE DATABASE $database" >/dev/null
    db_args=(--database-url "$pg_url/$database")
  fi
}

# Removes the run's data unless KEEP=1: the data dir, or the database $1.
drop_database() {
  if [[ "${KEEP:-}" != 1 ]]; then
    rm -rf "$out/data"
    [[ "$backend" == postgres ]] && psql "$pg_url/postgres" -q -c "DROP DATABASE IF EXISTS $1" >/dev/null 2>&1
  fi
  true
}

pid=""
stop_server() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  pid=""
}

# Starts `chiso serve` on a port the system picks; sets `pid` and `base`.
start_server() {
  echo "== starting chiso serve ($backend) on a free port" >&2
  (cd "$out" && exec env RUST_LOG="${RUST_LOG:-warn}" CHISO_ADMIN_PASSWORD="$admin_password" \
    "$chiso" serve --addr 127.0.0.1:0 "${db_args[@]}") 2>"$out/server.log" &
  pid=$!
  base=""
  for _ in $(seq 1 300); do
    base=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$out/server.log" | head -1 || true)
    [[ -n "$base" ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$out/server.log" >&2; exit 1; }
    sleep 0.2
  done
  [[ -n "$base" ]] || { echo "the server printed no address" >&2; cat "$out/server.log" >&2; exit 1; }
  echo "   $base (pid $pid)" >&2
}
