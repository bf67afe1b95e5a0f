#!/usr/bin/env bash
# Builds the npm package `kmslab` (npm/README.md) into npm/pkg/: kmslab-core with its `wasm` feature
# (core/src/wasm/), built by wasm-pack three times — for bundlers, for Node (CommonJS) and for the web
# (`init()` with a URL or bytes) — under one `exports` map, plus `kmslab/policy` (the `wasm-policy`
# feature: the policy engine only, for Node and bundlers), with a Node ESM entry over the CommonJS build
# (Node can't import a .wasm file directly). wasm-pack uses wasm-bindgen 0.2.130 and npm's wasm-opt from
# node_modules/.bin (toolchain.md pitfall 3); scripts/install-tools.sh installs both.
#
#   bash scripts/build-npm.sh            # → npm/pkg/ (then `cd npm/pkg && npm pack`)
#
# Prints the wasm's size, raw and gzip -9. Builds in target/npm (its own target directory, so that it
# doesn't wait on the workspace build's lock). The bundler and web builds are downloaded by pages: they use
# the workspace's size-optimized release profile (`opt-level = "z"`). Node reads its .wasm from disk, where
# size hardly matters and every decision's speed does: the Node builds are optimized for speed
# (`opt-level = 3`, in target/npm-speed so that the two don't rebuild each other). README.md, "Benchmarks",
# measures both.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

export PATH="$root/node_modules/.bin:$PATH"
export CARGO_TARGET_DIR="${KMSLAB_NPM_TARGET_DIR:-$root/target/npm}"

log() { printf '[build-npm] %s\n' "$*"; }

command -v wasm-pack >/dev/null || { echo "wasm-pack missing: run scripts/install-tools.sh" >&2; exit 1; }
[ -x node_modules/.bin/wasm-opt ] || { echo "wasm-opt missing: run scripts/install-tools.sh" >&2; exit 1; }

dist="$root/npm/dist"
pkg="$root/npm/pkg"
rm -rf "$dist" "$pkg"
mkdir -p "$dist" "$pkg"

# One wasm-pack build: TARGET OUT_DIR OUT_NAME FEATURES [speed]. `speed`: opt-level 3 (the Node builds).
pack() {
  local target="$1" out="$2" name="$3" features="$4" speed="${5:-}"
  if [ "$speed" = speed ]; then
    log "wasm-pack build --target $target --features $features (opt-level 3)"
    CARGO_PROFILE_RELEASE_OPT_LEVEL=3 CARGO_TARGET_DIR="$CARGO_TARGET_DIR-speed" \
      wasm-pack --quiet build core --release --target "$target" --out-dir "$out" --out-name "$name" \
      --no-pack -- --features "$features"
  else
    log "wasm-pack build --target $target --features $features"
    wasm-pack --quiet build core --release --target "$target" --out-dir "$out" --out-name "$name" \
      --no-pack -- --features "$features"
  fi
}

# wasm-pack target → package directory.
pack bundler "$dist/bundler" kmslab wasm
pack web "$dist/web" kmslab wasm
pack nodejs "$dist/node" kmslab wasm speed
# `kmslab/policy`: the policy engine only (the `wasm-policy` feature: evaluate, PolicySet, validatePolicy), for
# Node and bundlers — a much smaller wasm for pages and services that only decide.
pack bundler "$dist/policy/bundler" kmslab_policy wasm-policy
pack nodejs "$dist/policy/node" kmslab_policy wasm-policy speed
for dir in bundler web node; do
  mkdir -p "$pkg/$dir"
  cp "$dist/$dir"/kmslab* "$pkg/$dir/"
done
for dir in node bundler; do
  mkdir -p "$pkg/policy/$dir"
  cp "$dist/policy/$dir"/kmslab_policy* "$pkg/policy/$dir/"
done

version="$(node -e 'process.stdout.write(require(process.argv[1]).engineVersion())' "$pkg/node/kmslab.js")"
log "kmslab-core $version"

# Entry points: the generated modules plus `version`. The Node ESM entry names every export of the
# CommonJS build explicitly (found by loading it), so `import { evaluate } from "kmslab"` works in Node.
names="$(node -e '
  const m = require(process.argv[1]);
  process.stdout.write(Object.keys(m).filter((k) => !k.startsWith("__")).sort().join(" "));
' "$pkg/node/kmslab.js")"
log "exports: $names version"

printf '{ "type": "commonjs" }\n' > "$pkg/node/package.json"
printf '{ "type": "module" }\n' > "$pkg/bundler/package.json"
printf '{ "type": "module" }\n' > "$pkg/web/package.json"

