#!/usr/bin/env bash
# Build and serve the playground: http://127.0.0.1:${PORT:-8080}/ (rebuilds on change).
# Installs the pinned tools first if they are missing (scripts/install-tools.sh; skips what is present).
set -euo pipefail
cd "$(dirname "$0")/.."

KMSLAB_NEED_BROWSER="${KMSLAB_NEED_BROWSER:-0}" bash scripts/install-tools.sh
PATH="$PWD/node_modules/.bin:$PATH" exec trunk serve --release --offline --port "${PORT:-8080}" "$@"
