// Helpers the browser suites share (smoke.mjs, lang.mjs, batch.mjs): their checks and counts, the
// artifacts directory, and opening an example.
import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const counts = { passed: 0, failed: 0 };

// Runs one named check: prints "ok" or "FAIL" with the error, counts it; returns whether it passed.
export async function check(name, fn) {
  try {
    await fn();
    counts.passed += 1;
    console.log(`ok   ${name}`);
    return true;
  } catch (err) {
    counts.failed += 1;
    console.log(`FAIL ${name}\n     ${String(err?.message ?? err).split("\n").join("\n     ")}`);
    return false;
  }
}

export function expectEqual(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

// A suite that stopped outside any check counts as one failure.
export function harnessFailed(err) {
  counts.failed += 1;
  console.log(`FAIL harness: ${err?.stack ?? err}`);
}

// Prints the counts (after `label`) and exits: non-zero when any check failed.
export function finish(label = "") {
  console.log(`\n${label}${counts.passed} passed, ${counts.failed} failed`);
  process.exit(counts.failed === 0 ? 0 : 1);
}

// tests/artifacts/, without the screenshots an earlier run of the suite left there (`<prefix>-*.png`:
// their names may have changed, and they would be mistaken for this run's).
export async function artifactsFor(prefix) {
  const artifacts = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "artifacts");
  await mkdir(artifacts, { recursive: true });
  for (const name of await readdir(artifacts)) {
    if (name.startsWith(`${prefix}-`) && name.endsWith(".png")) await rm(path.join(artifacts, name), { force: true });
  }
  return artifacts;
}

// Picks an example in the playground's menu and waits until it is open (examples other than the
// seed are fetched on first use, web/src/examples.rs, so the page changes a moment later): `which`
// is an option's value or `{ index }`.
export async function openExample(page, which) {
  const value = typeof which === "object"
    ? await page.locator("#example option").nth(which.index).getAttribute("value")
    : String(which);
  await page.selectOption("#example", value);
  await page.waitForSelector(`#example[data-open="${value}"]`, { timeout: 30_000 });
}
