//! The evaluation logic, in AWS's order: request context → deny evaluation → SCPs → RCPs → resource-based
//! (or key) policy → identity-based policies → permissions boundary → session policy → decision
//! (IAM-EVAL, IAM-XACCT, KMS-DG/policy-evaluation.md). See docs/modelling-decisions.md for the choices made
//! where AWS is silent.

pub mod context;
pub mod explain;

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use crate::diag::{Diagnostic, Severity};
use crate::kms::{actions, Grant, GrantMatch};
use crate::policy::arn::Arn;
use crate::policy::ast::{Effect, Policy, PolicyKind, Statement};
use crate::policy::condition::ConditionReason;
use crate::policy::parse_policy;
use crate::policy::pattern::glob;
use crate::policy::principal::{Caller, CallerType, MatchedVia};
use context::{ContextValue, Now, RequestContext};
pub use explain::*;

/// One policy of a question, with its id (`identityPolicies[0]`, `resourcePolicy`, … or a given name).
#[derive(Clone, Debug)]
pub struct NamedPolicy {
    pub id: String,
    pub policy_type: PolicyType,
    /// The organization level (SCPs and RCPs), root first.
    pub level: usize,
    /// Shared with the [`ParseCache`] that parsed it.
    pub policy: Rc<Policy>,
}

/// Policies already parsed, by text and kind: a simulation evaluates the same few policies thousands of times
/// (every PutRecord authorizes the caller, unwraps a data key through KMS, writes through S3), so each text is
/// parsed once. Bounded: it starts over past [`ParseCache::MAX_ENTRIES`] texts.
#[derive(Debug, Default)]
pub struct ParseCache {
    entries: BTreeMap<String, Vec<(PolicyKind, CachedParse)>>,
}

#[derive(Clone, Debug)]
struct CachedParse {
    policy: Option<Rc<Policy>>,
    diagnostics: Vec<Diagnostic>,
}

impl ParseCache {
    pub const MAX_ENTRIES: usize = 256;

    fn parse(&mut self, text: &str, kind: PolicyKind) -> CachedParse {
        if let Some(hit) = self
            .entries
            .get(text)
            .and_then(|v| v.iter().find(|(k, _)| *k == kind))
        {
            return hit.1.clone();
        }
        let parsed = parse_policy(text, kind);
        let entry = CachedParse {
            policy: parsed.policy.map(Rc::new),
            diagnostics: parsed.diagnostics,
        };
        if self.entries.len() >= Self::MAX_ENTRIES {
            self.entries.clear();
        }
        self.entries
            .entry(String::from(text))
            .or_default()
            .push((kind, entry.clone()));
        entry
    }
}

/// A policy as given to [`PolicySet::build`]: its id and JSON text.
#[derive(Clone, Debug)]
pub struct PolicySource {
    pub id: String,
    pub text: String,
}

/// Every policy of a question, grouped by type. Built (parsed and validated) once, then asked many requests.
#[derive(Clone, Debug, Default)]
pub struct PolicySources {
    pub identity: Vec<PolicySource>,
    pub resource: Option<PolicySource>,
    pub service_control: Option<Vec<Vec<PolicySource>>>,
    pub resource_control: Option<Vec<Vec<PolicySource>>>,
    pub permissions_boundary: Option<PolicySource>,
    pub session: Option<PolicySource>,
    pub grants: Vec<(String, Grant)>,
}

/// Parsed policies, ready for many decisions.
#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    /// In pipeline order: SCP levels, RCP levels, resource policy, identity policies, boundary, session.
    pub policies: Vec<NamedPolicy>,
    pub grants: Vec<(String, Grant)>,
    pub scp_levels: Option<usize>,
    pub rcp_levels: Option<usize>,
    pub has_boundary: bool,
    pub has_session_policy: bool,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

/// A request: who does what on which resource, in which context.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub resource_account: Option<String>,
    /// (lower-cased key, key as given, value)
    pub context: Vec<(String, String, ContextValue)>,
}

impl Request {
    /// Adds or replaces a context key.
    pub fn set(&mut self, key: &str, value: ContextValue) {
        let lower = key.to_ascii_lowercase();
        self.context.retain(|(k, _, _)| *k != lower);
        self.context.push((lower, String::from(key), value));
    }

    /// [`Request::set`] for many keys at once, in linear-logarithmic time (a context of 100,000 keys): the same
    /// result as setting them one by one — a later key replaces an earlier one of the same name in any case, and
    /// takes its place at the end.
    pub fn set_all(&mut self, entries: impl IntoIterator<Item = (String, ContextValue)>) {
        let new: Vec<(String, String, ContextValue)> = entries
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), k, v))
            .collect();
        // A request's own context: a few keys, none set before, no two alike — kept as they are.
        if self.context.is_empty()
            && new.len() <= 16
            && new
                .iter()
                .enumerate()
                .all(|(i, (a, _, _))| new.iter().skip(i + 1).all(|(b, _, _)| a != b))
        {
            self.context = new;
            return;
        }
        let mut last: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, (lower, _, _)) in new.iter().enumerate() {
            last.insert(lower.as_str(), i);
        }
        self.context
            .retain(|(k, _, _)| !last.contains_key(k.as_str()));
        let keep: Vec<bool> = new
            .iter()
            .enumerate()
            .map(|(i, (lower, _, _))| last.get(lower.as_str()) == Some(&i))
            .collect();
        self.context.extend(
            new.into_iter()
                .zip(keep)
                .filter_map(|(entry, kept)| kept.then_some(entry)),
        );
    }
}

/// Options of one decision.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Build the trace tree (costs allocations; off for bulk decisions).
    pub explain: bool,
    /// The current time, for `aws:CurrentTime` / `aws:EpochTime` when the request doesn't give it.
    pub now: Clock,
    /// Copy the policy set's validator warnings into the answer. A set that decides many requests
    /// has them once, in [`PolicySet::warnings`]; copying them into every answer costs allocations.
    pub warnings: bool,
}

