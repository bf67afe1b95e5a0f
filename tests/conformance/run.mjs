// Conformance of kmslab with @cloud-copilot/iam-simulate: the same generated questions through both engines.
//
//   node tests/conformance/run.mjs [--n 5000] [--seed 1] [--bin target/release/examples/answer_jsonl]
//                                  [--out tests/artifacts/conformance] [--known tests/conformance/known.json]
//
// (scripts/conformance.sh builds the kmslab side and runs this.) Prints the agreement (count and %), a
// per-feature breakdown and every class of difference; writes every disagreement (the question, both answers,
// both explanations, the known difference it belongs to) to OUT/disagreements.json and a summary to
// OUT/summary.json. Exits 1 when a disagreement is not listed in known.json (or when either engine can't
// answer a generated question), else 0.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { generate, toKmslab, toIamSimulate } from "./generate.mjs";
import { computeFacts, matches, NEUTRALIZERS } from "./classify.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : dflt;
}

const N = Number(arg("n", process.env.CONFORMANCE_N ?? 5000));
const SEED = arg("seed", process.env.CONFORMANCE_SEED ?? "1");
const BIN = path.resolve(root, arg("bin", "target/release/examples/answer_jsonl"));
const OUT = path.resolve(root, arg("out", "tests/artifacts/conformance"));
const KNOWN = path.resolve(root, arg("known", "tests/conformance/known.json"));

const MAX_ROUNDS = 3;
const DECISION = { Allow: "Allowed", ExplicitDeny: "ExplicitlyDenied", ImplicitDeny: "ImplicitlyDenied" };

/** Asks kmslab every question at once through the answer_jsonl example; returns parsed answers in order. */
function askKmslab(questions) {
  if (!existsSync(BIN)) {
    throw new Error(`${BIN} is missing: cargo build --release -p kmslab-core --example answer_jsonl`);
  }
  const input = questions.map((q) => JSON.stringify(q)).join("\n") + "\n";
  const res = spawnSync(BIN, [], { input, maxBuffer: 1 << 30, encoding: "utf8" });
  if (res.status !== 0) throw new Error(`answer_jsonl failed (${res.status}): ${res.stderr}`);
  const lines = res.stdout.split("\n");
  return questions.map((_, i) => JSON.parse(lines[i]));
}

function kmslabDecision(a) {
  if (a.error) return `error:${a.error.code}`;
  if (a.errors && a.errors.length) return "error:invalidPolicy";
  if (a.reason === "invalidRequest") return "error:invalidRequest";
  return DECISION[a.decision] ?? `unknown:${a.decision}`;
}

function iamDecision(r) {
  if (r.resultType === "error") return `error:${r.errors?.message ?? "unknown"}`;
  return r.overallResult;
}

async function simulate(c) {
  try {
    return await runSimulation(toIamSimulate(c), {});
  } catch (e) {
    return { resultType: "error", errors: { message: `exception: ${e.message}` } };
  }
}

function neutralize(c, classes) {
  let n = c;
  for (const k of classes) {
    for (const name of [k.neutralize].flat()) {
      const fn = NEUTRALIZERS[name];
      if (!fn) throw new Error(`known.json: class ${k.id} names an unknown neutralizer ${name}`);
      n = fn(n);
    }
  }
  return n;
}

function pct(a, b) {
  return b ? ((100 * a) / b).toFixed(2) : "—";
}

