//! Scenario documents: the one format for tests, examples, share links and the npm API
//! (`docs/scenario.md`, `docs/scenario.schema.json`).
//!
//! A scenario declares a region's accounts, principals, organization policies, KMS keys, buckets and RAM
//! shares, then an ordered list of calls (and clock steps). Running it returns, per call, the output or the
//! AWS error, every authorization made (with its trace), the CloudTrail events, and a KMS request and cost
//! report. A call may carry `expect`, so a scenario is also a test.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::contract::PolicyInput;
use crate::evaluation::PolicySource;
use crate::featurestore::Share;
use crate::iam::{IamPrincipal, Organization};
use crate::kms::crypto::{Entropy, SeededEntropy};
use crate::kms::service::Authorization;
use crate::kms::{KeyManager, KeySeed, KeySpec, KeyState, KeyUsage};
use crate::policy::values::parse_date;
use crate::s3::Bucket;
use crate::world::World;

/// The scenario format version this engine reads.
pub const FORMAT_VERSION: u64 = 1;
/// Most calls one scenario may run.
pub const MAX_CALLS: usize = 100_000;

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object),
    tsify(rename = "ScenarioDocument")
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    pub kmslab: u64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default = "default_region")]
    pub region: String,
    #[serde(default = "default_partition")]
    pub partition: String,
    /// ISO 8601 start of the simulated clock (default 2026-01-01T00:00:00Z).
    #[serde(default)]
    pub start_time: Option<String>,
    /// Seed for reproducible key material and ids: any string (hashed) — without it, the OS's randomness.
    #[serde(default)]
    pub seed: Option<String>,
    #[serde(default)]
    pub accounts: Vec<AccountDecl>,
    #[serde(default)]
    pub principals: Vec<PrincipalDecl>,
    #[serde(default)]
    pub organization: Option<OrganizationDecl>,
    #[serde(default)]
    pub keys: Vec<KeyDecl>,
    #[serde(default)]
    pub buckets: Vec<BucketDecl>,
    #[serde(default)]
    pub shares: Vec<Share>,
    #[serde(default)]
    pub settings: Settings,
    #[serde(default)]
    #[cfg_attr(feature = "wasm-policy", tsify(type = "ScenarioStep[]"))]
    pub calls: Vec<Step>,
}

fn default_region() -> String {
    String::from("us-east-1")
}

fn default_partition() -> String {
    String::from("aws")
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountDecl {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrincipalDecl {
    /// `arn:aws:iam::ACCOUNT:user/NAME` or `arn:aws:iam::ACCOUNT:role/NAME`.
    pub arn: String,
    #[serde(default)]
    pub policies: Vec<PolicyInput>,
    #[serde(default)]
    pub permissions_boundary: Option<PolicyInput>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationDecl {
    #[serde(default)]
    pub id: Option<String>,
    /// Account id → SCP levels (root → OU(s) → account).
    #[serde(default)]
    pub service_control_policies: BTreeMap<String, Vec<Vec<PolicyInput>>>,
    #[serde(default)]
    pub resource_control_policies: BTreeMap<String, Vec<Vec<PolicyInput>>>,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyDecl {
    pub arn: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "wasm-policy", tsify(type = "KeySpec | null"))]
    pub key_spec: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "wasm-policy", tsify(type = "KeyUsage | null"))]
    pub key_usage: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "wasm-policy", tsify(type = "KeyState | null"))]
    pub key_state: Option<String>,
    /// `CUSTOMER` (default) or `AWS`.
    #[serde(default)]
    #[cfg_attr(feature = "wasm-policy", tsify(type = "\"CUSTOMER\" | \"AWS\" | null"))]
    pub key_manager: Option<String>,
    /// The key policy; default: KMS's default key policy for the key's account.
    #[serde(default)]
    pub policy: Option<PolicyInput>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub rotation: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BucketDecl {
    pub name: String,
    pub account: String,
    #[serde(default)]
    pub policy: Option<PolicyInput>,
    #[serde(default)]
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub bucket_key_enabled: bool,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Settings {
    /// Seconds before a new grant (or a retirement) takes effect everywhere (default 60).
    #[serde(default)]
    pub grant_propagation_seconds: Option<i64>,
    /// Record CloudTrail data events (Feature Store runtime, S3 objects), as a trail can be configured to.
    #[serde(default)]
    pub cloud_trail_data_events: bool,
    /// Divide KMS request quotas by this factor to demonstrate throttling cheaply (default 1).
    #[serde(default)]
    pub quota_scale: Option<u32>,
}

/// One step: a call, or a clock step.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object),
    tsify(rename = "ScenarioStep")
)]
#[serde(untagged)]
pub enum Step {
    Clock {
        /// Seconds to advance the simulated clock.
        clock: ClockStep,
    },
    Call(Box<CallDecl>),
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(untagged)]
pub enum ClockStep {
    Seconds(i64),
    Text(String),
}

