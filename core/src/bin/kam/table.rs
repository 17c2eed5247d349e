//! `--format table`: customer results as aligned columns for people.

use std::io::{self, Write};

use kam::{CustomerResult, Error};

const HEADER: [&str; 9] = [
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

/// Writes the header and `rows` (from [`row`]) with aligned columns.
pub fn write(out: &mut impl Write, rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = HEADER.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cells: &[String]| -> io::Result<()> {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                let pad = widths[i].saturating_sub(cell.chars().count());
                text.push_str(cell);
                text.push_str(&" ".repeat(pad + 2));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, &HEADER.map(String::from))?;
    for row in rows {
        line(out, row)?;
    }
    Ok(())
}

/// One table row for one input line.
pub fn row(line: usize, r: &Result<CustomerResult, Error>) -> Vec<String> {
    match r {
        Ok(r) => {
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
                line.to_string(),
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
        Err(e) => {
            let id = match e {
                Error::Record(r) => r.id.clone(),
                Error::Rule(r) => Some(r.record_id.clone()),
                _ => None,
            };
            vec![
                line.to_string(),
                id.unwrap_or_else(|| "?".into()),
                format!("ERROR {e}"),
            ]
        }
    }
}
