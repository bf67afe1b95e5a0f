// Facts about a disagreement, the predicate language of known.json, and the neutralizers that confirm a class.
//
// A known difference's `when` is { "kmslab": [decisions], "iamSimulate": [decisions], "facts": [all of these],
// "anyFacts": [at least one of these], "notFacts": [none of these] } (every part optional). Facts are strings:
// the case's features (`caller:root`, `policy:scp`, …), `kmslabReason:<reason>`, `iamSimulate:<part>:<result>`
// and the facts computed below (`fact:…`).
//
// A class may name a `neutralize` transform: a rewrite of the case that removes exactly the construct the two
// engines treat differently. run.mjs applies the transforms of every class a disagreement matches and asks
// both engines again; when they then agree, the class is *confirmed* as the cause. A disagreement that still
// differs after neutralizing is reported as unexplained (the listed classes don't account for it).

export function matches(when, facts) {
  if (when.kmslab && !when.kmslab.includes(facts.kmslab)) return false;
  if (when.iamSimulate && !when.iamSimulate.includes(facts.iamSimulate)) return false;
  if (when.facts && !when.facts.every((f) => facts.set.has(f))) return false;
  if (when.anyFacts && !when.anyFacts.some((f) => facts.set.has(f))) return false;
  if (when.notFacts && when.notFacts.some((f) => facts.set.has(f))) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers over a case

const POLICY_SLOTS = ["identityPolicies", "resourcePolicy", "permissionsBoundary", "sessionPolicy", "scps", "rcps"];

/** Every policy document of a case (mutable references). */
export function policiesOf(c) {
  const out = [];
  for (const p of c.identityPolicies) out.push(p);
  if (c.resourcePolicy) out.push(c.resourcePolicy);
  if (c.permissionsBoundary) out.push(c.permissionsBoundary);
  if (c.sessionPolicy) out.push(c.sessionPolicy);
  for (const level of c.scps || []) out.push(...level);
  for (const level of c.rcps || []) out.push(...level);
  return out;
}

function statementsOf(c) {
  return policiesOf(c).flatMap((p) => p.Statement);
}

const list = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The names a resource policy may give the caller (what kmslab's NotPrincipal checks: account, then ARNs). */
export function callerIdentities(principal) {
  let m;
  if ((m = principal.match(/^arn:aws:iam::(\d{12}):user\/(.+)$/))) return { account: m[1], arns: [principal] };
  if ((m = principal.match(/^arn:aws:iam::(\d{12}):role\/(.+)$/))) return { account: m[1], arns: [principal] };
  if ((m = principal.match(/^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/))) {
    return { account: m[1], arns: [`arn:aws:iam::${m[1]}:role/${m[2]}`, principal] };
  }
  if ((m = principal.match(/^arn:aws:sts::(\d{12}):federated-user\/(.+)$/))) {
    return { account: m[1], arns: [principal], federatedName: m[2] };
  }
  if ((m = principal.match(/^arn:aws:iam::(\d{12}):root$/))) return { account: m[1], arns: [] };
  return { account: null, arns: [], service: principal };
}

function principalEntries(el) {
  if (el === undefined) return [];
  if (el === "*") return [{ type: "AWS", value: "*" }];
  return Object.entries(el).flatMap(([type, v]) => list(v).map((value) => ({ type, value })));
}

function entryIsAccount(e, account) {
  return e.type === "AWS" && (e.value === account || e.value === `arn:aws:iam::${account}:root`);
}

// ---------------------------------------------------------------------------------------------------------
// Facts

function resourcePatterns(c) {
  return statementsOf(c).flatMap((st) => [...list(st.Resource), ...list(st.NotResource)]);
}

/** A Resource pattern whose partition/service/region/account segments are not lower case (the request's are). */
function hasCaseVariantArnSegments(c) {
  return resourcePatterns(c).some((p) => p !== "*" && p.split(":").slice(0, 5).join(":") !== p.split(":").slice(0, 5).join(":").toLowerCase());
}

function isEpoch(v) {
  return /^\d+$/.test(String(v));
}

/** A Date condition comparing an epoch value with an ISO 8601 value (policy vs request). */
function hasMixedDateFormats(c) {
  const ctx = lowerKeys(c.request.context);
  for (const st of statementsOf(c)) {
    for (const [op, kv] of Object.entries(st.Condition || {})) {
      if (!/^(ForAllValues:|ForAnyValue:)?Date/.test(op)) continue;
      for (const [k, vals] of Object.entries(kv)) {
        const req = ctx[k.toLowerCase()];
        if (req === undefined) continue;
        if (list(vals).some((v) => isEpoch(v) !== isEpoch(req))) return true;
      }
    }
  }
  return false;
}

function lowerKeys(o) {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
}

/** A Deny NotPrincipal listing some but not all of the caller's names (its account, its ARNs). */
function hasPartialNotPrincipal(c) {
  const id = callerIdentities(c.request.principal);
  if (!id.account) return false;
  for (const st of c.resourcePolicy?.Statement ?? []) {
    if (!st.NotPrincipal || st.Effect !== "Deny") continue;
    const entries = principalEntries(st.NotPrincipal);
    if (entries.some((e) => e.value === "*")) continue;
    const names = [entries.some((e) => entryIsAccount(e, id.account)), ...id.arns.map((a) => entries.some((e) => e.type === "AWS" && e.value === a))];
    if (names.some(Boolean) && !names.every(Boolean)) return true;
  }
  return false;
}

/** A resource policy naming `arn:aws:iam::ACCOUNT:user/NAME` where the caller is `federated-user/NAME`. */
function namesFederatedUsersIamUser(c) {
  const id = callerIdentities(c.request.principal);
  if (!id.federatedName) return false;
  const userArn = `arn:aws:iam::${id.account}:user/${id.federatedName}`;
  return (c.resourcePolicy?.Statement ?? []).some((st) => principalEntries(st.Principal ?? st.NotPrincipal).some((e) => e.value === userArn));
}

const VARIABLE = /\$\{([^}]+)\}/g;

function unresolvedVariables(c, text) {
  const ctx = lowerKeys(c.request.context);
  return [...String(text).matchAll(VARIABLE)].map((m) => m[1]).filter((k) => {
    const v = ctx[k.trim().toLowerCase()];
    return v === undefined || Array.isArray(v);
  });
}

/** A negated String/Arn condition (2012-10-17 policy) with a value whose policy variable has no value. */
function hasUnresolvedVariableInNegatedCondition(c) {
  for (const p of policiesOf(c)) {
    if (p.Version !== "2012-10-17") continue;
    for (const st of p.Statement) {
      for (const [op, kv] of Object.entries(st.Condition || {})) {
        if (!/^(ForAllValues:|ForAnyValue:)?(String|Arn)Not/.test(op)) continue;
        if (Object.values(kv).some((vals) => list(vals).some((v) => unresolvedVariables(c, v).length))) return true;
      }
    }
  }
  return false;
}

/** A resource-policy Deny with NotPrincipal, and the caller (an IAM user or role) has a permissions boundary. */
function hasNotPrincipalDenyWithBoundary(c) {
  const id = callerIdentities(c.request.principal);
  if (!c.permissionsBoundary || !id.account || id.arns.length === 0) return false;
  return (c.resourcePolicy?.Statement ?? []).some((st) => st.Effect === "Deny" && st.NotPrincipal);
}

const isV6 = (ip) => String(ip).includes(":");

/** An IpAddress/NotIpAddress value written without a prefix, of the other IP family than aws:SourceIp. */
function hasBareAddressOfOtherFamily(c) {
  const ip = lowerKeys(c.request.context)["aws:sourceip"];
  if (ip === undefined) return false;
  for (const st of statementsOf(c)) {
    for (const [op, kv] of Object.entries(st.Condition || {})) {
      if (!/IpAddress/.test(op)) continue;
      for (const [k, vals] of Object.entries(kv)) {
        if (k.toLowerCase() !== "aws:sourceip") continue;
        if (list(vals).some((v) => !String(v).includes("/") && isV6(v) !== isV6(ip))) return true;
      }
    }
  }
  return false;
}

function hasVariablesIn2008Policy(c) {
  return policiesOf(c).some((p) => p.Version !== "2012-10-17" && JSON.stringify(p.Statement).includes("${"));
}

/** How kmslab's determining resource-policy Allow statements named the caller. */
function kmslabAllowVia(c, answer) {
  const via = new Set();
  if (answer.decision !== "Allow") return via;
  const id = callerIdentities(c.request.principal);
  for (const d of answer.determining ?? []) {
    if (d.policyType !== "resourcePolicy") continue;
    const st = c.resourcePolicy?.Statement?.[d.statementIndex];
    for (const e of principalEntries(st?.Principal)) {
      if (e.value === "*") via.add("star");
      else if (id.account && entryIsAccount(e, id.account)) via.add("account");
      else if (e.value === c.request.principal) via.add("callerArn");
      else if (id.arns.includes(e.value)) via.add("roleArn");
    }
  }
  return via;
}

/**
 * Computes the facts of one disagreement `d` ({ c: case, kd, id, k, i }) given kmslab's explained answer.
 */
export function computeFacts(d, explained) {
  const set = new Set(d.c.features);
  const c = d.c;
  set.add(`kmslabReason:${explained.reason}`);
  const a = d.i?.result?.analysis;
  if (a) {
    if (a.scpAnalysis) set.add(`iamSimulate:scp:${a.scpAnalysis.result}`);
    if (a.rcpAnalysis) set.add(`iamSimulate:rcp:${a.rcpAnalysis.result}`);
    if (a.sessionAnalysis) set.add(`iamSimulate:session:${a.sessionAnalysis.result}`);
    if (a.permissionBoundaryAnalysis) set.add(`iamSimulate:boundary:${a.permissionBoundaryAnalysis.result}`);
    if (a.resourceAnalysis) set.add(`iamSimulate:resource:${a.resourceAnalysis.result}`);
    if (a.identityAnalysis) set.add(`iamSimulate:identity:${a.identityAnalysis.result}`);
    for (const b of a.blockedBy ?? []) set.add(`iamSimulate:blockedBy:${b}`);
    for (const s of [...(a.resourceAnalysis?.allowStatements ?? []), ...(a.resourceAnalysis?.denyStatements ?? [])]) {
      set.add(`iamSimulate:principalMatch:${s.principalMatch}`);
    }
  }
  const ignored = d.i?.result?.ignoredContextKeys ?? [];
  const refersToEc = JSON.stringify(policiesOf(c)).toLowerCase().includes("kms:encryptioncontext:");
  if (ignored.some((k) => k.toLowerCase().startsWith("kms:encryptioncontext:")) && refersToEc) set.add("fact:ec-context-dropped");
  if (hasCaseVariantArnSegments(c)) set.add("fact:resource-arn-segment-case");
  if (hasMixedDateFormats(c)) set.add("fact:date-epoch-vs-iso");
  if (hasPartialNotPrincipal(c)) set.add("fact:notprincipal-partial");
  if (namesFederatedUsersIamUser(c)) set.add("fact:names-federated-users-iam-user");
  if (hasVariablesIn2008Policy(c)) set.add("fact:variables-in-2008-policy");
  if (hasBareAddressOfOtherFamily(c)) set.add("fact:bare-ip-address-other-family");
  if (hasUnresolvedVariableInNegatedCondition(c)) set.add("fact:unresolved-variable-in-negated-condition");
  if (hasNotPrincipalDenyWithBoundary(c)) set.add("fact:notprincipal-deny-with-boundary");
  for (const v of kmslabAllowVia(c, explained)) set.add(`fact:kmslab-resource-allow-via:${v}`);
  return { set, list: [...set].sort(), kmslab: d.kd, iamSimulate: d.id };
}

// ---------------------------------------------------------------------------------------------------------
// Neutralizers: each returns a rewritten copy of the case without the construct of its class.

const clone = (x) => JSON.parse(JSON.stringify(x));

function mapPolicies(c, fn) {
  const n = clone(c);
  n.identityPolicies = n.identityPolicies.map(fn);
  for (const slot of ["resourcePolicy", "permissionsBoundary", "sessionPolicy"]) if (n[slot]) n[slot] = fn(n[slot]);
  for (const slot of ["scps", "rcps"]) if (n[slot]) n[slot] = n[slot].map((level) => level.map(fn));
  return n;
}

function mapStatements(c, fn) {
  return mapPolicies(c, (p) => ({ ...p, Statement: p.Statement.map(fn) }));
}

function toIso(epochSeconds) {
  return new Date(Number(epochSeconds) * 1000).toISOString().replace(".000Z", "Z");
}

function toEpoch(iso) {
  return String(Math.floor(Date.parse(iso) / 1000));
}

export const NEUTRALIZERS = {
  // The request carries no encryption context (iam-simulate drops it anyway).
  "drop-encryption-context": (c) => {
    const n = clone(c);
    for (const k of Object.keys(n.request.context)) if (k.toLowerCase().startsWith("kms:encryptioncontext")) delete n.request.context[k];
    return n;
  },
  // Lower-case the partition, service, region and account of every Resource/NotResource pattern.
  "lowercase-arn-segments": (c) =>
    mapStatements(c, (st) => {
      const fix = (p) => (p === "*" ? p : [...p.split(":").slice(0, 5).map((s) => s.toLowerCase()), ...p.split(":").slice(5)].join(":"));
      const s = { ...st };
      if (s.Resource !== undefined) s.Resource = Array.isArray(s.Resource) ? s.Resource.map(fix) : fix(s.Resource);
      if (s.NotResource !== undefined) s.NotResource = Array.isArray(s.NotResource) ? s.NotResource.map(fix) : fix(s.NotResource);
      return s;
    }),
  // No SCPs (they don't govern a service principal).
  "drop-scps": (c) => ({ ...clone(c), scps: null }),
  // Write every Date condition value in the format of the request's value.
  "same-date-format": (c) => {
    const ctx = lowerKeys(c.request.context);
    return mapStatements(c, (st) => {
      if (!st.Condition) return st;
      const cond = clone(st.Condition);
      for (const [op, kv] of Object.entries(cond)) {
        if (!/^(ForAllValues:|ForAnyValue:)?Date/.test(op)) continue;
        for (const [k, vals] of Object.entries(kv)) {
          const req = ctx[k.toLowerCase()];
          if (req === undefined) continue;
          const conv = (v) => (isEpoch(v) === isEpoch(req) ? v : isEpoch(req) ? toEpoch(v) : toIso(v));
          kv[k] = Array.isArray(vals) ? vals.map(conv) : conv(vals);
        }
      }
      return { ...st, Condition: cond };
    });
  },
  // Every NotPrincipal that names some of the caller's names names all of them.
  "complete-notprincipal": (c) => {
    const id = callerIdentities(c.request.principal);
    const n = clone(c);
    for (const st of n.resourcePolicy?.Statement ?? []) {
      if (!st.NotPrincipal || st.Effect !== "Deny" || st.NotPrincipal === "*") continue;
      const entries = principalEntries(st.NotPrincipal);
      const named = entries.some((e) => entryIsAccount(e, id.account)) || id.arns.some((a) => entries.some((e) => e.value === a));
      if (!named) continue;
      const aws = new Set(list(st.NotPrincipal.AWS));
      aws.add(`arn:aws:iam::${id.account}:root`);
      for (const a of id.arns) aws.add(a);
      st.NotPrincipal = { ...st.NotPrincipal, AWS: [...aws] };
    }
    return n;
  },
  // The resource policy no longer names the IAM user whose name the federated user has.
  "unname-federated-users-iam-user": (c) => {
    const id = callerIdentities(c.request.principal);
    const userArn = `arn:aws:iam::${id.account}:user/${id.federatedName}`;
    const n = clone(c);
    for (const st of n.resourcePolicy?.Statement ?? []) {
      for (const el of ["Principal", "NotPrincipal"]) {
        if (!st[el] || st[el] === "*") continue;
        for (const [t, v] of Object.entries(st[el])) {
          st[el][t] = Array.isArray(v) ? v.map((x) => (x === userArn ? `arn:aws:iam::${id.account}:user/nobody` : x)) : v === userArn ? `arn:aws:iam::${id.account}:user/nobody` : v;
        }
      }
    }
    return n;
  },
  // Policies with variables use Version 2012-10-17.
  "version-2012": (c) => mapPolicies(c, (p) => (JSON.stringify(p.Statement).includes("${") ? { ...p, Version: "2012-10-17" } : p)),
  // Every policy variable without a value in the request becomes a literal that matches nothing.
  "literal-for-unresolved-variables": (c) =>
    mapPolicies(c, (p) => JSON.parse(JSON.stringify(p).replace(VARIABLE, (m, k) => (unresolvedVariables(c, m).length ? `unresolved-${k.replace(/[^A-Za-z0-9]/g, "-")}` : m)))),
  // No Deny statements with NotPrincipal in the resource policy.
  "drop-notprincipal-denies": (c) => {
    const n = clone(c);
    if (n.resourcePolicy) {
      const kept = n.resourcePolicy.Statement.filter((st) => !(st.Effect === "Deny" && st.NotPrincipal));
      n.resourcePolicy.Statement = kept.length ? kept : [{ Effect: "Deny", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "s3:GetObject", Resource: "*" }];
    }
    return n;
  },
  // IP addresses without a prefix get theirs (/32 or /128), as IAM reads them.
  "explicit-ip-prefix": (c) =>
    mapStatements(c, (st) => {
      if (!st.Condition) return st;
      const cond = clone(st.Condition);
      for (const [op, kv] of Object.entries(cond)) {
        if (!/IpAddress/.test(op)) continue;
        for (const [k, vals] of Object.entries(kv)) {
          const fix = (v) => (String(v).includes("/") ? v : `${v}/${isV6(v) ? 128 : 32}`);
          kv[k] = Array.isArray(vals) ? vals.map(fix) : fix(vals);
        }
      }
      return { ...st, Condition: cond };
    }),
  // No session policy.
  "drop-session-policy": (c) => ({ ...clone(c), sessionPolicy: null }),
  // The root user gets an identity policy allowing everything (what "full access" means to iam-simulate).
  "root-full-access-policy": (c) => ({
    ...clone(c),
    identityPolicies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }],
  }),
};

export { POLICY_SLOTS };
