//! Reasons and adjustments as the default policy's rules return them: a code
//! naming the outcome (the rule is the code up to its last dot), the facts
//! that decided it, and the English message kam renders from the code's
//! template in `rules/messages/en.rhai`, written here directly with `write!`.
//!
//! The facts are the values the rule passes, typed as kam reads them back
//! from a rule: whole numbers (a count, a parameter like `3_000_000`, and a
//! decimal with nothing after the point) are [`Fact::Int`], other decimals
//! [`Fact::Decimal`] normalised, dates [`Fact::Date`].

use chrono::NaiveDate;
use kam::model::{Adjustment, Fact, Facts};
use kam::Reason;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// The reasons of one evaluation (`why` in the rules).
pub(crate) struct Why(pub(crate) Vec<Reason>);

impl Why {
    /// `why.note(code, #{facts})` with kam's English rendering of it.
    pub(crate) fn note<const N: usize>(
        &mut self,
        code: &str,
        facts: [(&str, Fact); N],
        message: String,
    ) {
        let rule = code.rsplit_once('.').map_or(code, |(rule, _)| rule);
        self.0.push(Reason {
            rule: rule.to_owned(),
            code: code.to_owned(),
            facts: facts_of(facts),
            message: Some(message),
        });
    }
}

/// `adjust(points, code, #{facts})` with kam's English rendering of it.
pub(crate) fn adjustment<const N: usize>(
    points: Decimal,
    code: &str,
    facts: [(&str, Fact); N],
    message: String,
) -> Adjustment {
    Adjustment {
        points,
        code: code.to_owned(),
        facts: facts_of(facts),
        message: Some(message),
    }
}

fn facts_of<const N: usize>(pairs: [(&str, Fact); N]) -> Facts {
    pairs
        .into_iter()
        .map(|(name, fact)| (name.to_owned(), fact))
        .collect()
}

/// A text fact (a tier, a kind, a name).
pub(crate) fn text(t: &str) -> Fact {
    Fact::Text(t.to_owned())
}

/// A whole-number fact.
pub(crate) fn int(i: impl Into<i64>) -> Fact {
    Fact::Int(i.into())
}

/// A decimal fact: whole numbers that fit 64 bits read back as integers.
pub(crate) fn dec(d: Decimal) -> Fact {
    let d = d.normalize();
    match d.scale() {
        0 => d.to_i64().map_or(Fact::Decimal(d), Fact::Int),
        _ => Fact::Decimal(d),
    }
}

/// A date fact.
pub(crate) fn day(d: NaiveDate) -> Fact {
    Fact::Date(d)
}

/// A list of text facts.
pub(crate) fn texts(items: &[&str]) -> Fact {
    Fact::List(items.iter().map(|t| text(t)).collect())
}
