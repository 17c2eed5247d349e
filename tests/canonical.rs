//! The canonical text of one evaluation, the form in which Rust, Python and
//! JavaScript answers are compared byte for byte: compact JSON, keys sorted
//! at every depth, exact decimals as strings, integers as numbers, dates as
//! "YYYY-MM-DD"; a failed record as `{"error": {kind, code, record_id, field,
//! message, …}, "id": …}`, the error in its wire form (`kam::error`).
//!
//! `bindings-python/tests/test_cross_binding.py` and
//! `bindings-wasm/e2e/cross.test.js` write the same form from their results.

use serde::Serialize;
use serde_json::{Map, Value};

/// One evaluation's canonical line (no newline).
pub fn line<T: Serialize>(outcome: &Result<T, kam::Error>) -> String {
    let value = match outcome {
        Ok(result) => {
            let mut text = Vec::new();
            match kam::model::write_decimals_as_strings(&mut text, result) {
                Ok(()) => serde_json::from_slice(&text).unwrap_or(Value::Null),
                Err(e) => Value::String(format!("unserialisable result: {e}")),
            }
        }
        Err(err) => serde_json::json!({
            "id": err.record_id(),
            "error": err.to_json(),
        }),
    };
    sorted(value).to_string()
}

/// `value` with every object's keys in byte order.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sorted(v)))
                    .collect::<Map<_, _>>(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}
