//! Helpers for explanations: the script functions `money`, `pct`, `num`,
//! `join`, `position`, `contains` and `note`, and the public
//! [`format_money`] and [`format_pct`] they are built on.

use rhai::{Dynamic, Engine, ImmutableString, INT};
use rust_decimal::Decimal;

/// Helpers for explanations: `money(x)`, `pct(x)`, `list.join(sep)`,
/// `list.position(text)` and `why.note(rule, message)`.
pub(super) fn register(engine: &mut Engine) {
    engine
        .register_fn("money", |x: Decimal| format_money(x))
        .register_fn("money", |x: INT| format_money(Decimal::from(x)))
        .register_fn("pct", |x: Decimal| format_pct(x))
        .register_fn("pct", |x: INT| format_pct(Decimal::from(x)))
        .register_fn("num", |x: Decimal| x.normalize().to_string())
        .register_fn("num", |x: INT| x.to_string())
        // `index_of` with a string argument looks for a *function* of that name
        // first (rhai's deprecated overload); `position` only compares values.
        .register_fn("position", |items: &mut rhai::Array, value: &str| -> INT {
            items
                .iter()
                .position(|x| {
                    x.read_lock::<ImmutableString>()
                        .is_some_and(|s| s.as_str() == value)
                })
                .map_or(-1, |i| i as INT)
        })
        // `text in list` without a scripted `==` call per item.
        .register_fn(
            "contains",
            |items: &mut rhai::Array, value: ImmutableString| -> bool {
                items.iter().any(|x| {
                    x.read_lock::<ImmutableString>()
                        .is_some_and(|s| *s == value)
                })
            },
        )
        // Explanations. `why.note(code, facts)` appends one reason: the rule is
        // the code up to its last dot, the message is rendered from the code's
        // template when output needs it. `why.note(rule, text)` appends a
        // reason whose message is that literal text (code = rule, no facts),
        // for quick policies without message files.
        .register_fn(
            "note",
            |why: &mut rhai::Array, code: ImmutableString, facts: rhai::Map| {
                let rule = code.rsplit_once('.').map_or(code.as_str(), |(r, _)| r);
                why.push(explained(rule.into(), code.clone(), facts, Dynamic::UNIT));
            },
        )
        .register_fn(
            "note",
            |why: &mut rhai::Array, rule: ImmutableString, text: ImmutableString| {
                why.push(explained(
                    rule.clone(),
                    rule,
                    rhai::Map::new(),
                    Dynamic::from(text),
                ));
            },
        )
        // `adjust(points, code, facts)`: one scorecard adjustment.
        .register_fn(
            "adjust",
            |points: Decimal, code: ImmutableString, facts: rhai::Map| {
                adjustment(points.into(), code, facts)
            },
        )
        .register_fn(
            "adjust",
            |points: INT, code: ImmutableString, facts: rhai::Map| {
                adjustment(points.into(), code, facts)
            },
        )
        .register_fn("join", |items: rhai::Array, sep: &str| {
            items
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(sep)
        });
}

/// A reason as rules return it: `#{rule, code, facts, message}`.
fn explained(
    rule: ImmutableString,
    code: ImmutableString,
    facts: rhai::Map,
    message: Dynamic,
) -> Dynamic {
    let mut reason = rhai::Map::new();
    reason.insert("rule".into(), Dynamic::from(rule));
    reason.insert("code".into(), Dynamic::from(code));
    reason.insert("facts".into(), Dynamic::from_map(facts));
    reason.insert("message".into(), message);
    Dynamic::from_map(reason)
}

/// An adjustment as rules return it: `#{points, code, facts, message}`.
fn adjustment(points: Dynamic, code: ImmutableString, facts: rhai::Map) -> Dynamic {
    let mut a = rhai::Map::new();
    a.insert("points".into(), points);
    a.insert("code".into(), Dynamic::from(code));
    a.insert("facts".into(), Dynamic::from_map(facts));
    a.insert("message".into(), Dynamic::UNIT);
    Dynamic::from_map(a)
}

/// `2999999.99` → `2,999,999.99`; `3000000.00` → `3,000,000`; `0.5` → `0.50`.
pub fn format_money(x: Decimal) -> String {
    let x = x.normalize();
    let text = if x.scale() == 1 {
        format!("{x:.2}")
    } else {
        x.to_string()
    };
    let (sign, digits) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |d| ("-", d));
    let (int, frac) = digits
        .split_once('.')
        .map_or((digits, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::with_capacity(text.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// `0.93` → `93%`; `0.950001` → `95.0001%`; `1.0333…` → `103.3333%`
/// (at most 4 decimals of a percent: for reading, never for deciding).
pub fn format_pct(x: Decimal) -> String {
    match x.checked_mul(Decimal::ONE_HUNDRED) {
        Some(p) => format!("{}%", p.round_dp(4).normalize()),
        None => format!("{x} (as a fraction)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn money_reads_like_a_ledger() {
        assert_eq!(format_money(d("2999999.99")), "2,999,999.99");
        assert_eq!(format_money(d("3000000.00")), "3,000,000");
        assert_eq!(format_money(d("1250000.5")), "1,250,000.50");
        assert_eq!(format_money(d("999")), "999");
        assert_eq!(format_money(d("-1000")), "-1,000");
    }

    #[test]
    fn pct_is_exact() {
        assert_eq!(format_pct(d("0.93")), "93%");
        assert_eq!(format_pct(d("1.15")), "115%");
        assert_eq!(format_pct(d("0.950001")), "95.0001%");
        assert_eq!(format_pct(d("1.0333333333333333333333333333")), "103.3333%");
    }
}
