//! How a fact is written in a message, per language: `{x|money}`, `{x|pct}`,
//! `{x|num}`, `{x|date}`, `{x|list}`, `{x|term}` and `{x|terms}`.
//!
//! English writes money with thousands separators (`4,200,000`) and dates as
//! ISO `2026-11-01`. Chinese writes what a sales manager reads in the seeds'
//! own documents: money in 万元 when that is exact to two places (`420万元`,
//! `123.45万元`), else in full yuan (`2,999,999.99元`), so no amount is ever
//! rounded; dates as `2026年11月1日`; lists with `、`. A language other than
//! these two is written the English way. `term` looks the value up among the
//! language's `term.<value>` entries (a kind, a rating, a role), falling back
//! to the value itself.

use std::collections::HashMap;

use chrono::Datelike;
use rust_decimal::Decimal;

use super::template::plain;
use crate::model::Fact;
use crate::policy::sandbox::{format_money, format_pct};

/// A placeholder's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Plain,
    Money,
    Pct,
    Num,
    Date,
    List,
    Term,
    Terms,
}

impl Format {
    pub(crate) const NAMES: &'static [&'static str] =
        &["money", "pct", "num", "date", "list", "term", "terms"];

    pub(crate) fn named(name: &str) -> Option<Format> {
        Some(match name {
            "money" => Format::Money,
            "pct" => Format::Pct,
            "num" => Format::Num,
            "date" => Format::Date,
            "list" => Format::List,
            "term" => Format::Term,
            "terms" => Format::Terms,
            _ => return None,
        })
    }
}

/// The written form of one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    English,
    Chinese,
}

/// A language's formatting rules and its terms.
#[derive(Debug, Clone)]
pub(crate) struct Language {
    pub name: String,
    style: Style,
    terms: HashMap<String, String>,
}

impl Language {
    /// `name`'s rules (`zh…` is Chinese, anything else English) with `terms`
    /// (value → how this language names it).
    pub(crate) fn new(name: &str, terms: HashMap<String, String>) -> Language {
        let style = if name == "zh" || name.starts_with("zh-") {
            Style::Chinese
        } else {
            Style::English
        };
        Language {
            name: name.to_owned(),
            style,
            terms,
        }
    }

    /// Appends `fact` written with `format`. A format that does not fit the
    /// fact (money of a text) writes the fact plainly.
    pub(crate) fn write(&self, out: &mut String, format: Format, fact: &Fact) {
        match (format, fact) {
            (Format::Money, Fact::Int(i)) => out.push_str(&self.money(Decimal::from(*i))),
            (Format::Money, Fact::Decimal(d)) => out.push_str(&self.money(*d)),
            (Format::Pct, Fact::Int(i)) => out.push_str(&format_pct(Decimal::from(*i))),
            (Format::Pct, Fact::Decimal(d)) => out.push_str(&format_pct(*d)),
            (Format::Date | Format::Plain, Fact::Date(d)) => match self.style {
                Style::English => out.push_str(&d.format("%Y-%m-%d").to_string()),
                Style::Chinese => {
                    out.push_str(&format!("{}年{}月{}日", d.year(), d.month(), d.day()))
                }
            },
            (Format::Term, Fact::Text(t)) => out.push_str(self.term(t)),
            (Format::List | Format::Plain, Fact::List(items)) => {
                self.list(out, items, |out, f| self.write(out, Format::Plain, f))
            }
            (Format::Terms, Fact::List(items)) => {
                self.list(out, items, |out, f| self.write(out, Format::Term, f))
            }
            (Format::Terms, Fact::Text(t)) => out.push_str(self.term(t)),
            (_, Fact::List(items)) => self.list(out, items, |out, f| self.write(out, format, f)),
            (_, fact) => out.push_str(&plain(fact)),
        }
    }

    pub(crate) fn term<'a>(&'a self, value: &'a str) -> &'a str {
        self.terms.get(value).map_or(value, String::as_str)
    }

    fn list(&self, out: &mut String, items: &[Fact], mut each: impl FnMut(&mut String, &Fact)) {
        let sep = match self.style {
            Style::English => ", ",
            Style::Chinese => "、",
        };
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            each(out, item);
        }
    }

    fn money(&self, x: Decimal) -> String {
        match self.style {
            Style::English => format_money(x),
            Style::Chinese => {
                let wan = x / Decimal::from(10_000);
                if x.abs() >= Decimal::from(10_000) && wan.normalize().scale() <= 2 {
                    format!("{}万元", format_money(wan.normalize()))
                } else {
                    format!("{}元", format_money(x))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Fact {
        Fact::Decimal(s.parse().unwrap())
    }

    fn written(lang: &Language, format: Format, fact: &Fact) -> String {
        let mut out = String::new();
        lang.write(&mut out, format, fact);
        out
    }

    #[test]
    fn money_is_exact_in_both_languages() {
        let en = Language::new("en", HashMap::new());
        let zh = Language::new("zh", HashMap::new());
        assert_eq!(written(&en, Format::Money, &d("4200000")), "4,200,000");
        assert_eq!(
            written(&en, Format::Money, &d("2999999.99")),
            "2,999,999.99"
        );
        assert_eq!(written(&zh, Format::Money, &d("4200000")), "420万元");
        assert_eq!(written(&zh, Format::Money, &d("1234500")), "123.45万元");
        // 万 would need more than two places: the full amount, not a rounded one.
        assert_eq!(
            written(&zh, Format::Money, &d("2999999.99")),
            "2,999,999.99元"
        );
        assert_eq!(written(&zh, Format::Money, &d("9999")), "9,999元");
        assert_eq!(
            written(&zh, Format::Money, &Fact::Int(100_000_000)),
            "10,000万元"
        );
    }

    #[test]
    fn dates_lists_and_terms_follow_the_language() {
        let date = Fact::Date(chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
        let zh = Language::new(
            "zh",
            HashMap::from([("late_payment".to_owned(), "逾期付款".to_owned())]),
        );
        let en = Language::new("en", HashMap::new());
        assert_eq!(written(&zh, Format::Date, &date), "2026年11月1日");
        assert_eq!(written(&en, Format::Date, &date), "2026-11-01");
        let kinds = Fact::List(vec![
            Fact::Text("late_payment".into()),
            Fact::Text("x".into()),
        ]);
        assert_eq!(written(&zh, Format::Terms, &kinds), "逾期付款、x");
        assert_eq!(written(&en, Format::Terms, &kinds), "late_payment, x");
        assert_eq!(written(&zh, Format::Pct, &d("0.935")), "93.5%");
    }
}
