//! Checking what a rule returned against the result contract.
//!
//! A script can return anything; this turns a missing key, an unknown key or a
//! wrong type into a [`ShapeError`] naming the result field, never a panic or a
//! silently wrong result. The one walk reads either engine's values through
//! [`RuleValue`]: rhai's `Dynamic` (the interpreter) and the compiler's
//! typed value, so no shape rule is written twice.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::sync::Arc;

use chrono::NaiveDate;
use rhai::{Dynamic, Map};
use rust_decimal::Decimal;

use serde_json::{Map as JsonMap, Value};

use crate::compile::value::{self as compiled, Value as Compiled};
use crate::model::fields::join;
use crate::model::{Shape, Ty};

/// A value a rule returned, as the result checks read it. Taking a value
/// apart (`into_*`) consumes it, so nothing is copied that is not kept.
pub(crate) trait RuleValue: Sized {
    /// The map type of this engine's values.
    type Map: RuleMap<Self>;
    fn unit() -> Self;
    /// The value itself, not a shared reference to it (rhai's closures
    /// capture by sharing); compiled values are never shared.
    fn settled(self) -> Self {
        self
    }
    fn is_unit(&self) -> bool;
    fn to_bool(&self) -> Option<bool>;
    fn to_int(&self) -> Option<i64>;
    fn to_decimal(&self) -> Option<Decimal>;
    fn to_date(&self) -> Option<NaiveDate>;
    fn is_string(&self) -> bool;
    fn into_string(self) -> Option<String>;
    fn is_array(&self) -> bool;
    fn into_array(self) -> Option<Vec<Self>>;
    fn is_map(&self) -> bool;
    fn into_map(self) -> Option<Self::Map>;
    /// The value's type and text as a policy author reads them (for errors).
    fn found(&self) -> String;
}

/// The map of a [`RuleValue`].
pub(crate) trait RuleMap<V> {
    fn keys(&self) -> impl Iterator<Item = &str>;
    fn contains(&self, key: &str) -> bool;
    fn remove(&mut self, key: &str) -> Option<V>;
    fn entries(self) -> impl Iterator<Item = (String, V)>;
}

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
            Compiled::Array(a) => Some(owned(a)),
            _ => None,
        }
    }
    fn is_map(&self) -> bool {
        matches!(self, Compiled::Map(_))
    }
    fn into_map(self) -> Option<compiled::Map> {
        match self {
            Compiled::Map(m) => Some(owned(m)),
            _ => None,
        }
    }
    /// As the interpreter's value would read (errors only).
    fn found(&self) -> String {
        compiled::to_dynamic(self).found()
    }
}

impl RuleMap<Compiled> for compiled::Map {
    fn keys(&self) -> impl Iterator<Item = &str> {
        BTreeMap::keys(self).map(|k| &**k)
    }
    fn contains(&self, key: &str) -> bool {
        self.contains_key(key)
    }
    fn remove(&mut self, key: &str) -> Option<Compiled> {
        BTreeMap::remove(self, key)
    }
    fn entries(self) -> impl Iterator<Item = (String, Compiled)> {
        self.into_iter().map(|(k, v)| (k.to_string(), v))
    }
}

/// A result field that does not fit the contract.
#[derive(Debug)]
pub(crate) struct ShapeError {
    pub field: String,
    pub expected: String,
    pub found: String,
}

pub(crate) type Shaped<T> = Result<T, ShapeError>;

fn mismatch<V: RuleValue>(field: &dyn Display, expected: &str, v: &V) -> ShapeError {
    let mut found = v.found();
    if let Some((cut, _)) = found.char_indices().nth(60) {
        found.truncate(cut);
        found.push('…');
    }
    ShapeError {
        field: field.to_string(),
        expected: expected.to_string(),
        found,
    }
}

/// A value that passed its type check but could not be taken out (cannot happen
/// for flattened values; reported rather than unwrapped all the same).
fn lost(field: &dyn Display) -> ShapeError {
    ShapeError {
        field: field.to_string(),
        expected: "a plain value".into(),
        found: "a value that could not be read".into(),
    }
}

/// A result field's location, turned into a dotted path only for errors.
#[derive(Clone, Copy)]
pub(crate) struct Field<'p, 'k> {
    parent: &'p dyn Display,
    key: &'k str,
}

impl std::fmt::Display for Field<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parent = self.parent.to_string();
        if parent.is_empty() {
            f.write_str(self.key)
        } else {
            write!(f, "{parent}.{}", self.key)
        }
    }
}

/// The `i`th item of a list field, for errors: `reasons[2]`.
struct ListItem<'a>(&'a dyn Display, usize);

impl Display for ListItem<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}]", self.0, self.1)
    }
}

/// The entry `key` of a map field (a KPI of `kpis`), for errors: `kpis.churn_rate`.
struct MapEntry<'a>(&'a dyn Display, &'a str);

impl Display for MapEntry<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0, self.1)
    }
}

