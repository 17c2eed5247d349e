//! Quarters and years (000 十(二)): monthly staff records grouped by person.
//!
//! KPIs come from the summed numerators and denominators (never the mean of
//! monthly ratios), by the policy's own `staff_kpis`; the scorecard total is
//! the policy's `staff_period_total` of the monthly totals (the mean, by
//! default), graded by `staff_grade`. A month without a record is reported.
//! The policy functions this needs are listed in [`PERIOD_FUNCTIONS`].

use std::collections::BTreeMap;

use rhai::Dynamic;

use super::shape_error;
use crate::model::period_result::MISSING_MONTHS;
use crate::model::returned::Returned;
use crate::model::{Fact, Facts, Period, Reason, StaffPeriodResult, StaffRecord};
use crate::{batch, Error, Policy, RecordError, RecordErrorKind};

/// Policy functions aggregation calls, besides `staff` itself.
pub const PERIOD_FUNCTIONS: &[&str] = &[
    "staff_period_inputs",
    "staff_kpis",
    "staff_period_total",
    "staff_grade",
];

/// How months are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Span {
    /// Calendar quarters: `2026-Q3` is July to September.
    Quarter,
    /// Calendar years.
    Year,
}

impl Span {
    fn label(self, p: Period) -> String {
        match self {
            Span::Quarter => format!("{}-Q{}", p.year(), p.quarter()),
            Span::Year => p.year().to_string(),
        }
    }

    /// The first month of the span before the one containing `p`: 2026-Q1
    /// for any month of 2026-Q2, 2025 for any month of 2026.
    fn previous(self, p: Period) -> Option<Period> {
        let first = self.months(p).first().copied()?;
        let back = match self {
            Span::Quarter => 3,
            Span::Year => 12,
        };
        chrono::NaiveDate::from_ymd_opt(first.year(), first.month(), 1)?
            .checked_sub_months(chrono::Months::new(back))
            .map(Period::of)
    }

    /// Every month of the span containing `p`.
    fn months(self, p: Period) -> Vec<Period> {
        let (first, n) = match self {
            Span::Quarter => ((p.quarter() - 1) * 3 + 1, 3),
            Span::Year => (1, 12),
        };
        (first..first + n)
            .filter_map(|m| chrono::NaiveDate::from_ymd_opt(p.year(), m, 1).map(Period::of))
            .collect()
    }
}

impl Policy {
    /// Groups monthly records by person and quarter (or year) and scores each
    /// group, in order of each group's first record: `(period label, result)`,
    /// e.g. `("2026-Q3", Ok(…))`. A group with a month that cannot be scored,
    /// or a month given twice, is an error for that group only.
    pub fn aggregate_staff(
        &self,
        records: &[StaffRecord],
        span: Span,
    ) -> Vec<(String, Result<StaffPeriodResult, Error>)> {
        let mut groups: Vec<((String, String), Vec<&StaffRecord>)> = Vec::new();
        let mut index: BTreeMap<(String, String), usize> = BTreeMap::new();
        for r in records {
            let key = (r.id.clone(), span.label(r.period));
            let i = *index.entry(key.clone()).or_insert_with(|| {
                groups.push((key, Vec::new()));
                groups.len() - 1
            });
            groups[i].1.push(r);
        }
        // Each group's previous period, for growth against it (001: 与上季的销量相比):
        // the same person's records of that span in the same input, if any.
        let previous = |id: &str, months: &[&StaffRecord]| -> &[&StaffRecord] {
            months
                .first()
                .and_then(|r| span.previous(r.period))
                .and_then(|first| index.get(&(id.to_string(), span.label(first))))
                .map_or(&[][..], |&i| groups[i].1.as_slice())
        };
        batch::map(&groups, |((id, label), months)| {
            let before = previous(id, months);
            (
                label.clone(),
                self.score_period(id, label, months, before, span),
            )
        })
    }

