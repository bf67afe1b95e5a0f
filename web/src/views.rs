//! Views of a scenario run: the calls with their details and authorization trees, the CloudTrail
//! table, the KMS requests chart and cost report, and the region's final keys, grants and feature
//! groups. They only read the run's JSON (`docs/scenario.md`, "What a run returns").

use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::Value;
use web_sys::Element;
use yew::prelude::*;

use crate::i18n::{fill, tr, trf};
use crate::{num_at, pretty_text, str_at, view_determining, view_diagnostics, view_missing_keys};

// ---------------------------------------------------------------------------------------------
// Small helpers

fn arr<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn arr_at<'a>(value: &'a Value, pointer: &str) -> &'a [Value] {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// A JSON value as display text: strings as they are, `null` as "—", the rest as compact JSON.
pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "—".to_owned(),
        other => other.to_string(),
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// ✓ or ✗, with words for screen readers.
fn mark(ok: bool, yes: &'static str, no: &'static str) -> Html {
    html! {
        <span class={classes!("mark", if ok { "yes" } else { "no" })}>
            <span aria-hidden="true">{ if ok { "✓" } else { "✗" } }</span>
            <span class="sr-only">{ if ok { yes } else { no } }</span>
        </span>
    }
}

/// The CSS class of a decision badge.
pub fn badge_class(decision: &str) -> &'static str {
    match decision {
        "Allow" => "allow",
        "ExplicitDeny" => "explicit-deny",
        _ => "implicit-deny",
    }
}

/// A caller or principal ARN, shortened for a table cell: the user or role (session) name, `root`,
/// or the service principal as it is; ` (ACCOUNT)` is added when the account is not `home`.
pub fn short_principal(arn: &str, home: Option<&str>) -> String {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let (Some(&"arn"), Some(account), Some(resource)) = (parts.first(), parts.get(4), parts.get(5))
    else {
        return arn.to_owned();
    };
    let name = match resource.split_once('/') {
        Some(("user" | "role" | "assumed-role", rest)) => rest,
        _ => resource,
    };
    if account.is_empty() || Some(*account) == home {
        name.to_owned()
    } else {
        format!("{name} ({account})")
    }
}

/// A resource ARN, shortened: what follows the account (`key/…`, `feature-group/…`).
pub fn short_resource(arn: &str) -> &str {
    match arn.splitn(6, ':').nth(5) {
        Some(rest) if arn.starts_with("arn:") => rest,
        _ => arn,
    }
}

/// `HH:MM:SS` of an ISO 8601 time, with `MM-DD ` in front when the day is not `first_day`.
pub fn clock(time: &str, first_day: Option<&str>) -> String {
    match (time.get(0..10), time.get(5..10), time.get(11..19)) {
        (Some(day), _, Some(hms)) if Some(day) == first_day => hms.to_owned(),
        (_, Some(md), Some(hms)) => format!("{md} {hms}"),
        _ => time.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// A lazily rendered <details>

/// Props of [`Fold`].
#[derive(Properties)]
pub struct FoldProps {
    /// The whole run result.
    pub data: Rc<Value>,
    /// JSON pointer (into `data`) of what the body shows.
    pub at: AttrValue,
    /// Renders the body from `data` and `at`; called only while the fold is open.
    pub body: fn(&Value, &str) -> Html,
    pub summary: Html,
    /// Open at first.
    #[prop_or_default]
    pub open: bool,
    #[prop_or_default]
    pub class: Classes,
}

impl PartialEq for FoldProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.data, &other.data)
            && self.at == other.at
            && self.open == other.open
            && self.class == other.class
            && self.summary == other.summary
    }
}

/// A `<details>` whose body is rendered only while it is open (a call may have hundreds of
/// authorizations, each with a full trace).
#[function_component(Fold)]
pub fn fold(props: &FoldProps) -> Html {
    let _lang = crate::i18n::use_lang();
    let open = use_state_eq(|| props.open);
    let node = use_node_ref();
    let ontoggle = {
        let open = open.clone();
        let node = node.clone();
        // Yew delivers the `toggle` of nested <details> here too, so read our own element.
        Callback::from(move |_: Event| {
            if let Some(element) = node.cast::<Element>() {
                open.set(element.has_attribute("open"));
            }
        })
    };
    html! {
        <details ref={node} class={props.class.clone()} open={*open} {ontoggle}>
            <summary>{ props.summary.clone() }</summary>
            if *open {
                { (props.body)(&props.data, &props.at) }
            }
        </details>
    }
}

fn json_body(data: &Value, at: &str) -> Html {
    html! { <pre class="json">{ data.pointer(at).map(pretty).unwrap_or_default() }</pre> }
}

// ---------------------------------------------------------------------------------------------
// Calls

/// The list of calls (`#calls`); the open one shows its details.
pub fn calls(
    result: &Rc<Value>,
    steps: &[Value],
    home: Option<&str>,
    open: Option<usize>,
    on_toggle: Callback<usize>,
    previous: Option<&[String]>,
) -> Html {
    let calls = arr(result, "calls");
    let first_day = calls
        .first()
        .and_then(|c| str_at(c, "time"))
        .and_then(|t| t.get(0..10));
    if calls.is_empty() {
        return html! { <p id="calls" class="muted">{ tr("The scenario has no calls.") }</p> };
    }
    html! {
        <>
            <p class="hint">
                { tr("Each row is one call of the scenario: time, caller, operation, whether its \
                      expectation held, and its error code. Open a row for its input, output and every \
                      authorization it caused.") }
            </p>
            <div class="call-head" aria-hidden="true">
                <span>{ "#" }</span><span>{ tr("time") }</span><span>{ tr("caller") }</span>
                <span>{ tr("operation") }</span><span>{ tr("expect") }</span><span>{ tr("result") }</span>
            </div>
            <ol id="calls" class="calls">
                { for calls.iter().enumerate().map(|(i, call)| {
                    let step = steps.get(i).unwrap_or(&Value::Null);
                    let is_open = open == Some(i);
                    let onclick = {
                        let on_toggle = on_toggle.clone();
                        Callback::from(move |_: MouseEvent| on_toggle.emit(i))
                    };
                    let caller = str_at(call, "as").unwrap_or("");
                    let op = str_at(call, "op").unwrap_or("");
                    let code = call.get("error").and_then(|e| str_at(e, "code"));
                    let runs = num_at(call, "runs").unwrap_or(1);
                    let expectation = call
                        .get("expectation")
                        .map(|e| e.get("passed").and_then(Value::as_bool).unwrap_or(false));
                    let now = code.unwrap_or("ok");
                    let was = previous
                        .and_then(|p| p.get(i))
                        .map(String::as_str)
                        .filter(|was| *was != now);
                    html! {
                        <li class={classes!("call", is_open.then_some("open"))} key={i}>
                            <button type="button"
                                class={classes!("call-row", code.map(|_| "failed"), was.map(|_| "changed"))}
                                data-was={was.map(str::to_owned)}
                                aria-expanded={is_open.to_string()}
                                aria-controls={format!("call-{i}")}
                                data-op={op.to_owned()} data-result={code.unwrap_or("ok").to_owned()}
                                {onclick}>
                                <span class="c-index">{ i + 1 }</span>
                                <span class="c-time">{ clock(str_at(call, "time").unwrap_or(""), first_day) }</span>
                                <span class="c-caller" title={caller.to_owned()}>
                                    { short_principal(caller, home) }
                                </span>
                                <span class="c-op">
                                    { op }
                                    if let Some(via) = str_at(step, "via") {
                                        <span class="via">{ trf(" via {service}", &[("service", &via)]) }</span>
                                    }
                                    if runs > 1 {
                                        <span class="runs">{ format!(" ×{runs}") }</span>
                                    }
                                </span>
                                <span class="c-expect">
                                    { match expectation {
                                        Some(passed) => mark(passed, tr("expectation met"), tr("expectation failed")),
                                        None => html! {
                                            <span class="mark none">
                                                <span aria-hidden="true">{ "·" }</span>
                                                <span class="sr-only">{ tr("no expectation") }</span>
                                            </span>
                                        },
                                    } }
                                </span>
                                <span class={classes!("c-result", if code.is_some() { "err" } else { "ok" })}>
                                    if let Some(was) = was {
                                        <span class="change">{ trf("was {was} → now ", &[("was", &was)]) }</span>
                                    }
                                    { now }
                                </span>
                            </button>
                            if is_open {
                                { call_details(result, step, i, home) }
                            }
                        </li>
                    }
                }) }
            </ol>
        </>
    }
}

