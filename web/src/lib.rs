//! kmslab browser playground.
//!
//! This crate is deliberately thin: every policy decision, every call result and every report is
//! kmslab-core's; the web crate only forwards inputs to it and renders what comes back. Two tabs:
//!
//! - **Scenario** ([`scenario`]): runs an example scenario (`tests/scenarios/*.json`, embedded at
//!   build time) with [`kmslab_core::scenario::Scenario::run`] and shows its calls, authorizations,
//!   CloudTrail, KMS requests, cost and the region's final state.
//! - **Policy lab** ([`PolicyLab`]): builds a question (see `docs/contract.md`) from a few form
//!   fields, hands it to [`kmslab_core::evaluate_json`] and shows the answer.
//!
//! The components live in the library so that other pages (e.g. a later `/embed` page) can reuse
//! them; `src/main.rs` only calls [`start`].

pub mod batch;
pub mod console;
pub mod embed;
pub mod examples;
pub mod forms;
pub mod i18n;
pub mod persist;
pub mod policies;
pub mod scenario;
pub mod share;
pub mod tour;
mod views;

use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::i18n::{fill, tr, trf};

/// The example key policy from the AWS page "Security and access control" (SageMaker Feature Store),
/// verbatim, pretty-printed with its key order kept.
pub const SEED_KEY_POLICY: &str = include_str!("seed-key-policy.json");

/// The KMS key every request is made against.
pub const RESOURCE: &str =
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/// The `kms:ViaService` value sent when the request goes through SageMaker Feature Store.
pub const VIA_SERVICE: &str = "sagemaker.us-east-1.amazonaws.com";

/// The callers offered in the principal selector (the first one is the default).
pub const PRINCIPALS: [&str; 3] = [
    "arn:aws:iam::111122223333:user/featurestore-user",
    "arn:aws:sts::111122223333:assumed-role/featurestore-admin/admin-session",
    "arn:aws:iam::111122223333:root",
];

/// The actions offered in the action selector (the first one is the default).
pub const ACTIONS: [&str; 8] = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:DescribeKey",
    "kms:CreateGrant",
    "kms:RevokeGrant",
    "kms:ListGrants",
    "kms:ScheduleKeyDeletion",
];

/// What the user filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inputs {
    /// The key policy, as the text the user typed (the engine keeps its line/column positions).
    pub key_policy: String,
    pub principal: String,
    pub action: String,
    /// Whether the call comes through SageMaker Feature Store (`kms:ViaService`).
    pub via_feature_store: bool,
}

impl Default for Inputs {
    /// The seed scenario: the Feature Store user decrypts through Feature Store.
    fn default() -> Self {
        Self {
            key_policy: SEED_KEY_POLICY.to_owned(),
            principal: PRINCIPALS[0].to_owned(),
            action: ACTIONS[0].to_owned(),
            via_feature_store: true,
        }
    }
}

/// The question JSON (see `docs/contract.md`) for these inputs.
pub fn question(inputs: &Inputs) -> Value {
    let mut context = Map::new();
    if inputs.via_feature_store {
        context.insert("kms:ViaService".to_owned(), Value::from(VIA_SERVICE));
    }
    json!({
        "request": {
            "principal": inputs.principal,
            "action": inputs.action,
            "resource": RESOURCE,
            "context": context,
        },
        // Sent as text, so positions in the answer refer to what is in the textarea.
        "resourcePolicy": inputs.key_policy,
    })
}

/// The engine's answer to one question, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// The inputs this answer is for (the result is stale when the form differs).
    pub inputs: Inputs,
    /// The answer JSON, or `{"error": {...}}`.
    pub answer: Value,
    /// `answer.trace`, pretty-printed in the engine's own field order.
    pub trace: Option<String>,
}