#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallDecl {
    /// A name later inputs refer to as `${NAME.Field}`.
    #[serde(default)]
    pub id: Option<String>,
    /// The caller's ARN.
    #[serde(rename = "as")]
    pub as_: String,
    /// `kms:Encrypt`, `sagemaker:PutRecord`, …
    pub op: String,
    /// The operation's request in the AWS JSON shape (PascalCase members, blobs as base-64 strings).
    #[serde(default)]
    #[cfg_attr(feature = "wasm-policy", tsify(type = "Record<string, any>"))]
    pub input: Value,
    /// For direct KMS calls: the service the call goes through (`sagemaker`, `s3`).
    #[serde(default)]
    pub via: Option<String>,
    #[serde(default)]
    pub session_policy: Option<PolicyInput>,
    /// `{"error": "CODE"}` or `{"output": {…fields that must match…}}`, optionally `{"decision": …}`.
    #[serde(default)]
    #[cfg_attr(
        feature = "wasm-policy",
        tsify(
            type = "{ error?: string; messageContains?: string; output?: Record<string, any>; success?: boolean; decision?: Decision } | null"
        )
    )]
    pub expect: Option<Value>,
    /// Repeat the call this many times (batch work; `${i}` in the input is the iteration).
    #[serde(default)]
    pub repeat: Option<u32>,
}

/// Why a scenario can't be run.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScenarioError {
    /// Not JSON, or not a scenario (wrong types, unknown fields).
    Invalid(String),
    /// A `kmslab` version this engine doesn't read.
    UnsupportedVersion(u64),
    /// A declaration is inconsistent (bad ARN, duplicate key, unknown key spec …).
    Declaration(String),
}

impl ScenarioError {
    pub fn code(&self) -> &'static str {
        match self {
            ScenarioError::Invalid(_) => "InvalidScenario",
            ScenarioError::UnsupportedVersion(_) => "UnsupportedScenarioVersion",
            ScenarioError::Declaration(_) => "InvalidDeclaration",
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Invalid(m) => write!(f, "the input is not a scenario: {m}"),
            ScenarioError::UnsupportedVersion(v) => write!(
                f,
                "scenario format `{v}` is not supported: this engine reads `kmslab: {FORMAT_VERSION}`"
            ),
            ScenarioError::Declaration(m) => write!(f, "invalid declaration: {m}"),
        }
    }
}

/// The outcome of one call.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct CallResult {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "as")]
    pub as_: String,
    pub op: String,
    pub time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "wasm-policy", tsify(type = "Record<string, any>"))]
    pub output: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<CallError>,
    pub authorizations: Vec<Authorization>,
    /// CloudTrail events this call produced.
    #[cfg_attr(feature = "wasm-policy", tsify(type = "CloudTrailEvent[]"))]
    pub cloud_trail: Vec<Value>,
    /// KMS requests this call made (directly or through services).
    pub kms_requests: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expectation: Option<Expectation>,
    /// How many times the call ran (`repeat`); results are those of the last run.
    pub runs: u32,
    /// Runs of a repeated call whose authorizations, CloudTrail events and envelopes are not in this result
    /// (only the first [`DETAILED_RUNS`] runs and the last one are kept).
    #[serde(skip_serializing_if = "is_zero")]
    #[cfg_attr(feature = "wasm-policy", tsify(optional))]
    pub runs_not_detailed: u32,
    /// For a repeated call: how many runs ended in each outcome (`ok` or the error code).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "wasm-policy", tsify(optional))]
    pub outcomes: BTreeMap<String, u32>,
    /// What envelope encryption did for each record or object the call sealed or opened.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "wasm-policy", tsify(optional))]
    pub envelopes: Vec<crate::envelope::Envelope>,
}

#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct CallError {
    pub code: String,
    pub message: String,
}

#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct Expectation {
    pub passed: bool,
    pub failures: Vec<String>,
}

/// Everything a run produced.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct RunResult {
    pub kmslab: u64,
    pub engine_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub calls: Vec<CallResult>,
    pub expectations: ExpectationSummary,
    /// The whole trail, as a CloudTrail log file.
    #[cfg_attr(
        feature = "wasm-policy",
        tsify(type = "{ Records: CloudTrailEvent[] }")
    )]
    pub cloud_trail: Value,
    pub kms_requests: Vec<crate::world::KmsRequest>,
    #[cfg_attr(feature = "wasm-policy", tsify(type = "CostReport"))]
    pub cost: Value,
    pub end_time: String,
    /// The region's state after the last call: keys, grants and feature groups (for views and charts).
    #[cfg_attr(feature = "wasm-policy", tsify(type = "Record<string, any>"))]
    pub state: Value,
    /// Who can do what after the last call: principals × operations → decision.
    #[cfg_attr(feature = "wasm-policy", tsify(type = "AccessMatrix"))]
    pub access: crate::matrix::Matrix,
}

