#!/usr/bin/env bash
# The schema steps of the production engine: creates Temporal's two databases on
# PostgreSQL when missing, then brings each to the schema version this server needs,
# with the schemas embedded in temporal-sql-tool (no schema files to ship). Run before
# every server start, by the local profile (scripts/stack/temporal-server.ts) and by the
# temporal-schema service of docker-compose.yml alike; every step is safe to repeat.
#
# Connection from the environment, as temporal-sql-tool reads it:
#   SQL_HOST SQL_PORT SQL_USER SQL_PASSWORD (SQL_TLS... for TLS)
# TEMPORAL_SQL_TOOL names the tool when it is not `temporal-sql-tool` on PATH.
set -euo pipefail

tool="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
export SQL_PLUGIN=postgres12

# The tool logs every statement; its output is shown only when a step fails.
step() {
  local out
  if ! out="$("$tool" "$@" 2>&1)"; then
    printf '%s\n' "$out" >&2
    echo "schema: temporal-sql-tool $* failed" >&2
    exit 1
  fi
}

# database  embedded schema
SCHEMAS=(
  "temporal postgresql/v12/temporal"
  "temporal_visibility postgresql/v12/visibility"
)

for entry in "${SCHEMAS[@]}"; do
  read -r db schema <<<"$entry"
  # PostgreSQL has no CREATE DATABASE IF NOT EXISTS: an existing database is the one
  # failure that is fine here; any other (no server, wrong password) stops the script.
  if ! out="$("$tool" --db "$db" create-database 2>&1)"; then
    if ! grep -q 'already exists' <<<"$out"; then
      printf '%s\n' "$out" >&2
      exit 1
    fi
  fi
  # Version tables only (no schema file), skipped once a version is recorded.
  step --db "$db" setup-schema -v 0.0
  # Applies the embedded versions above the recorded one; nothing when up to date.
  step --db "$db" update-schema --schema-name "$schema"
  echo "schema: $db is up to date with $schema"
done
