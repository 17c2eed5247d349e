//! How much one evaluation may consume, and how a binding sets it.
//!
//! Every evaluation runs under [`Limits`]. Rust embedders set the fields;
//! Python and JS pass a map (`{"max_operations": 50000, "max_seconds": 0.2}`)
//! that [`Limits::from_json`] reads, so the names, checks and messages are the
//! same in every language.

use std::time::Duration;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// Caps on what one evaluation may consume.
///
/// The defaults suit the bundled policy with a wide margin (it nests 5 calls
/// deep) and are sized so that the deepest program they allow ends as a rule
/// error, not a native stack overflow, on a 2 MiB thread stack even in a debug
/// build, and on WebAssembly's 1 MiB stack (both tested). Raising the depth
/// limits needs a bigger stack, so [`Limits::from_json`] (what the bindings
/// use) only lowers them.
///
/// ```
/// let limits = kam::Limits::from_json(&serde_json::json!({
///     "max_operations": 50_000,
///     "max_seconds": 0.25,
/// }))?;
/// assert_eq!(limits.max_operations, 50_000);
/// assert_eq!(limits.max_call_levels, kam::Limits::default().max_call_levels);
/// # Ok::<(), kam::LimitsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Rhai operations per evaluation (one record). Stops infinite loops.
    pub max_operations: u64,
    /// Depth of nested function calls. Stops runaway recursion.
    pub max_call_levels: usize,
    /// Depth of nested expressions at global level and inside functions.
    pub max_expr_depth: (usize, usize),
    /// Bytes of text in any value a rule builds (all strings inside an array
    /// or map count towards it).
    pub max_string_size: usize,
    /// Items in any array a rule builds.
    pub max_array_size: usize,
    /// Entries in any map a rule builds.
    pub max_map_size: usize,
    /// Wall-clock time per evaluation. One operation can be a native call that
    /// scans a 10,000-item array, so the operation count alone does not bound
    /// time. Checked every 1,024 operations, in WebAssembly too (through
    /// `performance.now()`); `None` disables it.
    pub max_duration: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 1_000_000,
            max_call_levels: 10,
            max_expr_depth: (40, 32),
            max_string_size: 64 * 1024,
            max_array_size: 10_000,
            max_map_size: 10_000,
            max_duration: Some(Duration::from_secs(1)),
        }
    }
}

/// A limit that cannot be set: an unknown name, a value of the wrong type, or
/// one outside what kam can keep safe.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("limits: {key}: {message}")]
#[non_exhaustive]
pub struct LimitsError {
    /// The limit's name as given (`max_operations`), or `limits` for the whole map.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl LimitsError {
    fn new(key: &str, message: impl Into<String>) -> Self {
        LimitsError {
            key: key.to_owned(),
            message: message.into(),
        }
    }
}

/// The names `Limits::from_json` reads, in the order `Limits::to_json` writes them.
const LIMIT_NAMES: &[&str] = &[
    "max_operations",
    "max_call_levels",
    "max_expr_depth",
    "max_string_size",
    "max_array_size",
    "max_map_size",
    "max_seconds",
];

/// Largest text, array and map sizes a binding may ask for. Each bounds one
/// value; far larger ones would let one record claim gigabytes.
const MAX_STRING_CEILING: u64 = 16 << 20;
const MAX_COLLECTION_CEILING: u64 = 1_000_000;
/// A day: anything longer is not a time limit.
const MAX_SECONDS_CEILING: u32 = 86_400;

