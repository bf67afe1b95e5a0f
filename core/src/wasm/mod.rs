//! The JavaScript bindings of the npm package `kmslab` (`npm/README.md`, built by `scripts/build-npm.sh`).
//!
//! Plain Rust functions over the JSON contract (`docs/contract.md`) and scenario documents
//! (`docs/scenario.md`). Values cross the boundary as JSON text — the engine's own serde types, with the
//! engine's own limits and error codes — and come back as objects through `JSON.parse`, so what a JavaScript
//! caller sees is exactly the documented JSON. The one exception is the hot path: `PolicySet.decide`'s answers
//! without a trace are built as the same objects directly ([`answer`]), and its requests' JSON text is copied in
//! by `TextEncoder.encodeInto` into a buffer the policy set keeps ([`text`]). The TypeScript types of every input
//! and output are generated from those serde types by `tsify` (`#[cfg_attr(feature = "wasm-policy",
//! derive(tsify::Tsify), tsify(missing_as_null, hashmap_as_object))]`: JSON's types, see `core/Cargo.toml`);
//! the functions here only name them (`unchecked_param_type`, `unchecked_return_type`).
//!
//! Input the engine can't use makes a function throw a [`KmslabError`]: a JavaScript `Error` whose `name` is
//! `"KmslabError"`, with a stable `code` ([`ErrorCode`]) and a `message`. Nothing else is ever thrown; nothing
//! panics (a policy that is wrong is not an error: the answer says so, as in the contract).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use js_sys::{JsString, Reflect, JSON};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::contract::{
    ContractError, PolicyInput, PolicySetInput, Question, RequestInput, MAX_QUESTION_BYTES,
};
use crate::diag::{Diagnostic, Severity};
use crate::evaluation::{Answer, Clock, Options, ParseCache, PolicySet};
#[cfg(feature = "wasm")]
use crate::kms::crypto::{self, CryptoError, OsEntropy};
use crate::policy::arn::is_kms_key_arn;
use crate::policy::PolicyKind;
#[cfg(feature = "wasm")]
use crate::scenario::{CallResult, Progress, RunResult, Runner, Scenario, ScenarioError};
#[cfg(feature = "wasm")]
use crate::share::{self, ShareError};

mod answer;
mod text;
use answer::AnswerWriter;
use text::TextReader;

/// What every function of the package throws when it can't use its input. At run time it is a JavaScript
/// `Error` (so it has a stack) whose `name` is `"KmslabError"`.
#[derive(Clone, Debug, Serialize, tsify::Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct KmslabError {
    #[tsify(type = "\"KmslabError\"")]
    pub name: &'static str,
    pub code: ErrorCode,
    pub message: String,
}

/// The stable codes of [`KmslabError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, tsify::Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
pub enum ErrorCode {
    /// An argument of the wrong type (`undefined`, a function, an object that can't be turned into JSON,
    /// an unknown policy kind, a call index out of range).
    InvalidArgument,
    /// The question or policy set is not JSON, is nested too deeply, or is larger than 16 MiB.
    InvalidJson,
    /// The JSON is not a question, a request or a policy set (missing `request`, wrong types, unknown members).
    InvalidQuestion,
    /// A context value is an object or `null`.
    InvalidContextValue,
    /// A scenario document that is not JSON, not a scenario, or too large.
    InvalidScenario,
    /// A scenario whose `kmslab` format version this engine doesn't read.
    UnsupportedScenarioVersion,
    /// A scenario declaration the engine can't build (a bad account id, ARN, key spec, clock step …).
    InvalidDeclaration,
    /// A share link that is not `#s=…`, or whose document is damaged.
    InvalidShareLink,
    /// A share link of a format this engine doesn't read.
    UnsupportedShareFormat,
    /// A share link whose document is larger than 8 MiB.
    ShareLinkTooLarge,
    /// A sealed record that does not open: a wrong data key or associated data, modified or truncated bytes,
    /// or not a sealed record at all (`openRecord`). Deliberately opaque, like KMS's `InvalidCiphertextException`.
    InvalidCiphertext,
    /// A bug: please report it.
    InternalError,
}

impl ErrorCode {
    fn of(code: &str) -> ErrorCode {
        match code {
            "InvalidArgument" => ErrorCode::InvalidArgument,
            "InvalidJson" => ErrorCode::InvalidJson,
            "InvalidQuestion" => ErrorCode::InvalidQuestion,
            "InvalidContextValue" => ErrorCode::InvalidContextValue,
            "InvalidScenario" => ErrorCode::InvalidScenario,
            "UnsupportedScenarioVersion" => ErrorCode::UnsupportedScenarioVersion,
            "InvalidDeclaration" => ErrorCode::InvalidDeclaration,
            "InvalidShareLink" => ErrorCode::InvalidShareLink,
            "UnsupportedShareFormat" => ErrorCode::UnsupportedShareFormat,
            "ShareLinkTooLarge" => ErrorCode::ShareLinkTooLarge,
            "InvalidCiphertext" => ErrorCode::InvalidCiphertext,
            _ => ErrorCode::InternalError,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "InvalidArgument",
            ErrorCode::InvalidJson => "InvalidJson",
            ErrorCode::InvalidQuestion => "InvalidQuestion",
            ErrorCode::InvalidContextValue => "InvalidContextValue",
            ErrorCode::InvalidScenario => "InvalidScenario",
            ErrorCode::UnsupportedScenarioVersion => "UnsupportedScenarioVersion",
            ErrorCode::InvalidDeclaration => "InvalidDeclaration",
            ErrorCode::InvalidShareLink => "InvalidShareLink",
            ErrorCode::UnsupportedShareFormat => "UnsupportedShareFormat",
            ErrorCode::ShareLinkTooLarge => "ShareLinkTooLarge",
            ErrorCode::InvalidCiphertext => "InvalidCiphertext",
            ErrorCode::InternalError => "InternalError",
        }
    }
}