#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct ExpectationSummary {
    pub checked: usize,
    pub passed: usize,
    pub failed: usize,
}

impl Scenario {
    /// Parses a scenario document.
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        if let Err(e) = crate::json::parse_limited(text, crate::contract::MAX_QUESTION_BYTES) {
            return Err(ScenarioError::Invalid(e.to_string()));
        }
        let v: Value =
            serde_json::from_str(text).map_err(|e| ScenarioError::Invalid(e.to_string()))?;
        match v.get("kmslab").and_then(Value::as_u64) {
            Some(FORMAT_VERSION) => {}
            Some(other) => return Err(ScenarioError::UnsupportedVersion(other)),
            None => {
                return Err(ScenarioError::Invalid(String::from(
                    "missing `kmslab` format version (use `\"kmslab\": 1`)",
                )))
            }
        }
        let s: Scenario =
            serde_json::from_value(v).map_err(|e| ScenarioError::Invalid(e.to_string()))?;
        if s.calls.len() > MAX_CALLS {
            return Err(ScenarioError::Invalid(format!(
                "a scenario may have at most {MAX_CALLS} calls"
            )));
        }
        Ok(s)
    }

    /// Builds the world the scenario declares.
    pub fn build(&self, entropy: Option<Box<dyn Entropy>>) -> Result<World, ScenarioError> {
        let start = match &self.start_time {
            Some(t) => parse_date(t).ok_or_else(|| {
                ScenarioError::Declaration(format!("startTime `{t}` is not an ISO 8601 time"))
            })?,
            None => 1_767_225_600_000,
        };
        let entropy: Box<dyn Entropy> = match (entropy, &self.seed) {
            (Some(e), _) => e,
            (None, Some(seed)) => Box::new(SeededEntropy::new(hash_seed(seed))),
            (None, None) => default_entropy(),
        };
        let mut w = World::new(&self.partition, &self.region, start, entropy)
            .map_err(|e| ScenarioError::Declaration(e.to_string()))?;
        for a in &self.accounts {
            if !crate::policy::principal::is_account_id(&a.id) {
                return Err(ScenarioError::Declaration(format!(
                    "account id `{}` must have 12 digits",
                    a.id
                )));
            }
            w.iam
                .accounts
                .insert(a.id.clone(), a.name.clone().unwrap_or_default());
        }
        for p in &self.principals {
            let ok = crate::policy::principal::Caller::parse(&p.arn).is_some_and(|c| {
                matches!(
                    c.kind,
                    crate::policy::principal::CallerType::User
                        | crate::policy::principal::CallerType::AssumedRole
                )
            }) && p.arn.contains(":iam::");
            if !ok {
                return Err(ScenarioError::Declaration(format!(
                    "principal `{}` must be an IAM user or role ARN",
                    p.arn
                )));
            }
            w.iam.principals.push(IamPrincipal {
                arn: p.arn.clone(),
                identity_policies: p
                    .policies
                    .iter()
                    .enumerate()
                    .map(|(i, q)| source(q, &format!("{}#policy{i}", short(&p.arn))))
                    .collect(),
                permissions_boundary: p
                    .permissions_boundary
                    .as_ref()
                    .map(|q| source(q, "permissionsBoundary")),
                tags: p.tags.clone(),
            });
        }
        if let Some(o) = &self.organization {
            let levels = |m: &BTreeMap<String, Vec<Vec<PolicyInput>>>, kind: &str| {
                m.iter()
                    .map(|(acct, levels)| {
                        let ls = levels
                            .iter()
                            .enumerate()
                            .map(|(l, ps)| {
                                ps.iter()
                                    .enumerate()
                                    .map(|(i, p)| source(p, &format!("{kind}[{l}][{i}]")))
                                    .collect()
                            })
                            .collect();
                        (acct.clone(), ls)
                    })
                    .collect()
            };
            w.iam.organization = Some(Organization {
                id: o.id.clone().unwrap_or_default(),
                service_control_policies: levels(
                    &o.service_control_policies,
                    "serviceControlPolicies",
                ),
                resource_control_policies: levels(
                    &o.resource_control_policies,
                    "resourceControlPolicies",
                ),
            });
        }
        if let Some(s) = self.settings.grant_propagation_seconds {
            w.kms.grant_propagation_ms = s.max(0).saturating_mul(1000);
        }
        w.trail
            .set_data_events(self.settings.cloud_trail_data_events);
        if let Some(f) = self.settings.quota_scale {
            w.meter.set_quota_divisor(f);
        }
        for k in &self.keys {
            let spec_text = k.key_spec.as_deref().unwrap_or("SYMMETRIC_DEFAULT");
            let spec = KeySpec::parse(spec_text).ok_or_else(|| {
                ScenarioError::Declaration(format!("unknown keySpec `{spec_text}`"))
            })?;
            let usage_text = k.key_usage.as_deref().unwrap_or(if spec.is_hmac() {
                "GENERATE_VERIFY_MAC"
            } else if spec.is_symmetric()
                || matches!(spec, KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096)
            {
                "ENCRYPT_DECRYPT"
            } else {
                "SIGN_VERIFY"
            });
            let usage = KeyUsage::parse(usage_text).ok_or_else(|| {
                ScenarioError::Declaration(format!("unknown keyUsage `{usage_text}`"))
            })?;
            if !spec.allows_usage(usage) {
                return Err(ScenarioError::Declaration(format!(
                    "key `{}`: keyUsage `{usage_text}` is not valid with keySpec `{spec_text}`",
                    k.arn
                )));
            }
            let state_text = k.key_state.as_deref().unwrap_or("Enabled");
            let state = KeyState::parse(state_text).ok_or_else(|| {
                ScenarioError::Declaration(format!("unknown keyState `{state_text}`"))
            })?;
            let manager = match k.key_manager.as_deref().unwrap_or("CUSTOMER") {
                "CUSTOMER" => KeyManager::Customer,
                "AWS" => KeyManager::Aws,
                other => {
                    return Err(ScenarioError::Declaration(format!(
                        "keyManager `{other}` must be CUSTOMER or AWS"
                    )))
                }
            };
            let account = k.arn.split(':').nth(4).unwrap_or("").to_string();
            let policy = match (&k.policy, manager) {
                (Some(p), _) => source(p, "keyPolicy").text,
                // An AWS managed key's policy allows use only through its service (KMS-DG/key-policy-default.md).
                (None, KeyManager::Aws) => {
                    let service = k
                        .aliases
                        .iter()
                        .find_map(|a| a.strip_prefix("alias/aws/"))
                        .ok_or_else(|| {
                            ScenarioError::Declaration(format!(
                                "AWS managed key `{}` needs an alias `alias/aws/SERVICE` (or a policy)",
                                k.arn
                            ))
                        })?;
                    crate::kms::service::aws_managed_key_policy(
                        &self.partition,
                        &self.region,
                        &account,
                        service,
                    )
                }
                (None, _) => crate::kms::service::default_key_policy(&self.partition, &account),
            };
            w.kms
                .add_key(
                    KeySeed {
                        arn: k.arn.clone(),
                        description: k.description.clone().unwrap_or_default(),
                        spec,
                        usage,
                        state,
                        manager,
                        policy,
                        rotation_enabled: k.rotation,
                    },
                    start,
                )
                .map_err(|e| ScenarioError::Declaration(e.to_string()))?;
            for a in &k.aliases {
                w.kms
                    .add_alias(a, &k.arn, start)
                    .map_err(|e| ScenarioError::Declaration(e.to_string()))?;
            }
        }
        for b in &self.buckets {
            w.s3.buckets.push(Bucket {
                name: b.name.clone(),
                account: b.account.clone(),
                policy: b.policy.as_ref().map(|p| source(p, "bucketPolicy").text),
                kms_key_arn: b.kms_key_id.clone(),
                bucket_key_enabled: b.bucket_key_enabled,
            });
        }
        w.feature_store.shares.clone_from(&self.shares);
        w.persist_key_material();
        Ok(w)
    }

    /// Builds the world and runs every call.
    pub fn run(&self, entropy: Option<Box<dyn Entropy>>) -> Result<RunResult, ScenarioError> {
        self.run_with_world(entropy).map(|(r, _)| r)
    }

    /// Like [`Scenario::run`], and also returns the world after the last call (its storage holds the online
    /// and offline stores and the key material, for a host that persists them).
    pub fn run_with_world(
        &self,
        entropy: Option<Box<dyn Entropy>>,
    ) -> Result<(RunResult, World), ScenarioError> {
        self.clone().start(entropy)?.finish()
    }

    /// Builds the world and returns a [`Runner`] that runs the calls a slice at a time: a host that must stay
    /// responsive (a browser tab running 10,000 PutRecords) calls [`Runner::advance`] between its own work,
    /// shows [`Runner::progress`], and may persist what each slice wrote
    /// (`runner.world_mut().storage.drain_changes()`). The result is the same as [`Scenario::run`]'s.
    pub fn start(self, entropy: Option<Box<dyn Entropy>>) -> Result<Runner, ScenarioError> {
        let world = self.build(entropy)?;
        let runs_total = self
            .calls
            .iter()
            .map(|step| match step {
                Step::Call(c) => u64::from(c.repeat.unwrap_or(1).max(1)),
                Step::Clock { .. } => 0,
            })
            .sum();
        Ok(Runner {
            scenario: self,
            world,
            outputs: BTreeMap::new(),
            results: Vec::new(),
            next_step: 0,
            current: None,
            runs_done: 0,
            runs_total,
        })
    }
}