/// Where a decision's current time comes from when the request doesn't give it.
#[derive(Clone, Copy, Debug)]
pub enum Clock {
    /// A fixed time, in epoch milliseconds.
    At(i64),
    /// The host's clock, in epoch milliseconds: read only by a decision that needs the time (a condition on
    /// `aws:CurrentTime` or `aws:EpochTime`, or a trace, which lists the context), and then once.
    Host(fn() -> i64),
}

impl Default for Clock {
    fn default() -> Self {
        Clock::At(0)
    }
}

impl PolicySet {
    /// Parses and validates every policy. `key_policy` says the resource policy is a KMS key policy.
    pub fn build(src: &PolicySources, key_policy: bool) -> PolicySet {
        Self::build_cached(src, key_policy, &mut ParseCache::default())
    }

    /// [`PolicySet::build`], parsing each text at most once per `cache`.
    pub fn build_cached(
        src: &PolicySources,
        key_policy: bool,
        cache: &mut ParseCache,
    ) -> PolicySet {
        let mut set = PolicySet::default();
        let mut add = |set: &mut PolicySet,
                       s: &PolicySource,
                       t: PolicyType,
                       kind: PolicyKind,
                       level: usize| {
            let parsed = cache.parse(&s.text, kind);
            for mut d in parsed.diagnostics {
                d.policy.clone_from(&s.id);
                match d.severity {
                    Severity::Error => set.errors.push(d),
                    Severity::Warning => set.warnings.push(d),
                }
            }
            if let Some(policy) = parsed.policy {
                set.policies.push(NamedPolicy {
                    id: s.id.clone(),
                    policy_type: t,
                    level,
                    policy,
                });
            }
        };
        if let Some(levels) = &src.service_control {
            set.scp_levels = Some(levels.len());
            for (l, ps) in levels.iter().enumerate() {
                for p in ps {
                    add(
                        &mut set,
                        p,
                        PolicyType::ServiceControlPolicy,
                        PolicyKind::ServiceControl,
                        l,
                    );
                }
            }
        }
        if let Some(levels) = &src.resource_control {
            set.rcp_levels = Some(levels.len());
            for (l, ps) in levels.iter().enumerate() {
                for p in ps {
                    add(
                        &mut set,
                        p,
                        PolicyType::ResourceControlPolicy,
                        PolicyKind::ResourceControl,
                        l,
                    );
                }
            }
        }
        if let Some(p) = &src.resource {
            let kind = if key_policy {
                PolicyKind::KeyPolicy
            } else {
                PolicyKind::Resource
            };
            add(&mut set, p, PolicyType::ResourcePolicy, kind, 0);
        }
        for p in &src.identity {
            add(
                &mut set,
                p,
                PolicyType::IdentityPolicy,
                PolicyKind::Identity,
                0,
            );
        }
        if let Some(p) = &src.permissions_boundary {
            set.has_boundary = true;
            add(
                &mut set,
                p,
                PolicyType::PermissionsBoundary,
                PolicyKind::PermissionsBoundary,
                0,
            );
        }
        if let Some(p) = &src.session {
            set.has_session_policy = true;
            add(
                &mut set,
                p,
                PolicyType::SessionPolicy,
                PolicyKind::Session,
                0,
            );
        }
        set.grants.clone_from(&src.grants);
        set
    }

    /// Decides one request.
    pub fn decide(&self, req: &Request, opts: Options) -> Answer {
        decide(self, req, opts)
    }
}

/// What one policy's statements did for a request.
#[derive(Default)]
struct PolicyHits {
    allows: Vec<(usize, MatchedVia)>,
    denies: Vec<usize>,
}

struct Hit<'a> {
    named: &'a NamedPolicy,
    hits: PolicyHits,
}

/// A request the engine can't evaluate: `ImplicitDeny` with a `ValidationException` diagnostic.
fn invalid_request(kind: &str, message: String) -> Answer {
    let d = Diagnostic {
        severity: Severity::Error,
        code: String::from("ValidationException"),
        kind: String::from(kind),
        message,
        policy: String::from("request"),
        line: 0,
        column: 0,
        offset: 0,
        length: 0,
    };
    invalid(
        Reason::InvalidRequest,
        alloc::vec![d],
        Vec::new(),
        String::from("invalid request"),
    )
}

fn invalid(
    reason: Reason,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    message: String,
) -> Answer {
    Answer {
        decision: Decision::ImplicitDeny,
        reason,
        determining: Vec::new(),
        trace: None,
        missing_context_keys: Vec::new(),
        message: Some(message),
        errors,
        warnings,
    }
}

fn decide(set: &PolicySet, req: &Request, opts: Options) -> Answer {
    let mut answer = decide_without_warnings(set, req, opts);
    if opts.warnings {
        answer.warnings.clone_from(&set.warnings);
    }
    answer
}