/// The JavaScript `Error` for a code and message.
fn error(code: &str, message: &str) -> JsValue {
    let e = KmslabError {
        name: "KmslabError",
        code: ErrorCode::of(code),
        message: String::from(message),
    };
    let js = js_sys::Error::new(&e.message);
    js.set_name(e.name);
    // Setting a property on a fresh Error can't fail.
    let _ = Reflect::set(&js, &"code".into(), &e.code.as_str().into());
    js.into()
}

fn contract_error(e: ContractError) -> JsValue {
    error(e.code(), &e.to_string())
}

#[cfg(feature = "wasm")]
fn scenario_error(e: ScenarioError) -> JsValue {
    error(e.code(), &e.to_string())
}

#[cfg(feature = "wasm")]
fn share_error(e: ShareError) -> JsValue {
    error(e.code(), &e.to_string())
}

fn invalid_argument(message: &str) -> JsValue {
    error("InvalidArgument", message)
}

/// What a JavaScript value is, for messages.
fn kind_of(v: &JsValue) -> String {
    if v.is_null() {
        String::from("null")
    } else if v.is_array() {
        String::from("an array")
    } else {
        v.js_typeof().as_string().unwrap_or_default()
    }
}

/// The JSON text of an argument: a string is taken as the text itself, anything else that JSON can represent
/// is serialized (`JSON.stringify`, with `indent` spaces). Larger than `max` bytes: `too_large`.
fn json_text(
    value: &JsValue,
    what: &str,
    max: usize,
    indent: u32,
    too_large: &str,
) -> Result<String, JsValue> {
    let js = js_json_text(value, what, max, indent, too_large)?;
    let text = js
        .text()
        .as_string()
        .ok_or_else(|| invalid_argument(&format!("{what} is not text")))?;
    js.check_size(text.len())?;
    Ok(text)
}

/// An argument's JSON text while still a JavaScript string ([`json_text`] copies it with `as_string`,
/// `PolicySet.decide` with its [`TextReader`]).
struct JsJsonText<'a> {
    text: JsText<'a>,
    what: &'a str,
    max: usize,
    too_large: &'a str,
}

enum JsText<'a> {
    /// The caller gave the text.
    Given(&'a JsString),
    /// `JSON.stringify` made it.
    Stringified(JsString),
}

impl JsJsonText<'_> {
    fn text(&self) -> &JsString {
        match &self.text {
            JsText::Given(s) => s,
            JsText::Stringified(s) => s,
        }
    }

    fn given_as_text(&self) -> bool {
        matches!(self.text, JsText::Given(_))
    }

    /// `JSON.stringify`'s text longer than the limit, in UTF-8 bytes. Text given as such is measured by the
    /// contract's JSON check, when it is read ([`from_json_str`]).
    fn check_size(&self, utf8_len: usize) -> Result<(), JsValue> {
        if !self.given_as_text() && utf8_len > self.max {
            return Err(too_large(self.what, self.max, self.too_large));
        }
        Ok(())
    }
}

fn too_large(what: &str, max: usize, code: &str) -> JsValue {
    error(
        code,
        &format!("{what} is larger than {} MiB", max / (1024 * 1024)),
    )
}

/// The JSON text of an argument, not yet copied: a string is taken as the text itself; anything else that
/// JSON can represent is serialized (`JSON.stringify`, with `indent` spaces). Either is refused when it has
/// more UTF-16 code units than `max` bytes, as it can't be shorter in UTF-8.
fn js_json_text<'a>(
    value: &'a JsValue,
    what: &'a str,
    max: usize,
    indent: u32,
    too_large_code: &'a str,
) -> Result<JsJsonText<'a>, JsValue> {
    let text = |text: JsText<'a>| JsJsonText {
        text,
        what,
        max,
        too_large: too_large_code,
    };
    // A UTF-16 code unit is at least one UTF-8 byte: don't copy what is sure to be refused.
    let longer = |s: &JsString| usize::try_from(s.length()).unwrap_or(usize::MAX) > max;
    if let Some(s) = value.dyn_ref::<JsString>() {
        if longer(s) {
            return Err(too_large(what, max, too_large_code));
        }
        return Ok(text(JsText::Given(s)));
    }
    if !value.is_object()
        && (value.is_undefined()
            || value.is_null()
            || value.is_function()
            || value.is_symbol()
            || value.is_bigint())
    {
        return Err(invalid_argument(&format!(
            "{what} must be an object or its JSON text, not {}",
            kind_of(value)
        )));
    }
    // Without indentation, plain `JSON.stringify` (V8's fast path; a request per decision).
    let json = if indent == 0 {
        JSON::stringify(value)
    } else {
        JSON::stringify_with_replacer_and_space(value, &JsValue::NULL, &JsValue::from(indent))
    }
    .map_err(|e| {
        invalid_argument(&format!(
            "{what} can't be converted to JSON: {}",
            message_of(&e)
        ))
    })?;
    // `JSON.stringify` gives `undefined` for an object whose `toJSON` returns nothing.
    let json: JsValue = json.into();
    match json.dyn_into::<JsString>() {
        Ok(s) if longer(&s) => Err(too_large(what, max, too_large_code)),
        Ok(s) => Ok(text(JsText::Stringified(s))),
        Err(_) => Err(invalid_argument(&format!(
            "{what} can't be converted to JSON"
        ))),
    }
}

