// Type-checked by scripts/npm-tests.sh: the CommonJS entry (`require("kmslab")`) has the same types.
import kmslab = require("kmslab");

const answer: kmslab.Answer = kmslab.evaluate({
  request: { principal: "arn:aws:iam::111122223333:user/alice", action: "s3:GetObject", resource: "*" },
});
const set = new kmslab.PolicySet({ identityPolicies: [] });
const answers: kmslab.Answer[] = set.decideBatch([]);
const run: kmslab.RunResult = kmslab.Scenario.load({ kmslab: 1 }).run();
const version: string = kmslab.version;
// @ts-expect-error principal must be a string
kmslab.evaluate({ request: { principal: 1, action: "a:b", resource: "*" } });

export = { answer, answers, run, version };
