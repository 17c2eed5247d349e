//! What a rule returned, read into a declared result.
//!
//! A script can return anything; reading it turns a missing key, an unknown
//! key or a wrong type into a [`ShapeError`] naming the result field, never a
//! panic or a silently wrong result. Every field type reads itself
//! ([`FromRule`]) and `result!` emits the reader of each result from its
//! declaration, so a result is checked and built in one walk, with no JSON in
//! between. The walk is generic over the engine's values ([`RuleValue`]):
//! `eval/shape.rs` implements it for rhai's `Dynamic` (the interpreter) and
//! for the compiler's typed value, so no shape rule is written twice.

use std::collections::BTreeMap;
use std::fmt::Display;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::fields::join;
use super::period::Period;
use super::reason::{Fact, PolicyInfo};
use super::shape::{Ty, Typed};

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
    fn len(&self) -> usize;
    fn keys(&self) -> impl Iterator<Item = &str>;
    fn contains(&self, key: &str) -> bool;
    fn remove(&mut self, key: &str) -> Option<V>;
    fn entries(self) -> impl Iterator<Item = (String, V)>;
}

/// A result field that does not fit the contract.
#[derive(Debug)]
pub(crate) struct ShapeError {
    pub field: String,
    pub expected: String,
    pub found: String,
}

pub(crate) type Shaped<T> = Result<T, ShapeError>;

/// A result field type read out of a rule's value; `field` names where the
/// value sits (`admission.failed[1]`) and is written out only for an error.
pub(crate) trait FromRule: Sized {
    fn from_rule<V: RuleValue>(field: &dyn Display, v: V) -> Shaped<Self>;
}

/// The value of a field kam adds (`= core`) until kam sets it, right after
/// the rule's fields are read.
pub(crate) trait Unset {
    fn unset() -> Self;
}

impl Unset for String {
    fn unset() -> Self {
        String::new()
    }
}

impl<T> Unset for Option<T> {
    fn unset() -> Self {
        None
    }
}

impl<T> Unset for Vec<T> {
    fn unset() -> Self {
        Vec::new()
    }
}

impl Unset for Decimal {
    fn unset() -> Self {
        Decimal::ZERO
    }
}

impl Unset for Period {
    fn unset() -> Self {
        Period::of(NaiveDate::default())
    }
}

impl Unset for PolicyInfo {
    fn unset() -> Self {
        PolicyInfo {
            name: String::new(),
            version: String::new(),
            digest: String::new(),
        }
    }
}

