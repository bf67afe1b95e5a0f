// Languages of the built playground in headless Chromium: English by default, Traditional Chinese
// (zh-TW) through the header's switch, `?lang=zh-TW`, the browser's language and on the embed page;
// the boot and WebAssembly-failed messages of www/index.html in the visitor's language.
//
//   node tests/e2e/lang.mjs http://127.0.0.1:8080/
//
// (scripts/e2e.sh builds dist/, serves it and runs this after smoke.mjs.) Screenshots go to
// tests/artifacts/lang-*.png. Exits non-zero when any check fails.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { launchOptions } from "./chromium.mjs";
import { artifactsFor, check, expectEqual, finish, harnessFailed } from "./harness.mjs";

const baseUrl = process.argv[2] ?? process.env.BASE_URL;
if (!baseUrl) {
  console.error("usage: node tests/e2e/lang.mjs BASE_URL");
  process.exit(2);
}
const origin = new URL(baseUrl).origin;
const artifacts = await artifactsFor("lang");

const TIMEOUT = 30_000;

function expectIncludes(text, want, what) {
  if (!String(text ?? "").includes(want)) {
    throw new Error(`${what}: ${JSON.stringify(want)} not in ${JSON.stringify(String(text ?? "").slice(0, 400))}`);
  }
}

// The texts this test expects (web/src/i18n/zh_tw.rs; the quotes are the zh-TW edition of the
// seed page, verbatim).
const EN = {
  h1: "kmslab — Feature Store security playground",
  local: "Evaluated locally in your browser — nothing is sent anywhere",
  tabs: { scenario: "Scenario", tour: "Tour", "policy-lab": "Policy lab" },
};
const ZH = {
  h1: "kmslab — 特徵商店安全性演練場",
  local: "在您的瀏覽器中本機評估 — 不會傳送任何資料",
  tabs: { scenario: "情境", tour: "導覽", "policy-lab": "政策實驗室" },
  firstClaim: "線上儲存用於低延遲的即時推論使用案例,而離線儲存則用於訓練和批次推論使用案例。",
  revokeClaim: "不過,如果您撤銷作用中加密線上儲存的授予,特徵商店將無法保護和維護該儲存。",
  run: "執行",
  openInPlayground: "在演練場中開啟 ↗",
  boot: "正在載入 kmslab 演練場",
  fallback: "演練場無法啟動",
  views: {
    calls: "呼叫",
    policies: "政策",
    cloudtrail: "CloudTrail",
    kms: "KMS 請求與費用",
    keys: "金鑰與授予",
    "feature-groups": "特徵群組",
    access: "誰可以做什麼",
  },
  callHead: ["#", "時間", "呼叫方", "操作", "預期", "結果"],
};
const EN_VIEWS = {
  calls: "Calls",
  policies: "Policies",
  cloudtrail: "CloudTrail",
  kms: "KMS requests & cost",
  keys: "Keys & grants",
  "feature-groups": "Feature groups",
  access: "Who can do what",
};
const USER_ARN = "arn:aws:iam::111122223333:user/featurestore-user";
// The seed's summary line in each language: calls, expectations met / checked, KMS requests, cost.
const SUMMARY_EN = /^(\d+) calls? · (\d+)\/(\d+) expectations met · (\d+) KMS requests? · cost (\$\S+)$/;
const SUMMARY_ZH = /^(\d+) 個呼叫 · (\d+)\/(\d+) 項預期符合 · (\d+) 個 KMS 請求 · 費用 (\$\S+)$/;
const hasHan = (s) => /\p{Script=Han}/u.test(String(s ?? ""));

const text = async (page, selector) => ((await page.textContent(selector)) ?? "").trim();

async function expectHeader(page, want, what) {
  await page.waitForFunction((h1) => document.querySelector("h1")?.textContent?.trim() === h1, want.h1, { timeout: 10_000 })
    .catch(() => {});
  expectEqual(await text(page, "h1"), want.h1, `${what}: h1`);
  expectEqual(await text(page, "#local-note"), want.local, `${what}: #local-note`);
  for (const [slug, label] of Object.entries(want.tabs)) {
    expectEqual(await text(page, `#tab-${slug}`), label, `${what}: #tab-${slug}`);
  }
}

