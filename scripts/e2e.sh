#!/usr/bin/env bash
# Browser smoke test: builds the playground (Trunk, release, offline), serves dist/ on a random
# free port of 127.0.0.1 with python3's http.server, runs tests/e2e/{smoke,lang,batch}.mjs in headless Chromium,
# then stops the server. Screenshots: tests/artifacts/. Needs the tools from scripts/install-tools.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

trunk build --release --offline

. scripts/serve-dist.sh e2e

# Every suite runs, even after one fails; the script fails when any did.
status=0
for suite in smoke lang batch; do
  node "tests/e2e/$suite.mjs" "http://127.0.0.1:$port/" || status=1
done
exit "$status"
