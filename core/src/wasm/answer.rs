//! `PolicySet.decide`'s answers built as JavaScript objects directly, instead of JSON text that JavaScript
//! parses again: the answer of a decision without a trace, errors or warnings is a handful of values, and
//! its `determining` entries are the policy set's own statements — made once per policy set, frozen, and
//! shared by every answer that names them. What a caller sees is the object `JSON.parse` would give for the
//! answer's JSON (same members, same order, same values), except that the `determining` entries are frozen.
//! Any other answer (a trace, errors or warnings) still goes through JSON ([`super::to_js`]).

use alloc::vec::Vec;
use core::cell::RefCell;

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::to_js;
use crate::evaluation::{Answer, Decision, Determining, Reason};

#[wasm_bindgen]
extern "C" {
    /// An answer object under construction: plain property assignments (`o.decision = …`), in the order of
    /// the answer's JSON members — no `Reflect.set`, no member names copied in.
    #[wasm_bindgen(extends = Object)]
    type AnswerObject;
    #[wasm_bindgen(method, setter = decision)]
    fn set_decision(this: &AnswerObject, v: &JsValue);
    #[wasm_bindgen(method, setter = reason)]
    fn set_reason(this: &AnswerObject, v: &JsValue);
    #[wasm_bindgen(method, setter = determining)]
    fn set_determining(this: &AnswerObject, v: &JsValue);
    #[wasm_bindgen(method, setter = missingContextKeys)]
    fn set_missing_context_keys(this: &AnswerObject, v: &JsValue);
    #[wasm_bindgen(method, setter = message)]
    fn set_message(this: &AnswerObject, v: &JsValue);
    #[wasm_bindgen(method, setter = errors)]
    fn set_errors(this: &AnswerObject, v: &JsValue);
    #[wasm_bindgen(method, setter = warnings)]
    fn set_warnings(this: &AnswerObject, v: &JsValue);
}

/// Builds answers for one policy set; holds the set's frozen `determining` entries.
pub(super) struct AnswerWriter {
    decisions: Made<Decision>,
    reasons: Made<Reason>,
    /// At most one entry per statement (and grant) of the set: the cache can't grow past the set's size.
    determining: Made<Determining>,
}

impl AnswerWriter {
    pub(super) fn new() -> AnswerWriter {
        AnswerWriter {
            decisions: Made::default(),
            reasons: Made::default(),
            determining: Made::default(),
        }
    }

    /// The answer as a JavaScript object: the same as `to_js(answer)` would give (see the module's doc).
    pub(super) fn write(&self, answer: &Answer) -> Result<JsValue, JsValue> {
        if answer.trace.is_some() || !answer.errors.is_empty() || !answer.warnings.is_empty() {
            return to_js(answer);
        }
        let o: AnswerObject = Object::new().unchecked_into();
        // The JSON name of an enum value (`"Allow"`, `"explicitDeny"` …) as a JavaScript string.
        self.decisions
            .with(&answer.decision, to_js, |v| o.set_decision(v))?;
        self.reasons
            .with(&answer.reason, to_js, |v| o.set_reason(v))?;
        let determining = Array::new();
        for d in &answer.determining {
            self.determining.with(d, frozen, |v| {
                determining.push(v);
            })?;
        }
        o.set_determining(&determining);
        let missing = Array::new();
        for key in &answer.missing_context_keys {
            missing.push(&JsValue::from_str(key));
        }
        o.set_missing_context_keys(&missing);
        let message = answer
            .message
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from_str);
        o.set_message(&message);
        o.set_errors(&Array::new());
        o.set_warnings(&Array::new());
        Ok(o.into())
    }
}

/// JavaScript values made once per key and lent to every answer that needs them (lent, not cloned: a
/// clone of a `JsValue` takes a slot of wasm-bindgen's table).
struct Made<K>(RefCell<Vec<(K, JsValue)>>);

impl<K> Default for Made<K> {
    fn default() -> Self {
        Made(RefCell::new(Vec::new()))
    }
}

impl<K: Clone + PartialEq> Made<K> {
    /// Calls `use_value` with the value for `key`, made by `make` the first time.
    fn with(
        &self,
        key: &K,
        make: impl FnOnce(&K) -> Result<JsValue, JsValue>,
        use_value: impl FnOnce(&JsValue),
    ) -> Result<(), JsValue> {
        if let Some((_, v)) = self.0.borrow().iter().find(|(k, _)| k == key) {
            use_value(v);
            return Ok(());
        }
        let v = make(key)?;
        use_value(&v);
        self.0.borrow_mut().push((key.clone(), v));
        Ok(())
    }
}

/// A statement's `determining` entry as the JSON would give it, frozen with everything inside it.
fn frozen(d: &Determining) -> Result<JsValue, JsValue> {
    let v = to_js(d)?;
    deep_freeze(&v);
    Ok(v)
}

/// `Object.freeze` on an object and every object inside it.
fn deep_freeze(v: &JsValue) {
    if let Some(o) = v.dyn_ref::<Object>() {
        for inner in Object::values(o).iter() {
            deep_freeze(&inner);
        }
        Object::freeze(o);
    }
}
