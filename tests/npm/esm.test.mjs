// The npm package as an ES module in Node (`import … from "kmslab"`), installed from its tarball.
// Run by scripts/npm-tests.sh in a temporary project; KMSLAB_REPO is the repository (for its fixtures).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { inflateRawSync } from "node:zlib";
import { join } from "node:path";

import {
  evaluate,
  PolicySet,
  Scenario,
  validatePolicy,
  runScenario,
  shareFragment,
  playgroundLink,
  embedLink,
  decodeShareLink,
  engineVersion,
  version,
} from "kmslab";
import * as kmslab from "kmslab";

const repo = process.env.KMSLAB_REPO;
assert.ok(repo, "KMSLAB_REPO must name the repository");
const fixture = (p) => readFileSync(join(repo, p), "utf8");

const KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const USER = "arn:aws:iam::111122223333:user/featurestore-user";
const seed = fixture("tests/scenarios/seed.json");
// The seed page's key policy, its root statement corrected to the key's account (as in the seed scenario).
const seedKeyPolicy = JSON.parse(seed).keys[0].policy;

/** Calls `f`, which must throw a KmslabError with `code`; returns it. */
function throwsKmslab(f, code) {
  let thrown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown !== undefined, `expected a KmslabError ${code}, nothing was thrown`);
  assert.ok(thrown instanceof Error, `not an Error: ${thrown}`);
  assert.equal(thrown.name, "KmslabError", `${thrown.name}: ${thrown.message}`);
  assert.equal(thrown.code, code, thrown.message);
  assert.equal(typeof thrown.message, "string");
  assert.ok(thrown.message.length > 0);
  return thrown;
}

test("the ESM entry exports the whole API and the version", () => {
  for (const name of ["evaluate", "PolicySet", "Scenario", "validatePolicy", "runScenario", "shareFragment",
    "playgroundLink", "embedLink", "decodeShareLink", "engineVersion", "version"]) {
    assert.ok(name in kmslab, `missing export ${name}`);
  }
  const pkg = createRequire(import.meta.url)("kmslab/package.json");
  assert.equal(version, pkg.version);
  assert.equal(engineVersion(), version);
  assert.match(version, /^\d+\.\d+\.\d+/);
});

test("evaluate answers a question given as an object or as JSON text, the same way", () => {
  const question = {
    // A fixed aws:CurrentTime: the trace lists the context, and the clock may tick between two calls.
    request: { principal: USER, action: "kms:Decrypt", resource: KEY,
      context: { "kms:ViaService": "sagemaker.us-east-1.amazonaws.com", "aws:CurrentTime": "2026-01-01T00:00:00Z", "aws:EpochTime": "1767225600" } },
    resourcePolicy: seedKeyPolicy,
  };
  const a = evaluate(question);
  assert.equal(a.decision, "Allow");
  assert.equal(a.reason, "allowedByResourcePolicy");
  assert.equal(a.message, null);
  assert.ok(a.trace.policyTypes.length > 0);
  const b = evaluate(JSON.stringify(question));
  assert.deepEqual(b, a);
  const quiet = evaluate({ ...question, explain: false });
  assert.equal(quiet.trace, undefined);
  assert.equal(quiet.decision, "Allow");
});

