//! Quarters and years (000 十(二)): monthly staff records grouped by person.
//!
//! KPIs come from the summed numerators and denominators (never the mean of
//! monthly ratios), by the policy's own `staff_kpis`; the scorecard total is
//! the policy's `staff_period_total` of the monthly totals (the mean, by
//! default), graded by `staff_grade`. A month without a record is reported.

use std::collections::BTreeMap;

use rhai::Dynamic;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::shape::Returned;
use super::shape_error;
use crate::model::{Period, PolicyInfo, Reason, StaffRecord};
use crate::{batch, Error, Policy, RecordError, RecordErrorKind};

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

/// One person's quarter or year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffPeriodResult {
    /// The person.
    pub id: String,
    /// `2026-Q3` or `2026`.
    pub period: String,
    /// Months that had a record, in order.
    pub months: Vec<Period>,
    /// Months of the span without a record.
    pub missing_months: Vec<Period>,
    /// KPIs from the summed inputs of the months present.
    pub kpis: BTreeMap<String, Option<Decimal>>,
    /// Each month's scorecard total, in month order.
    pub monthly_totals: Vec<Decimal>,
    /// The period's total (the mean of the monthly totals by default).
    pub total: Decimal,
    /// Grade of the period's total.
    pub grade: String,
    /// Actions the grade brings.
    pub actions: Vec<String>,
    /// Explanations: KPI gaps, missing months, the grade.
    pub reasons: Vec<Reason>,
    /// Which policy produced it.
    pub policy: PolicyInfo,
}

impl Policy {
    /// Groups monthly records by person and quarter (or year) and scores each
    /// group; results in order of each group's first record. A group with a
    /// month that cannot be scored, or a month given twice, is an error.
    pub fn aggregate_staff(
        &self,
        records: &[StaffRecord],
        span: Span,
    ) -> Vec<Result<StaffPeriodResult, Error>> {
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
        batch::map(&groups, |((id, label), months)| {
            self.score_period(id, label, months, span)
        })
    }

    fn score_period(
        &self,
        id: &str,
        label: &str,
        months: &[&StaffRecord],
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
            let list: Vec<String> = missing_months.iter().map(Period::to_string).collect();
            reasons.push(Reason {
                rule: "period.missing_months".into(),
                message: format!(
                    "no record for {}: {label} covers {} of {} months",
                    list.join(", "),
                    present.len(),
                    present.len() + missing_months.len()
                ),
            });
        }

        // KPIs from summed inputs.
        let Some(summed) = sum_months(&months) else {
            return Err(Error::from(RecordError {
                id: Some(id.to_string()),
                line: None,
                field: Some("sales_actual".into()),
                kind: RecordErrorKind::Invalid {
                    expected: format!("amounts whose sum over {label} fits 28 digits"),
                    found: "a sum too large".into(),
                },
            }));
        };
        let s = super::staff::to_dynamic(&summed)?;
        let value = super::call_entry(
            self,
            "staff_kpis",
            "staff_kpis(s, p)",
            id,
            (s, self.params().clone()),
        )?;
        let mut k = Returned::open(value, "", &["kpis", "reasons"])
            .map_err(|e| shape_error(self, "staff_kpis", id, e))?;
        let kpis = k
            .number_map("kpis")
            .map_err(|e| shape_error(self, "staff_kpis", id, e))?;
        reasons.extend(
            k.reasons()
                .map_err(|e| shape_error(self, "staff_kpis", id, e))?,
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
        let total = number(value).ok_or_else(|| {
            shape_error(
                self,
                "staff_period_total",
                id,
                super::shape::ShapeError {
                    field: "(result)".into(),
                    expected: "a number".into(),
                    found: "something else".into(),
                },
            )
        })?;
        let args = (Dynamic::from_decimal(total), self.params().clone());
        let value = super::call_entry(self, "staff_grade", "staff_grade(total, p)", id, args)?;
        let mut g = Returned::open(value, "", &["grade", "actions", "reasons"])
            .map_err(|e| shape_error(self, "staff_grade", id, e))?;
        let grade = g
            .string("grade")
            .map_err(|e| shape_error(self, "staff_grade", id, e))?;
        let actions = g
            .strings("actions")
            .map_err(|e| shape_error(self, "staff_grade", id, e))?;
        reasons.extend(
            g.reasons()
                .map_err(|e| shape_error(self, "staff_grade", id, e))?,
        );

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

fn number(v: Dynamic) -> Option<Decimal> {
    v.as_int()
        .map(Decimal::from)
        .ok()
        .or_else(|| v.as_decimal().ok())
        .map(|d| d.normalize())
}

/// Adds amounts without the panic of `Decimal`'s `+` on overflow.
pub(crate) fn checked_sum(items: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    items
        .into_iter()
        .try_fold(Decimal::ZERO, |acc, d| acc.checked_add(d))
}

/// One record holding the months' summed KPI inputs. An optional input is
/// summed only when every month has it (otherwise the KPI is unavailable).
/// `None` when there are no months or an amount overflows.
fn sum_months(months: &[&StaffRecord]) -> Option<StaffRecord> {
    let mut s = (*months.last()?).clone();
    let total = |f: fn(&StaffRecord) -> Decimal| checked_sum(months.iter().map(|r| f(r)));
    let count =
        |f: fn(&StaffRecord) -> u32| months.iter().map(|r| f(r)).fold(0u32, u32::saturating_add);
    // Outer None: overflow; inner None: some month lacks the input.
    let all = |f: fn(&StaffRecord) -> Option<Decimal>| -> Option<Option<Decimal>> {
        match months.iter().map(|r| f(r)).collect::<Option<Vec<_>>>() {
            Some(values) => checked_sum(values).map(Some),
            None => Some(None),
        }
    };
    let all_n = |f: fn(&StaffRecord) -> Option<u32>| {
        months
            .iter()
            .map(|r| f(r))
            .try_fold(0u32, |acc, n| n.map(|n| acc.saturating_add(n)))
    };
    s.sales_target = total(|r| r.sales_target)?;
    s.sales_actual = total(|r| r.sales_actual)?;
    s.sales_previous = all(|r| r.sales_previous)?;
    s.new_customers_target = count(|r| r.new_customers_target);
    s.new_customers_actual = count(|r| r.new_customers_actual);
    s.contracts_settled = all(|r| r.contracts_settled)?;
    s.settlement_planned = all(|r| r.settlement_planned)?;
    s.collected = all(|r| r.collected)?;
    s.collectible = all(|r| r.collectible)?;
    s.expenses = all(|r| r.expenses)?;
    s.expense_budget = all(|r| r.expense_budget)?;
    s.accounts_start = all_n(|r| r.accounts_start);
    s.accounts_lost = all_n(|r| r.accounts_lost);
    s.archives_complete = all_n(|r| r.archives_complete);
    s.archives_total = all_n(|r| r.archives_total);
    Some(s)
}