fn decide_without_warnings(set: &PolicySet, req: &Request, opts: Options) -> Answer {
    if !set.errors.is_empty() {
        return invalid(
            Reason::InvalidPolicy,
            set.errors.clone(),
            Vec::new(),
            String::from(
                "the question has invalid policies; nothing was evaluated (AWS would reject them)",
            ),
        );
    }
    let Some(caller) = Caller::parse(&req.principal) else {
        return invalid_request(
            "invalidPrincipal",
            format!(
                "the request principal `{}` is not an IAM user, role, role session, federated user, account or service principal",
                req.principal
            ),
        );
    };
    let action_ok = req.action.split_once(':').is_some_and(|(svc, act)| {
        !svc.is_empty() && !act.is_empty() && !act.contains(':') && !req.action.contains(['*', '?'])
    });
    let resource_arn = Arn::parse(&req.resource);
    let resource_ok = req.resource == "*" || resource_arn.is_some();
    if !action_ok || !resource_ok {
        let (kind, message) = if action_ok {
            (
                "invalidResource",
                format!(
                    "the request resource `{}` is not an ARN or `*`",
                    req.resource
                ),
            )
        } else {
            (
                "invalidAction",
                format!(
                    "the request action `{}` is not of the form `service:Action`",
                    req.action
                ),
            )
        };
        return invalid_request(kind, message);
    }
    let action_lower = req.action.to_ascii_lowercase();
    let resource = req.resource.as_str();
    let resource_account: Option<String> = req
        .resource_account
        .clone()
        .or_else(|| resource_arn.and_then(|a| a.account_id()).map(String::from))
        .or_else(|| caller.account.clone());
    let ctx = RequestContext {
        supplied: &req.context,
        caller: &caller,
        kms_action: action_lower.starts_with("kms:"),
        resource_account: resource_account.as_deref(),
        region: resource_arn.map(|a| a.region),
        now: Now::new(request_time(req).map_or(opts.now, Clock::At)),
    };
    let mut missing: Vec<String> = Vec::new();
    // Keys are listed as the policy spells them (names are case-insensitive, so duplicates are folded).
    let mut note_missing = |k: &str| {
        if !missing.iter().any(|m| m.eq_ignore_ascii_case(k)) {
            missing.push(String::from(k));
        }
    };
    let is_key = resource_arn.is_some_and(|a| a.is_kms_key());
    let is_service = caller.kind == CallerType::Service;
    let scp_applies = set.scp_levels.is_some() && !is_service;
    let session_applies = caller.kind.is_session();
    let applicable = |t: PolicyType| match t {
        PolicyType::ServiceControlPolicy => scp_applies,
        PolicyType::SessionPolicy => session_applies,
        PolicyType::PermissionsBoundary | PolicyType::IdentityPolicy => {
            !is_service && caller.kind != CallerType::Anonymous
        }
        _ => true,
    };

    // "The NotPrincipal element with a Deny effect will always deny any IAM principal that has a permissions
    // boundary policy attached, regardless of the values specified in the NotPrincipal element."
    // (IAM user guide, access_policies_boundaries.html.)
    let boundary_attached = set.has_boundary
        && matches!(
            caller.kind,
            CallerType::User | CallerType::AssumedRole | CallerType::FederatedUser
        );

    // Evaluate every statement of every policy once.
    let mut traces: Vec<Vec<StatementTrace>> = Vec::new();
    let mut hits: Vec<Hit<'_>> = Vec::with_capacity(set.policies.len());
    for named in &set.policies {
        let mut h = PolicyHits::default();
        let mut st_traces = Vec::new();
        let has_principals = named.policy.kind.has_principals();
        let counts = applicable(named.policy_type);
        if !counts && !opts.explain {
            hits.push(Hit { named, hits: h });
            continue;
        }
        let mut ignore = |_: &str| {};
        for st in &named.policy.statements {
            let mut el = opts.explain.then(Vec::new);
            let sink: &mut dyn FnMut(&str) = if counts {
                &mut note_missing
            } else {
                &mut ignore
            };
            let applies = statement_applies(
                st,
                has_principals,
                boundary_attached,
                &caller,
                &action_lower,
                resource,
                &ctx,
                sink,
                el.as_mut(),
            );
            if let Some(via) = applies {
                match st.effect {
                    Effect::Allow => h.allows.push((st.index, via)),
                    Effect::Deny => h.denies.push(st.index),
                }
            }
            if let Some(elements) = el {
                let reason = if !st.effective {
                    "statementIneffective"
                } else {
                    elements
                        .iter()
                        .find(|e| !e.matched)
                        .map_or("statementApplies", |e| e.reason)
                };
                st_traces.push(StatementTrace {
                    index: st.index,
                    sid: st.sid.clone(),
                    effect: st.effect,
                    span: st.span,
                    applies: applies.is_some(),
                    reason,
                    elements,
                });
            }
        }
        if opts.explain {
            traces.push(st_traces);
        }
        hits.push(Hit { named, hits: h });
    }
    let mut grant_results: Vec<(GrantMatch, Option<MatchedVia>)> =
        Vec::with_capacity(set.grants.len());
    for (_, g) in &set.grants {
        grant_results.push(if is_key {
            g.check(&caller, &req.action, resource, &ctx)
        } else {
            (GrantMatch::GrantKeyNotMatched, None)
        });
    }

    let mut steps: Vec<Step> = Vec::new();
    let mut step = |step: &'static str, outcome: &'static str, detail: &dyn Fn() -> String| {
        if opts.explain {
            steps.push(Step {
                step,
                outcome,
                detail: detail(),
            });
        }
    };
    let det = |h: &Hit<'_>, idx: usize| -> Determining {
        let st = h.named.policy.statements.iter().find(|s| s.index == idx);
        Determining {
            policy_type: h.named.policy_type,
            policy: h.named.id.clone(),
            sid: st.and_then(|s| s.sid.clone()),
            statement_index: idx,
            effect: st.map_or(Effect::Allow, |s| s.effect),
            span: st.map(|s| s.span),
        }
    };
    let of_type = |t: PolicyType| hits.iter().filter(move |h| h.named.policy_type == t);

    // 1. Deny evaluation.
    let mut determining: Vec<Determining> = Vec::new();
    let mut first_deny: Option<PolicyType> = None;
    for h in hits.iter().filter(|h| applicable(h.named.policy_type)) {
        for &i in &h.hits.denies {
            first_deny.get_or_insert(h.named.policy_type);
            determining.push(det(h, i));
        }
    }
    let outcome = if let Some(t) = first_deny {
        step("denyEvaluation", "deny", &|| {
            format!(
                "an applicable Deny statement in a {} overrides every allow",
                t.message_name()
            )
        });
        Outcome::deny_explicit(t)
    } else {
        step("denyEvaluation", "pass", &|| {
            String::from("no applicable Deny statement")
        });
        // 2./3. Organization levels: every level must allow.
        let mut level_fail = None;
        for (t, levels, applies) in [
            (
                PolicyType::ServiceControlPolicy,
                set.scp_levels,
                scp_applies,
            ),
            (PolicyType::ResourceControlPolicy, set.rcp_levels, true),
        ] {
            let Some(n) = levels else {
                step(step_name(t), "notApplicable", &|| {
                    String::from("no organization policies of this type in the question")
                });
                continue;
            };
            if !applies {
                step(step_name(t), "notApplicable", &|| {
                    String::from("service control policies don't restrict service principals")
                });
                continue;
            }
            for level in 0..n {
                let allowing: Vec<Determining> = of_type(t)
                    .filter(|h| h.named.level == level)
                    .flat_map(|h| h.hits.allows.iter().map(move |(i, _)| det(h, *i)))
                    .collect();
                if allowing.is_empty() {
                    level_fail = Some((t, level));
                    break;
                }
                determining.extend(allowing);
            }
            if let Some((ft, level)) = level_fail {
                step(step_name(ft), "implicitDeny", &|| {
                    format!("no {} at organization level {level} allows the request; every level from the root to the account must allow", ft.message_name())
                });
                break;
            }
            step(step_name(t), "allow", &|| {
                format!("every level ({n}) has an allowing statement")
            });
        }
        if let Some((t, _)) = level_fail {
            determining.clear();
            Outcome::implicit(
                if t == PolicyType::ServiceControlPolicy {
                    Reason::ScpDoesNotAllow
                } else {
                    Reason::RcpDoesNotAllow
                },
                t,
            )
        } else {
            let org_determining = core::mem::take(&mut determining);
            let o = decide_allow(
                set,
                &hits,
                &grant_results,
                &caller,
                is_key,
                &action_lower,
                resource_account.as_deref(),
                session_applies,
                &mut determining,
                &mut step,
                &det,
            );
            if o.decision == Decision::Allow {
                determining.extend(org_determining);
            }
            o
        }
    };
    if outcome.decision != Decision::Allow && outcome.decision != Decision::ExplicitDeny {
        determining.clear();
    }
    determining.sort_by(|a, b| {
        (a.policy_type, &a.policy, a.statement_index).cmp(&(
            b.policy_type,
            &b.policy,
            b.statement_index,
        ))
    });
    determining.dedup();

    let message = match outcome.decision {
        Decision::Allow => None,
        Decision::ExplicitDeny => Some(format!(
            "User: {} is not authorized to perform: {} on resource: {} with an explicit deny in {} {}",
            caller.arn,
            req.action,
            req.resource,
            article(outcome.message_type.message_name()),
            outcome.message_type.message_name()
        )),
        Decision::ImplicitDeny => Some(format!(
            "User: {} is not authorized to perform: {} on resource: {} because no {} allows the {} action",
            caller.arn,
            req.action,
            req.resource,
            outcome.message_type.message_name(),
            req.action
        )),
    };
    let trace = opts.explain.then(|| {
        let mut policy_types: Vec<PolicyTypeTrace> = Vec::new();
        for (h, st_traces) in hits.iter().zip(traces) {
            let t = h.named.policy_type;
            let pt = PolicyTrace {
                policy: h.named.id.clone(),
                level: matches!(
                    t,
                    PolicyType::ServiceControlPolicy | PolicyType::ResourceControlPolicy
                )
                .then_some(h.named.level),
                statements: st_traces,
                grant: None,
            };
            push_policy(&mut policy_types, t, applicable(t), pt, &caller);
        }
        for ((id, g), (m, _)) in set.grants.iter().zip(&grant_results) {
            let pt = PolicyTrace {
                policy: id.clone(),
                level: None,
                statements: Vec::new(),
                grant: Some(GrantTrace {
                    grant_id: g.grant_id.clone(),
                    grantee_principal: g.grantee_principal.clone(),
                    operations: g.operations.clone(),
                    matched: *m == GrantMatch::GrantMatched,
                    reason: *m,
                }),
            };
            push_policy(&mut policy_types, PolicyType::Grants, is_key, pt, &caller);
        }
        Trace {
            sources: set
                .policies
                .iter()
                .map(|p| PolicySourceText {
                    policy: p.id.clone(),
                    text: p.policy.text.clone(),
                })
                .collect(),
            context: ctx.entries(),
            steps,
            policy_types,
        }
    });
    Answer {
        decision: outcome.decision,
        reason: outcome.reason,
        determining,
        trace,
        missing_context_keys: missing,
        message,
        errors: Vec::new(),
        warnings: Vec::new(),
    }
}