test("PolicySet: the seed key policy allows Decrypt through Feature Store and not directly", () => {
  const set = new PolicySet({
    resourcePolicy: seedKeyPolicy,
    identityPolicies: [JSON.parse(seed).principals[0].policies[0]],
  });
  assert.equal(set.valid, true);
  assert.deepEqual(set.errors, []);
  const viaFeatureStore = set.decide({ principal: USER, action: "kms:Decrypt", resource: KEY,
    context: { "kms:ViaService": "sagemaker.us-east-1.amazonaws.com" } });
  assert.equal(viaFeatureStore.decision, "Allow");
  assert.equal(viaFeatureStore.determining[0].policy, "resourcePolicy");
  const direct = set.decide({ principal: USER, action: "kms:Decrypt", resource: KEY });
  assert.equal(direct.decision, "ImplicitDeny");
  assert.match(direct.message, /because no identity-based policy allows the kms:Decrypt action/);
  assert.deepEqual(direct.missingContextKeys, ["kms:ViaService"]);
  // The same answers as evaluate() on the same question, but for the policies' warnings: the set
  // has them once (decide doesn't copy them into every answer).
  for (const request of [{ principal: USER, action: "kms:Decrypt", resource: KEY }]) {
    const q = evaluate({ request, resourcePolicy: seedKeyPolicy,
      identityPolicies: [JSON.parse(seed).principals[0].policies[0]] });
    assert.ok(q.warnings.length > 0, "the seed key policy has validator warnings");
    assert.deepEqual(set.warnings, q.warnings);
    assert.deepEqual(set.decide(request), { ...q, warnings: [] });
    assert.deepEqual(set.decide(JSON.stringify(request)), { ...q, warnings: [] });
  }
});

test("PolicySet.decide without a trace: the answer evaluate gives, member for member, in the same order", () => {
  // decide builds these answers as objects directly (no JSON text in between); evaluate goes through JSON.
  // The benchmark's questions cover Allow (resource and identity policies), ImplicitDeny with and without
  // missing context keys, and ExplicitDeny; then a request the engine refuses (an error in the answer).
  const bench = JSON.parse(fixture("tests/bench/questions.json"));
  const sets = new Map(bench.sets.map((s) => [s.id, new PolicySet(s.policies)]));
  const asked = [
    ...bench.questions.map((q) => ({ policies: bench.sets.find((s) => s.id === q.set).policies, request: q.request })),
    { policies: bench.sets[0].policies, request: { principal: "nobody", action: "kms:Decrypt", resource: KEY } },
  ];
  const seen = new Set();
  for (const [i, { policies, request }] of asked.entries()) {
    const set = i < bench.questions.length ? sets.get(bench.questions[i].set) : new PolicySet(policies);
    const expected = { ...evaluate({ ...policies, request, explain: false }), warnings: [] };
    const got = set.decide(request, { explain: false });
    assert.equal(JSON.stringify(got), JSON.stringify(expected), `question ${i}`);
    assert.deepEqual(set.decideBatch([request, request], { explain: false }), [expected, expected]);
    seen.add(got.decision);
    // The determining statements are the set's own frozen objects, shared by every answer that names them.
    for (const [j, d] of got.determining.entries()) {
      assert.ok(Object.isFrozen(d) && (!d.span || Object.isFrozen(d.span.start)), `question ${i}: frozen`);
      assert.equal(set.decide(request, { explain: false }).determining[j], d);
      assert.throws(() => { d.sid = "changed"; }, TypeError);
    }
    // The answer itself is the caller's.
    got.decision = "mine";
    assert.equal(set.decide(request, { explain: false }).decision, expected.decision);
  }
  assert.deepEqual([...seen].sort(), ["Allow", "ExplicitDeny", "ImplicitDeny"]);
});

