//! Field kinds: what one record field accepts, as a value a declaration names.
//!
//! A kind reads a field out of JSON (the form every front end gives: a JSON
//! line, a CSV row, an Arrow row, a Python dict) and says, in the contract's
//! words, what it accepts. The same Rust type can have several kinds: a
//! `Decimal` is an amount (`MONEY`) in one field and a 0–10 rating in another.

use std::marker::PhantomData;

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::fields;
use super::period::Period;
use super::shape::Declared;
use crate::error::RecordError;

/// How one record field is read and described.
pub trait Kind {
    /// The value read.
    type Out;
    /// Reads the field at `path` from `v` (never null: missing is handled by the declaration).
    fn read(&self, path: &str, v: &Value) -> Result<Self::Out, RecordError>;
    /// What the field accepts, for the contract's field tables.
    fn accepts(&self) -> String;
    /// How the contract writes this kind's empty default (`0`, `false`, `[]`).
    fn empty(&self) -> &'static str {
        ""
    }
}

/// A record id: a non-empty string without surrounding spaces.
pub struct Id;
/// Text of at most 64 KiB.
pub struct Text;
/// An amount in yuan: an exact decimal ≥ 0, below 10^15.
pub struct Money;
/// An amount in yuan that must be above 0 (a target).
pub struct PositiveMoney;
/// A whole number ≥ 0.
pub struct Count;
/// `true` or `false`.
pub struct Flag;
/// A date `YYYY-MM-DD`.
pub struct Date;
/// A month `YYYY-MM`.
pub struct Month;
/// Free-form JSON fields (an object, or JSON text in a cell).
pub struct Attributes;
/// An exact decimal within `lo..=hi` (ratings, review scores).
pub struct Score(pub i64, pub i64);
/// One of a closed set of names.
pub struct Choice<E>(PhantomData<E>);
/// A nested record: an object, or its JSON text in a cell.
pub struct Nested<R>(PhantomData<R>);
/// A list of the inner kind: an array, or its JSON text in a cell.
pub struct List<K>(pub K);
/// A set of names: a list without repeats, also written `a;b` in a cell.
pub struct Set<E>(PhantomData<E>);

/// The kind of a field holding one of `E`'s names.
pub const fn choice<E>() -> Choice<E> {
    Choice(PhantomData)
}

/// The kind of a field holding a nested record `R`.
pub const fn nested<R>() -> Nested<R> {
    Nested(PhantomData)
}

/// The kind of a field holding a set of `E`'s names.
pub const fn set<E>() -> Set<E> {
    Set(PhantomData)
}

/// A closed set of names (every `string_enum!`).
pub trait Names: std::str::FromStr + Copy + PartialEq + 'static {
    /// Every name, in contract order.
    const NAMES: &'static [&'static str];
    /// This value's name.
    fn name(self) -> &'static str;
}

/// A declared record that can be read from JSON.
pub trait Readable: Declared + Sized {
    /// Reads the record at `path` (`""` at the top) from a JSON object.
    fn read(path: &str, v: &Value) -> Result<Self, RecordError>;
}

impl Kind for Id {
    type Out = String;
    fn read(&self, path: &str, v: &Value) -> Result<String, RecordError> {
        fields::id(path, v)
    }
    fn accepts(&self) -> String {
        "string, non-empty, no surrounding spaces".into()
    }
}

impl Kind for Text {
    type Out = String;
    fn read(&self, path: &str, v: &Value) -> Result<String, RecordError> {
        fields::text(path, v)
    }
    fn accepts(&self) -> String {
        "string".into()
    }
    fn empty(&self) -> &'static str {
        "`\"\"`"
    }
}

impl Kind for Money {
    type Out = Decimal;
    fn read(&self, path: &str, v: &Value) -> Result<Decimal, RecordError> {
        fields::money(path, v)
    }
    fn accepts(&self) -> String {
        "money ≥ 0".into()
    }
    fn empty(&self) -> &'static str {
        "0"
    }
}

impl Kind for PositiveMoney {
    type Out = Decimal;
    fn read(&self, path: &str, v: &Value) -> Result<Decimal, RecordError> {
        let d = fields::money(path, v)?;
        if d.is_zero() {
            return Err(fields::invalid(path, "an amount > 0", v));
        }
        Ok(d)
    }
    fn accepts(&self) -> String {
        "money > 0".into()
    }
}

impl Kind for Count {
    type Out = u32;
    fn read(&self, path: &str, v: &Value) -> Result<u32, RecordError> {
        fields::count(path, v)
    }
    fn accepts(&self) -> String {
        "int ≥ 0".into()
    }
    fn empty(&self) -> &'static str {
        "0"
    }
}

