#!/usr/bin/env bash
# Browser tests of the playground's IndexedDB storage (web/tests/persist.rs) with wasm-bindgen-test
# in headless Chromium: wasm-bindgen-test-runner 0.2.130 drives /usr/bin/chromedriver (both from
# scripts/install-tools.sh). Ends with "N passed, M failed"; exits non-zero when a test fails.
set -uo pipefail
cd "$(dirname "$0")/.."

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" \
  cargo test -p kmslab-web --target wasm32-unknown-unknown 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# Sum the "test result: … N passed; M failed" lines of every test binary.
read -r passed failed < <(awk '/test result:/ {
    for (i = 1; i <= NF; i++) {
      if ($(i + 1) ~ /^passed/) p += $i
      if ($(i + 1) ~ /^failed/) f += $i
    }
  } END { print p + 0, f + 0 }' "$log")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the build or the runner failed before reporting
fi
echo
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
