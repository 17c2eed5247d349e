//! JS values ↔ the JSON the core reads and writes.
//!
//! Records go in as JSON text made by `JSON.stringify`, which the core reads
//! straight into its typed record: a JS number's text is
//! its shortest round-trip form (`2999999.99`), which the core reads as that
//! exact decimal; strings (`"2999999.99"`) pass through untouched. A
//! non-finite number (`NaN` from a failed parse, `Infinity`) is passed on as
//! its name, so the core rejects it naming the field instead of
//! `JSON.stringify` silently turning it into `null` (a missing value).
//!
//! Results come out as JSON text parsed by `JSON.parse`, with every exact
//! decimal written as a string, because a JS number would round it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::failure::Failure;

#[wasm_bindgen(inline_js = r#"
export function kamRecordJson(value) {
  return JSON.stringify(value, (_key, v) =>
    typeof v === "number" && !Number.isFinite(v) ? String(v) : v);
}
"#)]
extern "C" {
    /// `JSON.stringify` with non-finite numbers kept visible; `None` for
    /// `undefined` or a function. Throws for a BigInt or a cycle.
    #[wasm_bindgen(catch, js_name = kamRecordJson)]
    fn record_json(value: &JsValue) -> Result<Option<String>, JsValue>;
}

/// `{name: text}` → the core's file map.
pub(crate) fn sources(value: &JsValue) -> Result<BTreeMap<String, String>, Failure> {
    let not_object =
        || Failure::argument("sources must be an object of file name → source text".into());
    if !value.is_object() || js_sys::Array::is_array(value) {
        return Err(not_object());
    }
    let object: &js_sys::Object = value.dyn_ref().ok_or_else(not_object)?;
    let mut files = BTreeMap::new();
    for entry in js_sys::Object::entries(object).iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        let name = pair.get(0).as_string().unwrap_or_default();
        let Some(text) = pair.get(1).as_string() else {
            return Err(Failure::argument(format!(
                "sources[{name:?}] must be the file's text (a string)"
            )));
        };
        files.insert(name, text);
    }
    Ok(files)
}

/// The core's file map → `{name: text}`.
pub(crate) fn sources_to_js<'a>(files: impl Iterator<Item = (&'a str, &'a str)>) -> JsValue {
    let object = js_sys::Object::new();
    for (name, text) in files {
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(name), &JsValue::from_str(text));
    }
    object.into()
}

/// `asOf`: a "YYYY-MM-DD" string, or today's local date when absent. The
/// date comes from JS (`new Date()`): the core never reads a clock.
pub(crate) fn as_of(value: Option<JsValue>) -> Result<NaiveDate, Failure> {
    match value {
        Some(v) if !v.is_undefined() && !v.is_null() => {
            let text = v.as_string().unwrap_or_else(|| format!("{v:?}"));
            kam::model::parse_date(&text).ok_or_else(|| {
                Failure::argument(format!("asOf must be a date \"YYYY-MM-DD\", got {text}"))
            })
        }
        _ => {
            let now = js_sys::Date::new_0();
            NaiveDate::from_ymd_opt(
                now.get_full_year() as i32,
                now.get_month() + 1,
                now.get_date(),
            )
            .ok_or_else(|| Failure::argument("today's date is out of range".into()))
        }
    }
}

/// `limits` for `fromSources` → the core's [`kam::Limits`], read and checked
/// there; `undefined` or `null` keeps the defaults. A `NaN` arrives as text
/// and is refused by name, never read as "no limit".
pub(crate) fn limits(value: Option<JsValue>) -> Result<kam::Limits, Failure> {
    let json = match value {
        None => Value::Null,
        Some(v) => {
            let text = record_json(&v)
                .map_err(|e| Failure::argument(format!("limits cannot be read: {e:?}")))?;
            match text {
                None => Value::Null,
                Some(text) => serde_json::from_str(&text)
                    .map_err(|e| Failure::argument(format!("limits cannot be read: {e}")))?,
            }
        }
    };
    kam::Limits::from_json(&json).map_err(|e| Failure::argument(e.to_string()))
}

