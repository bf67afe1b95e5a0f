// Seeded generator of random policy questions that both kmslab and @cloud-copilot/iam-simulate can answer.
//
//   node tests/conformance/generate.mjs [--n 5000] [--seed 1] [--format case|kmslab|iam-simulate]
//
// prints one JSON document per line (JSON Lines). The same (n, seed) always gives the same questions.
//
// A *case* is engine-neutral: a request (principal, action, resource, resource account, context) and the
// policies that decide it (identity policies, resource or key policy, permissions boundary, session policy,
// SCP levels, RCP levels). `toKmslab` and `toIamSimulate` map it to each engine's input. Only what maps
// cleanly to BOTH inputs is generated (docs/conformance.md, "What is generated"):
//
// - every context key a real request would carry is given explicitly (iam-simulate derives none; kmslab
//   derives some, and a key given in the question always wins there), so both engines see the same context;
// - context keys are given only when AWS documents them for the action (iam-simulate's list), since
//   iam-simulate drops the others;
// - RCP levels get AWS's RCPFullAWSAccess (iam-simulate adds it to every level itself; it can't be detached
//   in AWS), custom RCPs are Deny statements with `"Principal": "*"`;
// - no KMS grants (iam-simulate has none), no policies for principals that can't have them (the root user,
//   service principals), session policies only for role sessions and federated users.

import { anonymousPrincipal } from "@cloud-copilot/iam-simulate";

export const RA = "111122223333"; // the resource account (the organization's member account)
export const XA = "444455556666"; // another account
export const NOW = "2026-01-01T00:00:00Z";
export const NOW_EPOCH = "1767225600";

