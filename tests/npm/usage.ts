// Type-checked (tsc --noEmit, strict, nodenext) by scripts/npm-tests.sh, never run: the package's generated
// TypeScript types describe every input and output, and reject wrong ones.
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
  type Answer,
  type Question,
  type RequestInput,
  type PolicyInput,
  type PolicySetInput,
  type Decision,
  type Reason,
  type Diagnostic,
  type Validation,
  type ScenarioDocument,
  type ScenarioStep,
  type CallDecl,
  type RunResult,
  type CallResult,
  type Authorization,
  type CloudTrailEvent,
  type KmsRequest,
  type CostReport,
  type Progress,
  type ExpectationSummary,
  type SharedDocument,
  type KmslabError,
  type ErrorCode,
  type Trace,
  type StatementTrace,
  type ElementTrace,
  type AccessMatrix,
  type Envelope,
  type PolicyKind,
  type Grant,
} from "kmslab";

const v: string = version;
const e: string = engineVersion();

const request: RequestInput = {
  principal: "arn:aws:iam::111122223333:user/alice",
  action: "kms:Decrypt",
  resource: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
  context: { "kms:ViaService": "sagemaker.us-east-1.amazonaws.com", "aws:MultiFactorAuthPresent": true, n: 3, list: ["a", 1] },
};
const policy: PolicyInput = { name: "P", document: { Version: "2012-10-17", Statement: [] } };
const grant: Grant = { GranteePrincipal: "arn:aws:iam::111122223333:role/r", Operations: ["Decrypt"] };
const question: Question = { request, identityPolicies: [policy, "{}"], resourcePolicy: null, grants: [grant] };
const answer: Answer = evaluate(question);
const decision: Decision = answer.decision;
const reason: Reason = answer.reason;
const message: string | null = answer.message;
const trace: Trace | undefined = answer.trace;
const statements: StatementTrace[] = trace?.policyTypes[0]?.policies[0]?.statements ?? [];
const elements: ElementTrace[] = statements[0]?.elements ?? [];
const line: number = answer.errors[0]?.line ?? 0;
const fromText: Answer = evaluate(JSON.stringify(question));

const input: PolicySetInput = { resourcePolicy: "{}", keyPolicy: true, explain: false };
const set = new PolicySet(input);
const one: Answer = set.decide(request);
const quiet: Answer = set.decide(request, { explain: false });
const many: Answer[] = set.decideBatch([request, request], { explain: false });
const errors: Diagnostic[] = set.errors;
const ok: boolean = set.valid;
set.free();

const kind: PolicyKind = "keyPolicy";
const validation: Validation = validatePolicy("{}", kind);
const plain: Validation = validatePolicy("{}");
const column: number | undefined = validation.errors[0]?.column;

const call: CallDecl = { as: "arn:aws:iam::111122223333:user/alice", op: "kms:Encrypt", input: { KeyId: "k" },
  expect: { error: "AccessDeniedException", decision: "ImplicitDeny" } };
const steps: ScenarioStep[] = [call, { clock: "5m" }, { clock: 60 }];
const doc: ScenarioDocument = {
  kmslab: 1,
  seed: "types",
  accounts: [{ id: "111122223333" }],
  keys: [{ arn: "arn:aws:kms:us-east-1:111122223333:key/k", keySpec: "SYMMETRIC_DEFAULT", keyState: "Enabled" }],
  calls: steps,
};
const scenario = Scenario.load(doc);
const run: RunResult = scenario.run();
const calls: CallResult[] = scenario.calls();
const auth: Authorization[] = scenario.trace(0);
const byId: Authorization[] = scenario.trace("create");
const records: CloudTrailEvent[] = scenario.cloudTrail().Records;
const kms: KmsRequest[] = scenario.kmsRequests();
const cost: CostReport = scenario.cost();
const summary: ExpectationSummary = scenario.expectations();
const progress: Progress = scenario.advance(100);
const done: boolean = progress.finished;
const added: CallResult = scenario.addCall(call);
const exported: string = scenario.export();
const asObject: ScenarioDocument = scenario.toJSON();
const name: string | undefined = scenario.name;
const matrix: AccessMatrix = run.access;
const envelopes: Envelope[] | undefined = calls[0]?.envelopes;
const ran: RunResult = runScenario(exported);
const fragment: string = shareFragment(doc);
const link: string = playgroundLink("https://example.com/", exported);
const embed: string = embedLink("https://example.com/", doc);
const shared: SharedDocument = decodeShareLink(link);
const again: Scenario = Scenario.fromShareLink(embed);

try {
  evaluate("nope");
} catch (caught) {
  const err = caught as KmslabError;
  const code: ErrorCode = err.code;
  const m: string = err.message;
  if (code === "InvalidJson" || code === "InvalidQuestion") {
    console.log(m);
  }
}

// Wrong inputs are type errors.
// @ts-expect-error principal must be a string
evaluate({ request: { principal: 1, action: "a:b", resource: "*" } });
// @ts-expect-error a question needs a request
evaluate({ identityPolicies: [] });
// @ts-expect-error context values are strings, numbers, booleans or arrays of those
set.decide({ ...request, context: { k: { nested: true } } });
// @ts-expect-error unknown policy kind
validatePolicy("{}", "bucketPolicy");
// @ts-expect-error a scenario document needs its format version
Scenario.load({ name: "no version" });
// @ts-expect-error decisions are one of three
const wrong: Decision = "Deny";

// `kmslab/policy`: the same types for the policy engine alone; the envelope primitives take and give bytes.
import * as policyOnly from "kmslab/policy";
import { sealRecord, openRecord } from "kmslab";
const policyAnswer: Answer = new policyOnly.PolicySet({ identityPolicies: [] }).decide(
  { principal: "arn:aws:iam::111122223333:user/alice", action: "s3:GetObject", resource: "*" },
  { explain: false },
);
const policyVersion: string = policyOnly.version;
const sealed: Uint8Array = sealRecord(new Uint8Array(32), new Uint8Array(0), new Uint8Array(8));
const opened: Uint8Array = openRecord(new Uint8Array(32), new Uint8Array(0), sealed);
// @ts-expect-error: no scenario engine in kmslab/policy
policyOnly.Scenario;

export {
  v, e, decision, reason, message, elements, line, fromText, one, quiet, many, errors, ok, plain, column, auth,
  byId, records, kms, cost, summary, done, added, asObject, name, matrix, envelopes, ran, fragment, shared, again,
  wrong, policyAnswer, policyVersion, opened,
};