/// The request's own time, when the question supplies `aws:CurrentTime` or `aws:EpochTime`.
fn request_time(req: &Request) -> Option<i64> {
    req.context
        .iter()
        .find_map(|(k, _, v)| match (k.as_str(), v) {
            ("aws:currenttime" | "aws:epochtime", ContextValue::One(t)) => {
                crate::policy::values::parse_date(t)
            }
            _ => None,
        })
}

/// "a" or "an" before a policy type name.
fn article(name: &str) -> &'static str {
    if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn push_policy(
    out: &mut Vec<PolicyTypeTrace>,
    t: PolicyType,
    applicable: bool,
    p: PolicyTrace,
    caller: &Caller,
) {
    if let Some(existing) = out.iter_mut().find(|x| x.policy_type == t) {
        existing.policies.push(p);
        return;
    }
    let note = (!applicable).then(|| {
        String::from(match t {
            PolicyType::ServiceControlPolicy => "service control policies don't restrict service principals",
            PolicyType::SessionPolicy => "the caller is not a session principal (role session or federated user), so session policies don't apply",
            PolicyType::Grants => "grants only apply to KMS keys",
            _ if caller.kind == CallerType::Service => "service principals have no identity-based policies",
            _ => "anonymous callers have no identity-based policies",
        })
    });
    out.push(PolicyTypeTrace {
        policy_type: t,
        applicable,
        note,
        policies: alloc::vec![p],
    });
}

fn step_name(t: PolicyType) -> &'static str {
    match t {
        PolicyType::ServiceControlPolicy => "serviceControlPolicies",
        PolicyType::ResourceControlPolicy => "resourceControlPolicies",
        PolicyType::ResourcePolicy => "resourcePolicy",
        PolicyType::IdentityPolicy => "identityPolicies",
        PolicyType::PermissionsBoundary => "permissionsBoundary",
        PolicyType::SessionPolicy => "sessionPolicy",
        PolicyType::Grants => "grants",
    }
}

