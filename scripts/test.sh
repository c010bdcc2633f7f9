#!/usr/bin/env bash
# The README's second command: installs what is missing, checks types and lint, then
# runs every test (unit, integration against a stack started on free loopback ports,
# and the browser tests). Extra arguments go to vitest, e.g. `npm test -- tests/unit`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node
ensure_deps
bash "$ROOT/scripts/tools.sh" --all
cd "$ROOT"
if [ $# -eq 0 ]; then
  say "type check"
  npm run --silent typecheck
  say "lint"
  npm run --silent lint
fi
say "tests"
exec npx vitest run "$@"