const KEY_RA = `arn:aws:kms:us-east-1:${RA}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const KEY_XA = `arn:aws:kms:us-east-1:${XA}:key/0987dcba-09fe-87dc-65ba-ab0987654321`;
const BUCKET_RA = `fs-offline-${RA}`;
const BUCKET_XA = `partner-offline-${XA}`;
const OBJECT_KEY = "orders/data/year=2025/part-0001.parquet";
const FG_RA = `arn:aws:sagemaker:us-east-1:${RA}:feature-group/orders`;
const FG_XA = `arn:aws:sagemaker:us-east-1:${XA}:feature-group/partner-orders`;
const SM_VIA = "sagemaker.us-east-1.amazonaws.com";
const S3_VIA = "s3.us-east-1.amazonaws.com";
const ROLE_RA = `arn:aws:iam::${RA}:role/FeatureStoreRole`;
const ROLE_XA = `arn:aws:iam::${XA}:role/PartnerRole`;

// ---------------------------------------------------------------------------------------------------------
// PRNG: sfc32 seeded through a 32-bit string hash, so `--seed` may be any string.

function hashSeed(seed) {
  let h = 1779033703 ^ String(seed).length;
  for (const ch of String(seed)) {
    h = Math.imul(h ^ ch.codePointAt(0), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  const next = () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    return (h ^= h >>> 16) >>> 0;
  };
  return [next(), next(), next(), next()];
}

export function rng(seed) {
  let [a, b, c, d] = hashSeed(seed);
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 15; i++) next();
  const r = {
    float: next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    // [[weight, value], ...]
    weighted: (pairs) => {
      const total = pairs.reduce((s, [w]) => s + w, 0);
      let x = next() * total;
      for (const [w, v] of pairs) {
        if ((x -= w) < 0) return v;
      }
      return pairs[pairs.length - 1][1];
    },
    some: (xs, min, max) => {
      const k = min + Math.floor(next() * (max - min + 1));
      const pool = [...xs];
      const out = [];
      while (out.length < k && pool.length) out.push(pool.splice(Math.floor(next() * pool.length), 1)[0]);
      return out;
    },
  };
  return r;
}

// ---------------------------------------------------------------------------------------------------------
// Callers

const CALLERS = [
  [4, { kind: "user", arn: `arn:aws:iam::${RA}:user/alice`, account: RA, name: "alice" }],
  [1, { kind: "user", arn: `arn:aws:iam::${RA}:user/bob`, account: RA, name: "bob" }],
  [2, { kind: "role", arn: ROLE_RA, account: RA, roleArn: ROLE_RA }],
  [3, { kind: "session", arn: `arn:aws:sts::${RA}:assumed-role/FeatureStoreRole/sess-1`, account: RA, roleArn: ROLE_RA }],
  [1, { kind: "federated", arn: `arn:aws:sts::${RA}:federated-user/alice`, account: RA, name: "alice" }],
  [1, { kind: "root", arn: `arn:aws:iam::${RA}:root`, account: RA }],
  [2, { kind: "user", arn: `arn:aws:iam::${XA}:user/carol`, account: XA, name: "carol" }],
  [2, { kind: "session", arn: `arn:aws:sts::${XA}:assumed-role/PartnerRole/x-sess`, account: XA, roleArn: ROLE_XA }],
  [1, { kind: "role", arn: ROLE_XA, account: XA, roleArn: ROLE_XA }],
  [0.5, { kind: "root", arn: `arn:aws:iam::${XA}:root`, account: XA }],
  [1.5, { kind: "service", arn: "sagemaker.amazonaws.com", account: null, name: "sagemaker.amazonaws.com" }],
  [0.7, { kind: "anonymous", arn: "anonymous", account: null }],
];

const PRINCIPAL_TYPE = {
  user: "User",
  role: "AssumedRole",
  session: "AssumedRole",
  federated: "FederatedUser",
  root: "Account",
  anonymous: "Anonymous",
};

// ---------------------------------------------------------------------------------------------------------
// Targets: action + resource + who owns it

const KMS_ACTIONS = [
  [4, "kms:Decrypt"],
  [2, "kms:Encrypt"],
  [3, "kms:GenerateDataKey"],
  [1, "kms:GenerateDataKeyWithoutPlaintext"],
  [1, "kms:ReEncryptFrom"],
  [2, "kms:DescribeKey"],
  [1, "kms:CreateGrant"],
  [0.6, "kms:ScheduleKeyDeletion"],
  [0.4, "kms:DisableKey"],
];
const KMS_EC_ACTIONS = new Set([
  "kms:Decrypt",
  "kms:Encrypt",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
  "kms:ReEncryptFrom",
  "kms:CreateGrant",
]);
const S3_OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"];
const SM_ACTIONS = ["sagemaker:PutRecord", "sagemaker:GetRecord", "sagemaker:DeleteRecord", "sagemaker:DescribeFeatureGroup"];

function pickTarget(r, caller) {
  // Unsigned (anonymous) requests exist only where a resource policy can allow them: S3 here.
  const service = caller.kind === "anonymous" ? "s3" : r.weighted([[45, "kms"], [33, "s3"], [22, "sagemaker"]]);
  const owner = r.chance(0.8) ? RA : XA;
  if (service === "kms") {
    return { service, action: r.weighted(KMS_ACTIONS), resource: owner === RA ? KEY_RA : KEY_XA, account: owner };
  }
  if (service === "s3") {
    const bucket = owner === RA ? BUCKET_RA : BUCKET_XA;
    if (r.chance(0.2)) return { service, action: "s3:ListBucket", resource: `arn:aws:s3:::${bucket}`, account: owner };
    return { service, action: r.pick(S3_OBJECT_ACTIONS), resource: `arn:aws:s3:::${bucket}/${OBJECT_KEY}`, account: owner };
  }
  return { service, action: r.pick(SM_ACTIONS), resource: owner === RA ? FG_RA : FG_XA, account: owner };
}

// ---------------------------------------------------------------------------------------------------------
// Request context: every key a real request carries, consistent with the caller; some optional keys.

const SOURCE_IPS = ["203.0.113.7", "198.51.100.20", "10.1.2.3", "2001:db8::7"];

function makeContext(r, caller, target) {
  const ctx = {};
  const isService = caller.kind === "service";
  const isAnonymous = caller.kind === "anonymous";
  if (isAnonymous) ctx["aws:PrincipalType"] = "Anonymous";
  else if (!isService) {
    ctx["aws:PrincipalArn"] = caller.kind === "role" || caller.kind === "session" ? caller.roleArn : caller.arn;
    ctx["aws:PrincipalAccount"] = caller.account;
    ctx["aws:PrincipalType"] = PRINCIPAL_TYPE[caller.kind];
    if (caller.kind === "user") ctx["aws:username"] = caller.name;
  }
  ctx["aws:PrincipalIsAWSService"] = isService ? "true" : "false";
  if (isService) {
    // A service acting for a resource owner says which (the confused-deputy keys).
    ctx["aws:PrincipalServiceName"] = caller.name;
    if (r.chance(0.8)) ctx["aws:SourceAccount"] = r.chance(0.85) ? RA : XA;
    if (r.chance(0.7)) ctx["aws:SourceArn"] = r.chance(0.85) ? FG_RA : FG_XA;
  }
  ctx["aws:ResourceAccount"] = target.account;
  ctx["aws:RequestedRegion"] = "us-east-1";
  ctx["aws:CurrentTime"] = NOW;
  ctx["aws:EpochTime"] = NOW_EPOCH;
  ctx["aws:SecureTransport"] = r.chance(0.9) ? "true" : "false";
  if (!isService && r.chance(0.8)) ctx["aws:SourceIp"] = r.pick(SOURCE_IPS);
  if (["user", "root", "session", "role"].includes(caller.kind) && r.chance(0.7)) {
    const mfa = r.chance(0.5);
    ctx["aws:MultiFactorAuthPresent"] = mfa ? "true" : "false";
    if (mfa) ctx["aws:MultiFactorAuthAge"] = r.pick(["120", "3599", "7200"]);
  }
  if (["user", "role", "session"].includes(caller.kind)) {
    if (r.chance(0.6)) ctx["aws:PrincipalTag/team"] = r.pick(["ml", "ML", "finance"]);
    if (r.chance(0.3)) ctx["aws:PrincipalTag/project"] = r.pick(["orders", "churn"]);
  }
  let via = null;
  if (target.service === "kms") {
    if (!isService) ctx["kms:CallerAccount"] = caller.account;
    if (target.action === "kms:CreateGrant" && r.chance(0.8)) ctx["kms:GrantIsForAWSResource"] = r.chance(0.5) ? "true" : "false";
    if (!isService && r.chance(0.5)) via = r.weighted([[3, SM_VIA], [1, S3_VIA]]);
    if (via) {
      ctx["kms:ViaService"] = via;
      ctx["aws:CalledVia"] = [via.startsWith("sagemaker") ? "sagemaker.amazonaws.com" : "s3.amazonaws.com"];
    }
    if (KMS_EC_ACTIONS.has(target.action) && r.chance(0.5)) {
      const ec = {};
      if (r.chance(0.8)) ec["aws:featurestore:fg"] = r.pick(["orders", "Orders", "customers"]);
      if (r.chance(0.4)) ec["tenant"] = r.pick(["acme", "globex"]);
      if (Object.keys(ec).length) {
        for (const [k, v] of Object.entries(ec)) ctx[`kms:EncryptionContext:${k}`] = v;
        ctx["kms:EncryptionContextKeys"] = Object.keys(ec);
      }
    }
  }
  ctx["aws:ViaAWSService"] = via ? "true" : "false";
  return ctx;
}

// ---------------------------------------------------------------------------------------------------------
// Policy elements

function caseVariant(r, s) {
  return r.chance(0.5) ? s.toLowerCase() : s.toUpperCase();
}

function actionPattern(r, action, matching) {
  const [svc, name] = action.split(":");
  if (matching) {
    return r.weighted([
      [5, action],
      [1, `${svc}:${caseVariant(r, name)}`],
      [1, `${caseVariant(r, svc)}:${name}`],
      [3, `${svc}:*`],
      [1, "*"],
      [2, `${svc}:${name.slice(0, 3)}*`],
      [1, `${svc}:*${name.slice(-4)}`],
      [1, `${svc}:?${name.slice(1)}`],
    ]);
  }
  const others = {
    kms: ["kms:Encrypt", "kms:Decrypt", "kms:Create*", "kms:List*", "kms:Get*", "kms:RetireGrant", "kms:Describe*"],
    s3: ["s3:GetObject", "s3:PutObject", "s3:List*", "s3:Delete*", "s3:GetBucket*"],
    sagemaker: ["sagemaker:GetRecord", "sagemaker:PutRecord", "sagemaker:Describe*", "sagemaker:Create*"],
  };
  const pool = [...others[svc].filter((a) => !wildcardMatch(a.toLowerCase(), action.toLowerCase())), "iam:PassRole", "ec2:*", "sts:AssumeRole"];
  return r.pick(pool);
}

function wildcardMatch(pattern, s) {
  const re = new RegExp("^" + pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$");
  return re.test(s);
}

function actionElement(r, target) {
  const k = r.weighted([[6, 1], [3, 2], [1, 3]]);
  const items = [];
  for (let i = 0; i < k; i++) items.push(actionPattern(r, target.action, r.chance(0.65)));
  const uniq = [...new Set(items)];
  return uniq.length === 1 && r.chance(0.6) ? uniq[0] : uniq;
}

function resourcePattern(r, target, matching, { keyPolicy = false } = {}) {
  const res = target.resource;
  if (keyPolicy) return r.chance(0.85) ? "*" : matching ? res : KEY_RA === res ? KEY_XA : KEY_RA;
  if (target.service === "kms") {
    const acct = target.account;
    if (matching) {
      return r.weighted([
        [4, res],
        [3, "*"],
        [3, `arn:aws:kms:us-east-1:${acct}:key/*`],
        [1, `arn:aws:kms:*:${acct}:key/*`],
        [1, `arn:aws:kms:us-east-1:${acct}:*`],
        [1, `arn:aws:kms:us-east-?:${acct}:key/1234*`.replace("1234", res.split("/")[1].slice(0, 4))],
        [1, `arn:aws:kms:us-east-1:\${aws:PrincipalAccount}:key/*`],
      ]);
    }
    return r.weighted([
      [3, res === KEY_RA ? KEY_XA : KEY_RA],
      [1, `arn:aws:kms:eu-west-1:${acct}:key/*`],
      [1, `arn:aws:kms:us-east-1:${acct}:alias/*`],
      [0.5, `arn:aws:kms:US-EAST-1:${acct}:key/*`],
      [0.5, res.replace("key/", "KEY/")],
    ]);
  }
  if (target.service === "s3") {
    const isBucket = !res.includes("/");
    const bucket = res.slice("arn:aws:s3:::".length).split("/")[0];
    if (matching) {
      if (isBucket) {
        return r.weighted([[4, res], [2, "*"], [2, `arn:aws:s3:::${bucket.slice(0, 8)}*`], [1, "arn:aws:s3:::*"], [1, `arn:aws:s3:::${bucket.replace(/^(.*)-(\d+)$/, "$1-${aws:ResourceAccount}")}`]]);
      }
      return r.weighted([
        [4, res],
        [3, `arn:aws:s3:::${bucket}/*`],
        [2, "*"],
        [2, `arn:aws:s3:::${bucket}/orders/*`],
        [1, `arn:aws:s3:::${bucket.slice(0, 6)}*/orders/data/*`],
        [1, `arn:aws:s3:::${bucket}/orders/data/year=????/*`],
        [1, `arn:aws:s3:::*/*.parquet`],
        [1, `arn:aws:s3:::${bucket.replace(/^(.*)-(\d+)$/, "$1-${aws:ResourceAccount}")}/*`],
      ]);
    }
    const other = bucket === BUCKET_RA ? BUCKET_XA : BUCKET_RA;
    return r.weighted([
      [3, `arn:aws:s3:::${other}/*`],
      [2, isBucket ? `arn:aws:s3:::${bucket}/*` : `arn:aws:s3:::${bucket}`],
      [1, `arn:aws:s3:::${bucket}/ORDERS/*`],
      [1, `arn:aws:s3:::${bucket}/customers/*`],
    ]);
  }
  // sagemaker feature groups
  const acct = target.account;
  if (matching) {
    return r.weighted([
      [4, res],
      [2, "*"],
      [3, `arn:aws:sagemaker:us-east-1:${acct}:feature-group/*`],
      [1, `arn:aws:sagemaker:*:*:feature-group/${res.split("/")[1].slice(0, 3)}*`],
      [1, `arn:aws:sagemaker:us-east-1:\${aws:PrincipalAccount}:feature-group/*`],
    ]);
  }
  return r.weighted([
    [3, res === FG_RA ? FG_XA : FG_RA],
    [1, `arn:aws:sagemaker:us-east-1:${acct}:feature-group/customers`],
    [1, `arn:aws:sagemaker:us-east-1:${acct}:endpoint/*`],
    [0.5, res.replace("feature-group/", "Feature-Group/")],
  ]);
}

function resourceElement(r, target, opts = {}) {
  const k = r.weighted([[7, 1], [3, 2]]);
  const items = [];
  for (let i = 0; i < k; i++) items.push(resourcePattern(r, target, r.chance(0.7), opts));
  const uniq = [...new Set(items)];
  return uniq.length === 1 && r.chance(0.6) ? uniq[0] : uniq;
}

// Principal entries a resource/key policy may name (as the policy element's map form).
function principalEntry(r, caller, target) {
  const callerNamed = [];
  if (caller.kind === "user" || caller.kind === "root") callerNamed.push({ AWS: caller.arn });
  if (caller.kind === "session") callerNamed.push({ AWS: caller.arn }, { AWS: caller.roleArn });
  if (caller.kind === "role") callerNamed.push({ AWS: caller.arn });
  if (caller.kind === "federated") callerNamed.push({ AWS: caller.arn }, { AWS: `arn:aws:iam::${caller.account}:user/${caller.name}` });
  if (caller.kind === "service") callerNamed.push({ Service: caller.arn });
  if (caller.kind === "anonymous") callerNamed.push("*", { AWS: "*" });
  if (caller.account) callerNamed.push({ AWS: `arn:aws:iam::${caller.account}:root` }, { AWS: caller.account });
  const generic = [
    "*",
    { AWS: "*" },
    { AWS: `arn:aws:iam::${target.account}:root` },
    { AWS: target.account === RA ? XA : RA },
    { AWS: `arn:aws:iam::${RA}:user/alice` },
    { AWS: `arn:aws:iam::${RA}:user/bob` },
    { AWS: ROLE_RA },
    { AWS: `arn:aws:sts::${RA}:assumed-role/FeatureStoreRole/sess-2` },
    { AWS: `arn:aws:iam::${XA}:user/carol` },
    { AWS: ROLE_XA },
    { Service: "sagemaker.amazonaws.com" },
    { Service: "s3.amazonaws.com" },
  ];
  return r.chance(0.55) ? r.pick(callerNamed) : r.pick(generic);
}

function mergePrincipals(entries) {
  if (entries.some((e) => e === "*")) return "*";
  const out = {};
  for (const e of entries) {
    for (const [k, v] of Object.entries(e)) {
      out[k] = out[k] ? [...new Set([...[out[k]].flat(), v])] : v;
    }
  }
  return out;
}

function principalElement(r, caller, target) {
  const k = r.weighted([[7, 1], [3, 2]]);
  const entries = [];
  for (let i = 0; i < k; i++) entries.push(principalEntry(r, caller, target));
  return mergePrincipals(entries);
}

// ---------------------------------------------------------------------------------------------------------
// Conditions

// key -> { type, values(r, caller, target): candidate policy values (matching and not) }
const KEYS = {
  "aws:PrincipalAccount": { type: "string", values: () => [RA, XA, "1111*", "${aws:ResourceAccount}"] },
  "aws:PrincipalArn": {
    type: "arn",
    values: (r, c) => [
      c.kind === "role" || c.kind === "session" ? c.roleArn : c.kind === "service" ? `arn:aws:iam::${RA}:user/nobody` : c.arn,
      `arn:aws:iam::${RA}:role/*`,
      `arn:aws:iam::*:user/*`,
      `arn:aws:iam::${RA}:*`,
      `arn:aws:iam::${XA}:*`,
      "arn:aws:iam::${aws:PrincipalAccount}:user/alice",
    ],
  },
  "aws:PrincipalType": { type: "string", values: () => ["User", "AssumedRole", "Account", "FederatedUser"] },
  "aws:username": { type: "string", values: () => ["alice", "Alice", "bob", "a*"] },
  "aws:ResourceAccount": { type: "string", values: () => [RA, XA, "${aws:PrincipalAccount}"] },
  "aws:RequestedRegion": { type: "string", values: () => ["us-east-1", "eu-west-1", "us-*"] },
  "aws:SourceIp": { type: "ip", values: () => ["203.0.113.0/24", "198.51.100.20", "10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32"] },
  "aws:SourceAccount": { type: "string", values: () => [RA, XA, "${aws:ResourceAccount}"] },
  "aws:SourceArn": { type: "arn", values: () => [FG_RA, `arn:aws:sagemaker:us-east-1:${RA}:feature-group/*`, `arn:aws:sagemaker:*:${XA}:*`] },
  "aws:CurrentTime": {
    type: "date",
    values: () => ["2025-12-31T23:59:59Z", NOW, "2026-06-01T00:00:00Z", "2026-01-01", "2025-06-01T00:00:00+02:00", "1767225599"],
  },
  "aws:EpochTime": {
    type: "date|numeric",
    values: (r, c, t, type) => [NOW_EPOCH, "1767225599", "1767225601", "1800000000", ...(type === "date" ? ["2025-12-31T23:59:59Z"] : [])],
  },
  "aws:SecureTransport": { type: "bool", values: () => ["true", "false", true, false] },
  "aws:MultiFactorAuthPresent": { type: "bool", values: () => ["true", "false", true] },
  "aws:MultiFactorAuthAge": { type: "numeric", values: () => ["3600", "120", "7200.5", "0"] },
  "aws:PrincipalIsAWSService": { type: "bool", values: () => ["true", "false"] },
  "aws:ViaAWSService": { type: "bool", values: () => ["true", "false"] },
  "aws:PrincipalTag/team": { type: "string", values: () => ["ml", "ML", "m?", "fin*", "finance"] },
  "aws:PrincipalTag/project": { type: "string", values: () => ["orders", "churn", "${aws:PrincipalTag/team}"] },
  "aws:CalledVia": { type: "multi", values: () => ["sagemaker.amazonaws.com", "s3.amazonaws.com", "*.amazonaws.com"] },
  "kms:ViaService": { type: "string", values: () => [SM_VIA, S3_VIA, "sagemaker.*.amazonaws.com", "dynamodb.us-east-1.amazonaws.com"] },
  "kms:CallerAccount": { type: "string", values: () => [RA, XA, "${aws:PrincipalAccount}"] },
  "kms:GrantIsForAWSResource": { type: "bool", values: () => ["true", "false", true] },
  "kms:EncryptionContext:aws:featurestore:fg": { type: "string", values: () => ["orders", "ORDERS", "ord*", "customers"] },
  "kms:EncryptionContextKeys": { type: "multi", values: () => ["aws:featurestore:fg", "tenant", "aws:*", "other"] },
};

const OPS = {
  string: ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike"],
  arn: ["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "StringLike", "StringEquals"],
  ip: ["IpAddress", "NotIpAddress"],
  date: ["DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals"],
  numeric: ["NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"],
  bool: ["Bool"],
  multi: ["ForAnyValue:StringEquals", "ForAnyValue:StringLike", "ForAllValues:StringEquals", "ForAllValues:StringLike", "ForAnyValue:StringNotEquals", "ForAllValues:StringNotLike"],
};

function keysFor(target, policyKind) {
  const keys = Object.keys(KEYS).filter((k) => !k.startsWith("kms:") || target.service === "kms" || policyKind === "key");
  return keys;
}

function conditionBlock(r, caller, target, policyKind) {
  const n = r.weighted([[50, 0], [35, 1], [15, 2]]);
  if (!n) return undefined;
  const cond = {};
  for (let i = 0; i < n; i++) {
    const key = r.pick(keysFor(target, policyKind));
    const spec = KEYS[key];
    const types = spec.type.split("|");
    const type = r.pick(types);
    let op = r.pick(OPS[type]);
    if (r.chance(0.1) && type !== "multi") op = "Null";
    else if (r.chance(0.2) && type !== "multi") op += "IfExists";
    let values;
    if (op === "Null") values = r.pick(["true", "false", true, false]);
    else {
      const cands = spec.values(r, caller, target, type).filter((v) => !(typeof v === "string" && v.includes("${") && !["string", "arn"].includes(type)));
      const chosen = r.some(cands, 1, Math.min(2, cands.length));
      values = chosen.length === 1 && r.chance(0.6) ? chosen[0] : chosen;
    }
    cond[op] = cond[op] || {};
    if (cond[op][key] !== undefined) continue;
    cond[op][key] = values;
  }
  return cond;
}

// ---------------------------------------------------------------------------------------------------------
// Statements and policies

function statement(r, caller, target, { kind, effect }) {
  const st = { Effect: effect };
  if (r.chance(0.3)) st.Sid = `S${r.int(1000)}`; // made unique per policy by policy()
  if (kind === "resource" || kind === "key") {
    if (effect === "Deny" && r.chance(0.12)) st.NotPrincipal = principalElement(r, caller, target);
    else st.Principal = principalElement(r, caller, target);
  }
  if (r.chance(0.1)) st.NotAction = actionElement(r, target);
  else st.Action = actionElement(r, target);
  const keyPolicy = kind === "key";
  if (r.chance(keyPolicy ? 0.03 : 0.08)) st.NotResource = resourceElement(r, target, { keyPolicy });
  else st.Resource = resourceElement(r, target, { keyPolicy });
  const c = conditionBlock(r, caller, target, kind);
  if (c) st.Condition = c;
  return st;
}

function policy(r, caller, target, kind, { minSt = 1, maxSt = 3, denyRate = 0.25 } = {}) {
  const n = minSt + r.int(maxSt - minSt + 1);
  const Statement = [];
  for (let i = 0; i < n; i++) {
    Statement.push(statement(r, caller, target, { kind, effect: r.chance(denyRate) ? "Deny" : "Allow" }));
  }
  // Sids must be unique within a policy (IAM-GRAMMAR); number repeated ones.
  const seen = new Set();
  for (const st of Statement) {
    if (st.Sid === undefined) continue;
    while (seen.has(st.Sid)) st.Sid += "x";
    seen.add(st.Sid);
  }
  const version = r.chance(0.97) ? "2012-10-17" : "2008-10-17";
  return { Version: version, Statement };
}

function keyPolicy(r, caller, target) {
  const p = policy(r, caller, target, "key", { minSt: 1, maxSt: 3, denyRate: 0.2 });
  if (r.chance(0.65)) {
    // The default "Enable IAM policies" statement of the key's own account (KMS-DG/key-policy-default.md).
    p.Statement.unshift({
      Sid: "Enable IAM policies",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${target.account}:root` },
      Action: "kms:*",
      Resource: "*",
    });
  }
  p.Version = "2012-10-17"; // KMS requires a Version in key policies
  return p;
}

const FULL_AWS_ACCESS = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

function scpLevels(r, caller, target) {
  const levels = [];
  const n = 1 + r.int(3);
  for (let l = 0; l < n; l++) {
    const level = [];
    const allowKind = r.weighted([[6, "full"], [2, "service"], [1, "random"], [0.6, "none"]]);
    if (allowKind === "full") level.push(FULL_AWS_ACCESS);
    else if (allowKind === "service") {
      level.push({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: r.some(["kms:*", "s3:*", "sagemaker:*", "s3:Get*", "kms:Decrypt"], 1, 3), Resource: "*" }],
      });
    } else if (allowKind === "random") {
      level.push(policy(r, caller, target, "scp", { minSt: 1, maxSt: 2, denyRate: 0 }));
    }
    if (r.chance(0.35) || allowKind === "none") level.push(policy(r, caller, target, "scp", { minSt: 1, maxSt: 2, denyRate: 1 }));
    levels.push(level);
  }
  return levels;
}

function rcpStatement(r, caller, target) {
  const actions = r.some(["kms:*", "s3:*", "sagemaker:*", target.action, "s3:GetObject", "kms:Decrypt"], 1, 2);
  const st = { Effect: "Deny", Principal: "*", Action: [...new Set(actions)], Resource: r.chance(0.8) ? "*" : resourceElement(r, target) };
  const cond = r.weighted([
    [3, { StringNotEqualsIfExists: { "aws:PrincipalAccount": r.pick([[RA], [RA, XA], RA]) } }],
    [2, { BoolIfExists: { "aws:SecureTransport": "false" } }],
    [1, { StringNotEquals: { "aws:PrincipalAccount": "${aws:ResourceAccount}" } }],
    [1, { "Null": { "aws:SourceIp": "true" } }],
    [2, conditionBlock(r, caller, target, "rcp") || {}],
  ]);
  if (Object.keys(cond).length) st.Condition = cond;
  return st;
}

function rcpLevels(r, caller, target) {
  const levels = [];
  const n = 1 + r.int(2);
  for (let l = 0; l < n; l++) {
    const level = [];
    const k = r.weighted([[2, 0], [5, 1], [2, 2]]);
    for (let i = 0; i < k; i++) level.push({ Version: "2012-10-17", Statement: [rcpStatement(r, caller, target)] });
    levels.push(level);
  }
  return levels;
}

// ---------------------------------------------------------------------------------------------------------
// Cases

export function generateCase(r, index) {
  const caller = r.weighted(CALLERS);
  const target = pickTarget(r, caller);
  const context = makeContext(r, caller, target);
  const hasIdentity = !["root", "service", "anonymous"].includes(caller.kind);
  const c = {
    id: index,
    request: {
      principal: caller.arn,
      action: target.action,
      resource: target.resource,
      resourceAccount: target.account,
      context,
    },
    identityPolicies: [],
    resourcePolicy: null,
    permissionsBoundary: null,
    sessionPolicy: null,
    scps: null,
    rcps: null,
  };
  if (hasIdentity) {
    const n = r.weighted([[2, 0], [6, 1], [2, 2]]);
    for (let i = 0; i < n; i++) c.identityPolicies.push(policy(r, caller, target, "identity", { denyRate: 0.2 }));
    if (r.chance(0.25)) c.permissionsBoundary = policy(r, caller, target, "boundary", { minSt: 1, maxSt: 2, denyRate: 0.15 });
    if (["role", "session", "federated"].includes(caller.kind) && r.chance(0.3)) {
      c.sessionPolicy = policy(r, caller, target, "session", { minSt: 1, maxSt: 2, denyRate: 0.1 });
    }
  }
  if (target.service === "kms") c.resourcePolicy = keyPolicy(r, caller, target);
  else if (target.service === "s3" && r.chance(0.7)) c.resourcePolicy = policy(r, caller, target, "resource", { minSt: 1, maxSt: 3, denyRate: 0.25 });
  // SCPs govern the caller's organization; the root user of a member account is governed too.
  // (iam-simulate rejects SCPs for anonymous requests, which no organization governs.)
  if (caller.kind === "anonymous" ? false : caller.kind !== "service" ? r.chance(0.35) : r.chance(0.1)) c.scps = scpLevels(r, caller, target);
  if (r.chance(0.25)) c.rcps = rcpLevels(r, caller, target);
  c.features = features(c, caller, target);
  return c;
}

export function generate(n, seed) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < n; i++) out.push(generateCase(r, i));
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Features: what a case exercises (for the per-feature breakdown)

function allPolicies(c) {
  const out = [];
  c.identityPolicies.forEach((p) => out.push(["identity", p]));
  if (c.resourcePolicy) out.push([c.request.resource.startsWith("arn:aws:kms:") ? "key" : "resource", c.resourcePolicy]);
  if (c.permissionsBoundary) out.push(["boundary", c.permissionsBoundary]);
  if (c.sessionPolicy) out.push(["session", c.sessionPolicy]);
  (c.scps || []).flat().forEach((p) => out.push(["scp", p]));
  (c.rcps || []).flat().forEach((p) => out.push(["rcp", p]));
  return out;
}

export function features(c, caller, target) {
  const f = new Set();
  f.add(`caller:${caller.kind}`);
  f.add(`service:${target.service}`);
  f.add(caller.account === target.account ? "account:same" : caller.account ? "account:cross" : "account:none");
  if (target.action.startsWith("kms:") && ["kms:DisableKey", "kms:ScheduleKeyDeletion"].includes(target.action)) f.add("action:kms-not-cross-account");
  if (c.identityPolicies.length) f.add("policy:identity");
  if (c.resourcePolicy) f.add(target.service === "kms" ? "policy:key" : "policy:resource");
  if (c.permissionsBoundary) f.add("policy:boundary");
  if (c.sessionPolicy) f.add("policy:session");
  if (c.scps) f.add(c.scps.length > 1 ? "policy:scp-levels" : "policy:scp");
  if (c.rcps) f.add("policy:rcp");
  const text = JSON.stringify(c);
  if (text.includes("${")) f.add("policy-variable");
  for (const [, p] of allPolicies(c)) {
    if (p.Version !== "2012-10-17") f.add("version:2008-10-17");
    for (const st of p.Statement) {
      for (const el of ["NotAction", "NotResource", "NotPrincipal"]) if (st[el]) f.add(`element:${el}`);
      const acts = [st.Action ?? st.NotAction].flat();
      if (acts.some((a) => a.includes("*") || a.includes("?"))) f.add("action:wildcard");
      if (acts.some((a) => a !== a.toLowerCase() && a.toLowerCase() === c.request.action.toLowerCase() && a !== c.request.action)) f.add("action:case");
      const res = [st.Resource ?? st.NotResource].flat();
      if (res.some((x) => x !== "*" && (x.includes("*") || x.includes("?")))) f.add("resource:wildcard");
      const pr = st.Principal ?? st.NotPrincipal;
      if (pr !== undefined) {
        const entries = pr === "*" ? ["*"] : Object.entries(pr).flatMap(([k, v]) => [v].flat().map((x) => (k === "Service" ? "service" : x)));
        for (const e of entries) f.add(`principal:${principalKind(e)}`);
      }
      for (const [op, kv] of Object.entries(st.Condition || {})) {
        const base = op.replace(/^(ForAllValues|ForAnyValue):/, "");
        const set = op.match(/^(ForAllValues|ForAnyValue):/);
        if (set) f.add(`set:${set[1]}`);
        if (base.endsWith("IfExists")) f.add("op:…IfExists");
        f.add(`op:${base.replace(/IfExists$/, "")}`);
        for (const k of Object.keys(kv)) f.add(`key:${k.replace(/^kms:EncryptionContext:.*/, "kms:EncryptionContext:*")}`);
      }
    }
  }
  return [...f].sort();
}

function principalKind(e) {
  if (e === "*") return "*";
  if (e === "service") return "service";
  if (/^\d{12}$/.test(e)) return "account-id";
  if (e.endsWith(":root")) return "account-root";
  if (e.includes(":user/")) return "user";
  if (e.includes(":role/")) return "role";
  if (e.includes(":assumed-role/")) return "session";
  if (e.includes(":federated-user/")) return "federated-user";
  return "other";
}

// ---------------------------------------------------------------------------------------------------------
// Mapping to each engine's input

// The RCP AWS attaches to the root, every OU and every account (iam-simulate adds it to every level itself).
export const RCP_FULL_AWS_ACCESS = {
  Version: "2012-10-17",
  Statement: [{ Sid: "RCPFullAWSAccess", Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }],
};

/** The kmslab question (docs/contract.md). */
export function toKmslab(c, { explain = false } = {}) {
  const q = { request: { ...c.request }, identityPolicies: c.identityPolicies };
  if (c.resourcePolicy) q.resourcePolicy = c.resourcePolicy;
  if (c.permissionsBoundary) q.permissionsBoundary = c.permissionsBoundary;
  if (c.sessionPolicy) q.sessionPolicy = c.sessionPolicy;
  if (c.scps) q.serviceControlPolicies = c.scps;
  if (c.rcps) q.resourceControlPolicies = c.rcps.map((level) => [RCP_FULL_AWS_ACCESS, ...level]);
  q.explain = explain;
  return q;
}

/** The iam-simulate `Simulation` (runSimulation's input). */
export function toIamSimulate(c) {
  const named = (prefix) => (p, i) => ({ name: `${prefix}${i}`, policy: p });
  const sim = {
    request: {
      principal: c.request.principal === "anonymous" ? anonymousPrincipal : c.request.principal,
      action: c.request.action,
      resource: { resource: c.request.resource, accountId: c.request.resourceAccount },
      contextVariables: c.request.context,
    },
    identityPolicies: c.identityPolicies.map(named("identityPolicies")),
    serviceControlPolicies: (c.scps || []).map((level, l) => ({
      orgIdentifier: l === 0 ? "r-root" : `ou-level-${l}`,
      policies: level.map(named(`scp${l}-`)),
    })),
    resourceControlPolicies: (c.rcps || []).map((level, l) => ({
      orgIdentifier: l === 0 ? "r-root" : `ou-level-${l}`,
      policies: level.map(named(`rcp${l}-`)),
    })),
  };
  if (c.resourcePolicy) sim.resourcePolicy = c.resourcePolicy;
  if (c.permissionsBoundary) sim.permissionBoundaryPolicies = [{ name: "permissionsBoundary", policy: c.permissionsBoundary }];
  if (c.sessionPolicy) sim.sessionPolicy = c.sessionPolicy;
  return sim;
}

// ---------------------------------------------------------------------------------------------------------
// CLI

function arg(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : dflt;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(arg("n", 5000));
  const seed = arg("seed", "1");
  const format = arg("format", "case");
  process.stdout.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  for (const c of generate(n, seed)) {
    const doc = format === "kmslab" ? toKmslab(c) : format === "iam-simulate" ? toIamSimulate(c) : c;
    process.stdout.write(JSON.stringify(doc) + "\n");
  }
}
