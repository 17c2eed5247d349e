//! Both engines' values as results are read ([`RuleValue`]): rhai's
//! `Dynamic` (the interpreter) and the compiler's typed value. The reading
//! itself, one walk per declared result, is `model/returned.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rhai::{Dynamic, Map};
use rust_decimal::Decimal;

use crate::compile::value::{self as compiled, Value as Compiled};
use crate::model::returned::as_number;
pub(crate) use crate::model::returned::{RuleMap, RuleValue, ShapeError, Shaped};

impl RuleValue for Dynamic {
    type Map = Map;
    fn unit() -> Self {
        Dynamic::UNIT
    }
    fn settled(self) -> Self {
        self.flatten()
    }
    fn is_unit(&self) -> bool {
        Dynamic::is_unit(self)
    }
    fn to_bool(&self) -> Option<bool> {
        self.as_bool().ok()
    }
    fn to_int(&self) -> Option<i64> {
        self.as_int().ok()
    }
    fn to_decimal(&self) -> Option<Decimal> {
        self.as_decimal().ok()
    }
    fn to_date(&self) -> Option<NaiveDate> {
        self.read_lock::<NaiveDate>().map(|d| *d)
    }
    fn is_string(&self) -> bool {
        Dynamic::is_string(self)
    }
    fn into_string(self) -> Option<String> {
        self.try_cast::<rhai::ImmutableString>()
            .map(|s| s.to_string())
    }
    fn is_array(&self) -> bool {
        Dynamic::is_array(self)
    }
    fn into_array(self) -> Option<Vec<Self>> {
        self.try_cast::<rhai::Array>()
            .map(|a| a.into_iter().map(Dynamic::flatten).collect())
    }
    fn is_map(&self) -> bool {
        Dynamic::is_map(self)
    }
    fn into_map(self) -> Option<Map> {
        self.try_cast::<Map>()
    }
    fn found(&self) -> String {
        let kind = if self.is::<crate::policy::sandbox::FrozenMap>() {
            "read-only map (the record or the parameters)"
        } else if self.is::<NaiveDate>() {
            "date"
        } else {
            self.type_name()
        };
        format!("{kind} {self}")
    }
}

impl RuleMap<Dynamic> for Map {
    fn len(&self) -> usize {
        BTreeMap::len(self)
    }
    fn keys(&self) -> impl Iterator<Item = &str> {
        BTreeMap::keys(self).map(|k| k.as_str())
    }
    fn contains(&self, key: &str) -> bool {
        self.contains_key(key)
    }
    fn remove(&mut self, key: &str) -> Option<Dynamic> {
        BTreeMap::remove(self, key).map(Dynamic::flatten)
    }
    fn entries(self) -> impl Iterator<Item = (String, Dynamic)> {
        self.into_iter().map(|(k, v)| (k.to_string(), v.flatten()))
    }
}

/// Takes a shared container out of its `Arc`, copying only when shared.
fn owned<T: Clone>(a: Arc<T>) -> T {
    Arc::try_unwrap(a).unwrap_or_else(|a| (*a).clone())
}

impl RuleValue for Compiled {
    type Map = compiled::Map;
    fn unit() -> Self {
        Compiled::Unit
    }
    fn is_unit(&self) -> bool {
        matches!(self, Compiled::Unit)
    }
    fn to_bool(&self) -> Option<bool> {
        match self {
            Compiled::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn to_int(&self) -> Option<i64> {
        match self {
            Compiled::Int(i) => Some(*i),
            _ => None,
        }
    }
    fn to_decimal(&self) -> Option<Decimal> {
        match self {
            Compiled::Dec(d) => Some(*d),
            _ => None,
        }
    }
    fn to_date(&self) -> Option<NaiveDate> {
        match self {
            Compiled::Date(d) => Some(*d),
            _ => None,
        }
    }
    fn is_string(&self) -> bool {
        matches!(self, Compiled::Text(_))
    }
    fn into_string(self) -> Option<String> {
        match self {
            Compiled::Text(s) => Some(s.to_string()),
            _ => None,
        }
    }
    fn is_array(&self) -> bool {
        matches!(self, Compiled::Array(_))
    }
    fn into_array(self) -> Option<Vec<Self>> {
        match self {
            Compiled::Array(a) => Some(owned(a).into_inner()),
            _ => None,
        }
    }
    fn is_map(&self) -> bool {
        matches!(self, Compiled::Map(_))
    }
    fn into_map(self) -> Option<compiled::Map> {
        match self {
            Compiled::Map(m) => Some(owned(m).into_inner()),
            _ => None,
        }
    }
    /// As the interpreter's value would read (errors only).
    fn found(&self) -> String {
        compiled::to_dynamic(self).found()
    }
}

impl RuleMap<Compiled> for compiled::Map {
    fn len(&self) -> usize {
        compiled::Map::len(self)
    }
    fn keys(&self) -> impl Iterator<Item = &str> {
        compiled::Map::keys(self).map(|k| &**k)
    }
    fn contains(&self, key: &str) -> bool {
        self.contains_key(key)
    }
    fn remove(&mut self, key: &str) -> Option<Compiled> {
        compiled::Map::take(self, key)
    }
    fn entries(self) -> impl Iterator<Item = (String, Compiled)> {
        self.into_iter().map(|(k, v)| (k.to_string(), v))
    }
}

/// A bare returned number >= 0 (a function that returns a score rather
/// than a map), reported as `key`.
pub(crate) fn score(value: Dynamic, key: &str) -> Shaped<Decimal> {
    match as_number(&key, &value.flatten()) {
        Ok(d) if d.is_sign_negative() && !d.is_zero() => Err(ShapeError {
            field: key.into(),
            expected: "a number >= 0".into(),
            found: d.to_string(),
        }),
        other => other,
    }
}
