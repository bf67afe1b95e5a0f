//! The Scenario tab: runs an example scenario in the browser with kmslab-core and shows what the
//! run returned — its calls (with every authorization's trace), the CloudTrail, the KMS requests and
//! cost report, and the region's final keys, grants and feature groups.
//!
//! Nothing here decides anything: [`run_scenario`] is `Scenario::from_json` + `Scenario::run`, and
//! the views only read the run's JSON (`docs/scenario.md`, "What a run returns").

use std::rc::Rc;

use js_sys::wasm_bindgen::JsCast;
use kmslab_core::scenario::{Scenario, ScenarioError};
use serde_json::Value;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::{num_at, str_at, views};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/examples.rs"));
}

/// The example scenarios embedded at build time (the files `web/build.rs` lists that exist):
/// `(file name, document)`, seed first; the `review-*` test cases are not examples.
pub use embedded::EXAMPLES;

/// One entry of the examples menu.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    /// File name in `tests/scenarios/`.
    pub file: &'static str,
    /// The scenario document.
    pub text: &'static str,
    /// The document's `name` (the file name when it has none).
    pub name: String,
    /// The document's `description` (empty when it has none).
    pub description: String,
}

/// The embedded examples with their names and descriptions.
pub fn examples() -> Vec<Example> {
    EXAMPLES
        .iter()
        .map(|(file, text)| {
            let doc: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            Example {
                file,
                text,
                name: str_at(&doc, "name").unwrap_or(file).to_owned(),
                description: str_at(&doc, "description").unwrap_or("").to_owned(),
            }
        })
        .collect()
}

/// Why a scenario could not run (`InvalidScenario`, `UnsupportedScenarioVersion`,
/// `InvalidDeclaration`, or `InternalError` when the result can't be serialized).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineError {
    pub code: String,
    pub message: String,
}

impl From<ScenarioError> for EngineError {
    fn from(e: ScenarioError) -> Self {
        EngineError {
            code: e.code().to_owned(),
            message: e.to_string(),
        }
    }
}

/// Runs a scenario document with kmslab-core; the result is the JSON of its `RunResult`.
pub fn run_scenario(text: &str) -> Result<Value, EngineError> {
    let result = Scenario::from_json(text)?.run(None)?;
    serde_json::to_value(&result).map_err(|e| EngineError {
        code: "InternalError".to_owned(),
        message: format!("the run result could not be serialized: {e}"),
    })
}