fn message_of(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .and_then(|e| e.message().as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| String::from("unknown error"))
}

/// A value as the documented JSON, turned into a JavaScript object by `JSON.parse`.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| error("InternalError", &e.to_string()))?;
    JSON::parse(&text).map_err(|e| error("InternalError", &message_of(&e)))
}

/// Reads an argument's JSON text. `JSON.stringify`'s text is well-formed, within the size limit and without
/// duplicate keys, so only text given as such goes through the contract's JSON checks first ([`from_text`]);
/// serde_json's own nesting limit still applies to both.
fn from_json_str<T: DeserializeOwned>(text: &str, given_as_text: bool) -> Result<T, JsValue> {
    if given_as_text {
        return from_text(text);
    }
    serde_json::from_str(text)
        .map_err(|e| contract_error(ContractError::InvalidQuestion(e.to_string())))
}

/// Reads an argument's JSON text ([`js_json_text`]) with `reader`: copied into its buffer, not a new string.
fn read_json<T: DeserializeOwned>(reader: &TextReader, js: &JsJsonText<'_>) -> Result<T, JsValue> {
    reader.with(js.text(), |text| {
        js.check_size(text.len())?;
        from_json_str(text, js.given_as_text())
    })
}

/// Parses JSON text into one of the contract's types, with the contract's limits and errors.
fn from_text<T: DeserializeOwned>(text: &str) -> Result<T, JsValue> {
    if let Err(e) = crate::json::parse_limited(text, MAX_QUESTION_BYTES) {
        return Err(contract_error(ContractError::InvalidJson(e.to_string())));
    }
    serde_json::from_str(text)
        .map_err(|e| contract_error(ContractError::InvalidQuestion(e.to_string())))
}

/// The time for `aws:CurrentTime`/`aws:EpochTime` when a question doesn't give it: the JavaScript clock.
fn now_ms() -> i64 {
    // Epoch milliseconds are far inside i64's range; `as` saturates and maps NaN to 0.
    js_sys::Date::now() as i64
}

/// The engine's version (`kmslab-core`), as share links and run results carry it.
#[wasm_bindgen(js_name = engineVersion)]
pub fn engine_version() -> String {
    String::from(crate::VERSION)
}

/// Answers one question (docs/contract.md): is this request allowed, and why?
///
/// `question` is a {@link Question} or its JSON text. A policy with an error is not a failure: the answer
/// is `ImplicitDeny` with reason `invalidPolicy` and the `errors` say where.
///
/// @throws {KmslabError} `InvalidJson`, `InvalidQuestion`, `InvalidContextValue` or `InvalidArgument` when
/// the question can't be read.
#[wasm_bindgen(unchecked_return_type = "Answer")]
pub fn evaluate(
    #[wasm_bindgen(unchecked_param_type = "Question | string")] question: JsValue,
) -> Result<JsValue, JsValue> {
    let text = json_text(
        &question,
        "the question",
        MAX_QUESTION_BYTES,
        0,
        "InvalidJson",
    )?;
    let q = Question::from_json(&text).map_err(contract_error)?;
    let answer = q.answer(now_ms()).map_err(contract_error)?;
    to_js(&answer)
}

/// The diagnostics of one policy document.
#[derive(Clone, Debug, Serialize, tsify::Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
pub struct Validation {
    /// No errors (warnings allowed): AWS would accept the policy.
    pub valid: bool,
    pub errors: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
}

/// Validates a policy document as AWS would when it is stored: its errors (`MalformedPolicyDocumentException`)
/// and policy-validator warnings, each with `line`, `column`, `offset` and `length` in the text.
///
/// `policy` is the JSON text (positions refer to it) or an object (pretty-printed first; positions refer to
/// that text). `kind` says which policy type's rules apply (default `"identity"`).
///
/// @throws {KmslabError} `InvalidArgument` for an unknown `kind`, a value that is not a policy's text or
/// object, or text larger than 16 MiB.
#[wasm_bindgen(js_name = validatePolicy, unchecked_return_type = "Validation")]
pub fn validate_policy(
    #[wasm_bindgen(unchecked_param_type = "string | Record<string, unknown>")] policy: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "PolicyKind")] kind: Option<String>,
) -> Result<JsValue, JsValue> {
    let kind = match kind.as_deref() {
        None => PolicyKind::Identity,
        Some(k) => serde_json::from_value::<PolicyKind>(serde_json::Value::String(String::from(k)))
            .map_err(|_| {
                invalid_argument(&format!(
                    "unknown policy kind `{k}`: use identity, resource, keyPolicy, serviceControl, \
                     resourceControl, permissionsBoundary or session"
                ))
            })?,
    };
    let text = if policy.is_string() {
        json_text(
            &policy,
            "the policy",
            MAX_QUESTION_BYTES,
            0,
            "InvalidArgument",
        )?
    } else {
        let object = json_text(
            &policy,
            "the policy",
            MAX_QUESTION_BYTES,
            0,
            "InvalidArgument",
        )?;
        let value: serde_json::Value = from_text(&object)?;
        PolicyInput::Document(value).source(String::new()).text
    };
    let diagnostics = crate::validate_policy(&text, kind);
    let (errors, warnings): (Vec<_>, Vec<_>) = diagnostics
        .into_iter()
        .partition(|d| d.severity == Severity::Error);
    to_js(&Validation {
        valid: errors.is_empty(),
        errors,
        warnings,
    })
}

