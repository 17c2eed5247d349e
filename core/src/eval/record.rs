//! Records as the maps rules see: exact decimals, `date`s, `()` for missing.
//!
//! Built by hand rather than through `rhai::serde`, which would turn decimals
//! into strings (TRAPS 1).

use chrono::NaiveDate;
use rhai::{Array, Dynamic, Map, INT};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::error::{RecordError, RecordErrorKind};
use crate::model::fields::parse_decimal;

/// Collects a record's fields into a rhai map.
pub(crate) struct RecordMap(Map);

impl RecordMap {
    pub(crate) fn new() -> Self {
        RecordMap(Map::new())
    }

    pub(crate) fn set(&mut self, key: &str, value: Dynamic) -> &mut Self {
        self.0.insert(key.into(), value);
        self
    }

    pub(crate) fn text(&mut self, key: &str, value: &str) -> &mut Self {
        self.set(key, Dynamic::from(value.to_string()))
    }

    pub(crate) fn money(&mut self, key: &str, value: Decimal) -> &mut Self {
        self.set(key, Dynamic::from_decimal(value))
    }

    pub(crate) fn count(&mut self, key: &str, value: u32) -> &mut Self {
        self.set(key, Dynamic::from_int(INT::from(value)))
    }

    pub(crate) fn flag(&mut self, key: &str, value: bool) -> &mut Self {
        self.set(key, Dynamic::from_bool(value))
    }

    pub(crate) fn opt<T>(
        &mut self,
        key: &str,
        value: Option<T>,
        f: impl FnOnce(T) -> Dynamic,
    ) -> &mut Self {
        self.set(key, value.map_or(Dynamic::UNIT, f))
    }

    /// A plain rhai map (for nested values such as incidents).
    pub(crate) fn into_dynamic(self) -> Dynamic {
        Dynamic::from_map(self.0)
    }

    /// The read-only, cheaply shared form a rule receives as `c`.
    pub(crate) fn into_frozen(self) -> Dynamic {
        Dynamic::from(crate::policy::sandbox::FrozenMap(std::sync::Arc::new(
            self.0,
        )))
    }
}

pub(crate) fn date(d: NaiveDate) -> Dynamic {
    Dynamic::from(d)
}

pub(crate) fn text(s: impl Into<String>) -> Dynamic {
    Dynamic::from(s.into())
}

/// A record's free-form `attributes` as a rhai map; errors name the record.
pub(crate) fn attributes(
    id: &str,
    attrs: &serde_json::Map<String, Value>,
) -> Result<Dynamic, RecordError> {
    let map = attrs
        .iter()
        .map(|(k, x)| {
            Ok::<_, RecordError>((k.as_str().into(), json(&format!("attributes.{k}"), x)?))
        })
        .collect::<Result<Map, _>>()
        .map_err(|mut e| {
            e.id = Some(id.to_string());
            e
        })?;
    Ok(Dynamic::from_map(map))
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