/// The fields of `shape` that the policy returns, read out of `value` and
/// checked against their declared types, as the JSON the result deserializes
/// from. Every type check of a result is this one walk over its shape.
pub(crate) fn returned<V: RuleValue>(
    shape: &Shape,
    value: V,
    path: &dyn Display,
) -> Shaped<JsonMap<String, Value>> {
    let mut m = Returned::open(value, path, &shape.rule_keys)?;
    let mut out = JsonMap::new();
    for f in shape.rule_fields() {
        let (field, v) = m.take(f.name);
        let json = typed(&f.ty, &field, v)?;
        out.insert(f.name.to_string(), json);
    }
    Ok(out)
}

/// One returned value, checked against `ty`, as JSON.
fn typed<V: RuleValue>(ty: &Ty, field: &dyn Display, v: V) -> Shaped<Value> {
    Ok(match ty {
        Ty::Optional(_) | Ty::Json if v.is_unit() => Value::Null,
        Ty::Optional(inner) => typed(inner, field, v)?,
        Ty::Text => Value::String(as_string(field, v)?),
        Ty::Choice(names) => {
            let text = as_string(field, v)?;
            if !names.contains(&text.as_str()) {
                return Err(ShapeError {
                    field: field.to_string(),
                    expected: format!("one of {}", names.join(", ")),
                    found: format!("{text:?}"),
                });
            }
            Value::String(text)
        }
        Ty::Month => {
            let text = as_string(field, v)?;
            match text.parse::<crate::model::Period>() {
                Ok(_) => Value::String(text),
                Err(()) => {
                    return Err(ShapeError {
                        field: field.to_string(),
                        expected: "a month \"YYYY-MM\"".into(),
                        found: format!("{text:?}"),
                    })
                }
            }
        }
        Ty::Decimal => decimal_json(as_number(field, &v)?),
        Ty::Int => Value::from(
            v.to_int()
                .ok_or_else(|| mismatch(field, "a whole number", &v))?,
        ),
        Ty::Bool => Value::Bool(
            v.to_bool()
                .ok_or_else(|| mismatch(field, "true or false", &v))?,
        ),
        Ty::Date => Value::String(as_date(field, v)?.format("%Y-%m-%d").to_string()),
        Ty::List(item) => Value::Array(
            as_array(field, v)?
                .into_iter()
                .enumerate()
                .map(|(i, x)| typed(item, &ListItem(field, i), x))
                .collect::<Shaped<_>>()?,
        ),
        Ty::Record(shape) => Value::Object(returned(shape, v, field)?),
        Ty::Map(item) => {
            if !v.is_map() {
                let expected = match **item {
                    Ty::Optional(_) => "a map of numbers or ()",
                    _ => "a map",
                };
                return Err(mismatch(field, expected, &v));
            }
            let map = v.into_map().ok_or_else(|| lost(field))?;
            Value::Object(
                map.entries()
                    .map(|(k, x)| Ok((k.clone(), typed(item, &MapEntry(field, &k), x)?)))
                    .collect::<Shaped<_>>()?,
            )
        }
        Ty::Json => return Err(mismatch(field, "a value kam can pass on", &v)),
        Ty::Fact => fact(field, v)?,
    })
}

/// A fact of a reason: `()`, bool, int, decimal, date, text or an array of them.
fn fact<V: RuleValue>(field: &dyn Display, v: V) -> Shaped<Value> {
    Ok(if v.is_unit() {
        Value::Null
    } else if let Some(b) = v.to_bool() {
        Value::Bool(b)
    } else if let Some(i) = v.to_int() {
        Value::from(i)
    } else if let Some(d) = v.to_decimal() {
        decimal_json(d.normalize())
    } else if v.is_string() {
        Value::String(as_string(field, v)?)
    } else if let Some(d) = v.to_date() {
        Value::String(d.format("%Y-%m-%d").to_string())
    } else if v.is_array() {
        Value::Array(
            as_array(field, v)?
                .into_iter()
                .enumerate()
                .map(|(i, x)| fact(&ListItem(field, i), x))
                .collect::<Shaped<_>>()?,
        )
    } else {
        return Err(mismatch(
            field,
            "a fact: text, a number, a date, true/false, () or an array of them",
            &v,
        ));
    })
}

/// An exact decimal as a JSON number with the same digits.
pub(crate) fn decimal_json(d: Decimal) -> Value {
    d.to_string()
        .parse::<serde_json::Number>()
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

/// A returned map whose keys must be exactly the contract's, taken apart field by field.
///
/// `path` (where the map sits in the result, `""` at the top) is written out
/// only for an error: most results have none.
pub(crate) struct Returned<'p, V: RuleValue = Dynamic> {
    map: V::Map,
    path: &'p dyn Display,
}

