#!/usr/bin/env bash
# rmcp-core's layers import only downward (docs/ARCHITECTURE.md):
#   model -> transport (trait, frames, byte streams) -> schema -> service -> handler -> router
#         -> client -> transport::http -> auth
# Each rule: the files of a layer, and the paths they must not name outside comments.
set -euo pipefail
cd "$(dirname "$0")/../rmcp-core/src"
status=0
check() {
  local what=$1 pattern=$2; shift 2
  local hits
  hits=$(grep -rnE "crate::($pattern)\b" "$@" | grep -vE '^[^:]+:[0-9]+:\s*//' || true)
  if [[ -n $hits ]]; then
    echo "$what imports upward:" >&2
    echo "$hits" >&2
    status=1
  fi
}
byte_transport=$(find transport -maxdepth 1 -name '*.rs')
check model 'transport|schema|service|handler|router|client|auth' model
check transport "schema|service|handler|router|client|auth" $byte_transport
check schema 'service|handler|router|client|auth|transport' schema.rs
check service 'handler|router|client|auth|transport::http' service
check handler 'router|client|auth|transport::http' handler
check router 'client|auth|transport::http' router
check client 'auth|transport::http' client
check transport::http 'auth' transport/http
exit $status
