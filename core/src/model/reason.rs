//! What every result carries: its reasons and the policy that produced it.
//!
//! A reason is data: which rule decided, a stable `code` for *which* outcome,
//! the `facts` that decided it, and a `message` kam renders from the code's
//! template in the language asked for (or none, when the output does not
//! need sentences).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::declare::result;
use super::shape::{Ty, Typed};

/// The facts of a reason or adjustment: name → value.
pub type Facts = BTreeMap<String, Fact>;

/// One value that decided an outcome, with the exact type it had in the rule.
///
/// On the wire a fact is plain JSON: a decimal is an exact number, a date is
/// `"YYYY-MM-DD"` text (so text of exactly that form reads back as a date).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fact {
    /// `()` in the rule.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// An exact decimal (money, a rate, points).
    Decimal(Decimal),
    /// A calendar date.
    Date(NaiveDate),
    /// Text (a name, a tier, a kind).
    Text(String),
    /// A list of facts.
    List(Vec<Fact>),
}

impl Typed for Fact {
    fn ty() -> Ty {
        Ty::Fact
    }
}

impl Serialize for Fact {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Fact::Null => s.serialize_unit(),
            Fact::Bool(b) => s.serialize_bool(*b),
            Fact::Int(i) => s.serialize_i64(*i),
            Fact::Decimal(d) => Serialize::serialize(d, s),
            Fact::Date(d) => s.collect_str(&d.format("%Y-%m-%d")),
            Fact::Text(t) => s.serialize_str(t),
            Fact::List(items) => items.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Fact {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Fact::from_json(&v).map_err(serde::de::Error::custom)
    }
}

impl Fact {
    /// Text as a fact: a date when it is exactly `YYYY-MM-DD`.
    pub(crate) fn from_text(s: String) -> Fact {
        // Most facts are names and amounts: only the form YYYY-MM-DD is parsed.
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Fact::Text(s);
        }
        match NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
            Ok(date) if s.len() == 10 => Fact::Date(date),
            _ => Fact::Text(s),
        }
    }

    /// A fact from its JSON form (see the type's docs).
    pub fn from_json(v: &serde_json::Value) -> Result<Fact, String> {
        use serde_json::Value;
        Ok(match v {
            Value::Null => Fact::Null,
            Value::Bool(b) => Fact::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Fact::Int(i),
                None => {
                    let text = n.to_string();
                    Fact::Decimal(
                        Decimal::from_str_exact(&text)
                            .or_else(|_| Decimal::from_scientific(&text))
                            .map_err(|e| format!("fact {text}: {e}"))?
                            .normalize(),
                    )
                }
            },
            Value::String(s) => Fact::from_text(s.clone()),
            Value::Array(items) => Fact::List(
                items
                    .iter()
                    .map(Fact::from_json)
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(_) => return Err("a fact is a value or a list, not a map".into()),
        })
    }
}

result! {
    /// One explained decision: which rule, which outcome, the facts that
    /// decided it, and the sentence a sales manager reads.
    pub struct Reason {
        /// Dotted rule id, e.g. `tier.base`.
        rule: String = rule,
        /// Which outcome, stable across languages and policy edits, e.g. `tier.base.reaches`.
        code: String = rule,
        /// The exact values that decided it (revenue, threshold, dates…).
        facts: Facts = rule,
        /// The code's template rendered with the facts in the chosen language;
        /// null when the output asks for codes only.
        message: Option<String> = rule,
    }
}

result! {
    /// Which policy produced a result.
    pub struct PolicyInfo {
        /// Declared policy name.
        name: String = core,
        /// Declared policy version.
        version: String = core,
        /// Content hash of every policy file.
        digest: String = core,
    }
}
