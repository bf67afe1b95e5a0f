// Runs every ```js and ```cjs example of the package's README.md (extracted by extract-readme.mjs) and checks
// that its console.log lines are the `// → …` comments, in order. ```ts examples are type-checked by tsc
// (scripts/npm-tests.sh); the ```html widget runs in web.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const blocks = JSON.parse(readFileSync("readme/index.json", "utf8"));

test("the README has runnable examples of every part of the API", () => {
  const code = blocks.map((b) => readFileSync(`readme/${b.file}`, "utf8")).join("\n");
  for (const name of ["evaluate(", "new PolicySet(", "decideBatch(", "validatePolicy(", "Scenario.load(",
    ".trace(", ".cloudTrail()", ".addCall(", ".export()", "playgroundLink(", "embedLink(", "require(\"kmslab\")"]) {
    assert.ok(code.includes(name), `no README example uses ${name}`);
  }
  assert.ok(blocks.some((b) => b.lang === "ts"), "no TypeScript example");
  assert.ok(blocks.some((b) => b.lang === "html"), "no HTML example");
});

for (const block of blocks.filter((b) => b.lang === "js" || b.lang === "cjs")) {
  test(`README example ${block.file} (${block.lang}, line ${block.line}) runs and prints what it says`, () => {
    const r = spawnSync(process.execPath, [`readme/${block.file}`], { encoding: "utf8" });
    assert.equal(r.status, 0, `exit ${r.status}\n${r.stderr}`);
    const printed = r.stdout.split("\n").filter((l) => l !== "");
    assert.deepEqual(printed, block.expected);
    assert.ok(block.expected.length > 0, "the example shows no output");
  });
}
