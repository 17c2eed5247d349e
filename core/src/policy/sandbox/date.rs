//! The `date` type of rules (`as_of`, record and result dates) and its
//! calendar arithmetic, kept within years 1-9999.

use chrono::{Datelike, Months, NaiveDate};
use rhai::{Engine, EvalAltResult, INT};

use super::Fallible;

/// The `date` type: `as_of`, record dates and result dates are all `date`s.
pub(super) fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<NaiveDate>("date")
        .register_fn("date", |s: &str| -> Fallible<NaiveDate> {
            crate::model::parse_date(s)
                .ok_or_else(|| format!("not a date YYYY-MM-DD: {s:?}").into())
        })
        .register_fn("add_days", |d: NaiveDate, n: INT| -> Fallible<NaiveDate> {
            // try_days: TimeDelta::days panics beyond ±2^63 ms.
            let moved = chrono::TimeDelta::try_days(n).and_then(|t| d.checked_add_signed(t));
            in_calendar(d, moved)
        })
        .register_fn(
            "add_months",
            |d: NaiveDate, n: INT| -> Fallible<NaiveDate> {
                // chrono clamps to the month's last day: 2026-08-31 + 6 months = 2027-02-28.
                let months = u32::try_from(n.unsigned_abs()).map_err(|_| out_of_range(d))?;
                let moved = if n >= 0 {
                    d.checked_add_months(Months::new(months))
                } else {
                    d.checked_sub_months(Months::new(months))
                };
                in_calendar(d, moved)
            },
        )
        .register_fn("days_in_month", |period: &str| -> Fallible<INT> {
            period
                .parse::<crate::model::Period>()
                .map(|p| INT::from(p.days()))
                .map_err(|_| format!("not a month YYYY-MM: {period:?}").into())
        })
        .register_fn("-", |a: NaiveDate, b: NaiveDate| -> INT {
            (a - b).num_days()
        })
        .register_get("year", |d: &mut NaiveDate| -> INT { INT::from(d.year()) })
        .register_get("month", |d: &mut NaiveDate| -> INT { INT::from(d.month()) })
        .register_get("day", |d: &mut NaiveDate| -> INT { INT::from(d.day()) })
        .register_fn("to_string", |d: &mut NaiveDate| d.to_string())
        .register_fn("to_debug", |d: &mut NaiveDate| d.to_string())
        .register_fn("==", |a: NaiveDate, b: NaiveDate| a == b)
        .register_fn("!=", |a: NaiveDate, b: NaiveDate| a != b)
        .register_fn("<", |a: NaiveDate, b: NaiveDate| a < b)
        .register_fn("<=", |a: NaiveDate, b: NaiveDate| a <= b)
        .register_fn(">", |a: NaiveDate, b: NaiveDate| a > b)
        .register_fn(">=", |a: NaiveDate, b: NaiveDate| a >= b);
}

fn out_of_range(d: NaiveDate) -> Box<EvalAltResult> {
    format!("date arithmetic on {d} left the calendar (years 1-9999)").into()
}

/// Keeps results within years 1-9999, so every date kam writes reads back as `YYYY-MM-DD`.
fn in_calendar(from: NaiveDate, moved: Option<NaiveDate>) -> Fallible<NaiveDate> {
    match moved {
        Some(d) if (1..=9999).contains(&d.year()) => Ok(d),
        _ => Err(out_of_range(from)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::engine;
    use crate::policy::Limits;

    #[test]
    fn dates_move_and_compare() {
        let e = engine(&Limits::default());
        let r: String = e
            .eval("let d = date(\"2026-08-31\"); `${d.add_months(6)} ${d.add_days(5) - d}`")
            .unwrap();
        assert_eq!(r, "2027-02-28 5");
        assert!(e
            .eval::<bool>("date(\"2025-11-01\") < date(\"2026-11-01\")")
            .unwrap());
    }
}
