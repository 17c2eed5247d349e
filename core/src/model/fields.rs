//! Reading record fields out of JSON with errors that name the field.
//!
//! Every reader accepts what the contract accepts (docs/policy.md §Records):
//! JSON `null` means missing; money and counts may also arrive as strings (CSV cells, spreadsheet
//! exports); anything else is a [`RecordError`] naming the field and what was expected.

use std::borrow::Cow;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::error::{RecordError, RecordErrorKind};

/// A JSON object being read field by field, checked against a list of known fields.
pub(crate) struct Fields<'a> {
    obj: &'a Map<String, Value>,
}

/// Where a declared record's fields are read from: a JSON object already
/// parsed ([`Fields`]) or one JSON object's text (`json_fields::JsonFields`).
/// A missing or null field is absent either way; `read` gets the field's path.
pub(crate) trait FieldSource {
    /// The value of `name`, or `None` when absent or null; `Err` when it
    /// cannot be had (text that does not read).
    fn value(&self, name: &str) -> Result<Option<Cow<'_, Value>>, RecordError>;

    /// Reads an optional field with `read`.
    fn opt<T>(
        &self,
        path: &str,
        name: &str,
        read: impl Fn(&str, &Value) -> Result<T, RecordError>,
    ) -> Result<Option<T>, RecordError> {
        self.value(name)?
            .map(|v| read(&joined(path, name), &v))
            .transpose()
    }

    /// Reads a required field with `read`.
    fn req<T>(
        &self,
        path: &str,
        name: &str,
        read: impl Fn(&str, &Value) -> Result<T, RecordError>,
    ) -> Result<T, RecordError> {
        match self.value(name)? {
            Some(v) => read(&joined(path, name), &v),
            None => Err(RecordError::field(
                join(path, name),
                RecordErrorKind::Missing,
            )),
        }
    }
}

impl<'a> Fields<'a> {
    /// Opens `value` as an object whose keys must all be in `known`.
    pub(crate) fn open(value: &'a Value, path: &str, known: &[&str]) -> Result<Self, RecordError> {
        let Value::Object(obj) = value else {
            let what = if path.is_empty() { "a record" } else { path };
            return Err(match path {
                "" => RecordError::malformed(format!(
                    "expected {what} as a JSON object, got {}",
                    show(value)
                )),
                _ => invalid(path, "an object", value),
            });
        };
        for key in obj.keys() {
            if !known.contains(&key.as_str()) {
                return Err(RecordError::field(
                    join(path, &shorten(key)),
                    RecordErrorKind::Unknown {
                        suggestion: closest(key, known).map(str::to_owned),
                    },
                ));
            }
        }
        Ok(Fields { obj })
    }

    /// The value of `name`, or `None` when absent or null.
    pub(crate) fn get(&self, name: &str) -> Option<&'a Value> {
        self.obj.get(name).filter(|v| !v.is_null())
    }
}

impl FieldSource for Fields<'_> {
    fn value(&self, name: &str) -> Result<Option<Cow<'_, Value>>, RecordError> {
        Ok(self.get(name).map(Cow::Borrowed))
    }
}

/// [`join`], without a copy at the top level (every field of every record).
pub(crate) fn joined<'a>(path: &str, name: &'a str) -> std::borrow::Cow<'a, str> {
    if path.is_empty() {
        std::borrow::Cow::Borrowed(name)
    } else {
        std::borrow::Cow::Owned(join(path, name))
    }
}

/// `parent.name`, or `name` at the top level.
pub(crate) fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

pub(crate) fn invalid(field: &str, expected: &str, found: &Value) -> RecordError {
    RecordError::field(
        field,
        RecordErrorKind::Invalid {
            expected: expected.to_owned(),
            found: show(found),
        },
    )
}

/// A value as the user wrote it, shortened so a 10 MB string does not flood a report.
pub(crate) fn show(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(60) {
        Some((cut, _)) => format!("{}… ({} bytes)", &s[..cut], s.len()),
        None => s,
    }
}

/// Whether a table cell's text means "missing" (docs/policy.md §Records): empty,
/// blank, or `NaN` (how pandas writes a missing number). One rule for every table
/// reader.
pub fn is_missing_cell(cell: &str) -> bool {
    let cell = cell.trim();
    cell.is_empty() || cell.eq_ignore_ascii_case("nan")
}

/// Longest text field a record may hold: a name or an industry, not a document.
/// The sandbox's own string limit is the same, so a rule can always handle it.
pub(crate) const MAX_TEXT_BYTES: usize = 64 * 1024;

