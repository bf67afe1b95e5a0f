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
  # A CJK font, so screenshots of the Traditional Chinese interface show characters, not boxes.
  if ! dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then
    log "apt: fonts-wqy-microhei"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq fonts-wqy-microhei >/dev/null || { apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei >/dev/null; }
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

CARGO_FUZZ_VERSION=0.13.2
if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "$CARGO_FUZZ_VERSION" ]; then
  log "cargo install cargo-fuzz $CARGO_FUZZ_VERSION (~1 min)"
  cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION" --force
fi

if ! command -v wasm-pack >/dev/null; then
  log "cargo install wasm-pack (~3 min)"
  cargo install --locked wasm-pack
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] \
  || [ ! -d node_modules/@cloud-copilot/iam-simulate ] || [ ! -d node_modules/@cedar-policy/cedar-wasm ]; then
  log "npm ci (binaryen, playwright-core, @cloud-copilot/iam-simulate, @cedar-policy/cedar-wasm)"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi
# TypeScript, for the npm package's type check (scripts/npm-tests.sh); in package-lock.json like the above.
if [ ! -x node_modules/.bin/tsc ]; then
  log "npm ci (typescript)"
  npm ci --no-audit --no-fund
fi
if ! python3 -c "import jsonschema" 2>/dev/null; then
  log "pip install jsonschema (scenario schema check)"
  python3 -m pip install --quiet jsonschema
fi
log "tools ready"
