//! Diagnostics: errors and warnings about policy documents, with source positions.

use alloc::string::String;

use crate::json::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding about a policy document.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(
    feature = "wasm-policy",
    derive(tsify::Tsify),
    tsify(missing_as_null, hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    pub severity: Severity,
    /// The AWS error code (`MalformedPolicyDocumentException`) or the warning's finding code.
    pub code: String,
    /// Machine-readable kind: for errors `duplicateKey`, `invalidEffect`, …; for warnings the same as `code`.
    pub kind: String,
    pub message: String,
    /// Which policy of the question (`identityPolicies[0]`, `resourcePolicy`, …); empty when validated alone.
    pub policy: String,
    pub line: u32,
    pub column: u32,
    pub offset: u32,
    /// Length in bytes of the offending text.
    pub length: u32,
}

pub const MALFORMED: &str = "MalformedPolicyDocumentException";

impl Diagnostic {
    pub fn error(kind: &str, message: String, span: Span) -> Diagnostic {
        Diagnostic::new(Severity::Error, MALFORMED, kind, message, span)
    }

    pub fn warning(code: &str, message: String, span: Span) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, code, message, span)
    }

    fn new(severity: Severity, code: &str, kind: &str, message: String, span: Span) -> Diagnostic {
        Diagnostic {
            severity,
            code: String::from(code),
            kind: String::from(kind),
            message,
            policy: String::new(),
            line: span.start.line,
            column: span.start.column,
            offset: span.start.offset,
            length: span.end.offset.saturating_sub(span.start.offset),
        }
    }
}
