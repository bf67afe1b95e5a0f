// `kmslab/policy` (the policy engine only: the `wasm-policy` feature) through ESM in Node, installed from the
// tarball: the seed question decides as with the whole package, and nothing of the scenario engine is there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import * as policy from "kmslab/policy";
import { evaluate, PolicySet, validatePolicy, version } from "kmslab/policy";
import * as full from "kmslab";

const repo = process.env.KMSLAB_REPO;
const KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const USER = "arn:aws:iam::111122223333:user/featurestore-user";
const via = { principal: USER, action: "kms:Decrypt", resource: KEY,
  context: { "kms:ViaService": "sagemaker.us-east-1.amazonaws.com" } };
const direct = { principal: USER, action: "kms:Decrypt", resource: KEY };

test("import 'kmslab/policy': evaluate, PolicySet and validatePolicy decide the seed question", () => {
  const keyPolicy = readFileSync(join(repo, "tests/fixtures/seed-key-policy.json"), "utf8");
  const answer = evaluate({ request: via, resourcePolicy: keyPolicy });
  assert.equal(answer.decision, "Allow");
  assert.deepEqual(answer, { ...full.evaluate({ request: via, resourcePolicy: keyPolicy }),
    trace: answer.trace }, "the same answer as the whole package's");
  const set = new PolicySet({ resourcePolicy: keyPolicy });
  assert.equal(set.decide(via).decision, "Allow");
  assert.equal(set.decide(direct).decision, "ImplicitDeny");
  assert.deepEqual(set.decideBatch([via, direct], { explain: false }).map((a) => a.decision), ["Allow", "ImplicitDeny"]);
  assert.equal(validatePolicy(keyPolicy, "keyPolicy").valid, true);
  assert.equal(version, full.version);
  assert.equal(policy.engineVersion(), version);
});

test("'kmslab/policy' has no scenario engine, share links or envelope primitives", () => {
  for (const name of ["Scenario", "runScenario", "shareFragment", "decodeShareLink", "sealRecord", "openRecord"]) {
    assert.equal(policy[name], undefined, name);
    assert.equal(typeof full[name], "function", name);
  }
});

test("'kmslab/policy' throws the same typed errors", () => {
  assert.throws(() => evaluate("{"), (e) => e.name === "KmslabError" && e.code === "InvalidJson");
});