/// A string of at most [`MAX_TEXT_BYTES`].
pub(crate) fn text(field: &str, v: &Value) -> Result<String, RecordError> {
    match v {
        Value::String(s) if s.len() > MAX_TEXT_BYTES => Err(RecordError::field(
            field,
            RecordErrorKind::Invalid {
                expected: format!("a string of at most {MAX_TEXT_BYTES} bytes"),
                found: format!("{} bytes", s.len()),
            },
        )),
        Value::String(s) => Ok(s.clone()),
        _ => Err(invalid(field, "a string", v)),
    }
}

/// Runs `read` on a record; an error carries the record's id when it has a readable one.
pub(crate) fn naming_id<T>(
    value: &Value,
    read: impl FnOnce(&Value) -> Result<T, RecordError>,
) -> Result<T, RecordError> {
    read(value).map_err(|mut e| {
        e.id = e.id.or_else(|| read_id(value));
        e
    })
}

/// The record's id if it has a usable one, so even a broken record's error names it.
pub(crate) fn read_id(value: &Value) -> Option<String> {
    match value.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// A record id: a non-empty string without surrounding whitespace, so ids
/// match the CRM's exactly (a CSV cell `"C-6 "` is an error, not a new customer).
pub(crate) fn id(field: &str, v: &Value) -> Result<String, RecordError> {
    match v {
        Value::String(s) if !s.trim().is_empty() && s.trim() == s => text(field, v),
        _ => Err(invalid(
            field,
            "a non-empty string without surrounding spaces",
            v,
        )),
    }
}

/// Amounts must be below this: 10^15 yuan is beyond any account, and larger
/// values (a mis-scaled export, `3E28` from a spreadsheet) would overflow the
/// exact-decimal arithmetic of rules (the decimal type ends near 7.9 × 10^28)
/// as a rule error instead of naming the field. Found by fuzzing.
pub(crate) const MAX_AMOUNT: Decimal = Decimal::from_parts(2_764_472_320, 232_830, 0, false, 0);

/// An exact decimal >= 0 and below [`MAX_AMOUNT`] from a JSON number or a numeric string.
pub(crate) fn money(field: &str, v: &Value) -> Result<Decimal, RecordError> {
    let d = decimal(field, v, "an amount >= 0 (number or numeric string)")?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(invalid(field, "an amount >= 0", v));
    }
    if d >= MAX_AMOUNT {
        return Err(invalid(field, "an amount below 10^15", v));
    }
    Ok(d)
}

/// An exact decimal (any sign) from a JSON number or a numeric string.
pub(crate) fn decimal(field: &str, v: &Value, expected: &str) -> Result<Decimal, RecordError> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return Err(invalid(field, expected, v)),
    };
    parse_decimal(&text).ok_or_else(|| invalid(field, expected, v))
}

/// Parses `123`, `-1.50`, `1e3`; `None` for anything Decimal cannot hold exactly
/// (NaN, 1e400, more than 28 significant digits).
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    if text.is_empty()
        || !text
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        return None;
    }
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str_exact(text).ok()
    }
}

/// A whole number >= 0 from a JSON integer or a string of digits.
pub(crate) fn count(field: &str, v: &Value) -> Result<u32, RecordError> {
    let parsed = match v {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse::<u32>().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| invalid(field, "a whole number >= 0", v))
}

/// `true`/`false`, also as the strings `true`/`false`/`1`/`0` that CSV exports use.
pub(crate) fn flag(field: &str, v: &Value) -> Result<bool, RecordError> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(invalid(field, "true or false", v)),
        },
        _ => Err(invalid(field, "true or false", v)),
    }
}

/// An ISO `YYYY-MM-DD` calendar date.
pub(crate) fn date(field: &str, v: &Value) -> Result<NaiveDate, RecordError> {
    match v {
        Value::String(s) => parse_date(s).ok_or_else(|| invalid(field, "a date YYYY-MM-DD", v)),
        _ => Err(invalid(field, "a date YYYY-MM-DD", v)),
    }
}

/// Parses exactly `YYYY-MM-DD`: a real calendar day in years 0001–9999, the
/// calendar rules compute in (chrono alone accepts year 0, whose arithmetic
/// then fails inside a rule: found by fuzzing).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    // Exactly four-digit year, two-digit month and day: chrono alone accepts `+202-11-01`.
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(0..4)
        && digits(5..7)
        && digits(8..10);
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| chrono::Datelike::year(d) >= 1)
}

/// One of an enum's snake_case names.
pub(crate) fn choice<T: FromStr>(
    field: &str,
    v: &Value,
    allowed: &[&str],
) -> Result<T, RecordError> {
    let expected = || format!("one of {}", allowed.join(", "));
    match v {
        Value::String(s) => s.parse::<T>().map_err(|_| invalid(field, &expected(), v)),
        _ => Err(invalid(field, &expected(), v)),
    }
}