cat > "$pkg/node/index.cjs" <<EOF
"use strict";
// kmslab for Node, CommonJS: the wasm-pack nodejs build (./kmslab.js) and \`version\`.
const kmslab = require("./kmslab.js");
module.exports = { ...kmslab, version: "$version" };
EOF
{
  echo '// kmslab for Node, ES module: the CommonJS build (Node cannot import a .wasm file directly).'
  echo 'import kmslab from "./kmslab.js";'
  echo
  for n in $names; do echo "export const $n = kmslab.$n;"; done
  echo "export const version = \"$version\";"
} > "$pkg/node/index.mjs"

cat > "$pkg/bundler/index.js" <<EOF
// kmslab for bundlers (webpack 5, Vite with a wasm plugin, …): the wasm-pack bundler build and \`version\`.
export * from "./kmslab.js";
export const version = "$version";
EOF
cat > "$pkg/web/index.js" <<EOF
// kmslab for the web without a bundler: call the default export (init) once, with the .wasm's URL or bytes,
// before anything else. \`new URL("kmslab_bg.wasm", import.meta.url)\` is the default.
export * from "./kmslab.js";
export { default } from "./kmslab.js";
export const version = "$version";
EOF

# Type declarations: the generated ones (tsify types and wasm-bindgen's functions and classes) plus `version`.
decl() {
  echo '// The generated declarations (./kmslab.d.ts) and `version`.'
  echo 'export * from "./kmslab.js";'
  [ "${1:-}" = web ] && echo 'export { default } from "./kmslab.js";'
  echo "/** The engine's version (kmslab-core), as share links and run results carry it. */"
  echo "export declare const version: \"$version\";"
}
decl > "$pkg/node/index.d.cts"
decl > "$pkg/node/index.d.mts"
decl > "$pkg/bundler/index.d.ts"
decl web > "$pkg/web/index.d.ts"

# The `kmslab/policy` entries, made the same way.
policy_names="$(node -e '
  const m = require(process.argv[1]);
  process.stdout.write(Object.keys(m).filter((k) => !k.startsWith("__")).sort().join(" "));
' "$pkg/policy/node/kmslab_policy.js")"
log "kmslab/policy exports: $policy_names version"
printf '{ "type": "commonjs" }\n' > "$pkg/policy/node/package.json"
printf '{ "type": "module" }\n' > "$pkg/policy/bundler/package.json"
cat > "$pkg/policy/node/index.cjs" <<EOF
"use strict";
// kmslab/policy for Node, CommonJS: the policy engine only (evaluate, PolicySet, validatePolicy) and \`version\`.
const kmslab = require("./kmslab_policy.js");
module.exports = { ...kmslab, version: "$version" };
EOF
{
  echo '// kmslab/policy for Node, ES module: the CommonJS build (Node cannot import a .wasm file directly).'
  echo 'import kmslab from "./kmslab_policy.js";'
  echo
  for n in $policy_names; do echo "export const $n = kmslab.$n;"; done
  echo "export const version = \"$version\";"
} > "$pkg/policy/node/index.mjs"
cat > "$pkg/policy/bundler/index.js" <<EOF
// kmslab/policy for bundlers: the policy engine only (evaluate, PolicySet, validatePolicy) and \`version\`.
export * from "./kmslab_policy.js";
export const version = "$version";
EOF
policy_decl() {
  echo '// The generated declarations (./kmslab_policy.d.ts) and `version`.'
  echo 'export * from "./kmslab_policy.js";'
  echo "/** The engine's version (kmslab-core), as share links and run results carry it. */"
  echo "export declare const version: \"$version\";"
}
policy_decl > "$pkg/policy/node/index.d.cts"
policy_decl > "$pkg/policy/node/index.d.mts"
policy_decl > "$pkg/policy/bundler/index.d.ts"

node -e '
  const fs = require("fs");
  const [template, out, version] = process.argv.slice(1);
  const p = JSON.parse(fs.readFileSync(template, "utf8"));
  p.version = version;
  fs.writeFileSync(out, JSON.stringify(p, null, 2) + "\n");
' "$root/npm/package.template.json" "$pkg/package.json" "$version"
cp "$root/npm/README.md" "$pkg/README.md"

size() { log "$1: $(wc -c < "$2") bytes, gzip -9 $(gzip -9 -c "$2" | wc -c) bytes"; }
size "wasm (bundler and web, for size)" "$pkg/bundler/kmslab_bg.wasm"
size "wasm (Node, for speed)" "$pkg/node/kmslab_bg.wasm"
size "kmslab/policy wasm (bundler, for size)" "$pkg/policy/bundler/kmslab_policy_bg.wasm"
size "kmslab/policy wasm (Node, for speed)" "$pkg/policy/node/kmslab_policy_bg.wasm"
log "package ready: $pkg"
