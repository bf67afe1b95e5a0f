#!/usr/bin/env bash
# Browser smoke test: builds the playground (Trunk, release, offline), serves dist/ on a random
# free port of 127.0.0.1 with python3's http.server, runs tests/e2e/smoke.mjs in headless Chromium,
# then stops the server. Screenshots: tests/artifacts/. Needs the tools from scripts/install-tools.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

trunk build --release --offline

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
python3 -m http.server "$port" --bind 127.0.0.1 --directory dist >/dev/null 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT

# Wait (up to ~10 s) until the server answers.
for _ in $(seq 1 50); do
  if python3 -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$port/', timeout=1)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "e2e: the http server exited" >&2
    exit 1
  fi
  sleep 0.2
done

node tests/e2e/smoke.mjs "http://127.0.0.1:$port/"
