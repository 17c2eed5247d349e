//! kam's errors as JS: a thrown `Error` named `KamError` with `kind`,
//! `recordId`, `field`, `file`, `line`, `column` (and `diagnostics` for a
//! policy), or the plain `{kind, recordId, field, message, …}` object a batch
//! entry carries. The fields come from the core's `cases::error_json`, so
//! they are the ones the shared vectors, the CLI and every binding report.

use serde_json::{Map, Value};
use wasm_bindgen::JsValue;

/// Why a call failed, ready to become a JS error.
#[derive(Debug)]
pub(crate) struct Failure {
    /// The full text, with location: the thrown `Error`'s `message`.
    message: String,
    /// `{kind, field, message, file?, line?, column?, recordId}`, `message` short.
    info: Map<String, Value>,
    /// Every defect, for policy errors.
    diagnostics: Option<Vec<kam::PolicyError>>,
}

impl From<kam::Error> for Failure {
    fn from(err: kam::Error) -> Self {
        if let kam::Error::Policy(errors) = &err {
            return Failure::policy(errors);
        }
        let mut info = match kam::cases::error_json(&err) {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        info.insert("recordId".into(), err.record_id().into());
        Failure {
            message: err.to_string(),
            info,
            diagnostics: None,
        }
    }
}

impl Failure {
    /// A policy that does not compile (or lacks an entry point): located at
    /// its first defect, with all of them in `diagnostics`.
    pub(crate) fn policy(errors: &kam::PolicyErrors) -> Self {
        let first = errors.0.first();
        let mut info = Map::new();
        info.insert("kind".into(), "policy".into());
        info.insert("field".into(), Value::Null);
        info.insert(
            "message".into(),
            first.map(|e| e.message.clone()).unwrap_or_default().into(),
        );
        info.insert("file".into(), first.map(|e| e.file.clone()).into());
        info.insert("line".into(), first.and_then(|e| e.line).into());
        info.insert("column".into(), first.and_then(|e| e.column).into());
        info.insert("recordId".into(), Value::Null);
        Failure {
            message: errors.to_string(),
            info,
            diagnostics: Some(errors.0.clone()),
        }
    }

    /// A record the binding could not turn into JSON (a BigInt, a cycle…):
    /// a record error like the ones the core reports.
    pub(crate) fn record(record_id: Option<String>, message: String) -> Self {
        let mut info = Map::new();
        info.insert("kind".into(), "record".into());
        info.insert("field".into(), Value::Null);
        info.insert("message".into(), message.clone().into());
        info.insert("recordId".into(), record_id.clone().into());
        let at = record_id.map(|id| format!(" `{id}`")).unwrap_or_default();
        Failure {
            message: format!("record{at}: {message}"),
            info,
            diagnostics: None,
        }
    }

    /// A call made with arguments of the wrong shape (not a record problem).
    pub(crate) fn argument(message: String) -> Self {
        let mut info = Map::new();
        info.insert("kind".into(), "argument".into());
        info.insert("field".into(), Value::Null);
        info.insert("message".into(), message.clone().into());
        info.insert("recordId".into(), Value::Null);
        Failure {
            message,
            info,
            diagnostics: None,
        }
    }

    /// The `{kind, recordId, field, message, …}` object of a batch entry.
    pub(crate) fn info(&self) -> &Map<String, Value> {
        &self.info
    }

    /// The `KamError` to throw.
    pub(crate) fn into_js(self) -> JsValue {
        let error = js_sys::Error::new(&self.message);
        error.set_name("KamError");
        let set = |key: &str, value: JsValue| {
            // Setting a property on a fresh Error cannot fail; nothing to report if it did.
            let _ = js_sys::Reflect::set(&error, &JsValue::from_str(key), &value);
        };
        for key in ["kind", "recordId", "field", "file", "line", "column"] {
            set(key, scalar_js(self.info.get(key).unwrap_or(&Value::Null)));
        }
        set(
            "detail",
            scalar_js(self.info.get("message").unwrap_or(&Value::Null)),
        );
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