/// The core's limits → a plain JS object (every number a JS number).
pub(crate) fn limits_to_js(limits: &kam::Limits) -> Result<JsValue, Failure> {
    let text = serde_json::to_string(&limits.to_json()).map_err(serialise_failure)?;
    parse(text.into_bytes())
}

/// A JS record → the core's record, read straight from its JSON text by
/// `read` (`CustomerRecord::from_json_str`: no JSON value in between).
/// `undefined` becomes `null`, which the core rejects as "not a JSON
/// object" like any other non-object.
pub(crate) fn record<R>(
    value: &JsValue,
    read: fn(&str) -> Result<R, kam::RecordError>,
) -> Result<R, Failure> {
    let text = record_json(value).map_err(|e| {
        let why = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| format!("{e:?}"));
        Failure::record(record_id(value), format!("cannot be read as JSON: {why}"))
    })?;
    read(text.as_deref().unwrap_or("null")).map_err(|mut e| {
        // Text the core cannot parse (a lone surrogate) has no id of its own.
        if matches!(e.kind, kam::RecordErrorKind::Malformed(_)) && e.id.is_none() {
            e.id = record_id(value);
        }
        Failure::from(kam::Error::from(e))
    })
}

/// The record's `id`, when it is a string, to name a record that is not JSON.
fn record_id(value: &JsValue) -> Option<String> {
    js_sys::Reflect::get(value, &JsValue::from_str("id"))
        .ok()
        .and_then(|id| id.as_string())
}

/// A result → a plain JS object, decimals as strings.
pub(crate) fn to_js<T: Serialize>(result: &T) -> Result<JsValue, Failure> {
    let mut out = Vec::new();
    write_result(&mut out, result)?;
    parse(out)
}

/// Evaluates every record of a JS array with `evaluate`: one entry per
/// record, `{id, error}` for a record that fails (the error in its wire
/// form), parsed once at the end.
pub(crate) fn batch<R, T: Serialize>(
    records: &JsValue,
    read: fn(&str) -> Result<R, kam::RecordError>,
    evaluate: impl Fn(R) -> Result<T, Failure>,
) -> Result<JsValue, Failure> {
    let records: &js_sys::Array = records
        .dyn_ref()
        .filter(|_| js_sys::Array::is_array(records))
        .ok_or_else(|| Failure::argument("records must be an array".into()))?;
    // About 1 KB of JSON per result; capped so a huge batch does not reserve it all up front.
    let mut out = Vec::with_capacity(1024 * (records.length() as usize).min(4096));
    out.push(b'[');
    for (i, value) in records.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match record(&value, read).and_then(&evaluate) {
            Ok(result) => write_result(&mut out, &result)?,
            Err(failure) => {
                let wire = failure.wire();
                let id = wire.get("record_id").cloned().unwrap_or(Value::Null);
                let entry = serde_json::json!({ "id": id, "error": wire });
                serde_json::to_writer(&mut out, &entry).map_err(serialise_failure)?;
            }
        }
    }
    out.push(b']');
    parse(out)
}

fn write_result<T: Serialize>(out: &mut Vec<u8>, result: &T) -> Result<(), Failure> {
    kam::model::write_decimals_as_strings(out, result).map_err(serialise_failure)
}

fn parse(json: Vec<u8>) -> Result<JsValue, Failure> {
    let text = String::from_utf8(json).map_err(|e| serialise_failure(e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|e| serialise_failure(format!("{e:?}")))
}

fn serialise_failure(e: impl std::fmt::Display) -> Failure {
    Failure::argument(format!("result could not be converted to JS (a bug): {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<T: Serialize>(value: &T) -> String {
        let mut out = Vec::new();
        write_result(&mut out, value).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn decimals_become_strings_and_integers_stay_numbers() {
        #[derive(Serialize)]
        struct Shape {
            money: rust_decimal::Decimal,
            rate: Option<rust_decimal::Decimal>,
            days: i64,
            count: u32,
        }
        let shape = Shape {
            money: "2999999.99".parse().unwrap(),
            rate: Some("0.9583333333333333333333333333".parse().unwrap()),
            days: 60,
            count: 3,
        };
        assert_eq!(
            text(&shape),
            r#"{"money":"2999999.99","rate":"0.9583333333333333333333333333","days":60,"count":3}"#
        );
    }
}
