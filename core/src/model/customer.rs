//! The customer record (客户档案) and the customer result (docs/policy.md §Customers).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::declare::{record, result};
use super::fields;
use super::kind::{self, Readable};
use super::string_enum;
use super::{PolicyInfo, Reason};
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

record! {
    /// A dated incident in the customer's history.
    pub struct Incident {
        /// When it happened.
        date: NaiveDate = required(kind::Date),
        /// What happened.
        kind: IncidentKind = required(kind::choice::<IncidentKind>()),
    }
}

record! {
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
    #[derive(serde::Deserialize)]
    #[serde(try_from = "Value")]
    pub struct CustomerRecord {
        /// The CRM's customer id.
        id: String = required(kind::Id),
        /// Company name.
        name: String = default(kind::Text),
        /// 行业: the industry, free text.
        industry: String = default(kind::Text),
        /// 规模: company size.
        scale: Option<Scale> = optional(kind::choice::<Scale>()),
        /// Which of the four relationship types the customer has with us.
        relationship: Option<Relationship> = optional(kind::choice::<Relationship>()),
        /// 业务量: business with us over the last 12 months, in yuan.
        annual_revenue: Decimal = required(kind::Money),
        /// 累计消耗: all business with us so far.
        cumulative_revenue: Decimal = or(kind::Money, annual_revenue, "= `annual_revenue`"),
        /// 单一合同: the largest single contract.
        largest_contract: Decimal = default(kind::Money),
        /// 滞期付款: late payments in the evaluation period.
        late_payments: u32 = default(kind::Count),
        /// 逾期未提货: goods not collected on time in the evaluation period.
        overdue_pickups: u32 = default(kind::Count),
        /// 信用: 很好/好/一般/差/很差.
        credit_rating: CreditRating =
            or(kind::choice::<CreditRating>(), CreditRating::Fair, "`fair`"),
        /// 重大法律纠纷: major legal disputes.
        legal_disputes: u32 = default(kind::Count),
        /// 不良信用记录: a bad credit record on file.
        bad_credit_record: bool = default(kind::Flag),
        /// A clear need for what we sell, and the means to buy it.
        business_need: bool = default(kind::Flag),
        /// Accepts our product and service philosophy.
        aligned: bool = default(kind::Flag),
        /// Fits our market strategy and has potential.
        strategic_fit: bool = default(kind::Flag),
        /// Wants a long-term partnership.
        long_term_intent: bool = default(kind::Flag),
        /// 行业影响力: influence in its industry, a reference for others.
        industry_influence: bool = default(kind::Flag),
        /// 集团客户: part of a group account.
        group_member: bool = default(kind::Flag),
        /// Customers it referred to us who signed.
        referrals_closed: u32 = default(kind::Count),
        /// The tier from the previous evaluation (one of the policy's tiers); null for a new customer.
        tier: Option<String> = optional(kind::Text),
        /// 黑名单: when the customer's blacklisting ends.
        blacklisted_until: Option<NaiveDate> = optional(kind::Date),
        /// Dated incidents (late payments, breaches, losses…) that drive downgrades and blacklisting.
        incidents: Vec<Incident> = default(kind::List(kind::nested::<Incident>())),
        /// 拜访: the last visit.
        last_visit: Option<NaiveDate> = optional(kind::Date),
        /// Free-form fields a CRM adds, visible to rules as `c.attributes`.
        attributes: Map<String, Value> = default(kind::Attributes),
    }
}

impl CustomerRecord {
    /// Reads a record from a JSON object, filling defaults.
    ///
    /// Errors name the record id (when readable) and the first invalid field.
    pub fn from_json(value: &Value) -> Result<Self, RecordError> {
        fields::naming_id(value, |v| <Self as Readable>::read("", v))
    }

    /// Reads a record from JSON text (a line of a JSON Lines file): the same
    /// record, or the same error, as [`parse_json`](crate::model::parse_json)
    /// and [`CustomerRecord::from_json`], but a record that reads cleanly is
    /// read field by field straight from the text, without building the
    /// whole document first.
    ///
    /// ```
    /// let r = kam::CustomerRecord::from_json_str(r#"{"id": "C-1", "annual_revenue": "1200000.50"}"#)?;
    /// assert_eq!(r.annual_revenue.to_string(), "1200000.50");
    /// let e = kam::CustomerRecord::from_json_str(r#"{"id": "C-2", "anual_revenue": 1}"#).unwrap_err();
    /// assert_eq!((e.id.as_deref(), e.field.as_deref()), (Some("C-2"), Some("anual_revenue")));
    /// # Ok::<(), kam::RecordError>(())
    /// ```
    pub fn from_json_str(text: &str) -> Result<Self, RecordError> {
        match Self::read_json_text(text) {
            Some(record) => Ok(record),
            None => Self::from_json(&super::parse_json(text)?),
        }
    }
}

impl TryFrom<Value> for CustomerRecord {
    type Error = RecordError;
    fn try_from(value: Value) -> Result<Self, RecordError> {
        CustomerRecord::from_json(&value)
    }
}

result! {
    /// The admission decision (准入) and its approval chain.
    pub struct Admission {
        /// True when no check failed.
        admitted: bool = rule,
        /// Failed checks, in the policy's order.
        failed: Vec<String> = rule,
        /// Who must approve, in order; empty when not admitted.
        approvals: Vec<String> = rule,
    }
}

result! {
    /// A proposal to blacklist, pending confirmation.
    pub struct BlacklistProposal {
        /// Proposed end of the blacklist.
        until: NaiveDate = rule,
        /// Who must confirm it.
        needs: Vec<String> = rule,
    }
}

result! {
    /// The visit cadence for the customer's tier.
    pub struct Visit {
        /// Days between visits (a whole number > 0).
        interval_days: i64 = rule,
        /// When the next visit is due.
        next_due: NaiveDate = rule,
        /// Whether a visit is already late.
        overdue: bool = rule,
    }
}

result! {
    /// Every customer decision, with its reasons.
    pub struct CustomerResult {
        /// The record's id.
        id: String = core,
        /// `active`, or `blacklisted` while a blacklisting lasts.
        status: Status = rule,
        /// One of the policy's tiers, or null (blacklisted).
        tier: Option<String> = rule,
        /// The record's `tier`: the previous evaluation's.
        previous_tier: Option<String> = core,
        /// How the tier moved against the previous one.
        change: Change = rule,
        /// When a downgrade must take effect, if there is one.
        downgrade_deadline: Option<NaiveDate> = rule,
        /// Whether the customer is a key account (大客户).
        key_account: bool = rule,
        /// Overlapping categories (premium, high value, group, strategic…).
        categories: Vec<String> = rule,
        /// The admission checks and approval chain.
        admission: Admission = rule,
        /// A proposal to blacklist, or null.
        blacklist_proposal: Option<BlacklistProposal> = rule,
        /// The visit cadence, or null when the tier has none.
        visit: Option<Visit> = rule,
        /// Every decision explained.
        reasons: Vec<Reason> = rule,
        /// The policy that decided.
        policy: PolicyInfo = core,
    }
}
