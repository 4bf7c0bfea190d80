#!/usr/bin/env bash
# Installs the interop tools into this folder, for examples/tests/interop.rs:
#   node_modules/  the official TypeScript SDKs and the reference server (npm ci, package-lock.json)
#   .venv/         the official Python SDK (python3 -m venv, pip install -r requirements.txt)
# Idempotent: each part is redone only when its pin file or interpreter changed since the last
# successful install (a stamp file inside the install folder records that). Prints one line a part.
set -euo pipefail
cd "$(dirname "$0")"

# stamp TOOL FILE...: one hash of the files' contents and the version of TOOL.
stamp() { { "$1" --version; shift; cat "$@"; } 2>&1 | sha256sum | cut -d' ' -f1; }

npm_stamp=$(stamp node package.json package-lock.json)
if [[ -f node_modules/.interop-stamp && $(<node_modules/.interop-stamp) == "$npm_stamp" ]]; then
    echo "interop: node_modules up to date"
else
    start=$SECONDS
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
    echo "$npm_stamp" >node_modules/.interop-stamp
    echo "interop: npm ci done in $((SECONDS - start))s"
fi

py_stamp=$(stamp python3 requirements.txt)
if [[ -f .venv/.interop-stamp && $(<.venv/.interop-stamp) == "$py_stamp" ]]; then
    echo "interop: .venv up to date"
else
    start=$SECONDS
    rm -rf .venv
    python3 -m venv .venv
    .venv/bin/python -m pip install --quiet --no-input --disable-pip-version-check -r requirements.txt
    echo "$py_stamp" >.venv/.interop-stamp
    echo "interop: .venv installed in $((SECONDS - start))s"
fi
