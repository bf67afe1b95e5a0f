// The package's web build (`kmslab/web`) and the README's "Evaluate" widget snippet in headless Chromium
// (playwright-core and the launch options of tests/e2e/chromium.mjs, from the repository). The installed
// package is served on 127.0.0.1 as a docs site would serve it: under /assets/kmslab/. Skipped when
// Chromium is not installed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { pathToFileURL } from "node:url";

import { decodeShareLink } from "kmslab";

const repo = process.env.KMSLAB_REPO;
const { launchOptions } = await import(pathToFileURL(join(repo, "tests/e2e/chromium.mjs")).href);
const chromiumPath = launchOptions.executablePath;
const skip = existsSync(chromiumPath) ? false : `no Chromium at ${chromiumPath}`;

const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };
const widget = JSON.parse(readFileSync("readme/index.json", "utf8")).find((b) => b.lang === "html"
  && readFileSync(`readme/${b.file}`, "utf8").includes("kmslab-evaluate"));
const pages = {
  "/widget.html": `<!doctype html><meta charset="utf-8"><title>widget</title><body>${
    readFileSync(`readme/${widget.file}`, "utf8")}</body>`,
  "/api.html": `<!doctype html><meta charset="utf-8"><title>api</title><script type="module">
    import init, { evaluate, PolicySet, Scenario, validatePolicy, version } from "/assets/kmslab/web/index.js";
    try {
      await init();
      const seed = await (await fetch("/seed.json")).text();
      const keyPolicy = await (await fetch("/seed-key-policy.json")).text();
      const key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
      const user = "arn:aws:iam::111122223333:user/featurestore-user";
      const set = new PolicySet({ resourcePolicy: keyPolicy, explain: false });
      const batch = set.decideBatch(Array.from({ length: 1000 }, () => ({ principal: user, action: "kms:Decrypt",
        resource: key, context: { "kms:ViaService": "sagemaker.us-east-1.amazonaws.com" } })));
      let error;
      try { evaluate("{"); } catch (e) { error = e.name + " " + e.code; }
      const now = evaluate({ request: { principal: user, action: "kms:Decrypt", resource: key,
        context: { "kms:ViaService": "sagemaker.us-east-1.amazonaws.com" } }, resourcePolicy: keyPolicy });
      window.result = {
        version,
        decision: now.decision,
        currentTime: now.trace.context.find((c) => c.key === "aws:CurrentTime")?.value,
        batch: batch.filter((a) => a.decision === "Allow").length,
        valid: validatePolicy(keyPolicy, "keyPolicy").valid,
        expectations: Scenario.load(seed).run().expectations,
        error,
      };
    } catch (e) {
      window.result = { failure: String(e && e.stack || e) };
    }
  </script>`,
};

function serve() {
  const pkg = join(process.cwd(), "node_modules/kmslab");
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let body;
    let type = "text/plain";
    if (path === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    if (pages[path]) {
      body = pages[path];
      type = "text/html";
    } else if (path === "/seed.json") {
      body = readFileSync(join(repo, "tests/scenarios/seed.json"));
    } else if (path === "/seed-key-policy.json") {
      body = readFileSync(join(repo, "tests/fixtures/seed-key-policy.json"));
    } else if (path.startsWith("/assets/kmslab/")) {
      const file = normalize(join(pkg, path.slice("/assets/kmslab/".length)));
      if (file.startsWith(pkg) && existsSync(file)) {
        body = readFileSync(file);
        type = types[extname(file)] ?? "application/octet-stream";
      }
    }
    if (body === undefined) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": type }).end(body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

test("the web build and the README widget work in headless Chromium", { skip, timeout: 120_000 }, async (t) => {
  const { chromium } = await import(pathToFileURL(join(repo, "node_modules/playwright-core/index.mjs")).href);
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const { viewport, ...launch } = launchOptions;
  const browser = await chromium.launch(launch);
  try {
    const page = await browser.newPage({ viewport });
    const problems = [];
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));

    await t.test("kmslab/web: init(), evaluate, PolicySet batch, validatePolicy, the seed scenario", async () => {
      await page.goto(`${base}/api.html`);
      await page.waitForFunction(() => window.result !== undefined, null, { timeout: 60_000 });
      const r = await page.evaluate(() => window.result);
      assert.equal(r.failure, undefined, r.failure);
      assert.match(r.version, /^\d+\.\d+\.\d+/);
      assert.equal(r.decision, "Allow");
      assert.match(r.currentTime, /^20\d\d-\d\d-\d\dT/, "aws:CurrentTime comes from the browser's clock");
      assert.equal(r.batch, 1000);
      assert.equal(r.valid, true);
      assert.deepEqual(r.expectations, { checked: 9, passed: 9, failed: 0 });
      assert.equal(r.error, "KmslabError InvalidJson");
    });

    await t.test("the README's Evaluate widget evaluates and links to the playground and the embed page", async () => {
      await page.goto(`${base}/widget.html`);
      await page.click("#kmslab-evaluate");
      await page.waitForFunction(() => document.getElementById("kmslab-answer").textContent !== "");
      assert.equal(await page.textContent("#kmslab-answer"), "Allow (allowedByResourcePolicy)");
      const open = await page.getAttribute("#kmslab-open", "href");
      const embed = await page.getAttribute("#kmslab-embed", "href");
      assert.ok(open.startsWith("https://example.com/kmslab/#s=2."), open);
      assert.ok(embed.startsWith("https://example.com/kmslab/?embed#s=2."), embed);
      const scenario = await page.textContent("#kmslab-scenario");
      assert.equal(decodeShareLink(open).document, scenario);
      assert.equal(decodeShareLink(embed).document, scenario);
      // A question that is not JSON shows the error's code and message.
      await page.fill("#kmslab-question", "{");
      await page.click("#kmslab-evaluate");
      assert.match(await page.textContent("#kmslab-answer"), /^InvalidJson: /);
    });
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
    server.close();
  }
});
