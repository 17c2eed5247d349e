//! Customer evaluation: record → `customer(c, as_of, p)` → checked [`CustomerResult`].

use chrono::NaiveDate;
use serde_json::Value;

use super::record;
use super::shape::{RuleValue, ShapeError, Shaped};
use crate::error::{RecordError, RecordErrorKind};
use crate::model::returned::FromRule;
use crate::model::{CustomerRecord, CustomerResult};
use crate::{batch, Error, Policy};

const ENTRY: &str = "customer";
const SIGNATURE: &str = "customer(c, as_of, p)";

impl Policy {
    /// Evaluates one customer on `as_of`.
    pub fn evaluate_customer(
        &self,
        record: &CustomerRecord,
        as_of: NaiveDate,
    ) -> Result<CustomerResult, Error> {
        // A missing entry point is the policy's error, whatever the record.
        self.require(&[ENTRY])?;
        check_tier(self, record)?;
        if self.program().is_some() {
            return match super::run_compiled(self, ENTRY, record, &record.id, Some(as_of))? {
                Some(value) => match read_result(self, record, value) {
                    Ok(result) => Ok(result),
                    // A result that breaks the contract is a policy bug: the
                    // interpreter, the reference, words its error.
                    Err(_) => self.reference().evaluate_customer(record, as_of),
                },
                None => self.reference().evaluate_customer(record, as_of),
            };
        }
        let c = record::frozen(record, &record.id)?;
        let args = (c, rhai::Dynamic::from(as_of), self.params().clone());
        let value = super::call_entry(self, ENTRY, SIGNATURE, &record.id, args)?;
        read_result(self, record, value).map_err(|e| super::shape_error(self, ENTRY, &record.id, e))
    }

    /// Reads a JSON record (filling defaults, checking every field) and evaluates it.
    /// A policy without `customer` is a policy error before the record is read.
    pub fn evaluate_customer_json(
        &self,
        record: &Value,
        as_of: NaiveDate,
    ) -> Result<CustomerResult, Error> {
        self.require(&[ENTRY])?;
        let record = CustomerRecord::from_json(record)?;
        self.evaluate_customer(&record, as_of)
    }

    /// Evaluates many customers in parallel; one result per record, in input order.
    /// A policy without `customer` gives its policy error in every slot: ask
    /// [`Policy::require`]`(&["customer"])` first to report it once.
    pub fn evaluate_customers(
        &self,
        records: &[CustomerRecord],
        as_of: NaiveDate,
    ) -> Vec<Result<CustomerResult, Error>> {
        batch::map(records, |r| self.evaluate_customer(r, as_of))
    }

    /// [`Policy::evaluate_customers`] on JSON records; a bad record costs only itself.
    pub fn evaluate_customers_json(
        &self,
        records: &[Value],
        as_of: NaiveDate,
    ) -> Vec<Result<CustomerResult, Error>> {
        batch::map(records, |r| self.evaluate_customer_json(r, as_of))
    }
}

/// A `tier` the policy does not declare is the record's error.
fn check_tier(policy: &Policy, r: &CustomerRecord) -> Result<(), RecordError> {
    if let Some(tier) = &r.tier {
        if !policy.tiers().contains(tier) {
            return Err(RecordError {
                id: Some(r.id.clone()),
                line: None,
                field: Some("tier".into()),
                kind: RecordErrorKind::Invalid {
                    expected: format!(
                        "one of the policy's tiers {} or null",
                        policy.tiers().join(", ")
                    ),
                    found: format!("{tier:?}"),
                },
            });
        }
    }
    Ok(())
}

fn read_result<V: RuleValue>(
    policy: &Policy,
    r: &CustomerRecord,
    value: V,
) -> Shaped<CustomerResult> {
    let mut result = CustomerResult::from_rule(&"", value)?;
    result.id.clone_from(&r.id);
    result.previous_tier.clone_from(&r.tier);
    result.policy.clone_from(policy.info());
    check(policy, &result)?;
    policy.explain(&mut result.reasons);
    Ok(result)
}

/// What the types alone do not say: the tier is one the policy declares, and
/// a visit interval is a whole number of days > 0.
fn check(policy: &Policy, r: &CustomerResult) -> Shaped<()> {
    if let Some(t) = &r.tier {
        if !policy.tiers().contains(t) {
            return Err(ShapeError {
                field: "tier".into(),
                expected: format!(
                    "one of the declared tiers {} or ()",
                    policy.tiers().join(", ")
                ),
                found: format!("{t:?}"),
            });
        }
    }
    if let Some(v) = &r.visit {
        if v.interval_days <= 0 {
            return Err(ShapeError {
                field: "visit.interval_days".into(),
                expected: "a whole number > 0".into(),
                found: v.interval_days.to_string(),
            });
        }
    }
    Ok(())
}
