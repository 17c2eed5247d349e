//! Customer evaluation: record → `customer(c, as_of, p)` → checked [`CustomerResult`].

use chrono::NaiveDate;
use rhai::Dynamic;
use serde_json::Value;

use super::record::{self, RecordMap};
use super::shape::{Returned, ShapeError, Shaped};
use crate::error::{RecordError, RecordErrorKind};
use crate::model::{
    Admission, BlacklistProposal, Change, CustomerRecord, CustomerResult, Status, Visit,
};
use crate::{batch, Error, Policy};

const ENTRY: &str = "customer";

const RESULT_KEYS: &[&str] = &[
    "status",
    "tier",
    "change",
    "downgrade_deadline",
    "key_account",
    "categories",
    "admission",
    "blacklist_proposal",
    "visit",
    "reasons",
];

impl Policy {
    /// Evaluates one customer on `as_of`.
    pub fn evaluate_customer(
        &self,
        record: &CustomerRecord,
        as_of: NaiveDate,
    ) -> Result<CustomerResult, Error> {
        // A missing entry point is the policy's error, whatever the record.
        self.require(&[ENTRY])?;
        let c = to_dynamic(self, record)?;
        let args = (c, rhai::Dynamic::from(as_of), self.params().clone());
        let value = super::call_entry(self, ENTRY, "customer(c, as_of, p)", &record.id, args)?;
        from_dynamic(self, record, value)
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

/// The map a rule sees as `c`: every field present, defaults filled.
fn to_dynamic(policy: &Policy, r: &CustomerRecord) -> Result<Dynamic, RecordError> {
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
    let incidents: rhai::Array = r
        .incidents
        .iter()
        .map(|i| {
            let mut m = RecordMap::new();
            m.set("date", record::date(i.date))
                .set("kind", record::text(i.kind.as_str()));
            m.into_dynamic()
        })
        .collect();
    let attributes = record::attributes(&r.id, &r.attributes)?;
    let mut m = RecordMap::new();
    m.text("id", &r.id)
        .text("name", &r.name)
        .text("industry", &r.industry)
        .opt("scale", r.scale, |s| record::text(s.as_str()))
        .opt("relationship", r.relationship, |s| record::text(s.as_str()))
        .money("annual_revenue", r.annual_revenue)
        .money("cumulative_revenue", r.cumulative_revenue)
        .money("largest_contract", r.largest_contract)
        .count("late_payments", r.late_payments)
        .count("overdue_pickups", r.overdue_pickups)
        .text("credit_rating", r.credit_rating.as_str())
        .count("legal_disputes", r.legal_disputes)
        .flag("bad_credit_record", r.bad_credit_record)
        .flag("business_need", r.business_need)
        .flag("aligned", r.aligned)
        .flag("strategic_fit", r.strategic_fit)
        .flag("long_term_intent", r.long_term_intent)
        .flag("industry_influence", r.industry_influence)
        .flag("group_member", r.group_member)
        .count("referrals_closed", r.referrals_closed)
        .opt("tier", r.tier.clone(), record::text)
        .opt("blacklisted_until", r.blacklisted_until, record::date)
        .set("incidents", Dynamic::from_array(incidents))
        .opt("last_visit", r.last_visit, record::date)
        .set("attributes", attributes);
    Ok(m.into_frozen())
}

/// Checks the returned map against the contract and builds the typed result.
fn from_dynamic(
    policy: &Policy,
    r: &CustomerRecord,
    value: Dynamic,
) -> Result<CustomerResult, Error> {
    read_result(policy, r, value).map_err(|e| super::shape_error(policy, ENTRY, &r.id, e))
}

fn read_result(policy: &Policy, r: &CustomerRecord, value: Dynamic) -> Shaped<CustomerResult> {
    let mut m = Returned::open(value, "", RESULT_KEYS)?;
    let status = m.string("status")?;
    let status = choice::<Status>(&m.path_of("status"), status, Status::NAMES)?;
    let tier = m.opt_string("tier")?;
    if let Some(t) = &tier {
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
    let change = m.string("change")?;
    let change = choice::<Change>(&m.path_of("change"), change, Change::NAMES)?;
    let downgrade_deadline = m.opt_date("downgrade_deadline")?;
    let key_account = m.flag("key_account")?;
    let categories = m.strings("categories")?;

    let mut a = m.record("admission", &["admitted", "failed", "approvals"])?;
    let admission = Admission {
        admitted: a.flag("admitted")?,
        failed: a.strings("failed")?,
        approvals: a.strings("approvals")?,
    };

    let blacklist_proposal = match m.opt_record("blacklist_proposal", &["until", "needs"])? {
        Some(mut b) => Some(BlacklistProposal {
            until: b.date("until")?,
            needs: b.strings("needs")?,
        }),
        None => None,
    };
    let visit = match m.opt_record("visit", &["interval_days", "next_due", "overdue"])? {
        Some(mut v) => Some(Visit {
            interval_days: v.positive_int("interval_days")?,
            next_due: v.date("next_due")?,
            overdue: v.flag("overdue")?,
        }),
        None => None,
    };
    let reasons = m.reasons()?;

    Ok(CustomerResult {
        id: r.id.clone(),
        status,
        tier,
        previous_tier: r.tier.clone(),
        change,
        downgrade_deadline,
        key_account,
        categories,
        admission,
        blacklist_proposal,
        visit,
        reasons,
        policy: policy.info().clone(),
    })
}

fn choice<T: std::str::FromStr>(field: &str, text: String, names: &[&str]) -> Shaped<T> {
    text.parse::<T>().map_err(|_| ShapeError {
        field: field.to_string(),
        expected: format!("one of {}", names.join(", ")),
        found: format!("{text:?}"),
    })
}
