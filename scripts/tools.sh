#!/usr/bin/env bash
# Builds the local tools from the Go module proxy into the per-user tools folder, once:
# the Temporal CLI (dev server and Web UI), stripe-mock, MinIO, and the production
# engine (temporal-server, temporal-sql-tool, temporal-ui-server). A tool already on
# PATH is used as it is. Without Go, the Temporal CLI falls back to the Temporal SDK's
# own download (needs internet); the others need Go. All builds run at once: the
# server is the longest (minutes on 2 cores), and CI waits for the slowest only.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIN="$CLIPWISE_TOOLS_DIR/bin"
mkdir -p "$BIN" "$CLIPWISE_TOOLS_DIR/logs"

# name  module@version
TOOLS=(
  "temporal github.com/temporalio/cli/cmd/temporal@v1.5.1"
  "stripe-mock github.com/stripe/stripe-mock@v0.197.0"
  "minio github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c"
  "temporal-server go.temporal.io/server/cmd/server@v1.29.1"
  "temporal-sql-tool go.temporal.io/server/cmd/tools/sql@v1.29.1"
  "temporal-ui-server github.com/temporalio/ui-server/v2/cmd/server@v2.42.1"
)

on_path_elsewhere() {
  local found
  found="$(command -v "$1" 2>/dev/null || true)"
  [ -n "$found" ] && [ "$found" != "$BIN/$1" ]
}

built() { [ -x "$BIN/$1" ] && [ "$(cat "$BIN/$1.version" 2>/dev/null)" = "$2" ]; }

# Each build gets its own GOBIN: two of the modules install a binary named `server`,
# so the binary is renamed to the tool's name as it moves into the bin folder.
build_one() {
  local name="$1" module="$2" log="$CLIPWISE_TOOLS_DIR/logs/$1.log"
  local started=$SECONDS gobin built_file
  gobin="$(mktemp -d "$CLIPWISE_TOOLS_DIR/build-$name.XXXXXX")"
  if GOBIN="$gobin" GOFLAGS="-trimpath" go install "$module" >"$log" 2>&1; then
    built_file="$(find "$gobin" -maxdepth 1 -type f -perm -u+x | head -n 1)"
    mv -f "$built_file" "$BIN/$name"
    rm -rf "$gobin"
    echo "$module" >"$BIN/$name.version"
    say "built $name in $((SECONDS - started)) s"
  else
    rm -rf "$gobin"
    say "building $name failed; see $log"
    tail -n 20 "$log" >&2
    return 1
  fi
}

pids=()
for entry in "${TOOLS[@]}"; do
  read -r name module <<<"$entry"
  if on_path_elsewhere "$name" || built "$name" "$module"; then continue; fi
  if command -v go >/dev/null 2>&1; then
    say "building $name from $module (first run only)"
    build_one "$name" "$module" &
    pids+=($!)
  elif [ "$name" = temporal ]; then
    ensure_node
    ensure_deps
    say "Go not found: downloading the Temporal CLI through the Temporal SDK"
    node "$ROOT/scripts/stack/download-temporal.ts" "$BIN"
  else
    say "$name is missing and Go (>= 1.25) is not installed to build it; install Go or put $name on PATH"
    exit 1
  fi
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