/// Asks the engine.
pub fn evaluate(inputs: &Inputs) -> Evaluation {
    let text = ask_engine(&question(inputs).to_string());
    let answer = serde_json::from_str::<Value>(&text).unwrap_or_else(|e| {
        json!({ "error": { "code": "unreadableAnswer",
                           "message": trf("the engine's answer is not JSON: {error}",
                                          &[("error", &e)]) } })
    });
    Evaluation {
        inputs: inputs.clone(),
        trace: pretty_member(&text, "trace"),
        answer,
    }
}

/// `kmslab_core::evaluate_json`, with the browser's clock in the browser: on
/// `wasm32-unknown-unknown`, `std::time::SystemTime::now()` (which `evaluate_json` uses for
/// `aws:CurrentTime` when core's `std` feature is on) panics.
fn ask_engine(question: &str) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        kmslab_core::evaluate_json_at(question, js_sys::Date::now() as i64)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        kmslab_core::evaluate_json(question)
    }
}

/// Pretty-prints one top-level member of a JSON object, keeping the key order of the text
/// (`serde_json::Value` would sort the keys).
fn pretty_member(json_text: &str, member: &str) -> Option<String> {
    let members: BTreeMap<String, Box<RawValue>> = serde_json::from_str(json_text).ok()?;
    let raw = members.get(member)?;
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::pretty(&mut out);
    serde_transcode::transcode(&mut serde_json::Deserializer::from_str(raw.get()), &mut ser)
        .ok()?;
    String::from_utf8(out).ok()
}

/// Changes to the playground state.
#[derive(Debug)]
pub enum Msg {
    KeyPolicy(String),
    Principal(String),
    Action(String),
    ViaFeatureStore(bool),
    RestoreSeedPolicy,
    Evaluate,
}

/// The form and the latest evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct Playground {
    pub inputs: Inputs,
    pub result: Evaluation,
}

impl Default for Playground {
    /// The seed scenario, already evaluated (the page shows a result on load).
    fn default() -> Self {
        let inputs = Inputs::default();
        Self {
            result: evaluate(&inputs),
            inputs,
        }
    }
}

impl Playground {
    /// True when the shown result was computed for different inputs.
    pub fn is_stale(&self) -> bool {
        self.inputs != self.result.inputs
    }
}

impl Reducible for Playground {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        let mut next = (*self).clone();
        match msg {
            Msg::KeyPolicy(text) => next.inputs.key_policy = text,
            Msg::Principal(principal) => next.inputs.principal = principal,
            Msg::Action(action) => next.inputs.action = action,
            Msg::ViaFeatureStore(via) => next.inputs.via_feature_store = via,
            Msg::RestoreSeedPolicy => next.inputs.key_policy = SEED_KEY_POLICY.to_owned(),
            Msg::Evaluate => next.result = evaluate(&next.inputs),
        }
        Rc::new(next)
    }
}