impl Limits {
    /// Reads limits from a map of limit names (the fields above, with `max_seconds` for `max_duration`) to values; names left out
    /// keep their defaults. `max_expr_depth` is one number for both depths or
    /// `[global, in_functions]`; `max_seconds` is a positive number or `null`
    /// for no wall-clock limit.
    ///
    /// Every limit must be at least 1: rhai reads 0 as *unlimited*, which
    /// nobody writing 0 means. The depth limits may only be lowered (deeper
    /// nesting than the defaults could overflow the native stack of a host
    /// thread or of WebAssembly, an abort no error can report); text may be up
    /// to 16 MiB, arrays and maps up to 1,000,000 items.
    pub fn from_json(value: &Value) -> Result<Limits, LimitsError> {
        let map: &Map<String, Value> = match value {
            Value::Null => return Ok(Limits::default()),
            Value::Object(map) => map,
            _ => {
                return Err(LimitsError::new(
                    "limits",
                    "expected a map of limit names to values",
                ))
            }
        };
        let defaults = Limits::default();
        let mut limits = defaults.clone();
        for (key, value) in map {
            let k = key.as_str();
            match k {
                "max_operations" => limits.max_operations = count(k, value, u64::MAX)?,
                "max_call_levels" => {
                    limits.max_call_levels = at_most_default(k, value, defaults.max_call_levels)?;
                }
                "max_expr_depth" => {
                    let (global, function) = defaults.max_expr_depth;
                    limits.max_expr_depth = match value {
                        Value::Array(pair) if pair.len() == 2 => (
                            at_most_default(k, &pair[0], global)?,
                            at_most_default(k, &pair[1], function)?,
                        ),
                        Value::Array(_) => {
                            return Err(LimitsError::new(
                                k,
                                "expected one number or [global, in_functions]",
                            ))
                        }
                        one => {
                            let depth = at_most_default(k, one, function)?;
                            (depth, depth)
                        }
                    };
                }
                "max_string_size" => limits.max_string_size = size(k, value, MAX_STRING_CEILING)?,
                "max_array_size" => {
                    limits.max_array_size = size(k, value, MAX_COLLECTION_CEILING)?;
                }
                "max_map_size" => limits.max_map_size = size(k, value, MAX_COLLECTION_CEILING)?,
                "max_seconds" => limits.max_duration = seconds(k, value)?,
                _ => {
                    return Err(LimitsError::new(
                        k,
                        format!("unknown limit (known: {})", LIMIT_NAMES.join(", ")),
                    ))
                }
            }
        }
        Ok(limits)
    }

    /// The limits as the map [`Limits::from_json`] reads (every name present;
    /// `max_expr_depth` as `[global, in_functions]`).
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "max_operations": self.max_operations,
            "max_call_levels": self.max_call_levels,
            "max_expr_depth": [self.max_expr_depth.0, self.max_expr_depth.1],
            "max_string_size": self.max_string_size,
            "max_array_size": self.max_array_size,
            "max_map_size": self.max_map_size,
            "max_seconds": self.max_duration.map_or(Value::Null, seconds_json),
        })
    }

    /// Refuses limits rhai would read as "unlimited" (any size or count of 0,
    /// a zero time limit). Checked whenever a policy is built.
    pub(crate) fn check(&self) -> Result<(), LimitsError> {
        let zeros = [
            ("max_operations", self.max_operations == 0),
            ("max_call_levels", self.max_call_levels == 0),
            (
                "max_expr_depth",
                self.max_expr_depth.0 == 0 || self.max_expr_depth.1 == 0,
            ),
            ("max_string_size", self.max_string_size == 0),
            ("max_array_size", self.max_array_size == 0),
            ("max_map_size", self.max_map_size == 0),
            ("max_seconds", self.max_duration == Some(Duration::ZERO)),
        ];
        match zeros.iter().find(|(_, zero)| *zero) {
            Some((key, _)) => Err(LimitsError::new(
                key,
                "must be at least 1 (the sandbox would read 0 as unlimited)",
            )),
            None => Ok(()),
        }
    }
}

/// A whole number from 1 to `ceiling`.
fn count(key: &str, value: &Value, ceiling: u64) -> Result<u64, LimitsError> {
    match value.as_u64() {
        Some(n) if (1..=ceiling).contains(&n) => Ok(n),
        _ => Err(LimitsError::new(
            key,
            format!("expected a whole number from 1 to {ceiling}, got {value}"),
        )),
    }
}

fn size(key: &str, value: &Value, ceiling: u64) -> Result<usize, LimitsError> {
    count(key, value, ceiling).map(|n| n as usize)
}

fn at_most_default(key: &str, value: &Value, default: usize) -> Result<usize, LimitsError> {
    count(key, value, default as u64)
        .map(|n| n as usize)
        .map_err(|e| LimitsError {
            message: format!(
                "{} (the default, {default}, is the deepest that fits a 1 MiB stack)",
                e.message
            ),
            ..e
        })
}

