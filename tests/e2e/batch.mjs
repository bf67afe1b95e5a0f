// Batch work and durability in headless Chromium: a 10,000-PutRecord batch shows progress and
// keeps the page responsive; the browser is killed (SIGKILL) in the middle of the batch; a new
// browser on the same profile finds every committed record readable and nothing half-written.
//
//   node tests/e2e/batch.mjs http://127.0.0.1:8080/
//
// (scripts/e2e.sh builds dist/, serves it and runs this after smoke.mjs.) Screenshots go to
// tests/artifacts/batch-*.png. Exits non-zero when any check fails.
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { launchOptions } from "./chromium.mjs";
import { artifactsFor, check, expectEqual, finish, harnessFailed, openExample } from "./harness.mjs";

const baseUrl = process.argv[2] ?? process.env.BASE_URL;
if (!baseUrl) {
  console.error("usage: node tests/e2e/batch.mjs BASE_URL");
  process.exit(2);
}
const artifacts = await artifactsFor("batch");

const TIMEOUT = 30_000;
const USER = "arn:aws:iam::111122223333:user/featurestore-user";
// The second example: the seed's accounts and key, a feature group "orders" with an online store
// under the customer managed key and an offline store, still usable at the end of the run.
const EXAMPLE = "1";

const batchStatus = (page) =>
  page.evaluate(() => {
    const s = document.querySelector("#batch-status");
    if (!s) return null;
    const n = (k) => Number(s.dataset[k]);
    return {
      phase: s.dataset.phase,
      done: n("done"),
      total: n("total"),
      committed: n("committed"),
      ms: n("ms"),
      idbMs: n("idbMs"),
      commits: n("commits"),
      text: s.textContent,
    };
  });

// IndexedDB as the page sees it: the stored document's batch step, the summary, the batch records.
const readDb = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("kmslab");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(["scenario", "meta", "onlineStore"], "readonly");
          const out = {};
          tx.objectStore("scenario").get("document").onsuccess = (e) => (out.document = e.target.result);
          tx.objectStore("meta").get("lastRun").onsuccess = (e) => (out.meta = e.target.result);
          tx.objectStore("onlineStore").getAllKeys().onsuccess = (e) => (out.keys = e.target.result);
          tx.oncomplete = () => {
            db.close();
            const batch = out.keys.filter((k) => k.includes("\u0000batch1-"));
            const doc = JSON.parse(out.document);
            const step = doc.calls.find((c) => c.id === "batch1");
            resolve({ meta: JSON.parse(out.meta), repeat: step?.repeat ?? 0, batchKeys: batch.length, keys: out.keys.length, ids: batch.map((k) => k.split("\u0000")[1]) });
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );

async function openPlayground(context) {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(baseUrl, { waitUntil: "load" });
  await page.waitForSelector("#summary", { timeout: TIMEOUT });
  return page;
}

async function consoleGetRecord(page, id) {
  const before = await page.locator("#calls > li").count();
  await page.selectOption("#console-principal", USER);
  await page.selectOption("#console-op", "sagemaker:GetRecord");
  await page.fill("#console-input", JSON.stringify({ FeatureGroupName: "orders", RecordIdentifierValueAsString: id }));
  await page.click("#console-send");
  await page.waitForFunction((n) => document.querySelectorAll("#calls > li").length === n + 1, before, { timeout: TIMEOUT });
  const last = page.locator("#calls > li").last();
  const result = await last.locator(".call-row").getAttribute("data-result");
  const output = (await last.locator("pre.json.output").count()) ? JSON.parse((await last.locator("pre.json.output").textContent()) ?? "null") : null;
  return { result, output };
}