async function main() {
  const known = JSON.parse(readFileSync(KNOWN, "utf8")).differences;
  const t0 = performance.now();
  const cases = generate(N, SEED);
  const tGen = performance.now();

  const kAnswers = askKmslab(cases.map((c) => toKmslab(c)));
  const tK = performance.now();

  const iAnswers = [];
  for (const c of cases) iAnswers.push(await simulate(c));
  const tI = performance.now();

  // The generator gives only keys iam-simulate keeps, except kms:EncryptionContext:<key> (a known difference).
  const dropped = new Map();
  for (const r of iAnswers) {
    for (const k of r.result?.ignoredContextKeys ?? []) {
      if (!k.toLowerCase().startsWith("kms:encryptioncontext:")) dropped.set(k, (dropped.get(k) ?? 0) + 1);
    }
  }

  // Compare
  const rows = cases.map((c, i) => ({ c, k: kAnswers[i], i: iAnswers[i], kd: kmslabDecision(kAnswers[i]), id: iamDecision(iAnswers[i]) }));
  const disagreements = rows.filter((r) => r.kd !== r.id);

  // Explanations for the disagreements: kmslab again with its trace; then the facts, the known classes, and
  // their confirmation by neutralizing (classify.mjs): rewrite the case without a class's construct and ask both
  // engines again. Each round tries every matching class alone (the first that makes the engines agree is the
  // cause), then all of them together; when they still differ, the next round looks at the rewritten case
  // (one difference can hide another). At most MAX_ROUNDS rounds.
  const explained = disagreements.length ? askKmslab(disagreements.map((d) => toKmslab(d.c, { explain: true }))) : [];
  const state = disagreements.map((d, j) => ({
    cur: { c: d.c, kd: d.kd, id: d.id, i: d.i, k: explained[j] },
    applied: [],
    rounds: [],
    status: null,
    primary: null,
    firstFacts: null,
    firstMatched: null,
  }));
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const open = state.filter((s) => !s.status);
    if (!open.length) break;
    const variants = [];
    for (const s of open) {
      const facts = computeFacts(s.cur, s.cur.k);
      const cls = known.filter((k) => matches(k.when, facts) && !s.applied.includes(k.id));
      if (round === 0) {
        s.firstFacts = facts;
        s.firstMatched = cls;
      }
      s.matched = cls;
      if (!cls.length) {
        s.status = round === 0 ? "unlisted" : "unexplained";
        continue;
      }
      const withN = cls.filter((k) => k.neutralize);
      for (const k of withN) variants.push({ s, classes: [k], c: neutralize(s.cur.c, [k]) });
      if (withN.length > 1) variants.push({ s, classes: withN, c: neutralize(s.cur.c, withN) });
      if (!withN.length) {
        s.status = "attributed";
        s.primary = [...s.applied, ...cls.map((k) => k.id)].join(" + ");
      }
    }
    const vk = variants.length ? askKmslab(variants.map((v) => toKmslab(v.c, { explain: true }))) : [];
    for (const [n, v] of variants.entries()) {
      v.k = vk[n];
      v.kd = kmslabDecision(vk[n]);
      v.i = await simulate(v.c);
      v.id = iamDecision(v.i);
      v.s.rounds.push({ round, classes: v.classes.map((k) => k.id), kmslab: v.kd, iamSimulate: v.id });
    }
    for (const s of open) {
      if (s.status) continue;
      const mine = variants.filter((v) => v.s === s);
      const single = mine.find((v) => v.classes.length === 1 && v.kd === v.id);
      const together = mine.find((v) => v.classes.length > 1 && v.kd === v.id);
      const fix = single ?? together;
      if (fix) {
        s.status = "confirmed";
        s.primary = [...s.applied, ...fix.classes.map((k) => k.id)].join(" + ");
        continue;
      }
      if (s.matched.some((k) => !k.neutralize)) {
        s.status = "attributed";
        s.primary = [...s.applied, ...s.matched.filter((k) => !k.neutralize).map((k) => k.id)].join(" + ");
        continue;
      }
      const all = together ?? mine[0];
      s.applied.push(...all.classes.map((k) => k.id));
      s.cur = { c: all.c, kd: all.kd, id: all.id, i: all.i, k: all.k };
    }
  }
  for (const s of state) if (!s.status) s.status = "unexplained";

  const byClass = new Map();
  const unlisted = [];
  const verdicts = { confirmed: 0, attributed: 0 };
  const records = disagreements.map((d, j) => {
    const s = state[j];
    if (s.status === "confirmed") verdicts.confirmed++;
    if (s.status === "attributed") verdicts.attributed++;
    const rec = {
      id: d.c.id,
      status: s.status,
      class: s.primary,
      matchingClasses: s.firstMatched.map((k) => k.id),
      neutralized: s.rounds,
      kmslab: d.kd,
      iamSimulate: d.id,
      facts: s.firstFacts.list,
      case: { ...d.c, features: undefined },
      kmslabAnswer: explained[j],
      iamSimulateAnswer: d.i,
    };
    if (s.status === "unlisted" || s.status === "unexplained") unlisted.push(rec);
    const key = s.primary ?? `(${s.status})`;
    byClass.set(key, (byClass.get(key) ?? 0) + 1);
    return rec;
  });

  // Per-feature agreement
  const perFeature = new Map();
  for (const r of rows) {
    for (const f of r.c.features) {
      const e = perFeature.get(f) ?? { n: 0, agree: 0 };
      e.n++;
      if (r.kd === r.id) e.agree++;
      perFeature.set(f, e);
    }
  }
  const decisions = {};
  for (const r of rows) decisions[r.kd] = (decisions[r.kd] ?? 0) + 1;

  const agree = rows.length - disagreements.length;
  const summary = {
    n: N,
    seed: SEED,
    iamSimulateVersion: JSON.parse(readFileSync(path.join(root, "node_modules/@cloud-copilot/iam-simulate/package.json"), "utf8")).version,
    agree,
    disagree: disagreements.length,
    agreementPercent: Number(pct(agree, rows.length)),
    unlisted: unlisted.length,
    confirmedByNeutralizing: verdicts.confirmed,
    attributedWithoutNeutralizer: verdicts.attributed,
    kmslabDecisions: decisions,
    classes: Object.fromEntries([...byClass.entries()].sort((a, b) => b[1] - a[1])),
    perFeature: Object.fromEntries([...perFeature.entries()].sort().map(([f, e]) => [f, { ...e, percent: Number(pct(e.agree, e.n)) }])),
    timingsMs: {
      generate: Math.round(tGen - t0),
      kmslab: Math.round(tK - tGen),
      iamSimulate: Math.round(tI - tK),
    },
  };

  mkdirSync(OUT, { recursive: true });
  writeFileSync(path.join(OUT, "disagreements.json"), JSON.stringify(records, null, 2) + "\n");
  writeFileSync(path.join(OUT, "summary.json"), JSON.stringify(summary, null, 2) + "\n");

  // Report
  const log = (s = "") => process.stdout.write(s + "\n");
  log(`conformance: kmslab vs @cloud-copilot/iam-simulate ${summary.iamSimulateVersion}, N=${N}, seed=${SEED}`);
  log(`  kmslab decisions: ${Object.entries(decisions).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  log(`  agreement: ${agree}/${rows.length} (${pct(agree, rows.length)} %)`);
  log(`  time: generate ${summary.timingsMs.generate} ms, kmslab ${summary.timingsMs.kmslab} ms (all questions, one process), iam-simulate ${summary.timingsMs.iamSimulate} ms`);
  log();
  log("  per feature (questions exercising it: agreement):");
  const feats = [...perFeature.entries()].sort((a, b) => a[1].agree / a[1].n - b[1].agree / b[1].n || a[0].localeCompare(b[0]));
  for (const [f, e] of feats) log(`    ${f.padEnd(40)} ${String(e.agree).padStart(5)}/${String(e.n).padEnd(5)} ${pct(e.agree, e.n).padStart(6)} %`);
  log();
  log(`  differences by class (known.json): ${verdicts.confirmed} confirmed by neutralizing the construct, ${verdicts.attributed} attributed by their facts`);
  for (const [k, v] of [...byClass.entries()].sort((a, b) => b[1] - a[1])) log(`    ${String(v).padStart(5)}  ${k}`);
  log();
  log(`  every disagreement: ${path.relative(root, path.join(OUT, "disagreements.json"))}`);
  if (dropped.size) {
    log();
    log(`FAIL: iam-simulate dropped context keys the generator should not give: ${[...dropped].map(([k, n]) => `${k} (${n})`).join(", ")}`);
    process.exitCode = 1;
  }
  if (unlisted.length) {
    log();
    log(`FAIL: ${unlisted.length} disagreement(s) not listed in ${path.relative(root, KNOWN)}; the first:`);
    for (const u of unlisted.slice(0, 3)) {
      log(`  case ${u.id} (${u.status}${u.matchingClasses.length ? ": " + u.matchingClasses.join(", ") : ""}): kmslab ${u.kmslab} (${u.kmslabAnswer.reason}), iam-simulate ${u.iamSimulate}`);
      log(`    facts: ${u.facts.filter((f) => !f.includes(":") || f.startsWith("fact:") || f.startsWith("iamSimulate:") || f.startsWith("kmslabReason:")).join(", ")}`);
      log(`    ${JSON.stringify(u.case)}`);
    }
    process.exitCode = 1;
  } else {
    log("  every disagreement is a known difference (docs/conformance.md)");
  }
}

await main();