/// The policy lab: one key policy, a few fixed requests, evaluated on demand.
#[function_component(PolicyLab)]
pub fn policy_lab() -> Html {
    let _lang = crate::i18n::use_lang();
    let state = use_reducer(Playground::default);

    let on_policy = {
        let state = state.dispatcher();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e.target_dyn_into::<HtmlTextAreaElement>() {
                state.dispatch(Msg::KeyPolicy(area.value()));
            }
        })
    };
    let on_principal = {
        let state = state.dispatcher();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                state.dispatch(Msg::Principal(select.value()));
            }
        })
    };
    let on_action = {
        let state = state.dispatcher();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                state.dispatch(Msg::Action(select.value()));
            }
        })
    };
    let on_via = {
        let state = state.dispatcher();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                state.dispatch(Msg::ViaFeatureStore(input.checked()));
            }
        })
    };
    let on_restore = {
        let state = state.dispatcher();
        Callback::from(move |_: MouseEvent| state.dispatch(Msg::RestoreSeedPolicy))
    };
    let on_evaluate = {
        let state = state.dispatcher();
        Callback::from(move |_: MouseEvent| state.dispatch(Msg::Evaluate))
    };

    let inputs = &state.inputs;
    let stale = state.is_stale();

    html! {
        <>
            <p class="tab-intro muted">
                { tr("One KMS key policy and a few fixed requests: pick a caller and an action, then \
                      Evaluate to see kmslab-core's decision and why.") }
            </p>

            <section class="inputs" aria-label={tr("Question")}>
                <div class="field">
                    <div class="label-row">
                        <label for="key-policy">{ tr("Key policy") }</label>
                        <button type="button" class="link" id="restore-seed" onclick={on_restore}>
                            { tr("Restore the example key policy") }
                        </button>
                    </div>
                    <textarea id="key-policy" spellcheck="false" rows="24"
                        value={inputs.key_policy.clone()} oninput={on_policy} />
                    <p class="hint">
                        { fill(tr("The example key policy from the AWS page \u{201c}Security and access \
                                   control\u{201d} (Amazon SageMaker Feature Store), verbatim. It is the \
                                   policy of the key {key}."),
                               [("key", html! { <code>{ RESOURCE }</code> })]) }
                    </p>
                </div>

                <div class="field">
                    <label for="principal">{ tr("Principal") }</label>
                    <select id="principal" onchange={on_principal}>
                        { for PRINCIPALS.iter().map(|p| html! {
                            <option value={*p} selected={inputs.principal == *p}>{ *p }</option>
                        }) }
                    </select>
                </div>

                <div class="field">
                    <label for="action">{ tr("Action") }</label>
                    <select id="action" onchange={on_action}>
                        { for ACTIONS.iter().map(|a| html! {
                            <option value={*a} selected={inputs.action == *a}>{ *a }</option>
                        }) }
                    </select>
                </div>

                <div class="field checkbox">
                    <input type="checkbox" id="via-feature-store"
                        checked={inputs.via_feature_store} onchange={on_via} />
                    <label for="via-feature-store">
                        { fill(tr("called through SageMaker Feature Store ({condition})"),
                               [("condition", html! {
                                   <code>{ format!("kms:ViaService = {VIA_SERVICE}") }</code>
                               })]) }
                    </label>
                </div>

                <button type="button" id="evaluate" class="primary" onclick={on_evaluate}>
                    { tr("Evaluate") }
                </button>
            </section>

            { view_result(&state.result, stale) }
        </>
    }
}

fn view_result(result: &Evaluation, stale: bool) -> Html {
    let answer = &result.answer;
    let body = if let Some(error) = answer.get("error") {
        html! {
            <div class="engine-error" id="error" role="alert">
                <strong>{ str_at(error, "code").unwrap_or("error") }</strong>
                { ": " }{ str_at(error, "message").unwrap_or("") }
            </div>
        }
    } else {
        let decision = str_at(answer, "decision").unwrap_or("?");
        let badge = match decision {
            "Allow" => "allow",
            "ExplicitDeny" => "explicit-deny",
            _ => "implicit-deny",
        };
        html! {
            <>
                <p class="decision-row">
                    <span id="decision" class={classes!("badge", badge)}>{ decision }</span>
                    if let Some(reason) = str_at(answer, "reason") {
                        <code id="reason" class="reason">{ reason }</code>
                    }
                </p>
                { view_message(answer) }
                { view_diagnostics(answer, Some("diagnostics")) }
                { view_missing_keys(answer, Some("missing-keys")) }
                <h3>{ tr("Determining statements") }</h3>
                { view_determining(answer, Some("determining")) }
                <details class="trace" open=true>
                    <summary>{ tr("Trace") }</summary>
                    <pre id="trace">{ result.trace.clone().unwrap_or_else(|| tr("(no trace)").to_owned()) }</pre>
                </details>
            </>
        }
    };
    html! {
        <section id="result" class={classes!("result", stale.then_some("stale"))}
            aria-label={tr("Result")} aria-live="polite">
            <h2>{ tr("Result") }</h2>
            if stale {
                <p class="stale-note" id="stale" role="status">
                    { tr("Stale — the inputs changed since this result. Press Evaluate to update it.") }
                </p>
            }
            { body }
        </section>
    }
}

