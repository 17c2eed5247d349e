//! Records read straight from JSON text, without building the whole document.
//!
//! A JSON line is split into its top-level entries, each value left as its
//! own text (`serde_json`'s `RawValue`, no copy); a field is parsed only when
//! its declaration reads it, into the same `Value` the full parse would have
//! built for it, so every kind reads it exactly as before. This is only the
//! way in for records that read cleanly: an unknown or repeated key, or any
//! error, sends the caller back to the full parse
//! ([`parse_json`](super::parse_json) and the record's `from_json`), whose
//! errors are the ones users see (tests in `tests/properties.rs` hold both
//! ways to the same records and the same errors).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;

use super::fields::FieldSource;
use crate::error::RecordError;

/// The top-level entries of one JSON object, in declared-field order.
pub(crate) struct JsonFields<'a> {
    known: &'static [&'static str],
    /// The value's text of each known field, by its index in `known`.
    slots: Vec<Option<&'a RawValue>>,
}

impl<'a> JsonFields<'a> {
    /// Splits `text` into its entries; `None` when it is not one JSON object
    /// whose keys are each in `known` and given once.
    pub(crate) fn open(text: &'a str, known: &'static [&'static str]) -> Option<Self> {
        let mut de = serde_json::Deserializer::from_str(text);
        let slots = de
            .deserialize_map(Entries {
                known,
                slots: vec![None; known.len()],
            })
            .ok()??;
        de.end().ok()?;
        Some(JsonFields { known, slots })
    }
}

impl FieldSource for JsonFields<'_> {
    /// The field's value as the full parse builds it; `Err` when the text
    /// does not read (the caller falls back).
    fn value(&self, name: &str) -> Result<Option<Cow<'_, Value>>, RecordError> {
        let Some(raw) = self
            .known
            .iter()
            .position(|k| *k == name)
            .and_then(|i| self.slots.get(i).copied().flatten())
        else {
            return Ok(None);
        };
        let value = scalar(raw.get()).map_or_else(|| super::parse_json(raw.get()), Ok)?;
        Ok((!value.is_null()).then_some(Cow::Owned(value)))
    }
}

/// The value of a scalar's text as the full parse builds it, for the forms
/// records are made of; `None` for anything else (the full parse reads it).
/// The text has been checked as JSON already: a string without a backslash
/// is exactly what is between its quotes.
fn scalar(text: &str) -> Option<Value> {
    match text.as_bytes().first()? {
        b'"' if !text.contains('\\') => {
            Some(Value::String(text.get(1..text.len() - 1)?.to_owned()))
        }
        b'-' | b'0'..=b'9' => text.parse().ok().map(Value::Number),
        b'n' if text == "null" => Some(Value::Null),
        b't' if text == "true" => Some(Value::Bool(true)),
        b'f' if text == "false" => Some(Value::Bool(false)),
        _ => None,
    }
}

/// Collects the entries; `Ok(None)` for an unknown or repeated key.
struct Entries<'a> {
    known: &'static [&'static str],
    slots: Vec<Option<&'a RawValue>>,
}

impl<'de> Visitor<'de> for Entries<'de> {
    type Value = Option<Vec<Option<&'de RawValue>>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Self::Value, A::Error> {
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let value: &'de RawValue = map.next_value()?;
            let slot = self
                .known
                .iter()
                .position(|k| *k == key)
                .and_then(|i| self.slots.get_mut(i));
            match slot {
                Some(slot @ None) => *slot = Some(value),
                // Unknown or repeated: the full parse says which, and where.
                _ => return Ok(None),
            }
        }
        Ok(Some(self.slots))
    }
}

/// A key, borrowed from the text unless it holds an escape.
struct Key<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyText;
        impl<'de> Visitor<'de> for KeyText {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(KeyText)
    }
}