test("PolicySet.decide reads any text: non-ASCII, a lone surrogate, past 64 KiB, after the memory grows", () => {
  // decide copies a request's JSON text into a buffer with TextEncoder.encodeInto (reused and grown as
  // needed up to 64 KiB; a buffer of its own beyond): the text must read as any other string the package
  // reads, and the answers must be evaluate's.
  const name = "héllo 🎉 世界";
  const policies = { identityPolicies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow",
    Action: "s3:GetObject", Resource: "*",
    Condition: { StringEquals: { "app:name": name, "app:lone": "\uFFFD" } } }] }] };
  const set = new PolicySet(policies);
  const request = (context) => ({ principal: USER, action: "s3:GetObject", resource: "arn:aws:s3:::b/k", context });
  const check = (context, decision, what) => {
    const expected = { ...evaluate({ ...policies, request: request(context), explain: false }), warnings: [] };
    assert.equal(expected.decision, decision, what);
    for (const r of [request(context), JSON.stringify(request(context))]) {
      assert.deepEqual(set.decide(r, { explain: false }), expected, `${what} (${typeof r})`);
    }
  };
  check({ "app:name": name, "app:lone": "\uFFFD" }, "Allow", "non-ASCII");
  check({ "app:name": "hello", "app:lone": "\uFFFD" }, "ImplicitDeny", "a different value");
  // A lone surrogate in text given as such reads as U+FFFD, as TextEncoder writes it.
  const lone = `{"principal":"${USER}","action":"s3:GetObject","resource":"arn:aws:s3:::b/k",` +
    `"context":{"app:name":"${name}","app:lone":"\ud800"}}`;
  assert.equal(set.decide(lone, { explain: false }).decision, "Allow");
  // The reused buffer grows (from 1 KiB): 5,000 two-byte characters (15,000 bytes at most).
  check({ "app:name": name, "app:lone": "\uFFFD", "app:pad": "é".repeat(5_000) }, "Allow", "a larger buffer");
  // Past the reused buffer: 30,000 two-byte characters (90,000 bytes at most).
  check({ "app:name": name, "app:lone": "\uFFFD", "app:pad": "é".repeat(30_000) }, "Allow", "past 64 KiB");
  // 4 MB of text (a 12 MB buffer) grows the WebAssembly memory, which detaches the reused buffer's view; the
  // next small request still reads right.
  check({ "app:name": name, "app:lone": "\uFFFD", "app:pad": "x".repeat(4_000_000) }, "Allow", "4 MB");
  check({ "app:name": name, "app:lone": "\uFFFD" }, "Allow", "after the memory grew");
  check({ "app:name": "hello" }, "ImplicitDeny", "after the memory grew, a different value");
});

test("PolicySet.decideBatch decides 1,000 requests in one call, in order", () => {
  const set = new PolicySet({ resourcePolicy: seedKeyPolicy, explain: false });
  const requests = Array.from({ length: 1000 }, (_, i) => ({
    principal: USER,
    action: i % 2 === 0 ? "kms:Decrypt" : "kms:ScheduleKeyDeletion",
    resource: KEY,
    context: { "kms:ViaService": "sagemaker.us-east-1.amazonaws.com", "aws:SourceIp": `10.0.${i >> 8}.${i & 255}` },
  }));
  const started = performance.now();
  const answers = set.decideBatch(requests);
  const ms = performance.now() - started;
  assert.equal(answers.length, 1000);
  answers.forEach((a, i) => {
    assert.equal(a.decision, i % 2 === 0 ? "Allow" : "ImplicitDeny", `request ${i}`);
    assert.equal(a.trace, undefined);
  });
  // With explain on per call, traces come back.
  const traced = set.decideBatch(requests.slice(0, 3), { explain: true });
  assert.ok(traced.every((a) => a.trace !== undefined));
  // Each single decide agrees with the batch.
  assert.deepEqual(set.decide(requests[1]), answers[1]);
  console.log(`# decideBatch: 1,000 requests in ${ms.toFixed(1)} ms`);
});

test("PolicySet reads a resource policy as a key policy for KMS keys only, unless told", () => {
  // A key policy statement with no Resource is accepted by KMS (a warning), an error elsewhere.
  const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kms:*" }] });
  const both = new PolicySet({ resourcePolicy: policy });
  assert.equal(both.valid, false, "under the plain resource-policy reading, a missing Resource is an error");
  const asKey = new PolicySet({ resourcePolicy: policy, keyPolicy: true });
  assert.equal(asKey.valid, true, JSON.stringify(asKey.errors));
  const request = { principal: USER, action: "kms:DescribeKey", resource: KEY };
  assert.deepEqual(both.decide(request), { ...evaluate({ request, resourcePolicy: policy }), warnings: [] });
});