fn view_message(answer: &Value) -> Html {
    match str_at(answer, "message") {
        Some(message) => html! { <p id="message" class="message">{ message }</p> },
        None => html! {
            <p id="message" class="message muted">{ tr("No access-denied message: the request is allowed.") }</p>
        },
    }
}

pub(crate) fn view_diagnostics(answer: &Value, id: Option<&'static str>) -> Html {
    let items: Vec<&Value> = ["errors", "warnings"]
        .iter()
        .filter_map(|k| answer.get(*k).and_then(Value::as_array))
        .flatten()
        .collect();
    if items.is_empty() {
        return Html::default();
    }
    html! {
        <>
            <h3>{ tr("Policy errors and warnings") }</h3>
            <ul {id} class="diagnostics">
                { for items.into_iter().map(|d| {
                    let severity = str_at(d, "severity").unwrap_or("error");
                    let mut place = str_at(d, "policy").unwrap_or("").to_owned();
                    if let (Some(line), Some(column)) = (num_at(d, "line"), num_at(d, "column")) {
                        place.push_str(&trf(", line {line}, column {column}",
                                            &[("line", &line), ("column", &column)]));
                    }
                    html! {
                        <li class={classes!("diagnostic", severity.to_owned())}>
                            <span class="severity">{ severity }</span>{ " " }
                            <strong>{ str_at(d, "code").unwrap_or(severity) }</strong>
                            { format!(" ({}): ", place.trim()) }
                            { str_at(d, "message").unwrap_or("") }
                        </li>
                    }
                }) }
            </ul>
        </>
    }
}

pub(crate) fn view_missing_keys(answer: &Value, id: Option<&'static str>) -> Html {
    let keys: Vec<&str> = answer
        .get("missingContextKeys")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if keys.is_empty() {
        return Html::default();
    }
    html! {
        <p class="missing-keys" {id}>
            { tr("Condition keys the policies asked about but the request did not have: ") }
            { for keys.into_iter().map(|k| html! { <><code>{ k }</code>{ " " }</> }) }
        </p>
    }
}

pub(crate) fn view_determining(answer: &Value, id: Option<&'static str>) -> Html {
    let statements = answer
        .get("determining")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if statements.is_empty() {
        return html! {
            <p {id} class="muted">
                { tr("None — an implicit deny has no determining statement.") }
            </p>
        };
    }
    html! {
        <ul {id} class="determining">
            { for statements.iter().map(|s| {
                let effect = str_at(s, "effect").unwrap_or("");
                let mut place = str_at(s, "policy").unwrap_or("").to_owned();
                if let Some(index) = num_at(s, "statementIndex") {
                    place.push_str(&trf(", statement {index}", &[("index", &index)]));
                }
                if let Some(line) = s.get("span").and_then(|sp| sp.get("start")).and_then(|st| num_at(st, "line")) {
                    place.push_str(&trf(", line {line}", &[("line", &line)]));
                }
                html! {
                    <li>
                        <span class={classes!("effect", effect.to_ascii_lowercase())}>{ effect }</span>
                        { " " }
                        if let Some(sid) = str_at(s, "sid") { <q class="sid">{ sid }</q>{ " " } }
                        <span class="place">{ format!("({})", place) }</span>
                    </li>
                }
            }) }
        </ul>
    }
}

pub(crate) fn str_at<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

pub(crate) fn num_at(value: &Value, key: &str) -> Option<u64> {
    value.get(key).and_then(Value::as_u64)
}