pub(crate) fn mismatch<V: RuleValue>(field: &dyn Display, expected: &str, v: &V) -> ShapeError {
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

impl Display for Field<'_, '_> {
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

/// A returned map whose keys must be exactly the contract's, taken apart field by field.
///
/// `path` (where the map sits in the result, `""` at the top) is written out
/// only for an error: most results have none.
pub(crate) struct Returned<'p, V: RuleValue> {
    map: V::Map,
    path: &'p dyn Display,
}

impl<'p, V: RuleValue> Returned<'p, V> {
    /// `value` as a map of exactly `keys`: an extra key is reported before a
    /// missing one.
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
        // As many keys as declared, each declared one there: no extra either.
        if map.len() == keys.len() && keys.iter().all(|k| map.contains(k)) {
            return Ok(Returned { map, path });
        }
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
    pub(crate) fn take<'k>(&mut self, key: &'k str) -> (Field<'_, 'k>, V) {
        let value = self.map.remove(key).unwrap_or_else(V::unit);
        (
            Field {
                parent: self.path,
                key,
            },
            value,
        )
    }

    /// The field `key`, read as a `T`.
    pub(crate) fn field<T: FromRule>(&mut self, key: &str) -> Shaped<T> {
        let (field, v) = self.take(key);
        T::from_rule(&field, v)
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
}

/// A number: a whole number or a decimal, normalized (`1.50` is `1.5`).
pub(crate) fn as_number<V: RuleValue>(field: &dyn Display, v: &V) -> Shaped<Decimal> {
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

fn as_array<V: RuleValue>(field: &dyn Display, v: V) -> Shaped<Vec<V>> {
    if v.is_array() {
        v.into_array().ok_or_else(|| lost(field))
    } else {
        Err(mismatch(field, "an array", &v))
    }
}

/// Text that must be one of `names` (a `string_enum!` type's).
pub(crate) fn choice<V: RuleValue, T: std::str::FromStr>(
    field: &dyn Display,
    v: V,
    names: &[&str],
) -> Shaped<T> {
    let text = as_string(field, v)?;
    text.parse().map_err(|_| ShapeError {
        field: field.to_string(),
        expected: format!("one of {}", names.join(", ")),
        found: format!("{text:?}"),
    })
}

impl FromRule for String {
    fn from_rule<V: RuleValue>(field: &dyn Display, v: V) -> Shaped<Self> {
        as_string(field, v)
    }
}

impl FromRule for Decimal {
    fn from_rule<V: RuleValue>(field: &dyn Display, v: V) -> Shaped<Self> {
        as_number(field, &v)
    }
}

impl FromRule for i64 {
    fn from_rule<V: RuleValue>(field: &dyn Display, v: V) -> Shaped<Self> {
        v.to_int()
            .ok_or_else(|| mismatch(field, "a whole number", &v))
    }
}

impl FromRule for bool {
    fn from_rule<V: RuleValue>(field: &dyn Display, v: V) -> Shaped<Self> {
        v.to_bool()
            .ok_or_else(|| mismatch(field, "true or false", &v))
    }
}

impl FromRule for NaiveDate {
    fn from_rule<V: RuleValue>(field: &dyn Display, v: V) -> Shaped<Self> {
        v.to_date().ok_or_else(|| {
            mismatch(
                field,
                "a date (use date(\"YYYY-MM-DD\") or date arithmetic)",
                &v,
            )
        })
    }
}

impl FromRule for Period {
    fn from_rule<V: RuleValue>(field: &dyn Display, v: V) -> Shaped<Self> {
        let text = as_string(field, v)?;
        text.parse().map_err(|()| ShapeError {
            field: field.to_string(),
            expected: "a month \"YYYY-MM\"".into(),
            found: format!("{text:?}"),
        })
    }
}

impl<T: FromRule> FromRule for Option<T> {
    fn from_rule<V: RuleValue>(field: &dyn Display, v: V) -> Shaped<Self> {
        if v.is_unit() {
            Ok(None)
        } else {
            T::from_rule(field, v).map(Some)
        }
    }
}

impl<T: FromRule> FromRule for Vec<T> {
    fn from_rule<V: RuleValue>(field: &dyn Display, v: V) -> Shaped<Self> {
        as_array(field, v)?
            .into_iter()
            .enumerate()
            .map(|(i, x)| T::from_rule(&ListItem(field, i), x))
            .collect()
    }
}

/// Names chosen by the policy (a staff result's `kpis`, a reason's facts).
impl<T: FromRule + Typed> FromRule for BTreeMap<String, T> {
    fn from_rule<V: RuleValue>(field: &dyn Display, v: V) -> Shaped<Self> {
        if !v.is_map() {
            let expected = match T::ty() {
                Ty::Optional(_) => "a map of numbers or ()",
                _ => "a map",
            };
            return Err(mismatch(field, expected, &v));
        }
        let map = v.into_map().ok_or_else(|| lost(field))?;
        map.entries()
            .map(|(k, x)| {
                let value = T::from_rule(&MapEntry(field, &k), x)?;
                Ok((k, value))
            })
            .collect()
    }
}

/// A fact: `()`, bool, int, decimal, date, text or an array of them, typed as
/// a reader of the result's JSON would type it (see [`Fact`]): a whole
/// decimal is a whole number, text of the form `YYYY-MM-DD` a date, so every
/// front end sees the same fact.
impl FromRule for Fact {
    fn from_rule<V: RuleValue>(field: &dyn Display, v: V) -> Shaped<Self> {
        Ok(if v.is_unit() {
            Fact::Null
        } else if let Some(b) = v.to_bool() {
            Fact::Bool(b)
        } else if let Some(i) = v.to_int() {
            Fact::Int(i)
        } else if let Some(d) = v.to_decimal() {
            let d = d.normalize();
            match i64::try_from(d) {
                Ok(i) if d.scale() == 0 => Fact::Int(i),
                _ => Fact::Decimal(d),
            }
        } else if v.is_string() {
            Fact::from_text(as_string(field, v)?)
        } else if let Some(d) = v.to_date() {
            if (0..=9999).contains(&d.year()) {
                Fact::Date(d)
            } else {
                // Written with a sign or a fifth digit, it reads back as text.
                Fact::Text(d.format("%Y-%m-%d").to_string())
            }
        } else if v.is_array() {
            Fact::List(Vec::from_rule(field, v)?)
        } else {
            return Err(mismatch(
                field,
                "a fact: text, a number, a date, true/false, () or an array of them",
                &v,
            ));
        })
    }
}
