//! The guided tour (Tour tab): the claims of the SageMaker Feature Store security page, in the
//! page's order, each quoted exactly, explained in a line, and with a Run button that opens the
//! example scenario demonstrating it in the Scenario tab, runs it and opens the call that shows the
//! outcome.
//!
//! The tour decides nothing either: a step only names an embedded example (`tests/scenarios/`) and
//! the index of a call in its run; the unit tests check that the call still has the outcome the
//! step describes.

use yew::prelude::*;

use crate::console::scroll_to_call;
use crate::scenario::{ScenarioMsg, ScenarioState, View, EXAMPLES};

/// One claim of the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// Used in element ids (`tour-run-…`).
    pub slug: &'static str,
    /// The page's sentence, verbatim.
    pub quote: &'static str,
    /// What the run shows, in a line.
    pub explain: &'static str,
    /// The example scenario (file name in `tests/scenarios/`).
    pub file: &'static str,
    /// The call opened (0-based index in the run's `calls`; the list shows it as `call + 1`).
    pub call: usize,
    /// That call's operation and outcome (error code, or `ok`).
    pub op: &'static str,
    pub outcome: &'static str,
}

/// The page's claims, in the page's order.
pub const STEPS: [Step; 11] = [
    Step {
        slug: "online-offline",
        quote:
            "The online store is used for low latency real-time inference use cases whereas the \
                offline store is used for training and batch inference use cases.",
        explain: "One PutRecord (call 3) writes the online store and an S3 object in the offline \
                  store (read back in calls 5–6); GetRecord reads the online store only, so on the \
                  offline-only group orders-history it is a ValidationError (opened).",
        file: "seed-claims.json",
        call: 7,
        op: "sagemaker:GetRecord",
        outcome: "ValidationError",
    },
    Step {
        slug: "default-keys",
        quote: "By default, it uses an AWS owned customer managed key for OnlineStore and AWS \
                managed customer managed key for OfflineStore.",
        explain: "The group clicks names no key: its online store makes no KMS request in your \
                  account (calls 11–15, even runtime-reader without KMS permissions reads it), and \
                  its offline store uses the AWS managed key aws/s3 (opened: KeyManager AWS).",
        file: "seed-claims.json",
        call: 16,
        op: "kms:DescribeKey",
        outcome: "ok",
    },
    Step {
        slug: "symmetric",
        quote: "Feature Store supports only symmetric customer managed keys.",
        explain: "CreateFeatureGroup with an RSA_2048 key is a ValidationException (opened).",
        file: "seed-claims.json",
        call: 9,
        op: "sagemaker:CreateFeatureGroup",
        outcome: "ValidationException",
    },
    Step {
        slug: "via-service",
        quote: "The kms:ViaService condition key allows the permissions only when the request \
                comes from FeatureStore on behalf of the principals listed in the policy \
                statement. These principals can't call these operations directly.",
        explain: "The example key policy allows featurestore-user kms:Decrypt only with \
                  kms:ViaService sagemaker.*.amazonaws.com: its direct kms:Decrypt is \
                  AccessDeniedException (opened); the same Decrypt via sagemaker (call 7) works.",
        file: "seed.json",
        call: 5,
        op: "kms:Decrypt",
        outcome: "AccessDeniedException",
    },
    Step {
        slug: "same-key",
        quote: "If you add this special condition to your customer managed key, and use the same \
                AWS KMS key for both the online and offline store, then it will fail the \
                CreateFeatureGroup API operation.",
        explain: "The offline store's role asks for kms:GenerateDataKey through S3, which the \
                  sagemaker.* condition refuses, so CreateFeatureGroup fails (opened); with a \
                  second key for the offline store it succeeds (call 5).",
        file: "shared-key-viaservice.json",
        call: 0,
        op: "sagemaker:CreateFeatureGroup",
        outcome: "ValidationException",
    },
    Step {
        slug: "admin",
        quote: "Gives the customer managed key administrators read-only access to the customer \
                managed key and permission to revoke grants, including the grants that Feature \
                Store uses to protect your data.",
        explain: "The featurestore-admin session may DescribeKey, GetKeyPolicy and ListGrants \
                  (calls 20–22) and RevokeGrant (call 29), but not Encrypt, Decrypt or DisableKey \
                  (opened): AccessDeniedException.",
        file: "seed-claims.json",
        call: 24,
        op: "kms:DisableKey",
        outcome: "AccessDeniedException",
    },
    Step {
        slug: "grant-per-store",
        quote: "Each grant is specific to an online store.",
        explain: "With two online stores on the same key, ListGrants (opened) shows two grants to \
                  sagemaker.us-east-1.amazonaws.com, one per feature group.",
        file: "seed-claims.json",
        call: 38,
        op: "kms:ListGrants",
        outcome: "ok",
    },
    Step {
        slug: "revoke",
        quote: "However, if you revoke the grant on an active encrypted online store, Feature \
                Store won't be able to protect and maintain the store.",
        explain: "The administrator revokes Feature Store's grant (call 8); once the revocation \
                  has propagated, GetRecord on the store fails with AccessForbidden (opened).",
        file: "seed.json",
        call: 8,
        op: "sagemaker:GetRecord",
        outcome: "AccessForbidden",
    },
    Step {
        slug: "data-plane",
        quote: "The caller (either user or role) to ALL DataPlane operations (Put, Get, \
                DeleteRecord) must have below permissions on the customer managed key:",
        explain: "runtime-reader may call sagemaker:GetRecord but has no kms:Decrypt: \
                  AccessForbidden (opened); runtime-reader-kms, with kms:Decrypt, reads the \
                  record (call 43).",
        file: "seed-claims.json",
        call: 41,
        op: "sagemaker:GetRecord",
        outcome: "AccessForbidden",
    },
    Step {
        slug: "offline-role",
        quote: "The roleArn that is passed as a parameter to createFeatureGroup must have below \
                permissions to the OfflineStore KmsKeyId:",
        explain: "With a RoleArn that has no kms:GenerateDataKey, CreateFeatureGroup fails \
                  (opened) and no feature group exists (call 47).",
        file: "seed-claims.json",
        call: 45,
        op: "sagemaker:CreateFeatureGroup",
        outcome: "ValidationException",
    },
    Step {
        slug: "bucket-keys",
        quote: "By defining your bucket-level key for SSE, you can reduce AWS KMS requests costs \
                by up to 99 percent.",
        explain: "Ten PutRecords into an offline store without an S3 Bucket Key make 10 \
                  GenerateDataKey requests (call 59); the same ten with a Bucket Key make 1 \
                  (opened: KMS requests 1).",
        file: "seed-claims.json",
        call: 59,
        op: "sagemaker:PutRecord",
        outcome: "ok",
    },
];

