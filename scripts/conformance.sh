#!/usr/bin/env bash
# Conformance of kmslab with @cloud-copilot/iam-simulate (docs/conformance.md): N seeded random questions
# through both engines; prints the agreement, the per-feature breakdown and the classes of difference, writes
# every disagreement to tests/artifacts/conformance/disagreements.json, and exits non-zero when a disagreement
# is not a known difference (tests/conformance/known.json).
#
#   bash scripts/conformance.sh [N [SEED]]        (defaults: N=5000, SEED=1; or CONFORMANCE_N / CONFORMANCE_SEED)
#
# Extra arguments after SEED go to tests/conformance/run.mjs (e.g. --out DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

n="${1:-${CONFORMANCE_N:-5000}}"
seed="${2:-${CONFORMANCE_SEED:-1}}"
shift $(( $# > 2 ? 2 : $# ))

if [ ! -d node_modules/@cloud-copilot/iam-simulate ]; then
  echo "[conformance] npm ci (@cloud-copilot/iam-simulate is a devDependency)"
  npm ci --no-audit --no-fund
fi

echo "[conformance] cargo build --release -p kmslab-core --example answer_jsonl"
cargo build --release -p kmslab-core --example answer_jsonl

node tests/conformance/run.mjs --n "$n" --seed "$seed" --bin target/release/examples/answer_jsonl "$@"
