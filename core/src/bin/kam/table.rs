//! `--format table`: results as aligned columns for people, in the language
//! asked for: column names and values (statuses, checks, categories, actions)
//! are the policy's terms (`term.<name>` in `messages/<lang>.rhai`), and the
//! last column holds the reasons' messages.

use std::io::{self, Write};

use kam::{CustomerResult, Error, Policy, Reason, StaffPeriodResult, StaffResult};
use rust_decimal::{Decimal, RoundingStrategy};
use unicode_width::UnicodeWidthStr;

/// Columns of `kam customers --format table` (term names).
pub const CUSTOMER: &[&str] = &[
    "line",
    "id",
    "status",
    "tier",
    "change",
    "key_account",
    "admission",
    "categories",
    "next_visit",
    "reasons",
];
/// Columns of `kam staff --format table`.
pub const STAFF: &[&str] = &[
    "line",
    "id",
    "period",
    "total",
    "grade",
    "actions",
    "completion",
    "composite",
    "reasons",
];
/// Columns of `kam staff --aggregate … --format table`.
pub const PERIOD: &[&str] = &[
    "id", "period", "months", "missing", "total", "grade", "actions", "reasons",
];

/// Width on a terminal: a Chinese character takes two columns.
fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `values` named in the policy's language, joined.
fn terms<'a>(p: &'a Policy, values: impl IntoIterator<Item = &'a str>, sep: &str) -> String {
    values
        .into_iter()
        .map(|v| p.term(v))
        .collect::<Vec<_>>()
        .join(sep)
}

/// A score or an amount for people: two places (the JSON output stays exact).
fn two_places(d: Decimal) -> String {
    let d = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    format!("{d:.2}")
}

/// A rate for people: a percentage with up to two places.
fn percent(d: Decimal) -> String {
    match d.checked_mul(Decimal::ONE_HUNDRED) {
        Some(p) => format!(
            "{}%",
            p.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
                .normalize()
        ),
        None => two_places(d),
    }
}

/// The reasons' messages (or codes, when messages are off), in order.
fn reasons(reasons: &[Reason]) -> String {
    reasons
        .iter()
        .map(|r| r.message.as_deref().unwrap_or(&r.code))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Writes `header` (term names, shown in the policy's language) and `rows`
/// with aligned columns.
pub fn write(
    out: &mut impl Write,
    policy: &Policy,
    header: &[&str],
    rows: &[Vec<String>],
) -> io::Result<()> {
    let header: Vec<&str> = header.iter().map(|h| policy.term(h)).collect();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        // A short row (an error) ends in one long cell that runs past the columns.
        let sized = if row.len() < header.len() {
            row.len().saturating_sub(1)
        } else {
            row.len()
        };
        for (w, cell) in widths.iter_mut().zip(&row[..sized]) {
            *w = (*w).max(width(cell));
        }
    }
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for cells in std::iter::once(&header).chain(rows) {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            text.push_str(cell);
            if i + 1 < cells.len() {
                let pad = widths
                    .get(i)
                    .copied()
                    .unwrap_or(0)
                    .saturating_sub(width(cell));
                text.push_str(&" ".repeat(pad + 2));
            }
        }
        writeln!(out, "{}", text.trim_end())?;
    }
    Ok(())
}

/// A failed record: its id and the error, spanning the remaining columns.
pub fn error_row(e: &Error) -> Vec<String> {
    vec![
        e.record_id().unwrap_or("?").to_string(),
        format!("ERROR {e}"),
    ]
}

/// One customer (without the line column).
pub fn customer_row(p: &Policy, r: &CustomerResult) -> Vec<String> {
    let tier = r.tier.clone().unwrap_or_else(|| "-".into());
    let change = p.term(r.change.as_str());
    let change = match (&r.previous_tier, r.change) {
        (Some(prev), kam::Change::Upgrade | kam::Change::Downgrade) => {
            format!("{change} {prev}→{tier}")
        }
        _ => change.to_string(),
    };
    let admission = if r.admission.admitted {
        p.term("admitted").to_string()
    } else {
        format!(
            "{}: {}",
            p.term("refused"),
            terms(p, r.admission.failed.iter().map(String::as_str), ",")
        )
    };
    let visit = r.visit.as_ref().map_or("-".to_string(), |v| {
        let overdue = if v.overdue { p.term("overdue") } else { "" };
        format!("{} {overdue}", v.next_due).trim_end().to_string()
    });
    vec![
        r.id.clone(),
        p.term(r.status.as_str()).to_string(),
        tier,
        change,
        p.term(if r.key_account { "yes" } else { "no" }).to_string(),
        admission,
        terms(p, r.categories.iter().map(String::as_str), ","),
        visit,
        reasons(&r.reasons),
    ]
}

/// One staff-month (without the line column).
pub fn staff_row(p: &Policy, r: &StaffResult) -> Vec<String> {
    let completion = r
        .kpis
        .get("sales_completion_rate")
        .and_then(|k| *k)
        .map_or("-".to_string(), percent);
    vec![
        r.id.clone(),
        r.period.to_string(),
        two_places(r.scorecard.total),
        p.term(&r.grade).to_string(),
        terms(p, r.actions.iter().map(String::as_str), ","),
        completion,
        r.composite.map_or("-".to_string(), two_places),
        reasons(&r.reasons),
    ]
}

/// One person's quarter or year.
pub fn period_row(p: &Policy, r: &StaffPeriodResult) -> Vec<String> {
    let months = |m: &[kam::model::Period]| {
        m.iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    vec![
        r.id.clone(),
        r.period.clone(),
        months(&r.months),
        months(&r.missing_months),
        two_places(r.total),
        p.term(&r.grade).to_string(),
        terms(p, r.actions.iter().map(String::as_str), ","),
        reasons(&r.reasons),
    ]
}
