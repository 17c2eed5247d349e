//! Records from JSON text, strictly; results to JSON text, exactly.
//!
//! `serde_json` keeps the last of two equal keys, so `{"annual_revenue": 1,
//! "annual_revenue": 9999999}` would silently be a B customer. Here a repeated
//! key, at any depth, is a record error naming it.

use std::fmt;
use std::io;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::map::Entry;
use serde_json::{Map, Value};

use crate::error::{RecordError, RecordErrorKind};

/// Writes a result as compact JSON with every exact decimal as a string
/// (`"2999999.99"`) and every integer as a number: what JavaScript receives,
/// since a JS number would round the decimal, and the canonical text the
/// bindings are compared in.
///
/// ```
/// let money: rust_decimal::Decimal = "2999999.99".parse().unwrap();
/// let mut out = Vec::new();
/// kam::model::write_decimals_as_strings(&mut out, &(money, 60)).unwrap();
/// assert_eq!(out, br#"["2999999.99",60]"#);
/// ```
pub fn write_decimals_as_strings<W: io::Write, T: Serialize + ?Sized>(
    writer: W,
    value: &T,
) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(writer, DecimalsAsStrings);
    value.serialize(&mut ser)
}

/// serde_json's compact output, except that an arbitrary-precision number
/// (how `rust_decimal` values serialise here) is written as a string.
/// Integers go through `write_i64`/`write_u64` and stay numbers.
struct DecimalsAsStrings;

impl serde_json::ser::Formatter for DecimalsAsStrings {
    fn write_number_str<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        value: &str,
    ) -> io::Result<()> {
        // A decimal's text is digits, '-' and '.': nothing to escape.
        writer.write_all(b"\"")?;
        writer.write_all(value.as_bytes())?;
        writer.write_all(b"\"")
    }
}

/// Parses one JSON record (a line of a JSON Lines file, a cell of JSON text).
///
/// One pass over the text builds the value and checks every object's keys as
/// they arrive. Invalid JSON is reported as such even after a repeated key, and
/// the record's id is read from the value serde_json would have built (the last
/// of two equal keys), so the errors are those of a full parse followed by a
/// key check.
///
/// ```
/// let err = kam::model::parse_json(r#"{"id": "C-1", "tier": "A", "tier": "B"}"#).unwrap_err();
/// assert_eq!(err.field.as_deref(), Some("tier"));
/// ```
pub fn parse_json(text: &str) -> Result<Value, RecordError> {
    let mut repeated = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Checked {
        path: Path::Root,
        repeated: &mut repeated,
    }
    .deserialize(&mut de)
    .and_then(|value| de.end().map(|()| value))
    .map_err(|e| RecordError::from(RecordErrorKind::Malformed(format!("not valid JSON: {e}"))))?;
    match repeated {
        None => Ok(value),
        Some(path) => Err(RecordError {
            id: super::fields::read_id(&value),
            line: None,
            field: Some(path),
            kind: RecordErrorKind::Invalid {
                expected: "each key once".into(),
                found: "the key a second time".into(),
            },
        }),
    }
}

/// Where a value is in the document; written out only for a repeated key.
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    /// `attributes.owner`, `incidents[0].kind`: a field name as record errors give it.
    fn render(&self) -> String {
        match self {
            Path::Root => String::new(),
            Path::Key(parent, key) => {
                let parent = parent.render();
                if parent.is_empty() {
                    (*key).to_owned()
                } else {
                    format!("{parent}.{key}")
                }
            }
            Path::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }
}

/// Builds the `Value` serde_json would (same numbers, same order, the last of
/// two equal keys kept), noting in `repeated` the path of the first key that
/// an object repeats.
struct Checked<'p, 'r> {
    path: Path<'p>,
    repeated: &'r mut Option<String>,
}

/// With `arbitrary_precision`, serde_json hands a number to a visitor as a map
/// with this single key and the number's text as its value (serde_json's own
/// `Value` recognises it the same way, by its first key).
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

impl<'de> DeserializeSeed<'de> for Checked<'_, '_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Checked<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Number(i.into()))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(Value::Number(u.into()))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Checked {
            path: Path::Index(&self.path, items.len()),
            repeated: &mut *self.repeated,
        })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return Ok(Value::Object(Map::new()));
        };
        if first == NUMBER_TOKEN {
            return map.next_value_seed(NumberText).map(Value::Number);
        }
        let mut object = Map::new();
        let mut key = Some(first);
        while let Some(k) = key {
            match object.entry(k) {
                Entry::Vacant(slot) => {
                    let value = map.next_value_seed(Checked {
                        path: Path::Key(&self.path, slot.key()),
                        repeated: &mut *self.repeated,
                    })?;
                    slot.insert(value);
                }
                Entry::Occupied(mut slot) => {
                    if self.repeated.is_none() {
                        *self.repeated = Some(Path::Key(&self.path, slot.key()).render());
                    }
                    let value = map.next_value_seed(Checked {
                        path: Path::Key(&self.path, slot.key()),
                        repeated: &mut *self.repeated,
                    })?;
                    // What serde_json does: the last value, in the first one's place.
                    slot.insert(value);
                }
            }
            key = map.next_key()?;
        }
        Ok(Value::Object(object))
    }
}

/// A number's text (see [`NUMBER_TOKEN`]) as a `Number`, digits kept.
struct NumberText;

impl<'de> DeserializeSeed<'de> for NumberText {
    type Value = serde_json::Number;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for NumberText {
    type Value = serde_json::Number;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("string containing a number")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        s.parse().map_err(de::Error::custom)
    }
}
