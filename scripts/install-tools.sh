#!/usr/bin/env bash
# Installs everything kmslab's build and tests need, idempotently: each step is skipped when the
# right version is already present. A fresh machine has only Rust, Node, npm, Python and apt.
# Versions are pinned (see ../shared/reference/toolchain.md for why each pin exists).
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130
TRUNK_VERSION=0.21.14
need_browser="${KMSLAB_NEED_BROWSER:-1}"

log() { printf '[install] %s\n' "$*"; }

if [ "$need_browser" = 1 ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    log "apt: chromium chromium-driver"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    log "chromium present: $(chromium --version 2>/dev/null | head -n1)"
  fi
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (~6 min)"
  # --locked fails on this mirror (see toolchain.md), so unlocked.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  log "cargo install trunk $TRUNK_VERSION (~15 min)"
  cargo install --locked trunk --version "$TRUNK_VERSION" --force
fi

if ! command -v wasm-pack >/dev/null; then
  log "cargo install wasm-pack (~3 min)"
  cargo install --locked wasm-pack
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ]; then
  log "npm ci (binaryen, playwright-core)"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi
if ! python3 -c "import jsonschema" 2>/dev/null; then
  log "pip install jsonschema (scenario schema check)"
  python3 -m pip install --quiet jsonschema
fi
log "tools ready"