/// Options of one decision.
#[derive(Clone, Copy, Debug, Default, serde::Deserialize, tsify::Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(rename_all = "camelCase")]
pub struct DecideOptions {
    /// Build the trace tree (default: the policy set's `explain`, itself true by default).
    #[serde(default)]
    pub explain: Option<bool>,
}

impl DecideOptions {
    /// Reads `options.explain`; `explain_key` is the JavaScript string `"explain"` (made once per policy set).
    fn read(options: &JsValue, explain_key: &JsValue) -> Result<DecideOptions, JsValue> {
        // The usual case first, in three crossings: an object with a boolean `explain`.
        if options.is_object() {
            let explain = Reflect::get(options, explain_key).unwrap_or(JsValue::UNDEFINED);
            if let Some(b) = explain.as_bool() {
                return Ok(DecideOptions { explain: Some(b) });
            }
            if explain.is_undefined() || explain.is_null() {
                return Ok(DecideOptions::default());
            }
            return Err(invalid_argument(&format!(
                "options.explain must be a boolean, not {}",
                kind_of(&explain)
            )));
        }
        if options.is_undefined() || options.is_null() {
            return Ok(DecideOptions::default());
        }
        Err(invalid_argument(&format!(
            "options must be an object like {{ explain: false }}, not {}",
            kind_of(options)
        )))
    }
}

/// Policies parsed and validated once, then asked many requests — without parsing again, and in batches that
/// cross between JavaScript and WebAssembly once.
#[wasm_bindgen(js_name = PolicySet)]
pub struct JsPolicySet {
    /// The resource policy read as a KMS key policy (every policy, when there is no resource policy).
    as_key_policy: Option<PolicySet>,
    /// The resource policy read as a plain resource policy.
    as_resource_policy: Option<PolicySet>,
    explain: bool,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    answers: AnswerWriter,
    explain_key: JsValue,
    /// Copies requests' JSON text into the WebAssembly memory.
    text: TextReader,
}

