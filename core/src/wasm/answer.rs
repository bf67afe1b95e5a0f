//! `PolicySet.decide`'s answers built as JavaScript objects directly, instead of JSON text that JavaScript
//! parses again: the answer of a decision without a trace, errors or warnings is a handful of values, and
//! its `determining` entries are the policy set's own statements — made once per policy set, frozen, and
//! shared by every answer that names them. What a caller sees is the object `JSON.parse` would give for the
//! answer's JSON (same members, same order, same values), except that the `determining` entries are frozen.
//! Any other answer (a trace, errors or warnings) still goes through JSON ([`super::to_js`]).

use alloc::vec::Vec;
use core::cell::RefCell;

use js_sys::{Array, Object, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::to_js;
use crate::evaluation::{Answer, Decision, Determining, Reason};

/// Builds answers for one policy set; holds the set's frozen `determining` entries and the member names.
pub(super) struct AnswerWriter {
    keys: Keys,
    decisions: RefCell<Vec<(Decision, JsValue)>>,
    reasons: RefCell<Vec<(Reason, JsValue)>>,
    /// At most one entry per statement (and grant) of the set: the cache can't grow past the set's size.
    determining: RefCell<Vec<(Determining, JsValue)>>,
}

impl AnswerWriter {
    pub(super) fn new() -> AnswerWriter {
        AnswerWriter {
            keys: Keys::new(),
            decisions: RefCell::new(Vec::new()),
            reasons: RefCell::new(Vec::new()),
            determining: RefCell::new(Vec::new()),
        }
    }

    /// The answer as a JavaScript object: the same as `to_js(answer)` would give (see the module's doc).
    pub(super) fn write(&self, answer: &Answer) -> Result<JsValue, JsValue> {
        if answer.trace.is_some() || !answer.errors.is_empty() || !answer.warnings.is_empty() {
            return to_js(answer);
        }
        let k = &self.keys;
        let o = Object::new();
        let determining = Array::new_with_length(len_u32(answer.determining.len()));
        for (i, d) in answer.determining.iter().enumerate() {
            determining.set(len_u32(i), self.determining_entry(d)?);
        }
        let missing = Array::new_with_length(len_u32(answer.missing_context_keys.len()));
        for (i, key) in answer.missing_context_keys.iter().enumerate() {
            missing.set(len_u32(i), JsValue::from_str(key));
        }
        let message = answer
            .message
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from_str);
        set(
            &o,
            &k.decision,
            &interned(&self.decisions, answer.decision)?,
        )?;
        set(&o, &k.reason, &interned(&self.reasons, answer.reason)?)?;
        set(&o, &k.determining, &determining)?;
        set(&o, &k.missing_context_keys, &missing)?;
        set(&o, &k.message, &message)?;
        set(&o, &k.errors, &Array::new())?;
        set(&o, &k.warnings, &Array::new())?;
        Ok(o.into())
    }

    /// The set's frozen object for this statement, made the first time an answer names it.
    fn determining_entry(&self, d: &Determining) -> Result<JsValue, JsValue> {
        if let Some((_, v)) = self.determining.borrow().iter().find(|(e, _)| e == d) {
            return Ok(v.clone());
        }
        let v = to_js(d)?;
        deep_freeze(&v);
        self.determining.borrow_mut().push((d.clone(), v.clone()));
        Ok(v)
    }
}

/// The answer's member names, made once (each `JsValue::from_str` copies the name into JavaScript).
struct Keys {
    decision: JsValue,
    reason: JsValue,
    determining: JsValue,
    missing_context_keys: JsValue,
    message: JsValue,
    errors: JsValue,
    warnings: JsValue,
}

impl Keys {
    fn new() -> Keys {
        Keys {
            decision: JsValue::from_str("decision"),
            reason: JsValue::from_str("reason"),
            determining: JsValue::from_str("determining"),
            missing_context_keys: JsValue::from_str("missingContextKeys"),
            message: JsValue::from_str("message"),
            errors: JsValue::from_str("errors"),
            warnings: JsValue::from_str("warnings"),
        }
    }
}

/// The JSON name of an enum value (`"Allow"`, `"explicitDeny"` …) as a JavaScript string, made once.
fn interned<T: Copy + PartialEq + Serialize>(
    cache: &RefCell<Vec<(T, JsValue)>>,
    value: T,
) -> Result<JsValue, JsValue> {
    if let Some((_, v)) = cache.borrow().iter().find(|(t, _)| *t == value) {
        return Ok(v.clone());
    }
    let v = to_js(&value)?;
    cache.borrow_mut().push((value, v.clone()));
    Ok(v)
}

fn set(o: &Object, key: &JsValue, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(o, key, value).map(|_| ())
}

/// Array lengths and indexes: an answer's lists are far shorter than `u32::MAX`.
fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
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
