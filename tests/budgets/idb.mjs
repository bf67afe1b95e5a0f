// IndexedDB budget (issue 4): 10,000 PutRecords through the playground's batch panel, against a raw
// IndexedDB put of the same bytes in the same run, in headless Chromium.
//
//   node tests/budgets/idb.mjs http://127.0.0.1:8080/ [records]
//
// (scripts/budgets.sh builds dist/, serves it and runs this after measure.mjs.)
//
// kmslab: a fresh profile opens the playground, picks the second example (feature group "orders",
// online store under a customer managed key, offline store), and runs a batch of N PutRecords as
// featurestore-user. Each PutRecord is authorized (IAM + the key policy), unwraps the data key
// through KMS, seals the record with AES-256-GCM, writes the offline object through S3 (another
// data key), logs CloudTrail, meters KMS — and the batch commits what it wrote to IndexedDB about
// every 0.4 s. The page reports the batch's wall time and the time spent waiting for IndexedDB.
//
// raw: in the same page, right after, the exact bytes the batch left in IndexedDB (its online
// records and offline objects) are read back and put into a scratch database with the same number
// of readwrite transactions, as fast as IndexedDB takes them. Nothing else runs.
//
// Prints records/s for both and their ratio (kmslab ÷ raw). Informational; exits 1 only when the
// page fails.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { launchOptions } from "../e2e/chromium.mjs";

const baseUrl = process.argv[2] ?? process.env.BASE_URL;
if (!baseUrl) {
  console.error("usage: node tests/budgets/idb.mjs BASE_URL [records]");
  process.exit(2);
}
const RECORDS = Number(process.argv[3] ?? process.env.RECORDS ?? 10000);
const TIMEOUT = 120_000;

const profile = await mkdtemp(path.join(tmpdir(), "kmslab-idb-"));
const context = await chromium.launchPersistentContext(profile, launchOptions);
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(baseUrl, { waitUntil: "load" });
  await page.waitForSelector("#summary");
  await page.selectOption("#example", "1");
  // Examples other than the seed are fetched on first use: wait until it is open.
  await page.waitForSelector('#example[data-open="1"]');
  await page.waitForFunction(() => document.querySelector("#batch-group option"));
  await page.selectOption("#batch-caller", "arn:aws:iam::111122223333:user/featurestore-user");
  await page.fill("#batch-count", String(RECORDS));
  await page.click("#batch-start");
  await page.waitForFunction(() => ["done", "failed"].includes(document.querySelector("#batch-status")?.dataset.phase), null, { timeout: TIMEOUT, polling: 50 });
  const batch = await page.evaluate(() => {
    const d = document.querySelector("#batch-status").dataset;
    return { phase: d.phase, done: Number(d.done), ms: Number(d.ms), idbMs: Number(d.idbMs), commits: Number(d.commits), text: document.querySelector("#batch-status").textContent };
  });
  if (batch.phase !== "done" || batch.done !== RECORDS) throw new Error(`batch: ${JSON.stringify(batch)}`);

  const raw = await page.evaluate(async (commits) => {
    const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
    const done = (tx) => new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); tx.onabort = () => reject(tx.error); });
    const db = await req(indexedDB.open("kmslab"));
    const tx = db.transaction(["onlineStore", "offlineStore"], "readonly");
    const [onKeys, onValues, offKeys, offValues] = await Promise.all([
      req(tx.objectStore("onlineStore").getAllKeys()), req(tx.objectStore("onlineStore").getAll()),
      req(tx.objectStore("offlineStore").getAllKeys()), req(tx.objectStore("offlineStore").getAll()),
    ]);
    db.close();
    const batchOnline = onKeys.map((k, i) => [k, onValues[i]]).filter(([k]) => k.includes("\u0000batch1-"));
    const batchOffline = offKeys.map((k, i) => [k, offValues[i]]).filter(([k]) => k.includes("_batch1-"));
    const bytes = [...batchOnline, ...batchOffline].reduce((n, [, v]) => n + v.byteLength, 0);
    await new Promise((resolve) => { const d = indexedDB.deleteDatabase("raw-bench"); d.onsuccess = d.onerror = resolve; });
    const open = indexedDB.open("raw-bench", 1);
    open.onupgradeneeded = () => { open.result.createObjectStore("onlineStore"); open.result.createObjectStore("offlineStore"); };
    const scratch = await req(open);
    const per = Math.ceil(batchOnline.length / Math.max(1, commits));
    const t0 = performance.now();
    for (let i = 0; i < batchOnline.length; i += per) {
      const w = scratch.transaction(["onlineStore", "offlineStore"], "readwrite");
      for (const [k, v] of batchOnline.slice(i, i + per)) w.objectStore("onlineStore").put(v, k);
      for (const [k, v] of batchOffline.slice(i, i + per)) w.objectStore("offlineStore").put(v, k);
      await done(w);
    }
    const ms = performance.now() - t0;
    scratch.close();
    await new Promise((resolve) => { const d = indexedDB.deleteDatabase("raw-bench"); d.onsuccess = d.onerror = resolve; });
    return { ms, online: batchOnline.length, offline: batchOffline.length, bytes, transactions: Math.ceil(batchOnline.length / per) };
  }, batch.commits);

  const kmslabRate = (batch.done * 1000) / batch.ms;
  const rawRate = (raw.online * 1000) / raw.ms;
  console.log(`\n${RECORDS} PutRecords (example "shared key", feature group orders, online + offline store), headless Chromium:`);
  console.log(`  kmslab batch:    ${(batch.ms / 1000).toFixed(2)} s = ${kmslabRate.toFixed(0)} records/s ` +
    `(IndexedDB commits ${(batch.idbMs / 1000).toFixed(2)} s in ${batch.commits} transactions)`);
  console.log(`  raw IndexedDB:   ${(raw.ms / 1000).toFixed(2)} s = ${rawRate.toFixed(0)} records/s ` +
    `(the same ${raw.online} records + ${raw.offline} objects, ${(raw.bytes / 1e6).toFixed(1)} MB, ${raw.transactions} transactions)`);
  console.log(`  ratio kmslab / raw: ${(kmslabRate / rawRate).toFixed(3)} (raw is ${(rawRate / kmslabRate).toFixed(1)}× faster)`);
} catch (err) {
  console.error(`idb budget: the page failed: ${err?.message ?? err}`);
  process.exitCode = 1;
} finally {
  await context.close().catch(() => {});
  await rm(profile, { recursive: true, force: true }).catch(() => {});
}