/// What a repeated call's details say about its runs: how many ended how, and which runs the
/// shown authorizations and events belong to (docs/scenario.md, `repeat`).
fn runs_note(call: &Value, runs: u64) -> String {
    let outcomes: Vec<String> = call
        .get("outcomes")
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(code, n)| format!("{code} {}", n.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    let left_out = num_at(call, "runsNotDetailed").unwrap_or(0);
    let shown = if left_out > 0 {
        trf(
            "authorizations, events and envelopes of the first 10 runs and the last ({n} runs in between are counted, not shown)",
            &[("n", &left_out)],
        )
    } else {
        tr("authorizations, events and envelopes of every run").to_owned()
    };
    trf(
        "{runs} runs: {outcomes}. Output and error of the last run; {shown}.",
        &[
            ("runs", &runs),
            ("outcomes", &outcomes.join(" · ")),
            ("shown", &shown),
        ],
    )
}

fn call_details(result: &Rc<Value>, step: &Value, i: usize, home: Option<&str>) -> Html {
    let call = result
        .pointer(&format!("/calls/{i}"))
        .unwrap_or(&Value::Null);
    let runs = num_at(call, "runs").unwrap_or(1);
    let authorizations = arr(call, "authorizations");
    let events = arr(call, "cloudTrail");
    let expectation = call.get("expectation");
    html! {
        <div class="call-details" id={format!("call-{i}")}>
            <dl class="meta">
                <dt>{ tr("Caller") }</dt><dd><code>{ str_at(call, "as").unwrap_or("") }</code></dd>
                <dt>{ tr("Operation") }</dt>
                <dd>
                    <code>{ str_at(call, "op").unwrap_or("") }</code>
                    if let Some(via) = str_at(step, "via") {
                        { fill(tr(" through {service}"), [("service", html! { <code>{ via }</code> })]) }
                    }
                </dd>
                <dt>{ tr("Time") }</dt><dd>{ str_at(call, "time").unwrap_or("") }</dd>
                if let Some(id) = str_at(call, "id") {
                    <dt>{ tr("Id") }</dt><dd><code>{ id }</code></dd>
                }
                if runs > 1 {
                    <dt>{ tr("Runs") }</dt>
                    <dd>
                        { runs_note(call, runs) }
                    </dd>
                }
                <dt>{ tr("KMS requests") }</dt><dd>{ num_at(call, "kmsRequests").unwrap_or(0) }</dd>
            </dl>

            <div class="io">
                <div>
                    <h4>{ tr("Input") }</h4>
                    <pre class="json input">{ step.get("input").map(pretty).unwrap_or_else(|| tr("(none)").to_owned()) }</pre>
                </div>
                <div>
                    if let Some(error) = call.get("error") {
                        <h4>{ tr("Error") }</h4>
                        <div class="engine-error call-error" role="alert">
                            <strong>{ str_at(error, "code").unwrap_or("") }</strong>
                            { ": " }{ str_at(error, "message").unwrap_or("") }
                        </div>
                    } else {
                        <h4>{ tr("Output") }</h4>
                        <pre class="json output">{ call.get("output").map(pretty).unwrap_or_default() }</pre>
                    }
                </div>
            </div>

            if let Some(expectation) = expectation {
                <h4>{ tr("Expectation") }</h4>
                <p class="expectation">
                    { mark(expectation.get("passed").and_then(Value::as_bool).unwrap_or(false),
                           tr("met"), tr("not met")) }
                    { " " }
                    <code>{ step.get("expect").map(Value::to_string).unwrap_or_default() }</code>
                </p>
                <ul class="failures">
                    { for arr(expectation, "failures").iter().map(|f| html! { <li>{ text(f) }</li> }) }
                </ul>
            }

            <h4>{ trf("Authorizations ({n})", &[("n", &authorizations.len())]) }</h4>
            if authorizations.is_empty() {
                <p class="muted">{ tr("None: the call was refused or answered before any authorization.") }</p>
            }
            <div class="authorizations">
                { for authorizations.iter().enumerate().map(|(j, a)| {
                    let decision = a.pointer("/answer/decision").and_then(Value::as_str).unwrap_or("?");
                    let open = decision != "Allow" || authorizations.len() == 1;
                    html! {
                        <Fold data={Rc::clone(result)} at={format!("/calls/{i}/authorizations/{j}")}
                            body={authorization_body as fn(&Value, &str) -> Html}
                            summary={authorization_summary(a, home)} {open}
                            class={classes!("authz", badge_class(decision))} />
                    }
                }) }
            </div>

            { envelopes(result, call, i, home) }

            <h4>{ trf("CloudTrail events ({n})", &[("n", &events.len())]) }</h4>
            if events.is_empty() {
                <p class="muted">{ tr("None.") }</p>
            }
            <div class="events">
                { for events.iter().enumerate().map(|(k, e)| html! {
                    <Fold data={Rc::clone(result)} at={format!("/calls/{i}/cloudTrail/{k}")}
                        body={json_body as fn(&Value, &str) -> Html}
                        summary={event_summary(e, home)} class="event" />
                }) }
            </div>
        </div>
    }
}

/// How many envelopes a call's details show (a repeated call may have hundreds).
const MAX_ENVELOPES: usize = 20;

/// The call's envelopes (`#envelope-I`): for each record or object it sealed or opened, the data
/// key, the KMS key that wraps it under its encryption context, what storage holds, and the KMS
/// requests made for it (from the run's `kmsRequests`). Nothing when the call stored or read none.
fn envelopes(result: &Value, call: &Value, i: usize, home: Option<&str>) -> Html {
    let list = arr(call, "envelopes");
    if list.is_empty() {
        return Html::default();
    }
    let requests = arr(result, "kmsRequests");
    html! {
        <section class="envelopes" id={format!("envelope-{i}")} aria-labelledby={format!("envelope-{i}-title")}>
            <h4 id={format!("envelope-{i}-title")}>{ trf("Envelope ({n})", &[("n", &list.len())]) }</h4>
            <p class="hint">
                { tr("Envelope encryption of each record or object the call wrote (sealed) or read (opened): a data key encrypts the data with AES-256-GCM, KMS wraps the data key under the KMS key and the encryption context, and storage keeps only ciphertext.") }
            </p>
            <ol class="envelope-list">
                { for list.iter().take(MAX_ENVELOPES).map(|e| envelope(e, requests, home)) }
            </ol>
            if list.len() > MAX_ENVELOPES {
                <p class="muted">
                    { trf("… and {n} more, not shown.", &[("n", &(list.len() - MAX_ENVELOPES))]) }
                </p>
            }
        </section>
    }
}

/// A hex prefix as the engine gives it (`…` at the end when the bytes go on), in a code block.
fn hex_block(hex: &str, bytes: u64) -> Html {
    let cut = hex.ends_with('…');
    html! {
        <>
            <code class="hex">{ hex.to_owned() }</code>
            <span class="muted bytes">
                { if cut {
                    trf("{n} bytes; the first 48 are shown", &[("n", &bytes)])
                } else {
                    trf("{n} bytes", &[("n", &bytes)])
                } }
            </span>
        </>
    }
}

fn envelope(e: &Value, requests: &[Value], home: Option<&str>) -> Html {
    let store = str_at(e, "store").unwrap_or("?");
    let action = str_at(e, "action").unwrap_or("?");
    let kms_key = str_at(e, "kmsKey").unwrap_or("?");
    let context = e
        .get("encryptionContext")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let indices: Vec<usize> = arr(e, "kmsRequests")
        .iter()
        .filter_map(Value::as_u64)
        .filter_map(|n| usize::try_from(n).ok())
        .collect();
    html! {
        <li class="envelope" data-store={store.to_owned()} data-action={action.to_owned()}>
            <p class="env-head">
                <span class="env-store">
                    { match store { "online" => tr("online store"), "offline" => tr("offline store (S3 object)"), other => other } }
                </span>
                { " · " }
                <strong class="env-action">
                    { match action { "sealed" => tr("sealed (written)"), "opened" => tr("opened (read)"), other => other } }
                </strong>
                { " · " }<code class="env-location">{ str_at(e, "location").unwrap_or("") }</code>
            </p>
            <div class="env-flow">
                <div class="env-box env-data-key">
                    <h5>{ tr("Data key") }</h5>
                    <p>{ str_at(e, "dataKey").unwrap_or("") }</p>
                    <p class="muted">{ str_at(e, "algorithm").unwrap_or("") }</p>
                </div>
                <span class="env-arrow" aria-hidden="true">{ "→" }</span>
                <div class="env-box env-kms-key">
                    <h5>{ tr("Wrapped under the KMS key") }</h5>
                    <p>
                        <code title={kms_key.to_owned()}>{ short_resource(kms_key) }</code>
                        { format!(" ({})", str_at(e, "keyManager").unwrap_or("?")) }
                    </p>
                    <p class="env-label">{ tr("with the encryption context") }</p>
                    <dl class="env-context">
                        { for context.iter().map(|(k, v)| html! {
                            <><dt><code>{ k.clone() }</code></dt><dd><code>{ text(v) }</code></dd></>
                        }) }
                    </dl>
                    <p class="env-label">{ tr("Wrapped data key") }</p>
                    { hex_block(str_at(e, "wrappedDataKeyHex").unwrap_or(""), num_at(e, "wrappedDataKeyBytes").unwrap_or(0)) }
                </div>
                <span class="env-arrow" aria-hidden="true">{ "→" }</span>
                <div class="env-box env-stored">
                    <h5>{ tr("Stored ciphertext") }</h5>
                    { hex_block(str_at(e, "storedHex").unwrap_or(""), num_at(e, "storedBytes").unwrap_or(0)) }
                </div>
            </div>
            <h5>{ tr("KMS requests for it") }</h5>
            if indices.is_empty() {
                <p class="muted env-no-requests">
                    { tr("None: a data key KMS had already unwrapped was reused (an S3 Bucket Key), or the key is AWS owned (its requests are not counted).") }
                </p>
            } else {
                <ul class="env-requests">
                    { for indices.iter().map(|n| {
                        let r = requests.get(*n).unwrap_or(&Value::Null);
                        let caller = str_at(r, "caller").unwrap_or("?");
                        html! {
                            <li data-operation={str_at(r, "operation").unwrap_or("?").to_owned()}>
                                <code>{ format!("kms:{}", str_at(r, "operation").unwrap_or("?")) }</code>
                                { " " }{ tr("by") }{ " " }
                                <span title={caller.to_owned()}>{ short_principal(caller, home) }</span>
                                { match str_at(r, "viaService") {
                                    Some(via) => trf(" via {service}", &[("service", &via)]),
                                    None => tr(" (direct)").to_owned(),
                                } }
                                if let Some(code) = str_at(r, "errorCode") {
                                    { " · " }<span class="err">{ code }</span>
                                }
                            </li>
                        }
                    }) }
                </ul>
            }
        </li>
    }
}

fn event_summary(event: &Value, home: Option<&str>) -> Html {
    let user = event_user(event);
    html! {
        <>
            <code>{ str_at(event, "eventName").unwrap_or("?") }</code>
            { format!(" · {} · {}", str_at(event, "eventSource").unwrap_or(""), short_principal(user, home)) }
            if let Some(by) = event.pointer("/userIdentity/invokedBy").and_then(Value::as_str) {
                { trf(" · invoked by {service}", &[("service", &by)]) }
            }
            if let Some(code) = str_at(event, "errorCode") {
                { " · " }<span class="err">{ code }</span>
            }
        </>
    }
}

fn authorization_summary(a: &Value, home: Option<&str>) -> Html {
    let decision = a
        .pointer("/answer/decision")
        .and_then(Value::as_str)
        .unwrap_or("?");
    let principal = str_at(a, "principal").unwrap_or("");
    let resource = str_at(a, "resource").unwrap_or("");
    html! {
        <>
            <span class={classes!("badge", "small", "decision", badge_class(decision))}>{ decision }</span>
            { " " }
            { fill(tr("{action} by {principal} on {resource}"), [
                ("action", html! { <code>{ str_at(a, "action").unwrap_or("") }</code> }),
                ("principal", html! { <span title={principal.to_owned()}>{ short_principal(principal, home) }</span> }),
                ("resource", html! { <span title={resource.to_owned()}>{ short_resource(resource) }</span> }),
            ]) }
        </>
    }
}

/// One authorization: decision, AWS message, determining statements, missing keys, then the trace
/// (policy type → policy → statement → element, the pipeline steps, the request context).
fn authorization_body(data: &Value, at: &str) -> Html {
    let Some(a) = data.pointer(at) else {
        return Html::default();
    };
    let answer = a.get("answer").unwrap_or(&Value::Null);
    let trace = answer.get("trace").unwrap_or(&Value::Null);
    let decision = str_at(answer, "decision").unwrap_or("?");
    let steps = arr(trace, "steps");
    let context = arr(trace, "context");
    let sources = arr(trace, "sources");
    html! {
        <div class="authz-body">
            <dl class="meta">
                <dt>{ tr("Decision") }</dt>
                <dd>
                    <strong class={classes!("decision-text", badge_class(decision))}>{ decision }</strong>
                    if let Some(reason) = str_at(answer, "reason") {
                        { " — " }<code class="reason">{ camel_breaks(reason) }</code>
                    }
                </dd>
                <dt>{ tr("Principal") }</dt><dd><code>{ str_at(a, "principal").unwrap_or("") }</code></dd>
                <dt>{ tr("Action") }</dt><dd><code>{ str_at(a, "action").unwrap_or("") }</code></dd>
                <dt>{ tr("Resource") }</dt><dd><code>{ str_at(a, "resource").unwrap_or("") }</code></dd>
            </dl>
            if let Some(message) = str_at(answer, "message") {
                <p class="message aws-message">{ message }</p>
            }
            { view_diagnostics(answer, None) }
            <h5>{ tr("Determining statements") }</h5>
            { view_determining(answer, None) }
            { view_missing_keys(answer, None) }

            <details class="tree" open=true>
                <summary>{ tr("Policies evaluated") }</summary>
                { policy_types(arr(trace, "policyTypes"), decision != "Allow") }
            </details>
            <details class="tree pipeline" open=true>
                <summary>{ trf("Evaluation pipeline ({n} steps)", &[("n", &steps.len())]) }</summary>
                <ol class="steps">
                    { for steps.iter().map(|s| {
                        let outcome = str_at(s, "outcome").unwrap_or("");
                        html! {
                            <li>
                                <code>{ str_at(s, "step").unwrap_or("") }</code>{ " " }
                                <span class={classes!("outcome", outcome.to_owned())}>{ outcome }</span>
                                { " — " }{ str_at(s, "detail").unwrap_or("") }
                            </li>
                        }
                    }) }
                </ol>
            </details>
            <details class="tree">
                <summary>{ trf("Request context ({n} keys)", &[("n", &context.len())]) }</summary>
                <table class="context">
                    <thead><tr><th>{ tr("key") }</th><th>{ tr("value") }</th><th>{ tr("source") }</th></tr></thead>
                    <tbody>
                        { for context.iter().map(|c| html! {
                            <tr>
                                <td><code>{ str_at(c, "key").unwrap_or("") }</code></td>
                                <td><code>{ c.get("value").map(text).unwrap_or_default() }</code></td>
                                <td>{ str_at(c, "source").unwrap_or("") }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </details>
            <details class="tree">
                <summary>{ trf("Policy texts ({n})", &[("n", &sources.len())]) }</summary>
                { for sources.iter().map(|s| html! {
                    <>
                        <h6><code>{ str_at(s, "policy").unwrap_or("") }</code></h6>
                        <pre class="json">{ str_at(s, "text").unwrap_or("") }</pre>
                    </>
                }) }
            </details>
        </div>
    }
}

/// The trace's policy types; `open_statements` opens every statement (for a denial, where each
/// statement's elements say why it did not allow).
fn policy_types(types: &[Value], open_statements: bool) -> Html {
    if types.is_empty() {
        return html! { <p class="muted">{ tr("No policies were evaluated.") }</p> };
    }
    html! {
        <ul class="ptypes">
            { for types.iter().map(|t| {
                let applicable = t.get("applicable").and_then(Value::as_bool).unwrap_or(false);
                let policies = arr(t, "policies");
                html! {
                    <li>
                        <details class="ptype" open={applicable && !policies.is_empty()}>
                            <summary>
                                <code>{ str_at(t, "policyType").unwrap_or("") }</code>
                                { if applicable { tr(" — applicable") } else { tr(" — not applicable") } }
                                { if policies.len() == 1 {
                                    tr(" (1 policy)").to_owned()
                                } else {
                                    trf(" ({n} policies)", &[("n", &policies.len())])
                                } }
                                if let Some(note) = str_at(t, "note") {
                                    <span class="note">{ format!(" — {note}") }</span>
                                }
                            </summary>
                            <ul class="policies">
                                { for policies.iter().map(|p| policy(p, open_statements)) }
                            </ul>
                        </details>
                    </li>
                }
            }) }
        </ul>
    }
}

fn policy(p: &Value, open_statements: bool) -> Html {
    let statements = arr(p, "statements");
    html! {
        <li>
            <details class="policy" open=true>
                <summary>
                    <code>{ str_at(p, "policy").unwrap_or("") }</code>
                    if !statements.is_empty() {
                        { if statements.len() == 1 {
                            tr(" (1 statement)").to_owned()
                        } else {
                            trf(" ({n} statements)", &[("n", &statements.len())])
                        } }
                    }
                </summary>
                if let Some(grant) = p.get("grant") {
                    <p class="grant">
                        { mark(grant.get("matched").and_then(Value::as_bool).unwrap_or(false),
                               tr("grant matched"), tr("grant did not match")) }
                        { " " }
                        { fill(tr("grant {id} to {grantee} for {operations}"), [
                            ("id", html! { <code>{ short_id(str_at(grant, "grantId").unwrap_or("")) }</code> }),
                            ("grantee", html! { <code>{ str_at(grant, "granteePrincipal").unwrap_or("") }</code> }),
                            ("operations", html! { { join(arr(grant, "operations")) } }),
                        ]) }
                        { " — " }<code>{ str_at(grant, "reason").unwrap_or("") }</code>
                    </p>
                }
                <ul class="statements">
                    { for statements.iter().map(|s| statement(s, open_statements)) }
                </ul>
            </details>
        </li>
    }
}

fn statement(s: &Value, open: bool) -> Html {
    let applies = s.get("applies").and_then(Value::as_bool).unwrap_or(false);
    let effect = str_at(s, "effect").unwrap_or("");
    let line = s.pointer("/span/start/line").and_then(Value::as_u64);
    html! {
        <li>
            <details class={classes!("stmt", applies.then_some("applies"))} {open}>
                <summary>
                    { mark(applies, tr("applies"), tr("does not apply")) }{ " " }
                    <span class={classes!("effect", effect.to_ascii_lowercase())}>{ effect }</span>{ " " }
                    if let Some(sid) = str_at(s, "sid") {
                        <q class="sid">{ sid }</q>
                    } else {
                        { trf("statement {index}", &[("index", &num_at(s, "index").unwrap_or(0))]) }
                    }
                    { " — " }<code>{ str_at(s, "reason").unwrap_or("") }</code>
                    if let Some(line) = line {
                        <span class="place">{ trf(" (line {line})", &[("line", &line)]) }</span>
                    }
                </summary>
                <ul class="elements">
                    { for arr(s, "elements").iter().map(element) }
                </ul>
            </details>
        </li>
    }
}

/// The label of a member of a trace element.
fn element_field(key: &str) -> &'static str {
    match key {
        "value" => tr("value"),
        "via" => tr("via"),
        "operator" => tr("operator"),
        "setOperator" => tr("set operator"),
        "key" => tr("key"),
        "policyValues" => tr("policy values"),
        _ => tr("request values"),
    }
}

fn element(e: &Value) -> Html {
    const FIELDS: [&str; 7] = [
        "value",
        "via",
        "operator",
        "setOperator",
        "key",
        "policyValues",
        "requestValues",
    ];
    let matched = e.get("matched").and_then(Value::as_bool).unwrap_or(false);
    html! {
        <li class="element">
            { mark(matched, tr("matched"), tr("did not match")) }{ " " }
            <strong>{ str_at(e, "element").unwrap_or("") }</strong>{ " " }
            <code class="reason">{ str_at(e, "reason").unwrap_or("") }</code>
            { for FIELDS.iter().filter_map(|key| e.get(*key).map(|v| html! {
                <span class="field">
                    <span class="k">{ element_field(key) }</span>{ " " }<code>{ text(v) }</code>
                </span>
            })) }
        </li>
    }
}

fn short_id(id: &str) -> String {
    match id.get(0..12) {
        Some(head) if id.len() > 16 => format!("{head}…"),
        _ => id.to_owned(),
    }
}

fn join(values: &[Value]) -> String {
    values.iter().map(text).collect::<Vec<_>>().join(", ")
}

// ---------------------------------------------------------------------------------------------
// CloudTrail

fn event_user(event: &Value) -> &str {
    let identity = event.get("userIdentity").unwrap_or(&Value::Null);
    ["arn", "invokedBy", "principalId", "type"]
        .iter()
        .find_map(|k| str_at(identity, k))
        .unwrap_or("")
}

/// The cells of one CloudTrail row: time, source, eventName, user, invokedBy, errorCode.
pub fn trail_cells(event: &Value) -> [&str; 6] {
    [
        str_at(event, "eventTime").unwrap_or(""),
        str_at(event, "eventSource").unwrap_or(""),
        str_at(event, "eventName").unwrap_or(""),
        event_user(event),
        event
            .pointer("/userIdentity/invokedBy")
            .and_then(Value::as_str)
            .unwrap_or(""),
        str_at(event, "errorCode").unwrap_or(""),
    ]
}

/// Whether an event's row matches the filter: every whitespace-separated word of it occurs
/// (case-insensitively) in one of the row's cells.
pub fn trail_matches(event: &Value, filter: &str) -> bool {
    let cells = trail_cells(event).map(str::to_lowercase);
    filter
        .to_lowercase()
        .split_whitespace()
        .all(|word| cells.iter().any(|c| c.contains(word)))
}

/// Export on the mouse *press*: a click needs the press and the release on the button, and when the focused
/// filter loses focus on the press, Chromium may scroll the page (when it is scrolled to its end), so the
/// release lands elsewhere and no click happens.
fn export_on_press(on_export: &Callback<MouseEvent>) -> Callback<MouseEvent> {
    let on_export = on_export.clone();
    Callback::from(move |e: MouseEvent| {
        if e.button() == 0 {
            on_export.emit(e);
        }
    })
}

/// …and on a keyboard "click" (Enter or Space: `detail` is 0), which has no press.
fn export_on_key(on_export: &Callback<MouseEvent>) -> Callback<MouseEvent> {
    let on_export = on_export.clone();
    Callback::from(move |e: MouseEvent| {
        if e.detail() == 0 {
            on_export.emit(e);
        }
    })
}

/// The CloudTrail view: a filterable table of every event, with an export of the whole trail.
pub fn cloudtrail(
    result: &Rc<Value>,
    home: Option<&str>,
    filter: &str,
    on_filter: Callback<InputEvent>,
    open: Option<usize>,
    on_event: Callback<usize>,
    on_export: Callback<MouseEvent>,
) -> Html {
    let records = arr_at(result, "/cloudTrail/Records");
    let rows: Vec<(usize, &Value)> = records
        .iter()
        .enumerate()
        .filter(|(_, e)| trail_matches(e, filter))
        .collect();
    let first_day = records
        .first()
        .and_then(|e| str_at(e, "eventTime"))
        .and_then(|t| t.get(0..10));
    html! {
        <>
            <div class="trail-tools">
                <label for="trail-filter">{ tr("Filter") }</label>
                <input type="search" id="trail-filter" value={filter.to_owned()} oninput={on_filter}
                    placeholder={tr("e.g. Decrypt AccessDenied, featurestore-admin, s3")} autocomplete="off" />
                <span id="trail-count" class="muted" role="status">
                    { trf("{shown} of {total} events", &[("shown", &rows.len()), ("total", &records.len())]) }
                </span>
                <button type="button" id="export-trail" class="secondary"
                    onmousedown={export_on_press(&on_export)} onclick={export_on_key(&on_export)}
                    title={tr("Download the whole trail as a CloudTrail log file")}>
                    { tr("Export JSON") }
                </button>
            </div>
            <div class="table-wrap">
                <table id="trail" class="trail">
                    <thead>
                        <tr>
                            <th>{ tr("time") }</th><th>{ tr("source") }</th><th>{ "eventName" }</th>
                            <th>{ tr("user") }</th><th>{ "invokedBy" }</th><th>{ "errorCode" }</th>
                            <th><span class="sr-only">{ "JSON" }</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        { for rows.into_iter().map(|(i, event)| {
                            let [time, source, name, user, invoked_by, error] = trail_cells(event);
                            let is_open = open == Some(i);
                            let onclick = {
                                let on_event = on_event.clone();
                                Callback::from(move |_: MouseEvent| on_event.emit(i))
                            };
                            html! {
                                <>
                                    <tr class={classes!("trail-row", (!error.is_empty()).then_some("failed"))} key={format!("e{i}")}>
                                        <td class="nowrap">{ clock(time, first_day) }</td>
                                        <td>{ source.trim_end_matches(".amazonaws.com") }</td>
                                        <td><code>{ name }</code></td>
                                        <td title={user.to_owned()}>{ short_principal(user, home) }</td>
                                        <td>{ invoked_by }</td>
                                        <td class="err">{ error }</td>
                                        <td>
                                            <button type="button" class="link" aria-expanded={is_open.to_string()}
                                                aria-label={trf("JSON of event {n} ({name})", &[("n", &(i + 1)), ("name", &name)])} {onclick}>
                                                { if is_open { tr("hide") } else { "JSON" } }
                                            </button>
                                        </td>
                                    </tr>
                                    if is_open {
                                        <tr class="trail-json" key={format!("j{i}")}>
                                            <td colspan="7"><pre class="json">{ pretty(event) }</pre></td>
                                        </tr>
                                    }
                                </>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        </>
    }
}

// ---------------------------------------------------------------------------------------------
// KMS requests & cost

/// `(label, succeeded, failed)` counts, most requests first.
pub fn tally<'a>(
    requests: &'a [Value],
    label: impl Fn(&'a Value) -> &'a str,
) -> Vec<(&'a str, u64, u64)> {
    let mut counts: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for r in requests {
        let entry = counts.entry(label(r)).or_default();
        if r.get("errorCode").is_some() {
            entry.1 += 1;
        } else {
            entry.0 += 1;
        }
    }
    let mut rows: Vec<_> = counts
        .into_iter()
        .map(|(k, (ok, err))| (k, ok, err))
        .collect();
    rows.sort_by(|a, b| (b.1 + b.2).cmp(&(a.1 + a.2)).then(a.0.cmp(b.0)));
    rows
}

/// A horizontal bar chart (inline SVG): succeeded requests, then failed ones, per label.
fn bar_chart(rows: &[(&str, u64, u64)], what: &str) -> Html {
    const LABEL_W: f64 = 200.0;
    const BAR_W: f64 = 300.0;
    const ROW_H: f64 = 26.0;
    if rows.is_empty() {
        return html! { <p class="muted">{ tr("No KMS requests.") }</p> };
    }
    let max = rows.iter().map(|r| r.1 + r.2).max().unwrap_or(1).max(1) as f64;
    let width = LABEL_W + BAR_W + 120.0;
    let height = ROW_H * rows.len() as f64 + 6.0;
    let described = rows
        .iter()
        .map(|(label, ok, err)| format!("{label}: {}", ok + err))
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        <svg class="bars" viewBox={format!("0 0 {width} {height}")} width={width.to_string()}
            height={height.to_string()} role="img" aria-label={format!("{what}: {described}")}>
            { for rows.iter().enumerate().map(|(k, (label, ok, err))| {
                let y = ROW_H * k as f64 + 3.0;
                let ok_w = if *ok > 0 { (*ok as f64 / max * BAR_W).max(2.0) } else { 0.0 };
                let err_w = if *err > 0 { (*err as f64 / max * BAR_W).max(2.0) } else { 0.0 };
                let value = if *err > 0 {
                    trf("{total} ({failed} failed)", &[("total", &(ok + err)), ("failed", err)])
                } else {
                    ok.to_string()
                };
                html! {
                    <g>
                        <text class="bar-label" x={(LABEL_W - 8.0).to_string()} y={(y + 16.0).to_string()}>{ *label }</text>
                        <rect class="bar ok" x={LABEL_W.to_string()} y={(y + 3.0).to_string()}
                            width={ok_w.to_string()} height={(ROW_H - 8.0).to_string()} rx="2" />
                        <rect class="bar failed" x={(LABEL_W + ok_w).to_string()} y={(y + 3.0).to_string()}
                            width={err_w.to_string()} height={(ROW_H - 8.0).to_string()} rx="2" />
                        <text class="bar-value" x={(LABEL_W + ok_w + err_w + 6.0).to_string()}
                            y={(y + 16.0).to_string()}>{ value }</text>
                    </g>
                }
            }) }
        </svg>
    }
}

/// The series of the timeline: the bucket a request S3 made names (so Bucket Key on and off show side by side),
/// else the service it came through, else "direct".
fn timeline_series(r: &Value) -> String {
    match (str_at(r, "bucket"), str_at(r, "viaService")) {
        (Some(bucket), _) => trf("S3 for bucket {bucket}", &[("bucket", &bucket)]),
        (None, Some(via)) => trf("via {service}", &[("service", &via)]),
        (None, None) => tr("direct").to_owned(),
    }
}

/// KMS requests over simulated time: one cumulative step line per series ([`timeline_series`]), with the
/// request cost at $0.03 per 10,000 (before the free tier) on the legend.
fn timeline_chart(requests: &[Value]) -> Html {
    const W: f64 = 560.0;
    const H: f64 = 180.0;
    const LEFT: f64 = 44.0;
    const BOTTOM: f64 = 22.0;
    if requests.is_empty() {
        return html! { <p class="muted">{ tr("No KMS requests.") }</p> };
    }
    let times: Vec<i64> = requests
        .iter()
        .filter_map(|r| r.get("timeMs").and_then(Value::as_i64))
        .collect();
    let t0 = times.iter().copied().min().unwrap_or(0);
    let t1 = times.iter().copied().max().unwrap_or(0).max(t0 + 1);
    let mut series: Vec<(String, Vec<(i64, u64)>)> = Vec::new();
    for r in requests {
        let name = timeline_series(r);
        let t = r.get("timeMs").and_then(Value::as_i64).unwrap_or(t0);
        let at = match series.iter().position(|(n, _)| *n == name) {
            Some(i) => i,
            None => {
                series.push((name, Vec::new()));
                series.len() - 1
            }
        };
        if let Some((_, points)) = series.get_mut(at) {
            let n = points.last().map_or(0, |p| p.1) + 1;
            match points.last_mut() {
                Some(last) if last.0 == t => last.1 = n,
                _ => points.push((t, n)),
            }
        }
    }
    let max = series
        .iter()
        .filter_map(|(_, p)| p.last().map(|x| x.1))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let x = |t: i64| LEFT + (t - t0) as f64 / (t1 - t0) as f64 * (W - LEFT - 10.0);
    let y = |n: u64| (H - BOTTOM) - n as f64 / max * (H - BOTTOM - 10.0);
    let span_s = (t1 - t0) as f64 / 1000.0;
    let described = series
        .iter()
        .map(|(name, p)| format!("{name}: {}", p.last().map_or(0, |x| x.1)))
        .collect::<Vec<_>>()
        .join(", ");
    html! {
        <>
            <svg class="timeline" viewBox={format!("0 0 {W} {H}")} width={W.to_string()} height={H.to_string()}
                role="img" aria-label={trf("KMS requests over {seconds} s of simulated time: {series}",
                    &[("seconds", &format!("{span_s:.0}")), ("series", &described)])}>
                <line class="axis" x1={LEFT.to_string()} y1={(H - BOTTOM).to_string()} x2={W.to_string()} y2={(H - BOTTOM).to_string()} />
                <line class="axis" x1={LEFT.to_string()} y1="6" x2={LEFT.to_string()} y2={(H - BOTTOM).to_string()} />
                <text class="axis-label" x={(LEFT - 4.0).to_string()} y="14">{ format!("{max:.0}") }</text>
                <text class="axis-label" x={(LEFT - 4.0).to_string()} y={(H - BOTTOM).to_string()}>{ "0" }</text>
                <text class="axis-label start" x={LEFT.to_string()} y={(H - 6.0).to_string()}>{ "0 s" }</text>
                <text class="axis-label end" x={W.to_string()} y={(H - 6.0).to_string()}>{ format!("{span_s:.0} s") }</text>
                { for series.iter().enumerate().map(|(k, (_, points))| {
                    let mut path = format!("M {LEFT} {}", y(0));
                    let mut last = 0;
                    for (t, n) in points {
                        path.push_str(&format!(" L {:.1} {:.1} L {:.1} {:.1}", x(*t), y(last), x(*t), y(*n)));
                        last = *n;
                    }
                    path.push_str(&format!(" L {:.1} {:.1}", x(t1), y(last)));
                    html! { <path class={classes!("series", format!("series-{}", k % 6))} d={path} /> }
                }) }
            </svg>
            <ul class="timeline-legend">
                { for series.iter().enumerate().map(|(k, (name, points))| {
                    let n = points.last().map_or(0, |x| x.1);
                    html! {
                        <li>
                            <span class={classes!("swatch", format!("series-{}", k % 6))}></span>{ " " }
                            { trf("{name}: {n} requests (≈ {cost} at $0.03 per 10,000, before the free tier)", &[
                                ("name", name), ("n", &n), ("cost", &dollars(Some(n * 3))),
                            ]) }
                        </li>
                    }
                }) }
            </ul>
        </>
    }
}

/// Millionths of a dollar as dollars: `$0.00137`, `$0.00`, `$12.50`.
fn dollars(micros: Option<u64>) -> String {
    let Some(m) = micros else {
        return "—".to_owned();
    };
    let cents = format!("{:06}", m % 1_000_000);
    let cents = cents.trim_end_matches('0');
    format!("${}.{cents:0<2}", m / 1_000_000)
}

/// A table of some members of each object (`—` for a missing one).
fn table(rows: &[Value], columns: &[(&str, &str)], id: &'static str) -> Html {
    html! {
        <div class="table-wrap">
            <table class="report" {id}>
                <thead>
                    <tr>{ for columns.iter().map(|(label, _)| html! { <th>{ *label }</th> }) }</tr>
                </thead>
                <tbody>
                    { for rows.iter().map(|row| html! {
                        <tr>
                            { for columns.iter().map(|(_, key)| {
                                let value = row.get(*key).unwrap_or(&Value::Null);
                                let cell = match *key {
                                    "keyArn" => short_resource(value.as_str().unwrap_or("")).to_owned(),
                                    _ => text(value),
                                };
                                html! { <td title={value.as_str().map(str::to_owned)}>{ cell }</td> }
                            }) }
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

/// The KMS requests (charts per operation and per service) and the cost report.
pub fn kms(result: &Value) -> Html {
    let requests = arr(result, "kmsRequests");
    let by_operation = tally(requests, |r| str_at(r, "operation").unwrap_or("?"));
    let by_service = tally(requests, |r| str_at(r, "viaService").unwrap_or("direct"));
    let cost = result.get("cost").unwrap_or(&Value::Null);
    let quotas: Vec<Value> = arr(cost, "quotas")
        .iter()
        .map(|q| {
            let mut q = q.clone();
            let limit = q.pointer("/quota/limit").map(text).unwrap_or_default();
            let window = q
                .pointer("/quota/windowMs")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            if let Some(obj) = q.as_object_mut() {
                obj.insert(
                    "limitText".to_owned(),
                    Value::from(trf(
                        "{limit} per {seconds} s",
                        &[("limit", &limit), ("seconds", &(window as f64 / 1000.0))],
                    )),
                );
            }
            q
        })
        .collect();
    html! {
        <>
            <div class="charts">
                <figure class="chart" id="chart-operations">
                    <figcaption>{ trf("KMS requests per operation ({n} in all)", &[("n", &requests.len())]) }</figcaption>
                    { bar_chart(&by_operation, tr("KMS requests per operation")) }
                </figure>
                <figure class="chart" id="chart-services">
                    <figcaption>{ tr("KMS requests per service they came through") }</figcaption>
                    { bar_chart(&by_service, tr("KMS requests per service")) }
                </figure>
            </div>
            <p class="legend">
                <span class="swatch ok"></span>{ " " }{ tr("succeeded") }{ " " }
                <span class="swatch failed"></span>{ " " }{ tr("failed (any error, throttling included)") }
            </p>
            <figure class="chart wide" id="chart-timeline">
                <figcaption>{ tr("KMS requests over simulated time, cumulative: requests S3 made per bucket (S3 Bucket Key on and off side by side), the others per service") }</figcaption>
                { timeline_chart(requests) }
            </figure>

            <h3>{ tr("Cost") }</h3>
            <p id="cost-total" class="cost-total">
                { fill(
                    &trf("Total {total} — keys {keys}, requests {requests} (region {region})", &[
                        ("keys", &dollars(num_at(cost, "keyMicros"))),
                        ("requests", &dollars(num_at(cost, "requestMicros"))),
                        ("region", &str_at(cost, "region").unwrap_or("?")),
                    ]),
                    [("total", html! { <strong>{ str_at(cost, "total").unwrap_or("?") }</strong> })],
                ) }
            </p>
            <h4>{ tr("Keys") }</h4>
            { table(arr(cost, "keys"), &[(tr("key"), "keyArn"), (tr("manager"), "manager"), (tr("key-hours"), "keyHours"),
                                        (tr("rotation hours"), "rotationHours"), (tr("requests"), "requests"),
                                        (tr("charge"), "display")], "cost-keys") }
            <h4>{ tr("Accounts") }</h4>
            { table(arr(cost, "accounts"), &[(tr("account"), "account"), (tr("requests"), "requests"),
                                            (tr("free"), "freeRequests"), (tr("charged"), "chargedRequests"),
                                            (tr("charge"), "display")], "cost-accounts") }
            <h4>{ tr("Operations") }</h4>
            { table(arr(cost, "operations"), &[(tr("account"), "account"), (tr("operation"), "operation"),
                                              (tr("quota bucket"), "bucket"), (tr("requests"), "requests"),
                                              (tr("on behalf"), "onBehalf"), (tr("throttled"), "throttled"),
                                              (tr("AWS owned"), "awsOwned")], "cost-operations") }
            <h4>{ tr("Request quotas") }</h4>
            { table(&quotas, &[(tr("account"), "account"), (tr("quota bucket"), "bucket"), (tr("limit"), "limitText"),
                               (tr("peak"), "peak"), (tr("admitted"), "admitted"), (tr("throttled"), "throttled")],
                    "cost-quotas") }
            if let Some(source) = str_at(cost, "priceSource") {
                <p class="hint">{ tr("Prices: ") }{ source }</p>
            }
        </>
    }
}

// ---------------------------------------------------------------------------------------------
// Keys & grants, feature groups

/// Grants per key: `(key label, key ARN, active, revoked, retired)` — active grants are those of
/// the final state (`state.Keys[].Grants`, which lists only grants in effect); revoked and retired
/// ones are counted from the run's successful `RevokeGrant` / `RetireGrant` CloudTrail events on the
/// key.
pub fn grant_counts(result: &Value) -> Vec<(String, String, u64, u64, u64)> {
    let events = arr_at(result, "/cloudTrail/Records");
    let removed = |arn: &str, name: &str| {
        events
            .iter()
            .filter(|e| str_at(e, "eventName") == Some(name) && e.get("errorCode").is_none())
            .filter(|e| {
                arr(e, "resources")
                    .iter()
                    .any(|r| str_at(r, "ARN") == Some(arn))
                    || e.pointer("/requestParameters/keyId")
                        .and_then(Value::as_str)
                        == Some(arn)
            })
            .count() as u64
    };
    arr_at(result, "/state/Keys")
        .iter()
        .map(|key| {
            let md = key.get("KeyMetadata").unwrap_or(&Value::Null);
            let arn = str_at(md, "Arn").unwrap_or("");
            let label = arr(key, "Aliases")
                .first()
                .and_then(Value::as_str)
                .or_else(|| str_at(md, "KeyId"))
                .unwrap_or("key")
                .to_owned();
            (
                label,
                arn.to_owned(),
                arr(key, "Grants").len() as u64,
                removed(arn, "RevokeGrant"),
                removed(arn, "RetireGrant"),
            )
        })
        .collect()
}

/// The grants-per-key chart (`#chart-grants`): one stacked bar per key (active, revoked,
/// retired), with a table for screen readers.
fn grants_chart(rows: &[(String, String, u64, u64, u64)]) -> Html {
    const LABEL_W: f64 = 200.0;
    const BAR_W: f64 = 300.0;
    const ROW_H: f64 = 26.0;
    let max = rows
        .iter()
        .map(|r| r.2 + r.3 + r.4)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let width = LABEL_W + BAR_W + 320.0;
    let height = ROW_H * rows.len() as f64 + 6.0;
    let w = |n: u64| {
        if n > 0 {
            (n as f64 / max * BAR_W).max(2.0)
        } else {
            0.0
        }
    };
    html! {
        <figure class="chart" id="chart-grants">
            <figcaption>{ tr("Grants per key") }</figcaption>
            <svg class="bars grants-bars" viewBox={format!("0 0 {width} {height}")} width={width.to_string()}
                height={height.to_string()} aria-hidden="true" focusable="false">
                { for rows.iter().enumerate().map(|(k, (label, arn, active, revoked, retired))| {
                    let y = ROW_H * k as f64 + 3.0;
                    let (a, v, r) = (w(*active), w(*revoked), w(*retired));
                    let value = trf("{active} active · {revoked} revoked · {retired} retired",
                        &[("active", active), ("revoked", revoked), ("retired", retired)]);
                    let bar = |class: &'static str, x: f64, width: f64| html! {
                        <rect class={classes!("bar", class)} x={(LABEL_W + x).to_string()} y={(y + 3.0).to_string()}
                            width={width.to_string()} height={(ROW_H - 8.0).to_string()} rx="2" />
                    };
                    html! {
                        <g data-key={arn.clone()}>
                            <text class="bar-label" x={(LABEL_W - 8.0).to_string()} y={(y + 16.0).to_string()}>{ label.clone() }</text>
                            { bar("active", 0.0, a) }
                            { bar("revoked", a, v) }
                            { bar("retired", a + v, r) }
                            <text class="bar-value" x={(LABEL_W + a + v + r + 6.0).to_string()}
                                y={(y + 16.0).to_string()}>{ value }</text>
                        </g>
                    }
                }) }
            </svg>
            <p class="legend">
                <span class="swatch active"></span>{ " " }{ tr("active (in the final state)") }{ " " }
                <span class="swatch revoked"></span>{ " " }{ tr("revoked") }{ " " }
                <span class="swatch retired"></span>{ " " }{ tr("retired") }{ " — " }
                { tr("revoked and retired: successful RevokeGrant / RetireGrant calls of the run") }
            </p>
            <table class="sr-only" id="grants-table">
                <caption>{ tr("Grants per key") }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ tr("key") }</th><th scope="col">{ tr("active") }</th>
                        <th scope="col">{ tr("revoked") }</th><th scope="col">{ tr("retired") }</th>
                    </tr>
                </thead>
                <tbody>
                    { for rows.iter().map(|(label, arn, active, revoked, retired)| html! {
                        <tr data-key={arn.clone()}>
                            <th scope="row">{ label.clone() }</th>
                            <td>{ active }</td><td>{ revoked }</td><td>{ retired }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </figure>
    }
}

/// The keys of the final state, each with its aliases, grants and policy, its state changes
/// (Disable/Enable, Schedule/Cancel deletion) and each grant's Revoke/Retire, which `on_call`
/// appends as calls (see `crate::forms`).
pub fn keys(result: &Rc<Value>, doc: &Rc<Value>, on_call: &Callback<Value>) -> Html {
    let keys = arr_at(result, "/state/Keys");
    if keys.is_empty() {
        return html! { <p class="muted">{ tr("No keys.") }</p> };
    }
    html! {
        <>
            <p class="hint">{ trf("The region's keys after the last call ({time}).",
                                   &[("time", &result.pointer("/state/Time").map(text).unwrap_or_default())]) }</p>
            { grants_chart(&grant_counts(result)) }
            <p class="hint">
                { tr("Key state changes are made by the key's account root; Revoke and Retire by the caller chosen above each grant table. Each is appended as a call after the existing ones and opens in the Calls view.") }
            </p>
            <div class="cards" id="keys">
                { for (0..keys.len()).map(|k| html! {
                    <KeyCard key={k} data={Rc::clone(result)} index={k} doc={Rc::clone(doc)}
                        on_call={on_call.clone()} />
                }) }
            </div>
        </>
    }
}

/// Props of [`KeyCard`].
#[derive(Properties)]
pub struct KeyCardProps {
    /// The whole run result.
    pub data: Rc<Value>,
    /// Index in `state.Keys`.
    pub index: usize,
    /// The open document (for fresh call ids).
    pub doc: Rc<Value>,
    pub on_call: Callback<Value>,
}

impl PartialEq for KeyCardProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.data, &other.data)
            && Rc::ptr_eq(&self.doc, &other.doc)
            && self.index == other.index
            && self.on_call == other.on_call
    }
}

/// One key of the final state.
#[function_component(KeyCard)]
pub fn key_card(props: &KeyCardProps) -> Html {
    let fields: [(&str, &str); 8] = [
        (tr("State"), "KeyState"),
        (tr("Manager"), "KeyManager"),
        (tr("Spec"), "KeySpec"),
        (tr("Usage"), "KeyUsage"),
        (tr("Origin"), "Origin"),
        (tr("Description"), "Description"),
        (tr("Deletion date"), "DeletionDate"),
        (tr("Pending window (days)"), "PendingDeletionWindowInDays"),
    ];
    let _lang = crate::i18n::use_lang();
    let caller = use_state(String::new);
    let k = props.index;
    let Some(key) = props.data.pointer(&format!("/state/Keys/{k}")) else {
        return Html::default();
    };
    let md = key.get("KeyMetadata").unwrap_or(&Value::Null);
    let aliases = arr(key, "Aliases");
    let grants = arr(key, "Grants");
    let title = aliases
        .first()
        .and_then(Value::as_str)
        .or_else(|| str_at(md, "KeyId"))
        .unwrap_or("key");
    let state = str_at(md, "KeyState").unwrap_or("?");
    let arn = str_at(md, "Arn").unwrap_or("").to_owned();
    let customer = str_at(md, "KeyManager") == Some("CUSTOMER");
    let callers = crate::console::principals(&props.doc);
    let root = crate::forms::root_of(&arn);
    let action_button = |action: crate::forms::KeyAction| {
        let (doc, arn, on_call) = (Rc::clone(&props.doc), arn.clone(), props.on_call.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            on_call.emit(crate::forms::key_action_call(&doc, &arn, action));
        });
        html! {
            <button type="button" class="secondary" id={format!("key-{}-{k}", action.slug())}
                title={trf("Append {op} as {root}", &[("op", &action.op()), ("root", &root)])} {onclick}>
                { action.label() }
            </button>
        }
    };
    let grant_button = |id: &str, g: usize, retire: bool| {
        let (doc, arn, on_call, caller) = (
            Rc::clone(&props.doc),
            arn.clone(),
            props.on_call.clone(),
            (*caller).clone(),
        );
        let grant_id = crate::forms::grant_id_value(&props.data, id);
        let onclick = Callback::from(move |_: MouseEvent| {
            on_call.emit(crate::forms::grant_removal_call(
                &doc, &arn, &grant_id, &caller, retire,
            ));
        });
        let (slug, label) = if retire {
            ("retire", tr("Retire"))
        } else {
            ("revoke", tr("Revoke"))
        };
        html! {
            <button type="button" class="secondary small" id={format!("grant-{slug}-{k}-{g}")}
                aria-label={trf("{action} grant {id}", &[("action", &label), ("id", &short_id(id))])} {onclick}>
                { label }
            </button>
        }
    };
    let on_caller = {
        let caller = caller.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                caller.set(select.value());
            }
        })
    };
    html! {
        <article class="card key" data-key={arn.clone()}>
            <h3>
                { title }{ " " }
                <span class={classes!("state", state.to_ascii_lowercase())}>{ state }</span>
            </h3>
            <dl class="meta">
                <dt>{ "ARN" }</dt><dd><code>{ arn.clone() }</code></dd>
                <dt>{ tr("Aliases") }</dt>
                <dd>
                    if aliases.is_empty() { { tr("none") } }
                    { for aliases.iter().map(|a| html! { <><code>{ text(a) }</code>{ " " }</> }) }
                </dd>
                { for fields.iter().filter_map(|(label, k)| md.get(*k).filter(|v| !v.is_null()).map(|v| html! {
                    <><dt>{ *label }</dt><dd>{ text(v) }</dd></>
                })) }
            </dl>
            if customer {
                <div class="key-actions control-row" role="group"
                    aria-label={trf("State changes of {key}, as {root}", &[("key", &title), ("root", &root)])}>
                    { for crate::forms::KeyAction::for_state(state).into_iter().map(action_button) }
                </div>
            }
            <h4>{ trf("Grants ({n})", &[("n", &grants.len())]) }</h4>
            if grants.is_empty() {
                <p class="muted">{ tr("No grants.") }</p>
            } else {
                <div class="field grant-caller">
                    <label for={format!("grant-caller-{k}")}>{ tr("Revoke and retire as") }</label>
                    <select id={format!("grant-caller-{k}")} onchange={on_caller}>
                        <option value="" selected={caller.is_empty()}>
                            { trf("the key's account root ({root})", &[("root", &root)]) }
                        </option>
                        { for callers.iter().map(|c| html! {
                            <option value={c.clone()} selected={*c == *caller}>{ c.clone() }</option>
                        }) }
                    </select>
                </div>
                <div class="table-wrap">
                    <table class="report grants">
                        <thead>
                            <tr>
                                <th>{ tr("name") }</th><th>{ tr("grantee") }</th><th>{ tr("operations") }</th>
                                <th>{ tr("constraints") }</th><th>{ tr("retiring principal") }</th><th>{ tr("grant id") }</th>
                                <th>{ tr("actions") }</th>
                            </tr>
                        </thead>
                        <tbody>
                            { for grants.iter().enumerate().map(|(g, grant)| {
                                let id = str_at(grant, "GrantId").unwrap_or("");
                                html! {
                                    <tr data-grant-id={id.to_owned()}>
                                        <td>{ grant.get("Name").map(text).unwrap_or_else(|| "—".to_owned()) }</td>
                                        <td><code>{ str_at(grant, "GranteePrincipal").unwrap_or("") }</code></td>
                                        <td>{ join(arr(grant, "Operations")) }</td>
                                        <td><code>{ grant.get("Constraints").map(text).unwrap_or_else(|| "—".to_owned()) }</code></td>
                                        <td>{ grant.get("RetiringPrincipal").map(text).unwrap_or_else(|| "—".to_owned()) }</td>
                                        <td title={id.to_owned()}><code>{ short_id(id) }</code></td>
                                        <td class="nowrap">
                                            { grant_button(id, g, false) }{ " " }{ grant_button(id, g, true) }
                                        </td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </div>
            }
            <details>
                <summary>{ tr("Key policy") }</summary>
                <pre class="json">
                    { str_at(key, "Policy").map(|p| pretty_text(p).unwrap_or_else(|| p.to_owned())).unwrap_or_default() }
                </pre>
            </details>
            <details>
                <summary>{ tr("All key metadata") }</summary>
                <pre class="json">{ pretty(md) }</pre>
            </details>
        </article>
    }
}

/// The feature groups of the final state.
pub fn feature_groups(result: &Value) -> Html {
    let groups = arr_at(result, "/state/FeatureGroups");
    if groups.is_empty() {
        return html! { <p class="muted" id="feature-groups">{ tr("No feature groups.") }</p> };
    }
    html! {
        <>
            <p class="hint">{ trf("The region's feature groups after the last call ({time}).",
                                   &[("time", &result.pointer("/state/Time").map(text).unwrap_or_default())]) }</p>
            <div class="cards" id="feature-groups">
                { for groups.iter().map(|g| {
                    let status = str_at(g, "FeatureGroupStatus").unwrap_or("?");
                    html! {
                        <article class="card group">
                            <h3>
                                { str_at(g, "FeatureGroupName").unwrap_or("?") }{ " " }
                                <span class={classes!("state", status.to_ascii_lowercase())}>{ status }</span>
                            </h3>
                            { object_dl(g, &["FeatureGroupName", "FeatureGroupStatus"]) }
                        </article>
                    }
                }) }
            </div>
        </>
    }
}

/// An object's members as a definition list; nested objects become nested lists.
fn object_dl(value: &Value, skip: &[&str]) -> Html {
    let Some(members) = value.as_object() else {
        return html! { <span>{ text(value) }</span> };
    };
    html! {
        <dl class="meta">
            { for members.iter().filter(|(k, _)| !skip.contains(&k.as_str())).map(|(k, v)| html! {
                <>
                    <dt>{ k.clone() }</dt>
                    <dd>
                        if v.is_object() {
                            { object_dl(v, &[]) }
                        } else if v.is_null() {
                            <span class="muted">{ tr("none") }</span>
                        } else {
                            <code>{ text(v) }</code>
                        }
                    </dd>
                </>
            }) }
        </dl>
    }
}

// ---------------------------------------------------------------------------------------------
// Who can do what

/// The `✓`/`✗` mark of a decision.
fn decision_mark(decision: &str) -> &'static str {
    if decision == "Allow" {
        "✓"
    } else {
        "✗"
    }
}

/// A camelCase code with line-break opportunities before its inner capitals (`no<wbr>Identity…`).
fn camel_breaks(code: &str) -> Html {
    let mut parts: Vec<String> = Vec::new();
    for ch in code.chars() {
        match parts.last_mut() {
            Some(part) if !ch.is_ascii_uppercase() => part.push(ch),
            _ => parts.push(ch.to_string()),
        }
    }
    html! {
        { for parts.into_iter().enumerate().map(|(i, part)| html! {
            <>
                if i > 0 { <wbr /> }
                { part }
            </>
        }) }
    }
}

/// Runs of consecutive columns on the same resource: `(resource ARN, first column, how many)`.
pub fn column_groups(columns: &[Value]) -> Vec<(String, usize, usize)> {
    let mut groups: Vec<(String, usize, usize)> = Vec::new();
    for (i, column) in columns.iter().enumerate() {
        let resource = str_at(column, "resource").unwrap_or("");
        match groups.last_mut() {
            Some((last, _, count)) if last == resource => *count += 1,
            _ => groups.push((resource.to_owned(), i, 1)),
        }
    }
    groups
}

/// The tooltip of a cell: decision and reason, who decided, and the AWS message.
pub fn access_tooltip(cell: &Value) -> String {
    let mut tip = format!(
        "{} ({})\n{}",
        str_at(cell, "decision").unwrap_or("?"),
        str_at(cell, "reason").unwrap_or("?"),
        trf(
            "decided by {check}",
            &[("check", &str_at(cell, "decidedBy").unwrap_or("?"))]
        ),
    );
    if let Some(message) = str_at(cell, "message") {
        tip.push('\n');
        tip.push_str(message);
    }
    tip
}

/// "Who can do what" (`#access-matrix`): every principal × the operations of the run's `access`,
/// decided against the state after the last call. A cell is a button; the open one's details are
/// shown under the table (`#access-detail`).
pub fn access(
    result: &Value,
    home: Option<&str>,
    open: Option<(usize, usize)>,
    on_toggle: Callback<(usize, usize)>,
) -> Html {
    let Some(matrix) = result.get("access") else {
        return html! { <p class="muted" id="access-matrix">{ tr("This run has no access matrix.") }</p> };
    };
    let columns = arr(matrix, "columns");
    let rows = arr(matrix, "rows");
    if columns.is_empty() || rows.is_empty() {
        return html! {
            <p class="muted" id="access-matrix">
                { tr("Nothing to show: the scenario declares no principals, or no feature groups and no \
                      customer managed keys.") }
            </p>
        };
    }
    let groups = column_groups(columns);
    let group_starts: Vec<usize> = groups.iter().map(|(_, first, _)| *first).collect();
    let starts_group = |c: usize| (c > 0 && group_starts.contains(&c)).then_some("group-start");
    let label = |c: usize| {
        columns
            .get(c)
            .and_then(|col| str_at(col, "label"))
            .unwrap_or("?")
            .to_owned()
    };
    let detail = open.and_then(|(r, c)| {
        let row = rows.get(r)?;
        let cell = arr(row, "cells").get(c)?;
        Some((row, columns.get(c)?, cell))
    });
    html! {
        <>
            <p class="hint">
                { trf("Every principal the scenario declares, and what it may do to each feature group \
                       and customer managed key — decided by the policy engine against the state after \
                       the last call ({time}), without changing, logging or metering anything. Roles are \
                       asked as one of their sessions. Each re-run recomputes it. Select a cell for the \
                       AWS message and the check that decided it.",
                      &[("time", &result.pointer("/state/Time").map(text).unwrap_or_default())]) }
            </p>
            <p class="legend access-legend" id="access-legend">
                <span class="access-badge allow"><span aria-hidden="true">{ "✓ " }</span>{ "Allow" }</span>
                { " " }{ tr("allowed") }{ " · " }
                <span class="access-badge explicit-deny"><span aria-hidden="true">{ "✗ " }</span>{ "ExplicitDeny" }</span>
                { " " }{ tr("a Deny statement matches") }{ " · " }
                <span class="access-badge implicit-deny"><span aria-hidden="true">{ "✗ " }</span>{ "ImplicitDeny" }</span>
                { " " }{ tr("no statement allows it") }{ " · " }{ tr("under each: the engine's reason code") }
            </p>
            <div class="table-wrap">
                <table class="report access" id="access-matrix">
                    <caption class="sr-only">{ tr("Who can do what: principals by operation") }</caption>
                    <thead>
                        <tr class="groups">
                            <th scope="col" rowspan="2" class="principal">{ tr("principal") }</th>
                            { for groups.iter().map(|(resource, first, count)| html! {
                                <th scope="colgroup" colspan={count.to_string()} title={resource.clone()}
                                    class={classes!("group", starts_group(*first))}>
                                    { short_resource(resource) }
                                </th>
                            }) }
                        </tr>
                        <tr class="ops">
                            { for columns.iter().enumerate().map(|(c, col)| html! {
                                <th scope="col" class={classes!("op", starts_group(c))}
                                    data-label={label(c)}
                                    title={trf("{action} on {resource}", &[
                                        ("action", &str_at(col, "action").unwrap_or("?")),
                                        ("resource", &str_at(col, "resource").unwrap_or("?")),
                                    ])}>
                                    { label(c) }
                                </th>
                            }) }
                        </tr>
                    </thead>
                    <tbody>
                        { for rows.iter().enumerate().map(|(r, row)| {
                            let principal = str_at(row, "principal").unwrap_or("?");
                            html! {
                                <tr data-principal={principal.to_owned()} key={r}>
                                    <th scope="row" class="principal" title={principal.to_owned()}>
                                        { short_principal(principal, home) }
                                    </th>
                                    { for arr(row, "cells").iter().enumerate().map(|(c, cell)| {
                                        let decision = str_at(cell, "decision").unwrap_or("?");
                                        let reason = str_at(cell, "reason").unwrap_or("?");
                                        let is_open = open == Some((r, c));
                                        let onclick = {
                                            let on_toggle = on_toggle.clone();
                                            Callback::from(move |_: MouseEvent| on_toggle.emit((r, c)))
                                        };
                                        html! {
                                            <td class={classes!(starts_group(c))} data-label={label(c)}
                                                data-decision={decision.to_owned()}>
                                                <button type="button" id={format!("access-{r}-{c}")}
                                                    class={classes!("access-cell", badge_class(decision),
                                                                    is_open.then_some("open"))}
                                                    title={access_tooltip(cell)}
                                                    aria-expanded={is_open.to_string()}
                                                    aria-controls="access-detail"
                                                    aria-label={format!("{}, {}: {decision}, {reason}",
                                                                        short_principal(principal, home), label(c))}
                                                    {onclick}>
                                                    <span class={classes!("access-badge", badge_class(decision))}>
                                                        <span aria-hidden="true">{ format!("{} ", decision_mark(decision)) }</span>
                                                        { decision }
                                                    </span>
                                                    <code class="reason">{ reason }</code>
                                                </button>
                                            </td>
                                        }
                                    }) }
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
            <div id="access-detail" class="access-detail" role="region" aria-live="polite"
                aria-label={tr("Details of the selected cell")}>
                { match detail {
                    None => html! {
                        <p class="muted">{ tr("Select a cell (click, or Tab to it and press Enter) for its details.") }</p>
                    },
                    Some((row, column, cell)) => {
                        let decision = str_at(cell, "decision").unwrap_or("?");
                        html! {
                            <>
                                <h4>
                                    <span class={classes!("access-badge", badge_class(decision))}>
                                        <span aria-hidden="true">{ format!("{} ", decision_mark(decision)) }</span>
                                        { decision }
                                    </span>
                                    { " " }{ short_principal(str_at(row, "principal").unwrap_or("?"), home) }
                                    { " — " }{ str_at(column, "label").unwrap_or("?") }
                                </h4>
                                <dl class="meta">
                                    <dt>{ tr("Principal") }</dt><dd><code>{ str_at(row, "principal").unwrap_or("?") }</code></dd>
                                    <dt>{ tr("Action") }</dt><dd><code>{ str_at(column, "action").unwrap_or("?") }</code></dd>
                                    <dt>{ tr("Resource") }</dt><dd><code>{ str_at(column, "resource").unwrap_or("?") }</code></dd>
                                    <dt>{ tr("Reason") }</dt><dd><code class="access-reason">{ str_at(cell, "reason").unwrap_or("?") }</code></dd>
                                    <dt>{ tr("Decided by") }</dt><dd><code class="decided-by">{ str_at(cell, "decidedBy").unwrap_or("?") }</code></dd>
                                    <dt>{ tr("AWS message") }</dt>
                                    <dd>
                                        { match str_at(cell, "message") {
                                            Some(m) => html! { <span class="message aws-message">{ m }</span> },
                                            None => html! { <span class="muted">{ tr("none: the request is allowed") }</span> },
                                        } }
                                    </dd>
                                </dl>
                            </>
                        }
                    }
                } }
            </div>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn principals_are_shortened() {
        let home = Some("111122223333");
        assert_eq!(
            short_principal("arn:aws:iam::111122223333:user/featurestore-user", home),
            "featurestore-user"
        );
        assert_eq!(
            short_principal(
                "arn:aws:sts::111122223333:assumed-role/featurestore-admin/admin-session",
                home
            ),
            "featurestore-admin/admin-session"
        );
        assert_eq!(
            short_principal("arn:aws:iam::444455556666:root", home),
            "root (444455556666)"
        );
        assert_eq!(
            short_principal("sagemaker.us-east-1.amazonaws.com", home),
            "sagemaker.us-east-1.amazonaws.com"
        );
        assert_eq!(
            short_resource("arn:aws:kms:us-east-1:111122223333:key/1234"),
            "key/1234"
        );
    }

    #[test]
    fn clock_shows_the_day_only_when_it_changes() {
        let day = Some("2026-01-01");
        assert_eq!(clock("2026-01-01T00:02:00Z", day), "00:02:00");
        assert_eq!(clock("2026-01-08T00:02:00Z", day), "01-08 00:02:00");
        assert_eq!(clock("?", day), "?");
    }

    #[test]
    fn trail_filter_needs_every_word() {
        let event = json!({
            "eventTime": "2026-01-01T00:02:00Z", "eventSource": "kms.amazonaws.com",
            "eventName": "Decrypt", "errorCode": "AccessDenied",
            "userIdentity": { "arn": "arn:aws:iam::111122223333:user/featurestore-user" }
        });
        assert!(trail_matches(&event, ""));
        assert!(trail_matches(&event, "decrypt"));
        assert!(trail_matches(&event, "Decrypt accessdenied"));
        assert!(!trail_matches(&event, "Decrypt sagemaker.amazonaws.com"));
        assert!(!trail_matches(&event, "Encrypt"));
    }

    #[test]
    fn tally_counts_failures_apart() {
        let requests = vec![
            json!({"operation": "Encrypt"}),
            json!({"operation": "Encrypt", "errorCode": "ThrottlingException"}),
            json!({"operation": "Decrypt", "viaService": "sagemaker"}),
            json!({"operation": "Encrypt"}),
        ];
        let rows = tally(&requests, |r| str_at(r, "operation").unwrap_or("?"));
        assert_eq!(rows, vec![("Encrypt", 2, 1), ("Decrypt", 1, 0)]);
        let rows = tally(&requests, |r| str_at(r, "viaService").unwrap_or("direct"));
        assert_eq!(rows, vec![("direct", 2, 1), ("sagemaker", 1, 0)]);
        assert_eq!(dollars(Some(1370)), "$0.00137");
        assert_eq!(dollars(Some(0)), "$0.00");
        assert_eq!(dollars(Some(12_500_000)), "$12.50");
    }

    #[test]
    fn access_columns_are_grouped_by_resource() {
        let columns = vec![
            json!({"label": "PutRecord orders", "resource": "fg"}),
            json!({"label": "GetRecord orders", "resource": "fg"}),
            json!({"label": "Decrypt (direct)", "resource": "key"}),
            json!({"label": "PutRecord other", "resource": "fg2"}),
        ];
        assert_eq!(
            column_groups(&columns),
            vec![
                ("fg".to_owned(), 0, 2),
                ("key".to_owned(), 2, 1),
                ("fg2".to_owned(), 3, 1)
            ]
        );
        assert!(column_groups(&[]).is_empty());
        let cell = json!({"decision": "ImplicitDeny", "reason": "noIdentityPolicyAllows",
                          "message": "User: x is not authorized", "decidedBy": "kms:Decrypt"});
        assert_eq!(
            access_tooltip(&cell),
            "ImplicitDeny (noIdentityPolicyAllows)\ndecided by kms:Decrypt\nUser: x is not authorized"
        );
        assert_eq!(
            access_tooltip(&json!({"decision": "Allow", "reason": "r", "decidedBy": "d"})),
            "Allow (r)\ndecided by d"
        );
    }
}