/// Records a pipeline step (name, outcome, lazily built detail) when explaining.
type StepFn<'a> = dyn FnMut(&'static str, &'static str, &dyn Fn() -> String) + 'a;

struct Outcome {
    decision: Decision,
    reason: Reason,
    message_type: PolicyType,
}

impl Outcome {
    fn deny_explicit(t: PolicyType) -> Outcome {
        Outcome {
            decision: Decision::ExplicitDeny,
            reason: Reason::ExplicitDeny,
            message_type: t,
        }
    }
    fn implicit(reason: Reason, t: PolicyType) -> Outcome {
        Outcome {
            decision: Decision::ImplicitDeny,
            reason,
            message_type: t,
        }
    }
    fn allow(reason: Reason) -> Outcome {
        Outcome {
            decision: Decision::Allow,
            reason,
            message_type: PolicyType::IdentityPolicy,
        }
    }
}

/// Steps 3–6 of the pipeline once nothing denied: resource/key policy, grants, identity, boundary, session.
#[allow(clippy::too_many_arguments)]
fn decide_allow<'a>(
    set: &PolicySet,
    hits: &'a [Hit<'a>],
    grants: &[(GrantMatch, Option<MatchedVia>)],
    caller: &Caller,
    is_key: bool,
    action_lower: &str,
    resource_account: Option<&str>,
    session_applies: bool,
    determining: &mut Vec<Determining>,
    step: &mut StepFn<'_>,
    det: &dyn Fn(&Hit<'_>, usize) -> Determining,
) -> Outcome {
    let of = |t: PolicyType| hits.iter().filter(move |h| h.named.policy_type == t);
    let allows_of = |t: PolicyType| -> Vec<Determining> {
        of(t)
            .flat_map(|h| h.hits.allows.iter().map(move |(i, _)| det(h, *i)))
            .collect()
    };
    let no_identity = matches!(caller.kind, CallerType::Service | CallerType::Anonymous);
    let identity_allows = if no_identity {
        Vec::new()
    } else {
        allows_of(PolicyType::IdentityPolicy)
    };
    let boundary_allows = allows_of(PolicyType::PermissionsBoundary);
    let session_allows = allows_of(PolicyType::SessionPolicy);
    let root = caller.kind == CallerType::Account;
    // The root user needs no identity policy and has no boundary (IAM-EVAL: "full access").
    let identity_ok = root || !identity_allows.is_empty();
    let boundary_ok = no_identity || root || !set.has_boundary || !boundary_allows.is_empty();
    let session_ok = !session_applies || !set.has_session_policy || !session_allows.is_empty();
    let identity_side = identity_ok && boundary_ok && session_ok;
    let same_account = caller.account.is_some() && caller.account.as_deref() == resource_account;
    let promote = |v: MatchedVia| {
        if root && v == MatchedVia::Account {
            MatchedVia::Direct
        } else {
            v
        }
    };

    // resource-side hits: (determining, via). In a key policy, IAM-only permissions have no effect.
    let key_policy_ineffective = is_key && actions::is_iam_only(action_lower);
    if key_policy_ineffective {
        step("keyPolicy", "notApplicable", &|| {
            String::from("this permission is valid only in IAM policies (or, for kms:RetireGrant, decided by the grant): a key policy statement allowing it has no effect")
        });
    }
    let mut res: Vec<(Determining, MatchedVia)> = of(PolicyType::ResourcePolicy)
        .filter(|_| !key_policy_ineffective)
        .flat_map(|h| {
            h.hits
                .allows
                .iter()
                .map(move |(i, v)| (det(h, *i), promote(*v)))
        })
        .collect();
    let res_policy_hits = res.len();
    for (gi, (m, via)) in grants.iter().enumerate() {
        if let (GrantMatch::GrantMatched, Some(v)) = (m, via) {
            let id = set
                .grants
                .get(gi)
                .map(|(id, _)| id.clone())
                .unwrap_or_default();
            res.push((
                Determining {
                    policy_type: PolicyType::Grants,
                    policy: id,
                    sid: None,
                    statement_index: 0,
                    effect: Effect::Allow,
                    span: None,
                },
                promote(*v),
            ));
        }
    }
    let res_label = if is_key {
        "keyPolicy"
    } else {
        "resourcePolicy"
    };
    if res.is_empty() {
        step(res_label, "implicitDeny", &|| {
            String::from(if is_key {
                "the key policy does not allow the request (and no grant does): IAM policies alone can't allow access to a KMS key"
            } else {
                "no resource-based policy statement allows the request"
            })
        });
    } else if res_policy_hits < res.len() {
        step("grants", "allow", &|| {
            String::from("a grant allows the operation for the caller")
        });
    }
    let direct_ok = |v: MatchedVia| match v {
        MatchedVia::Direct => true,
        MatchedVia::Role => boundary_ok && session_ok,
        MatchedVia::Account => identity_side,
    };
    let identity_failure = || -> Outcome {
        if !identity_ok {
            Outcome::implicit(Reason::NoIdentityPolicyAllows, PolicyType::IdentityPolicy)
        } else if !boundary_ok {
            Outcome::implicit(
                Reason::BoundaryDoesNotAllow,
                PolicyType::PermissionsBoundary,
            )
        } else {
            Outcome::implicit(Reason::SessionPolicyDoesNotAllow, PolicyType::SessionPolicy)
        }
    };
    let limits_failure = || -> Outcome {
        if !boundary_ok {
            Outcome::implicit(
                Reason::BoundaryDoesNotAllow,
                PolicyType::PermissionsBoundary,
            )
        } else {
            Outcome::implicit(Reason::SessionPolicyDoesNotAllow, PolicyType::SessionPolicy)
        }
    };
    let push_identity_chain = |determining: &mut Vec<Determining>, with_identity: bool| {
        if with_identity {
            determining.extend(identity_allows.iter().cloned());
        }
        if set.has_boundary && !no_identity {
            determining.extend(boundary_allows.iter().cloned());
        }
        if session_applies && set.has_session_policy {
            determining.extend(session_allows.iter().cloned());
        }
    };
    let reason_for = |used: &[&(Determining, MatchedVia)]| -> Reason {
        if used
            .iter()
            .any(|(d, v)| d.policy_type == PolicyType::ResourcePolicy && *v != MatchedVia::Account)
        {
            Reason::AllowedByResourcePolicy
        } else if used
            .iter()
            .any(|(d, _)| d.policy_type == PolicyType::ResourcePolicy)
        {
            Reason::AllowedByIdentityPolicy
        } else {
            Reason::AllowedByGrant
        }
    };

    let local = same_account || caller.account.is_none();
    // RetireGrant: "As a backup, the AWS account in which the grant was created can retire the grant"
    // (KMS-DG/grant-manage.md) — through the IAM policies of that account's principals.
    if is_key
        && same_account
        && action_lower == "kms:retiregrant"
        && res.is_empty()
        && identity_side
    {
        push_identity_chain(determining, !root);
        step("identityPolicies", "allow", &|| {
            String::from("the key's account may retire grants on its key through IAM policies (kms:RetireGrant is not effective in a key policy)")
        });
        return Outcome::allow(Reason::AllowedByIdentityPolicy);
    }
    if !is_key && root && same_account {
        step("rootUser", "allow", &|| {
            String::from("the account root user has full access to its own account's resources unless a policy denies it")
        });
        return Outcome::allow(Reason::AllowedAsRootUser);
    }
    if local {
        // Same account (or a caller without an account): principal-type rules decide (IAM-EVAL step 3).
        let used: Vec<&(Determining, MatchedVia)> =
            res.iter().filter(|(_, v)| direct_ok(*v)).collect();
        if !used.is_empty() {
            let needs_identity = used.iter().any(|(_, v)| *v == MatchedVia::Account);
            let needs_limits = used.iter().any(|(_, v)| *v != MatchedVia::Direct);
            let direct_available = used.iter().any(|(_, v)| *v == MatchedVia::Direct);
            let reason = reason_for(&used);
            for (d, v) in &used {
                if !direct_available || *v == MatchedVia::Direct {
                    determining.push(d.clone());
                }
            }
            if !direct_available && needs_limits {
                push_identity_chain(determining, needs_identity);
            }
            step(res_label, "allow", &|| {
                String::from(match reason {
                Reason::AllowedByIdentityPolicy => "the resource policy lets the caller's account in, and the caller's IAM policies allow the request",
                Reason::AllowedByGrant => "a grant allows the request",
                _ => "the resource policy allows the caller directly",
            })
            });
            return Outcome::allow(reason);
        }
        if is_key {
            if res.is_empty() {
                return Outcome::implicit(
                    Reason::NotAllowedByKeyPolicy,
                    PolicyType::ResourcePolicy,
                );
            }
            let role_hit = res.iter().any(|(_, v)| *v == MatchedVia::Role);
            step("identityPolicies", "implicitDeny", &|| {
                String::from(
                    "the key policy delegates to IAM, but the IAM side does not allow the request",
                )
            });
            return if role_hit {
                limits_failure()
            } else {
                identity_failure()
            };
        }
        if identity_side {
            push_identity_chain(determining, true);
            step("identityPolicies", "allow", &|| {
                String::from("an identity-based policy allows the request (and any boundary or session policy does too)")
            });
            return Outcome::allow(Reason::AllowedByIdentityPolicy);
        }
        if caller.account.is_none() {
            return Outcome::implicit(Reason::NoResourcePolicyAllows, PolicyType::ResourcePolicy);
        }
        let role_hit = res.iter().any(|(_, v)| *v == MatchedVia::Role);
        step("identityPolicies", "implicitDeny", &|| {
            String::from("no identity-based path allows the request")
        });
        return if role_hit {
            limits_failure()
        } else {
            identity_failure()
        };
    }
    // Cross-account: both sides must allow (IAM-XACCT); a grant to the caller needs no IAM side (modelling 8).
    if is_key && !actions::is_cross_account(action_lower) {
        step("crossAccount", "implicitDeny", &|| {
            String::from("this KMS operation can't be used on a key in another account, so no permission for it is effective (KMS-DG/kms-api-permissions-reference.md)")
        });
        return Outcome::implicit(Reason::NotCrossAccountOperation, PolicyType::ResourcePolicy);
    }
    let grant_used: Vec<&(Determining, MatchedVia)> = res
        .iter()
        .filter(|(d, v)| d.policy_type == PolicyType::Grants && direct_ok(*v))
        .collect();
    if !grant_used.is_empty() {
        for (d, _) in &grant_used {
            determining.push(d.clone());
        }
        step("grants", "allow", &|| {
            String::from("a grant allows the external caller; grants need no IAM policy")
        });
        return Outcome::allow(Reason::AllowedByGrant);
    }
    let policy_res: Vec<&(Determining, MatchedVia)> = res
        .iter()
        .filter(|(d, _)| d.policy_type == PolicyType::ResourcePolicy)
        .collect();
    if policy_res.is_empty() {
        step("crossAccount", "implicitDeny", &|| {
            String::from(
                "cross-account: the resource's policy must allow the caller or its account",
            )
        });
        return Outcome::implicit(
            if is_key {
                Reason::NotAllowedByKeyPolicy
            } else {
                Reason::NoResourcePolicyAllows
            },
            PolicyType::ResourcePolicy,
        );
    }
    if !identity_side {
        step("crossAccount", "implicitDeny", &|| {
            String::from("cross-account: the caller's own account must allow the request too")
        });
        return identity_failure();
    }
    let reason = reason_for(&policy_res);
    for (d, _) in &policy_res {
        determining.push(d.clone());
    }
    push_identity_chain(determining, true);
    step("crossAccount", "allow", &|| {
        String::from(
            "cross-account: the resource's policy and the caller's IAM policies both allow",
        )
    });
    Outcome::allow(reason)
}