impl<'p, V: RuleValue> Returned<'p, V> {
    pub(crate) fn open(value: V, path: &'p dyn Display, keys: &[&str]) -> Shaped<Returned<'p, V>> {
        let what = || {
            let p = path.to_string();
            if p.is_empty() {
                "(result)".to_string()
            } else {
                p
            }
        };
        let value = value.settled();
        if !value.is_map() {
            return Err(mismatch(&what(), "a map", &value));
        }
        let map = value.into_map().ok_or_else(|| lost(&what()))?;
        if let Some(extra) = map.keys().find(|k| !keys.contains(k)) {
            return Err(ShapeError {
                field: join(&path.to_string(), extra),
                expected: format!("only the fields {}", keys.join(", ")),
                found: "an extra field".into(),
            });
        }
        if let Some(missing) = keys.iter().find(|k| !map.contains(k)) {
            return Err(ShapeError {
                field: join(&path.to_string(), missing),
                expected: "a value".into(),
                found: "nothing".into(),
            });
        }
        Ok(Returned { map, path })
    }

    /// Takes `key` out; the field's dotted path is built only when reporting an error.
    fn take<'k>(&mut self, key: &'k str) -> (Field<'_, 'k>, V) {
        let value = self.map.remove(key).unwrap_or_else(V::unit);
        (
            Field {
                parent: self.path,
                key,
            },
            value,
        )
    }

    pub(crate) fn string(&mut self, key: &str) -> Shaped<String> {
        let (field, v) = self.take(key);
        as_string(&field, v)
    }

    /// A map of names to numbers or `()` (KPIs).
    pub(crate) fn number_map(&mut self, key: &str) -> Shaped<BTreeMap<String, Option<Decimal>>> {
        let (field, v) = self.take(key);
        if !v.is_map() {
            return Err(mismatch(&field, "a map of numbers or ()", &v));
        }
        let map = v.into_map().ok_or_else(|| lost(&field))?;
        map.entries()
            .map(|(k, x)| {
                let value = if x.is_unit() {
                    None
                } else {
                    Some(as_number(&MapEntry(&field, &k), &x)?)
                };
                Ok((k, value))
            })
            .collect()
    }

    /// A map, passed on as it is (e.g. to another policy function).
    pub(crate) fn map(&mut self, key: &str) -> Shaped<V> {
        let (field, v) = self.take(key);
        if v.is_map() {
            Ok(v)
        } else {
            Err(mismatch(&field, "a map", &v))
        }
    }

    /// `reasons`: an array of reasons, checked against `Reason`'s shape.
    pub(crate) fn reasons(&mut self) -> Shaped<Vec<crate::model::Reason>> {
        use crate::model::Typed;
        let (field, v) = self.take("reasons");
        let json = typed(&Vec::<crate::model::Reason>::ty(), &field, v)?;
        serde_json::from_value(json).map_err(|e| ShapeError {
            field: field.to_string(),
            expected: "reasons of the declared shape".into(),
            found: e.to_string(),
        })
    }

    pub(crate) fn strings(&mut self, key: &str) -> Shaped<Vec<String>> {
        let (field, v) = self.take(key);
        as_array(&field, v)?
            .into_iter()
            .enumerate()
            .map(|(i, x)| as_string(&ListItem(&field, i), x))
            .collect()
    }
}

impl Returned<'static, Dynamic> {
    /// A bare returned value, read as the single field `key` (for functions
    /// that return a number rather than a map).
    pub(crate) fn wrap(value: Dynamic) -> Returned<'static> {
        let mut map = Map::new();
        map.insert("(result)".into(), value);
        Returned { map, path: &"" }
    }

    /// A number >= 0 stored under `(result)` by [`Returned::wrap`], reported as `key`.
    pub(crate) fn score(&mut self, key: &str) -> Shaped<Decimal> {
        let (_, v) = self.take("(result)");
        match as_number(&key, &v) {
            Ok(d) if d.is_sign_negative() && !d.is_zero() => Err(ShapeError {
                field: key.into(),
                expected: "a number >= 0".into(),
                found: d.to_string(),
            }),
            other => other,
        }
    }
}

fn as_number<V: RuleValue>(field: &dyn Display, v: &V) -> Shaped<Decimal> {
    if let Some(i) = v.to_int() {
        Ok(Decimal::from(i))
    } else if let Some(d) = v.to_decimal() {
        Ok(d.normalize())
    } else {
        Err(mismatch(field, "a number", v))
    }
}

fn as_string<V: RuleValue>(field: &dyn Display, v: V) -> Shaped<String> {
    if v.is_string() {
        v.into_string().ok_or_else(|| lost(field))
    } else {
        Err(mismatch(field, "a string", &v))
    }
}

fn as_date<V: RuleValue>(field: &dyn Display, v: V) -> Shaped<NaiveDate> {
    v.to_date().ok_or_else(|| {
        mismatch(
            field,
            "a date (use date(\"YYYY-MM-DD\") or date arithmetic)",
            &v,
        )
    })
}

fn as_array<V: RuleValue>(field: &dyn Display, v: V) -> Shaped<Vec<V>> {
    if v.is_array() {
        v.into_array().ok_or_else(|| lost(field))
    } else {
        Err(mismatch(field, "an array", &v))
    }
}
