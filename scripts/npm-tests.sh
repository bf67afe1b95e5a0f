#!/usr/bin/env bash
# Tests the npm package `kmslab` as a user gets it: builds it (scripts/build-npm.sh), packs it with `npm pack`,
# installs the tarball into a fresh temporary project and there runs tests/npm/:
#   - ESM (`import … from "kmslab"`) and CommonJS (`require("kmslab")`) tests with node's test runner: evaluate,
#     PolicySet (the seed key policy; a batch of 1,000), validatePolicy, every tests/scenarios/*.json run with
#     all its expectations met, share links, typed errors for bad input (never a panic);
#   - every ```js / ```cjs example of the package's README.md, run, with its `// →` outputs checked;
#   - a TypeScript type check (tsc --noEmit, strict, nodenext) of a usage file, a CommonJS usage file and the
#     README's ```ts examples;
#   - the web build and the README's widget snippet in headless Chromium (skipped when Chromium is missing).
# Ends with "N passed, M failed". KMSLAB_NPM_SKIP_BUILD=1 reuses npm/pkg.
set -uo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
export PATH="$root/node_modules/.bin:$PATH"

if [ "${KMSLAB_NPM_SKIP_BUILD:-0}" != 1 ] || [ ! -f npm/pkg/package.json ]; then
  bash scripts/build-npm.sh || { echo; echo "0 passed, 1 failed"; exit 1; }
fi

work="$(mktemp -d /tmp/kmslab-npm-test.XXXXXX)"
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
fail() { echo "FAILED: $*"; failed=$((failed + 1)); }
pass() { echo "ok: $*"; passed=$((passed + 1)); }

echo "==> npm pack"
tarball="$(cd npm/pkg && npm pack --silent --pack-destination "$work")" || { fail "npm pack"; }
tgz="$work/$tarball"
ls -l "$tgz"
tar -tzf "$tgz" | sort | sed 's/^/    /'

echo "==> install the tarball into a fresh project"
cd "$work"
printf '{ "name": "kmslab-npm-test", "private": true, "type": "module" }\n' > package.json
if npm install --no-audit --no-fund --no-package-lock --silent "$tgz"; then
  pass "npm install $tarball"
else
  fail "npm install $tarball"
fi
cp "$root"/tests/npm/*.mjs "$root"/tests/npm/*.cjs "$root"/tests/npm/*.ts "$root"/tests/npm/*.cts "$work/"
export KMSLAB_REPO="$root"

echo "==> README examples"
node extract-readme.mjs node_modules/kmslab/README.md readme || fail "extract README examples"

echo "==> TypeScript: tsc --noEmit (strict, nodenext) on usage.ts, usage.cts and the README's ts examples"
cat > tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "target": "es2022",
    "lib": ["es2022", "dom", "esnext.disposable"],
    "strict": true,
    "noEmit": true,
    "skipLibCheck": false,
    "types": []
  },
  "include": ["usage.ts", "usage.cts", "readme/*.ts"]
}
EOF
if "$root/node_modules/.bin/tsc" -p tsconfig.json; then
  pass "tsc --noEmit: $(ls usage.ts usage.cts readme/*.ts 2>/dev/null | wc -l) files"
else
  fail "tsc --noEmit"
fi

echo "==> node --test"
log="$work/node-test.log"
node --test --test-reporter=spec ./*.test.mjs ./*.test.cjs 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
tests_passed=$(awk '/^ℹ pass / { print $3 }' "$log" | tail -n1)
tests_failed=$(awk '/^ℹ fail / { print $3 }' "$log" | tail -n1)
passed=$((passed + ${tests_passed:-0}))
failed=$((failed + ${tests_failed:-0}))
if [ "$status" -ne 0 ] && [ "${tests_failed:-0}" -eq 0 ]; then
  fail "node --test exited with $status"
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
