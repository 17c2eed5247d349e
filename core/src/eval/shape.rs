//! Checking what a rule returned against the result contract.
//!
//! A script can return anything; this turns a missing key, an unknown key or a
//! wrong type into a [`ShapeError`] naming the result field, never a panic or a
//! silently wrong result.

use chrono::NaiveDate;
use rhai::{Array, Dynamic, Map, INT};

/// A result field that does not fit the contract.
#[derive(Debug)]
pub(crate) struct ShapeError {
    pub field: String,
    pub expected: String,
    pub found: String,
}

pub(crate) type Shaped<T> = Result<T, ShapeError>;

fn mismatch(field: &str, expected: &str, v: &Dynamic) -> ShapeError {
    let mut found = format!("{} {v}", v.type_name());
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
fn lost(field: &str) -> ShapeError {
    ShapeError {
        field: field.to_string(),
        expected: "a plain value".into(),
        found: "a value that could not be read".into(),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
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
            return Err(mismatch(what, "a map", &value));
        }
        let map = value.try_cast::<Map>().ok_or_else(|| lost(what))?;
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

    fn take(&mut self, key: &str) -> (String, Dynamic) {
        (
            join(&self.path, key),
            self.map.remove(key).unwrap_or(Dynamic::UNIT).flatten(),
        )
    }

    pub(crate) fn string(&mut self, key: &str) -> Shaped<String> {
        let (field, v) = self.take(key);
        as_string(&field, v)
    }

    pub(crate) fn opt_string(&mut self, key: &str) -> Shaped<Option<String>> {
        let (field, v) = self.take(key);
        if v.is_unit() {
            Ok(None)
        } else {
            as_string(&field, v).map(Some)
        }
    }

    pub(crate) fn flag(&mut self, key: &str) -> Shaped<bool> {
        let (field, v) = self.take(key);
        v.as_bool()
            .map_err(|_| mismatch(&field, "true or false", &v))
    }

    pub(crate) fn int(&mut self, key: &str) -> Shaped<INT> {
        let (field, v) = self.take(key);
        v.as_int()
            .map_err(|_| mismatch(&field, "a whole number", &v))
    }

    pub(crate) fn date(&mut self, key: &str) -> Shaped<NaiveDate> {
        let (field, v) = self.take(key);
        as_date(&field, v)
    }

    pub(crate) fn opt_date(&mut self, key: &str) -> Shaped<Option<NaiveDate>> {
        let (field, v) = self.take(key);
        if v.is_unit() {
            Ok(None)
        } else {
            as_date(&field, v).map(Some)
        }
    }

    pub(crate) fn strings(&mut self, key: &str) -> Shaped<Vec<String>> {
        let (field, v) = self.take(key);
        as_array(&field, v)?
            .into_iter()
            .enumerate()
            .map(|(i, x)| as_string(&format!("{field}[{i}]"), x))
            .collect()
    }

    pub(crate) fn record(&mut self, key: &str, keys: &[&str]) -> Shaped<Returned> {
        let (field, v) = self.take(key);
        Returned::open(v, &field, keys)
    }

    pub(crate) fn opt_record(&mut self, key: &str, keys: &[&str]) -> Shaped<Option<Returned>> {
        let (field, v) = self.take(key);
        if v.is_unit() {
            Ok(None)
        } else {
            Returned::open(v, &field, keys).map(Some)
        }
    }

    pub(crate) fn records(&mut self, key: &str, keys: &[&str]) -> Shaped<Vec<Returned>> {
        let (field, v) = self.take(key);
        as_array(&field, v)?
            .into_iter()
            .enumerate()
            .map(|(i, x)| Returned::open(x, &format!("{field}[{i}]"), keys))
            .collect()
    }

    /// The dotted path of `key` in this map, for errors raised by callers.
    pub(crate) fn path_of(&self, key: &str) -> String {
        join(&self.path, key)
    }
}

fn as_string(field: &str, v: Dynamic) -> Shaped<String> {
    if v.is_string() {
        v.try_cast::<rhai::ImmutableString>()
            .map(|s| s.to_string())
            .ok_or_else(|| lost(field))
    } else {
        Err(mismatch(field, "a string", &v))
    }
}

fn as_date(field: &str, v: Dynamic) -> Shaped<NaiveDate> {
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

fn as_array(field: &str, v: Dynamic) -> Shaped<Array> {
    if v.is_array() {
        v.try_cast::<Array>().ok_or_else(|| lost(field))
    } else {
        Err(mismatch(field, "an array", &v))
    }
}
