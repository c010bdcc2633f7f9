#!/usr/bin/env bash
# Registers the platform's namespace on the production engine with its history retention
# and custom search attributes (namespace.env), once the server answers. Run after every
# server start, by the local profile (scripts/stack/temporal-server.ts) and by the
# temporal-setup service of docker-compose.yml alike; every step is safe to repeat, and a
# changed retention in namespace.env is applied to an existing namespace.
#
# TEMPORAL_ADDRESS (host:port) and TEMPORAL_NAMESPACE (default `default`) from the
# environment; TEMPORAL_CLI names the `temporal` CLI when it is not on PATH.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=namespace.env
. "$here/namespace.env"
cli="${TEMPORAL_CLI:-temporal}"
namespace="${TEMPORAL_NAMESPACE:-default}"
: "${TEMPORAL_ADDRESS:?set TEMPORAL_ADDRESS to the Temporal frontend (host:port)}"
export TEMPORAL_ADDRESS

if "$cli" operator namespace describe --namespace "$namespace" >/dev/null 2>&1; then
  "$cli" operator namespace update --namespace "$namespace" --retention "$NAMESPACE_RETENTION"
else
  "$cli" operator namespace create --namespace "$namespace" --retention "$NAMESPACE_RETENTION"
fi

# A new namespace reaches every frontend's cache within seconds; until then the server
# answers "not found". Existing attributes of the same name are left as they are.
for attribute in $SEARCH_ATTRIBUTES; do
  for attempt in $(seq 1 30); do
    if out="$("$cli" operator search-attribute create --namespace "$namespace" \
      --name "${attribute%%=*}" --type "${attribute#*=}" 2>&1)"; then
      break
    fi
    if [ "$attempt" -eq 30 ]; then
      printf '%s\n' "$out" >&2
      exit 1
    fi
    sleep 1
  done
done
echo "namespace $namespace: retention $NAMESPACE_RETENTION, search attributes $SEARCH_ATTRIBUTES"
