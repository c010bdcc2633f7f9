#!/usr/bin/env bash
# The README's first command: installs what is missing, then starts the whole platform.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node
ensure_deps
bash "$ROOT/scripts/tools.sh"
cd "$ROOT"
exec node scripts/dev.ts
