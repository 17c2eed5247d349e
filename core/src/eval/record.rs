//! Records as the maps rules see: exact decimals, `date`s, `()` for missing.
//!
//! Built from the declaration ([`RuleFields`], emitted by `record!`) rather
//! than through `rhai::serde`, which would turn decimals into strings. Both
//! engines' values are a [`Build`] sink: rhai's `Dynamic` for the
//! interpreter, the compiler's typed value (with fields in slots) for
//! compiled code, so neither converts the other's.

use std::sync::Arc;

use chrono::NaiveDate;
use rhai::{Array, Dynamic, Map};
use rust_decimal::Decimal;

use crate::compile::value::{self as compiled, KnownKeys, Value as Compiled};
use crate::error::RecordError;
use crate::model::rule_values::{Build, RuleFields};
use crate::policy::sandbox::FrozenMap;

impl Build for Dynamic {
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

impl Build for Compiled {
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
        Compiled::array(items)
    }
    fn map(entries: Vec<(&str, Self)>) -> Self {
        Compiled::map(
            entries
                .into_iter()
                .map(|(k, v)| (Arc::<str>::from(k), v))
                .collect::<compiled::Map>(),
        )
    }
}

/// A declared record as the read-only map a rule receives (`c`, `s`): every
/// field present, defaults filled, shared cheaply between calls. Decimals
/// stay exact, dates are `date`s, counts integers, missing optional values `()`.
pub(crate) fn frozen<T: RuleFields>(record: &T, id: &str) -> Result<Dynamic, RecordError> {
    let entries = top::<T, Dynamic>(record, id)?;
    let map: Map = entries.into_iter().map(|(k, v)| (k.into(), v)).collect();
    Ok(Dynamic::from(FrozenMap(Arc::new(map))))
}

/// [`frozen`] as compiled code's read-only record, its fields in the slots
/// of the key list the compiler knows for `T`.
pub(crate) fn frozen_compiled<T: RuleFields>(
    record: &T,
    id: &str,
    known: &KnownKeys,
) -> Result<Compiled, RecordError> {
    let entries = top::<T, Compiled>(record, id)?;
    Ok(compiled::frozen_declared(entries, known))
}

/// The record's fields, in declaration order, as rule values; an error
/// (only free-form attributes can have one) names the record.
fn top<T: RuleFields, V: Build>(
    record: &T,
    id: &str,
) -> Result<Vec<(&'static str, V)>, RecordError> {
    record.rule_fields().map_err(|mut e| {
        e.id = Some(id.to_string());
        e
    })
}
