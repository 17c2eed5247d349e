//! The staff period record (绩效考核: one person, one month) and its result
//! (docs/policy.md §Staff).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::declare::{record, result};
use super::fields;
use super::kind::{self, Readable};
use super::period::Period;
use super::string_enum;
use super::{Facts, PolicyInfo, Reason};
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

/// 责任感: 5, 4.5, or a number from 0 to 3.
pub struct Responsibility;

impl kind::Kind for Responsibility {
    type Out = Decimal;
    fn read(&self, path: &str, v: &Value) -> Result<Decimal, RecordError> {
        let expected = "5, 4.5, or a number from 0 to 3";
        let d = fields::decimal(path, v, expected)?;
        let allowed = d == Decimal::from(5)
            || d == Decimal::new(45, 1)
            || (d >= Decimal::ZERO && d <= Decimal::from(3));
        if allowed {
            Ok(d)
        } else {
            Err(fields::invalid(path, expected, v))
        }
    }
    fn accepts(&self) -> String {
        "5, 4.5, or number 0–3".into()
    }
}

record! {
    /// The supervisor's ratings of one month.
    pub struct Ratings {
        /// 市场信息收集: gathering market information.
        market_info: Decimal = required(kind::Score(0, 10)),
        /// 团队协作: teamwork.
        teamwork: Decimal = required(kind::Score(0, 10)),
        /// 专业知识: the knowledge criteria met.
        knowledge: Vec<Knowledge> = required(kind::set::<Knowledge>()),
        /// 分析判断能力: analysis and judgement.
        analysis: Analysis = required(kind::choice::<Analysis>()),
        /// 沟通能力: communication.
        communication: Communication = required(kind::choice::<Communication>()),
        /// 责任感: sense of responsibility.
        responsibility: Decimal = required(Responsibility),
    }
}

record! {
    /// Composite review scores.
    pub struct Reviews {
        /// 自评: the person's own review.
        self_review as "self": Decimal = required(kind::Score(0, 100)),
        /// 上级评价: the supervisor's review.
        supervisor: Decimal = required(kind::Score(0, 100)),
        /// 客户评价: the customers' review.
        customer: Decimal = required(kind::Score(0, 100)),
    }
}

record! {
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
    #[derive(serde::Deserialize)]
    #[serde(try_from = "Value")]
    pub struct StaffRecord {
        /// The person's id.
        id: String = required(kind::Id),
        /// The person's name.
        name: String = default(kind::Text),
        /// 大客户总监/经理/专员, KA 业务代表.
        role: Role = required(kind::choice::<Role>()),
        /// The month scored.
        period: Period = required(kind::Month),
        /// 计划完成销售额: the month's sales target.
        sales_target: Decimal = required(kind::PositiveMoney),
        /// 实际完成销售额: sales achieved.
        sales_actual: Decimal = required(kind::Money),
        /// The previous period's sales (for growth), or null.
        sales_previous: Option<Decimal> = optional(kind::Money),
        /// 新客户开发: new customers planned.
        new_customers_target: u32 = default(kind::Count),
        /// New customers won.
        new_customers_actual: u32 = default(kind::Count),
        /// Days at work this month (at most the month's days).
        days_present: u32 = required(kind::Count),
        /// 迟到: late arrivals.
        late_arrivals: u32 = default(kind::Count),
        /// 不来公司报道直接下市场: days in the field without reporting in first.
        unreported_field_days: u32 = default(kind::Count),
        /// 违反公司管理制度: breaches of company rules.
        violations: u32 = default(kind::Count),
        /// 客户投诉: valid customer complaints.
        complaints: u32 = default(kind::Count),
        /// The supervisor's ratings.
        ratings: Ratings = required(kind::nested::<Ratings>()),
        /// Contracts settled (department KPI input).
        contracts_settled: Option<Decimal> = optional(kind::Money),
        /// Settlements planned (department KPI input).
        settlement_planned: Option<Decimal> = optional(kind::Money),
        /// Money collected (department KPI input).
        collected: Option<Decimal> = optional(kind::Money),
        /// Money due to be collected (department KPI input).
        collectible: Option<Decimal> = optional(kind::Money),
        /// Expenses (department KPI input).
        expenses: Option<Decimal> = optional(kind::Money),
        /// The expense budget (department KPI input).
        expense_budget: Option<Decimal> = optional(kind::Money),
        /// Accounts at the start of the month (department KPI input).
        accounts_start: Option<u32> = optional(kind::Count),
        /// Accounts lost (department KPI input).
        accounts_lost: Option<u32> = optional(kind::Count),
        /// Customer archives complete (department KPI input).
        archives_complete: Option<u32> = optional(kind::Count),
        /// Customer archives in all (department KPI input).
        archives_total: Option<u32> = optional(kind::Count),
        /// 自评 / 上级评价 / 客户评价, or null.
        reviews: Option<Reviews> = optional(kind::nested::<Reviews>()),
        /// Free-form fields a CRM adds, visible to rules as `s.attributes`.
        attributes: Map<String, Value> = default(kind::Attributes),
    }
    check(check_days);
}

