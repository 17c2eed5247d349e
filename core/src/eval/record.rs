//! Records as the maps rules see: exact decimals, `date`s, `()` for missing.
//!
//! Built by hand rather than through `rhai::serde`, which would turn decimals
//! into strings (TRAPS 1).

use rhai::{Array, Dynamic, Map};
use serde::Serialize;
use serde_json::Value;

use crate::error::{RecordError, RecordErrorKind};
use crate::model::fields::{join, parse_decimal};
use crate::model::{parse_date, Declared, Shape, Ty};
use crate::policy::sandbox::FrozenMap;

/// A declared record as the read-only map a rule receives (`c`, `s`): every
/// field present, defaults filled, shared cheaply between calls.
///
/// The record's serde form is walked with its [`Shape`], so each field becomes
/// the value its type calls for: decimals stay exact, dates become `date`s,
/// counts integers, missing optional values `()`.
pub(crate) fn frozen<T: Declared + Serialize>(
    record: &T,
    id: &str,
) -> Result<Dynamic, RecordError> {
    let value = serde_json::to_value(record).map_err(|e| {
        RecordError::from(RecordErrorKind::Malformed(format!(
            "cannot pass the record to the rules: {e}"
        )))
    })?;
    let map = fields(T::shape(), &value, "").map_err(|mut e| {
        e.id = Some(id.to_string());
        e
    })?;
    Ok(Dynamic::from(FrozenMap(std::sync::Arc::new(map))))
}

/// The fields of `value` (an object of `shape`) as a rhai map.
fn fields(shape: &Shape, value: &Value, path: &str) -> Result<Map, RecordError> {
    let mut map = Map::new();
    for f in &shape.fields {
        let v = value.get(f.name).unwrap_or(&Value::Null);
        map.insert(f.name.into(), typed(&f.ty, v, &join(path, f.name))?);
    }
    Ok(map)
}

/// One serialized field as the rhai value of its type.
fn typed(ty: &Ty, v: &Value, path: &str) -> Result<Dynamic, RecordError> {
    Ok(match (ty, v) {
        (Ty::Json, v) => json(path, v)?,
        (_, Value::Null) => Dynamic::UNIT,
        (Ty::Optional(inner), v) => typed(inner, v, path)?,
        (Ty::Text | Ty::Choice(_) | Ty::Month, Value::String(s)) => Dynamic::from(s.clone()),
        (Ty::Bool, Value::Bool(b)) => Dynamic::from_bool(*b),
        (Ty::Int, Value::Number(n)) if n.as_i64().is_some() => {
            Dynamic::from_int(n.as_i64().unwrap_or_default())
        }
        (Ty::Decimal, Value::Number(n)) => match parse_decimal(&n.to_string()) {
            Some(d) => Dynamic::from_decimal(d),
            None => return Err(unconvertible(path, v)),
        },
        (Ty::Date, Value::String(s)) => match parse_date(s) {
            Some(d) => Dynamic::from(d),
            None => return Err(unconvertible(path, v)),
        },
        (Ty::List(item), Value::Array(items)) => Dynamic::from_array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| typed(item, x, &format!("{path}[{i}]")))
                .collect::<Result<Array, _>>()?,
        ),
        (Ty::Record(shape), v @ Value::Object(_)) => Dynamic::from_map(fields(shape, v, path)?),
        (Ty::Map(item), Value::Object(m)) => Dynamic::from_map(
            m.iter()
                .map(|(k, x)| Ok((k.as_str().into(), typed(item, x, &join(path, k))?)))
                .collect::<Result<Map, RecordError>>()?,
        ),
        _ => return Err(unconvertible(path, v)),
    })
}

/// A serialized value that does not have its declared type: a declaration
/// whose Rust type and shape disagree, reported rather than unwrapped.
fn unconvertible(path: &str, v: &Value) -> RecordError {
    RecordError::field(
        path,
        RecordErrorKind::Invalid {
            expected: "a value of the field's declared type".into(),
            found: crate::model::fields::show(v),
        },
    )
}

/// Free-form attributes: integers become INT, other numbers exact decimals.
pub(crate) fn json(path: &str, v: &Value) -> Result<Dynamic, RecordError> {
    Ok(match v {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Dynamic::from_int(i),
            None => Dynamic::from_decimal(parse_decimal(&n.to_string()).ok_or_else(|| {
                RecordError::field(
                    path,
                    RecordErrorKind::Invalid {
                        expected: "a number with at most 28 significant digits".into(),
                        found: n.to_string(),
                    },
                )
            })?),
        },
        Value::String(s) => Dynamic::from(s.clone()),
        Value::Array(items) => Dynamic::from_array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| json(&format!("{path}[{i}]"), x))
                .collect::<Result<Array, _>>()?,
        ),
        Value::Object(m) => Dynamic::from_map(
            m.iter()
                .map(|(k, x)| {
                    Ok::<_, RecordError>((k.as_str().into(), json(&format!("{path}.{k}"), x)?))
                })
                .collect::<Result<Map, _>>()?,
        ),
    })
}
