// Smoke test of the built playground in headless Chromium.
//
//   node tests/e2e/smoke.mjs http://127.0.0.1:8080/
//
// (scripts/e2e.sh builds dist/, serves it and runs this.) Screenshots go to tests/artifacts/.
// Exits non-zero when any check fails.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { launchOptions } from "./chromium.mjs";
import { artifactsFor, check, expectEqual, finish, harnessFailed, openExample } from "./harness.mjs";

const baseUrl = process.argv[2] ?? process.env.BASE_URL;
if (!baseUrl) {
  console.error("usage: node tests/e2e/smoke.mjs BASE_URL");
  process.exit(2);
}
const artifacts = await artifactsFor("smoke");

const TIMEOUT = 30_000;

const profile = await mkdtemp(path.join(tmpdir(), "kmslab-e2e-"));
const context = await chromium.launchPersistentContext(profile, {
  ...launchOptions,
  acceptDownloads: true,
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
  // The files the page fetches beside the wasm: examples (web/src/examples.rs) and translations.
  const lazyFetches = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (/^\/(examples|i18n)\//.test(u.pathname)) lazyFetches.push(u.pathname + u.search);
  });

  const SUMMARY = /^(\d+) calls? · (\d+)\/(\d+) expectations met · (\d+) KMS requests? · cost \$[0-9.]+$/;
  const summaryText = async () => ((await page.textContent("#summary")) ?? "").trim();
  function expectAllMet(summary, what) {
    const m = SUMMARY.exec(summary);
    if (!m) throw new Error(`${what}: #summary is not "N calls · X/Y expectations met · K KMS requests · cost $…": ${summary}`);
    if (Number(m[3]) === 0 || m[2] !== m[3]) throw new Error(`${what}: not all expectations met: ${summary}`);
    return { calls: Number(m[1]), requests: Number(m[4]) };
  }

  const loaded = await check("page loads on the Scenario tab and runs the seed scenario", async () => {
    const response = await page.goto(baseUrl, { waitUntil: "load" });
    expectEqual(response?.status(), 200, "HTTP status");
    await page.waitForSelector("#summary", { timeout: TIMEOUT });
    expectEqual(await page.getAttribute("#tab-scenario", "aria-selected"), "true", "Scenario tab selected");
    expectEqual(await page.isVisible("#decision"), false, "policy lab hidden");
    const selected = await page.$eval("#example", (s) => s.options[s.selectedIndex]?.textContent?.trim());
    expectEqual(selected, "Seed: Feature Store with a customer managed key", "selected example");
    const description = (await page.textContent("#description")) ?? "";
    if (!description.includes("SageMaker Feature Store security page")) throw new Error(`description: ${description}`);
  });
  if (!loaded) {
    throw new Error(`the app did not render #summary; console errors so far:\n${consoleErrors.join("\n")}`);
  }

  await check("the first load fetches no example document and no translation (only the seed is in the wasm)", async () => {
    expectEqual(lazyFetches.length, 0, `files fetched: ${lazyFetches.join(", ")}`);
  });

  await check("title and the local-evaluation note", async () => {
    expectEqual(await page.title(), "kmslab — Feature Store security playground", "document title");
    const h1 = (await page.textContent("h1"))?.trim();
    expectEqual(h1, "kmslab — Feature Store security playground", "h1");
    const note = await page.textContent("body");
    if (!note?.includes("Evaluated locally in your browser — nothing is sent anywhere")) {
      throw new Error("the 'Evaluated locally…' line is missing");
    }
  });

  let seedSummary = "";
  await check("#summary reports all expectations met and #calls lists every call", async () => {
    seedSummary = await summaryText();
    const { calls } = expectAllMet(seedSummary, "seed");
    expectEqual(await page.locator("#calls > li").count(), calls, "rows in #calls");
    const failedMarks = await page.locator("#calls .c-expect .mark.no").count();
    expectEqual(failedMarks, 0, "failed expectation marks");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-01-scenario.png"), fullPage: true });

  // ---- IndexedDB (web/src/persist.rs): the last run survives a reload; Reset storage empties it ----
  // Reads the `kmslab` database directly (only once the app has created it: opening a missing
  // database here would create it without its stores). Uint8Arrays come back as arrays of bytes.
  const readIndexedDb = () =>
    page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open("kmslab");
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const names = [...db.objectStoreNames].sort();
            const out = { version: db.version, names, stores: {} };
            const tx = db.transaction(names, "readonly");
            for (const name of names) {
              const entries = (out.stores[name] = []);
              tx.objectStore(name).openCursor().onsuccess = (e) => {
                const cursor = e.target.result;
                if (!cursor) return;
                const v = cursor.value;
                entries.push({ key: cursor.key, value: v instanceof Uint8Array ? { bytes: [...v] } : v });
                cursor.continue();
              };
            }
            tx.oncomplete = () => { db.close(); resolve(out); };
            tx.onerror = () => reject(tx.error);
          };
        }),
    );
  const storageStatus = async () => ((await page.textContent("#storage-status")) ?? "").trim();
  const selectedExample = () => page.$eval("#example", (s) => s.options[s.selectedIndex]?.textContent?.trim());

  await check("the seed run is saved in IndexedDB: the document, and online records as ciphertext only", async () => {
    await page.waitForFunction(() => /^Saved in this browser's storage/.test(document.querySelector("#storage-status")?.textContent?.trim() ?? ""), null, { timeout: 10_000 });
    const status = await storageStatus();
    if (!/1 online-store record, \d+ offline-store objects? \(ciphertext only\) and \d+ KMS key materials?/.test(status)) throw new Error(`#storage-status: ${status}`);
    const db = await readIndexedDb();
    expectEqual(db.version, 2, "database version");
    expectEqual(db.names.join(","), "keyMaterial,meta,offlineStore,onlineStore,scenario,writer", "object stores");
    expectEqual(db.stores.scenario.length, 1, "entries in the scenario store");
    expectEqual(db.stores.scenario[0].key, "document", "scenario store key");
    const doc = JSON.parse(db.stores.scenario[0].value);
    expectEqual(doc.name, "Seed: Feature Store with a customer managed key", "stored document name");
    expectEqual(doc.calls?.length > 0, true, "stored document calls");
    const meta = JSON.parse(db.stores.meta.find((e) => e.key === "lastRun")?.value ?? "{}");
    expectEqual(meta.summary, seedSummary, "summary in the meta store");
    expectEqual(db.stores.onlineStore.length, 1, "online records");
    const record = db.stores.onlineStore[0];
    if (!record.key.endsWith("\u0000o-1001") || !record.value.bytes?.length) throw new Error(`online record: ${JSON.stringify(record).slice(0, 200)}`);
    const text = Buffer.from(record.value.bytes).toString("latin1");
    for (const plain of ["c-42", "19.99", "1767225700", "customer", "amount"]) {
      if (text.includes(plain)) throw new Error(`the stored record contains the plaintext ${plain}`);
    }
    if (db.stores.keyMaterial.length < 1) throw new Error("no key material stored");
  });

  await check("a reload restores the scenario from this browser's storage, with the same summary", async () => {
    await page.reload({ waitUntil: "load" });
    await page.waitForSelector("#restored-note", { timeout: TIMEOUT });
    const note = ((await page.textContent("#restored-note")) ?? "").trim();
    if (!note.startsWith("Restored from this browser's storage (IndexedDB)")) throw new Error(`#restored-note: ${note}`);
    await page.waitForFunction((s) => document.querySelector("#summary")?.textContent?.trim() === s, seedSummary, { timeout: 10_000 });
    expectEqual(await selectedExample(), "Restored: Seed: Feature Store with a customer managed key", "selected entry");
    expectEqual(await page.locator("#share-error").count(), 0, "share error");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-01b-restored.png"), fullPage: true });

  await check("Reset storage empties IndexedDB and opens the seed without the note", async () => {
    await page.click("#reset-storage");
    await page.waitForFunction(() => !document.querySelector("#restored-note"), null, { timeout: 10_000 });
    await page.waitForFunction(() => /storage is cleared/.test(document.querySelector("#storage-status")?.textContent ?? ""), null, { timeout: 10_000 });
    expectEqual(await summaryText(), seedSummary, "summary after reset");
    expectEqual(await selectedExample(), "Seed: Feature Store with a customer managed key", "selected example");
    const db = await readIndexedDb();
    for (const name of db.names) expectEqual(db.stores[name].length, 0, `entries in ${name} after reset`);
  });

  await check("clicking the direct kms:Decrypt call explains its ImplicitDeny", async () => {
    const row = page.locator('#calls .call-row[data-op="kms:Decrypt"][data-result="AccessDeniedException"]');
    expectEqual(await row.count(), 1, "direct kms:Decrypt rows");
    await row.click();
    expectEqual(await row.getAttribute("aria-expanded"), "true", "aria-expanded");
    const details = page.locator(".call-details");
    await details.waitFor({ state: "visible", timeout: 5_000 });
    const error = (await details.locator(".call-error").textContent()) ?? "";
    if (!error.includes("AccessDeniedException") || !error.includes("is not authorized to perform: kms:Decrypt")) {
      throw new Error(`call error: ${error}`);
    }
    const authz = details.locator("details.authz").first();
    const badge = (await authz.locator("summary .badge.decision.implicit-deny").textContent())?.trim();
    expectEqual(badge, "ImplicitDeny", "decision badge");
    const message = (await authz.locator(".aws-message").textContent()) ?? "";
    if (!message.includes("is not authorized to perform: kms:Decrypt")) throw new Error(`AWS message: ${message}`);
    // The tree names the key policy statement that needed kms:ViaService, with its element reasons.
    const tree = (await authz.locator(".tree").first().textContent()) ?? "";
    for (const want of ["keyPolicy", "conditionKeyMissing", "kms:ViaService"]) {
      if (!tree.includes(want)) throw new Error(`the policy tree lacks ${want}`);
    }
    const steps = await authz.locator("ol.steps > li").count();
    if (steps < 3) throw new Error(`pipeline steps: ${steps}`);
    const events = await details.locator("details.event").count();
    if (events < 1) throw new Error("no CloudTrail event for the call");
    await details.locator("details.event > summary").first().click();
    JSON.parse((await details.locator("details.event pre").first().textContent()) ?? "");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-02-call-details.png"), fullPage: true });

  await check("the call row is a keyboard-operable button", async () => {
    const row = page.locator('#calls .call-row[data-op="kms:Decrypt"][data-result="AccessDeniedException"]');
    await row.focus();
    await page.keyboard.press("Enter");
    expectEqual(await row.getAttribute("aria-expanded"), "false", "aria-expanded after Enter");
    expectEqual(await page.locator(".call-details").count(), 0, "open call details");
  });

  let totalEvents = 0;
  await check("CloudTrail view lists the events and the filter narrows them", async () => {
    await page.click("#view-cloudtrail");
    await page.waitForSelector("#trail", { timeout: 5_000 });
    totalEvents = await page.locator("#trail tbody tr.trail-row").count();
    if (totalEvents < 2) throw new Error(`${totalEvents} events`);
    expectEqual((await page.textContent("#trail-count"))?.trim(), `${totalEvents} of ${totalEvents} events`, "#trail-count");
    await page.fill("#trail-filter", "Decrypt AccessDenied");
    await page.waitForFunction(
      (n) => document.querySelectorAll("#trail tbody tr.trail-row").length < n,
      totalEvents,
      { timeout: 5_000 },
    );
    const rows = await page.locator("#trail tbody tr.trail-row").allTextContents();
    if (rows.length === 0) throw new Error("the filter left no rows");
    for (const row of rows) {
      if (!row.includes("Decrypt") || !row.includes("AccessDenied")) throw new Error(`row does not match: ${row}`);
    }
    expectEqual((await page.textContent("#trail-count"))?.trim(), `${rows.length} of ${totalEvents} events`, "#trail-count");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-03-cloudtrail.png"), fullPage: true });

  await check("Export JSON downloads cloudtrail.json with every event", async () => {
    // Straight after typing in the filter (it still has focus): the export starts on the mouse press,
    // so a page that scrolls when the filter loses focus can't make the click miss.
    expectEqual(await page.evaluate(() => document.activeElement?.id), "trail-filter", "focused element");
    const [download] = await Promise.all([page.waitForEvent("download", { timeout: 5_000 }), page.click("#export-trail")]);
    expectEqual(download.suggestedFilename(), "cloudtrail.json", "file name");
    const file = await download.path();
    const trail = JSON.parse(await readFile(file, "utf8"));
    expectEqual(trail.Records?.length, totalEvents, "Records in cloudtrail.json");
    // From the keyboard: Enter on the focused button.
    await page.focus("#export-trail");
    const [byKey] = await Promise.all([page.waitForEvent("download", { timeout: 5_000 }), page.keyboard.press("Enter")]);
    expectEqual(byKey.suggestedFilename(), "cloudtrail.json", "file name (keyboard)");
    await page.fill("#trail-filter", "");
  });

  await check("KMS requests & cost view: bar charts and the cost total", async () => {
    await page.click("#view-kms");
    await page.waitForSelector("#chart-operations svg.bars", { timeout: 5_000 });
    const bars = await page.locator("#chart-operations svg rect.bar.ok").count();
    if (bars < 2) throw new Error(`${bars} bars per operation`);
    expectEqual(await page.locator("#chart-services svg.bars").count(), 1, "per-service chart");
    const total = (await page.textContent("#cost-total")) ?? "";
    const costInSummary = /cost (\$[0-9.]+)$/.exec(seedSummary)?.[1];
    if (!costInSummary || !total.includes(costInSummary)) throw new Error(`cost total ${total} vs summary ${seedSummary}`);
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-04-kms-cost.png"), fullPage: true });

  await check("Keys & grants and Feature groups views show the final state", async () => {
    await page.click("#view-keys");
    const key = (await page.locator("#keys .card.key").first().textContent()) ?? "";
    for (const want of ["alias/featurestore", "Enabled", "CUSTOMER", "Grants (0)"]) {
      if (!key.includes(want)) throw new Error(`key card lacks ${want}: ${key.slice(0, 300)}`);
    }
    await page.screenshot({ path: path.join(artifacts, "smoke-05-keys.png"), fullPage: true });
    await page.click("#view-feature-groups");
    const group = (await page.locator("#feature-groups .card.group").first().textContent()) ?? "";
    for (const want of ["orders", "Created", "OnlineStore", "OfflineStore"]) {
      if (!group.includes(want)) throw new Error(`feature group card lacks ${want}`);
    }
    await page.screenshot({ path: path.join(artifacts, "smoke-06-feature-groups.png"), fullPage: true });
    await page.click("#view-calls");
  });

  // ---- Who can do what (the run's access matrix) ----
  // The cell of the row whose principal ARN contains `who`, in the column whose label starts with `op`.
  const accessCell = (who, op) =>
    page.locator(`#access-matrix tbody tr[data-principal*="${who}"] td[data-label^="${op}"]`);
  const accessDecision = async (who, op) => {
    const cell = accessCell(who, op);
    expectEqual(await cell.count(), 1, `cells for ${who} × ${op}`);
    return cell.getAttribute("data-decision");
  };
  await check("Who can do what: the seed's principals × operations, with badges and reasons", async () => {
    await page.click("#view-access");
    await page.waitForSelector("#access-matrix", { timeout: 5_000 });
    expectEqual(await page.getAttribute("#view-access", "aria-selected"), "true", "view selected");
    const rows = await page.locator("#access-matrix tbody tr").count();
    if (rows < 2) throw new Error(`${rows} principals`);
    const user = page.locator('#access-matrix tbody tr[data-principal$=":user/featurestore-user"] th.principal');
    expectEqual(((await user.textContent()) ?? "").trim(), "featurestore-user", "short principal name");
    expectEqual(await user.getAttribute("title"), "arn:aws:iam::111122223333:user/featurestore-user", "principal title");
    const headers = await page.$$eval("#access-matrix thead th.op", (ths) => ths.map((t) => t.textContent.trim()));
    for (const want of ["PutRecord", "GetRecord", "DeleteRecord", "Decrypt (direct)", "Decrypt via Feature Store", "CreateGrant", "RevokeGrant", "DisableKey", "PutKeyPolicy"]) {
      if (!headers.some((h) => h.startsWith(want))) throw new Error(`no column ${want}: ${headers.join(" | ")}`);
    }
    expectEqual(await page.locator("#access-matrix thead th.group").count() >= 2, true, "resource group headers");
    expectEqual(await accessDecision(":user/featurestore-user", "Decrypt (direct)"), "ImplicitDeny", "featurestore-user Decrypt (direct)");
    expectEqual(await accessDecision(":user/featurestore-user", "Decrypt via Feature Store"), "Allow", "featurestore-user Decrypt via Feature Store");
    expectEqual(await accessDecision("assumed-role/featurestore-admin/", "RevokeGrant"), "Allow", "featurestore-admin RevokeGrant");
    const direct = accessCell(":user/featurestore-user", "Decrypt (direct)").locator("button.access-cell");
    const badge = ((await direct.locator(".access-badge").textContent()) ?? "").trim();
    expectEqual(badge, "✗ ImplicitDeny", "badge text");
    expectEqual(((await direct.locator(".reason").textContent()) ?? "").trim(), "noIdentityPolicyAllows", "reason code");
    const title = (await direct.getAttribute("title")) ?? "";
    if (!title.includes("decided by kms:Decrypt") || !title.includes("is not authorized to perform: kms:Decrypt")) {
      throw new Error(`cell title: ${title}`);
    }
    const legend = (await page.textContent("#access-legend")) ?? "";
    for (const want of ["Allow", "ExplicitDeny", "ImplicitDeny"]) if (!legend.includes(want)) throw new Error(`legend lacks ${want}`);
    // The detail opens on click and on Enter (the cell is a button), and closes again.
    await direct.click();
    expectEqual(await direct.getAttribute("aria-expanded"), "true", "aria-expanded after click");
    const detail = (await page.textContent("#access-detail")) ?? "";
    for (const want of ["ImplicitDeny", "noIdentityPolicyAllows", "kms:Decrypt", "is not authorized to perform: kms:Decrypt"]) {
      if (!detail.includes(want)) throw new Error(`#access-detail lacks ${want}: ${detail.slice(0, 300)}`);
    }
    const via = accessCell(":user/featurestore-user", "Decrypt via Feature Store").locator("button.access-cell");
    await via.focus();
    await page.keyboard.press("Enter");
    expectEqual(await via.getAttribute("aria-expanded"), "true", "aria-expanded after Enter");
    expectEqual(await direct.getAttribute("aria-expanded"), "false", "the other cell closed");
    const viaDetail = (await page.textContent("#access-detail")) ?? "";
    if (!viaDetail.includes("kms:Decrypt via sagemaker") || !viaDetail.includes("the request is allowed")) {
      throw new Error(`#access-detail for the allowed cell: ${viaDetail.slice(0, 300)}`);
    }
    await page.screenshot({ path: path.join(artifacts, "smoke-06b-access.png"), fullPage: true });
    await page.keyboard.press("Enter");
    expectEqual(await via.getAttribute("aria-expanded"), "false", "aria-expanded after a second Enter");
    await page.click("#view-calls");
  });

  await check("selecting another example re-runs it", async () => {
    const before = await page.textContent("#description");
    await openExample(page, { index: 2 });
    await page.waitForFunction((d) => document.querySelector("#description")?.textContent !== d, before, { timeout: 10_000 });
    const summary = await summaryText();
    expectAllMet(summary, "third example");
    if (summary === seedSummary) throw new Error(`the summary did not change: ${summary}`);
    const { calls } = expectAllMet(summary, "third example");
    expectEqual(await page.locator("#calls > li").count(), calls, "rows in #calls");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-07-other-example.png"), fullPage: true });

  await check("every example runs in the browser with all its expectations met", async () => {
    const options = await page.$$eval("#example option", (os) => os.map((o) => o.textContent.trim()));
    if (options.length < 2) throw new Error(`${options.length} examples`);
    for (let i = 0; i < options.length; i++) {
      await openExample(page, { index: i });
      await page.waitForFunction(
        (name) => document.querySelector("#example")?.selectedOptions?.[0]?.textContent?.trim() === name,
        options[i],
        { timeout: 10_000 },
      );
      expectAllMet(await summaryText(), options[i]);
    }
    await openExample(page, { index: 0 });
    await page.waitForFunction((s) => document.querySelector("#summary")?.textContent?.trim() === s, seedSummary, { timeout: 10_000 });
  });

  await check("examples other than the seed are fetched on first use, once each, with the build's hash", async () => {
    const values = await page.$$eval("#example option", (os) => os.map((o) => o.value).filter((v) => /^\d+$/.test(v)));
    const fetched = lazyFetches.filter((f) => f.startsWith("/examples/"));
    expectEqual(fetched.length, values.length - 1, `example fetches: ${fetched.join(", ")}`);
    if (fetched.some((f) => f.includes("seed.json"))) throw new Error("the seed was fetched");
    if (!fetched.every((f) => /\.json\?h=[0-9a-f]{16}$/.test(f))) throw new Error(`fetches: ${fetched.join(", ")}`);
    if (new Set(fetched).size !== fetched.length) throw new Error(`fetched twice: ${fetched.join(", ")}`);
  });

  await check("an example file that is not the build's is refused with a message, and nothing else changes", async () => {
    const tab = await context.newPage();
    try {
      // A server (or cache) handing out another version of the file: one byte more.
      await tab.route("**/examples/key-states.json*", async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, body: (await response.text()).replace("{", "{ ") });
      });
      await tab.goto(baseUrl, { waitUntil: "load" });
      await tab.waitForSelector("#summary", { timeout: TIMEOUT });
      const before = await tab.getAttribute("#example", "data-open");
      const value = await tab.locator("#example option", { hasText: "Disabling, scheduling deletion" }).first().getAttribute("value");
      await tab.selectOption("#example", value);
      await tab.waitForSelector('#example-loading[role="alert"]', { timeout: TIMEOUT });
      const message = (await tab.textContent("#example-loading")) ?? "";
      if (!/could not be loaded.*examples\/key-states\.json.*is not the file/s.test(message)) throw new Error(`message: ${message}`);
      expectEqual(await tab.getAttribute("#example", "data-open"), before, "the open example");
      await tab.unroute("**/examples/key-states.json*");
      await openExample(tab, value);
      expectEqual(await tab.isVisible("#example-loading"), false, "the message after a good fetch");
    } finally {
      await tab.close();
    }
  });

  await page.emulateMedia({ colorScheme: "dark" });
  await page.click('#calls .call-row[data-op="kms:Decrypt"][data-result="AccessDeniedException"]');
  await page.screenshot({ path: path.join(artifacts, "smoke-08-scenario-dark.png"), fullPage: true });
  await page.emulateMedia({ colorScheme: "light" });

  // ---- Editing the scenario's policies, re-running, share links ----
  const diagnosticsText = async (i) =>
    ((await page.locator(`#policy-${i}-diagnostics`).textContent()) ?? "").replace(/\s+/g, " ").trim();

  let seedKeyPolicy = "";
  await check("Policies view: every policy of the seed in an editor, with its kind and diagnostics", async () => {
    await page.click("#view-policies");
    await page.waitForSelector("#policies article.policy", { timeout: 5_000 });
    const kinds = await page.$$eval("#policies article.policy", (as) => as.map((a) => a.dataset.kind));
    expectEqual(JSON.stringify(kinds), JSON.stringify(["key policy", "identity policy", "identity policy"]), "policy kinds");
    seedKeyPolicy = await page.inputValue("#policy-0");
    if (!seedKeyPolicy.startsWith('{\n  "Id": "key-policy-feature-store",')) throw new Error(`key policy editor: ${seedKeyPolicy.slice(0, 80)}`);
    const gutterLines = await page.locator("#policies article.policy >> nth=0 >> .gutter span").count();
    expectEqual(gutterLines, seedKeyPolicy.split("\n").length, "gutter line numbers");
    // kms:RetireGrant and kms:ListAliases have no effect in a key policy: the validator warns, with positions.
    const diags = await diagnosticsText(0);
    if (!/\d+:\d+ warning IneffectiveActionInKeyPolicy/.test(diags)) throw new Error(`key policy diagnostics: ${diags}`);
    expectEqual(await page.locator("#stale").count(), 0, "stale banner before an edit");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-13-policies.png"), fullPage: true });

  // Remove "kms:Decrypt" from the first statement's Action list.
  const withoutDecrypt = seedKeyPolicy.replace(/\n\s*"kms:Decrypt",/, "");
  let editedSummary = "";
  await check("removing kms:Decrypt from the key policy updates the diagnostics and marks the results stale", async () => {
    if (withoutDecrypt === seedKeyPolicy) throw new Error("no kms:Decrypt line in the key policy editor");
    const before = await diagnosticsText(0);
    await page.fill("#policy-0", withoutDecrypt);
    await page.waitForSelector("#stale", { timeout: 5_000 });
    const banner = (await page.textContent("#stale")) ?? "";
    if (!banner.includes("Results are stale — re-run")) throw new Error(`stale banner: ${banner}`);
    expectEqual(await page.locator("#run-result.stale").count(), 1, "run marked stale");
    expectEqual(await page.locator("#stale.stale").count(), 1, "banner class");
    // The warnings after the removed line moved up one line: the list was recomputed from the new text.
    const after = await diagnosticsText(0);
    if (after === before) throw new Error(`diagnostics did not change: ${after}`);
    expectEqual(await page.locator("#policies article.policy.edited").count(), 1, "edited editors");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-14-edited-stale.png"), fullPage: true });

  await check("re-running shows which calls changed outcome, and why (kms:Decrypt)", async () => {
    await page.click("#rerun");
    await page.waitForSelector("#calls", { timeout: 10_000 });
    expectEqual(await page.locator("#stale").count(), 0, "stale banner after re-run");
    editedSummary = await summaryText();
    if (editedSummary === seedSummary) throw new Error(`the summary did not change: ${editedSummary}`);
    const changes = (await page.textContent("#changes")) ?? "";
    if (!/\d+ calls? changed outcome/.test(changes)) throw new Error(`#changes: ${changes}`);
    // kmslab-core's CreateFeatureGroup requires the caller's kms:Decrypt on the key, so the feature group
    // is not created, and the featurestore-user's GetRecord then finds no feature group.
    const create = page.locator('#calls .call-row[data-op="sagemaker:CreateFeatureGroup"]');
    expectEqual(await create.getAttribute("data-was"), "ok", "CreateFeatureGroup before");
    expectEqual(await create.getAttribute("data-result"), "ValidationException", "CreateFeatureGroup now");
    expectEqual(((await create.locator(".c-result").textContent()) ?? "").trim(), "was ok → now ValidationException", "CreateFeatureGroup result cell");
    const getRecord = page.locator('#calls .call-row[data-op="sagemaker:GetRecord"]').first();
    expectEqual(await getRecord.getAttribute("data-was"), "ok", "GetRecord before");
    const now = await getRecord.getAttribute("data-result");
    if (now === "ok") throw new Error("the featurestore-user's GetRecord still succeeds");
    const caller = (await getRecord.locator(".c-caller").textContent())?.trim();
    expectEqual(caller, "featurestore-user", "GetRecord caller");
    await create.click();
    const details = page.locator(".call-details");
    await details.waitFor({ state: "visible", timeout: 5_000 });
    const error = (await details.locator(".call-error").textContent()) ?? "";
    if (!error.includes("kms:Decrypt")) throw new Error(`CreateFeatureGroup error does not name kms:Decrypt: ${error}`);
    const denied = details.locator("details.authz.implicit-deny").first();
    const summary = (await denied.locator(":scope > summary").textContent()) ?? "";
    if (!summary.includes("kms:Decrypt")) throw new Error(`denied authorization: ${summary}`);
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-15-rerun-changed.png"), fullPage: true });

  await check("a syntax error shows a diagnostic with its line number, and marks that line", async () => {
    await page.click("#view-policies");
    const lines = withoutDecrypt.split("\n");
    const at = lines.findIndex((l) => l.includes('"Effect": "Allow",'));
    const broken = [...lines.slice(0, at), lines[at].replace('"Allow",', '"Allow",,'), ...lines.slice(at + 1)].join("\n");
    await page.fill("#policy-0", broken);
    const error = page.locator("#policy-0-diagnostics .diagnostic.error").first();
    await error.waitFor({ timeout: 5_000 });
    expectEqual(await error.getAttribute("data-line"), String(at + 1), "diagnostic line");
    const text = (await error.textContent()) ?? "";
    if (!new RegExp(`^${at + 1}:\\d+ error MalformedPolicyDocumentException \\(jsonSyntax\\)`).test(text.trim())) {
      throw new Error(`diagnostic: ${text}`);
    }
    const marked = page.locator("#policies article.policy >> nth=0 >> .gutter span.error");
    expectEqual(((await marked.first().textContent()) ?? "").trim(), String(at + 1), "marked gutter line");
    expectEqual(await page.locator("#policies article.policy >> nth=0 >> .line-mark.error").count() > 0, true, "line mark");
    expectEqual(await page.isDisabled("#policies article.policy >> nth=0 >> button.format"), true, "Format disabled");
    await page.waitForSelector("#stale", { timeout: 5_000 });
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-16-syntax-error.png"), fullPage: true });

  await check("Format pretty-prints a policy that parses", async () => {
    await page.fill("#policy-0", JSON.stringify(JSON.parse(withoutDecrypt)));
    await page.click("#policies article.policy >> nth=0 >> button.format");
    expectEqual(await page.inputValue("#policy-0"), withoutDecrypt, "formatted text");
    // Back to the text the last run used: nothing is stale any more.
    await page.waitForFunction(() => !document.querySelector("#stale"), null, { timeout: 5_000 });
  });

  let shareLink = "";
  await check("Copy link puts the edited scenario in a #s=2.… link", async () => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(baseUrl).origin }).catch(() => {});
    await page.click("#copy-link");
    await page.waitForSelector("#share-link", { timeout: 5_000 });
    shareLink = await page.inputValue("#share-link");
    const prefix = `${new URL(baseUrl).origin}/#s=2.`;
    if (!shareLink.startsWith(prefix)) throw new Error(`share link: ${shareLink.slice(0, 80)}`);
    if (!/^#s=2\.[0-9A-Za-z.+-]+\.[A-Za-z0-9_-]+$/.test(new URL(shareLink).hash)) throw new Error(`fragment: ${new URL(shareLink).hash.slice(0, 80)}`);
    await page.waitForFunction(() => !/Copying/.test(document.querySelector("#copy-status")?.textContent ?? ""), null, { timeout: 5_000 });
    const status = (await page.textContent("#copy-status")) ?? "";
    if (status.includes("Copied")) {
      const clip = await page.evaluate(() => navigator.clipboard.readText()).catch(() => null);
      if (clip !== null) expectEqual(clip, shareLink, "clipboard");
    }
    console.log(`     share link: ${shareLink.length} characters; ${status.trim()}`);
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-17-share-link.png"), fullPage: true });

  // A fresh browser profile: nothing but the link.
  const profile2 = await mkdtemp(path.join(tmpdir(), "kmslab-e2e-fresh-"));
  const fresh = await chromium.launchPersistentContext(profile2, launchOptions);
  const freshErrors = [];
  try {
    const p2 = fresh.pages()[0] ?? (await fresh.newPage());
    p2.setDefaultTimeout(TIMEOUT);
    p2.on("pageerror", (err) => freshErrors.push(`uncaught: ${err.message}`));
    p2.on("console", (msg) => {
      if (msg.type() === "error" && !/favicon\.ico/.test(`${msg.text()} ${msg.location()?.url ?? ""}`)) freshErrors.push(msg.text());
    });

    await check("the share link opens the edited scenario in a fresh browser profile", async () => {
      if (!shareLink) throw new Error("no share link");
      await p2.goto(shareLink, { waitUntil: "load" });
      await p2.waitForSelector("#summary", { timeout: TIMEOUT });
      expectEqual(((await p2.textContent("#summary")) ?? "").trim(), editedSummary, "summary in the fresh profile");
      const selected = await p2.$eval("#example", (s) => s.options[s.selectedIndex]?.textContent?.trim());
      expectEqual(selected, "Shared link: Seed: Feature Store with a customer managed key", "selected entry");
      if (!((await p2.textContent("#shared-source")) ?? "").includes("share link")) throw new Error("no share-link note");
      expectEqual(await p2.getAttribute('#calls .call-row[data-op="sagemaker:CreateFeatureGroup"]', "data-result"), "ValidationException", "CreateFeatureGroup");
      await p2.click("#view-policies");
      expectEqual(await p2.inputValue("#policy-0"), withoutDecrypt, "key policy in the fresh profile");
      expectEqual(await p2.locator("#share-error").count(), 0, "share error");
      await p2.screenshot({ path: path.join(artifacts, "smoke-18-fresh-profile.png"), fullPage: true });
    });

    await check("a garbage share link shows a friendly error and the seed", async () => {
      const p3 = await fresh.newPage();
      p3.on("pageerror", (err) => freshErrors.push(`uncaught: ${err.message}`));
      await p3.goto(`${new URL(baseUrl).origin}/#s=1.0.1.this-is-not!a*link`, { waitUntil: "load" });
      await p3.waitForSelector("#share-error", { timeout: TIMEOUT });
      const message = ((await p3.textContent("#share-error")) ?? "").trim();
      if (!message.startsWith("This share link could not be opened:") || !/damaged|base64url/.test(message)) {
        throw new Error(`message: ${message}`);
      }
      expectAllMet(((await p3.textContent("#summary")) ?? "").trim(), "seed under a garbage link");
      await p3.screenshot({ path: path.join(artifacts, "smoke-19-garbage-link.png"), fullPage: true });
      // Unknown format versions are refused with their own message; a later hash change opens a good link.
      await p3.goto(`${new URL(baseUrl).origin}/#s=9.9.9.AAAA`, { waitUntil: "load" });
      await p3.reload({ waitUntil: "load" });
      await p3.waitForSelector("#share-error", { timeout: TIMEOUT });
      if (!((await p3.textContent("#share-error")) ?? "").includes("format version")) throw new Error("format version message");
      await p3.evaluate((hash) => { window.location.hash = hash; }, new URL(shareLink).hash);
      await p3.waitForFunction((s) => document.querySelector("#summary")?.textContent?.trim() === s, editedSummary, { timeout: 10_000 });
      await p3.close();
    });
    await check("no errors in the fresh profile", async () => {
      if (freshErrors.length > 0) throw new Error(freshErrors.join("\n"));
    });
  } finally {
    await fresh.close().catch(() => {});
    await rm(profile2, { recursive: true, force: true }).catch(() => {});
  }

  await check("Reset example restores the seed and shows the outcomes changing back", async () => {
    await page.click("#view-policies");
    await page.click("#reset-example");
    await page.waitForFunction((s) => document.querySelector("#summary")?.textContent?.trim() === s, seedSummary, { timeout: 10_000 });
    const changes = (await page.textContent("#changes")) ?? "";
    if (!/changed outcome/.test(changes)) throw new Error(`#changes: ${changes}`);
    const create = page.locator('#calls .call-row[data-op="sagemaker:CreateFeatureGroup"]');
    expectEqual(await create.getAttribute("data-was"), "ValidationException", "CreateFeatureGroup before reset");
    expectEqual(await create.getAttribute("data-result"), "ok", "CreateFeatureGroup after reset");
    await page.click("#view-policies");
    expectEqual(await page.inputValue("#policy-0"), seedKeyPolicy, "key policy after reset");
    await page.click("#view-calls");
  });

  await check("removing kms:RevokeGrant from the admin statement and re-running turns the admin's RevokeGrant to ImplicitDeny", async () => {
    await page.click("#view-policies");
    const withoutRevoke = seedKeyPolicy.replace(/,\n\s*"kms:RevokeGrant"/, "");
    if (withoutRevoke === seedKeyPolicy) throw new Error("no kms:RevokeGrant line in the key policy editor");
    const admin = JSON.parse(withoutRevoke).Statement.find((st) => /administrators/i.test(st.Sid ?? ""));
    if (!admin || admin.Action.includes("kms:RevokeGrant")) throw new Error("the admin statement still allows kms:RevokeGrant");
    await page.fill("#policy-0", withoutRevoke);
    await page.waitForSelector("#stale", { timeout: 5_000 });
    await page.click("#rerun");
    await page.waitForFunction(() => !document.querySelector("#stale"), null, { timeout: 10_000 });
    await page.click("#view-access");
    await page.waitForSelector("#access-matrix", { timeout: 5_000 });
    expectEqual(await accessDecision("assumed-role/featurestore-admin/", "RevokeGrant"), "ImplicitDeny", "featurestore-admin RevokeGrant after the edit");
    expectEqual(await accessDecision(":user/featurestore-user", "Decrypt via Feature Store"), "Allow", "featurestore-user Decrypt via Feature Store after the edit");
    const cell = accessCell("assumed-role/featurestore-admin/", "RevokeGrant").locator("button.access-cell");
    expectEqual(((await cell.locator(".access-badge").textContent()) ?? "").trim(), "✗ ImplicitDeny", "admin RevokeGrant badge");
    await cell.click();
    const detail = (await page.textContent("#access-detail")) ?? "";
    if (!detail.includes("is not authorized to perform: kms:RevokeGrant")) throw new Error(`#access-detail: ${detail.slice(0, 300)}`);
    await page.screenshot({ path: path.join(artifacts, "smoke-20-access-after-edit.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: path.join(artifacts, "smoke-21-access-dark.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
    // Back to the seed.
    await page.click("#view-policies");
    await page.click("#reset-example");
    await page.waitForFunction((s) => document.querySelector("#summary")?.textContent?.trim() === s, seedSummary, { timeout: 10_000 });
    await page.click("#view-access");
    expectEqual(await accessDecision("assumed-role/featurestore-admin/", "RevokeGrant"), "Allow", "featurestore-admin RevokeGrant after reset");
    await page.click("#view-calls");
  });

  // ---- Console: one more call as any principal, appended to the scenario and re-run ----
  const lastCall = () => page.locator("#calls > li").last();
  const sendFromConsole = async () => {
    const before = await page.locator("#calls > li").count();
    await page.click("#console-send");
    await page.waitForFunction((n) => document.querySelectorAll("#calls > li").length === n + 1, before, { timeout: 10_000 });
    const row = lastCall().locator(".call-row");
    expectEqual(await row.getAttribute("aria-expanded"), "true", "the new call is open");
    await lastCall().locator(".call-details").waitFor({ state: "visible", timeout: 5_000 });
    return row;
  };
  await check("Console: a direct kms:Decrypt as featurestore-user is AccessDeniedException", async () => {
    await page.click("#tab-scenario");
    await page.click("#view-calls");
    await page.waitForSelector("#console", { timeout: 5_000 });
    await page.selectOption("#console-principal", "arn:aws:iam::111122223333:user/featurestore-user");
    await page.selectOption("#console-op", "kms:Decrypt");
    await page.selectOption("#console-via", { label: "none (direct call)" });
    const template = JSON.parse(await page.inputValue("#console-input"));
    expectEqual(template.CiphertextBlob, "${encrypted.CiphertextBlob}", "template CiphertextBlob");
    const row = await sendFromConsole();
    expectEqual(await row.getAttribute("data-op"), "kms:Decrypt", "new call's operation");
    expectEqual(await row.getAttribute("data-result"), "AccessDeniedException", "new call's result");
    const details = lastCall().locator(".call-details");
    const error = (await details.locator(".call-error").textContent()) ?? "";
    if (!error.includes("AccessDeniedException") || !error.includes("is not authorized to perform: kms:Decrypt")) {
      throw new Error(`call error: ${error}`);
    }
    const badge = ((await details.locator("details.authz summary .badge.decision").first().textContent()) ?? "").trim();
    expectEqual(badge, "ImplicitDeny", "trace decision");
    if ((await details.locator("details.event").count()) < 1) throw new Error("no CloudTrail event for the console call");
    if (!((await page.textContent("#console-status")) ?? "").includes("console1")) throw new Error("no status with the call's id");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-40-console-direct-decrypt.png"), fullPage: true });

  await check("Console: input that is not JSON is an inline error, nothing is sent", async () => {
    const before = await page.locator("#calls > li").count();
    await page.fill("#console-input", "{ not json");
    await page.click("#console-send");
    const message = ((await page.textContent("#console-error")) ?? "").trim();
    if (!message.startsWith("The input is not JSON")) throw new Error(`#console-error: ${message}`);
    expectEqual(await page.locator("#calls > li").count(), before, "calls after a bad input");
  });

  await check("Console: the same kms:Decrypt via sagemaker with ${encrypted.CiphertextBlob} is ok", async () => {
    await page.selectOption("#console-via", "sagemaker");
    await page.fill("#console-input", JSON.stringify({ CiphertextBlob: "${encrypted.CiphertextBlob}", EncryptionContext: { purpose: "demo" } }, null, 2));
    const row = await sendFromConsole();
    expectEqual(await page.locator("#console-error").count(), 0, "inline error after a good input");
    expectEqual(await row.getAttribute("data-op"), "kms:Decrypt", "new call's operation");
    expectEqual(await row.getAttribute("data-result"), "ok", "new call's result");
    const output = JSON.parse((await lastCall().locator("pre.json.output").textContent()) ?? "");
    expectEqual(output.Plaintext, "aGVsbG8=", "decrypted plaintext");
    if (!((await row.textContent()) ?? "").includes("via sagemaker")) throw new Error("the row does not show via sagemaker");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-41-console-via-sagemaker.png"), fullPage: true });

  await check("Console: PutRecord has a record form that writes the input", async () => {
    await page.selectOption("#console-op", "sagemaker:PutRecord");
    await page.waitForSelector("#record-form", { timeout: 5_000 });
    expectEqual(await page.inputValue("#record-group"), "orders", "feature group");
    const field = page.locator('#record-form input[data-feature="customer"]');
    await field.fill("c-77");
    const input = JSON.parse(await page.inputValue("#console-input"));
    const customer = input.Record.find((f) => f.FeatureName === "customer");
    expectEqual(customer?.ValueAsString, "c-77", "customer in the input JSON");
    const row = await sendFromConsole();
    expectEqual(await row.getAttribute("data-op"), "sagemaker:PutRecord", "new call's operation");
    const shown = (await lastCall().locator("pre.json.input").textContent()) ?? "";
    if (!shown.includes("c-77")) throw new Error(`the call's input does not hold the form's value: ${shown.slice(0, 200)}`);
  });

  // ---- Envelopes, Build forms, Apply now (web/src/forms.rs, policies.rs, views.rs) ----
  // The seed's PutRecord (call 3) sealed one online record and one offline object.
  await check("Envelope: the seed's PutRecord shows the sealed record's ciphertext and its kms:Decrypt request", async () => {
    await page.click("#view-calls");
    const row = page.locator('#calls .call-row[data-op="sagemaker:PutRecord"]').first();
    if ((await row.getAttribute("aria-expanded")) !== "true") await row.click();
    const envelope = page.locator("#envelope-2");
    await envelope.waitFor({ state: "visible", timeout: 5_000 });
    const online = envelope.locator('.envelope[data-store="online"][data-action="sealed"]');
    expectEqual(await online.count(), 1, "online sealed envelopes");
    const stored = ((await online.locator(".env-stored code.hex").textContent()) ?? "").trim();
    if (!/^[0-9a-f]{64,}…?$/.test(stored)) throw new Error(`stored ciphertext hex: ${stored}`);
    const wrapped = ((await online.locator(".env-kms-key code.hex").textContent()) ?? "").trim();
    if (!/^[0-9a-f]{32,}/.test(wrapped)) throw new Error(`wrapped data key hex: ${wrapped}`);
    const text = (await online.textContent()) ?? "";
    for (const want of ["aws:sagemaker:feature-group-arn", "customer managed", "AES-256-GCM", "bytes"]) {
      if (!text.includes(want)) throw new Error(`the online envelope lacks ${want}: ${text.slice(0, 300)}`);
    }
    const decrypt = online.locator('.env-requests li[data-operation="Decrypt"]');
    expectEqual(await decrypt.count(), 1, "kms:Decrypt requests of the online envelope");
    const request = (await decrypt.textContent()) ?? "";
    if (!request.includes("kms:Decrypt") || !request.includes("featurestore-user") || !request.includes("via sagemaker")) {
      throw new Error(`kms:Decrypt request: ${request}`);
    }
    expectEqual(await envelope.locator('.envelope[data-store="offline"]').count(), 1, "offline envelopes");
    // The GetRecord after it opened the same record.
    const get = page.locator('#calls .call-row[data-op="sagemaker:GetRecord"][data-result="ok"]').first();
    await get.click();
    await page.locator("#envelope-3").waitFor({ state: "visible", timeout: 5_000 });
    expectEqual(await page.locator('#envelope-3 .envelope[data-store="online"][data-action="opened"]').count(), 1, "opened envelopes of GetRecord");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-50-envelope.png"), fullPage: true });

  // Submits a Build form with `button` and waits for its appended call to open.
  // (The count comes from #summary: the Policies and Keys views have no #calls list.)
  const callCount = async () => Number(/^(\d+) calls?/.exec(await summaryText())?.[1] ?? NaN);
  const submitCall = async (button, op, result) => {
    const before = await callCount();
    await page.click(button);
    await page.waitForFunction((n) => document.querySelectorAll("#calls > li").length === n + 1, before, { timeout: 10_000 });
    const row = lastCall().locator(".call-row");
    expectEqual(await row.getAttribute("aria-expanded"), "true", "the new call is open");
    expectEqual(await row.getAttribute("data-op"), op, "new call's operation");
    expectEqual(await row.getAttribute("data-result"), result, "new call's result");
    return row;
  };
  const openBuild = async (id) => {
    const open = await page.$eval(`#${id}`, (d) => d.open);
    if (!open) await page.click(`#${id} > summary`);
  };
  const grantRow = (k) => page.locator(`#grants-table tbody tr`).nth(k);

  await check("Build → Grants: a grant for Feature Store's service principal shows in Keys & grants and the chart", async () => {
    await openBuild("build-grants");
    await page.selectOption("#grant-grantee", "sagemaker.us-east-1.amazonaws.com");
    for (const op of ["Decrypt", "Encrypt", "GenerateDataKey"]) expectEqual(await page.isChecked(`#grant-op-${op}`), true, `${op} checked`);
    // Validation: no operation at all is refused inline, nothing is appended.
    const before = await page.locator("#calls > li").count();
    for (const op of ["Decrypt", "Encrypt", "GenerateDataKey"]) await page.uncheck(`#grant-op-${op}`);
    await page.click("#grant-create");
    const error = ((await page.textContent("#grant-form-error")) ?? "").trim();
    expectEqual(error, "Choose at least one operation.", "#grant-form-error");
    expectEqual(await page.locator("#calls > li").count(), before, "calls after a refused form");
    for (const op of ["Decrypt", "Encrypt", "GenerateDataKey"]) await page.check(`#grant-op-${op}`);
    await submitCall("#grant-create", "kms:CreateGrant", "ok");
    const caller = (await lastCall().locator(".c-caller").textContent())?.trim();
    expectEqual(caller, "root", "CreateGrant caller (the key's account root)");
    await page.click("#view-keys");
    const card = page.locator("#keys .card.key").first();
    const text = (await card.textContent()) ?? "";
    if (!text.includes("Grants (1)") || !text.includes("sagemaker.us-east-1.amazonaws.com")) throw new Error(`key card: ${text.slice(0, 400)}`);
    await page.waitForSelector("#chart-grants svg.bars", { timeout: 5_000 });
    const active = await page.$eval("#chart-grants svg rect.bar.active", (r) => Number(r.getAttribute("width")));
    if (!(active > 0)) throw new Error(`active bar width ${active}`);
    const cells = (await grantRow(0).locator("td").allTextContents()).map((t) => t.trim());
    expectEqual(cells.join(","), "1,1,0", "grants table: active, revoked (the seed's), retired");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-51-grant-created.png"), fullPage: true });

  await check("Build → Clock: a 2-minute clock step lets the new grant propagate", async () => {
    await openBuild("build-clock");
    await page.selectOption("#clock-step", "2m");
    await page.click("#clock-add");
    await page.waitForSelector("#clock-form-status", { timeout: 5_000 });
    expectEqual(((await page.textContent("#clock-form-status")) ?? "").trim(), "Appended a clock step of 2m.", "#clock-form-status");
  });

  await check("Apply now: the key policy without kms:Decrypt becomes a PutKeyPolicy call by the account root", async () => {
    await page.click("#view-policies");
    const hint = (await page.textContent("#apply-hint")) ?? "";
    if (!hint.includes("Re-run") || !hint.includes("Apply now") || !hint.includes("kms:PutKeyPolicy")) throw new Error(`#apply-hint: ${hint}`);
    await page.fill("#policy-0", withoutDecrypt);
    await page.waitForSelector("#stale", { timeout: 5_000 });
    const row = await submitCall("#apply-policy-0", "kms:PutKeyPolicy", "ok");
    expectEqual((await row.locator(".c-caller").textContent())?.trim(), "root", "PutKeyPolicy caller");
    // After the clock step: two minutes after the seed's last call.
    expectEqual((await row.locator(".c-time").textContent())?.trim(), "00:06:00", "PutKeyPolicy time");
    const input = JSON.parse((await lastCall().locator("pre.json.input").textContent()) ?? "{}");
    expectEqual(input.PolicyName, "default", "PolicyName");
    expectEqual(input.Policy, withoutDecrypt, "Policy (the editor's text)");
    expectEqual(await page.locator("#stale").count(), 0, "stale banner after Apply now");
    // The declaration is unchanged: the editor is back to the declared policy.
    await page.click("#view-policies");
    expectEqual(await page.inputValue("#policy-0"), seedKeyPolicy, "key policy editor after Apply now");
    await page.click("#view-calls");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-52-apply-policy.png"), fullPage: true });

  await check("Console: GetRecord as featurestore-user is now AccessForbidden with KMS's kms:Decrypt denial", async () => {
    await page.selectOption("#console-principal", "arn:aws:iam::111122223333:user/featurestore-user");
    await page.selectOption("#console-op", "sagemaker:GetRecord");
    const template = JSON.parse(await page.inputValue("#console-input"));
    expectEqual(template.FeatureGroupName, "orders", "template FeatureGroupName");
    const row = await sendFromConsole();
    expectEqual(await row.getAttribute("data-op"), "sagemaker:GetRecord", "new call's operation");
    expectEqual(await row.getAttribute("data-result"), "AccessForbidden", "new call's result");
    const details = lastCall().locator(".call-details");
    const error = (await details.locator(".call-error").textContent()) ?? "";
    if (!error.includes("AccessForbidden") || !error.includes("is not authorized to perform: kms:Decrypt")) throw new Error(`call error: ${error}`);
    const denied = details.locator("details.authz.implicit-deny").first();
    const summary = (await denied.locator(":scope > summary").textContent()) ?? "";
    if (!summary.includes("kms:Decrypt")) throw new Error(`denied authorization: ${summary}`);
    // The trace: the key policy's Feature Store statement no longer matches the action.
    const statement = denied.locator("details.stmt", { hasText: "Allow access through Amazon SageMaker Feature Store" }).first();
    const stmt = (await statement.locator(":scope > summary").textContent()) ?? "";
    if (!stmt.includes("actionNotMatched")) throw new Error(`Feature Store statement: ${stmt}`);
    expectEqual(await details.locator(".envelopes").count(), 0, "envelopes of a refused GetRecord");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-53-getrecord-forbidden.png"), fullPage: true });

  await check("Keys & grants: Revoke appends RevokeGrant by the account root; the grant leaves the key and the chart counts it", async () => {
    await page.click("#view-keys");
    await submitCall("#grant-revoke-0-0", "kms:RevokeGrant", "ok");
    const input = JSON.parse((await lastCall().locator("pre.json.input").textContent()) ?? "{}");
    if (!/^\$\{console\d+\.GrantId\}$/.test(input.GrantId)) throw new Error(`GrantId: ${input.GrantId}`);
    await page.click("#view-keys");
    const text = (await page.locator("#keys .card.key").first().textContent()) ?? "";
    if (!text.includes("Grants (0)")) throw new Error(`key card: ${text.slice(0, 300)}`);
    const cells = (await grantRow(0).locator("td").allTextContents()).map((t) => t.trim());
    expectEqual(cells.join(","), "0,2,0", "grants table after the revoke");
    expectEqual(await page.locator("#key-disable-0").count(), 1, "Disable key button");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-54-grant-revoked.png"), fullPage: true });

  await check("Build → Principals: adding a user with the data-plane policy declares it and re-runs", async () => {
    const summaryBefore = await summaryText();
    await openBuild("build-principals");
    await page.fill("#principal-name", "bad/name");
    await page.click("#principal-add");
    if (!((await page.textContent("#principal-form-error")) ?? "").includes("1–64")) throw new Error("no validation message for a bad name");
    await page.fill("#principal-name", "analyst");
    await page.selectOption("#principal-policy", "data-plane");
    await page.click("#principal-add");
    await page.waitForSelector("#principal-form-status", { timeout: 10_000 });
    const status = ((await page.textContent("#principal-form-status")) ?? "").trim();
    if (!status.includes("arn:aws:iam::111122223333:user/analyst")) throw new Error(`#principal-form-status: ${status}`);
    expectEqual(await page.locator('#console-principal option[value="arn:aws:iam::111122223333:user/analyst"]').count(), 1, "the analyst in the Console's callers");
    expectEqual(await summaryText(), summaryBefore, "summary (declaring a principal changes no call)");
    await page.click("#view-policies");
    const kinds = await page.$$eval("#policies article.policy", (as) => as.map((a) => a.dataset.kind));
    expectEqual(kinds.length, 4, "policy editors after adding the analyst");
    const names = await page.$$eval("#policies .policy-name", (cs) => cs.map((c) => c.textContent.trim()));
    if (!names.includes("FeatureStoreDataPlane")) throw new Error(`policy names: ${names.join(", ")}`);
    await page.click("#view-calls");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-55-principal-added.png"), fullPage: true });

  await check("Build → Feature groups: CreateFeatureGroup from the builder creates the group", async () => {
    await openBuild("build-groups");
    await page.selectOption("#group-caller", "arn:aws:iam::111122223333:user/featurestore-user");
    await page.fill("#group-name", "bad name");
    await page.click("#group-create");
    if (!((await page.textContent("#group-form-error")) ?? "").includes("feature group name")) throw new Error("no validation message for a bad name");
    await page.fill("#group-name", "customers");
    await page.click("#group-feature-add");
    await page.fill("#group-feature-0", "score");
    await page.selectOption("#group-feature-0-type", "Fractional");
    await submitCall("#group-create", "sagemaker:CreateFeatureGroup", "ok");
    const input = JSON.parse((await lastCall().locator("pre.json.input").textContent()) ?? "{}");
    expectEqual(input.FeatureGroupName, "customers", "FeatureGroupName");
    expectEqual(JSON.stringify(input.FeatureDefinitions.map((d) => d.FeatureName)), '["record_id","event_time","score"]', "features");
    await page.click("#view-feature-groups");
    const names = await page.$$eval("#feature-groups .card.group h3", (hs) => hs.map((h) => h.textContent.trim()));
    if (!names.some((n) => n.startsWith("customers"))) throw new Error(`feature groups: ${names.join(" | ")}`);
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-56-feature-group-builder.png"), fullPage: true });

  await check("Build → Keys: an RSA_2048 key is declared, and CreateFeatureGroup with it is a ValidationException", async () => {
    await openBuild("build-keys");
    await page.fill("#key-alias", "rsa-demo");
    await page.selectOption("#key-spec", "RSA_2048");
    await page.click("#key-add");
    await page.waitForSelector("#key-form-status", { timeout: 10_000 });
    await page.click("#view-keys");
    const cards = await page.locator("#keys .card.key").count();
    expectEqual(cards, 2, "key cards");
    const rsa = (await page.locator("#keys .card.key").nth(1).textContent()) ?? "";
    if (!rsa.includes("alias/rsa-demo") || !rsa.includes("RSA_2048")) throw new Error(`RSA key card: ${rsa.slice(0, 300)}`);
    await openBuild("build-groups");
    await page.fill("#group-name", "rsa-group");
    const key = await page.$eval("#group-online-key", (s) => [...s.options].find((o) => o.textContent.includes("alias/rsa-demo"))?.value);
    if (!key) throw new Error("the RSA key is not offered for the online store");
    await page.selectOption("#group-online-key", key);
    await submitCall("#group-create", "sagemaker:CreateFeatureGroup", "ValidationException");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-57-rsa-key-rejected.png"), fullPage: true });

  await check("choosing the example again drops everything built here", async () => {
    // The second choice wins even though the first one's document is still being fetched.
    await page.selectOption("#example", { index: 1 });
    await openExample(page, { index: 0 });
    await page.waitForFunction((s) => document.querySelector("#summary")?.textContent?.trim() === s, seedSummary, { timeout: 10_000 });
    await page.click("#view-calls");
  });

  // ---- Embed page: /?embed#s=… ----
  await check("Embed: /?embed#s=<share link> shows the scenario with minimal chrome", async () => {
    await page.click("#copy-link");
    await page.waitForSelector("#share-link", { timeout: 5_000 });
    const link = await page.inputValue("#share-link");
    const hash = new URL(link).hash;
    const summary = await summaryText();
    const calls = await page.locator("#calls > li").count();
    const ep = await context.newPage();
    ep.on("pageerror", (err) => consoleErrors.push(`embed page: uncaught: ${err.message}`));
    try {
      await ep.goto(`${new URL(baseUrl).origin}/?embed${hash}`, { waitUntil: "load" });
      await ep.waitForSelector("#embed #summary", { timeout: TIMEOUT });
      expectEqual(((await ep.textContent("#summary")) ?? "").trim(), summary, "embed summary");
      expectEqual(((await ep.textContent("#embed-name")) ?? "").trim(), "Seed: Feature Store with a customer managed key", "scenario name");
      for (const absent of ["nav.tabs", "#tab-scenario", "#console", "textarea", "#example", "#copy-link"]) {
        expectEqual(await ep.locator(absent).count(), 0, `${absent} on the embed page`);
      }
      expectEqual(await ep.locator("#calls > li").count(), calls, "calls on the embed page");
      expectEqual(await ep.getAttribute("#open-in-playground", "href"), link, "Open in playground link");
      if (!((await ep.textContent("body")) ?? "").includes("Evaluated locally in your browser")) throw new Error("no local-evaluation note");
      const row = ep.locator('#calls .call-row[data-op="kms:Decrypt"][data-result="AccessDeniedException"]').first();
      await row.click();
      const error = (await ep.locator(".call-details .call-error").textContent()) ?? "";
      if (!error.includes("is not authorized to perform: kms:Decrypt")) throw new Error(`embed call error: ${error}`);
      await ep.setViewportSize({ width: 800, height: 700 });
      await ep.screenshot({ path: path.join(artifacts, "smoke-42-embed.png"), fullPage: true });
      // The fragment form, #embed&s=…, opens the same.
      await ep.goto(`${new URL(baseUrl).origin}/#embed&${hash.slice(1)}`, { waitUntil: "load" });
      await ep.reload({ waitUntil: "load" });
      await ep.waitForSelector("#embed #summary", { timeout: TIMEOUT });
      expectEqual(((await ep.textContent("#summary")) ?? "").trim(), summary, "summary of #embed&s=…");
    } finally {
      await ep.close();
    }
  });

  // ---- Guided tour ----
  await check("Tour: the page's claims in order, each with a Run button", async () => {
    await page.click("#tab-tour");
    await page.waitForSelector("#tour-steps", { timeout: 5_000 });
    expectEqual(await page.getAttribute("#tab-tour", "aria-selected"), "true", "Tour tab selected");
    const steps = await page.locator("#tour-steps > li.tour-step").count();
    if (steps < 8) throw new Error(`${steps} tour steps`);
    expectEqual(await page.locator("#tour-steps button.tour-run").count(), steps, "Run buttons");
    const first = (await page.locator("#tour-steps .claim").first().textContent()) ?? "";
    if (!first.includes("The online store is used for low latency real-time inference")) throw new Error(`first claim: ${first}`);
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-43-tour.png"), fullPage: true });

  await check("Tour: running “if you revoke the grant…” opens the GetRecord that fails with AccessForbidden", async () => {
    const claim = (await page.textContent('#tour-steps li[data-step="revoke"] .claim')) ?? "";
    if (!claim.includes("if you revoke the grant on an active encrypted online store")) throw new Error(`claim: ${claim}`);
    await page.click("#tour-run-revoke");
    await page.waitForSelector('#calls .call-row[aria-expanded="true"]', { timeout: 10_000 });
    expectEqual(await page.getAttribute("#tab-scenario", "aria-selected"), "true", "Scenario tab selected");
    expectEqual(await summaryText(), seedSummary, "the seed, without the console calls");
    const open = page.locator('#calls .call-row[aria-expanded="true"]');
    expectEqual(await open.count(), 1, "open calls");
    expectEqual(await open.getAttribute("data-op"), "sagemaker:GetRecord", "opened call's operation");
    expectEqual(await open.getAttribute("data-result"), "AccessForbidden", "opened call's result");
    const error = (await page.locator(".call-details .call-error").textContent()) ?? "";
    if (!error.includes("AccessForbidden") || !error.includes("revoked or retired")) throw new Error(`call error: ${error}`);
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-44-tour-revoke.png"), fullPage: true });

  await check("Tour: the kms:ViaService step opens the direct kms:Decrypt", async () => {
    await page.click("#tab-tour");
    await page.click("#tour-run-via-service");
    await page.waitForSelector('#calls .call-row[aria-expanded="true"][data-op="kms:Decrypt"]', { timeout: 10_000 });
    const open = page.locator('#calls .call-row[aria-expanded="true"]');
    expectEqual(await open.getAttribute("data-result"), "AccessDeniedException", "opened call's result");
    await open.click(); // close it again
  });

  // ---- Policy lab (the first page, unchanged) ----
  await check("the Policy lab tab shows a decision", async () => {
    await page.click("#tab-policy-lab");
    await page.waitForSelector("#decision", { timeout: 5_000 });
    expectEqual(await page.getAttribute("#tab-policy-lab", "aria-selected"), "true", "Policy lab tab selected");
    expectEqual(await page.isVisible("#summary"), false, "scenario tab hidden");
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
  await page.screenshot({ path: path.join(artifacts, "smoke-09-policy-lab-allow.png"), fullPage: true });

  await check("unchecking via-Feature-Store marks the result stale", async () => {
    await page.uncheck("#via-feature-store");
    await page.waitForSelector("#result.stale", { timeout: 5_000 });
    expectEqual((await page.textContent("#decision"))?.trim(), "Allow", "#decision before re-evaluating");
  });
  await page.screenshot({ path: path.join(artifacts, "smoke-10-policy-lab-stale.png"), fullPage: true });

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
  await page.screenshot({ path: path.join(artifacts, "smoke-11-policy-lab-implicit-deny.png"), fullPage: true });

  await check("the tab is kept in the URL and survives a reload", async () => {
    expectEqual(new URL(page.url()).hash, "#policy-lab", "URL fragment");
    await page.reload({ waitUntil: "load" });
    await page.waitForSelector("#decision", { timeout: TIMEOUT });
    await page.click("#tab-scenario");
    await page.waitForSelector("#summary", { timeout: 5_000 });
    expectEqual(new URL(page.url()).hash, "#scenario", "URL fragment");
  });

  // Dark theme, for a look only (prefers-color-scheme: dark).
  await page.emulateMedia({ colorScheme: "dark" });
  await page.click("#tab-policy-lab");
  await page.screenshot({ path: path.join(artifacts, "smoke-12-policy-lab-dark.png"), fullPage: true });

  await check("no console errors (favicon 404 excepted)", async () => {
    if (consoleErrors.length > 0) throw new Error(consoleErrors.join("\n"));
  });
} catch (err) {
  harnessFailed(err);
  if (page) await page.screenshot({ path: path.join(artifacts, "smoke-error.png"), fullPage: true }).catch(() => {});
} finally {
  await context.close().catch(() => {});
  await rm(profile, { recursive: true, force: true }).catch(() => {});
}

finish();