/// How many runs of a repeated call keep their authorizations, CloudTrail events and envelopes in the call's
/// result (the last run always does); the rest are counted in `runsNotDetailed` and `outcomes`. The world's
/// CloudTrail and KMS request report still hold every run.
pub const DETAILED_RUNS: u32 = 10;

/// A scenario run in progress (see [`Scenario::start`]).
pub struct Runner {
    scenario: Scenario,
    world: World,
    outputs: BTreeMap<String, Value>,
    results: Vec<CallResult>,
    /// The step to run next.
    next_step: usize,
    /// The call being repeated, when a slice ended in the middle of its runs.
    current: Option<Running>,
    runs_done: u64,
    runs_total: u64,
}

impl fmt::Debug for Runner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runner")
            .field("progress", &self.progress())
            .finish_non_exhaustive()
    }
}

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// Calls run so far, counting each run of a repeated call (`repeat`).
    pub runs_done: u64,
    pub runs_total: u64,
    /// Call steps finished (a repeated call counts once, when its last run is done).
    pub calls_done: usize,
    /// The step (index in `calls`, clock steps counted) to run next.
    pub next_step: usize,
    pub steps_total: usize,
    pub finished: bool,
}

/// A call whose runs are under way.
struct Running {
    step: usize,
    next_run: u32,
    runs: u32,
    kms_before: usize,
    last: Result<Value, CallError>,
    authorizations: Vec<Authorization>,
    cloud_trail: Vec<Value>,
    envelopes: Vec<crate::envelope::Envelope>,
    /// The details of the latest run past the first [`DETAILED_RUNS`].
    tail: Option<RunDetails>,
    outcomes: BTreeMap<String, u32>,
}

