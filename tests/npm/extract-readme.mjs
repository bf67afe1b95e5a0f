// Extracts the fenced examples of the package's README.md into files: ```js → NN.mjs, ```cjs → NN.cjs,
// ```ts → NN.ts, ```html → NN.html, and writes index.json: [{ file, lang, expected }], where `expected` lists
// the `// → …` comments of a js/cjs block — the lines its console.log calls print, in order.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [readme, out] = process.argv.slice(2);
const text = readFileSync(readme, "utf8");
const ext = { js: "mjs", cjs: "cjs", ts: "ts", html: "html" };
mkdirSync(out, { recursive: true });
const blocks = [];
const fence = /^```(\w+)\n([\s\S]*?)^```$/gm;
for (const m of text.matchAll(fence)) {
  const [, lang, code] = m;
  if (!(lang in ext)) continue;
  const file = `${String(blocks.length + 1).padStart(2, "0")}.${ext[lang]}`;
  const line = text.slice(0, m.index).split("\n").length;
  const expected = [...code.matchAll(/\/\/ → (.*)$/gm)].map((e) => e[1]);
  writeFileSync(join(out, file), code);
  blocks.push({ file, lang, line, expected });
}
writeFileSync(join(out, "index.json"), JSON.stringify(blocks, null, 2));
console.log(`${blocks.length} examples: ${blocks.map((b) => `${b.file} (${b.lang}, line ${b.line})`).join(", ")}`);
