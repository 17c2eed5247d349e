//! The result of scoring one person over a quarter or a year
//! ([`Policy::aggregate_staff`](crate::Policy::aggregate_staff)).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::declare::result;
use super::period::Period;
use super::{PolicyInfo, Reason};

/// The code of the reason kam adds when a period lacks months (facts
/// `missing`, `period`, `present`, `months`); every language of a policy that
/// scores staff needs its template.
pub const MISSING_MONTHS: &str = "period.missing_months";

result! {
    /// One person's quarter or year.
    pub struct StaffPeriodResult {
        /// The person.
        id: String = core,
        /// `2026-Q3` or `2026`.
        period: String = core,
        /// Months that had a record, in order.
        months: Vec<Period> = core,
        /// Months of the span without a record.
        missing_months: Vec<Period> = core,
        /// KPIs from the summed inputs of the months present.
        kpis: BTreeMap<String, Option<Decimal>> = rule,
        /// Each month's scorecard total, in month order.
        monthly_totals: Vec<Decimal> = core,
        /// The period's total (the mean of the monthly totals by default).
        total: Decimal = rule,
        /// Grade of the period's total.
        grade: String = rule,
        /// Actions the grade brings.
        actions: Vec<String> = rule,
        /// Explanations: KPI gaps, missing months, the grade.
        reasons: Vec<Reason> = rule,
        /// Which policy produced it.
        policy: PolicyInfo = core,
    }
}