/// The document's calls, clock steps left out: entry `i` is the declaration of `calls[i]` of the run.
pub fn call_steps(text: &str) -> Vec<Value> {
    let doc: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    doc.get("calls")
        .and_then(Value::as_array)
        .map(|steps| {
            steps
                .iter()
                .filter(|s| s.get("clock").is_none())
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// The id of the document's first account (callers of other accounts are shown with theirs).
pub fn home_account(text: &str) -> Option<String> {
    let doc: Value = serde_json::from_str(text).ok()?;
    doc.pointer("/accounts/0/id")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// `N calls · X/Y expectations met · K KMS requests · cost $…`
pub fn summary_line(result: &Value) -> String {
    let len = |key: &str| {
        result
            .get(key)
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
    };
    let expectations = result.get("expectations").unwrap_or(&Value::Null);
    let calls = len("calls");
    let requests = len("kmsRequests");
    let total = result
        .get("cost")
        .and_then(|c| str_at(c, "total"))
        .unwrap_or("?");
    format!(
        "{calls} {} · {}/{} expectations met · {requests} KMS {} · cost {total}",
        if calls == 1 { "call" } else { "calls" },
        num_at(expectations, "passed").unwrap_or(0),
        num_at(expectations, "checked").unwrap_or(0),
        if requests == 1 { "request" } else { "requests" },
    )
}

/// One run of one example.
#[derive(Debug)]
pub struct Run {
    /// Index into the examples.
    pub example: usize,
    /// Counts runs; the rendered run is keyed by it, so a new run starts with fresh views.
    pub serial: u32,
    /// The document's calls (see [`call_steps`]).
    pub steps: Vec<Value>,
    /// See [`home_account`].
    pub home_account: Option<String>,
    /// The run result's JSON, shared with the lazily rendered trees of [`views`].
    pub result: Result<Rc<Value>, EngineError>,
    /// How long the run took in the browser (milliseconds), when a clock is available.
    pub millis: Option<f64>,
}

impl Run {
    pub fn new(examples: &[Example], example: usize, serial: u32) -> Run {
        let text = examples.get(example).map_or("", |e| e.text);
        let started = now_ms();
        let result = run_scenario(text).map(Rc::new);
        let millis = started.zip(now_ms()).map(|(a, b)| b - a);
        Run {
            example,
            serial,
            steps: call_steps(text),
            home_account: home_account(text),
            result,
            millis,
        }
    }
}

fn now_ms() -> Option<f64> {
    #[cfg(target_arch = "wasm32")]
    {
        Some(js_sys::Date::now())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// The views of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Calls,
    CloudTrail,
    Kms,
    Keys,
    FeatureGroups,
}

impl View {
    pub const ALL: [View; 5] = [
        View::Calls,
        View::CloudTrail,
        View::Kms,
        View::Keys,
        View::FeatureGroups,
    ];

    pub fn label(self) -> &'static str {
        match self {
            View::Calls => "Calls",
            View::CloudTrail => "CloudTrail",
            View::Kms => "KMS requests & cost",
            View::Keys => "Keys & grants",
            View::FeatureGroups => "Feature groups",
        }
    }

    /// Used in element ids (`view-…`).
    pub fn slug(self) -> &'static str {
        match self {
            View::Calls => "calls",
            View::CloudTrail => "cloudtrail",
            View::Kms => "kms",
            View::Keys => "keys",
            View::FeatureGroups => "feature-groups",
        }
    }
}

/// The Scenario tab's state.
#[derive(Clone, Debug)]
pub struct ScenarioState {
    pub examples: Rc<Vec<Example>>,
    pub run: Rc<Run>,
    /// The call whose details are open.
    pub open_call: Option<usize>,
    pub view: View,
    /// The CloudTrail view's filter text.
    pub trail_filter: String,
    /// The CloudTrail event (index in `cloudTrail.Records`) whose JSON is shown.
    pub open_event: Option<usize>,
}

impl Default for ScenarioState {
    /// The first example (the seed scenario), already run.
    fn default() -> Self {
        let examples = examples();
        let run = Run::new(&examples, 0, 0);
        ScenarioState {
            examples: Rc::new(examples),
            run: Rc::new(run),
            open_call: None,
            view: View::Calls,
            trail_filter: String::new(),
            open_event: None,
        }
    }
}

/// Changes to the Scenario tab.
#[derive(Debug)]
pub enum ScenarioMsg {
    /// Pick an example and run it.
    Select(usize),
    /// Run the selected example again.
    Run,
    ToggleCall(usize),
    View(View),
    TrailFilter(String),
    ToggleEvent(usize),
}

impl Reducible for ScenarioState {
    type Action = ScenarioMsg;

    fn reduce(self: Rc<Self>, msg: ScenarioMsg) -> Rc<Self> {
        let mut next = (*self).clone();
        match msg {
            ScenarioMsg::Select(example) => {
                next.run = Rc::new(Run::new(&next.examples, example, self.run.serial + 1));
                next.open_call = None;
                next.open_event = None;
            }
            ScenarioMsg::Run => {
                next.run = Rc::new(Run::new(
                    &next.examples,
                    self.run.example,
                    self.run.serial + 1,
                ));
                next.open_event = None;
            }
            ScenarioMsg::ToggleCall(i) => {
                next.open_call = (self.open_call != Some(i)).then_some(i);
            }
            ScenarioMsg::View(view) => next.view = view,
            ScenarioMsg::TrailFilter(text) => {
                next.trail_filter = text;
                next.open_event = None;
            }
            ScenarioMsg::ToggleEvent(i) => {
                next.open_event = (self.open_event != Some(i)).then_some(i);
            }
        }
        Rc::new(next)
    }
}

/// Downloads `text` as a file named `name` (a Blob behind an object URL, clicked through a
/// detached `<a download>`; the URL is revoked a minute later).
pub fn download(name: &str, mime: &str, text: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(document) = window.document() else {
        return;
    };
    let parts = js_sys::Array::of1(&js_sys::wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(anchor) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        anchor.set_href(&url);
        anchor.set_download(name);
        anchor.click();
    }
    let revoke = js_sys::wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
}

/// The Scenario tab.
#[function_component(ScenarioTab)]
pub fn scenario_tab() -> Html {
    let state = use_reducer(ScenarioState::default);
    let dispatch = state.dispatcher();

    let on_example = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                if let Ok(i) = select.value().parse::<usize>() {
                    dispatch.dispatch(ScenarioMsg::Select(i));
                }
            }
        })
    };
    let on_run = {
        let dispatch = dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.dispatch(ScenarioMsg::Run))
    };

    let run = &state.run;
    let example = state.examples.get(run.example);

    html! {
        <>
            <section class="inputs scenario-controls" aria-label="Scenario">
                <div class="field">
                    <label for="example">{ "Example scenario" }</label>
                    <div class="control-row">
                        <select id="example" onchange={on_example}>
                            { for state.examples.iter().enumerate().map(|(i, e)| html! {
                                <option value={i.to_string()} selected={i == run.example}>
                                    { e.name.clone() }
                                </option>
                            }) }
                        </select>
                        <button type="button" id="run" class="primary" onclick={on_run}>
                            { "Run" }
                        </button>
                    </div>
                </div>
                if let Some(example) = example {
                    <p id="description" class="description">{ example.description.clone() }</p>
                    <p class="hint">
                        { "Scenario document: " }<code>{ format!("tests/scenarios/{}", example.file) }</code>
                        { " — run by kmslab-core in this page, with the scenario's seed and simulated clock." }
                    </p>
                }
            </section>

            <div class="run-wrap">
                <section class="result run" id="run-result" key={run.serial.to_string()}
                    aria-label="Run">
                    { view_run(&state, &dispatch) }
                </section>
            </div>
        </>
    }
}

