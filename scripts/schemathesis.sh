#!/usr/bin/env bash
# Installs schemathesis (property-based API tests generated from the OpenAPI document) from
# PyPI into a virtual environment of its own in the tools folder, once per version, and
# prints the path of its command. tests/integration/api-fuzz.test.ts runs it against the
# test stack. Needs python3 (3.10 or later) with its venv module.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SCHEMATHESIS_VERSION="4.32.5"
VENV="$CLIPWISE_TOOLS_DIR/schemathesis-$SCHEMATHESIS_VERSION"
COMMAND="$VENV/bin/schemathesis"
LOG="$CLIPWISE_TOOLS_DIR/logs/schemathesis.log"
mkdir -p "$CLIPWISE_TOOLS_DIR/logs"

installed() { [ -x "$COMMAND" ] && [ "$(cat "$VENV/.clipwise-version" 2>/dev/null)" = "$SCHEMATHESIS_VERSION" ]; }
if installed; then
  echo "$COMMAND"
  exit 0
fi

# Two sessions may install at once into the shared tools folder: one does it, the other waits.
exec 9>"$CLIPWISE_TOOLS_DIR/schemathesis.lock"
command -v flock >/dev/null 2>&1 && flock 9
if installed; then
  echo "$COMMAND"
  exit 0
fi

PYTHON="$(command -v python3 || true)"
if [ -z "$PYTHON" ] || ! "$PYTHON" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  say "python3 (3.10 or later) with its venv module is needed for the API fuzz test (schemathesis): on Debian, apt-get install python3-venv (.ci/run does)"
  exit 1
fi

started=$SECONDS
say "installing schemathesis $SCHEMATHESIS_VERSION from PyPI into $VENV (first run only)"
# The version stamp is written last: a half-made environment is never taken as installed (and
# is made again). A virtual environment records its own path, so it is made where it stays.
rm -rf "$VENV"
if ! "$PYTHON" -m venv "$VENV" >"$LOG" 2>&1 ||
  ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION" >>"$LOG" 2>&1; then
  rm -rf "$VENV"
  say "installing schemathesis failed; see $LOG"
  tail -n 20 "$LOG" >&2
  exit 1
fi
echo "$SCHEMATHESIS_VERSION" >"$VENV/.clipwise-version"
say "installed schemathesis $("$COMMAND" --version | awk '{print $NF}') in $((SECONDS - started)) s"
echo "$COMMAND"