/// Evaluates one statement for a request; `Some(via)` when it applies. Fills `trace` when given.
#[allow(clippy::too_many_arguments)]
fn statement_applies(
    st: &Statement,
    has_principals: bool,
    boundary_attached: bool,
    caller: &Caller,
    action_lower: &str,
    resource: &str,
    ctx: &RequestContext<'_>,
    missing: &mut dyn FnMut(&str),
    mut trace: Option<&mut Vec<ElementTrace>>,
) -> Option<MatchedVia> {
    let explain = trace.is_some();
    let mut ok = st.effective;
    let mut via = MatchedVia::Direct;
    // Principal / NotPrincipal
    if has_principals {
        if let Some(p) = &st.principal {
            // A Deny with NotPrincipal always applies to an IAM user or role with a permissions boundary.
            let boundary_override = p.negated && boundary_attached && st.effect == Effect::Deny;
            let (matched, found, entry) = if boundary_override {
                (true, Some(MatchedVia::Direct), None)
            } else if p.negated {
                let ids = caller.identities();
                let listed = |id: &crate::policy::principal::PrincipalPattern| {
                    p.entries.iter().any(|e| {
                        e.pattern == crate::policy::principal::PrincipalPattern::Any
                            || e.pattern == *id
                    })
                };
                let any_listed_all = p
                    .entries
                    .iter()
                    .any(|e| e.pattern == crate::policy::principal::PrincipalPattern::Any);
                let matched =
                    !any_listed_all && (ids.is_empty() || ids.iter().any(|id| !listed(id)));
                (matched, Some(MatchedVia::Direct), None)
            } else {
                let mut best: Option<(MatchedVia, &str)> = None;
                for e in &p.entries {
                    if let Some(v) = caller.matched_by(&e.pattern) {
                        if best.is_none_or(|(b, _)| v > b) {
                            best = Some((v, e.text.as_str()));
                        }
                    }
                }
                (best.is_some(), best.map(|b| b.0), best.map(|b| b.1))
            };
            if let Some(t) = trace.as_deref_mut() {
                let reason = if boundary_override {
                    "notPrincipalDenyWithBoundary"
                } else if matched {
                    "principalMatched"
                } else if !p.negated && caller.account.is_some() && p.entries.iter().any(|e| matches!(&e.pattern, crate::policy::principal::PrincipalPattern::Account(a) if Some(a) != caller.account.as_ref())) {
                    "accountMismatch"
                } else {
                    "principalNotMatched"
                };
                let mut e = ElementTrace::new(
                    if p.negated {
                        "NotPrincipal"
                    } else {
                        "Principal"
                    },
                    matched,
                    reason,
                    p.span,
                );
                e.value = entry.map(String::from);
                e.via = if matched { found } else { None };
                t.push(e);
            }
            if matched {
                via = found.unwrap_or(MatchedVia::Direct);
            } else {
                ok = false;
                if !explain {
                    return None;
                }
            }
        }
    }
    // Action / NotAction
    if let Some(a) = &st.action {
        let hit = a.items.iter().find(|i| glob(&i.elems, action_lower));
        let matched = hit.is_some() != a.negated;
        if let Some(t) = trace.as_deref_mut() {
            let name = if a.negated { "NotAction" } else { "Action" };
            let reason = if matched {
                "actionMatched"
            } else {
                "actionNotMatched"
            };
            t.push(matched_element(
                name,
                matched,
                reason,
                a.span,
                hit.map(|i| &i.text),
            ));
        }
        if !matched {
            ok = false;
            if !explain {
                return None;
            }
        }
    }
    // Missing context keys are reported only for statements whose Principal and Action match (and, for
    // conditions, whose Resource matches too), so the list is the same with and without a trace.
    let mut ignore = |_: &str| {};
    // Resource / NotResource
    if let Some(r) = &st.resource {
        let sink: &mut dyn FnMut(&str) = if ok { &mut *missing } else { &mut ignore };
        let hit = r
            .items
            .iter()
            .find(|i| i.pattern.matches(resource, ctx, sink));
        let matched = hit.is_some() != r.negated;
        if let Some(t) = trace.as_deref_mut() {
            let name = if r.negated { "NotResource" } else { "Resource" };
            let reason = if matched {
                "resourceMatched"
            } else {
                "resourceNotMatched"
            };
            t.push(matched_element(
                name,
                matched,
                reason,
                r.span,
                hit.map(|i| &i.text),
            ));
        }
        if !matched {
            ok = false;
            if !explain {
                return None;
            }
        }
    }
    // Conditions: AND across operators and keys. Every condition of a relevant statement is evaluated
    // (no short cut), so that all its missing keys are listed.
    let relevant = ok;
    for c in &st.conditions {
        let sink: &mut dyn FnMut(&str) = if relevant { &mut *missing } else { &mut ignore };
        let (matched, reason) = c.evaluate(ctx, sink);
        if let Some(t) = trace.as_deref_mut() {
            use crate::policy::condition::ConditionContext;
            let mut e =
                ElementTrace::new("Condition", matched, condition_reason_code(reason), c.span);
            e.operator = Some(c.operator_text.clone());
            e.set_operator = c.operator.set;
            e.key = Some(c.key.clone());
            e.policy_values = Some(c.values.iter().map(|v| v.text.clone()).collect());
            e.request_values = ctx.values(&c.key_lower).map(|v| v.to_vec());
            if reason == ConditionReason::NullCheck && !matched {
                e.reason = "conditionNotMatched";
            }
            t.push(e);
        }
        if !matched {
            ok = false;
        }
    }
    ok.then_some(via)
}

