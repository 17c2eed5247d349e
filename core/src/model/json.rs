//! Reading a record from JSON text, strictly.
//!
//! `serde_json` keeps the last of two equal keys, so `{"annual_revenue": 1,
//! "annual_revenue": 9999999}` would silently be a B customer. Here a repeated
//! key, at any depth, is a record error naming it.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::error::{RecordError, RecordErrorKind};

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