#[wasm_bindgen(js_class = PolicySet)]
impl JsPolicySet {
    /// Parses and validates `policies` (a {@link PolicySetInput} or its JSON text): the policies of a
    /// question, without its request.
    ///
    /// @throws {KmslabError} `InvalidJson`, `InvalidQuestion` or `InvalidArgument` when `policies` can't be
    /// read. A policy with an error is not a failure: see `errors`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "PolicySetInput | string")] policies: JsValue,
    ) -> Result<JsPolicySet, JsValue> {
        let text = json_text(
            &policies,
            "the policy set",
            MAX_QUESTION_BYTES,
            0,
            "InvalidJson",
        )?;
        let input = PolicySetInput::from_json(&text).map_err(contract_error)?;
        let src = input.policy_sources();
        let mut cache = ParseCache::default();
        let mut build = |key_policy: bool| PolicySet::build_cached(&src, key_policy, &mut cache);
        let (as_key_policy, as_resource_policy) = match input.key_policy {
            Some(true) => (Some(build(true)), None),
            Some(false) => (None, Some(build(false))),
            // Without a resource policy both readings are the same set.
            None if src.resource.is_none() => (Some(build(true)), None),
            None => (Some(build(true)), Some(build(false))),
        };
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        for set in as_key_policy.iter().chain(as_resource_policy.iter()) {
            for d in &set.errors {
                if !errors.contains(d) {
                    errors.push(d.clone());
                }
            }
            for d in &set.warnings {
                if !warnings.contains(d) {
                    warnings.push(d.clone());
                }
            }
        }
        Ok(JsPolicySet {
            as_key_policy,
            as_resource_policy,
            explain: input.explain.unwrap_or(true),
            errors,
            warnings,
            answers: AnswerWriter::new(),
            explain_key: JsValue::from_str("explain"),
            text: TextReader::new(),
        })
    }

    /// The policies' errors (when `keyPolicy` is left out, under either reading of the resource policy). A
    /// decision that involves a policy with an error is `ImplicitDeny` (`invalidPolicy`).
    #[wasm_bindgen(getter, unchecked_return_type = "Diagnostic[]")]
    pub fn errors(&self) -> Result<JsValue, JsValue> {
        to_js(&self.errors)
    }

    /// The policies' warnings (the policies are still evaluated).
    #[wasm_bindgen(getter, unchecked_return_type = "Diagnostic[]")]
    pub fn warnings(&self) -> Result<JsValue, JsValue> {
        to_js(&self.warnings)
    }

    /// No policy has an error.
    #[wasm_bindgen(getter)]
    pub fn valid(&self) -> bool {
        self.errors.is_empty()
    }

    fn set_for(&self, resource: &str) -> Option<&PolicySet> {
        match (&self.as_key_policy, &self.as_resource_policy) {
            (Some(k), Some(r)) => Some(if is_kms_key_arn(resource) { k } else { r }),
            (Some(set), None) | (None, Some(set)) => Some(set),
            (None, None) => None,
        }
    }

    fn decide_one(&self, request: RequestInput, opts: Options) -> Result<Answer, ContractError> {
        let set = self.set_for(&request.resource);
        let req = request.into_request()?;
        Ok(match set {
            Some(set) => set.decide(&req, opts),
            None => PolicySet::default().decide(&req, opts),
        })
    }

    fn options(&self, options: &JsValue) -> Result<Options, JsValue> {
        let o = DecideOptions::read(options, &self.explain_key)?;
        Ok(Options {
            explain: o.explain.unwrap_or(self.explain),
            now: Clock::Host(now_ms),
            // The set's warnings are read once, from `warnings`; not copied into every answer.
            warnings: false,
        })
    }

    /// Decides one request (a {@link RequestInput} or its JSON text) against the parsed policies: the same
    /// answer `evaluate` gives for the question made of these policies and this request, except that
    /// `warnings` is empty — the policies' warnings are the set's, read once from {@link PolicySet.warnings}.
    /// Without a trace, the answer's `determining` entries are the set's own frozen objects, shared by every
    /// answer that names the same statement.
    ///
    /// @throws {KmslabError} `InvalidJson`, `InvalidQuestion`, `InvalidContextValue` or `InvalidArgument`.
    #[wasm_bindgen(unchecked_return_type = "Answer")]
    pub fn decide(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestInput | string")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "DecideOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let opts = self.options(&options)?;
        let json = js_json_text(
            &request,
            "the request",
            MAX_QUESTION_BYTES,
            0,
            "InvalidJson",
        )?;
        let request: RequestInput = read_json(&self.text, &json)?;
        let answer = self.decide_one(request, opts).map_err(contract_error)?;
        self.answers.write(&answer)
    }

    /// Decides many requests in one call (one crossing each way between JavaScript and WebAssembly); the
    /// answers, each as `decide` gives it, are in the requests' order. With `{ explain: false }` no trace is
    /// built: the fastest way to ask thousands of questions.
    ///
    /// @throws {KmslabError} as `decide`; the message names the request (`requests[3]: …`).
    #[wasm_bindgen(js_name = decideBatch, unchecked_return_type = "Answer[]")]
    pub fn decide_batch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestInput[] | string")] requests: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "DecideOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let opts = self.options(&options)?;
        if !(requests.is_string() || requests.is_array()) {
            return Err(invalid_argument(&format!(
                "the requests must be an array, not {}",
                kind_of(&requests)
            )));
        }
        let json = js_json_text(
            &requests,
            "the requests",
            MAX_QUESTION_BYTES,
            0,
            "InvalidJson",
        )?;
        let requests: Vec<RequestInput> = read_json(&self.text, &json)?;
        let answers = js_sys::Array::new();
        for (i, r) in requests.into_iter().enumerate() {
            let answer = self
                .decide_one(r, opts)
                .map_err(|e| error(e.code(), &format!("requests[{i}]: {e}")))?;
            answers.push(&self.answers.write(&answer)?);
        }
        Ok(answers.into())
    }
}

#[cfg(feature = "wasm")]
fn crypto_error(e: CryptoError) -> JsValue {
    let code = match e {
        CryptoError::Malformed { .. } | CryptoError::AuthenticationFailed => "InvalidCiphertext",
        CryptoError::WrongKeyLength { .. }
        | CryptoError::TooLarge { .. }
        | CryptoError::Empty { .. } => "InvalidArgument",
        _ => "InternalError",
    };
    error(code, &e.to_string())
}

/// **Low level.** Seals one record with a 32-byte plaintext data key (AES-256-GCM, a random 96-bit nonce from
/// `crypto.getRandomValues`), bound to `aad` (e.g. the feature group and record identifier) — the per-record
/// call the simulated Feature Store data plane makes after KMS `GenerateDataKey`/`Decrypt`. The result is
/// kmslab's sealed-record format (`b"KMSR"`, version, nonce, ciphertext, tag; `core/src/kms/crypto.rs`),
/// not AWS's. No policy is evaluated and nothing is logged: scenarios do that; this is the bare envelope
/// primitive, for measuring it or sealing test data.
///
/// @throws {KmslabError} `InvalidArgument` for a key that is not 32 bytes, a record over 400 KiB or `aad`
/// over 16 KiB; `InternalError` when the browser has no random source.
#[cfg(feature = "wasm")]
#[wasm_bindgen(js_name = sealRecord)]
pub fn seal_record(
    #[wasm_bindgen(js_name = dataKey)] data_key: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, JsValue> {
    crypto::seal_record(data_key, aad, plaintext, &mut OsEntropy).map_err(crypto_error)
}