/// A trace element for Action/Resource: which entry matched, if any.
fn matched_element(
    name: &'static str,
    matched: bool,
    reason: &'static str,
    span: crate::json::Span,
    entry: Option<&String>,
) -> ElementTrace {
    let mut e = ElementTrace::new(name, matched, reason, span);
    e.value = entry.cloned();
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources(resource: &str, identity: &str) -> PolicySources {
        PolicySources {
            resource: Some(PolicySource {
                id: String::from("resourcePolicy"),
                text: String::from(resource),
            }),
            identity: alloc::vec![PolicySource {
                id: String::from("identityPolicies[0]"),
                text: String::from(identity),
            }],
            ..PolicySources::default()
        }
    }

    /// Setting many keys at once is the same as setting them one by one: on an empty context (a request's
    /// own, the fast path when no two keys are alike) and on one with keys already set, with and without
    /// keys that differ only in case, and with more keys than the fast path takes.
    #[test]
    fn set_all_is_set_one_by_one() {
        let with_case_twins = [
            ("aws:SourceIp", "1"),
            ("kms:ViaService", "2"),
            ("AWS:sourceip", "3"),
            ("x", "4"),
            ("KMS:VIASERVICE", "5"),
        ];
        let distinct = [("aws:SourceIp", "1"), ("kms:ViaService", "2"), ("y", "3")];
        let names: Vec<String> = (0..20).map(|i| format!("k{i}")).collect();
        let many: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
        let fresh = |start: bool| Request {
            principal: String::new(),
            action: String::new(),
            resource: String::new(),
            resource_account: None,
            context: if start {
                alloc::vec![(
                    String::from("x"),
                    String::from("x"),
                    ContextValue::One(String::from("0"))
                )]
            } else {
                Vec::new()
            },
        };
        for entries in [&with_case_twins[..], &distinct[..], &many[..]] {
            for start in [true, false] {
                let mut one = fresh(start);
                for (k, v) in entries {
                    one.set(k, ContextValue::One(String::from(*v)));
                }
                let mut all = fresh(start);
                all.set_all(
                    entries
                        .iter()
                        .map(|(k, v)| (String::from(*k), ContextValue::One(String::from(*v)))),
                );
                assert_eq!(format!("{:?}", one.context), format!("{:?}", all.context));
            }
        }
    }

    /// A cached build is the same policy set as a fresh one, parses each text once, and keeps a policy's
    /// kind apart (the same text as a key policy and as an identity policy is two entries).
    #[test]
    fn the_parse_cache_shares_parsed_policies_and_changes_nothing() {
        let key = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#;
        let bad = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Principal":"*"}]}"#;
        let src = sources(key, bad);
        let mut cache = ParseCache::default();
        let a = PolicySet::build_cached(&src, true, &mut cache);
        let b = PolicySet::build_cached(&src, true, &mut cache);
        let fresh = PolicySet::build(&src, true);
        assert_eq!(cache.entries.len(), 2);
        assert_eq!(a.policies.len(), fresh.policies.len());
        for ((x, y), z) in a.policies.iter().zip(&b.policies).zip(&fresh.policies) {
            assert!(Rc::ptr_eq(&x.policy, &y.policy));
            assert_eq!(format!("{:?}", x.policy), format!("{:?}", z.policy));
        }
        // The identity policy with a Principal is an error for an identity policy, every time.
        assert_eq!(a.errors, fresh.errors);
        assert_eq!(b.errors, fresh.errors);
        assert!(!fresh.errors.is_empty());
        // The same text as an identity policy is parsed (and validated) as one.
        let swapped = sources(bad, key);
        let c = PolicySet::build_cached(&swapped, true, &mut cache);
        assert_eq!(c.errors, PolicySet::build(&swapped, true).errors);
        assert_eq!(cache.entries.values().map(Vec::len).sum::<usize>(), 4);
    }

    /// The host clock is read only by a decision that needs the time, and then once: not for a policy set
    /// without time conditions, not when the request gives the time, once for two conditions on it (and
    /// both see the same time), once for a trace (which lists the context).
    #[test]
    fn a_host_clock_is_read_only_when_needed_and_once() {
        use core::sync::atomic::{AtomicU32, Ordering};
        static READS: AtomicU32 = AtomicU32::new(0);
        fn clock() -> i64 {
            // 2026-01-01T00:00:00Z, a second more on every read.
            let n = READS.fetch_add(1, Ordering::SeqCst);
            1_767_225_600_000 + i64::from(n) * 1000
        }
        let key = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#;
        let identity = |condition: &str| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"{condition}}}]}}"#
            )
        };
        let timed = identity(
            r#","Condition":{"DateEquals":{"aws:CurrentTime":"2026-01-01T00:00:00Z"},"NumericEquals":{"aws:EpochTime":"1767225600"}}"#,
        );
        let request = |context: Vec<(String, String, ContextValue)>| Request {
            principal: String::from("arn:aws:iam::111122223333:user/alice"),
            action: String::from("kms:Decrypt"),
            resource: String::from(
                "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            ),
            resource_account: None,
            context,
        };
        let host = |explain: bool| Options {
            explain,
            now: Clock::Host(clock),
            warnings: false,
        };
        let reads = || READS.load(Ordering::SeqCst);

        let untimed = PolicySet::build(&sources(key, &identity("")), true);
        assert_eq!(
            untimed.decide(&request(Vec::new()), host(false)).decision,
            Decision::Allow
        );
        assert_eq!(reads(), 0);

        let timed = PolicySet::build(&sources(key, &timed), true);
        assert!(timed.errors.is_empty(), "{:?}", timed.errors);
        // Both conditions see the clock's first reading (a second read would be a second later).
        assert_eq!(
            timed.decide(&request(Vec::new()), host(false)).decision,
            Decision::Allow
        );
        assert_eq!(reads(), 1);
        // The next decision reads it again: a second later, the `DateEquals` no longer holds.
        assert_eq!(
            timed.decide(&request(Vec::new()), host(false)).decision,
            Decision::ImplicitDeny
        );
        assert_eq!(reads(), 2);

        // The request's own time: the clock isn't read, and `aws:EpochTime` follows it.
        let given = alloc::vec![(
            String::from("aws:currenttime"),
            String::from("aws:CurrentTime"),
            ContextValue::One(String::from("2026-01-01T00:00:00Z")),
        )];
        let answer = timed.decide(&request(given), host(false));
        assert_eq!(reads(), 2);
        // Both conditions hold at the request's time (the clock is two seconds on by now).
        assert_eq!(answer.decision, Decision::Allow);

        // A trace lists the context, with the time: one read.
        assert!(untimed
            .decide(&request(Vec::new()), host(true))
            .trace
            .is_some());
        assert_eq!(reads(), 3);
    }
}
