#!/usr/bin/env bash
# Side-by-side benchmarks of the npm package `kmslab` (issue 5; results in README.md, "Benchmarks"):
#   1. builds the package into npm/pkg (scripts/build-npm.sh) when it is missing (KMSLAB_BENCH_REBUILD=1:
#      always);
#   2. runs the native criterion benches of the same questions (core/benches/compare.rs) and of the
#      envelope (core/benches/store.rs, "envelope seal+open") — criterion's estimates land in
#      target/criterion/;
#   3. runs tests/bench/run.mjs: per-decision p50/p99 from Node for kmslab, @cloud-copilot/iam-simulate and
#      @cedar-policy/cedar-wasm (the engines must agree first), decideBatch throughput, wasm vs native,
#      AES-256-GCM per record in headless Chromium (kmslab's web build vs WebCrypto) and the wasm sizes;
#   and prints one report (markdown tables; JSON in target/bench/results.json).
# Informational and slow (about 5 minutes with a built package): not part of scripts/test.sh. Needs the
# tools of scripts/install-tools.sh. Extra arguments go to run.mjs (--quick, --no-browser).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
export PATH="$root/node_modules/.bin:$PATH"
log() { printf '[bench] %s\n' "$*" >&2; }

if [ "${KMSLAB_BENCH_REBUILD:-0}" = 1 ] || [ ! -f npm/pkg/node/index.mjs ]; then
  log "building the npm package (scripts/build-npm.sh)"
  bash scripts/build-npm.sh >&2
fi

log "native: cargo bench --bench compare, --bench store (envelope)"
cargo bench -p kmslab-core --bench compare -- --noplot >&2
cargo bench -p kmslab-core --bench store -- --noplot "envelope seal" >&2

log "node tests/bench/run.mjs $*"
node tests/bench/run.mjs --criterion "$root/target/criterion" "$@"
