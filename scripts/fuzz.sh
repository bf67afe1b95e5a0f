#!/usr/bin/env bash
# Fuzzes kmslab-core with cargo-fuzz (libFuzzer + AddressSanitizer): the policy parser, the evaluator
# (structured questions), the scenario loader, the share-link decoder and the ciphertext decoders
# (fuzz/src/lib.rs), then replays every committed corpus file and crash reproducer (fuzz/tests/replay.rs).
#
#   bash scripts/fuzz.sh            # bounded: 20 s per target (the test command runs this)
#   FUZZ_SECONDS=600 bash scripts/fuzz.sh --keep   # the longer run; --keep merges new inputs into fuzz/corpus
#
# cargo-fuzz needs nightly-only rustc flags (-Zsanitizer); this machine has only the stable toolchain, so
# RUSTC_BOOTSTRAP=1 lets stable rustc accept them (the sanitizer runtimes ship with stable's rust-std).
# A crash fails the script and leaves its reproducer in fuzz/artifacts/TARGET/; copy it to
# fuzz/regressions/TARGET/ once fixed, so the replay test keeps it fixed.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
export RUSTC_BOOTSTRAP=1
seconds="${FUZZ_SECONDS:-20}"
keep=0
[ "${1:-}" = "--keep" ] && keep=1
targets=(policy_parser evaluator scenario_loader share_link ciphertext)

cargo fuzz build -O

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
total=0
status=0
for t in "${targets[@]}"; do
  mkdir -p "$work/$t" "artifacts/$t"
  cp -r "corpus/$t/." "$work/$t/" 2>/dev/null || true
  log="$work/$t.log"
  if cargo fuzz run -O "$t" "$work/$t" -- -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 \
    -artifact_prefix="artifacts/$t/" -print_final_stats=1 >"$log" 2>&1; then
    runs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log" | tail -n1)
    printf '%-16s %10s executions in %s s, corpus %s inputs\n' "$t" "${runs:-?}" "$seconds" "$(find "$work/$t" -type f | wc -l)"
    total=$((total + ${runs:-0}))
  else
    status=1
    echo "$t: CRASH — see fuzz/artifacts/$t/"
    grep -E "panicked|ERROR|SUMMARY" "$log" | head -n 8
  fi
  if [ "$keep" = 1 ]; then
    cargo fuzz cmin -O "$t" "$work/$t" >/dev/null 2>&1 || true
    # Keep the committed corpus small: at most 300 inputs of up to 8 KiB, the smallest first.
    find "$work/$t" -type f -size +8k -delete
    find "$work/$t" -type f -printf '%s %p\n' | sort -n | tail -n +301 | cut -d' ' -f2- | xargs -r rm -f
    rm -rf "corpus/$t" && mkdir -p "corpus/$t" && cp -r "$work/$t/." "corpus/$t/"
  fi
done
echo "fuzzing: $total executions in all (${seconds} s per target)"

replay="$work/replay.log"
if cargo test --release --test replay -- --nocapture >"$replay" 2>&1; then
  grep -E "committed fuzz inputs replayed" "$replay"
else
  status=1
  tail -n 30 "$replay"
fi
exit "$status"
