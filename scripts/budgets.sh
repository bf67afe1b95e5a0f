#!/usr/bin/env bash
# Playground budgets (issue 4): builds the playground (Trunk, release, offline), reports the gzip -9
# sizes of dist's .wasm, .js and .css and their total against the 600 KB budget, serves dist/ on a
# random free port of 127.0.0.1 with python3's http.server and runs tests/budgets/measure.mjs
# (time to the seed scenario's summary and to the first trace, 5 runs in headless Chromium).
# Informational: exits 0 unless the build or the page fails (an exceeded budget is only reported).
# Then tests/budgets/idb.mjs: 10,000 PutRecords through the batch panel vs a raw IndexedDB put of the
# same bytes (records/s, ratio). Needs the tools from scripts/install-tools.sh. RUNS=n overrides the
# number of load runs, RECORDS=n the batch size.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

trunk build --release --offline

# ---- transfer size: gzip -9 of what the page loads ----
budget=600000 # 600 KB, 1 KB = 1,000 bytes
total=0
echo
printf '%-45s %12s %12s\n' "file (dist/)" "bytes" "gzip -9"
shopt -s nullglob
files=(dist/*.wasm dist/*.js dist/*.css)
if [ "${#files[@]}" -eq 0 ]; then
  echo "budgets: no .wasm/.js/.css in dist/" >&2
  exit 1
fi
for f in "${files[@]}"; do
  raw=$(wc -c <"$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total=$((total + gz))
  printf '%-45s %12d %12d\n' "$(basename "$f")" "$raw" "$gz"
done
verdict="within"
[ "$total" -le "$budget" ] || verdict="OVER"
printf '%-45s %12s %12d  = %s KB (%s KiB), budget 600 KB: %s\n' "total" "" "$total" \
  "$(awk -v b="$total" 'BEGIN { printf "%.1f", b / 1000 }')" \
  "$(awk -v b="$total" 'BEGIN { printf "%.1f", b / 1024 }')" "$verdict"
echo

# ---- load times in headless Chromium ----
. scripts/serve-dist.sh budgets

node tests/budgets/measure.mjs "http://127.0.0.1:$port/" "${RUNS:-5}"

# ---- 10,000 PutRecords into IndexedDB vs a raw put of the same bytes ----
node tests/budgets/idb.mjs "http://127.0.0.1:$port/" "${RECORDS:-10000}"