/// A run's authorizations, its CloudTrail events (a range of the world's trail) and its envelopes.
type RunDetails = (
    Vec<Authorization>,
    core::ops::Range<usize>,
    Vec<crate::envelope::Envelope>,
);

/// The world's CloudTrail events in `range`, as JSON.
fn trail_json(w: &World, range: core::ops::Range<usize>) -> Vec<Value> {
    w.trail
        .events()
        .get(range)
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| serde_json::to_value(e).ok())
        .collect()
}

impl Runner {
    /// Runs at most `max_runs` calls (each run of a repeated call counts as one; clock steps are free).
    pub fn advance(&mut self, max_runs: u32) -> Result<Progress, ScenarioError> {
        let mut budget = max_runs.max(1);
        while budget > 0 {
            if let Some(mut running) = self.current.take() {
                let (c, outputs, w) = match self.scenario.calls.get(running.step) {
                    Some(Step::Call(c)) => (c, &self.outputs, &mut self.world),
                    _ => break,
                };
                while running.next_run < running.runs && budget > 0 {
                    let i = running.next_run;
                    let trail_at = w.trail.events().len();
                    let input = resolve_refs(&c.input, outputs, i);
                    running.last = dispatch(w, c, &input);
                    let code = match &running.last {
                        Ok(_) => String::from("ok"),
                        Err(e) => e.code.clone(),
                    };
                    *running.outcomes.entry(code).or_insert(0) += 1;
                    let authorizations = w.take_authorizations();
                    let envelopes = w.take_envelopes();
                    let events = trail_at..w.trail.events().len();
                    if i < DETAILED_RUNS {
                        running.authorizations.extend(authorizations);
                        running.envelopes.extend(envelopes);
                        running.cloud_trail.extend(trail_json(w, events));
                    } else {
                        // Kept until the next run replaces it: the last run's details.
                        running.tail = Some((authorizations, events, envelopes));
                    }
                    running.next_run += 1;
                    self.runs_done += 1;
                    budget -= 1;
                }
                if running.next_run < running.runs {
                    self.current = Some(running);
                    break;
                }
                self.finish_call(running);
                continue;
            }
            let Some(step) = self.scenario.calls.get(self.next_step) else {
                break;
            };
            match step {
                Step::Clock { clock } => {
                    let secs = match clock {
                        ClockStep::Seconds(s) => *s,
                        ClockStep::Text(t) => parse_duration(t).ok_or_else(|| {
                            ScenarioError::Declaration(format!(
                                "clock step `{t}` is not a duration like `90s`, `5m`, `2h`, `1d`"
                            ))
                        })?,
                    };
                    self.world.advance(secs.saturating_mul(1000));
                }
                Step::Call(c) => {
                    self.world.take_authorizations();
                    self.world.take_envelopes();
                    self.current = Some(Running {
                        step: self.next_step,
                        next_run: 0,
                        runs: c.repeat.unwrap_or(1).max(1),
                        kms_before: self.world.kms_requests.len(),
                        last: Ok(Value::Null),
                        authorizations: Vec::new(),
                        cloud_trail: Vec::new(),
                        envelopes: Vec::new(),
                        tail: None,
                        outcomes: BTreeMap::new(),
                    });
                }
            }
            self.next_step += 1;
        }
        Ok(self.progress())
    }

