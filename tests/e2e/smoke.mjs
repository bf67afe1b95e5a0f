// Smoke test of the built playground in headless Chromium.
//
//   node tests/e2e/smoke.mjs http://127.0.0.1:8080/
//
// (scripts/e2e.sh builds dist/, serves it and runs this.) Screenshots go to tests/artifacts/.
// Exits non-zero when any check fails.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const baseUrl = process.argv[2] ?? process.env.BASE_URL;
if (!baseUrl) {
  console.error("usage: node tests/e2e/smoke.mjs BASE_URL");
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.resolve(here, "..", "artifacts");
await mkdir(artifacts, { recursive: true });

const TIMEOUT = 30_000;
let passed = 0;
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name}`);
    return true;
  } catch (err) {
    failed += 1;
    console.log(`FAIL ${name}\n     ${String(err?.message ?? err).split("\n").join("\n     ")}`);
    return false;
  }
}

function expectEqual(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

const profile = await mkdtemp(path.join(tmpdir(), "kmslab-e2e-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  viewport: { width: 1280, height: 900 },
});

const consoleErrors = [];
let page;
try {
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const url = msg.location()?.url ?? "";
    const text = msg.text();
    // Chromium asks for /favicon.ico on its own; a 404 for it is not the app's error.
    if (url.endsWith("/favicon.ico") || /favicon\.ico/.test(text)) return;
    consoleErrors.push(`${text}${url ? ` (${url})` : ""}`);
  });
  page.on("pageerror", (err) => consoleErrors.push(`uncaught: ${err.message}`));

  const loaded = await check("page loads and shows a decision", async () => {
    const response = await page.goto(baseUrl, { waitUntil: "load" });
    expectEqual(response?.status(), 200, "HTTP status");
    await page.waitForSelector("#decision", { timeout: TIMEOUT });
  });
  if (!loaded) {
    throw new Error(`the app did not render #decision; console errors so far:\n${consoleErrors.join("\n")}`);
  }

  await check("title and the local-evaluation note", async () => {
    expectEqual(await page.title(), "kmslab — Feature Store security playground", "document title");
    const h1 = (await page.textContent("h1"))?.trim();
    expectEqual(h1, "kmslab — Feature Store security playground", "h1");
    const note = await page.textContent("body");
    if (!note?.includes("Evaluated locally in your browser — nothing is sent anywhere")) {
      throw new Error("the 'Evaluated locally…' line is missing");
    }
  });

  await check("seed scenario (featurestore-user, kms:Decrypt, via Feature Store) is Allow", async () => {
    expectEqual(await page.inputValue("#principal"), "arn:aws:iam::111122223333:user/featurestore-user", "principal");
    expectEqual(await page.inputValue("#action"), "kms:Decrypt", "action");
    expectEqual(await page.isChecked("#via-feature-store"), true, "via Feature Store");
    const policy = await page.inputValue("#key-policy");
    if (!policy.includes('"Id": "key-policy-feature-store"')) throw new Error("seed key policy not loaded");
    expectEqual((await page.textContent("#decision"))?.trim(), "Allow", "#decision");
    const trace = (await page.textContent("#trace")) ?? "";
    JSON.parse(trace); // the trace is JSON
    const determining = (await page.textContent("#determining")) ?? "";
    if (!determining.includes("Allow access through Amazon SageMaker Feature Store")) {
      throw new Error(`determining statements do not name the Feature Store statement: ${determining}`);
    }
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-1-allow.png"), fullPage: true });

  await check("unchecking via-Feature-Store marks the result stale", async () => {
    await page.uncheck("#via-feature-store");
    await page.waitForSelector("#result.stale", { timeout: 5_000 });
    expectEqual((await page.textContent("#decision"))?.trim(), "Allow", "#decision before re-evaluating");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-2-stale.png"), fullPage: true });

  await check("direct call (no kms:ViaService) is ImplicitDeny after Evaluate", async () => {
    await page.click("#evaluate");
    await page.waitForFunction(
      () => document.querySelector("#decision")?.textContent?.trim() !== "Allow",
      null,
      { timeout: 5_000 },
    );
    expectEqual((await page.textContent("#decision"))?.trim(), "ImplicitDeny", "#decision");
    expectEqual(await page.locator("#result.stale").count(), 0, "stale markers after Evaluate");
    const message = (await page.textContent("#message")) ?? "";
    if (!message.includes("is not authorized to perform: kms:Decrypt")) {
      throw new Error(`unexpected message: ${message}`);
    }
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-3-implicit-deny.png"), fullPage: true });

  // Dark theme, for a look only (prefers-color-scheme: dark).
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: path.join(artifacts, "smoke-4-dark.png"), fullPage: true });

  await check("no console errors (favicon 404 excepted)", async () => {
    if (consoleErrors.length > 0) throw new Error(consoleErrors.join("\n"));
  });
} catch (err) {
  failed += 1;
  console.log(`FAIL harness: ${err?.stack ?? err}`);
  if (page) await page.screenshot({ path: path.join(artifacts, "smoke-error.png"), fullPage: true }).catch(() => {});
} finally {
  await context.close().catch(() => {});
  await rm(profile, { recursive: true, force: true }).catch(() => {});
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
