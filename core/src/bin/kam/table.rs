//! `--format table`: results as aligned columns for people.

use std::io::{self, Write};

use kam::{CustomerResult, Error, StaffPeriodResult, StaffResult};

/// Columns of `kam customers --format table`.
pub const CUSTOMER: &[&str] = &[
    "line",
    "id",
    "status",
    "tier",
    "change",
    "key",
    "admission",
    "categories",
    "next visit",
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
];
/// Columns of `kam staff --aggregate … --format table`.
pub const PERIOD: &[&str] = &[
    "id", "period", "months", "missing", "total", "grade", "actions",
];

/// Writes `header` and `rows` with aligned columns.
pub fn write(out: &mut impl Write, header: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        // A short row (an error) ends in one long cell that runs past the columns.
        let sized = if row.len() < header.len() {
            row.len().saturating_sub(1)
        } else {
            row.len()
        };
        for (w, cell) in widths.iter_mut().zip(&row[..sized]) {
            *w = (*w).max(cell.chars().count());
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
                    .saturating_sub(cell.chars().count());
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
pub fn customer_row(r: &CustomerResult) -> Vec<String> {
    let tier = r.tier.clone().unwrap_or_else(|| "-".into());
    let change = match (&r.previous_tier, r.change) {
        (Some(prev), kam::Change::Upgrade | kam::Change::Downgrade) => {
            format!("{} {prev}→{tier}", r.change)
        }
        _ => r.change.to_string(),
    };
    let admission = if r.admission.admitted {
        "admitted".to_string()
    } else {
        format!("refused: {}", r.admission.failed.join(","))
    };
    let visit = r.visit.as_ref().map_or("-".to_string(), |v| {
        format!("{}{}", v.next_due, if v.overdue { " OVERDUE" } else { "" })
    });
    vec![
        r.id.clone(),
        r.status.to_string(),
        tier,
        change,
        if r.key_account { "yes" } else { "no" }.to_string(),
        admission,
        r.categories.join(","),
        visit,
    ]
}

/// One staff-month (without the line column).
pub fn staff_row(r: &StaffResult) -> Vec<String> {
    let completion = r
        .kpis
        .get("sales_completion_rate")
        .and_then(|k| *k)
        .map_or("-".to_string(), kam::policy::format_pct);
    vec![
        r.id.clone(),
        r.period.to_string(),
        r.scorecard.total.to_string(),
        r.grade.clone(),
        r.actions.join(","),
        completion,
        r.composite.map_or("-".to_string(), |c| c.to_string()),
    ]
}

/// One person's quarter or year.
pub fn period_row(r: &StaffPeriodResult) -> Vec<String> {
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
        r.total.to_string(),
        r.grade.clone(),
        r.actions.join(","),
    ]
}
