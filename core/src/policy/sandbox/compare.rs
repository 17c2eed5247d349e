//! Strict comparisons: an ordering or equality test between values of
//! different kinds is an error, never a silent `false`; and [`same`], the
//! structural equality the read-only setters use.

use chrono::NaiveDate;
use rhai::{Dynamic, Engine, ImmutableString, INT};
use rust_decimal::Decimal;

use super::Fallible;

/// Makes `amount > "1000"` or `() >= 1` an error instead of a silent `false`.
pub(super) fn register(engine: &mut Engine) {
    macro_rules! refuse {
        ($engine:ident, $a:ty, $b:ty, $an:literal, $bn:literal, [$($op:literal),+]) => {
            $(
                $engine.register_fn($op, |_: $a, _: $b| -> Fallible<bool> {
                    Err(format!("cannot compare {} with {} using {}", $an, $bn, $op).into())
                });
                $engine.register_fn($op, |_: $b, _: $a| -> Fallible<bool> {
                    Err(format!("cannot compare {} with {} using {}", $bn, $an, $op).into())
                });
            )+
        };
    }
    refuse!(
        engine,
        Decimal,
        ImmutableString,
        "a number",
        "a string",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        INT,
        ImmutableString,
        "a number",
        "a string",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        Decimal,
        (),
        "a number",
        "() (a missing value)",
        ["<", "<=", ">", ">="]
    );
    refuse!(
        engine,
        INT,
        (),
        "a number",
        "() (a missing value)",
        ["<", "<=", ">", ">="]
    );
    refuse!(
        engine,
        NaiveDate,
        (),
        "a date",
        "() (a missing value)",
        ["<", "<=", ">", ">="]
    );
    refuse!(
        engine,
        NaiveDate,
        ImmutableString,
        "a date",
        "a string",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        NaiveDate,
        INT,
        "a date",
        "a number",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        bool,
        INT,
        "a bool",
        "a number",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        bool,
        Decimal,
        "a bool",
        "a number",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        bool,
        ImmutableString,
        "a bool",
        "a string",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        NaiveDate,
        Decimal,
        "a date",
        "a number",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        NaiveDate,
        bool,
        "a date",
        "a bool",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        ImmutableString,
        (),
        "a string",
        "() (a missing value)",
        ["<", "<=", ">", ">="]
    );
    refuse!(
        engine,
        bool,
        (),
        "a bool",
        "() (a missing value)",
        ["<", "<=", ">", ">="]
    );
}

/// Structural equality for the values a record or the parameters hold.
pub(super) fn same(a: &Dynamic, b: &Dynamic) -> bool {
    if a.type_id() != b.type_id() {
        return false;
    }
    if a.is_unit() {
        return true;
    }
    macro_rules! eq_as {
        ($($t:ty),+) => {$(
            if let (Some(x), Some(y)) = (a.read_lock::<$t>(), b.read_lock::<$t>()) {
                return *x == *y;
            }
        )+};
    }
    eq_as!(bool, INT, Decimal, ImmutableString, NaiveDate);
    if let (Some(x), Some(y)) = (a.read_lock::<rhai::Array>(), b.read_lock::<rhai::Array>()) {
        return x.len() == y.len() && x.iter().zip(y.iter()).all(|(x, y)| same(x, y));
    }
    if let (Some(x), Some(y)) = (a.read_lock::<rhai::Map>(), b.read_lock::<rhai::Map>()) {
        return x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)));
    }
    false
}
