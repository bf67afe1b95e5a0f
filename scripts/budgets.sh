#!/usr/bin/env bash
# Playground budgets (issue 4): builds the playground (Trunk, release, offline), reports the gzip -9
# sizes of dist's .wasm and .js and their total against the 600 KB budget (then with the .css, and the
# files fetched on demand), serves dist/ on a
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
# The issue's budget is the playground's wasm + JS. The stylesheet is loaded too and reported beside it;
# the files fetched later (an example other than the seed when it is opened, the Traditional Chinese
# texts when that language is chosen: web/src/examples.rs, web/src/i18n.rs) are listed after.
budget=600000 # 600 KB, 1 KB = 1,000 bytes
kb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1000 }'; }
gz() { gzip -9 -c "$1" | wc -c; }
echo
printf '%-45s %12s %12s\n' "file (dist/)" "bytes" "gzip -9"
shopt -s nullglob
code=(dist/*.wasm dist/*.js)
if [ "${#code[@]}" -lt 2 ]; then
  echo "budgets: no .wasm/.js in dist/" >&2
  exit 1
fi
total=0
for f in "${code[@]}"; do
  size=$(gz "$f")
  total=$((total + size))
  printf '%-45s %12d %12d\n' "$(basename "$f")" "$(wc -c <"$f")" "$size"
done
verdict="within"
[ "$total" -le "$budget" ] || verdict="OVER"
printf '%-45s %12s %12d  = %s KB, budget 600 KB: %s\n' "wasm + JS" "" "$total" "$(kb "$total")" "$verdict"
css=0
for f in dist/*.css; do css=$((css + $(gz "$f"))); done
printf '%-45s %12s %12d  = %s KB with the stylesheet\n' "wasm + JS + CSS" "" "$((total + css))" "$(kb $((total + css)))"
zh=$(gz dist/i18n/zh-TW.json)
printf '%-45s %12d %12d  (fetched when 繁體中文 is chosen: wasm + JS + it = %s KB)\n' "i18n/zh-TW.json" \
  "$(wc -c <dist/i18n/zh-TW.json)" "$zh" "$(kb $((total + zh)))"
largest=0
for f in dist/examples/*.json; do
  size=$(gz "$f")
  [ "$size" -le "$largest" ] || largest=$size
done
printf '%-45s %12s %12d  (each fetched when opened; the largest)\n' "examples/*.json" "" "$largest"
echo

# ---- load times in headless Chromium ----
. scripts/serve-dist.sh budgets

node tests/budgets/measure.mjs "http://127.0.0.1:$port/" "${RUNS:-5}"

# ---- 10,000 PutRecords into IndexedDB vs a raw put of the same bytes ----
node tests/budgets/idb.mjs "http://127.0.0.1:$port/" "${RECORDS:-10000}"
