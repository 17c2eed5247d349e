//! Staff evaluation: record → `staff(s, p)` → checked [`StaffResult`].

use rhai::Dynamic;
use rust_decimal::Decimal;
use serde_json::Value;

use super::record::{self, RecordMap};
use super::shape::{Returned, ShapeError, Shaped};
use crate::model::staff::{Ratings, Reviews};
use crate::model::{Adjustment, ScoreItem, Scorecard, StaffRecord, StaffResult};
use crate::{batch, Error, Policy};

const ENTRY: &str = "staff";

const RESULT_KEYS: &[&str] = &[
    "kpis",
    "scorecard",
    "grade",
    "actions",
    "composite",
    "reasons",
];

impl Policy {
    /// Scores one staff-month: KPIs, the 100-point scorecard, grade, actions.
    pub fn evaluate_staff(&self, record: &StaffRecord) -> Result<StaffResult, Error> {
        // A missing entry point is the policy's error, whatever the record.
        self.require(&[ENTRY])?;
        let s = to_dynamic(record)?;
        let value = super::call_entry(
            self,
            ENTRY,
            "staff(s, p)",
            &record.id,
            (s, self.params().clone()),
        )?;
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

fn money(d: Option<Decimal>) -> Dynamic {
    d.map_or(Dynamic::UNIT, Dynamic::from_decimal)
}

fn count(n: Option<u32>) -> Dynamic {
    n.map_or(Dynamic::UNIT, |n| Dynamic::from_int(rhai::INT::from(n)))
}

fn ratings(r: &Ratings) -> Dynamic {
    let knowledge: rhai::Array = r
        .knowledge
        .iter()
        .map(|k| record::text(k.as_str()))
        .collect();
    let mut m = RecordMap::new();
    m.money("market_info", r.market_info)
        .money("teamwork", r.teamwork)
        .set("knowledge", Dynamic::from_array(knowledge))
        .text("analysis", r.analysis.as_str())
        .text("communication", r.communication.as_str())
        .money("responsibility", r.responsibility);
    m.into_dynamic()
}

fn reviews(r: &Reviews) -> Dynamic {
    let mut m = RecordMap::new();
    m.money("self", r.self_review)
        .money("supervisor", r.supervisor)
        .money("customer", r.customer);
    m.into_dynamic()
}

/// The map a rule sees as `s`: every field present, defaults filled; `period` is `"YYYY-MM"`.
pub(crate) fn to_dynamic(r: &StaffRecord) -> Result<Dynamic, crate::RecordError> {
    let attributes = record::attributes(&r.id, &r.attributes)?;
    let mut m = RecordMap::new();
    m.text("id", &r.id)
        .text("name", &r.name)
        .text("role", r.role.as_str())
        .text("period", &r.period.to_string())
        .money("sales_target", r.sales_target)
        .money("sales_actual", r.sales_actual)
        .set("sales_previous", money(r.sales_previous))
        .count("new_customers_target", r.new_customers_target)
        .count("new_customers_actual", r.new_customers_actual)
        .count("days_present", r.days_present)
        .count("late_arrivals", r.late_arrivals)
        .count("unreported_field_days", r.unreported_field_days)
        .count("violations", r.violations)
        .count("complaints", r.complaints)
        .set("ratings", ratings(&r.ratings))
        .set("contracts_settled", money(r.contracts_settled))
        .set("settlement_planned", money(r.settlement_planned))
        .set("collected", money(r.collected))
        .set("collectible", money(r.collectible))
        .set("expenses", money(r.expenses))
        .set("expense_budget", money(r.expense_budget))
        .set("accounts_start", count(r.accounts_start))
        .set("accounts_lost", count(r.accounts_lost))
        .set("archives_complete", count(r.archives_complete))
        .set("archives_total", count(r.archives_total))
        .opt("reviews", r.reviews.as_ref(), reviews)
        .set("attributes", attributes);
    Ok(m.into_frozen())
}

fn read_result(policy: &Policy, r: &StaffRecord, value: Dynamic) -> Shaped<StaffResult> {
    let mut m = Returned::open(value, "", RESULT_KEYS)?;
    Ok(StaffResult {
        id: r.id.clone(),
        period: r.period,
        kpis: m.number_map("kpis")?,
        scorecard: read_scorecard(&mut m)?,
        grade: m.string("grade")?,
        actions: m.strings("actions")?,
        composite: m.opt_number("composite")?,
        reasons: m.reasons()?,
        policy: policy.info().clone(),
    })
}

/// The scorecard: items never below 0, and a total that is exactly their sum.
fn read_scorecard(m: &mut Returned) -> Shaped<Scorecard> {
    let mut card = m.record("scorecard", &["total", "items"])?;
    let total = card.number("total")?;
    let items = card
        .records("items", &["id", "max", "score", "adjustments"])?
        .into_iter()
        .map(|mut item| {
            let adjustments = item
                .records("adjustments", &["points", "reason"])?
                .into_iter()
                .map(|mut a| {
                    Ok(Adjustment {
                        points: a.number("points")?,
                        reason: a.string("reason")?,
                    })
                })
                .collect::<Shaped<Vec<_>>>()?;
            let id = item.string("id")?;
            let score = item.number("score")?;
            if score.is_sign_negative() && !score.is_zero() {
                return Err(ShapeError {
                    field: format!("scorecard.items[{id}].score"),
                    expected: "a score >= 0 (items are clamped at 0)".into(),
                    found: score.to_string(),
                });
            }
            Ok(ScoreItem {
                max: item.number("max")?,
                id,
                score,
                adjustments,
            })
        })
        .collect::<Shaped<Vec<_>>>()?;
    let sum = checked_sum(items.iter().map(|i| i.score));
    if sum != Some(total) {
        return Err(ShapeError {
            field: "scorecard.total".into(),
            expected: match sum {
                Some(sum) => format!("the sum of the item scores, {}", sum.normalize()),
                None => "the sum of the item scores (too large to add up)".into(),
            },
            found: total.to_string(),
        });
    }
    Ok(Scorecard { total, items })
}

/// Adds amounts without the panic of `Decimal`'s `+` on overflow.
fn checked_sum(items: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    items
        .into_iter()
        .try_fold(Decimal::ZERO, |acc, d| acc.checked_add(d))
}
