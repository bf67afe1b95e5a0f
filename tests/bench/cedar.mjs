// The Cedar equivalents of the benchmark's policy sets (tests/bench/questions.json), for
// @cedar-policy/cedar-wasm, written by hand from the IAM policies, statement by statement.
//
// Modelling (the same for every set):
// - IAM principals are entities `Aws::User::"<arn>"` and `Aws::Role::"<arn>"`; a role session
//   `Aws::Session::"<sts arn>"` has its role as parent, so a key policy naming the role is `principal in`.
// - Every resource is `Aws::Resource::"<arn>"` with an `arn` attribute. `"Resource": "*"` in a key policy
//   means the key itself (`resource == …`); in an identity policy, any resource.
// - Actions are `Action::"<service>:<Action>"`; an IAM action wildcard (`kms:*`, `kms:Describe*`) is an
//   action group whose members are given in the entities (Cedar has no action wildcards).
// - Condition keys stay in `context` under their IAM names (`context["kms:ViaService"]`); `StringLike`
//   is `like`; `Bool…IfExists` is `!(context has …) || …`; booleans are Cedar booleans.
// - A key policy's root statement ("Enable IAM User Permissions") delegates to IAM: the identity
//   policies' statements are `permit`s of their own (the request is in the key's account). The root user
//   itself is `Aws::Account::"<id>"`.
// - IAM's three outcomes from Cedar's two: `allow` → Allow; `deny` with a determining (forbid) policy in
//   `diagnostics.reason` → ExplicitDeny; `deny` with none → ImplicitDeny.
//
// No faithful equivalent: the `iam-s3` set, whose Allow is on `…/home/${aws:username}/*`. IAM substitutes
// the policy variable into the pattern; Cedar's `like` takes a literal pattern only and has no string
// concatenation, so the statement can't be written without changing the model (e.g. an `owner` attribute on
// every object, which is a different policy). Those questions are left out of Cedar's runs.

const KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const USER = "arn:aws:iam::111122223333:user/featurestore-user";
const ADMIN_ROLE = "arn:aws:iam::111122223333:role/featurestore-admin";
const ALICE = "arn:aws:iam::111122223333:user/alice";

// The seed key policy (tests/scenarios/seed.json), statement by statement.
const seedKeyPolicy = `
// "Allow access through Amazon SageMaker Feature Store …": featurestore-user, through Feature Store only.
@id("kp-featurestore")
permit (
  principal == Aws::User::"${USER}",
  action in [Action::"kms:Encrypt", Action::"kms:Decrypt", Action::"kms:DescribeKey", Action::"kms:CreateGrant",
             Action::"kms:RetireGrant", Action::"kms:ReEncryptFrom", Action::"kms:ReEncryptTo",
             Action::"kms:GenerateDataKey", Action::"kms:ListAliases", Action::"kms:ListGrants"],
  resource == Aws::Resource::"${KEY}"
) when { context has "kms:ViaService" && context["kms:ViaService"] like "sagemaker.*.amazonaws.com" };

// "Allow administrators to view the customer managed key and revoke grants".
@id("kp-admin")
permit (
  principal in Aws::Role::"${ADMIN_ROLE}",
  action in [Action::"kms:Describe*", Action::"kms:Get*", Action::"kms:List*", Action::"kms:RevokeGrant"],
  resource == Aws::Resource::"${KEY}"
);

// "Enable IAM User Permissions": the account's root user; delegation to IAM is the identity permits below.
@id("kp-root")
permit (principal == Aws::Account::"111122223333", action in Action::"kms:*", resource == Aws::Resource::"${KEY}");
`;

const featureStoreAccess = `
// featurestore-user's FeatureStoreAccess, statement FeatureGroups.
@id("id-feature-groups")
permit (
  principal == Aws::User::"${USER}",
  action in [Action::"sagemaker:CreateFeatureGroup", Action::"sagemaker:DescribeFeatureGroup",
             Action::"sagemaker:DeleteFeatureGroup", Action::"sagemaker:PutRecord", Action::"sagemaker:GetRecord",
             Action::"sagemaker:DeleteRecord", Action::"sagemaker:BatchGetRecord"],
  resource
) when { resource.arn like "arn:aws:sagemaker:us-east-1:111122223333:feature-group/*" };

// … statement KmsIamOnly.
@id("id-kms-iam-only")
permit (
  principal == Aws::User::"${USER}",
  action in [Action::"kms:ListAliases", Action::"kms:RetireGrant", Action::"kms:RevokeGrant"],
  resource
);
`;

