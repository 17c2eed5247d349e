//! Records from JSON text, strictly; results to JSON text, exactly.
//!
//! `serde_json` keeps the last of two equal keys, so `{"annual_revenue": 1,
//! "annual_revenue": 9999999}` would silently be a B customer. Here a repeated
//! key, at any depth, is a record error naming it.

use std::collections::HashSet;
use std::fmt;
use std::io;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::Serialize;
use serde_json::Value;

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
/// ```
/// let err = kam::model::parse_json(r#"{"id": "C-1", "tier": "A", "tier": "B"}"#).unwrap_err();
/// assert_eq!(err.field.as_deref(), Some("tier"));
/// ```
pub fn parse_json(text: &str) -> Result<Value, RecordError> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        RecordError::from(RecordErrorKind::Malformed(format!("not valid JSON: {e}")))
    })?;
    // The text is valid JSON, so the only error this walk reports is a repeated key.
    let mut de = serde_json::Deserializer::from_str(text);
    if let Err(e) = (Keys {
        path: String::new(),
    })
    .deserialize(&mut de)
    {
        let message = e.to_string();
        let path = message.split('\u{0}').next().unwrap_or_default().to_owned();
        return Err(RecordError {
            id: super::customer::read_id(&value),
            line: None,
            field: Some(path),
            kind: RecordErrorKind::Invalid {
                expected: "each key once".into(),
                found: "the key a second time".into(),
            },
        });
    }
    Ok(value)
}

/// Walks a JSON document checking that no object repeats a key; `path` is where it is.
struct Keys {
    path: String,
}

impl Keys {
    fn child(&self, key: &str) -> Keys {
        Keys {
            path: if self.path.is_empty() {
                key.to_owned()
            } else {
                format!("{}.{key}", self.path)
            },
        }
    }
}

impl<'de> DeserializeSeed<'de> for Keys {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Keys {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while seq
            .next_element_seed(Keys {
                path: format!("{}[{i}]", self.path),
            })?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let child = self.child(&key);
            if !seen.insert(key) {
                // The path travels in the error text, ahead of a separator serde never writes.
                return Err(de::Error::custom(format!("{}\u{0}", child.path)));
            }
            map.next_value_seed(child)?;
        }
        Ok(())
    }
}