const profile = await mkdtemp(path.join(tmpdir(), "kmslab-batch-"));
let context = await chromium.launchPersistentContext(profile, launchOptions);
const errors = [];
let observed = 0;
try {
  let page = await openPlayground(context);
  page.on("pageerror", (err) => errors.push(`uncaught: ${err.message}`));

  await check("KMS requests over time: S3 Bucket Key on and off side by side (bucket-keys example)", async () => {
    const option = await page.locator("#example option", { hasText: "Bucket" }).first().getAttribute("value");
    await openExample(page, option);
    await page.click("#view-kms");
    await page.waitForSelector("#chart-timeline svg.timeline path.series", { timeout: TIMEOUT });
    const legend = await page.locator("#chart-timeline .timeline-legend li").allTextContents();
    const count = (bucket) => Number(new RegExp(`S3 for bucket ${bucket}: (\\d+) requests`).exec(legend.join("\n"))?.[1]);
    const off = count("sagemaker-featurestore-no-bucket-key");
    const on = count("sagemaker-featurestore-bucket-key");
    if (!(off >= 200 && on >= 1 && on * 10 < off)) throw new Error(`legend: ${legend.join(" | ")}`);
    await page.screenshot({ path: path.join(artifacts, "batch-05-timeline.png"), fullPage: false });
    await page.click("#view-calls");
  });

  await check("the batch panel offers 10,000 PutRecords into a feature group", async () => {
    await openExample(page, EXAMPLE);
    await page.waitForFunction(() => document.querySelector("#batch-group option"), null, { timeout: TIMEOUT });
    expectEqual(await page.inputValue("#batch-count"), "10000", "default count");
    expectEqual(await page.inputValue("#batch-group"), "orders", "feature group");
    await page.selectOption("#batch-caller", USER);
  });

  await check("a bad count is an inline error and nothing runs", async () => {
    await page.fill("#batch-count", "0");
    await page.click("#batch-start");
    const error = ((await page.textContent("#batch-error")) ?? "").trim();
    if (!error.includes("whole number")) throw new Error(`#batch-error: ${error}`);
    expectEqual(await page.locator("#batch-status").count(), 0, "status after a bad count");
    await page.fill("#batch-count", "10000");
  });

  await check("the batch shows progress, commits as it goes and the page stays responsive", async () => {
    // Longest gap between animation frames while the batch runs.
    await page.evaluate(() => {
      window.__gaps = { max: 0, frames: 0, last: performance.now(), on: true };
      const tick = (t) => {
        const g = window.__gaps;
        g.max = Math.max(g.max, t - g.last);
        g.last = t;
        g.frames += 1;
        if (g.on) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    await page.click("#batch-start");
    await page.waitForFunction(() => Number(document.querySelector("#batch-status")?.dataset.done) > 0, null, { timeout: TIMEOUT });
    // The page answers while the batch runs: a click on the Tour tab shows its panel on the next frame,
    // and back (timed in the page: click → panel shown → next frame painted).
    const tabSwitch = (from, to) =>
      page.evaluate(([from, to]) => new Promise((resolve) => {
        const t0 = performance.now();
        document.querySelector(`#tab-${to}`).click();
        const wait = () => {
          if (!document.querySelector(`#panel-${to}`).hidden && document.querySelector(`#panel-${from}`).hidden) {
            requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
          } else {
            setTimeout(wait, 1);
          }
        };
        wait();
      }), [from, to]);
    const tabMs = Math.max(await tabSwitch("scenario", "tour"), await tabSwitch("tour", "scenario"));
    await page.waitForFunction(() => Number(document.querySelector("#batch-status")?.dataset.committed) >= 3000, null, { timeout: 60_000, polling: 20 });
    const s = await batchStatus(page);
    const gaps = await page.evaluate(() => window.__gaps);
    await page.screenshot({ path: path.join(artifacts, "batch-10-running.png"), fullPage: false });
    expectEqual(s.phase, "running", "phase");
    expectEqual(s.total, 10000, "total");
    if (!(s.done >= s.committed && s.committed >= 3000 && s.commits >= 1)) throw new Error(`status: ${JSON.stringify(s)}`);
    const progress = await page.evaluate(() => ({ value: document.querySelector("#batch-progress").value, max: document.querySelector("#batch-progress").max }));
    expectEqual(progress.max, 10000, "progress max");
    if (!(progress.value >= 3000)) throw new Error(`progress value ${progress.value}`);
    // Busy: the Run button of the scenario does nothing while the batch runs (no second run).
    const batchStart = await page.locator("#batch-start").isDisabled();
    expectEqual(batchStart, true, "Run batch disabled while running");
    expectEqual(await page.locator("#run").isDisabled(), true, "the scenario's Run disabled while the batch runs");
    expectEqual(await page.locator("#example").isDisabled(), true, "the examples menu disabled while the batch runs");
    console.log(`     ${s.done} written, ${s.committed} committed in ${s.commits} transactions after ${s.ms} ms; ` +
      `longest frame gap ${gaps.max.toFixed(0)} ms over ${gaps.frames} frames; a tab switch shown after ${tabMs.toFixed(0)} ms`);
    if (gaps.max > 1000) throw new Error(`the page froze for ${gaps.max.toFixed(0)} ms`);
    if (tabMs > 1000) throw new Error(`a tab switch took ${tabMs.toFixed(0)} ms during the batch`);
    observed = s.committed;
  });

  await check("the browser is killed in the middle of the batch (SIGKILL)", async () => {
    // Every Chromium process of this profile, killed at once: no unload handlers, no clean shutdown.
    execFileSync("pkill", ["-KILL", "-f", `user-data-dir=${profile}`]);
    await context.close().catch(() => {});
  });

  context = await chromium.launchPersistentContext(profile, launchOptions);
  // For the quota check below: IndexedDB's QuotaExceededError, injected at the API. Chromium 156 here
  // ignores DevTools' Storage.overrideQuotaForOrigin (getUsageAndQuota reports overrideActive: false),
  // and its real quota is a share of the disk, so the error is raised the way IndexedDB raises it
  // (a DOMException named QuotaExceededError) once a byte budget set by the test is spent.
  // The bytes are counted as they are put; once the budget is spent, the next readwrite transaction is
  // refused with that error (so no request of a transaction already under way is left dangling).
  await context.addInitScript(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (value, key) {
      const budget = window.__kmslabQuota;
      if (budget) budget.left -= value?.byteLength ?? (typeof value === "string" ? value.length * 2 : 0);
      return put.call(this, value, key);
    };
    const transaction = IDBDatabase.prototype.transaction;
    IDBDatabase.prototype.transaction = function (stores, mode, options) {
      const budget = window.__kmslabQuota;
      if (budget && budget.left < 0 && mode === "readwrite") {
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      }
      return transaction.call(this, stores, mode, options);
    };
  });
  page = await openPlayground(context);
  page.on("pageerror", (err) => errors.push(`after restart: uncaught: ${err.message}`));

  let db;
  await check("after the restart, IndexedDB holds a consistent batch: the document and exactly its records", async () => {
    db = await readDb(page);
    if (!(db.batchKeys >= observed && db.batchKeys < 10000)) throw new Error(`batch records in IndexedDB: ${db.batchKeys} (observed ${observed} committed before the kill)`);
    expectEqual(db.repeat, db.batchKeys, "the stored document's repeat vs the stored batch records");
    expectEqual(db.meta.batch.committedRuns, db.batchKeys, "meta committedRuns");
    const ids = new Set(db.ids);
    for (let i = 0; i < db.batchKeys; i += 1) if (!ids.has(`batch1-${i}`)) throw new Error(`batch1-${i} missing`);
  });

  await check("the reload rebuilds the stored run and finds every record byte-identical", async () => {
    await page.waitForSelector("#restored-note", { timeout: TIMEOUT });
    await page.waitForFunction(() => (document.querySelector("#storage-status")?.textContent ?? "").includes("byte-identical"), null, { timeout: TIMEOUT });
    const status = ((await page.textContent("#storage-status")) ?? "").trim();
    const n = Number(/all (\d+) online records/.exec(status)?.[1]);
    if (!(n >= db.keys)) throw new Error(`status: ${status}`);
    const last = page.locator("#calls > li").last().locator(".call-row");
    expectEqual(await last.getAttribute("data-op"), "sagemaker:PutRecord", "last call");
    if (!((await last.textContent()) ?? "").includes(`×${db.batchKeys}`)) throw new Error(`the batch call row does not say ×${db.batchKeys}: ${await last.textContent()}`);
  });
  await page.screenshot({ path: path.join(artifacts, "batch-20-restored.png"), fullPage: false });

  await check("the last committed record is readable; the next one was never written", async () => {
    const got = await consoleGetRecord(page, `batch1-${db.batchKeys - 1}`);
    expectEqual(got.result, "ok", "GetRecord of the last committed record");
    const idFeature = got.output?.Record?.find((f) => f.ValueAsString === `batch1-${db.batchKeys - 1}`);
    if (!idFeature) throw new Error(`record: ${JSON.stringify(got.output)}`);
    const next = await consoleGetRecord(page, `batch1-${db.batchKeys}`);
    expectEqual(next.result, "ok", "GetRecord of the first record never committed");
    expectEqual(JSON.stringify(next.output), "{}", "GetRecord of a record that was never written");
  });

  await check("after the batch, a Console call re-runs the long document in slices: progress shows, the page keeps painting", async () => {
    // In the page: the longest gap between animation frames, and what the #long-run status showed.
    await page.evaluate(() => {
      window.__long = { max: 0, frames: 0, last: performance.now(), on: true, seen: 0, total: 0 };
      const tick = (t) => {
        const g = window.__long;
        g.max = Math.max(g.max, t - g.last);
        g.last = t;
        g.frames += 1;
        if (g.on) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      new MutationObserver(() => {
        const el = document.querySelector("#long-run");
        if (el) {
          window.__long.seen += 1;
          window.__long.total = Number(el.dataset.total);
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    const got = await consoleGetRecord(page, `batch1-0`);
    const g = await page.evaluate(() => { window.__long.on = false; return window.__long; });
    expectEqual(got.result, "ok", "GetRecord of the first record");
    console.log(`     ${g.total} calls re-run in slices; longest frame gap ${g.max.toFixed(0)} ms over ${g.frames} frames`);
    if (!(g.seen > 0 && g.total > 1000)) throw new Error(`the long-run status was not shown: ${JSON.stringify(g)}`);
    if (g.max > 1000) throw new Error(`the page froze for ${g.max.toFixed(0)} ms`);
    expectEqual(await page.locator("#long-run").count(), 0, "#long-run after the run");
  });

  await check("a batch can be cancelled: it keeps the records done, all committed", async () => {
    await page.fill("#batch-count", "10000");
    await page.selectOption("#batch-caller", USER);
    await page.click("#batch-start");
    await page.waitForFunction(() => Number(document.querySelector("#batch-status")?.dataset.done) >= 500, null, { timeout: TIMEOUT, polling: 10 });
    await page.click("#batch-cancel");
    await page.waitForFunction(() => document.querySelector("#batch-status")?.dataset.phase === "cancelled", null, { timeout: TIMEOUT });
    const s = await batchStatus(page);
    expectEqual(s.committed, s.done, "committed after cancel");
    if (!(s.done < 10000)) throw new Error(`done ${s.done}`);
    const after = await readDb(page);
    const doc = await page.evaluate(() => new Promise((resolve) => {
      const open = indexedDB.open("kmslab");
      open.onsuccess = () => {
        const tx = open.result.transaction(["scenario"], "readonly");
        tx.objectStore("scenario").get("document").onsuccess = (e) => { resolve(JSON.parse(e.target.result)); open.result.close(); };
      };
    }));
    const step = doc.calls.find((c) => c.id === "batch2");
    expectEqual(step?.repeat, s.done, "batch2's repeat in the stored document");
    if (after.keys < db.keys + s.done) throw new Error(`online records: ${after.keys}`);
    await page.waitForFunction(() => !document.querySelector("#batch-start")?.disabled, null, { timeout: TIMEOUT });
  });
  await page.screenshot({ path: path.join(artifacts, "batch-30-cancelled.png"), fullPage: false });

  await check("a full quota stops the batch with a clear message, and nothing committed is lost", async () => {
    try {
      // Start from an empty storage, then leave room for the run and a few commits, not for 10,000
      // records (about 8 MB).
      await page.click("#reset-storage");
      await page.waitForFunction(() => /cleared/.test(document.querySelector("#storage-status")?.textContent ?? ""), null, { timeout: TIMEOUT });
      await openExample(page, EXAMPLE);
      await page.waitForFunction(() => /Saved in this browser's storage/.test(document.querySelector("#storage-status")?.textContent ?? ""), null, { timeout: TIMEOUT });
      await page.evaluate(() => { window.__kmslabQuota = { left: 1_500_000 }; });
      await page.selectOption("#batch-caller", USER);
      await page.fill("#batch-count", "10000");
      await page.click("#batch-start");
      await page.waitForFunction(() => ["failed", "done"].includes(document.querySelector("#batch-status")?.dataset.phase), null, { timeout: 60_000 });
      const s = await batchStatus(page);
      expectEqual(s.phase, "failed", "phase");
      if (!/quota/i.test(s.text)) throw new Error(`status: ${s.text}`);
      if (!(s.committed > 0 && s.committed < 10000)) throw new Error(`committed ${s.committed}`);
      // The stopped batch is the stored document's last call.
      const stored = await page.evaluate(() => new Promise((resolve) => {
        const open = indexedDB.open("kmslab");
        open.onsuccess = () => {
          const tx = open.result.transaction(["scenario", "onlineStore"], "readonly");
          const out = {};
          tx.objectStore("scenario").get("document").onsuccess = (e) => (out.doc = JSON.parse(e.target.result));
          tx.objectStore("onlineStore").getAllKeys().onsuccess = (e) => (out.keys = e.target.result);
          tx.oncomplete = () => { open.result.close(); resolve(out); };
        };
      }));
      const last = stored.doc.calls[stored.doc.calls.length - 1];
      const prefix = `${last.id}-`;
      const records = stored.keys.filter((k) => k.split("\u0000")[1]?.startsWith(prefix)).length;
      expectEqual(last.repeat, s.committed, "the stored document's repeat vs committed");
      expectEqual(records, s.committed, "records of the stopped batch in IndexedDB");
    } finally {
      await page.evaluate(() => { delete window.__kmslabQuota; });
    }
  });
  await page.screenshot({ path: path.join(artifacts, "batch-40-quota.png"), fullPage: false });

  await check("two tabs: another tab's save stops this tab's batch, and storage keeps the other run whole", async () => {
    await openExample(page, EXAMPLE);
    await page.waitForFunction(() => !document.querySelector("#batch-start")?.disabled, null, { timeout: TIMEOUT });
    await page.selectOption("#batch-caller", USER);
    await page.fill("#batch-count", "10000");
    await page.click("#batch-start");
    await page.waitForFunction(() => Number(document.querySelector("#batch-status")?.dataset.committed) >= 500, null, { timeout: 60_000, polling: 20 });
    // Slow this tab's CPU down so its batch is still running when the second tab saves: on a fast
    // machine the 10,000 records would otherwise be done before the second tab has rebuilt.
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 20 });
    const other = await context.newPage();
    other.on("pageerror", (err) => errors.push(`second tab: uncaught: ${err.message}`));
    try {
      await other.goto(baseUrl, { waitUntil: "load" });
      await other.waitForSelector("#summary", { timeout: TIMEOUT });
      // It first rebuilds what the storage holds (the first tab's batch, as far as committed).
      await other.waitForFunction(() => /Rebuilt from the stored document/.test(document.querySelector("#storage-status")?.textContent ?? ""), null, { timeout: 60_000 });
      // The second tab opens the seed scenario: its run is saved (it takes the storage over).
      await openExample(other, "0");
      await other.waitForFunction(() => /Saved in this browser's storage/.test(document.querySelector("#storage-status")?.textContent ?? ""), null, { timeout: TIMEOUT });
      await page.waitForFunction(() => ["failed", "done"].includes(document.querySelector("#batch-status")?.dataset.phase), null, { timeout: 60_000 });
      const s = await batchStatus(page);
      expectEqual(s.phase, "failed", "the first tab's batch");
      if (!s.text.includes("Another tab")) throw new Error(`status: ${s.text}`);
      // A third tab restores what the storage holds: the second tab's run, whole.
      const third = await context.newPage();
      try {
        await third.goto(baseUrl, { waitUntil: "load" });
        await third.waitForFunction(() => (document.querySelector("#storage-status")?.textContent ?? "").includes("byte-identical"), null, { timeout: TIMEOUT });
        const name = ((await third.textContent("#panel-scenario")) ?? "");
        if (!name.includes("Seed: Feature Store with a customer managed key")) throw new Error("the restored run is not the second tab's");
      } finally {
        await third.close();
      }
    } finally {
      await other.close();
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 }).catch(() => {});
    }
  });
  await page.screenshot({ path: path.join(artifacts, "batch-50-two-tabs.png"), fullPage: false });

  await check("no uncaught errors", async () => {
    if (errors.length) throw new Error(`${errors.length} errors, the first: ${errors.slice(0, 5).join("\n")}`);
  });
} finally {
  await context.close().catch(() => {});
  await rm(profile, { recursive: true, force: true }).catch(() => {});
}

finish("batch: ");