/// **Low level.** Opens a record sealed by `sealRecord` with the same data key and `aad`, returning its
/// plaintext.
///
/// @throws {KmslabError} `InvalidCiphertext` for a wrong key or `aad`, or modified, truncated or foreign bytes
/// (every such failure reads the same); `InvalidArgument` for a key that is not 32 bytes or oversized input.
#[cfg(feature = "wasm")]
#[wasm_bindgen(js_name = openRecord)]
pub fn open_record(
    #[wasm_bindgen(js_name = dataKey)] data_key: &[u8],
    aad: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, JsValue> {
    crypto::open_record(data_key, aad, sealed)
        .map(|plaintext| plaintext.to_vec())
        .map_err(crypto_error)
}

/// A document decoded from a share link.
#[cfg(feature = "wasm")]
#[derive(Clone, Debug, Serialize, tsify::Tsify)]
#[tsify(missing_as_null, hashmap_as_object)]
#[serde(rename_all = "camelCase")]
pub struct SharedDocument {
    /// The scenario document's JSON text.
    pub document: String,
    /// The engine version that made the link (informative: any version's link opens).
    pub engine_version: String,
}

/// The text of a scenario document given as text or as an object (pretty-printed with two spaces).
#[cfg(feature = "wasm")]
fn document_text(document: &JsValue) -> Result<String, JsValue> {
    json_text(
        document,
        "the scenario document",
        MAX_QUESTION_BYTES,
        2,
        "InvalidScenario",
    )
}

/// The share-link fragment (without `#`) of a scenario document: `s=1.VERSION.PAYLOAD`, the format the
/// playground's **Copy link**, its `/embed` page and "Open in playground" links use (docs/share-links.md).
/// The document is carried as it is (text as given; an object as pretty-printed JSON).
///
/// @throws {KmslabError} `InvalidArgument` or `InvalidScenario` (too large) when `document` is not text or
/// an object.
#[cfg(feature = "wasm")]
#[wasm_bindgen(js_name = shareFragment)]
pub fn share_fragment(
    #[wasm_bindgen(unchecked_param_type = "ScenarioDocument | string")] document: JsValue,
) -> Result<String, JsValue> {
    Ok(share::encode(&document_text(&document)?))
}

/// The full playground's link for a scenario document ("Open in playground"): `baseUrl` (the playground's
/// address, e.g. `https://example.com/kmslab/`) with the share fragment.
///
/// @throws {KmslabError} as `shareFragment`.
#[cfg(feature = "wasm")]
#[wasm_bindgen(js_name = playgroundLink)]
pub fn playground_link(
    #[wasm_bindgen(js_name = baseUrl)] base_url: &str,
    #[wasm_bindgen(unchecked_param_type = "ScenarioDocument | string")] document: JsValue,
) -> Result<String, JsValue> {
    Ok(share::link(base_url, &document_text(&document)?))
}

/// The `/embed` page's link for a scenario document, for an `<iframe src>`: `baseUrl?embed#s=…`.
///
/// @throws {KmslabError} as `shareFragment`.
#[cfg(feature = "wasm")]
#[wasm_bindgen(js_name = embedLink)]
pub fn embed_link(
    #[wasm_bindgen(js_name = baseUrl)] base_url: &str,
    #[wasm_bindgen(unchecked_param_type = "ScenarioDocument | string")] document: JsValue,
) -> Result<String, JsValue> {
    Ok(share::embed_link(base_url, &document_text(&document)?))
}

/// Decodes a share link — a whole URL, a fragment (`#s=…`, `#embed&s=…`) or `s=…` — into its document.
///
/// @throws {KmslabError} `InvalidShareLink`, `UnsupportedShareFormat` or `ShareLinkTooLarge`.
#[cfg(feature = "wasm")]
#[wasm_bindgen(js_name = decodeShareLink, unchecked_return_type = "SharedDocument")]
pub fn decode_share_link(link: &str) -> Result<JsValue, JsValue> {
    let shared = share::decode(link).map_err(share_error)?;
    to_js(&SharedDocument {
        document: shared.document,
        engine_version: shared.engine_version,
    })
}

/// Runs a scenario document (a {@link ScenarioDocument} or its JSON text) and returns everything the run
/// produced. The same as `Scenario.load(document).run()`.
///
/// @throws {KmslabError} `InvalidScenario`, `UnsupportedScenarioVersion`, `InvalidDeclaration` or
/// `InvalidArgument`.
#[cfg(feature = "wasm")]
#[wasm_bindgen(js_name = runScenario, unchecked_return_type = "RunResult")]
pub fn run_scenario(
    #[wasm_bindgen(unchecked_param_type = "ScenarioDocument | string")] document: JsValue,
) -> Result<JsValue, JsValue> {
    let scenario = Scenario::from_json(&document_text(&document)?).map_err(scenario_error)?;
    to_js(&scenario.run(None).map_err(scenario_error)?)
}

/// A scenario document (docs/scenario.md): load it, run it (at once or a slice at a time), read its calls,
/// traces, CloudTrail, KMS requests and cost, add calls, export it or make a share link of it.
#[cfg(feature = "wasm")]
#[wasm_bindgen(js_name = Scenario)]
pub struct JsScenario {
    /// The document's text, as loaded (plus the calls added since).
    text: String,
    scenario: Scenario,
    /// The last complete run.
    result: Option<RunResult>,
    /// A run under way (`advance`).
    runner: Option<Runner>,
}

#[cfg(feature = "wasm")]
#[wasm_bindgen(js_class = Scenario)]
impl JsScenario {
    /// Loads a scenario document: a {@link ScenarioDocument} or its JSON text (kept as it is for `export`).
    /// Nothing runs yet.
    ///
    /// @throws {KmslabError} `InvalidScenario`, `UnsupportedScenarioVersion` or `InvalidArgument`.
    pub fn load(
        #[wasm_bindgen(unchecked_param_type = "ScenarioDocument | string")] document: JsValue,
    ) -> Result<JsScenario, JsValue> {
        let text = document_text(&document)?;
        JsScenario::from_text(text)
    }

    /// Loads the scenario a share link carries (see `decodeShareLink`).
    ///
    /// @throws {KmslabError} as `decodeShareLink` and `load`.
    #[wasm_bindgen(js_name = fromShareLink)]
    pub fn from_share_link(link: &str) -> Result<JsScenario, JsValue> {
        let shared = share::decode(link).map_err(share_error)?;
        JsScenario::from_text(shared.document)
    }

    fn from_text(text: String) -> Result<JsScenario, JsValue> {
        let scenario = Scenario::from_json(&text).map_err(scenario_error)?;
        Ok(JsScenario {
            text,
            scenario,
            result: None,
            runner: None,
        })
    }

    /// The scenario's `name`.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> Option<String> {
        self.scenario.name.clone()
    }

    /// The scenario's `description`.
    #[wasm_bindgen(getter)]
    pub fn description(&self) -> Option<String> {
        self.scenario.description.clone()
    }

    /// Runs every call from the start (a fresh region; a seeded scenario gives the same result every time)
    /// and returns the result, which `calls()`, `trace()`, `cloudTrail()`… then read.
    ///
    /// @throws {KmslabError} `InvalidDeclaration` when a declaration or a clock step can't be used.
    #[wasm_bindgen(unchecked_return_type = "RunResult")]
    pub fn run(&mut self) -> Result<JsValue, JsValue> {
        self.runner = None;
        let result = self.scenario.run(None).map_err(scenario_error)?;
        let js = to_js(&result);
        self.result = Some(result);
        js
    }

    /// Runs at most `maxRuns` more calls (each run of a repeated call counts; clock steps are free) and says
    /// where the run stands — for a page that must stay responsive. The first call starts a fresh run; once
    /// `finished`, the result is there for `result()`, `calls()` …
    ///
    /// @throws {KmslabError} as `run`.
    #[wasm_bindgen(unchecked_return_type = "Progress")]
    pub fn advance(
        &mut self,
        #[wasm_bindgen(js_name = maxRuns)] max_runs: u32,
    ) -> Result<JsValue, JsValue> {
        let mut runner = match self.runner.take() {
            Some(r) => r,
            None => self.scenario.clone().start(None).map_err(scenario_error)?,
        };
        let progress: Progress = runner.advance(max_runs).map_err(scenario_error)?;
        if progress.finished {
            let (result, _world) = runner.finish().map_err(scenario_error)?;
            self.result = Some(result);
        } else {
            self.runner = Some(runner);
        }
        to_js(&progress)
    }

    fn ran(&mut self) -> Result<&RunResult, JsValue> {
        if self.result.is_none() {
            self.runner = None;
            self.result = Some(self.scenario.run(None).map_err(scenario_error)?);
        }
        self.result
            .as_ref()
            .ok_or_else(|| error("InternalError", "the run left no result"))
    }

    /// The last run's result (running the scenario first when it has not run).
    ///
    /// @throws {KmslabError} as `run`.
    #[wasm_bindgen(unchecked_return_type = "RunResult")]
    pub fn result(&mut self) -> Result<JsValue, JsValue> {
        to_js(self.ran()?)
    }

    /// Every call's result: output or AWS error, authorizations with their traces, CloudTrail events, KMS
    /// requests, envelopes and the expectation check.
    ///
    /// @throws {KmslabError} as `run`.
    #[wasm_bindgen(unchecked_return_type = "CallResult[]")]
    pub fn calls(&mut self) -> Result<JsValue, JsValue> {
        to_js(&self.ran()?.calls)
    }

    /// The authorizations one call made — its own and those of the requests services made on its behalf —
    /// each with its answer and trace. `call` is the call's index (clock steps not counted) or its `id`.
    ///
    /// @throws {KmslabError} `InvalidArgument` for a call that does not exist; otherwise as `run`.
    #[wasm_bindgen(unchecked_return_type = "Authorization[]")]
    pub fn trace(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "number | string")] call: JsValue,
    ) -> Result<JsValue, JsValue> {
        let result = self.ran()?;
        let found: Option<&CallResult> = if let Some(id) = call.as_string() {
            result
                .calls
                .iter()
                .rev()
                .find(|c| c.id.as_deref() == Some(&id))
        } else if let Some(n) = call.as_f64() {
            if n >= 0.0 && n.fract() == 0.0 {
                result.calls.get(n as usize)
            } else {
                None
            }
        } else {
            None
        };
        match found {
            Some(c) => to_js(&c.authorizations),
            None => Err(invalid_argument(&format!(
                "no call {} (the scenario has {} calls; give an index from 0 or a call's id)",
                call.as_string()
                    .map(|s| format!("`{s}`"))
                    .or_else(|| JSON::stringify(&call).ok().and_then(|s| s.as_string()))
                    .unwrap_or_else(|| kind_of(&call)),
                result.calls.len()
            ))),
        }
    }

    /// The whole run's CloudTrail log (`{ Records: [...] }`, as CloudTrail writes it to S3).
    ///
    /// @throws {KmslabError} as `run`.
    #[wasm_bindgen(js_name = cloudTrail, unchecked_return_type = "{ Records: CloudTrailEvent[] }")]
    pub fn cloud_trail(&mut self) -> Result<JsValue, JsValue> {
        to_js(&self.ran()?.cloud_trail)
    }

    /// Every KMS request of the run, in order, including those services made (`viaService`).
    ///
    /// @throws {KmslabError} as `run`.
    #[wasm_bindgen(js_name = kmsRequests, unchecked_return_type = "KmsRequest[]")]
    pub fn kms_requests(&mut self) -> Result<JsValue, JsValue> {
        to_js(&self.ran()?.kms_requests)
    }

    /// The run's KMS cost and quota report.
    ///
    /// @throws {KmslabError} as `run`.
    #[wasm_bindgen(unchecked_return_type = "CostReport")]
    pub fn cost(&mut self) -> Result<JsValue, JsValue> {
        to_js(&self.ran()?.cost)
    }

    /// How many calls had `expect`, and how many of those held.
    ///
    /// @throws {KmslabError} as `run`.
    #[wasm_bindgen(unchecked_return_type = "ExpectationSummary")]
    pub fn expectations(&mut self) -> Result<JsValue, JsValue> {
        to_js(&self.ran()?.expectations)
    }

    /// Appends a call (a {@link CallDecl}: `{ as, op, input, … }`) to the document, runs the document again and
    /// returns the new call's result — as the playground's console does. `export()` then includes the call.
    ///
    /// @throws {KmslabError} `InvalidScenario` when the call is not a call (the document is left as it was);
    /// otherwise as `run`.
    #[wasm_bindgen(js_name = addCall, unchecked_return_type = "CallResult")]
    pub fn add_call(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "CallDecl")] call: JsValue,
    ) -> Result<JsValue, JsValue> {
        if !call.is_object() || call.is_array() {
            return Err(invalid_argument(&format!(
                "the call must be an object like {{ as, op, input }}, not {}",
                kind_of(&call)
            )));
        }
        // Edit the document as JavaScript sees it, so its members keep their order.
        let document =
            JSON::parse(&self.text).map_err(|e| error("InternalError", &message_of(&e)))?;
        let calls_key = JsValue::from_str("calls");
        let calls = Reflect::get(&document, &calls_key).unwrap_or(JsValue::UNDEFINED);
        let calls: js_sys::Array = match calls.dyn_into::<js_sys::Array>() {
            Ok(a) => a,
            Err(_) => {
                let a = js_sys::Array::new();
                Reflect::set(&document, &calls_key, &a)
                    .map_err(|e| error("InternalError", &message_of(&e)))?;
                a
            }
        };
        calls.push(&call);
        let text = document_text(&document)?;
        let scenario = Scenario::from_json(&text).map_err(scenario_error)?;
        let result = scenario.run(None).map_err(scenario_error)?;
        let last = result
            .calls
            .last()
            .ok_or_else(|| error("InternalError", "the run has no calls"))
            .and_then(to_js)?;
        self.text = text;
        self.scenario = scenario;
        self.runner = None;
        self.result = Some(result);
        Ok(last)
    }

    /// The document's JSON text: exactly as loaded (an object is pretty-printed with two spaces); after
    /// `addCall`, with the calls added, re-printed with two spaces (members keep their order).
    pub fn export(&self) -> String {
        self.text.clone()
    }

    /// The document as an object (`JSON.parse(export())`); also what `JSON.stringify(scenario)` writes.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "ScenarioDocument")]
    pub fn to_json(&self) -> Result<JsValue, JsValue> {
        JSON::parse(&self.text).map_err(|e| error("InternalError", &message_of(&e)))
    }

    /// The document's share-link fragment (see the function `shareFragment`).
    #[wasm_bindgen(js_name = shareFragment)]
    pub fn share_fragment(&self) -> String {
        share::encode(&self.text)
    }

    /// The full playground's link for this document (see the function `playgroundLink`).
    #[wasm_bindgen(js_name = playgroundLink)]
    pub fn playground_link(&self, #[wasm_bindgen(js_name = baseUrl)] base_url: &str) -> String {
        share::link(base_url, &self.text)
    }

    /// The `/embed` page's link for this document (see the function `embedLink`).
    #[wasm_bindgen(js_name = embedLink)]
    pub fn embed_link(&self, #[wasm_bindgen(js_name = baseUrl)] base_url: &str) -> String {
        share::embed_link(base_url, &self.text)
    }
}