    fn finish_call(&mut self, mut running: Running) {
        if let Some((authorizations, events, envelopes)) = running.tail.take() {
            running.authorizations.extend(authorizations);
            running.cloud_trail.extend(trail_json(&self.world, events));
            running.envelopes.extend(envelopes);
        }
        let Some(Step::Call(c)) = self.scenario.calls.get(running.step) else {
            return;
        };
        let w = &self.world;
        let (output, error) = match running.last {
            Ok(v) => (Some(v), None),
            Err(e) => (None, Some(e)),
        };
        let expectation = c
            .expect
            .as_ref()
            .map(|x| check(x, output.as_ref(), error.as_ref(), &running.authorizations));
        let not_detailed = running.runs.saturating_sub(DETAILED_RUNS + 1);
        if let (Some(id), Some(out)) = (&c.id, &output) {
            self.outputs.insert(id.clone(), out.clone());
        }
        self.results.push(CallResult {
            index: self.results.len(),
            id: c.id.clone(),
            as_: c.as_.clone(),
            op: c.op.clone(),
            time: crate::policy::values::format_date(w.clock_ms),
            output,
            error,
            authorizations: running.authorizations,
            cloud_trail: running.cloud_trail,
            kms_requests: w.kms_requests.len().saturating_sub(running.kms_before),
            expectation,
            runs: running.runs,
            runs_not_detailed: not_detailed,
            outcomes: if running.runs > 1 {
                running.outcomes
            } else {
                BTreeMap::new()
            },
            envelopes: running.envelopes,
        });
    }

    /// Stops the run where it stands: a repeated call under way keeps the runs done so far (its `repeat` becomes
    /// that number; a call with none done is dropped) and the steps after it are dropped. [`Runner::finish`]
    /// then returns the result of [`Runner::scenario`], the document as far as it ran.
    pub fn stop(&mut self) {
        let keep = match self.current.take() {
            Some(mut running) if running.next_run > 0 => {
                running.runs = running.next_run;
                if let Some(Step::Call(c)) = self.scenario.calls.get_mut(running.step) {
                    c.repeat = (running.runs > 1 || c.repeat.is_some()).then_some(running.runs);
                }
                let step = running.step;
                self.finish_call(running);
                step + 1
            }
            Some(running) => running.step,
            None => self.next_step,
        };
        self.scenario.calls.truncate(keep);
        self.next_step = keep;
        self.runs_total = self.runs_done;
    }

    /// The scenario being run (after [`Runner::stop`], only the steps that ran).
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Where the run stands.
    pub fn progress(&self) -> Progress {
        Progress {
            runs_done: self.runs_done,
            runs_total: self.runs_total,
            calls_done: self.results.len(),
            next_step: self.next_step,
            steps_total: self.scenario.calls.len(),
            finished: self.current.is_none() && self.next_step >= self.scenario.calls.len(),
        }
    }

