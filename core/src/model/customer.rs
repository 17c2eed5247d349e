//! The customer record (客户档案) and the customer result, spec §2.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::fields::{self, Fields};
use super::string_enum;
use crate::error::RecordError;

string_enum! {
    /// 规模: company size (000).
    Scale { Large = "large", Medium = "medium", Small = "small" }
}

string_enum! {
    /// The four relationship types (003 1.3).
    Relationship {
        Vendor = "vendor",
        PreferredSupplier = "preferred_supplier",
        Partner = "partner",
        StrategicAlliance = "strategic_alliance",
    }
}

string_enum! {
    /// 信用: 很好/好/一般/差/很差.
    CreditRating { Excellent = "excellent", Good = "good", Fair = "fair", Poor = "poor", Bad = "bad" }
}

string_enum! {
    /// Kinds of incident that drive downgrades and blacklisting (002 3.2).
    IncidentKind {
        LatePayment = "late_payment",
        ContractBreach = "contract_breach",
        OperatingCrisis = "operating_crisis",
        MajorLoss = "major_loss",
        ReputationDamage = "reputation_damage",
    }
}

string_enum! {
    /// Whether the customer is served or blacklisted.
    Status { Active = "active", Blacklisted = "blacklisted" }
}

string_enum! {
    /// How the tier moved against the previous evaluation.
    Change {
        New = "new",
        Upgrade = "upgrade",
        Downgrade = "downgrade",
        Unchanged = "unchanged",
        Blacklisted = "blacklisted",
    }
}

/// A dated incident in the customer's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    /// When it happened.
    pub date: NaiveDate,
    /// What happened.
    pub kind: IncidentKind,
}

/// One customer, as a CRM exports it, with every default filled.
///
/// Build it from JSON with [`CustomerRecord::from_json`] (or serde, which goes
/// through the same checks), so every invalid field is reported by name.
///
/// ```
/// let record = kam::CustomerRecord::from_json(&serde_json::json!({
///     "id": "C-001", "annual_revenue": "2999999.99", "credit_rating": "good"
/// })).unwrap();
/// assert_eq!(record.cumulative_revenue.to_string(), "2999999.99"); // defaults to annual
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
#[allow(missing_docs)] // each field is documented in spec §2's table
pub struct CustomerRecord {
    pub id: String,
    pub name: String,
    pub industry: String,
    pub scale: Option<Scale>,
    pub relationship: Option<Relationship>,
    pub annual_revenue: Decimal,
    pub cumulative_revenue: Decimal,
    pub largest_contract: Decimal,
    pub late_payments: u32,
    pub overdue_pickups: u32,
    pub credit_rating: CreditRating,
    pub legal_disputes: u32,
    pub bad_credit_record: bool,
    pub business_need: bool,
    pub aligned: bool,
    pub strategic_fit: bool,
    pub long_term_intent: bool,
    pub industry_influence: bool,
    pub group_member: bool,
    pub referrals_closed: u32,
    /// The tier from the previous evaluation; `None` for a new customer.
    pub tier: Option<String>,
    pub blacklisted_until: Option<NaiveDate>,
    pub incidents: Vec<Incident>,
    pub last_visit: Option<NaiveDate>,
    /// Free-form CRM fields, visible to rules as `c.attributes`.
    pub attributes: Map<String, Value>,
}

/// Every field of the customer record, in contract order.
pub(crate) const FIELDS: &[&str] = &[
    "id",
    "name",
    "industry",
    "scale",
    "relationship",
    "annual_revenue",
    "cumulative_revenue",
    "largest_contract",
    "late_payments",
    "overdue_pickups",
    "credit_rating",
    "legal_disputes",
    "bad_credit_record",
    "business_need",
    "aligned",
    "strategic_fit",
    "long_term_intent",
    "industry_influence",
    "group_member",
    "referrals_closed",
    "tier",
    "blacklisted_until",
    "incidents",
    "last_visit",
    "attributes",
];

impl CustomerRecord {
    /// Reads a record from a JSON object, filling defaults.
    ///
    /// Errors name the record id (when readable) and the first invalid field.
    pub fn from_json(value: &Value) -> Result<Self, RecordError> {
        fields::naming_id(value, Self::read)
    }