/// Seconds as an exact decimal, to the nanosecond. Read without floats:
/// float parsing and printing would add ~30 KB to the WebAssembly module.
fn seconds(key: &str, value: &Value) -> Result<Option<Duration>, LimitsError> {
    let nanos = match value {
        Value::Null => return Ok(None),
        Value::Number(n) => crate::model::fields::parse_decimal(&n.to_string())
            .filter(|s| *s > Decimal::ZERO && *s <= Decimal::from(MAX_SECONDS_CEILING))
            .and_then(|s| (s * Decimal::from(1_000_000_000)).trunc().to_u64()),
        _ => None,
    };
    match nanos {
        Some(n) if n > 0 => Ok(Some(Duration::from_nanos(n))),
        _ => Err(LimitsError::new(
            key,
            format!("expected a number of seconds above 0 and at most {MAX_SECONDS_CEILING}, or null, got {value}"),
        )),
    }
}

/// A duration as the exact decimal number of seconds (`0.25`, `1`).
fn seconds_json(d: Duration) -> Value {
    let exact = Decimal::from_i128_with_scale(d.as_nanos() as i128, 9).normalize();
    exact
        .to_string()
        .parse::<serde_json::Number>()
        .map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_left_out_keep_their_defaults_and_to_json_round_trips() {
        let l = Limits::from_json(&json!({"max_operations": 1, "max_seconds": null})).unwrap();
        assert_eq!(l.max_operations, 1);
        assert_eq!(l.max_duration, None);
        assert_eq!(l.max_map_size, Limits::default().max_map_size);
        assert_eq!(Limits::from_json(&l.to_json()).unwrap(), l);
        assert_eq!(Limits::from_json(&Value::Null).unwrap(), Limits::default());
        let depth = Limits::from_json(&json!({"max_expr_depth": 5})).unwrap();
        assert_eq!(depth.max_expr_depth, (5, 5));
        let pair = Limits::from_json(&json!({"max_expr_depth": [40, 7]})).unwrap();
        assert_eq!(pair.max_expr_depth, (40, 7));
        let ms = Limits::from_json(&json!({"max_seconds": 0.25})).unwrap();
        assert_eq!(ms.max_duration, Some(Duration::from_millis(250)));
    }

    #[test]
    fn zero_unknown_mistyped_and_unsafe_limits_are_refused_by_name() {
        for (bad, key, says) in [
            (json!({"max_operations": 0}), "max_operations", "from 1"),
            (json!({"max_array_size": 0}), "max_array_size", "from 1"),
            (json!({"max_operations": -5}), "max_operations", "got -5"),
            (json!({"max_operations": 1.5}), "max_operations", "got 1.5"),
            (
                json!({"max_operations": "100"}),
                "max_operations",
                "whole number",
            ),
            (
                json!({"max_call_levels": 11}),
                "max_call_levels",
                "1 MiB stack",
            ),
            (
                json!({"max_expr_depth": [41, 1]}),
                "max_expr_depth",
                "1 to 40",
            ),
            (
                json!({"max_expr_depth": [1, 2, 3]}),
                "max_expr_depth",
                "[global",
            ),
            (
                json!({"max_string_size": 17 << 20}),
                "max_string_size",
                "16777216",
            ),
            (
                json!({"max_map_size": 1_000_001}),
                "max_map_size",
                "1000000",
            ),
            (json!({"max_seconds": 0}), "max_seconds", "above 0"),
            (json!({"max_seconds": -1}), "max_seconds", "above 0"),
            (json!({"max_seconds": 1e9}), "max_seconds", "86400"),
            (json!({"max_seconds": "1"}), "max_seconds", "got \"1\""),
            (json!({"max_ops": 1}), "max_ops", "known: max_operations"),
            (json!([1]), "limits", "a map"),
        ] {
            let e = Limits::from_json(&bad).unwrap_err();
            assert_eq!(e.key, key, "{bad}");
            assert!(e.to_string().contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn zero_means_unlimited_to_rhai_so_check_refuses_it() {
        assert!(Limits::default().check().is_ok());
        let l = Limits {
            max_string_size: 0,
            ..Limits::default()
        };
        assert_eq!(l.check().unwrap_err().key, "max_string_size");
        let l = Limits {
            max_duration: Some(Duration::ZERO),
            ..Limits::default()
        };
        assert_eq!(l.check().unwrap_err().key, "max_seconds");
    }
}
