//! The staff period record (绩效考核: one person, one month) and its result, spec §3.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::customer::{PolicyInfo, Reason};
use super::fields::{self, Fields};
use super::period::Period;
use super::string_enum;
use crate::error::RecordError;

string_enum! {
    /// 大客户总监/经理/专员, KA 业务代表 (001 1.1, 004).
    Role { Director = "director", Manager = "manager", Specialist = "specialist", Representative = "representative" }
}

string_enum! {
    /// 专业知识 criteria (001 2.2).
    Knowledge { Products = "products", Industry = "industry", Role = "role", Expert = "expert" }
}

string_enum! {
    /// 分析判断能力 levels (001 2.2).
    Analysis { Strong = "strong", FairlyStrong = "fairly_strong", Average = "average", Weak = "weak" }
}

string_enum! {
    /// 沟通能力 levels (001 2.2).
    Communication {
        Flexible = "flexible",
        ResolvesConflict = "resolves_conflict",
        Persuasive = "persuasive",
        Clear = "clear",
    }
}

/// The supervisor's ratings of one month (001 2.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ratings {
    /// 市场信息收集, 0-10.
    pub market_info: Decimal,
    /// 团队协作, 0-10.
    pub teamwork: Decimal,
    /// 专业知识 criteria met, no repeats.
    pub knowledge: Vec<Knowledge>,
    /// 分析判断能力.
    pub analysis: Analysis,
    /// 沟通能力.
    pub communication: Communication,
    /// 责任感: 5, 4.5, or 0-3.
    pub responsibility: Decimal,
}

/// Composite review scores (004 六(三)), each 0-100.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reviews {
    /// 自评.
    #[serde(rename = "self")]
    pub self_review: Decimal,
    /// 上级评价.
    pub supervisor: Decimal,
    /// 客户评价.
    pub customer: Decimal,
}

/// One person's month, as a CRM exports it, with every default filled.
///
/// ```
/// let r = kam::model::StaffRecord::from_json(&serde_json::json!({
///     "id": "S-1", "role": "manager", "period": "2026-09", "sales_target": 1000000,
///     "sales_actual": "930000", "days_present": 22,
///     "ratings": {"market_info": 8, "teamwork": 9, "knowledge": ["products"],
///                 "analysis": "average", "communication": "clear", "responsibility": 4.5}
/// })).unwrap();
/// assert_eq!(r.period.days(), 30);
/// assert!(kam::model::StaffRecord::from_json(&serde_json::json!({"id": "S-2"})).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
#[allow(missing_docs)] // each field is documented in spec §3's table
pub struct StaffRecord {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub period: Period,
    pub sales_target: Decimal,
    pub sales_actual: Decimal,
    pub sales_previous: Option<Decimal>,
    pub new_customers_target: u32,
    pub new_customers_actual: u32,
    pub days_present: u32,
    pub late_arrivals: u32,
    pub unreported_field_days: u32,
    pub violations: u32,
    pub complaints: u32,
    pub ratings: Ratings,
    pub contracts_settled: Option<Decimal>,
    pub settlement_planned: Option<Decimal>,
    pub collected: Option<Decimal>,
    pub collectible: Option<Decimal>,
    pub expenses: Option<Decimal>,
    pub expense_budget: Option<Decimal>,
    pub accounts_start: Option<u32>,
    pub accounts_lost: Option<u32>,
    pub archives_complete: Option<u32>,
    pub archives_total: Option<u32>,
    pub reviews: Option<Reviews>,
    pub attributes: Map<String, Value>,
}

/// Every field of the staff record, in contract order.
pub(crate) const FIELDS: &[&str] = &[
    "id",
    "name",
    "role",
    "period",
    "sales_target",
    "sales_actual",
    "sales_previous",
    "new_customers_target",
    "new_customers_actual",
    "days_present",
    "late_arrivals",
    "unreported_field_days",
    "violations",
    "complaints",
    "ratings",
    "contracts_settled",
    "settlement_planned",
    "collected",
    "collectible",
    "expenses",
    "expense_budget",
    "accounts_start",
    "accounts_lost",
    "archives_complete",
    "archives_total",
    "reviews",
    "attributes",
];

const RATING_FIELDS: &[&str] = &[
    "market_info",
    "teamwork",
    "knowledge",
    "analysis",
    "communication",
    "responsibility",
];
const REVIEW_FIELDS: &[&str] = &["self", "supervisor", "customer"];