/// A JSON array, also accepted as JSON text (a CSV cell).
pub(crate) fn list<T>(
    field: &str,
    v: &Value,
    item: impl Fn(&str, &Value) -> Result<T, RecordError>,
) -> Result<Vec<T>, RecordError> {
    let embedded;
    let v = match v {
        Value::String(s) => {
            embedded =
                serde_json::from_str::<Value>(s).map_err(|_| invalid(field, "a JSON array", v))?;
            &embedded
        }
        v => v,
    };
    match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, x)| item(&format!("{field}[{i}]"), x))
            .collect(),
        _ => Err(invalid(field, "an array", v)),
    }
}

/// How deeply free-form attributes may nest: enough for any CRM, and far from
/// the recursion that would overflow a thread's stack.
pub(crate) const MAX_ATTRIBUTE_DEPTH: usize = 32;

/// Depth of a JSON value, counted without recursion and stopping past `limit`.
fn depth_exceeds(v: &Value, limit: usize) -> bool {
    let mut stack = vec![(v, 1usize)];
    while let Some((v, depth)) = stack.pop() {
        if depth > limit {
            return true;
        }
        match v {
            Value::Array(items) => stack.extend(items.iter().map(|x| (x, depth + 1))),
            Value::Object(m) => stack.extend(m.values().map(|x| (x, depth + 1))),
            _ => {}
        }
    }
    false
}

/// A JSON object of free-form fields, also accepted as JSON text (a CSV cell).
pub(crate) fn object(field: &str, v: &Value) -> Result<Map<String, Value>, RecordError> {
    if depth_exceeds(v, MAX_ATTRIBUTE_DEPTH) {
        return Err(RecordError::field(
            field,
            RecordErrorKind::Invalid {
                expected: format!("an object nested at most {MAX_ATTRIBUTE_DEPTH} levels deep"),
                found: "a deeper object".into(),
            },
        ));
    }
    match v {
        Value::Object(m) => Ok(m.clone()),
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(invalid(field, "a JSON object", v)),
        },
        _ => Err(invalid(field, "an object", v)),
    }
}

/// A name cut to 60 characters, so a huge key does not flood a report.
fn shorten(name: &str) -> String {
    match name.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_string(),
    }
}

/// The known name closest to a misspelt one, if any is close.
pub(crate) fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    // Edit distance is quadratic: a name far longer than any field cannot be a typo of one.
    let longest = known.iter().map(|k| k.len()).max().unwrap_or(0);
    if name.len() > longest + 2 {
        return None;
    }
    known
        .iter()
        .map(|k| (edit_distance(name, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn amounts_stop_below_ten_to_the_fifteen() {
        assert_eq!(MAX_AMOUNT.to_string(), "1000000000000000");
        let just_below = json!("999999999999999.99");
        assert!(money("x", &just_below).is_ok());
        for too_big in [json!("1000000000000000"), json!(3e28), json!("3E28")] {
            let e = money("sales_actual", &too_big).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("sales_actual"));
            assert!(e.to_string().contains("below 10^15"), "{e}");
        }
    }

    #[test]
    fn money_is_exact_from_numbers_and_strings() {
        let d = money("x", &serde_json::from_str("2999999.99").unwrap()).unwrap();
        assert_eq!(d.to_string(), "2999999.99");
        assert_eq!(
            money("x", &json!("3000000.00")).unwrap().to_string(),
            "3000000.00"
        );
        assert!(money("x", &json!(-0.01)).is_err());
        assert!(money("x", &serde_json::from_str("1e400").unwrap()).is_err());
        assert!(money("x", &json!("NaN")).is_err());
        assert!(money("x", &json!(true)).is_err());
    }

    #[test]
    fn dates_must_be_real_days() {
        assert!(date("d", &json!("2026-02-30")).is_err());
        assert!(date("d", &json!("2026-2-3")).is_err());
        assert!(date("d", &json!("+202-11-01")).is_err());
        assert!(date("d", &json!("-001-11-01")).is_err());
        assert_eq!(
            date("d", &json!("2028-02-29")).unwrap().to_string(),
            "2028-02-29"
        );
    }

    #[test]
    fn unknown_field_suggests_the_known_one() {
        let v = json!({"id": "x", "anual_revenue": 1});
        let err = Fields::open(&v, "", &["id", "annual_revenue"])
            .err()
            .unwrap();
        assert_eq!(err.field.as_deref(), Some("anual_revenue"));
        assert_eq!(
            err.kind,
            RecordErrorKind::Unknown {
                suggestion: Some("annual_revenue".into())
            }
        );
    }

    #[test]
    fn counts_reject_fractions_and_negatives() {
        assert_eq!(count("n", &json!(3)).unwrap(), 3);
        assert_eq!(count("n", &json!("4")).unwrap(), 4);
        assert!(count("n", &json!(1.5)).is_err());
        assert!(count("n", &json!(-1)).is_err());
    }
}
