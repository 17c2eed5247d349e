//! kam's errors as JS: a thrown `Error` named `KamError` with `kind`, `code`,
//! `recordId`, `field`, `file`, `line`, `column` (and `diagnostics` for a
//! policy), or the plain wire-form object a batch entry carries
//! (`{kind, code, record_id, field, message, …}`). Both come from the core's
//! one wire form (`kam::Error`'s JSON), so they are what the shared vectors,
//! the CLI and the Python binding report.

use serde_json::{Map, Value};
use wasm_bindgen::JsValue;

/// Why a call failed, ready to become a JS error.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The full text, with location: the thrown `Error`'s `message`.
    message: String,
    /// The wire form: `{kind, code, record_id, field, message, file?, line?, column?, errors?}`.
    wire: Map<String, Value>,
    /// Every defect, for policy errors.
    diagnostics: Option<Vec<kam::PolicyError>>,
}

impl From<kam::Error> for Failure {
    fn from(err: kam::Error) -> Self {
        let wire = match err.to_json() {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        let diagnostics = match &err {
            kam::Error::Policy(errors) => Some(errors.0.clone()),
            _ => None,
        };
        Failure {
            message: err.to_string(),
            wire,
            diagnostics,
        }
    }
}

impl Failure {
    /// A policy that does not compile (or lacks an entry point): located at
    /// its first defect, with all of them in `diagnostics`.
    pub(crate) fn policy(errors: &kam::PolicyErrors) -> Self {
        Failure::from(kam::Error::Policy(errors.clone()))
    }

    /// A record the binding could not turn into JSON (a BigInt, a cycle…):
    /// a `malformed` record error like the ones the core reports.
    pub(crate) fn record(record_id: Option<String>, message: String) -> Self {
        let mut e = kam::RecordError::from(kam::RecordErrorKind::Malformed(message));
        e.id = record_id;
        Failure::from(kam::Error::from(e))
    }

    /// A call made with arguments of the wrong shape (not a record problem):
    /// kind and code `argument`, in the wire form's keys.
    pub(crate) fn argument(message: String) -> Self {
        let mut wire = Map::new();
        wire.insert("kind".into(), "argument".into());
        wire.insert("code".into(), "argument".into());
        wire.insert("record_id".into(), Value::Null);
        wire.insert("field".into(), Value::Null);
        wire.insert("message".into(), message.clone().into());
        Failure {
            message,
            wire,
            diagnostics: None,
        }
    }

    /// The wire form, the `error` of a batch entry.
    pub(crate) fn wire(&self) -> &Map<String, Value> {
        &self.wire
    }

    /// The `KamError` to throw.
    pub(crate) fn into_js(self) -> JsValue {
        let error = js_sys::Error::new(&self.message);
        error.set_name("KamError");
        let set = |key: &str, value: JsValue| {
            // Setting a property on a fresh Error cannot fail; nothing to report if it did.
            let _ = js_sys::Reflect::set(&error, &JsValue::from_str(key), &value);
        };
        let scalar = |key: &str| scalar_js(self.wire.get(key).unwrap_or(&Value::Null));
        for key in ["kind", "code", "field", "file", "line", "column"] {
            set(key, scalar(key));
        }
        set("recordId", scalar("record_id"));
        set("detail", scalar("message"));
        // The wire form itself, as a batch entry's `error` holds it.
        if let Ok(wire) = serde_json::to_string(&self.wire) {
            if let Ok(value) = js_sys::JSON::parse(&wire) {
                set("wire", value);
            }
        }
        if let Some(diagnostics) = &self.diagnostics {
            set("diagnostics", diagnostics_array(diagnostics).into());
        }
        error.into()
    }
}

/// `[{file, line, column, message}]` for every defect.
pub(crate) fn diagnostics_js(errors: &kam::PolicyErrors) -> JsValue {
    diagnostics_array(&errors.0).into()
}

/// `[{file, line, column, message}]` for a list of diagnostics (e.g. failing cases).
pub(crate) fn diagnostics_list_js(errors: &[kam::PolicyError]) -> JsValue {
    diagnostics_array(errors).into()
}

fn diagnostics_array(errors: &[kam::PolicyError]) -> js_sys::Array {
    errors
        .iter()
        .map(|e| {
            let d = js_sys::Object::new();
            let fields = [
                ("file", JsValue::from_str(&e.file)),
                ("line", optional_number(e.line)),
                ("column", optional_number(e.column)),
                ("message", JsValue::from_str(&e.message)),
            ];
            for (key, value) in fields {
                let _ = js_sys::Reflect::set(&d, &JsValue::from_str(key), &value);
            }
            JsValue::from(d)
        })
        .collect()
}

fn optional_number(n: Option<usize>) -> JsValue {
    n.map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64))
}

/// The scalars an error object holds: strings, line/column numbers, null.
fn scalar_js(value: &Value) -> JsValue {
    match value {
        Value::String(s) => JsValue::from_str(s),
        Value::Number(n) => n
            .as_u64()
            .map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64)),
        Value::Bool(b) => JsValue::from_bool(*b),
        _ => JsValue::NULL,
    }
}