/// Pretty-prints a JSON text, keeping its key order; `None` when it is not JSON.
pub(crate) fn pretty_text(json_text: &str) -> Option<String> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::pretty(&mut out);
    serde_transcode::transcode(&mut serde_json::Deserializer::from_str(json_text), &mut ser)
        .ok()?;
    String::from_utf8(out).ok()
}

/// The app's pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    /// Run an example scenario (the default).
    Scenario,
    /// Evaluate the seed key policy for one request.
    PolicyLab,
    /// The guided tour of the seed page's claims ([`tour`]).
    Tour,
}

impl Tab {
    pub const ALL: [Tab; 3] = [Tab::Scenario, Tab::Tour, Tab::PolicyLab];

    pub fn label(self) -> &'static str {
        match self {
            Tab::Scenario => tr("Scenario"),
            Tab::PolicyLab => tr("Policy lab"),
            Tab::Tour => tr("Tour"),
        }
    }

    /// Used in element ids (`tab-…`, `panel-…`) and as the URL fragment.
    pub fn slug(self) -> &'static str {
        match self {
            Tab::Scenario => "scenario",
            Tab::PolicyLab => "policy-lab",
            Tab::Tour => "tour",
        }
    }

    /// The tab a URL fragment (`#policy-lab`) names; the Scenario tab otherwise (a share link,
    /// `#s=…`, opens in the Scenario tab).
    pub fn from_fragment(fragment: &str) -> Tab {
        let slug = fragment.trim_start_matches('#');
        Tab::ALL
            .into_iter()
            .find(|t| t.slug() == slug)
            .unwrap_or(Tab::Scenario)
    }
}

/// Shows the tab in the URL (without a new history entry), so a reload stays on it.
fn remember_tab(tab: Tab) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(
            &js_sys::wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("#{}", tab.slug())),
        );
    }
}

/// Calls `f` on every `hashchange` of the window; the returned closure unsubscribes (an effect's cleanup).
pub(crate) fn on_hashchange(f: impl Fn() + 'static) -> impl FnOnce() {
    use js_sys::wasm_bindgen::JsCast;
    let listener = js_sys::wasm_bindgen::closure::Closure::<dyn Fn()>::new(f);
    let window = web_sys::window();
    if let Some(w) = &window {
        let _ = w.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
    }
    move || {
        if let Some(w) = &window {
            let _ = w.remove_event_listener_with_callback(
                "hashchange",
                listener.as_ref().unchecked_ref(),
            );
        }
    }
}

