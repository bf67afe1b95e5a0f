// `kmslab/policy` through CommonJS in Node (`require("kmslab/policy")`), installed from the tarball.
"use strict";
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const policy = require("kmslab/policy");

const KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const USER = "arn:aws:iam::111122223333:user/featurestore-user";

test("require('kmslab/policy') decides the seed question", async () => {
  const keyPolicy = readFileSync(join(process.env.KMSLAB_REPO, "tests/fixtures/seed-key-policy.json"), "utf8");
  const via = { principal: USER, action: "kms:Decrypt", resource: KEY,
    context: { "kms:ViaService": "sagemaker.us-east-1.amazonaws.com" } };
  const set = new policy.PolicySet({ resourcePolicy: keyPolicy });
  assert.equal(set.decide(via).decision, "Allow");
  assert.equal(policy.evaluate({ request: via, resourcePolicy: keyPolicy }).decision, "Allow");
  assert.equal(policy.version, require("kmslab/package.json").version);
  assert.equal(policy.Scenario, undefined);
  const esm = await import("kmslab/policy");
  assert.equal(esm.PolicySet, policy.PolicySet, "one module instance for import and require");
});