    fn read(value: &Value) -> Result<Self, RecordError> {
        let f = Fields::open(value, "", FIELDS)?;
        let id = f.req("", "id", fields::id)?;
        let annual_revenue = f.req("", "annual_revenue", fields::money)?;
        let text = |name| f.opt("", name, fields::text).map(Option::unwrap_or_default);
        let money = |name| f.opt("", name, fields::money);
        let count = |name| {
            f.opt("", name, fields::count)
                .map(Option::unwrap_or_default)
        };
        let flag = |name| f.opt("", name, fields::flag).map(Option::unwrap_or_default);
        Ok(CustomerRecord {
            name: text("name")?,
            industry: text("industry")?,
            scale: f.opt("", "scale", |p, v| fields::choice(p, v, Scale::NAMES))?,
            relationship: f.opt("", "relationship", |p, v| {
                fields::choice(p, v, Relationship::NAMES)
            })?,
            cumulative_revenue: money("cumulative_revenue")?.unwrap_or(annual_revenue),
            annual_revenue,
            largest_contract: money("largest_contract")?.unwrap_or_default(),
            late_payments: count("late_payments")?,
            overdue_pickups: count("overdue_pickups")?,
            credit_rating: f
                .opt("", "credit_rating", |p, v| {
                    fields::choice(p, v, CreditRating::NAMES)
                })?
                .unwrap_or(CreditRating::Fair),
            legal_disputes: count("legal_disputes")?,
            bad_credit_record: flag("bad_credit_record")?,
            business_need: flag("business_need")?,
            aligned: flag("aligned")?,
            strategic_fit: flag("strategic_fit")?,
            long_term_intent: flag("long_term_intent")?,
            industry_influence: flag("industry_influence")?,
            group_member: flag("group_member")?,
            referrals_closed: count("referrals_closed")?,
            tier: f.opt("", "tier", fields::text)?,
            blacklisted_until: f.opt("", "blacklisted_until", fields::date)?,
            incidents: f
                .opt("", "incidents", |p, v| fields::list(p, v, read_incident))?
                .unwrap_or_default(),
            last_visit: f.opt("", "last_visit", fields::date)?,
            attributes: f.opt("", "attributes", fields::object)?.unwrap_or_default(),
            id,
        })
    }
}

/// The record's id if it has a usable one, so even a broken record's error names it.
pub(crate) fn read_id(value: &Value) -> Option<String> {
    match value.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

fn read_incident(path: &str, v: &Value) -> Result<Incident, RecordError> {
    let f = Fields::open(v, path, &["date", "kind"])?;
    Ok(Incident {
        date: f.req(path, "date", fields::date)?,
        kind: f.req(path, "kind", |p, v| {
            fields::choice(p, v, IncidentKind::NAMES)
        })?,
    })
}

impl TryFrom<Value> for CustomerRecord {
    type Error = RecordError;
    fn try_from(value: Value) -> Result<Self, RecordError> {
        CustomerRecord::from_json(&value)
    }
}

/// One explained decision: which rule, and why, in a sales manager's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// Dotted rule id, e.g. `tier.base`.
    pub rule: String,
    /// The explanation, naming inputs and thresholds.
    pub message: String,
}

/// The admission decision (准入) and its approval chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Admission {
    /// True when no check failed.
    pub admitted: bool,
    /// Failed checks, in the policy's order.
    pub failed: Vec<String>,
    /// Who must approve, in order; empty when not admitted.
    pub approvals: Vec<String>,
}

/// A proposal to blacklist, pending confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlacklistProposal {
    /// Proposed end of the blacklist.
    pub until: NaiveDate,
    /// Who must confirm it.
    pub needs: Vec<String>,
}

/// The visit cadence for the customer's tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    /// Days between visits.
    pub interval_days: i64,
    /// When the next visit is due.
    pub next_due: NaiveDate,
    /// Whether a visit is already late.
    pub overdue: bool,
}

/// Which policy produced a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyInfo {
    /// Declared policy name.
    pub name: String,
    /// Declared policy version.
    pub version: String,
    /// Content hash of every policy file.
    pub digest: String,
}

/// Every customer decision, with its reasons (spec §2 "Customer result").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)] // each field is documented in spec §2
pub struct CustomerResult {
    pub id: String,
    pub status: Status,
    pub tier: Option<String>,
    pub previous_tier: Option<String>,
    pub change: Change,
    pub downgrade_deadline: Option<NaiveDate>,
    pub key_account: bool,
    pub categories: Vec<String>,
    pub admission: Admission,
    pub blacklist_proposal: Option<BlacklistProposal>,
    pub visit: Option<Visit>,
    pub reasons: Vec<Reason>,
    pub policy: PolicyInfo,
}