/// The page: a header, the tabs and their panels. Both panels stay mounted (a hidden tab keeps its
/// state); only the selected one is visible.
#[function_component(App)]
pub fn app() -> Html {
    let _lang = crate::i18n::use_lang();
    let tab = use_state_eq(|| Tab::from_fragment(&scenario::location_fragment()));
    let selected = *tab;
    let tour_request = use_state_eq(tour::Pending::default);
    let on_tour = {
        let tab = tab.clone();
        let tour_request = tour_request.clone();
        Callback::from(move |(example, call): (usize, usize)| {
            let serial = tour_request.0.map_or(1, |r| r.serial + 1);
            tour_request.set(tour::Pending(Some(tour::Request {
                serial,
                example,
                call,
            })));
            tab.set(Tab::Scenario);
            remember_tab(Tab::Scenario);
        })
    };
    {
        // A share link pasted into this tab's address bar only changes the fragment: show the
        // Scenario tab, which opens it (see `scenario::ScenarioTab`).
        let tab = tab.clone();
        use_effect_with((), move |_| {
            crate::on_hashchange(move || {
                if share::is_share_fragment(&scenario::location_fragment()) {
                    tab.set(Tab::Scenario);
                }
            })
        });
    }
    html! {
        <main class="page">
            <header>
                <div class="header-row">
                    <h1>{ tr("kmslab — Feature Store security playground") }</h1>
                    <crate::i18n::LangSwitch />
                </div>
                <p class="local" id="local-note">
                    { tr("Evaluated locally in your browser — nothing is sent anywhere") }
                </p>
                <nav class="tabs" role="tablist" aria-label={tr("Pages")}>
                    { for Tab::ALL.into_iter().map(|t| {
                        let onclick = {
                            let tab = tab.clone();
                            Callback::from(move |_: MouseEvent| {
                                tab.set(t);
                                remember_tab(t);
                            })
                        };
                        html! {
                            <button type="button" role="tab" id={format!("tab-{}", t.slug())}
                                class={classes!("tab", (t == selected).then_some("selected"))}
                                aria-selected={(t == selected).to_string()}
                                aria-controls={format!("panel-{}", t.slug())} {onclick}>
                                { t.label() }
                            </button>
                        }
                    }) }
                </nav>
            </header>

            <section id="panel-scenario" class="panel" role="tabpanel" aria-labelledby="tab-scenario"
                hidden={selected != Tab::Scenario}>
                <ContextProvider<tour::Pending> context={*tour_request}>
                    <scenario::ScenarioTab />
                </ContextProvider<tour::Pending>>
            </section>
            <section id="panel-tour" class="panel" role="tabpanel" aria-labelledby="tab-tour"
                hidden={selected != Tab::Tour}>
                <tour::Tour on_run={on_tour} />
            </section>
            <section id="panel-policy-lab" class="panel" role="tabpanel"
                aria-labelledby="tab-policy-lab" hidden={selected != Tab::PolicyLab}>
                <PolicyLab />
            </section>

            <footer class="footer">
                { format!("kmslab-core {}", kmslab_core::VERSION) }
            </footer>
        </main>
    }
}

/// Mounts [`App`] into `#app` (or `<body>`) and removes the page's `#boot` loading message and
/// `#fallback` error message (see `www/index.html`).
pub fn start() {
    let lang = i18n::initial();
    if i18n::ready(lang) {
        mount();
    } else {
        // The page opens in a language whose texts are fetched first (the boot message stays
        // meanwhile); if they can't be, it opens in English and the language switch says why.
        #[cfg(target_arch = "wasm32")]
        yew::platform::spawn_local(async move {
            if let Err(e) = i18n::load(lang).await {
                i18n::failed(lang, e);
            }
            mount();
        });
    }
}

fn mount() {
    let document = web_sys::window().and_then(|w| w.document());
    for id in ["boot", "fallback"] {
        if let Some(element) = document.as_ref().and_then(|d| d.get_element_by_id(id)) {
            element.remove();
        }
    }
    match document.and_then(|d| d.get_element_by_id("app")) {
        Some(root) => yew::Renderer::<embed::Root>::with_root(root).render(),
        None => yew::Renderer::<embed::Root>::new().render(),
    };
}