    /// The world as the calls run so far left it.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The world, for a host that drains its storage changes between slices.
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    /// Runs the remaining calls and returns the result and the world.
    pub fn finish(mut self) -> Result<(RunResult, World), ScenarioError> {
        while !self.advance(u32::MAX)?.finished {}
        let mut w = self.world;
        let results = self.results;
        let checked = results.iter().filter(|r| r.expectation.is_some()).count();
        let passed = results
            .iter()
            .filter(|r| r.expectation.as_ref().is_some_and(|e| e.passed))
            .count();
        let cost =
            serde_json::to_value(w.meter.report(&key_costs(&w), w.clock_ms)).unwrap_or(Value::Null);
        let state = w.snapshot();
        let access = w.access_matrix();
        let result = RunResult {
            kmslab: FORMAT_VERSION,
            engine_version: crate::VERSION,
            name: self.scenario.name.clone(),
            calls: results,
            expectations: ExpectationSummary {
                checked,
                passed,
                failed: checked - passed,
            },
            cloud_trail: w.trail.to_json(),
            kms_requests: w.kms_requests.clone(),
            cost,
            end_time: crate::policy::values::format_date(w.clock_ms),
            state,
            access,
        };
        Ok((result, w))
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn key_costs(w: &World) -> Vec<crate::cost::KeyCost<'_>> {
    w.kms
        .keys
        .iter()
        .filter(|k| k.manager != KeyManager::AwsOwned)
        .map(|k| crate::cost::KeyCost {
            key_arn: &k.arn,
            manager: k.manager,
            created_ms: k.creation_ms,
            deleted_or_pending_deletion_ms: if k.state == KeyState::PendingDeletion {
                k.deletion_ms
                    .map(|d| d - i64::from(k.pending_window_days.unwrap_or(30)) * 86_400_000)
            } else {
                None
            },
            rotations_ms: &[],
        })
        .collect()
}

fn dispatch(w: &mut World, c: &CallDecl, input: &Value) -> Result<Value, CallError> {
    let (service, op) = c.op.split_once(':').unwrap_or(("", c.op.as_str()));
    match service {
        "kms" => {
            let mut call = w.call_as(&c.as_, c.via.as_deref());
            call.session_policy = c
                .session_policy
                .as_ref()
                .map(|p| source(p, "sessionPolicy"));
            w.kms_request(&call, op, input).map_err(|e| CallError {
                code: String::from(e.code()),
                message: e.message(),
            })
        }
        "sagemaker" => w
            .feature_store_call(&c.as_, op, input)
            .map_err(|e| CallError {
                code: e.code,
                message: e.message,
            }),
        "s3" => w.s3_call(&c.as_, op, input).map_err(|e| CallError {
            code: e.code,
            message: e.message,
        }),
        _ => Err(CallError {
            code: String::from("UnsupportedOperation"),
            message: format!(
                "`{}`: kmslab runs `kms:*`, `sagemaker:*` and `s3:*` operations",
                c.op
            ),
        }),
    }
}

/// Checks a call's `expect`: `{"error": CODE}`, `{"output": {…}}` (a subset match), `{"messageContains": …}`.
fn check(
    x: &Value,
    output: Option<&Value>,
    error: Option<&CallError>,
    auth: &[Authorization],
) -> Expectation {
    let mut failures = Vec::new();
    // A misspelt member must not pass silently.
    if let Some(o) = x.as_object() {
        for k in o.keys() {
            if !matches!(
                k.as_str(),
                "error" | "output" | "messageContains" | "decision" | "success"
            ) {
                failures.push(format!(
                    "unknown `expect` member `{k}` (use error, output, messageContains, decision or success)"
                ));
            }
        }
    }
    match (x.get("error").and_then(Value::as_str), error) {
        (Some(want), Some(got)) if got.code != want => failures.push(format!(
            "expected error `{want}`, got `{}`: {}",
            got.code, got.message
        )),
        (Some(want), None) => {
            failures.push(format!("expected error `{want}`, but the call succeeded"))
        }
        (None, Some(got))
            if x.get("output").is_some()
                || x.get("success").and_then(Value::as_bool) == Some(true) =>
        {
            failures.push(format!(
                "expected success, got `{}`: {}",
                got.code, got.message
            ))
        }
        _ => {}
    }
    if let (Some(want), Some(got)) = (x.get("output"), output) {
        subset(want, got, "output", &mut failures);
    }
    if let Some(m) = x.get("messageContains").and_then(Value::as_str) {
        if !error.is_some_and(|e| e.message.contains(m)) {
            failures.push(format!("expected the error message to contain `{m}`"));
        }
    }
    if let Some(d) = x.get("decision").and_then(Value::as_str) {
        let got: Vec<String> = auth
            .iter()
            .map(|a| {
                serde_json::to_value(a.answer.decision)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default()
            })
            .collect();
        if !got.iter().any(|g| g == d) {
            failures.push(format!(
                "expected an authorization with decision `{d}`, got {got:?}"
            ));
        }
    }
    Expectation {
        passed: failures.is_empty(),
        failures,
    }
}

fn subset(want: &Value, got: &Value, path: &str, failures: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, v) in w {
                match g.get(k) {
                    Some(gv) => subset(v, gv, &format!("{path}.{k}"), failures),
                    None => failures.push(format!("{path}.{k}: missing")),
                }
            }
        }
        // arrays: `[]` means empty; otherwise each expected element must match the element at the same
        // position (extra ones may follow)
        (Value::Array(w), Value::Array(g)) if w.is_empty() && !g.is_empty() => failures.push(
            format!("{path}: expected an empty array, got {} elements", g.len()),
        ),
        (Value::Array(w), Value::Array(g)) if w.len() <= g.len() => {
            for (i, (wv, gv)) in w.iter().zip(g.iter()).enumerate() {
                subset(wv, gv, &format!("{path}[{i}]"), failures);
            }
        }
        (w, g) if w == g => {}
        (w, g) => failures.push(format!("{path}: expected {w}, got {g}")),
    }
}