    fn score_period(
        &self,
        id: &str,
        label: &str,
        months: &[&StaffRecord],
        previous: &[&StaffRecord],
        span: Span,
    ) -> Result<StaffPeriodResult, Error> {
        let mut months: Vec<&StaffRecord> = months.to_vec();
        months.sort_by_key(|r| r.period);
        if let Some(w) = months.windows(2).find(|w| w[0].period == w[1].period) {
            return Err(Error::from(RecordError {
                id: Some(id.to_string()),
                line: None,
                field: Some("period".into()),
                kind: RecordErrorKind::Invalid {
                    expected: format!("one record per month in {label}"),
                    found: format!("two records for {}", w[0].period),
                },
            }));
        }
        let mut monthly_totals = Vec::with_capacity(months.len());
        for r in &months {
            monthly_totals.push(self.evaluate_staff(r)?.scorecard.total);
        }
        let present: Vec<Period> = months.iter().map(|r| r.period).collect();
        let missing_months: Vec<Period> = months
            .first()
            .map(|r| span.months(r.period))
            .unwrap_or_default()
            .into_iter()
            .filter(|p| !present.contains(p))
            .collect();

        let mut reasons = Vec::new();
        if !missing_months.is_empty() {
            let months = missing_months
                .iter()
                .map(|m| Fact::Text(m.to_string()))
                .collect();
            let count = |n: usize| Fact::Int(i64::try_from(n).unwrap_or(i64::MAX));
            reasons.push(Reason {
                rule: "period".into(),
                code: MISSING_MONTHS.into(),
                facts: Facts::from([
                    ("missing".to_owned(), Fact::List(months)),
                    ("period".to_owned(), Fact::Text(label.to_string())),
                    ("present".to_owned(), count(present.len())),
                    (
                        "months".to_owned(),
                        count(present.len() + missing_months.len()),
                    ),
                ]),
                message: None,
            });
        }

        // KPI inputs of the period, by the policy's own rule (sums of flows,
        // stocks at the edges), then its KPI function.
        let shape = |function: &'static str| move |e| shape_error(self, function, id, e);
        let frozen = months
            .iter()
            .map(|r| super::staff::to_dynamic(r))
            .collect::<Result<rhai::Array, _>>()?;
        let previous = months
            .first()
            .and_then(|r| span.previous(r.period))
            .map_or(Ok(Dynamic::UNIT), |first| {
                previous_period(&span.label(first), &span.months(first), previous)
            })?;
        let args = (Dynamic::from_array(frozen), previous, self.params().clone());
        let value = super::call_entry(
            self,
            "staff_period_inputs",
            "staff_period_inputs(months, previous, p)",
            id,
            args,
        )?;
        let mut period = Returned::open(value, &"", &["inputs", "reasons"])
            .map_err(shape("staff_period_inputs"))?;
        let inputs = period.map("inputs").map_err(shape("staff_period_inputs"))?;
        reasons.extend(
            period
                .field::<Vec<Reason>>("reasons")
                .map_err(shape("staff_period_inputs"))?,
        );

        let value = super::call_entry(
            self,
            "staff_kpis",
            "staff_kpis(s, p)",
            id,
            (inputs, self.params().clone()),
        )?;
        let mut k =
            Returned::open(value, &"", &["kpis", "reasons"]).map_err(shape("staff_kpis"))?;
        let kpis = k.field("kpis").map_err(shape("staff_kpis"))?;
        reasons.extend(
            k.field::<Vec<Reason>>("reasons")
                .map_err(shape("staff_kpis"))?,
        );

        // Total and grade.
        let totals: rhai::Array = monthly_totals
            .iter()
            .map(|t| Dynamic::from_decimal(*t))
            .collect();
        let args = (Dynamic::from_array(totals), self.params().clone());
        let value = super::call_entry(
            self,
            "staff_period_total",
            "staff_period_total(totals, p)",
            id,
            args,
        )?;
        let total = super::shape::score(value, "total").map_err(shape("staff_period_total"))?;
        let args = (Dynamic::from_decimal(total), self.params().clone());
        let value = super::call_entry(self, "staff_grade", "staff_grade(total, p)", id, args)?;
        let mut g = Returned::open(value, &"", &["grade", "actions", "reasons"])
            .map_err(shape("staff_grade"))?;
        let grade = g.field("grade").map_err(shape("staff_grade"))?;
        let actions = g.field("actions").map_err(shape("staff_grade"))?;
        reasons.extend(
            g.field::<Vec<Reason>>("reasons")
                .map_err(shape("staff_grade"))?,
        );
        self.explain(&mut reasons);

        Ok(StaffPeriodResult {
            id: id.to_string(),
            period: label.to_string(),
            months: present,
            missing_months,
            kpis,
            monthly_totals,
            total,
            grade,
            actions,
            reasons,
            policy: self.info().clone(),
        })
    }
}

/// What `staff_period_inputs` sees of the period before: `#{ period: "2026-Q2",
/// months: [records, in month order], missing: ["2026-05"], duplicated: [] }`,
/// the months as text. `missing` lists the months without a record (all of
/// them when the input has none), `duplicated` those given twice.
fn previous_period(
    label: &str,
    span: &[Period],
    records: &[&StaffRecord],
) -> Result<Dynamic, RecordError> {
    let mut records = records.to_vec();
    records.sort_by_key(|r| r.period);
    let given: Vec<Period> = records.iter().map(|r| r.period).collect();
    let texts = |months: Vec<Period>| {
        Dynamic::from_array(
            months
                .into_iter()
                .map(|m| Dynamic::from(m.to_string()))
                .collect(),
        )
    };
    let missing = span
        .iter()
        .copied()
        .filter(|m| !given.contains(m))
        .collect();
    let mut duplicated: Vec<Period> = given
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    duplicated.dedup();
    let months = records
        .iter()
        .map(|r| super::staff::to_dynamic(r))
        .collect::<Result<rhai::Array, _>>()?;
    let mut map = rhai::Map::new();
    map.insert("period".into(), Dynamic::from(label.to_string()));
    map.insert("months".into(), Dynamic::from_array(months));
    map.insert("missing".into(), texts(missing));
    map.insert("duplicated".into(), texts(duplicated));
    Ok(Dynamic::from_map(map))
}
