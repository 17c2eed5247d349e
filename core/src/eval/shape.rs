//! Checking what a rule returned against the result contract.
//!
//! A script can return anything; this turns a missing key, an unknown key or a
//! wrong type into a [`ShapeError`] naming the result field, never a panic or a
//! silently wrong result.

use std::collections::BTreeMap;
use std::fmt::Display;

use chrono::NaiveDate;
use rhai::{Array, Dynamic, Map};
use rust_decimal::Decimal;

use serde_json::{Map as JsonMap, Value};

use crate::model::fields::join;
use crate::model::{Shape, Ty};

/// A result field that does not fit the contract.
#[derive(Debug)]
pub(crate) struct ShapeError {
    pub field: String,
    pub expected: String,
    pub found: String,
}

pub(crate) type Shaped<T> = Result<T, ShapeError>;

fn mismatch(field: &dyn Display, expected: &str, v: &Dynamic) -> ShapeError {
    let mut found = format!("{} {v}", friendly_type(v));
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

/// A value's type as a policy author knows it (not a Rust path).
fn friendly_type(v: &Dynamic) -> &'static str {
    if v.is::<crate::policy::sandbox::FrozenMap>() {
        "read-only map (the record or the parameters)"
    } else if v.is::<NaiveDate>() {
        "date"
    } else {
        v.type_name()
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
    parent: &'p str,
    key: &'k str,
}

impl std::fmt::Display for Field<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.parent.is_empty() {
            f.write_str(self.key)
        } else {
            write!(f, "{}.{}", self.parent, self.key)
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
pub(crate) fn returned(
    shape: &Shape,
    value: Dynamic,
    path: &str,
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
fn typed(ty: &Ty, field: &dyn Display, v: Dynamic) -> Shaped<Value> {
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
            v.as_int()
                .map_err(|_| mismatch(field, "a whole number", &v))?,
        ),
        Ty::Bool => Value::Bool(
            v.as_bool()
                .map_err(|_| mismatch(field, "true or false", &v))?,
        ),
        Ty::Date => Value::String(as_date(field, v)?.format("%Y-%m-%d").to_string()),
        Ty::List(item) => Value::Array(
            as_array(field, v)?
                .into_iter()
                .enumerate()
                .map(|(i, x)| typed(item, &ListItem(field, i), x.flatten()))
                .collect::<Shaped<_>>()?,
        ),
        Ty::Record(shape) => Value::Object(returned(shape, v, &field.to_string())?),
        Ty::Map(item) => {
            if !v.is_map() {
                let expected = match **item {
                    Ty::Optional(_) => "a map of numbers or ()",
                    _ => "a map",
                };
                return Err(mismatch(field, expected, &v));
            }
            let map = v.try_cast::<Map>().ok_or_else(|| lost(field))?;
            Value::Object(
                map.into_iter()
                    .map(|(k, x)| {
                        Ok((
                            k.to_string(),
                            typed(item, &MapEntry(field, &k), x.flatten())?,
                        ))
                    })
                    .collect::<Shaped<_>>()?,
            )
        }
        Ty::Json => return Err(mismatch(field, "a value kam can pass on", &v)),
        Ty::Fact => fact(field, v)?,
    })
}

/// A fact of a reason: `()`, bool, int, decimal, date, text or an array of them.
fn fact(field: &dyn Display, v: Dynamic) -> Shaped<Value> {
    Ok(if v.is_unit() {
        Value::Null
    } else if let Ok(b) = v.as_bool() {
        Value::Bool(b)
    } else if let Ok(i) = v.as_int() {
        Value::from(i)
    } else if let Ok(d) = v.as_decimal() {
        decimal_json(d.normalize())
    } else if v.is_string() {
        Value::String(as_string(field, v)?)
    } else if v.is::<NaiveDate>() {
        Value::String(as_date(field, v)?.format("%Y-%m-%d").to_string())
    } else if v.is_array() {
        Value::Array(
            as_array(field, v)?
                .into_iter()
                .enumerate()
                .map(|(i, x)| fact(&ListItem(field, i), x.flatten()))
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
pub(crate) struct Returned {
    map: Map,
    path: String,
}

impl Returned {
    pub(crate) fn open(value: Dynamic, path: &str, keys: &[&str]) -> Shaped<Returned> {
        let what = if path.is_empty() { "(result)" } else { path };
        let value = value.flatten();
        if !value.is_map() {
            return Err(mismatch(&what, "a map", &value));
        }
        let map = value.try_cast::<Map>().ok_or_else(|| lost(&what))?;
        if let Some(extra) = map.keys().find(|k| !keys.contains(&k.as_str())) {
            return Err(ShapeError {
                field: join(path, extra),
                expected: format!("only the fields {}", keys.join(", ")),
                found: "an extra field".into(),
            });
        }
        if let Some(missing) = keys.iter().find(|k| !map.contains_key(**k)) {
            return Err(ShapeError {
                field: join(path, missing),
                expected: "a value".into(),
                found: "nothing".into(),
            });
        }
        Ok(Returned {
            map,
            path: path.to_string(),
        })
    }

    /// Takes `key` out; the field's dotted path is built only when reporting an error.
    fn take<'k>(&mut self, key: &'k str) -> (Field<'_, 'k>, Dynamic) {
        let value = self.map.remove(key).unwrap_or(Dynamic::UNIT).flatten();
        (
            Field {
                parent: &self.path,
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
        let map = v.try_cast::<Map>().ok_or_else(|| lost(&field))?;
        map.into_iter()
            .map(|(k, x)| {
                let x = x.flatten();
                let value = if x.is_unit() {
                    None
                } else {
                    Some(as_number(&MapEntry(&field, &k), &x)?)
                };
                Ok((k.to_string(), value))
            })
            .collect()
    }

    /// A bare returned value, read as the single field `key` (for functions
    /// that return a number rather than a map).
    pub(crate) fn wrap(value: Dynamic) -> Returned {
        let mut map = Map::new();
        map.insert("(result)".into(), value);
        Returned {
            map,
            path: String::new(),
        }
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

    /// A map, passed on as it is (e.g. to another policy function).
    pub(crate) fn map(&mut self, key: &str) -> Shaped<Dynamic> {
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

fn as_number(field: &dyn Display, v: &Dynamic) -> Shaped<Decimal> {
    if let Ok(i) = v.as_int() {
        Ok(Decimal::from(i))
    } else if let Ok(d) = v.as_decimal() {
        Ok(d.normalize())
    } else {
        Err(mismatch(field, "a number", v))
    }
}

fn as_string(field: &dyn Display, v: Dynamic) -> Shaped<String> {
    if v.is_string() {
        v.try_cast::<rhai::ImmutableString>()
            .map(|s| s.to_string())
            .ok_or_else(|| lost(field))
    } else {
        Err(mismatch(field, "a string", &v))
    }
}

fn as_date(field: &dyn Display, v: Dynamic) -> Shaped<NaiveDate> {
    if v.is::<NaiveDate>() {
        v.try_cast::<NaiveDate>().ok_or_else(|| lost(field))
    } else {
        Err(mismatch(
            field,
            "a date (use date(\"YYYY-MM-DD\") or date arithmetic)",
            &v,
        ))
    }
}

fn as_array(field: &dyn Display, v: Dynamic) -> Shaped<Array> {
    if v.is_array() {
        v.try_cast::<Array>().ok_or_else(|| lost(field))
    } else {
        Err(mismatch(field, "an array", &v))
    }
}