/// A Run of a tour step, for the Scenario tab: open example `example`, run it, open call `call`.
/// `serial` tells two presses of the same button apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    pub serial: u32,
    pub example: usize,
    pub call: usize,
}

/// The latest tour request, provided by the app to the Scenario tab as a context.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pending(pub Option<Request>);

/// The index of an embedded example.
pub fn example_index(file: &str) -> Option<usize> {
    EXAMPLES.iter().position(|(f, _)| *f == file)
}

/// Carries out the tour's requests in the Scenario tab (which calls this hook).
#[hook]
pub fn use_tour_requests(dispatch: &UseReducerDispatcher<ScenarioState>) {
    let request = use_context::<Pending>().and_then(|p| p.0);
    let dispatch = dispatch.clone();
    use_effect_with(request, move |request| {
        if let Some(r) = request {
            dispatch.dispatch(ScenarioMsg::Select(r.example));
            dispatch.dispatch(ScenarioMsg::View(View::Calls));
            dispatch.dispatch(ScenarioMsg::ToggleCall(r.call));
            scroll_to_call(r.call);
        }
    });
}

#[derive(Properties, PartialEq)]
pub struct TourProps {
    /// Run a step: `(example index, call index)`.
    pub on_run: Callback<(usize, usize)>,
}