test("validatePolicy gives errors and warnings with line and column", () => {
  const text = '{\n  "Version": "2012-10-17",\n  "Statement": {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*", "Effect": "Deny"}\n}';
  const v = validatePolicy(text);
  assert.equal(v.valid, false);
  assert.equal(v.errors[0].kind, "duplicateKey");
  assert.equal(v.errors[0].line, 3);
  assert.ok(v.errors[0].column > 1);
  assert.equal(v.errors[0].code, "MalformedPolicyDocumentException");
  const key = validatePolicy(seedKeyPolicy, "keyPolicy");
  assert.equal(key.valid, true, JSON.stringify(key.errors));
  const asIdentity = validatePolicy(seedKeyPolicy, "identity");
  assert.ok(asIdentity.errors.some((e) => e.kind === "principalNotAllowed"));
  const warn = validatePolicy({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
  assert.equal(warn.valid, true);
  assert.ok(warn.warnings.some((w) => w.code === "MissingVersion"));
  throwsKmslab(() => validatePolicy("{}", "bucket"), "InvalidArgument");
});

test("every scenario in tests/scenarios runs with all its expectations met", () => {
  const dir = join(repo, "tests/scenarios");
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
  assert.ok(files.length >= 9);
  for (const f of files) {
    const run = runScenario(readFileSync(join(dir, f), "utf8"));
    assert.ok(run.expectations.checked > 0, `${f}: no expectations`);
    const failures = run.calls.filter((c) => c.expectation && !c.expectation.passed)
      .map((c) => `${c.index} ${c.op}: ${c.expectation.failures.join("; ")}`);
    assert.deepEqual(failures, [], f);
    assert.equal(run.expectations.failed, 0, f);
  }
});

test("Scenario: the seed scenario gives 9/9 expectations, traces, CloudTrail, slices and export", () => {
  const s = Scenario.load(seed);
  assert.equal(s.name, "Seed: Feature Store with a customer managed key");
  const run = s.run();
  assert.deepEqual(run.expectations, { checked: 9, passed: 9, failed: 0 });
  assert.equal(run.calls.length, 9);
  assert.equal(run.engineVersion, version);
  const direct = run.calls.findIndex((c) => c.op === "kms:Decrypt" && c.error);
  assert.ok(direct > 0);
  const auth = s.trace(direct);
  assert.equal(auth[0].answer.decision, "ImplicitDeny");
  assert.ok(auth[0].answer.trace.policyTypes.length > 0);
  assert.deepEqual(s.trace("create"), run.calls[0].authorizations);
  throwsKmslab(() => s.trace(99), "InvalidArgument");
  throwsKmslab(() => s.trace("no-such-call"), "InvalidArgument");
  const records = s.cloudTrail().Records;
  assert.ok(records.length > 5);
  assert.ok(records.some((r) => r.eventName === "Decrypt" && r.errorCode === "AccessDenied"));
  assert.deepEqual(s.kmsRequests(), run.kmsRequests);
  assert.equal(typeof s.cost().total, "string");
  assert.deepEqual(s.calls(), run.calls);
  // A seeded scenario is deterministic: the same result again, and in slices of any size.
  assert.deepEqual(s.run(), run);
  const sliced = Scenario.load(seed);
  let progress;
  let slices = 0;
  do {
    progress = sliced.advance(2);
    slices += 1;
  } while (!progress.finished);
  assert.ok(slices >= 5);
  assert.equal(progress.callsDone, 9);
  assert.deepEqual(sliced.result(), run);
  // export() is the document as loaded; addCall appends and runs.
  assert.equal(s.export(), seed);
  assert.deepEqual(JSON.parse(JSON.stringify(s)), JSON.parse(seed));
  const added = s.addCall({ as: USER, op: "kms:DescribeKey", input: { KeyId: KEY }, via: "sagemaker" });
  assert.equal(added.op, "kms:DescribeKey");
  assert.equal(added.index, 9);
  assert.equal(JSON.parse(s.export()).calls.length, 12);
  assert.deepEqual(Object.keys(JSON.parse(s.export())), Object.keys(JSON.parse(seed)),
    "the document keeps its members' order");
  assert.equal(s.calls().length, 10);
  throwsKmslab(() => s.addCall({ op: "kms:DescribeKey" }), "InvalidScenario");
  assert.equal(JSON.parse(s.export()).calls.length, 12, "a refused call leaves the document as it was");
  throwsKmslab(() => s.addCall("nope"), "InvalidArgument");
  s.free();
});

test("share links use the playground's format and decode with zlib", () => {
  const fragment = shareFragment(seed);
  assert.ok(fragment.startsWith(`s=2.${version}.`));
  const payload = fragment.slice(fragment.lastIndexOf(".") + 1);
  assert.match(payload, /^[A-Za-z0-9_-]+$/);
  assert.equal(inflateRawSync(Buffer.from(payload, "base64url")).toString("utf8"), seed);
  assert.equal(playgroundLink("https://example.com/kmslab/#old", seed), `https://example.com/kmslab/#${fragment}`);
  assert.equal(embedLink("https://example.com/kmslab/", seed), `https://example.com/kmslab/?embed#${fragment}`);
  assert.deepEqual(decodeShareLink(`#${fragment}`), { document: seed, engineVersion: version });
  assert.equal(Scenario.load(seed).shareFragment(), fragment);
  assert.equal(Scenario.fromShareLink(`https://x/?embed#${fragment}`).export(), seed);
  // The link docs/share-links.md makes with Python's zlib opens.
  assert.deepEqual(decodeShareLink("#s=1.0.1.0.q1bKzi3OSUxSslIw1FFQykvMTQUylZIT0w6vVKoFAA"),
    { document: '{"kmslab": 1, "name": "café"}', engineVersion: "0.1.0" });
  throwsKmslab(() => decodeShareLink("#policy-lab"), "InvalidShareLink");
  throwsKmslab(() => decodeShareLink("#s=3.0.1.0.AAAA"), "UnsupportedShareFormat");
  throwsKmslab(() => decodeShareLink("#s=1.0.1.0.!!!"), "InvalidShareLink");
});

test("bad input throws a KmslabError with a code, never anything else", () => {
  throwsKmslab(() => evaluate("not json"), "InvalidJson");
  throwsKmslab(() => evaluate("{"), "InvalidJson");
  throwsKmslab(() => evaluate({}), "InvalidQuestion");
  throwsKmslab(() => evaluate({ request: { principal: 7, action: "kms:Decrypt", resource: "*" } }), "InvalidQuestion");
  throwsKmslab(() => evaluate({ request: { principal: USER, action: "a:b", resource: "*" }, extra: 1 }), "InvalidQuestion");
  throwsKmslab(() => evaluate({ request: { principal: USER, action: "a:b", resource: "*", context: { k: { x: 1 } } } }),
    "InvalidContextValue");
  throwsKmslab(() => evaluate({ request: { principal: USER, action: "a:b", resource: "*", context: { k: null } } }),
    "InvalidContextValue");
  for (const bad of [undefined, null, () => 1, Symbol("q"), 10n]) {
    throwsKmslab(() => evaluate(bad), "InvalidArgument");
  }
  throwsKmslab(() => evaluate(42), "InvalidQuestion");
  throwsKmslab(() => evaluate([]), "InvalidQuestion");
  const cyclic = { request: {} };
  cyclic.request.self = cyclic;
  throwsKmslab(() => evaluate(cyclic), "InvalidArgument");
  throwsKmslab(() => evaluate({ request: { principal: 1n } }), "InvalidArgument");
  throwsKmslab(() => evaluate({ toJSON: () => undefined }), "InvalidArgument");
  // Hostile nesting and size.
  throwsKmslab(() => evaluate("[".repeat(100000)), "InvalidJson");
  let deep = {};
  for (let i = 0; i < 100; i += 1) deep = { d: deep };
  throwsKmslab(() => evaluate({ request: deep }), "InvalidJson");
  for (let i = 0; i < 100000; i += 1) deep = { d: deep };
  throwsKmslab(() => evaluate({ request: deep }), "InvalidArgument"); // JSON.stringify runs out of stack
  const huge = JSON.stringify({ request: { principal: USER, action: "a:b", resource: "*" },
    identityPolicies: ["x".repeat(17 * 1024 * 1024)] });
  throwsKmslab(() => evaluate(huge), "InvalidJson");
  throwsKmslab(() => new PolicySet("nope"), "InvalidJson");
  throwsKmslab(() => new PolicySet({ request: {} }), "InvalidQuestion");
  const set = new PolicySet({});
  throwsKmslab(() => set.decide({ principal: USER }), "InvalidQuestion");
  // Past 16 MiB, given as text or as an object: in UTF-16 code units (refused before any copy), and in UTF-8
  // bytes only (9 Mi two-byte characters).
  for (const pad of ["x".repeat(17 * 1024 * 1024), "é".repeat(9 * 1024 * 1024)]) {
    const request = { principal: USER, action: "a:b", resource: "*", context: { pad } };
    for (const r of [request, JSON.stringify(request)]) {
      const e = throwsKmslab(() => set.decide(r), "InvalidJson");
      assert.match(e.message, /the request is larger than 16 MiB|the largest accepted is 16777216 bytes/);
    }
  }
  throwsKmslab(() => set.decide({ principal: USER, action: "a:b", resource: "*" }, { explain: "yes" }), "InvalidArgument");
  throwsKmslab(() => set.decideBatch({ principal: USER }), "InvalidArgument");
  const e = throwsKmslab(() => set.decideBatch([{ principal: USER, action: "a:b", resource: "*" },
    { principal: USER, action: "a:b", resource: "*", context: { k: {} } }]), "InvalidContextValue");
  assert.match(e.message, /^requests\[1\]: /);
  throwsKmslab(() => Scenario.load("{"), "InvalidScenario");
  throwsKmslab(() => Scenario.load({ kmslab: 1, bogus: true }), "InvalidScenario");
  throwsKmslab(() => Scenario.load({ kmslab: 2 }), "UnsupportedScenarioVersion");
  throwsKmslab(() => Scenario.load(undefined), "InvalidArgument");
  throwsKmslab(() => runScenario({ kmslab: 1, accounts: [{ id: "123" }] }), "InvalidDeclaration");
  throwsKmslab(() => Scenario.load({ kmslab: 1, calls: [{ clock: "1w" }] }).run(), "InvalidDeclaration");
  throwsKmslab(() => shareFragment(undefined), "InvalidArgument");
  // A malformed request is an answer (ValidationException), not an exception.
  const a = evaluate({ request: { principal: "not-an-arn", action: "nope", resource: "*" } });
  assert.equal(a.decision, "ImplicitDeny");
  assert.equal(a.reason, "invalidRequest");
  // After all of that the module still works (nothing trapped).
  assert.equal(evaluate({ request: { principal: USER, action: "kms:Decrypt", resource: KEY,
    context: { "kms:ViaService": "sagemaker.us-east-1.amazonaws.com" } }, resourcePolicy: seedKeyPolicy }).decision,
  "Allow");
});

test("random and malformed inputs never trap the module", () => {
  const pieces = ['{', '}', '[', ']', '"', ':', ',', 'null', 'true', '1e999', '"request"', '"principal"',
    '"identityPolicies"', '"Statement"', '"Effect"', '"Allow"', '"kms:*"', '"*"', '\\u0000', '"\ud800"', ' '];
  let seedValue = 12345;
  const rand = (n) => {
    seedValue = (seedValue * 1103515245 + 12345) & 0x7fffffff;
    return seedValue % n;
  };
  for (let i = 0; i < 2000; i += 1) {
    let text = "";
    const len = rand(40);
    for (let j = 0; j < len; j += 1) text += pieces[rand(pieces.length)];
    for (const f of [evaluate, (t) => new PolicySet(t), (t) => Scenario.load(t), (t) => validatePolicy(t),
      (t) => decodeShareLink(t)]) {
      try {
        f(text);
      } catch (e) {
        assert.equal(e.name, "KmslabError", `${e.name}: ${e.message} for ${JSON.stringify(text)}`);
      }
    }
  }
});
