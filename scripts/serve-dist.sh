# Sourced by scripts/e2e.sh and scripts/budgets.sh: serves dist/ on a free port of 127.0.0.1 with python3's
# http.server (which serves .wasm as application/wasm), stops it on exit, and waits until it answers.
# Sets `port`. Usage: `. scripts/serve-dist.sh NAME` (NAME prefixes error messages).
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
python3 -m http.server "$port" --bind 127.0.0.1 --directory dist >/dev/null 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT

# Wait (up to ~10 s) until the server answers.
for _ in $(seq 1 50); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/', timeout=1)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "${1:-serve}: the http server exited" >&2
    exit 1
  fi
  sleep 0.2
done