impl StaffRecord {
    /// Reads a record from a JSON object, filling defaults; errors name the id and field.
    ///
    /// Tables (CSV) may give `ratings` and `reviews` as JSON text in one cell,
    /// or as dotted columns (`ratings.market_info`, `reviews.self`, …), and
    /// `ratings.knowledge` as a list like `products;industry`.
    pub fn from_json(value: &Value) -> Result<Self, RecordError> {
        let nested = nest_dotted(value);
        fields::naming_id(nested.as_ref().unwrap_or(value), Self::read)
    }

    fn read(value: &Value) -> Result<Self, RecordError> {
        let f = Fields::open(value, "", FIELDS)?;
        let count = |name| {
            f.opt("", name, fields::count)
                .map(Option::unwrap_or_default)
        };
        let amount = |name| f.opt("", name, fields::money);
        let sales_target = f.req("", "sales_target", fields::money)?;
        if sales_target.is_zero() {
            return Err(fields::invalid(
                "sales_target",
                "an amount > 0",
                &Value::from(0),
            ));
        }
        let period = f.req("", "period", read_period)?;
        let days_present = f.req("", "days_present", fields::count)?;
        if days_present > period.days() {
            let expected = format!("at most the {} days of {period}", period.days());
            return Err(fields::invalid(
                "days_present",
                &expected,
                &Value::from(days_present),
            ));
        }
        Ok(StaffRecord {
            id: f.req("", "id", fields::id)?,
            name: f.opt("", "name", fields::text)?.unwrap_or_default(),
            role: f.req("", "role", |p, v| fields::choice(p, v, Role::NAMES))?,
            period,
            sales_target,
            sales_actual: f.req("", "sales_actual", fields::money)?,
            sales_previous: amount("sales_previous")?,
            new_customers_target: count("new_customers_target")?,
            new_customers_actual: count("new_customers_actual")?,
            days_present,
            late_arrivals: count("late_arrivals")?,
            unreported_field_days: count("unreported_field_days")?,
            violations: count("violations")?,
            complaints: count("complaints")?,
            ratings: f.req("", "ratings", read_ratings)?,
            contracts_settled: amount("contracts_settled")?,
            settlement_planned: amount("settlement_planned")?,
            collected: amount("collected")?,
            collectible: amount("collectible")?,
            expenses: amount("expenses")?,
            expense_budget: amount("expense_budget")?,
            accounts_start: f.opt("", "accounts_start", fields::count)?,
            accounts_lost: f.opt("", "accounts_lost", fields::count)?,
            archives_complete: f.opt("", "archives_complete", fields::count)?,
            archives_total: f.opt("", "archives_total", fields::count)?,
            reviews: f.opt("", "reviews", read_reviews)?,
            attributes: f.opt("", "attributes", fields::object)?.unwrap_or_default(),
        })
    }
}

