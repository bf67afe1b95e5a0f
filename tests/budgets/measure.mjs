// Load-time budgets of the built playground (issue 4), measured in headless Chromium.
//
//   node tests/budgets/measure.mjs http://127.0.0.1:8080/ [runs]
//
// (scripts/budgets.sh builds dist/, reports the gzip sizes, serves it and runs this.)
//
// Each run launches Chromium with a fresh temporary profile (cold HTTP cache, empty IndexedDB, so
// the seed scenario is run, not restored) and loads the page once. All times are the page's own
// performance.now(), whose origin is the navigation start (performance.timeOrigin); nothing is
// timed with Date in node. An init script installs a MutationObserver that notes, in the page:
//
//   summary  #summary reads "N calls · X/Y expectations met …" (the seed scenario has run);
//   click    the click on a call row (the event's timeStamp, same time base);
//   trace    a trace tree (.call-details details.authz .tree) is in the document and visible.
//
// "On screen" is the first task after the next animation frame following that DOM change
// (requestAnimationFrame → setTimeout 0), i.e. after the frame holding the change is painted.
// For the trace, node clicks the first call row whose data-result is not "ok" as soon as the
// summary is there; "nav → trace" therefore includes the automation's click latency, and
// "click → trace" is the app's own part.
//
// Prints min / median / max per measure. Exits 0, or 1 when the page fails (no summary, no trace).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { launchOptions } from "../e2e/chromium.mjs";

const baseUrl = process.argv[2] ?? process.env.BASE_URL;
if (!baseUrl) {
  console.error("usage: node tests/budgets/measure.mjs BASE_URL [runs]");
  process.exit(2);
}
const RUNS = Number(process.argv[3] ?? process.env.RUNS ?? 5);
const TIMEOUT = 30_000;

// Runs in the page before any of its scripts.
function probe() {
  const SUMMARY = /^\d+ calls? · (\d+)\/(\d+) expectations met/;
  const marks = (window.__budgets = {});
  const afterPaint = (name) => {
    if (name in marks || `${name}Pending` in marks) return;
    marks[`${name}Dom`] = performance.now();
    marks[`${name}Pending`] = true;
    requestAnimationFrame(() => setTimeout(() => { marks[name] = performance.now(); }, 0));
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const check = () => {
    if (!("summaryDom" in marks)) {
      const text = document.querySelector("#summary")?.textContent?.trim() ?? "";
      if (SUMMARY.test(text)) {
        marks.summaryText = text;
        afterPaint("summary");
      }
    }
    if ("click" in marks && !("traceDom" in marks)) {
      const tree = [...document.querySelectorAll(".call-details details.authz .tree")].find(visible);
      if (tree) afterPaint("trace");
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  document.addEventListener(
    "click",
    (e) => {
      const row = e.target?.closest?.(".call-row");
      if (row && !("click" in marks)) {
        marks.click = e.timeStamp;
        marks.clickRow = `${row.dataset.op} → ${row.dataset.result}`;
      }
    },
    true,
  );
}

async function once(run) {
  const profile = await mkdtemp(path.join(tmpdir(), "kmslab-budgets-"));
  const context = await chromium.launchPersistentContext(profile, launchOptions);
  const errors = [];
  try {
    await context.addInitScript(probe);
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(TIMEOUT);
    page.on("pageerror", (err) => errors.push(`uncaught: ${err.message}`));
    const response = await page.goto(baseUrl, { waitUntil: "commit" });
    if (response?.status() !== 200) throw new Error(`HTTP status ${response?.status()}`);
    await page.waitForFunction(() => "summaryDom" in (window.__budgets ?? {}), null, { timeout: TIMEOUT, polling: 10 });
    const row = page.locator('#calls .call-row:not([data-result="ok"])').first();
    if ((await row.count()) === 0) throw new Error("no call row with a result other than ok");
    await row.click();
    await page.waitForFunction(() => "trace" in window.__budgets && "summary" in window.__budgets, null, { timeout: TIMEOUT, polling: 10 });
    const m = await page.evaluate(() => window.__budgets);
    const nav = await page.evaluate(() => {
      const [n] = performance.getEntriesByType("navigation");
      return { domContentLoaded: n?.domContentLoadedEventEnd, load: n?.loadEventEnd };
    });
    const r = {
      summary: m.summary,
      trace: m.trace,
      clickToTrace: m.trace - m.click,
      load: nav.load,
      summaryText: m.summaryText,
      clickRow: m.clickRow,
    };
    console.log(
      `run ${run}: nav → summary ${r.summary.toFixed(0)} ms, nav → trace ${r.trace.toFixed(0)} ms, ` +
        `click → trace ${r.clickToTrace.toFixed(0)} ms, load event ${r.load.toFixed(0)} ms`,
    );
    return r;
  } catch (err) {
    throw new Error(`run ${run}: ${err?.message ?? err}${errors.length ? `\n${errors.join("\n")}` : ""}`);
  } finally {
    await context.close().catch(() => {});
    await rm(profile, { recursive: true, force: true }).catch(() => {});
  }
}

const results = [];
try {
  for (let i = 1; i <= RUNS; i += 1) results.push(await once(i));
} catch (err) {
  console.error(`budgets: the page failed: ${err.message}`);
  process.exit(1);
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return [s[0], median, s[s.length - 1]].map((x) => `${x.toFixed(0)} ms`);
};
const rows = [
  ["navigation start → seed summary on screen", results.map((r) => r.summary)],
  ["navigation start → first trace on screen", results.map((r) => r.trace)],
  ["  of which click → trace on screen", results.map((r) => r.clickToTrace)],
  ["navigation start → load event end", results.map((r) => r.load)],
];
console.log(`\n${results[0].summaryText}`);
console.log(`trace of the first call row not ok: ${results[0].clickRow}`);
console.log(`${RUNS} runs, fresh profile each, times from performance.now() in the page (origin = navigation start)\n`);
const w = Math.max(...rows.map(([name]) => name.length));
console.log(`${"measure".padEnd(w)} | ${"min".padStart(7)} | ${"median".padStart(7)} | ${"max".padStart(7)}`);
console.log(`${"-".repeat(w)}-|-${"-".repeat(7)}-|-${"-".repeat(7)}-|-${"-".repeat(7)}`);
for (const [name, xs] of rows) {
  const [min, med, max] = stats(xs);
  console.log(`${name.padEnd(w)} | ${min.padStart(7)} | ${med.padStart(7)} | ${max.padStart(7)}`);
}
process.exit(0);
