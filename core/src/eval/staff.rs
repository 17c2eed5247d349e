//! Staff evaluation: record → `staff(s, p)` → checked [`StaffResult`].

use rhai::Dynamic;
use rust_decimal::Decimal;
use serde_json::Value;

use super::record;
use super::shape::{RuleValue, ShapeError, Shaped};
use crate::model::returned::FromRule;
use crate::model::{Scorecard, StaffRecord, StaffResult};
use crate::{batch, Error, Policy};

const ENTRY: &str = "staff";

impl Policy {
    /// Scores one staff-month: KPIs, the 100-point scorecard, grade, actions.
    pub fn evaluate_staff(&self, record: &StaffRecord) -> Result<StaffResult, Error> {
        // A missing entry point is the policy's error, whatever the record.
        self.require(&[ENTRY])?;
        if self.program().is_some() {
            return match super::run_compiled(self, ENTRY, record, &record.id, None)? {
                Some(value) => match read_result(self, record, value) {
                    Ok(result) => Ok(result),
                    // As for customers: the reference words a broken result's error.
                    Err(_) => self.reference().evaluate_staff(record),
                },
                None => self.reference().evaluate_staff(record),
            };
        }
        let args = (to_dynamic(record)?, self.params().clone());
        let value = super::call_entry(self, ENTRY, "staff(s, p)", &record.id, args)?;
        read_result(self, record, value).map_err(|e| super::shape_error(self, ENTRY, &record.id, e))
    }

    /// Reads a JSON staff record (filling defaults, checking every field) and scores it.
    /// A policy without `staff` is a policy error before the record is read.
    pub fn evaluate_staff_json(&self, record: &Value) -> Result<StaffResult, Error> {
        self.require(&[ENTRY])?;
        let record = StaffRecord::from_json(record)?;
        self.evaluate_staff(&record)
    }

    /// Scores many staff-months in parallel; one result per record, in input order.
    /// A policy without `staff` gives its policy error in every slot: ask
    /// [`Policy::require`]`(&["staff"])` first to report it once.
    pub fn evaluate_staff_batch(&self, records: &[StaffRecord]) -> Vec<Result<StaffResult, Error>> {
        batch::map(records, |r| self.evaluate_staff(r))
    }
}

/// The map a rule sees as `s`: every field present, defaults filled; `period` is `"YYYY-MM"`.
pub(crate) fn to_dynamic(r: &StaffRecord) -> Result<Dynamic, crate::RecordError> {
    record::frozen(r, &r.id)
}

fn read_result<V: RuleValue>(policy: &Policy, r: &StaffRecord, value: V) -> Shaped<StaffResult> {
    let mut result = StaffResult::from_rule(&"", value)?;
    result.id.clone_from(&r.id);
    result.period = r.period;
    result.policy.clone_from(policy.info());
    check_scorecard(&result.scorecard)?;
    policy.explain(&mut result.reasons);
    policy.explain_adjustments(
        result
            .scorecard
            .items
            .iter_mut()
            .flat_map(|i| i.adjustments.iter_mut()),
    );
    Ok(result)
}

/// What the types alone do not say: items never below 0, and a total that is
/// exactly their sum.
fn check_scorecard(card: &Scorecard) -> Shaped<()> {
    if let Some(item) = card
        .items
        .iter()
        .find(|i| i.score.is_sign_negative() && !i.score.is_zero())
    {
        return Err(ShapeError {
            field: format!("scorecard.items[{}].score", item.id),
            expected: "a score >= 0 (items are clamped at 0)".into(),
            found: item.score.to_string(),
        });
    }
    let sum = checked_sum(card.items.iter().map(|i| i.score));
    if sum != Some(card.total) {
        return Err(ShapeError {
            field: "scorecard.total".into(),
            expected: match sum {
                Some(sum) => format!("the sum of the item scores, {}", sum.normalize()),
                None => "the sum of the item scores (too large to add up)".into(),
            },
            found: card.total.to_string(),
        });
    }
    Ok(())
}

/// Adds amounts without the panic of `Decimal`'s `+` on overflow.
fn checked_sum(items: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    items
        .into_iter()
        .try_fold(Decimal::ZERO, |acc, d| acc.checked_add(d))
}
