#!/usr/bin/env bash
# Runs every kmslab test: formatting, lints, native tests (unit, golden corpus, property tests, doc tests),
# the bare no_std wasm32 build of kmslab-core, the web crate's wasm build, and the browser smoke test.
# Installs the pinned tools first when missing (scripts/install-tools.sh skips what is present).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "tools"
bash scripts/install-tools.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy (native, all targets) and clippy (web, wasm32)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p kmslab-web --target wasm32-unknown-unknown -- -D warnings
# The npm package's bindings (core/src/wasm/), which only the `wasm` feature compiles, and the policy-only
# subset of `kmslab/policy` (`wasm-policy`).
cargo clippy -p kmslab-core --features wasm --target wasm32-unknown-unknown -- -D warnings
cargo clippy -p kmslab-core --features wasm-policy --target wasm32-unknown-unknown -- -D warnings

step "kmslab-core: no_std + alloc for wasm32-unknown-unknown (no default features)"
cargo check -p kmslab-core --no-default-features --target wasm32-unknown-unknown

step "native tests: unit, golden corpus, properties, scenarios, bad-input catalogue, doc tests"
cargo test --workspace

step "browser tests: IndexedDB storage (wasm-bindgen-test, headless Chromium)"
bash scripts/browser-tests.sh

step "scenario documents match docs/scenario.schema.json"
python3 scripts/validate-scenarios.py

step "conformance with @cloud-copilot/iam-simulate"
bash scripts/conformance.sh

step "benchmarks compile"
cargo bench -p kmslab-core --no-run

step "npm package: build, pack, ESM + CJS + TypeScript + README examples"
bash scripts/npm-tests.sh

step "fuzzing: 20 s per target (cargo-fuzz, libFuzzer + ASan), then the committed corpus replayed"
bash scripts/fuzz.sh

step "browser end-to-end tests (Trunk build + headless Chromium)"
bash scripts/e2e.sh

echo
echo "all kmslab tests passed"