/// The Tour tab.
#[function_component(Tour)]
pub fn tour(props: &TourProps) -> Html {
    html! {
        <>
            <p class="tab-intro muted">
                { "The claims of the AWS page \u{201c}Security and access control\u{201d} (Amazon \
                   SageMaker Feature Store), in the page's order. Run opens the example scenario \
                   that shows the claim in the Scenario tab, runs it in your browser and opens the \
                   call with the outcome: its result, every authorization's trace and its \
                   CloudTrail events." }
            </p>
            <ol id="tour-steps" class="tour">
                { for STEPS.iter().map(|step| {
                    let example = example_index(step.file);
                    let onclick = {
                        let on_run = props.on_run.clone();
                        let call = step.call;
                        Callback::from(move |_: MouseEvent| {
                            if let Some(example) = example {
                                on_run.emit((example, call));
                            }
                        })
                    };
                    html! {
                        <li class="tour-step" data-step={step.slug}>
                            <blockquote class="claim">{ format!("\u{201c}{}\u{201d}", step.quote) }</blockquote>
                            <p class="explain">{ step.explain }</p>
                            <p class="tour-run-row">
                                <button type="button" class="primary tour-run"
                                    id={format!("tour-run-{}", step.slug)} disabled={example.is_none()}
                                    {onclick}>
                                    { "Run" }
                                </button>
                                <span class="hint">
                                    { format!(" {} · opens call {}: {} → {}", step.file, step.call + 1,
                                              step.op, step.outcome) }
                                </span>
                            </p>
                        </li>
                    }
                }) }
            </ol>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::run_scenario;
    use crate::str_at;
    use serde_json::Value;

    /// Each step's call still has the operation and outcome the step describes.
    #[test]
    fn every_step_opens_the_call_it_describes() {
        for step in STEPS {
            let example = example_index(step.file);
            assert!(example.is_some(), "{}: no example {}", step.slug, step.file);
            let text = EXAMPLES
                .get(example.unwrap_or_default())
                .map_or("", |(_, t)| t);
            let result = run_scenario(text).unwrap_or_default();
            let call = result
                .pointer(&format!("/calls/{}", step.call))
                .cloned()
                .unwrap_or_default();
            assert_eq!(str_at(&call, "op"), Some(step.op), "{}", step.slug);
            let outcome = call
                .get("error")
                .and_then(|e| str_at(e, "code"))
                .unwrap_or("ok");
            assert_eq!(outcome, step.outcome, "{}: {call}", step.slug);
            if step.slug == "revoke" {
                let message = call.pointer("/error/message").map(Value::to_string);
                assert!(message.unwrap_or_default().contains("revoked or retired"));
            }
            if step.slug == "bucket-keys" {
                let requests = |i: usize| {
                    result
                        .pointer(&format!("/calls/{i}/kmsRequests"))
                        .and_then(Value::as_u64)
                };
                assert_eq!(requests(step.call), Some(1));
                assert_eq!(requests(step.call - 1), Some(10));
            }
        }
    }

    /// The quotes are the page's sentences, in the page's order (when the page is at hand).
    #[test]
    fn quotes_are_verbatim_and_in_order() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/reference/seed-feature-store-security.en.txt"
        );
        let Ok(page) = std::fs::read_to_string(path) else {
            return;
        };
        let mut last = 0;
        for step in STEPS {
            let at = page.find(step.quote);
            assert!(at.is_some(), "{}: not on the page", step.slug);
            let at = at.unwrap_or_default();
            assert!(at >= last, "{}: out of order", step.slug);
            last = at;
        }
    }
}
