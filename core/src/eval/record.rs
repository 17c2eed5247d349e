//! Records as the maps rules see: exact decimals, `date`s, `()` for missing.
//!
//! Built by hand rather than through `rhai::serde`, which would turn decimals
//! into strings (TRAPS 1). One walk over the record's shape builds either
//! engine's values through [`RuleBuild`]: rhai's `Dynamic` for the
//! interpreter, the compiler's typed value (with fields in slots) for
//! compiled code, so neither converts the other's.

use std::sync::Arc;

use chrono::NaiveDate;
use rhai::{Array, Dynamic, Map};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value;

use crate::compile::value::{self as compiled, KnownKeys, Value as Compiled};
use crate::error::{RecordError, RecordErrorKind};
use crate::model::fields::{join, parse_decimal};
use crate::model::{parse_date, Declared, Shape, Ty};
use crate::policy::sandbox::FrozenMap;

/// A value a rule receives, built from a record's fields.
pub(crate) trait RuleBuild: Sized {
    fn unit() -> Self;
    fn bool(b: bool) -> Self;
    fn int(i: i64) -> Self;
    fn decimal(d: Decimal) -> Self;
    fn text(s: &str) -> Self;
    fn date(d: NaiveDate) -> Self;
    fn array(items: Vec<Self>) -> Self;
    fn map(entries: Vec<(&str, Self)>) -> Self;
}

impl RuleBuild for Dynamic {
    fn unit() -> Self {
        Dynamic::UNIT
    }
    fn bool(b: bool) -> Self {
        Dynamic::from_bool(b)
    }
    fn int(i: i64) -> Self {
        Dynamic::from_int(i)
    }
    fn decimal(d: Decimal) -> Self {
        Dynamic::from_decimal(d)
    }
    fn text(s: &str) -> Self {
        Dynamic::from(s.to_string())
    }
    fn date(d: NaiveDate) -> Self {
        Dynamic::from(d)
    }
    fn array(items: Vec<Self>) -> Self {
        Dynamic::from_array(items.into_iter().collect::<Array>())
    }
    fn map(entries: Vec<(&str, Self)>) -> Self {
        Dynamic::from_map(
            entries
                .into_iter()
                .map(|(k, v)| (k.into(), v))
                .collect::<Map>(),
        )
    }
}

impl RuleBuild for Compiled {
    fn unit() -> Self {
        Compiled::Unit
    }
    fn bool(b: bool) -> Self {
        Compiled::Bool(b)
    }
    fn int(i: i64) -> Self {
        Compiled::Int(i)
    }
    fn decimal(d: Decimal) -> Self {
        Compiled::Dec(d)
    }
    fn text(s: &str) -> Self {
        Compiled::text(s)
    }
    fn date(d: NaiveDate) -> Self {
        Compiled::Date(d)
    }
    fn array(items: Vec<Self>) -> Self {
        Compiled::Array(Arc::new(items))
    }
    fn map(entries: Vec<(&str, Self)>) -> Self {
        Compiled::Map(Arc::new(
            entries
                .into_iter()
                .map(|(k, v)| (Arc::<str>::from(k), v))
                .collect::<compiled::Map>(),
        ))
    }
}

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
    let entries = top::<T, Dynamic>(record, id)?;
    let map: Map = entries.into_iter().map(|(k, v)| (k.into(), v)).collect();
    Ok(Dynamic::from(FrozenMap(Arc::new(map))))
}

/// [`frozen`] as compiled code's read-only record, its fields in the slots
/// of the key list the compiler knows for `T`.
pub(crate) fn frozen_compiled<T: Declared + Serialize>(
    record: &T,
    id: &str,
    known: &KnownKeys,
) -> Result<Compiled, RecordError> {
    let mut entries = top::<T, Compiled>(record, id)?;
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    Ok(compiled::frozen(entries, known))
}

/// The record's fields, in declaration order, as rule values.
fn top<T: Declared + Serialize, V: RuleBuild>(
    record: &T,
    id: &str,
) -> Result<Vec<(&'static str, V)>, RecordError> {
    let value = serde_json::to_value(record).map_err(|e| {
        RecordError::from(RecordErrorKind::Malformed(format!(
            "cannot pass the record to the rules: {e}"
        )))
    })?;
    fields(T::shape(), &value, "").map_err(|mut e| {
        e.id = Some(id.to_string());
        e
    })
}

/// The fields of `value` (an object of `shape`), in the shape's order.
fn fields<V: RuleBuild>(
    shape: &Shape,
    value: &Value,
    path: &str,
) -> Result<Vec<(&'static str, V)>, RecordError> {
    shape
        .fields
        .iter()
        .map(|f| {
            let v = value.get(f.name).unwrap_or(&Value::Null);
            Ok((f.name, typed(&f.ty, v, &join(path, f.name))?))
        })
        .collect()
}

/// One serialized field as the rule value of its type.
fn typed<V: RuleBuild>(ty: &Ty, v: &Value, path: &str) -> Result<V, RecordError> {
    Ok(match (ty, v) {
        (Ty::Json, v) => json(path, v)?,
        (_, Value::Null) => V::unit(),
        (Ty::Optional(inner), v) => typed(inner, v, path)?,
        (Ty::Text | Ty::Choice(_) | Ty::Month, Value::String(s)) => V::text(s),
        (Ty::Bool, Value::Bool(b)) => V::bool(*b),
        (Ty::Int, Value::Number(n)) if n.as_i64().is_some() => {
            V::int(n.as_i64().unwrap_or_default())
        }
        (Ty::Decimal, Value::Number(n)) => match parse_decimal(&n.to_string()) {
            Some(d) => V::decimal(d),
            None => return Err(unconvertible(path, v)),
        },
        (Ty::Date, Value::String(s)) => match parse_date(s) {
            Some(d) => V::date(d),
            None => return Err(unconvertible(path, v)),
        },
        (Ty::List(item), Value::Array(items)) => V::array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| typed(item, x, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        (Ty::Record(shape), v @ Value::Object(_)) => V::map(fields(shape, v, path)?),
        (Ty::Map(item), Value::Object(m)) => V::map(
            m.iter()
                .map(|(k, x)| Ok((k.as_str(), typed(item, x, &join(path, k))?)))
                .collect::<Result<Vec<_>, RecordError>>()?,
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
pub(crate) fn json<V: RuleBuild>(path: &str, v: &Value) -> Result<V, RecordError> {
    Ok(match v {
        Value::Null => V::unit(),
        Value::Bool(b) => V::bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => V::int(i),
            None => V::decimal(parse_decimal(&n.to_string()).ok_or_else(|| {
                RecordError::field(
                    path,
                    RecordErrorKind::Invalid {
                        expected: "a number with at most 28 significant digits".into(),
                        found: n.to_string(),
                    },
                )
            })?),
        },
        Value::String(s) => V::text(s),
        Value::Array(items) => V::array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| json(&format!("{path}[{i}]"), x))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Value::Object(m) => V::map(
            m.iter()
                .map(|(k, x)| Ok::<_, RecordError>((k.as_str(), json(&format!("{path}.{k}"), x)?)))
                .collect::<Result<Vec<_>, _>>()?,
        ),
    })
}