impl Kind for Flag {
    type Out = bool;
    fn read(&self, path: &str, v: &Value) -> Result<bool, RecordError> {
        fields::flag(path, v)
    }
    fn accepts(&self) -> String {
        "bool".into()
    }
    fn empty(&self) -> &'static str {
        "false"
    }
}

impl Kind for Date {
    type Out = chrono::NaiveDate;
    fn read(&self, path: &str, v: &Value) -> Result<chrono::NaiveDate, RecordError> {
        fields::date(path, v)
    }
    fn accepts(&self) -> String {
        "date".into()
    }
}

impl Kind for Month {
    type Out = Period;
    fn read(&self, path: &str, v: &Value) -> Result<Period, RecordError> {
        match v {
            Value::String(s) => s
                .parse()
                .map_err(|_| fields::invalid(path, "a month YYYY-MM", v)),
            _ => Err(fields::invalid(path, "a month YYYY-MM", v)),
        }
    }
    fn accepts(&self) -> String {
        "month `YYYY-MM`".into()
    }
}

impl Kind for Attributes {
    type Out = Map<String, Value>;
    fn read(&self, path: &str, v: &Value) -> Result<Self::Out, RecordError> {
        fields::object(path, v)
    }
    fn accepts(&self) -> String {
        "object".into()
    }
    fn empty(&self) -> &'static str {
        "`{}`"
    }
}

impl Kind for Score {
    type Out = Decimal;
    fn read(&self, path: &str, v: &Value) -> Result<Decimal, RecordError> {
        let expected = format!("a number from {} to {}", self.0, self.1);
        let d = fields::decimal(path, v, &expected)?;
        if d < Decimal::from(self.0) || d > Decimal::from(self.1) {
            return Err(fields::invalid(path, &expected, v));
        }
        Ok(d)
    }
    fn accepts(&self) -> String {
        format!("number {}–{}", self.0, self.1)
    }
}

impl<E: Names> Kind for Choice<E> {
    type Out = E;
    fn read(&self, path: &str, v: &Value) -> Result<E, RecordError> {
        fields::choice(path, v, E::NAMES)
    }
    fn accepts(&self) -> String {
        names(E::NAMES)
    }
}

impl<R: Readable> Kind for Nested<R> {
    type Out = R;
    fn read(&self, path: &str, v: &Value) -> Result<R, RecordError> {
        match v {
            // A table cell holding the object as JSON text.
            Value::String(s) if s.trim_start().starts_with('{') => {
                match serde_json::from_str::<Value>(s) {
                    Ok(parsed @ Value::Object(_)) => R::read(path, &parsed),
                    _ => Err(fields::invalid(path, "an object", v)),
                }
            }
            _ => R::read(path, v),
        }
    }
    fn accepts(&self) -> String {
        format!("`{{{}}}`", R::FIELDS.join(", "))
    }
}

impl<K: Kind> Kind for List<K> {
    type Out = Vec<K::Out>;
    fn read(&self, path: &str, v: &Value) -> Result<Self::Out, RecordError> {
        fields::list(path, v, |p, x| self.0.read(p, x))
    }
    fn accepts(&self) -> String {
        format!("list of {}", self.0.accepts())
    }
    fn empty(&self) -> &'static str {
        "`[]`"
    }
}

impl<E: Names> Kind for Set<E> {
    type Out = Vec<E>;
    fn read(&self, path: &str, v: &Value) -> Result<Vec<E>, RecordError> {
        let item = |p: &str, v: &Value| fields::choice::<E>(p, v, E::NAMES);
        let items: Vec<E> = match v {
            // A table cell: `products;industry` (or JSON text, which `list` reads).
            Value::String(s) if !s.trim_start().starts_with('[') => s
                .split([';', ','])
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .enumerate()
                .map(|(i, x)| item(&format!("{path}[{i}]"), &Value::from(x)))
                .collect::<Result<_, _>>()?,
            _ => fields::list(path, v, item)?,
        };
        if let Some(i) = (0..items.len()).find(|&i| items[..i].contains(&items[i])) {
            return Err(fields::invalid(
                &format!("{path}[{i}]"),
                "each name at most once",
                &Value::from(items[i].name()),
            ));
        }
        Ok(items)
    }
    fn accepts(&self) -> String {
        format!("list of {}, no repeats", names(E::NAMES))
    }
    fn empty(&self) -> &'static str {
        "`[]`"
    }
}

fn names(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join("/")
}