/// The text of a file served beside the page (`url` relative to it), or why it could not be read.
#[cfg(target_arch = "wasm32")]
pub async fn fetch_text(url: &str) -> Result<String, String> {
    use js_sys::wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    let window = web_sys::window().ok_or("no window")?;
    let failed = |what: &str, e: JsValue| {
        let detail = e
            .dyn_ref::<js_sys::Error>()
            .and_then(|e| e.message().as_string())
            .or_else(|| e.as_string())
            .unwrap_or_default();
        format!("{what} `{url}`: {detail}")
    };
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| failed("the network refused", e))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|e| failed("no response for", e))?;
    if !response.ok() {
        return Err(format!(
            "the server answered {} {} for `{url}`",
            response.status(),
            response.status_text()
        ));
    }
    let body = JsFuture::from(response.text().map_err(|e| failed("cannot read", e))?)
        .await
        .map_err(|e| failed("cannot read", e))?;
    Ok(body.as_string().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_policy_is_the_aws_example_verbatim() {
        let aws = r#"{"Id": "key-policy-feature-store", "Version":"2012-10-17", "Statement": [ {"Sid" : "Allow access through Amazon SageMaker Feature Store for all principals in the account that are authorized to use Amazon SageMaker Feature Store", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/featurestore-user"}, "Action": [ "kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant", "kms:RetireGrant", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:ListAliases", "kms:ListGrants" ], "Resource": "*", "Condition": {"StringLike": {"kms:ViaService" : "sagemaker.*.amazonaws.com" } } }, {"Sid": "Allow administrators to view the customer managed key and revoke grants", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/featurestore-admin" }, "Action": [ "kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant" ], "Resource": "*" }, {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789:root" }, "Action": "kms:*", "Resource": "*" } ] }"#;
        let ours: Result<Value, _> = serde_json::from_str(SEED_KEY_POLICY);
        let theirs: Result<Value, _> = serde_json::from_str(aws);
        assert!(ours.is_ok());
        assert_eq!(ours.ok(), theirs.ok());
        assert!(SEED_KEY_POLICY
            .starts_with("{\n  \"Id\": \"key-policy-feature-store\",\n  \"Version\""));
    }

    #[test]
    fn question_follows_the_contract() {
        let mut inputs = Inputs::default();
        let q = question(&inputs);
        assert_eq!(
            q.pointer("/request/principal").and_then(Value::as_str),
            Some("arn:aws:iam::111122223333:user/featurestore-user")
        );
        assert_eq!(
            q.pointer("/request/action").and_then(Value::as_str),
            Some("kms:Decrypt")
        );
        assert_eq!(
            q.pointer("/request/resource").and_then(Value::as_str),
            Some(RESOURCE)
        );
        assert_eq!(
            q.pointer("/request/context/kms:ViaService")
                .and_then(Value::as_str),
            Some(VIA_SERVICE)
        );
        assert_eq!(
            q.get("resourcePolicy").and_then(Value::as_str),
            Some(SEED_KEY_POLICY)
        );

        inputs.via_feature_store = false;
        let q = question(&inputs);
        assert_eq!(q.pointer("/request/context"), Some(&json!({})));
    }

    #[test]
    fn pretty_member_keeps_key_order() {
        let text = r#"{"decision":"Allow","trace":{"steps":[],"context":[{"key":"a"}]}}"#;
        assert_eq!(
            pretty_member(text, "trace").as_deref(),
            Some(
                "{\n  \"steps\": [],\n  \"context\": [\n    {\n      \"key\": \"a\"\n    }\n  ]\n}"
            )
        );
        assert_eq!(pretty_member(text, "missing"), None);
        assert_eq!(pretty_member("not json", "trace"), None);
    }

    #[test]
    fn seed_scenario_allows_and_a_direct_call_does_not() {
        let mut inputs = Inputs::default();
        let allowed = evaluate(&inputs);
        assert_eq!(
            allowed.answer.get("decision").and_then(Value::as_str),
            Some("Allow"),
            "{}",
            allowed.answer
        );
        assert!(allowed.trace.is_some());
        inputs.via_feature_store = false;
        let denied = evaluate(&inputs);
        assert_eq!(
            denied.answer.get("decision").and_then(Value::as_str),
            Some("ImplicitDeny"),
            "{}",
            denied.answer
        );
    }

    #[test]
    fn result_is_stale_until_re_evaluated() {
        let mut state = Playground::default();
        assert!(!state.is_stale());
        state.inputs.via_feature_store = false;
        assert!(state.is_stale());
        state.result = evaluate(&state.inputs);
        assert!(!state.is_stale());
    }

    #[test]
    fn fragments_pick_the_tab() {
        assert_eq!(Tab::from_fragment("#policy-lab"), Tab::PolicyLab);
        assert_eq!(Tab::from_fragment("#scenario"), Tab::Scenario);
        assert_eq!(Tab::from_fragment("#s=1.0.1.AAAA"), Tab::Scenario);
        assert_eq!(Tab::from_fragment(""), Tab::Scenario);
    }
}