async function newProfile(options = {}) {
  const profile = await mkdtemp(path.join(tmpdir(), "kmslab-e2e-lang-"));
  const context = await chromium.launchPersistentContext(profile, { ...launchOptions, ...options });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  const errors = [];
  page.on("pageerror", (err) => errors.push(`uncaught: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const url = msg.location()?.url ?? "";
    if (/favicon\.ico/.test(url) || /favicon\.ico/.test(msg.text())) return;
    errors.push(`${msg.text()}${url ? ` (${url})` : ""}`);
  });
  const close = async () => {
    await context.close().catch(() => {});
    await rm(profile, { recursive: true, force: true }).catch(() => {});
  };
  return { context, page, errors, close };
}

// Loads `url` with the .wasm request held back: checks the boot message while it waits, then fails
// the request and checks the fallback message. `lang` is "en" or "zh-TW".
async function bootAndFallback(page, url, lang) {
  let release;
  const held = new Promise((resolve) => (release = resolve));
  await page.route("**/*.wasm", async (route) => {
    await held;
    await route.abort("failed");
  });
  try {
    // Not "domcontentloaded": that may wait for the app's module script, which waits for the .wasm.
    await page.goto(url, { waitUntil: "commit" });
    await page.waitForSelector("#boot", { state: "attached" });
    expectEqual(await page.getAttribute("html", "lang"), lang, "<html lang> before the app starts");
    const [shown, hidden] = lang === "zh-TW" ? [".l10n-zh", ".l10n-en"] : [".l10n-en", ".l10n-zh"];
    expectEqual(await page.isVisible(`#boot ${shown}`), true, `#boot ${shown} visible`);
    expectEqual(await page.isVisible(`#boot ${hidden}`), false, `#boot ${hidden} visible`);
    const boot = await page.innerText("#boot");
    if (lang === "zh-TW") expectIncludes(boot, ZH.boot, "#boot");
    else expectIncludes(boot, "Loading the kmslab playground", "#boot");
    release();
    await page.waitForSelector("#fallback", { state: "visible", timeout: 10_000 });
    const fallback = await page.innerText("#fallback");
    if (lang === "zh-TW") {
      expectIncludes(fallback, ZH.fallback, "#fallback");
      expectIncludes(fallback, "詳細資訊", "#fallback-detail");
    } else {
      expectIncludes(fallback, "The playground could not start", "#fallback");
      if (fallback.includes(ZH.fallback)) throw new Error("the Chinese fallback shows in English");
    }
  } finally {
    release();
    await page.unroute("**/*.wasm");
  }
}

const opened = [];
try {
  // ---- A fresh profile in Chromium's default en-US: English; the switch; the choice is kept ----
  const en = await newProfile();
  opened.push(en);
  const page = en.page;
  // Requests for the Chinese texts (fetched only when that language is chosen: web/src/i18n.rs).
  const zhFetches = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname.startsWith("/i18n/")) zhFetches.push(r.url());
  });

  const loaded = await check("default: English (en-US browser), <html lang=en>, the switch shows English pressed", async () => {
    const response = await page.goto(baseUrl, { waitUntil: "load" });
    expectEqual(response?.status(), 200, "HTTP status");
    await page.waitForSelector("#summary", { timeout: TIMEOUT });
    const browserLang = await page.evaluate(() => navigator.language);
    if (!/^en\b/.test(browserLang)) throw new Error(`navigator.language: ${browserLang} (expected Chromium's default en-US)`);
    await expectHeader(page, EN, "English");
    expectEqual(await page.getAttribute("html", "lang"), "en", "<html lang>");
    expectEqual(await page.title(), EN.h1, "document title");
    expectEqual(await page.getAttribute("#lang-en", "aria-pressed"), "true", "#lang-en pressed");
    expectEqual(await page.getAttribute("#lang-zh-TW", "aria-pressed"), "false", "#lang-zh-TW pressed");
    expectEqual(await text(page, "#lang-zh-TW"), "繁體中文", "#lang-zh-TW label");
    expectEqual(await page.evaluate(() => localStorage.getItem("kmslab.lang")), null, "saved language before a choice");
  });
  if (!loaded) throw new Error(`the app did not render; errors so far:\n${en.errors.join("\n")}`);
  await page.screenshot({ path: path.join(artifacts, "lang-01-en.png") });

  let seedSummary = "";
  await check("clicking 繁體中文 fetches the Chinese texts once, turns the header and tabs into Chinese and sets <html lang=zh-TW>", async () => {
    seedSummary = await text(page, "#summary");
    expectEqual(zhFetches.length, 0, "requests for the Chinese texts before choosing Chinese");
    await page.click("#lang-zh-TW");
    await expectHeader(page, ZH, "zh-TW");
    // Fetched once, from i18n/zh-TW.json with the build's hash.
    expectEqual(zhFetches.length, 1, `requests for the Chinese texts: ${zhFetches.join(", ")}`);
    if (!/\/i18n\/zh-TW\.json\?h=[0-9a-f]{16}$/.test(zhFetches[0])) throw new Error(zhFetches[0]);
    expectEqual(await page.getAttribute("html", "lang"), "zh-TW", "<html lang>");
    expectEqual(await page.title(), ZH.h1, "document title");
    expectEqual(await page.getAttribute("#lang-zh-TW", "aria-pressed"), "true", "#lang-zh-TW pressed");
    expectEqual(await page.getAttribute("#lang-en", "aria-pressed"), "false", "#lang-en pressed");
    expectEqual(await page.getAttribute("nav.tabs", "aria-label"), "頁面", "tabs' aria-label");
    expectEqual(await page.evaluate(() => localStorage.getItem("kmslab.lang")), "zh-TW", "saved language");
    // The switch keeps the keyboard focus where it was, and the scenario is not run again.
    expectEqual(await page.evaluate(() => document.activeElement?.id), "lang-zh-TW", "focused element");
  });
  await page.screenshot({ path: path.join(artifacts, "lang-02-zh-TW-scenario.png"), fullPage: true });

  await check("zh-TW: AWS error codes and messages stay as AWS returns them (the direct kms:Decrypt)", async () => {
    await page.click("#tab-scenario");
    const row = page.locator('#calls .call-row[data-op="kms:Decrypt"][data-result="AccessDeniedException"]');
    expectEqual(await row.count(), 1, "direct kms:Decrypt rows");
    expectIncludes(await row.textContent(), "AccessDeniedException", "call row");
    expectIncludes(await row.textContent(), "kms:Decrypt", "call row");
    await row.click();
    const details = page.locator(".call-details");
    await details.waitFor({ state: "visible", timeout: 5_000 });
    const error = (await details.locator(".call-error").textContent()) ?? "";
    expectIncludes(error, "AccessDeniedException", "call error");
    expectIncludes(error, "is not authorized to perform: kms:Decrypt", "call error");
    const badge = ((await details.locator("details.authz summary .badge.decision").first().textContent()) ?? "").trim();
    expectEqual(badge, "ImplicitDeny", "decision badge");
    await page.screenshot({ path: path.join(artifacts, "lang-03-zh-TW-call.png"), fullPage: true });
    await row.click();
  });

  await check("zh-TW Scenario tab: view tabs, Calls headers, summary line and storage bar in Chinese", async () => {
    await page.click("#tab-scenario");
    await page.click("#view-calls");
    for (const [slug, label] of Object.entries(ZH.views)) {
      expectEqual(await text(page, `#view-${slug}`), label, `#view-${slug}`);
    }
    expectEqual(await page.getAttribute("nav.subtabs", "aria-label"), "執行結果的檢視", "view tabs' aria-label");
    const head = await page.$$eval(".call-head span", (ss) => ss.map((s) => s.textContent.trim()));
    expectEqual(JSON.stringify(head), JSON.stringify(ZH.callHead), ".call-head");
    // The same numbers and cost as the English line, in Chinese words.
    const zh = (await text(page, "#summary")).match(SUMMARY_ZH);
    const en = seedSummary.match(SUMMARY_EN);
    if (!zh || !en) throw new Error(`#summary: ${await text(page, "#summary")} (English: ${seedSummary})`);
    expectEqual(zh.slice(1).join(" "), en.slice(1).join(" "), "summary numbers");
    expectEqual(await text(page, "#run"), ZH.run, "#run");
    expectEqual(await text(page, "#copy-link"), "複製連結", "#copy-link");
    expectEqual(await text(page, 'label[for="example"]'), "範例情境", "example label");
    // Scenario names come from the documents: as they are.
    expectEqual(
      await page.$eval("#example", (s) => s.options[s.selectedIndex]?.textContent?.trim()),
      "Seed: Feature Store with a customer managed key",
      "selected example",
    );
    expectIncludes(await text(page, "#storage-status"), "已儲存在此瀏覽器的儲存空間(IndexedDB)", "#storage-status");
    expectEqual(await text(page, "#reset-storage"), "重設儲存空間", "#reset-storage");
    const hint = await text(page, "#view-panel .hint");
    if (!hasHan(hint)) throw new Error(`Calls hint: ${hint}`);
  });

  await check("zh-TW call details: labels in Chinese; the ARN, the error and the decision as AWS gives them", async () => {
    const row = page.locator('#calls .call-row[data-op="kms:Decrypt"][data-result="AccessDeniedException"]');
    await row.click();
    const details = page.locator(".call-details");
    await details.waitFor({ state: "visible", timeout: 5_000 });
    const labels = await details.locator(":scope > dl.meta > dt").allTextContents();
    expectEqual(labels.slice(0, 3).map((l) => l.trim()).join(","), "呼叫方,操作,時間", "call labels");
    expectEqual(((await details.locator(":scope > dl.meta > dd code").first().textContent()) ?? "").trim(), USER_ARN, "caller ARN");
    const headings = (await details.locator("h4").allTextContents()).map((h) => h.trim());
    for (const want of ["輸入", "錯誤", "授權(1)"]) {
      if (!headings.includes(want)) throw new Error(`call headings: ${headings.join(" | ")}`);
    }
    const error = (await details.locator(".call-error").textContent()) ?? "";
    expectIncludes(error, "AccessDeniedException", "call error");
    expectIncludes(error, USER_ARN, "call error");
    const authz = details.locator("details.authz").first();
    expectIncludes(await authz.locator(":scope > summary").textContent(), "kms:Decrypt", "authorization summary");
    expectEqual(((await authz.locator(".authz-body dl.meta dt").first().textContent()) ?? "").trim(), "決策", "Decision label");
    expectEqual(((await authz.locator(".decision-text").textContent()) ?? "").trim(), "ImplicitDeny", "decision");
    expectEqual(((await authz.locator("code.reason").first().textContent()) ?? "").trim(), "noIdentityPolicyAllows", "reason code");
    await row.click();
  });

  await check("zh-TW Keys & grants view: Chinese labels and chart; ARNs, states and grantees as they are", async () => {
    await page.click("#view-keys");
    await page.waitForSelector("#keys .card.key", { timeout: 5_000 });
    expectEqual(await text(page, "#chart-grants figcaption"), "每個金鑰的授予", "grants chart title");
    expectIncludes(await text(page, "#chart-grants .legend"), "有效(最終狀態中)", "grants chart legend");
    const card = page.locator("#keys .card.key").first();
    const arn = (await card.getAttribute("data-key")) ?? "";
    if (!/^arn:aws:kms:us-east-1:111122223333:key\//.test(arn)) throw new Error(`data-key: ${arn}`);
    const dts = (await card.locator("dl.meta dt").allTextContents()).map((t) => t.trim());
    expectEqual(dts[0], "ARN", "first label");
    for (const want of ["別名", "狀態", "管理者"]) {
      if (!dts.includes(want)) throw new Error(`key labels: ${dts.join(" | ")}`);
    }
    expectEqual(((await card.locator("dl.meta dd code").first().textContent()) ?? "").trim(), arn, "ARN");
    expectEqual(((await card.locator("h3 .state").textContent()) ?? "").trim(), "Enabled", "key state");
    // The seed's admin revoked Feature Store's grant: none is left.
    expectEqual(((await card.locator("h4").first().textContent()) ?? "").trim(), "授予(0)", "grants heading");
    expectEqual(((await card.locator("p.muted").first().textContent()) ?? "").trim(), "沒有授予。", "no grants");
    // Build → Grants (in Chinese too) appends a CreateGrant by the key's account root.
    await page.click("#build-grants > summary");
    expectEqual(await text(page, "#grant-create"), "建立授予", "#grant-create");
    await page.selectOption("#grant-grantee", "sagemaker.us-east-1.amazonaws.com");
    await page.click("#view-calls");
    const before = await page.locator("#calls > li").count();
    await page.click("#grant-create");
    await page.waitForFunction((n) => document.querySelectorAll("#calls > li").length === n + 1, before, { timeout: 10_000 });
    expectIncludes(await text(page, "#grant-form-status"), "已附加 kms:CreateGrant", "#grant-form-status");
    await page.click("#build-grants > summary");
    await page.click("#view-keys");
    expectEqual(((await card.locator("h4").first().textContent()) ?? "").trim(), "授予(1)", "grants heading");
    const headers = (await card.locator("table.grants thead th").allTextContents()).map((t) => t.trim());
    expectEqual(headers.join(","), "名稱,被授予者,操作,限制條件,淘汰主體,授予 ID,動作", "grant table headers");
    expectIncludes(await card.locator("table.grants tbody").textContent(), "sagemaker.us-east-1.amazonaws.com", "grantee");
    expectEqual(await text(page, "#key-disable-0"), "停用金鑰", "Disable key button");
    expectEqual(await card.locator('button[id^="grant-revoke-0-"]').first().textContent(), "撤銷", "Revoke button");
  });
  await page.screenshot({ path: path.join(artifacts, "lang-03b-zh-TW-keys.png"), fullPage: true });

  await check("zh-TW CloudTrail, KMS and Who-can-do-what views: our words in Chinese, AWS's and the engine's as they are", async () => {
    await page.click("#view-cloudtrail");
    await page.waitForSelector("#trail", { timeout: 5_000 });
    expectEqual(await text(page, 'label[for="trail-filter"]'), "篩選", "filter label");
    expectEqual(await page.getAttribute("#trail-filter", "placeholder"), "例如 Decrypt AccessDenied、featurestore-admin、s3", "filter placeholder");
    if (!/^\d+\/\d+ 個事件$/.test(await text(page, "#trail-count"))) throw new Error(`#trail-count: ${await text(page, "#trail-count")}`);
    expectEqual(await text(page, "#export-trail"), "匯出 JSON", "#export-trail");
    const heads = (await page.locator("#trail thead th").allTextContents()).map((t) => t.trim());
    expectEqual(heads.slice(0, 6).join(","), "時間,來源,eventName,使用者,invokedBy,errorCode", "trail headers");
    await page.fill("#trail-filter", "Decrypt AccessDenied");
    expectIncludes(await page.locator("#trail tbody tr.trail-row").first().textContent(), "AccessDenied", "filtered row");
    await page.fill("#trail-filter", "");

    await page.click("#view-kms");
    await page.waitForSelector("#chart-operations", { timeout: 5_000 });
    expectIncludes(await text(page, "#chart-operations figcaption"), "各操作的 KMS 請求", "chart title");
    expectIncludes(await page.getAttribute("#chart-operations svg", "aria-label"), "各操作的 KMS 請求", "chart aria-label");
    const cost = await text(page, "#cost-total");
    if (!cost.startsWith("總計 $") || !cost.includes("us-east-1")) throw new Error(`#cost-total: ${cost}`);

    await page.click("#view-access");
    await page.waitForSelector("#access-matrix", { timeout: 5_000 });
    const legend = await text(page, "#access-legend");
    for (const want of ["Allow", "ExplicitDeny", "ImplicitDeny", "允許", "沒有陳述式允許"]) expectIncludes(legend, want, "#access-legend");
    expectEqual(await text(page, "#access-matrix thead th.principal"), "主體", "principal header");
    // The columns are the engine's labels: not translated.
    const columns = await page.$$eval("#access-matrix thead th.op", (ths) => ths.map((t) => t.textContent.trim()));
    if (!columns.some((c) => c.startsWith("Decrypt (direct)"))) throw new Error(`columns: ${columns.join(" | ")}`);
    const cell = page.locator('#access-matrix tbody tr[data-principal$=":user/featurestore-user"] td[data-label^="Decrypt (direct)"] button.access-cell');
    expectIncludes(await cell.getAttribute("title"), "由 kms:Decrypt 決定", "cell title");
    await cell.click();
    const detail = await text(page, "#access-detail");
    for (const want of ["原因", "決定者", "AWS 訊息", "noIdentityPolicyAllows", "is not authorized to perform: kms:Decrypt"]) {
      expectIncludes(detail, want, "#access-detail");
    }
    await cell.click();
  });
  await page.screenshot({ path: path.join(artifacts, "lang-03c-zh-TW-access.png"), fullPage: true });

  await check("zh-TW Policies view: Chinese labels and buttons; data-kind, codes and policy text as they are", async () => {
    await page.click("#view-policies");
    await page.waitForSelector("#policies article.policy", { timeout: 5_000 });
    expectEqual(await text(page, "#rerun"), "以這些政策重新執行", "#rerun");
    const first = page.locator("#policies article.policy").first();
    expectEqual(await first.getAttribute("data-kind"), "key policy", "data-kind");
    expectEqual(((await first.locator(".kind").textContent()) ?? "").trim(), "金鑰政策", "kind");
    expectIncludes(await first.locator("label strong").textContent(), "的金鑰政策", "policy label");
    const diags = ((await page.textContent("#policy-0-diagnostics")) ?? "").replace(/\s+/g, " ");
    if (!/\d+:\d+ 警告 IneffectiveActionInKeyPolicy/.test(diags)) throw new Error(`diagnostics: ${diags.slice(0, 300)}`);
    await page.click("#view-calls");
  });

  await check("zh-TW console: labels and our messages in Chinese; the call's error code and ARNs as they are", async () => {
    expectEqual(await text(page, "#console h2"), "主控台", "console heading");
    expectEqual(await text(page, 'label[for="console-principal"]'), "呼叫身分", "Call as");
    expectEqual(await text(page, 'label[for="console-op"]'), "操作", "Operation");
    expectEqual(await text(page, "#console-send"), "傳送", "#console-send");
    expectEqual(await text(page, "#console-template"), "範本", "#console-template");
    expectEqual(await text(page, '#console-via option[value=""]'), "無(直接呼叫)", "direct option");
    expectEqual(await page.$eval("#console-principal", (s) => s.options[0]?.textContent?.trim()), USER_ARN, "caller option");
    expectIncludes(await page.textContent('label[for="console-input"]'), "${ID.path}", "input label");
    await page.fill("#console-input", "{ not json");
    await page.click("#console-send");
    const error = await text(page, "#console-error");
    if (!error.startsWith("輸入不是 JSON:")) throw new Error(`#console-error: ${error}`);
    await page.click("#console-template");
    const before = await page.locator("#calls > li").count();
    await page.click("#console-send");
    await page.waitForFunction((n) => document.querySelectorAll("#calls > li").length === n + 1, before, { timeout: 10_000 });
    const status = await text(page, "#console-status");
    // (The Build panel's CreateGrant above took the id console1.)
    if (!/^已附加為第 \d+ 個呼叫\(ID 為 (console\d+):之後的輸入可使用 \$\{\1\.…\}\)。$/.test(status)) {
      throw new Error(`#console-status: ${status}`);
    }
    expectIncludes(status, `已附加為第 ${before + 1} 個呼叫`, "#console-status");
    expectIncludes(await text(page, "#changes"), "自上次執行以來沒有呼叫的結果改變", "#changes");
    const last = page.locator("#calls > li").last();
    expectEqual(await last.locator(".call-row").getAttribute("data-result"), "AccessDeniedException", "console call result");
    expectIncludes(await last.locator(".call-error").textContent(), "AccessDeniedException", "console call error");
    expectIncludes(await last.locator(".call-error").textContent(), USER_ARN, "console call error");
  });
  await page.screenshot({ path: path.join(artifacts, "lang-03d-zh-TW-console.png"), fullPage: true });

  await check("zh-TW batch panel: labels and the validation message in Chinese", async () => {
    expectEqual(await text(page, "#batch h2"), "批次:大量 PutRecord", "batch heading");
    expectEqual(await page.getAttribute("#batch", "aria-label"), "批次", "batch aria-label");
    expectEqual(await text(page, 'label[for="batch-group"]'), "特徵群組", "group label");
    expectEqual(await text(page, 'label[for="batch-count"]'), "記錄數", "count label");
    expectEqual(await text(page, "#batch-start"), "執行批次", "#batch-start");
    expectEqual(await page.$eval("#batch-group", (s) => s.options[s.selectedIndex]?.textContent?.trim()), "orders", "feature group name");
    await page.fill("#batch-count", "0");
    await page.click("#batch-start");
    expectIncludes(await text(page, "#batch-error"), "記錄數必須是 1 到 50000 之間的整數", "#batch-error");
    await page.fill("#batch-count", "10000");
    await page.locator("#batch").screenshot({ path: path.join(artifacts, "lang-03e-zh-TW-batch.png") });
  });

  await check("zh-TW: the choice survives a reload (localStorage)", async () => {
    await page.reload({ waitUntil: "load" });
    await page.waitForSelector("#summary", { timeout: TIMEOUT });
    await expectHeader(page, ZH, "after reload");
    expectEqual(await page.getAttribute("html", "lang"), "zh-TW", "<html lang>");
    expectEqual(await page.getAttribute("#lang-zh-TW", "aria-pressed"), "true", "#lang-zh-TW pressed");
  });

  await check("zh-TW tour: claims quoted verbatim from the zh-TW page, English below, Run buttons in Chinese", async () => {
    await page.click("#tab-tour");
    await page.waitForSelector("#tour-steps", { timeout: 5_000 });
    const first = page.locator("#tour-steps .claim").first();
    expectEqual(await first.getAttribute("lang"), "zh-TW", "claim's lang");
    expectIncludes(await first.textContent(), ZH.firstClaim, "first claim");
    expectIncludes(await page.textContent('#tour-steps li[data-step="revoke"] .claim'), ZH.revokeClaim, "revoke claim");
    expectIncludes(
      await page.textContent('#tour-steps li[data-step="revoke"] .claim-original'),
      "if you revoke the grant on an active encrypted online store",
      "English original",
    );
    expectEqual(await text(page, "#tour-run-revoke"), ZH.run, "Run button");
  });
  await page.screenshot({ path: path.join(artifacts, "lang-04-zh-TW-tour.png"), fullPage: true });

  await check("zh-TW tour: Run still opens the GetRecord that fails with AccessForbidden", async () => {
    await page.click("#tour-run-revoke");
    await page.waitForSelector('#calls .call-row[aria-expanded="true"]', { timeout: 10_000 });
    const open = page.locator('#calls .call-row[aria-expanded="true"]');
    expectEqual(await open.getAttribute("data-result"), "AccessForbidden", "opened call's result");
    expectIncludes(await page.locator(".call-details .call-error").textContent(), "AccessForbidden", "call error");
    await open.click();
  });

  await check("zh-TW policy lab: labels in Chinese, the decision and the AWS message as they are", async () => {
    await page.click("#tab-policy-lab");
    await page.waitForSelector("#decision", { timeout: 5_000 });
    expectEqual(await text(page, 'label[for="key-policy"]'), "金鑰政策", "key policy label");
    expectEqual(await text(page, "#evaluate"), "評估", "Evaluate button");
    expectEqual(await text(page, "#decision"), "Allow", "#decision");
    await page.uncheck("#via-feature-store");
    await page.click("#evaluate");
    await page.waitForFunction(() => document.querySelector("#decision")?.textContent?.trim() === "ImplicitDeny", null, { timeout: 5_000 });
    expectIncludes(await page.textContent("#message"), "is not authorized to perform: kms:Decrypt", "#message");
    expectIncludes(await page.textContent("#determining"), "隱含拒絕", "#determining");
  });
  await page.screenshot({ path: path.join(artifacts, "lang-05-zh-TW-policy-lab.png"), fullPage: true });

  await check("dark mode: the switch is visible, with the pressed button on the accent colour", async () => {
    await page.emulateMedia({ colorScheme: "dark" });
    const colours = await page.$eval("#lang-zh-TW", (b) => {
      const s = getComputedStyle(b);
      return { bg: s.backgroundColor, fg: s.color };
    });
    if (colours.bg === colours.fg) throw new Error(`pressed button: ${JSON.stringify(colours)}`);
    await page.focus("#lang-en");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Shift+Tab");
    const outline = await page.$eval("#lang-en", (b) => getComputedStyle(b).outlineStyle);
    expectEqual(outline, "solid", "focus outline of #lang-en");
    await page.locator("header").screenshot({ path: path.join(artifacts, "lang-06-switch-dark.png") });
    await page.emulateMedia({ colorScheme: "light" });
  });

  await check("switching back to English restores the English header and saves en", async () => {
    await page.click("#lang-en");
    await expectHeader(page, EN, "back to English");
    expectEqual(await page.getAttribute("html", "lang"), "en", "<html lang>");
    expectEqual(await page.evaluate(() => localStorage.getItem("kmslab.lang")), "en", "saved language");
    expectEqual(await text(page, 'label[for="key-policy"]'), "Key policy", "key policy label");
  });

  await check("English again: view tabs, summary line, Keys & grants, console and batch panel in English", async () => {
    await page.click("#tab-scenario");
    await page.waitForSelector("#summary", { timeout: TIMEOUT });
    for (const [slug, label] of Object.entries(EN_VIEWS)) {
      expectEqual(await text(page, `#view-${slug}`), label, `#view-${slug}`);
    }
    if (!SUMMARY_EN.test(await text(page, "#summary"))) throw new Error(`#summary: ${await text(page, "#summary")}`);
    expectEqual(await text(page, "#console h2"), "Console", "console heading");
    expectEqual(await text(page, "#batch-start"), "Run batch", "#batch-start");
    await page.click("#view-keys");
    expectEqual(await text(page, "#chart-grants figcaption"), "Grants per key", "grants chart title");
    if (hasHan(await text(page, "#view-panel"))) throw new Error("Chinese in the English Keys & grants view");
    if (hasHan(await text(page, "#batch")) || hasHan(await text(page, "#console"))) throw new Error("Chinese in the English console or batch panel");
    await page.click("#view-calls");
  });

  await check("the English boot message, then the English WebAssembly-failed message", async () => {
    await bootAndFallback(page, baseUrl, "en");
  });
  await page.screenshot({ path: path.join(artifacts, "lang-07-fallback-en.png") });

  await check("no console errors in the English profile (the held-back .wasm page aside)", async () => {
    const errors = en.errors.filter((e) => !/ERR_FAILED|\.wasm|WebAssembly|Failed to fetch|failed to load/i.test(e));
    if (errors.length > 0) throw new Error(errors.join("\n"));
  });
  await en.close();

  // ---- ?lang=zh-TW on a fresh profile ----
  const fresh = await newProfile();
  opened.push(fresh);
  await check("?lang=zh-TW on a fresh profile opens in Chinese (without saving a choice)", async () => {
    const p = fresh.page;
    await p.goto(`${baseUrl}?lang=zh-TW`, { waitUntil: "load" });
    await p.waitForSelector("#summary", { timeout: TIMEOUT });
    await expectHeader(p, ZH, "?lang=zh-TW");
    expectEqual(await p.getAttribute("html", "lang"), "zh-TW", "<html lang>");
    expectEqual(await p.evaluate(() => localStorage.getItem("kmslab.lang")), null, "saved language");
    expectEqual(await p.getAttribute("#lang-zh-TW", "aria-pressed"), "true", "#lang-zh-TW pressed");
  });
  await fresh.page.screenshot({ path: path.join(artifacts, "lang-08-query.png") });

  await check("the switch replaces ?lang= in the URL, so a reload keeps the new choice", async () => {
    const p = fresh.page;
    await p.click("#lang-en");
    await expectHeader(p, EN, "English after ?lang=zh-TW");
    expectEqual(new URL(p.url()).searchParams.get("lang"), "en", "?lang= after the switch");
    await p.reload({ waitUntil: "load" });
    await p.waitForSelector("#summary", { timeout: TIMEOUT });
    await expectHeader(p, EN, "reload");
  });

  await check("embed page: ?embed&lang=zh-TW renders Chinese, AWS error codes as they are", async () => {
    const ep = await fresh.context.newPage();
    try {
      await ep.goto(`${origin}/?embed&lang=zh-TW`, { waitUntil: "load" });
      await ep.waitForSelector("#embed #summary", { timeout: TIMEOUT });
      expectEqual(await ep.getAttribute("html", "lang"), "zh-TW", "<html lang>");
      expectEqual(await text(ep, "#open-in-playground"), ZH.openInPlayground, "Open in playground");
      expectIncludes(await ep.getAttribute("#open-in-playground", "href"), "?lang=zh-TW", "Open in playground link");
      expectIncludes(await ep.textContent("#local-note"), ZH.local, "#local-note");
      expectEqual(await ep.locator("#lang-switch").count(), 0, "language switch on the embed page");
      const row = ep.locator('#calls .call-row[data-op="kms:Decrypt"][data-result="AccessDeniedException"]').first();
      expectIncludes(await row.textContent(), "AccessDeniedException", "call row");
      await ep.setViewportSize({ width: 800, height: 700 });
      await ep.screenshot({ path: path.join(artifacts, "lang-09-embed-zh-TW.png"), fullPage: true });
    } finally {
      await ep.close();
    }
  });

  await check("embed page: a damaged share link's error is in Chinese", async () => {
    const ep = await fresh.context.newPage();
    try {
      await ep.goto(`${origin}/?embed&lang=zh-TW#s=1.0.1.!!!!`, { waitUntil: "load" });
      await ep.waitForSelector("#share-error", { timeout: TIMEOUT });
      const error = await text(ep, "#share-error");
      expectIncludes(error, "無法開啟此分享連結", "#share-error");
      expectIncludes(error, "已損毀", "#share-error");
    } finally {
      await ep.close();
    }
  });
  if (fresh.errors.length > 0) {
    await check("no console errors in the ?lang=zh-TW profile", async () => {
      throw new Error(fresh.errors.join("\n"));
    });
  }
  await fresh.close();

  // ---- The Chinese texts can't be fetched: the page opens in English and says why ----
  const offline = await newProfile();
  opened.push(offline);
  await check("?lang=zh-TW when i18n/zh-TW.json can't be fetched: English, and the switch says why", async () => {
    const p = offline.page;
    await p.route("**/i18n/zh-TW.json*", (route) => route.fulfill({ status: 404, body: "not here" }));
    await p.goto(`${baseUrl}?lang=zh-TW`, { waitUntil: "load" });
    await p.waitForSelector("#summary", { timeout: TIMEOUT });
    await expectHeader(p, EN, "English fallback");
    expectEqual(await p.getAttribute("#lang-en", "aria-pressed"), "true", "#lang-en pressed");
    const error = await text(p, "#lang-error");
    expectIncludes(error, "繁體中文 could not be loaded / 無法載入繁體中文", "#lang-error");
    expectIncludes(error, "404", "#lang-error");
    expectEqual(await p.getAttribute("#lang-error", "role"), "alert", "#lang-error role");
    // Once the file can be fetched, the switch works.
    await p.unroute("**/i18n/zh-TW.json*");
    await p.click("#lang-zh-TW");
    await expectHeader(p, ZH, "zh-TW after the retry");
    expectEqual(await p.isVisible("#lang-error"), false, "#lang-error after the retry");
  });
  await offline.page.screenshot({ path: path.join(artifacts, "lang-11-texts-missing.png") });
  await offline.close();

  // ---- A zh-TW browser: Chinese from navigator.languages, and the boot/fallback messages ----
  const zh = await newProfile({ locale: "zh-TW" });
  opened.push(zh);
  await check("a zh-TW browser opens in Chinese", async () => {
    const p = zh.page;
    await p.goto(baseUrl, { waitUntil: "load" });
    await p.waitForSelector("#summary", { timeout: TIMEOUT });
    expectEqual(await p.evaluate(() => navigator.language), "zh-TW", "navigator.language");
    await expectHeader(p, ZH, "zh-TW browser");
    expectEqual(await p.getAttribute("html", "lang"), "zh-TW", "<html lang>");
  });
  await check("a zh-TW browser: the boot message, then the WebAssembly-failed message, in Chinese", async () => {
    await bootAndFallback(zh.page, baseUrl, "zh-TW");
  });
  await zh.page.screenshot({ path: path.join(artifacts, "lang-10-fallback-zh-TW.png") });
  await zh.close();
} catch (err) {
  harnessFailed(err);
} finally {
  for (const p of opened) await p.close();
}

finish();
