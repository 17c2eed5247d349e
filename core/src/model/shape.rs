//! The one description of every record and result.
//!
//! Each record and result type is declared once, with [`record!`] or
//! [`result!`](crate::model::declare), and that declaration gives both the Rust
//! struct and its [`Shape`]: the field names in order (the slots a compiled
//! rule reads), their types, what a record field accepts and what happens when
//! it is missing, and which result fields the policy returns and which kam adds.
//! Everything else that knows a field is derived from the shape: the maps rules
//! see, the check of what a rule returned, the Arrow schema and writer, the
//! Python conversion, the TypeScript types and the field tables of
//! `rules/CONTRACT.md`.
//!
//! ```
//! use kam::model::{Declared, Source, Ty};
//!
//! let shape = kam::CustomerRecord::shape();
//! let revenue = shape.field("annual_revenue").unwrap();
//! assert_eq!(revenue.ty, Ty::Decimal);
//! assert!(matches!(revenue.source, Source::Input { .. }));
//! assert_eq!(kam::CustomerRecord::FIELDS[0], "id");
//! ```
//!
//! [`record!`]: crate::model::declare

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::Period;

/// The type of one field, as every front end sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ty {
    /// Text.
    Text,
    /// One of a closed set of names.
    Choice(&'static [&'static str]),
    /// A calendar month, `YYYY-MM`.
    Month,
    /// An exact decimal.
    Decimal,
    /// A whole number.
    Int,
    /// `true` or `false`.
    Bool,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// The inner type, or null.
    Optional(Box<Ty>),
    /// A list of the inner type.
    List(Box<Ty>),
    /// A nested record or result.
    Record(&'static Shape),
    /// Free-form JSON (a record's `attributes`).
    Json,
    /// A fact of a reason: null, bool, whole number, decimal, date, text or a
    /// list of them (`model::Fact`).
    Fact,
    /// Names chosen by the policy → the inner type (a staff result's `kpis`).
    Map(Box<Ty>),
}

/// What happens when a record field is absent or null.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Missing {
    /// The record is refused.
    Required,
    /// The field is null.
    Null,
    /// The field takes this default (as the contract writes it: `0`, `` `fair` ``).
    Default(&'static str),
}

/// Where a field's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// A record field, read from the input.
    Input {
        /// What the field accepts, in the contract's words.
        accepts: String,
        /// What a missing value means.
        missing: Missing,
    },
    /// A result field the policy's function returns.
    Rule,
    /// A result field kam adds (`id`, `policy`, …).
    Core,
}

/// One field of a [`Shape`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldShape {
    /// The field's name in every front end.
    pub name: &'static str,
    /// Its documentation (the declaration's doc comment).
    pub doc: String,
    /// Its type.
    pub ty: Ty,
    /// Where its value comes from.
    pub source: Source,
}

/// A declared record or result: its fields in declaration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// The Rust type's name (`CustomerRecord`).
    pub name: &'static str,
    /// The fields; a field's index is its slot.
    pub fields: Vec<FieldShape>,
    /// The names of the fields the policy returns, in order (derived once,
    /// since every evaluation checks a returned map against them).
    pub rule_keys: Vec<&'static str>,
}

impl Shape {
    /// A shape of `fields`.
    pub fn new(name: &'static str, fields: Vec<FieldShape>) -> Shape {
        let rule_keys = fields
            .iter()
            .filter(|f| f.source == Source::Rule)
            .map(|f| f.name)
            .collect();
        Shape {
            name,
            fields,
            rule_keys,
        }
    }

    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&FieldShape> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The fields a policy's function returns, in order.
    pub fn rule_fields(&self) -> impl Iterator<Item = &FieldShape> {
        self.fields.iter().filter(|f| f.source == Source::Rule)
    }
}

/// A type declared with `record!` or `result!`.
pub trait Declared {
    /// Field names in declaration order: also each field's slot.
    const FIELDS: &'static [&'static str];
    /// The type's shape.
    fn shape() -> &'static Shape;
}

/// A Rust type with a [`Ty`]: every field type of a declaration.
pub trait Typed {
    /// The field type.
    fn ty() -> Ty;
}

macro_rules! typed {
    ($($t:ty => $ty:expr),+ $(,)?) => {
        $(impl Typed for $t { fn ty() -> Ty { $ty } })+
    };
}

typed! {
    String => Ty::Text,
    Decimal => Ty::Decimal,
    u32 => Ty::Int,
    i64 => Ty::Int,
    bool => Ty::Bool,
    NaiveDate => Ty::Date,
    Period => Ty::Month,
    Map<String, Value> => Ty::Json,
}

impl<T: Typed> Typed for Option<T> {
    fn ty() -> Ty {
        Ty::Optional(Box::new(T::ty()))
    }
}

impl<T: Typed> Typed for Vec<T> {
    fn ty() -> Ty {
        Ty::List(Box::new(T::ty()))
    }
}

impl<T: Typed> Typed for std::collections::BTreeMap<String, T> {
    fn ty() -> Ty {
        Ty::Map(Box::new(T::ty()))
    }
}

/// A declaration's doc comment as one paragraph.
#[doc(hidden)]
pub fn doc_text(lines: &[&str]) -> String {
    lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
