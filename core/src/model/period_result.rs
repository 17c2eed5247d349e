//! The result of scoring one person over a quarter or a year
//! ([`Policy::aggregate_staff`](crate::Policy::aggregate_staff)).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::period::Period;
use super::{PolicyInfo, Reason};

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