/// Replaces `${ID.Field.Sub}` references with earlier outputs, and `${i}` with the repeat index.
fn resolve_refs(v: &Value, outputs: &BTreeMap<String, Value>, i: u32) -> Value {
    match v {
        Value::String(s) => {
            if !s.contains("${") {
                return v.clone();
            }
            let trimmed = s.strip_prefix("${").and_then(|r| r.strip_suffix('}'));
            if let Some(path) = trimmed.filter(|p| !p.contains("${") && !p.contains('}')) {
                if let Some(found) = lookup(path, outputs, i) {
                    return found;
                }
            }
            let mut out = String::new();
            let mut rest = s.as_str();
            while let Some(at) = rest.find("${") {
                out.push_str(rest.get(..at).unwrap_or(""));
                let after = rest.get(at + 2..).unwrap_or("");
                match after.find('}') {
                    Some(end) => {
                        let path = after.get(..end).unwrap_or("");
                        match lookup(path, outputs, i) {
                            Some(Value::String(x)) => out.push_str(&x),
                            Some(other) => out.push_str(&other.to_string()),
                            None => {
                                out.push_str("${");
                                out.push_str(path);
                                out.push('}');
                            }
                        }
                        rest = after.get(end + 1..).unwrap_or("");
                    }
                    None => {
                        out.push_str(rest.get(at..).unwrap_or(""));
                        rest = "";
                    }
                }
            }
            out.push_str(rest);
            Value::String(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| resolve_refs(x, outputs, i)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), resolve_refs(x, outputs, i)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn lookup(path: &str, outputs: &BTreeMap<String, Value>, i: u32) -> Option<Value> {
    if path == "i" {
        return Some(json!(i));
    }
    let mut parts = path.split('.');
    let mut cur = outputs.get(parts.next()?)?;
    for p in parts {
        cur = match cur {
            Value::Array(a) => a.get(p.parse::<usize>().ok()?)?,
            other => other.get(p)?,
        };
    }
    Some(cur.clone())
}

/// `90`, `90s`, `5m`, `2h`, `1d` → seconds.
fn parse_duration(t: &str) -> Option<i64> {
    let t = t.trim().trim_start_matches('+');
    let (num, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => t.split_at(at),
        None => (t, "s"),
    };
    let n: i64 = num.parse().ok()?;
    let mult = match unit {
        "s" | "sec" | "seconds" => 1,
        "m" | "min" | "minutes" => 60,
        "h" | "hours" => 3600,
        "d" | "days" => 86_400,
        _ => return None,
    };
    n.checked_mul(mult)
}

fn source(p: &PolicyInput, default_id: &str) -> PolicySource {
    p.source(String::from(default_id))
}

fn short(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn hash_seed(seed: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        for b in seed.bytes().chain(core::iter::once(i as u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        chunk.copy_from_slice(&h.to_be_bytes());
    }
    out
}

#[cfg(any(feature = "std", feature = "wasm"))]
fn default_entropy() -> Box<dyn Entropy> {
    Box::new(crate::kms::crypto::OsEntropy)
}

#[cfg(not(any(feature = "std", feature = "wasm")))]
fn default_entropy() -> Box<dyn Entropy> {
    // Without an OS source the host must pass entropy or a seed; a fixed seed keeps runs reproducible.
    Box::new(SeededEntropy::new(hash_seed("kmslab")))
}

/// Runs a scenario given as JSON text; returns the run result as JSON, or `{"error": {"code", "message"}}`.
pub fn run_json(text: &str) -> String {
    match Scenario::from_json(text).and_then(|s| s.run(None)) {
        Ok(r) => serde_json::to_string(&r).unwrap_or_else(|e| {
            json!({"error": {"code": "InternalError", "message": e.to_string()}}).to_string()
        }),
        Err(e) => json!({"error": {"code": e.code(), "message": e.to_string()}}).to_string(),
    }
}
