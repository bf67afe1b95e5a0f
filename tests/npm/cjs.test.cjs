// The npm package through CommonJS in Node (`require("kmslab")`), installed from its tarball.
"use strict";
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const kmslab = require("kmslab");
const { evaluate, PolicySet, Scenario, validatePolicy, version } = kmslab;

const repo = process.env.KMSLAB_REPO;
const KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const USER = "arn:aws:iam::111122223333:user/featurestore-user";

test("require('kmslab') gives the Node build with the whole API and the version", () => {
  for (const name of ["evaluate", "PolicySet", "Scenario", "validatePolicy", "runScenario", "shareFragment",
    "playgroundLink", "embedLink", "decodeShareLink", "engineVersion"]) {
    assert.equal(typeof kmslab[name], "function", name);
  }
  assert.equal(version, require("kmslab/package.json").version);
  assert.equal(kmslab.engineVersion(), version);
});

test("require('kmslab') and import('kmslab') share one module instance and agree", async () => {
  const esm = await import("kmslab");
  assert.equal(esm.evaluate, kmslab.evaluate);
  assert.equal(esm.PolicySet, kmslab.PolicySet);
  assert.equal(esm.version, version);
});

test("CommonJS: evaluate, PolicySet, validatePolicy and the seed scenario", () => {
  const keyPolicy = readFileSync(join(repo, "tests/fixtures/seed-key-policy.json"), "utf8");
  const set = new PolicySet({ resourcePolicy: keyPolicy });
  const via = { principal: USER, action: "kms:Decrypt", resource: KEY,
    context: { "kms:ViaService": "sagemaker.us-east-1.amazonaws.com" } };
  assert.equal(set.decide(via).decision, "Allow");
  assert.equal(evaluate({ request: via, resourcePolicy: keyPolicy }).decision, "Allow");
  assert.equal(validatePolicy(keyPolicy, "keyPolicy").valid, true);
  const run = Scenario.load(readFileSync(join(repo, "tests/scenarios/seed.json"), "utf8")).run();
  assert.deepEqual(run.expectations, { checked: 9, passed: 9, failed: 0 });
  try {
    evaluate("nope");
    assert.fail("no error");
  } catch (e) {
    assert.equal(e.name, "KmslabError");
    assert.equal(e.code, "InvalidJson");
  }
});