fn view_run(state: &ScenarioState, dispatch: &UseReducerDispatcher<ScenarioState>) -> Html {
    let run = &state.run;
    let result = match &run.result {
        Ok(result) => result,
        Err(e) => {
            return html! {
                <div class="engine-error" id="run-error" role="alert">
                    <strong>{ e.code.clone() }</strong>{ ": " }{ e.message.clone() }
                </div>
            }
        }
    };
    let view_button = |view: View| {
        let dispatch = dispatch.clone();
        let onclick =
            Callback::from(move |_: MouseEvent| dispatch.dispatch(ScenarioMsg::View(view)));
        let selected = state.view == view;
        html! {
            <button type="button" role="tab" id={format!("view-{}", view.slug())}
                class={classes!("subtab", selected.then_some("selected"))}
                aria-selected={selected.to_string()} aria-controls="view-panel" {onclick}>
                { view.label() }
            </button>
        }
    };
    let body = match state.view {
        View::Calls => {
            let dispatch = dispatch.clone();
            let on_toggle = Callback::from(move |i| dispatch.dispatch(ScenarioMsg::ToggleCall(i)));
            views::calls(
                result,
                &run.steps,
                run.home_account.as_deref(),
                state.open_call,
                on_toggle,
            )
        }
        View::CloudTrail => {
            let on_filter = {
                let dispatch = dispatch.clone();
                Callback::from(move |e: InputEvent| {
                    if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                        dispatch.dispatch(ScenarioMsg::TrailFilter(input.value()));
                    }
                })
            };
            let on_event = {
                let dispatch = dispatch.clone();
                Callback::from(move |i| dispatch.dispatch(ScenarioMsg::ToggleEvent(i)))
            };
            let on_export = {
                let result = Rc::clone(result);
                Callback::from(move |_: MouseEvent| {
                    let trail = result.get("cloudTrail").unwrap_or(&Value::Null);
                    let text = serde_json::to_string_pretty(trail).unwrap_or_default();
                    download("cloudtrail.json", "application/json", &text);
                })
            };
            views::cloudtrail(
                result,
                run.home_account.as_deref(),
                &state.trail_filter,
                on_filter,
                state.open_event,
                on_event,
                on_export,
            )
        }
        View::Kms => views::kms(result),
        View::Keys => views::keys(result),
        View::FeatureGroups => views::feature_groups(result),
    };
    html! {
        <>
            <p class="summary-row">
                <span id="summary" class="summary" role="status">{ summary_line(result) }</span>
                if let Some(ms) = run.millis {
                    <span class="muted run-time">{ format!(" · ran in {ms:.0} ms") }</span>
                }
            </p>
            <nav class="subtabs" role="tablist" aria-label="Views of the run">
                { for View::ALL.into_iter().map(view_button) }
            </nav>
            <div id="view-panel" class={classes!("view", format!("view-{}", state.view.slug()))}
                role="tabpanel" aria-labelledby={format!("view-{}", state.view.slug())}>
                { body }
            </div>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_start_with_the_seed_and_leave_out_review_cases() {
        let list = examples();
        assert!(list.len() >= 2, "{} examples", list.len());
        assert_eq!(list.first().map(|e| e.file), Some("seed.json"));
        assert_eq!(
            list.first().map(|e| e.name.as_str()),
            Some("Seed: Feature Store with a customer managed key")
        );
        assert!(list.iter().all(|e| !e.file.starts_with("review-")));
        assert!(list
            .iter()
            .all(|e| e.name != e.file && !e.description.is_empty()));
    }

    #[test]
    fn every_example_runs_and_meets_its_expectations() {
        for example in examples() {
            let result = run_scenario(example.text);
            assert!(result.is_ok(), "{}: {result:?}", example.file);
            let result = result.unwrap_or_default();
            let exp = result.get("expectations").cloned().unwrap_or_default();
            assert_eq!(exp.get("failed"), Some(&Value::from(0)), "{}", example.file);
            let calls = result
                .get("calls")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            assert_eq!(calls, call_steps(example.text).len(), "{}", example.file);
        }
    }

    #[test]
    fn seed_summary_line() {
        let text = EXAMPLES.first().map_or("", |(_, t)| t);
        let result = run_scenario(text).unwrap_or_default();
        let line = summary_line(&result);
        assert!(
            line.starts_with("9 calls · 9/9 expectations met · "),
            "{line}"
        );
        assert!(line.contains(" KMS requests · cost $"), "{line}");
    }

    #[test]
    fn a_broken_document_is_an_engine_error() {
        let err = run_scenario("{\"kmslab\": 2}").err();
        assert_eq!(
            err.map(|e| e.code),
            Some("UnsupportedScenarioVersion".to_owned())
        );
        let err = run_scenario("not json").err();
        assert_eq!(err.map(|e| e.code), Some("InvalidScenario".to_owned()));
    }

    #[test]
    fn selecting_an_example_runs_it() {
        let state = Rc::new(ScenarioState::default());
        let state = state.reduce(ScenarioMsg::ToggleCall(3));
        assert_eq!(state.open_call, Some(3));
        let next = state.reduce(ScenarioMsg::Select(1));
        assert_eq!(next.run.example, 1);
        assert_eq!(next.run.serial, 1);
        assert_eq!(next.open_call, None);
        assert!(next.run.result.is_ok());
    }
}