const requireMfaForRevoke = `
// The featurestore-admin role's guardrail RequireMfaForRevoke (BoolIfExists aws:MultiFactorAuthPresent false).
@id("id-deny-revoke-without-mfa")
forbid (principal in Aws::Role::"${ADMIN_ROLE}", action == Action::"kms:RevokeGrant", resource)
when { !(context has "aws:MultiFactorAuthPresent") || context["aws:MultiFactorAuthPresent"] == false };
`;

const iamKms = `
// The key policy's only statement, "Enable IAM User Permissions" (delegation to IAM).
@id("kp-root")
permit (principal == Aws::Account::"111122223333", action in Action::"kms:*", resource == Aws::Resource::"${KEY}");

// alice's AnalystsDecrypt.
@id("id-analysts-decrypt")
permit (
  principal == Aws::User::"${ALICE}",
  action in [Action::"kms:Decrypt", Action::"kms:GenerateDataKey"],
  resource == Aws::Resource::"${KEY}"
) when { context has "aws:PrincipalTag/team" && context["aws:PrincipalTag/team"] == "analytics" };
`;

/** The Cedar policy text of each set; `null`: no faithful equivalent (see above). */
export const cedarPolicies = {
  "seed-user": seedKeyPolicy + featureStoreAccess,
  "seed-admin": seedKeyPolicy + requireMfaForRevoke,
  "iam-kms": iamKms,
  "iam-s3": null,
};

export const noEquivalent = {
  "iam-s3": "the Allow's resource is `…/home/${aws:username}/*`: Cedar's `like` takes a literal pattern and has no string concatenation",
};

const uid = (type, id) => ({ type, id });

/** The entity type of an IAM principal ARN. */
function principalUid(arn) {
  if (arn.includes(":assumed-role/")) return uid("Aws::Session", arn);
  if (arn.includes(":role/")) return uid("Aws::Role", arn);
  return uid("Aws::User", arn);
}

/** The action groups an action belongs to: `kms:*` and, for KMS's List/Describe/Get actions, those too. */
function actionParents(action) {
  const [service, name] = action.split(":");
  const parents = [uid("Action", `${service}:*`)];
  for (const prefix of ["Describe", "Get", "List"]) {
    if (name.startsWith(prefix)) parents.push(uid("Action", `${service}:${prefix}*`));
  }
  return parents;
}

/** Cedar's context for IAM's: the same keys; "true"/"false" of the Bool keys as booleans. */
function cedarContext(context = {}) {
  const out = {};
  for (const [k, v] of Object.entries(context)) {
    out[k] = k === "aws:MultiFactorAuthPresent" || k === "aws:SecureTransport" ? v === "true" : v;
  }
  return out;
}

/**
 * The `isAuthorized` call (without `policies`) for a kmslab request: principal, action, resource, context and
 * the entities the request involves (the principal with its role, the resource with its ARN, the action with
 * its groups).
 */
export function cedarRequest(request) {
  const principal = principalUid(request.principal);
  const entities = [];
  if (principal.type === "Aws::Session") {
    const [, account, rest] = request.principal.match(/^arn:aws:sts::(\d{12}):assumed-role\/(.+)$/);
    const role = rest.split("/")[0];
    entities.push({ uid: principal, attrs: {}, parents: [uid("Aws::Role", `arn:aws:iam::${account}:role/${role}`)] });
    entities.push({ uid: uid("Aws::Role", `arn:aws:iam::${account}:role/${role}`), attrs: {}, parents: [] });
  } else {
    entities.push({ uid: principal, attrs: {}, parents: [] });
  }
  const resource = uid("Aws::Resource", request.resource);
  entities.push({ uid: resource, attrs: { arn: request.resource }, parents: [] });
  const action = uid("Action", request.action);
  entities.push({ uid: action, attrs: {}, parents: actionParents(request.action) });
  return { principal, action, resource, context: cedarContext(request.context), entities };
}

/** IAM's decision from a cedar-wasm `AuthorizationAnswer`. */
export function iamDecision(answer) {
  if (answer.type !== "success") {
    throw new Error(`cedar-wasm failed: ${JSON.stringify(answer.errors)}`);
  }
  const { decision, diagnostics } = answer.response;
  if (diagnostics.errors.length) {
    throw new Error(`cedar-wasm policy errors: ${JSON.stringify(diagnostics.errors)}`);
  }
  if (decision === "allow") return "Allow";
  return diagnostics.reason.length ? "ExplicitDeny" : "ImplicitDeny";
}