/// Folds dotted keys (`ratings.teamwork`) into nested objects; `None` when
/// there are none. A dotted key whose object is also given whole stays as it
/// is, to be reported as unknown.
fn nest_dotted(value: &Value) -> Option<Value> {
    let obj = value.as_object()?;
    if !obj
        .keys()
        .any(|k| k.starts_with("ratings.") || k.starts_with("reviews."))
    {
        return None;
    }
    let mut out = Map::new();
    for (k, v) in obj {
        let split = k
            .split_once('.')
            .filter(|(head, _)| ["ratings", "reviews"].contains(head) && !obj.contains_key(*head));
        match split {
            Some((head, tail)) => {
                let entry = out
                    .entry(head.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(inner) = entry {
                    inner.insert(tail.to_string(), v.clone());
                }
            }
            None => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Some(Value::Object(out))
}

/// An object, also accepted as JSON text (a CSV cell).
fn object_or_text(v: &Value) -> std::borrow::Cow<'_, Value> {
    match v {
        Value::String(s) if s.trim_start().starts_with('{') => {
            match serde_json::from_str::<Value>(s) {
                Ok(parsed @ Value::Object(_)) => std::borrow::Cow::Owned(parsed),
                _ => std::borrow::Cow::Borrowed(v),
            }
        }
        _ => std::borrow::Cow::Borrowed(v),
    }
}

impl TryFrom<Value> for StaffRecord {
    type Error = RecordError;
    fn try_from(value: Value) -> Result<Self, RecordError> {
        StaffRecord::from_json(&value)
    }
}

fn read_period(field: &str, v: &Value) -> Result<Period, RecordError> {
    match v {
        Value::String(s) => s
            .parse()
            .map_err(|_| fields::invalid(field, "a month YYYY-MM", v)),
        _ => Err(fields::invalid(field, "a month YYYY-MM", v)),
    }
}

/// A decimal within `lo..=hi` (ratings and review scores).
fn score_in(field: &str, v: &Value, lo: i64, hi: i64) -> Result<Decimal, RecordError> {
    let expected = format!("a number from {lo} to {hi}");
    let d = fields::decimal(field, v, &expected)?;
    if d < Decimal::from(lo) || d > Decimal::from(hi) {
        return Err(fields::invalid(field, &expected, v));
    }
    Ok(d)
}

fn read_ratings(path: &str, v: &Value) -> Result<Ratings, RecordError> {
    let v = object_or_text(v);
    let f = Fields::open(&v, path, RATING_FIELDS)?;
    let knowledge = f.req(path, "knowledge", |p, v| {
        let item = |p: &str, v: &Value| fields::choice::<Knowledge>(p, v, Knowledge::NAMES);
        match v {
            // A table cell: `products;industry` (or JSON text, which `list` reads).
            Value::String(s) if !s.trim_start().starts_with('[') => s
                .split([';', ','])
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .enumerate()
                .map(|(i, x)| item(&format!("{p}[{i}]"), &Value::from(x)))
                .collect(),
            _ => fields::list(p, v, item),
        }
    })?;
    if let Some(i) = (0..knowledge.len()).find(|&i| knowledge[..i].contains(&knowledge[i])) {
        let field = format!("{path}.knowledge[{i}]");
        return Err(fields::invalid(
            &field,
            "each criterion at most once",
            &Value::from(knowledge[i].as_str()),
        ));
    }
    let responsibility = f.req(path, "responsibility", |p, v| {
        let expected = "5, 4.5, or a number from 0 to 3";
        let d = fields::decimal(p, v, expected)?;
        let allowed = d == Decimal::from(5)
            || d == Decimal::new(45, 1)
            || (d >= Decimal::ZERO && d <= Decimal::from(3));
        if allowed {
            Ok(d)
        } else {
            Err(fields::invalid(p, expected, v))
        }
    })?;
    Ok(Ratings {
        market_info: f.req(path, "market_info", |p, v| score_in(p, v, 0, 10))?,
        teamwork: f.req(path, "teamwork", |p, v| score_in(p, v, 0, 10))?,
        knowledge,
        analysis: f.req(path, "analysis", |p, v| {
            fields::choice(p, v, Analysis::NAMES)
        })?,
        communication: f.req(path, "communication", |p, v| {
            fields::choice(p, v, Communication::NAMES)
        })?,
        responsibility,
    })
}

fn read_reviews(path: &str, v: &Value) -> Result<Reviews, RecordError> {
    let v = object_or_text(v);
    let f = Fields::open(&v, path, REVIEW_FIELDS)?;
    Ok(Reviews {
        self_review: f.req(path, "self", |p, v| score_in(p, v, 0, 100))?,
        supervisor: f.req(path, "supervisor", |p, v| score_in(p, v, 0, 100))?,
        customer: f.req(path, "customer", |p, v| score_in(p, v, 0, 100))?,
    })
}

/// One deduction or bonus on a scorecard item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    /// Points added (positive) or deducted (negative).
    pub points: Decimal,
    /// Why, naming the inputs and the rule.
    pub reason: String,
}

/// One scorecard line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreItem {
    /// Item id, e.g. `sales_completion`.
    pub id: String,
    /// The item's maximum (bonus items may exceed it).
    pub max: Decimal,
    /// Points scored, never below 0.
    pub score: Decimal,
    /// What moved the score from its starting value.
    pub adjustments: Vec<Adjustment>,
}

/// The 100-point scorecard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scorecard {
    /// Sum of the item scores.
    pub total: Decimal,
    /// Items in the policy's order.
    pub items: Vec<ScoreItem>,
}

/// Every staff decision for one month (spec §3 "Staff result").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)] // each field is documented in spec §3
pub struct StaffResult {
    pub id: String,
    pub period: Period,
    /// Each KPI as an exact fraction, or null (the reasons say why).
    pub kpis: BTreeMap<String, Option<Decimal>>,
    pub scorecard: Scorecard,
    pub grade: String,
    pub actions: Vec<String>,
    pub composite: Option<Decimal>,
    pub reasons: Vec<Reason>,
    pub policy: PolicyInfo,
}