/// Days present cannot exceed the days of the month.
fn check_days(r: &StaffRecord, path: &str) -> Result<(), RecordError> {
    if r.days_present > r.period.days() {
        let expected = format!("at most the {} days of {}", r.period.days(), r.period);
        return Err(fields::invalid(
            &fields::join(path, "days_present"),
            &expected,
            &Value::from(r.days_present),
        ));
    }
    Ok(())
}

impl StaffRecord {
    /// Reads a record from a JSON object, filling defaults; errors name the id and field.
    ///
    /// Tables (CSV) may give `ratings` and `reviews` as JSON text in one cell,
    /// or as dotted columns (`ratings.market_info`, `reviews.self`, …), and
    /// `ratings.knowledge` as a list like `products;industry`.
    pub fn from_json(value: &Value) -> Result<Self, RecordError> {
        let nested = nest_dotted(value);
        fields::naming_id(nested.as_ref().unwrap_or(value), |v| {
            <Self as Readable>::read("", v)
        })
    }

    /// Reads a record from JSON text: the same record, or the same error, as
    /// [`parse_json`](crate::model::parse_json) and [`StaffRecord::from_json`],
    /// read straight from the text when it reads cleanly (see
    /// [`CustomerRecord::from_json_str`](crate::CustomerRecord::from_json_str)).
    pub fn from_json_str(text: &str) -> Result<Self, RecordError> {
        match Self::read_json_text(text) {
            Some(record) => Ok(record),
            None => Self::from_json(&super::parse_json(text)?),
        }
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

impl TryFrom<Value> for StaffRecord {
    type Error = RecordError;
    fn try_from(value: Value) -> Result<Self, RecordError> {
        StaffRecord::from_json(&value)
    }
}

result! {
    /// One deduction or bonus on a scorecard item.
    pub struct Adjustment {
        /// Points added (positive) or deducted (negative).
        points: Decimal = rule,
        /// Which adjustment, e.g. `scorecard.attendance.late`.
        code: String = rule,
        /// The exact values that decided it.
        facts: Facts = rule,
        /// The code's template rendered with the facts; null for codes only.
        message: Option<String> = rule,
    }
}

result! {
    /// One scorecard line.
    pub struct ScoreItem {
        /// Item id, e.g. `sales_completion`.
        id: String = rule,
        /// The item's maximum (bonus items may exceed it).
        max: Decimal = rule,
        /// Points scored, never below 0.
        score: Decimal = rule,
        /// What moved the score from its starting value.
        adjustments: Vec<Adjustment> = rule,
    }
}

result! {
    /// The 100-point scorecard.
    pub struct Scorecard {
        /// Sum of the item scores, exactly.
        total: Decimal = rule,
        /// Items in the policy's order.
        items: Vec<ScoreItem> = rule,
    }
}

result! {
    /// Every staff decision for one month.
    pub struct StaffResult {
        /// The record's id.
        id: String = core,
        /// The record's month.
        period: Period = core,
        /// Each KPI as an exact fraction, or null (the reasons say why).
        kpis: BTreeMap<String, Option<Decimal>> = rule,
        /// The 100-point scorecard.
        scorecard: Scorecard = rule,
        /// The grade of the scorecard's total.
        grade: String = rule,
        /// What the grade brings (a bonus, a warning…).
        actions: Vec<String> = rule,
        /// The composite of the reviews, or null.
        composite: Option<Decimal> = rule,
        /// Every decision explained.
        reasons: Vec<Reason> = rule,
        /// The policy that decided.
        policy: PolicyInfo = core,
    }
}
