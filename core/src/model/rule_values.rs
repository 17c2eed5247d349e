//! A record as the values rules receive, derived from its declaration: each
//! field type knows its rule value ([`ToRule`]), and `record!` emits the
//! field list. Both engines' value types are a [`Build`] sink (`eval/record.rs`),
//! so there is one conversion and no serde round trip per record.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::fields::parse_decimal;
use super::period::Period;
use crate::error::{RecordError, RecordErrorKind};

/// A rule value under construction: what a record's fields become.
pub trait Build: Sized {
    /// `()`: a missing value.
    fn unit() -> Self;
    /// `true` / `false`.
    fn bool(b: bool) -> Self;
    /// A whole number.
    fn int(i: i64) -> Self;
    /// An exact decimal.
    fn decimal(d: Decimal) -> Self;
    /// Text.
    fn text(s: &str) -> Self;
    /// A calendar date.
    fn date(d: NaiveDate) -> Self;
    /// An array.
    fn array(items: Vec<Self>) -> Self;
    /// A map (a nested record or free-form attributes).
    fn map(entries: Vec<(&str, Self)>) -> Self;
}

/// A field type's rule value. `Err` only for free-form attributes holding a
/// number no exact decimal can carry; the error's field is relative to the
/// value (the declaration adds the field names on the way out).
pub trait ToRule {
    /// The rule value of `self`.
    fn to_rule<B: Build>(&self) -> Result<B, RecordError>;
}

/// A declared record's fields as rule values, in declaration order.
pub trait RuleFields {
    /// `(wire name, rule value)` per field.
    fn rule_fields<B: Build>(&self) -> Result<Vec<(&'static str, B)>, RecordError>;
}

/// `e` placed under `segment` (a field name, or `[i]`): `incidents[2].date`.
pub(crate) fn under(mut e: RecordError, segment: &str) -> RecordError {
    e.field = Some(match e.field.take() {
        None => segment.to_string(),
        Some(f) if f.starts_with('[') => format!("{segment}{f}"),
        Some(f) => format!("{segment}.{f}"),
    });
    e
}

impl ToRule for String {
    fn to_rule<B: Build>(&self) -> Result<B, RecordError> {
        Ok(B::text(self))
    }
}

impl ToRule for Decimal {
    fn to_rule<B: Build>(&self) -> Result<B, RecordError> {
        Ok(B::decimal(*self))
    }
}

impl ToRule for u32 {
    fn to_rule<B: Build>(&self) -> Result<B, RecordError> {
        Ok(B::int(i64::from(*self)))
    }
}

impl ToRule for i64 {
    fn to_rule<B: Build>(&self) -> Result<B, RecordError> {
        Ok(B::int(*self))
    }
}

impl ToRule for bool {
    fn to_rule<B: Build>(&self) -> Result<B, RecordError> {
        Ok(B::bool(*self))
    }
}

impl ToRule for NaiveDate {
    fn to_rule<B: Build>(&self) -> Result<B, RecordError> {
        Ok(B::date(*self))
    }
}

impl ToRule for Period {
    fn to_rule<B: Build>(&self) -> Result<B, RecordError> {
        Ok(B::text(&self.to_string()))
    }
}

impl<T: ToRule> ToRule for Option<T> {
    fn to_rule<B: Build>(&self) -> Result<B, RecordError> {
        match self {
            Some(v) => v.to_rule(),
            None => Ok(B::unit()),
        }
    }
}

impl<T: ToRule> ToRule for Vec<T> {
    fn to_rule<B: Build>(&self) -> Result<B, RecordError> {
        self.iter()
            .enumerate()
            .map(|(i, x)| x.to_rule().map_err(|e| under(e, &format!("[{i}]"))))
            .collect::<Result<Vec<_>, _>>()
            .map(B::array)
    }
}

/// Free-form attributes: integers become whole numbers, other numbers exact
/// decimals.
impl ToRule for Map<String, Value> {
    fn to_rule<B: Build>(&self) -> Result<B, RecordError> {
        self.iter()
            .map(|(k, v)| Ok((k.as_str(), json(v).map_err(|e| under(e, k))?)))
            .collect::<Result<Vec<_>, RecordError>>()
            .map(B::map)
    }
}

fn json<B: Build>(v: &Value) -> Result<B, RecordError> {
    Ok(match v {
        Value::Null => B::unit(),
        Value::Bool(b) => B::bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => B::int(i),
            None => B::decimal(parse_decimal(&n.to_string()).ok_or_else(|| {
                RecordError::from(RecordErrorKind::Invalid {
                    expected: "a number with at most 28 significant digits".into(),
                    found: n.to_string(),
                })
            })?),
        },
        Value::String(s) => B::text(s),
        Value::Array(items) => B::array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| json(x).map_err(|e| under(e, &format!("[{i}]"))))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Value::Object(m) => m.to_rule()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CustomerRecord;

    #[test]
    fn a_record_becomes_its_rule_values_and_a_bad_attribute_is_named() {
        let mut r =
            CustomerRecord::from_json(&serde_json::json!({"id": "C-1", "annual_revenue": "1.50"}))
                .unwrap();
        let fields = r.rule_fields::<rhai::Dynamic>().unwrap();
        let revenue = fields.iter().find(|(k, _)| *k == "annual_revenue").unwrap();
        assert_eq!(revenue.1.as_decimal().unwrap().to_string(), "1.50");
        let tier = fields.iter().find(|(k, _)| *k == "tier").unwrap();
        assert!(tier.1.is_unit());
        // A Rust caller can put a number no decimal holds into attributes.
        let attributes: Value =
            serde_json::from_str(r#"{"x": [1, 123456789012345678901234567890123]}"#).unwrap();
        r.attributes = attributes.as_object().unwrap().clone();
        let err = r.rule_fields::<rhai::Dynamic>().unwrap_err();
        assert_eq!(err.field.as_deref(), Some("attributes.x[1]"));
        assert_eq!(err.kind.code(), "invalid");
    }
}
