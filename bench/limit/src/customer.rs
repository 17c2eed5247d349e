//! The customer policy (`rules/customer*.rhai`, `rules/common.rhai`) by hand.
//!
//! Each function mirrors the rule function of the same name and appends the
//! same reasons in the same order. Parameters are the defaults of
//! `rules/parameters.rhai`, as constants.

use chrono::{Days, Months, NaiveDate};
use kam::model::{Admission, BlacklistProposal, CreditRating, Incident, IncidentKind, Visit};
use kam::{Change, CustomerRecord, CustomerResult, PolicyInfo, Status};
use rust_decimal::Decimal;

use crate::format::{text, Day, Money};
use crate::why::{self, day, dec, int, texts, Why};

// ── Parameters (rules/parameters.rhai) ───────────────────────────────────────

/// `a_min_revenue`, `b_min_revenue`, `c_min_revenue`.
const A_MIN_REVENUE: Decimal = Decimal::from_parts(3_000_000, 0, 0, false, 0);
const B_MIN_REVENUE: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
const C_MIN_REVENUE: Decimal = Decimal::from_parts(500_000, 0, 0, false, 0);
/// `premium_min_cumulative`, `high_value_min_contract`.
const PREMIUM_MIN_CUMULATIVE: Decimal = Decimal::from_parts(10_000_000, 0, 0, false, 0);
const HIGH_VALUE_MIN_CONTRACT: Decimal = Decimal::from_parts(10_000_000, 0, 0, false, 0);
/// `key_account_min_revenue`.
const KEY_ACCOUNT_MIN_REVENUE: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
/// The same thresholds as `money()` writes them.
const A_MIN_TEXT: &str = "3,000,000";
const B_MIN_TEXT: &str = "1,000,000";
const C_MIN_TEXT: &str = "500,000";
const PREMIUM_MIN_TEXT: &str = "10,000,000";
const HIGH_VALUE_MIN_TEXT: &str = "10,000,000";
const KEY_ACCOUNT_MIN_TEXT: &str = "1,000,000";
/// The same thresholds as the rules pass them in facts (whole numbers).
const A_MIN: i64 = 3_000_000;
const B_MIN: i64 = 1_000_000;
const C_MIN: i64 = 500_000;
const PREMIUM_MIN: i64 = 10_000_000;
const HIGH_VALUE_MIN: i64 = 10_000_000;
const KEY_ACCOUNT_MIN: i64 = 1_000_000;
/// `premium_min_referrals`.
const PREMIUM_MIN_REFERRALS: u32 = 1;
/// `period_months`, `downgrade_days`, `downgrade_severe_count`, `blacklist_months`.
const PERIOD_MONTHS: u32 = 12;
const DOWNGRADE_DAYS: u64 = 5;
const DOWNGRADE_SEVERE_COUNT: usize = 2;
const BLACKLIST_MONTHS: u32 = 6;
/// `blacklist_confirmed_by`, `admission_approvals`.
const BLACKLIST_CONFIRMED_BY: &str = "general_manager_office";
const ADMISSION_APPROVALS: [&str; 3] = ["account_manager", "department_head", "company_leader"];
/// `downgrade_cap`, `downgrade_severe_cap`, `reentry_cap`.
const DOWNGRADE_CAP: Tier = Tier::B;
const DOWNGRADE_SEVERE_CAP: Tier = Tier::C;
const REENTRY_CAP: Tier = Tier::C;

/// The declared tiers (`policy.rhai`), best first: the discriminant is the rank.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(crate) enum Tier {
    A,
    B,
    C,
    D,
}

impl Tier {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Tier::A => "A",
            Tier::B => "B",
            Tier::C => "C",
            Tier::D => "D",
        }
    }

    fn parse(label: &str) -> Option<Tier> {
        match label {
            "A" => Some(Tier::A),
            "B" => Some(Tier::B),
            "C" => Some(Tier::C),
            "D" => Some(Tier::D),
            _ => None,
        }
    }

    /// `worse(a, b)`: the lower of two tiers.
    fn worse(self, other: Tier) -> Tier {
        self.max(other)
    }

    /// `visit_interval_days`: A every 30 days, B every 60, others no plan.
    fn visit_interval(self) -> Option<u32> {
        match self {
            Tier::A => Some(30),
            Tier::B => Some(60),
            Tier::C | Tier::D => None,
        }
    }
}

/// `good_payment(c, p)`: 付款信誉良好.
fn good_payment(c: &CustomerRecord) -> bool {
    c.late_payments == 0
        && c.overdue_pickups == 0
        && matches!(
            c.credit_rating,
            CreditRating::Excellent | CreditRating::Good
        )
}

/// `credit_rating in p.b_excluded_ratings` and `in p.credit_fail_ratings` (both poor, bad).
fn poor_credit(c: &CustomerRecord) -> bool {
    matches!(c.credit_rating, CreditRating::Poor | CreditRating::Bad)
}

/// `{kind|term}` in English (rules/messages/en.rhai): the kind with its article.
fn kind_term(kind: IncidentKind) -> &'static str {
    match kind {
        IncidentKind::LatePayment => "a late_payment",
        IncidentKind::ContractBreach => "a contract_breach",
        IncidentKind::OperatingCrisis => "an operating_crisis",
        IncidentKind::MajorLoss => "a major_loss",
        IncidentKind::ReputationDamage => "a reputation_damage",
    }
}

/// The base tier without explanations (the public `base_tier`).
pub(crate) fn base(c: &CustomerRecord) -> Tier {
    let revenue = c.annual_revenue;
    if revenue >= A_MIN_REVENUE && good_payment(c) && c.long_term_intent {
        Tier::A
    } else if revenue >= B_MIN_REVENUE && !poor_credit(c) && c.legal_disputes == 0 {
        Tier::B
    } else if revenue >= C_MIN_REVENUE {
        Tier::C
    } else {
        Tier::D
    }
}

/// The evaluation period: `as_of - period_months < date <= as_of`.
struct Period {
    after: NaiveDate,
    as_of: NaiveDate,
}

impl Period {
    fn new(as_of: NaiveDate) -> Period {
        // `add_months(-12)` clamps to the month's end (2028-02-29 → 2027-02-28).
        // For an as_of in year 1 the start leaves kam's calendar (a rule error
        // in kam once an incident is checked); the fallback only avoids a panic.
        let after = as_of
            .checked_sub_months(Months::new(PERIOD_MONTHS))
            .unwrap_or(NaiveDate::MIN);
        Period { after, as_of }
    }

    fn holds(&self, date: NaiveDate) -> bool {
        date > self.after && date <= self.as_of
    }
}

/// `d.add_days(n)`; beyond the calendar kam reports a rule error, here the date stays.
fn add_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(d)
}

/// Whole default customer policy (`customer(c, as_of, p)` in `rules/customer.rhai`).
pub(crate) fn evaluate(
    c: &CustomerRecord,
    as_of: NaiveDate,
    policy: &PolicyInfo,
) -> CustomerResult {
    let mut why = Why(Vec::with_capacity(8));

    // 1. Active blacklist: no tier, no visits; admission still fails visibly.
    if let Some(until) = c.blacklisted_until.filter(|d| *d > as_of) {
        why.note(
            "blacklist.active",
            [("until", day(until))],
            text!(
                "blacklisted until {}: no tier, no visits, admission refused",
                Day(until)
            ),
        );
        let key_account = key_account(c, &mut why);
        let admission = admission(c, as_of, &mut why);
        return CustomerResult {
            id: c.id.clone(),
            status: Status::Blacklisted,
            tier: None,
            previous_tier: c.tier.clone(),
            change: Change::Blacklisted,
            downgrade_deadline: None,
            key_account,
            categories: Vec::new(),
            admission,
            blacklist_proposal: None,
            visit: None,
            reasons: why.0,
            policy: policy.clone(),
        };
    }

    // 2-5. Tier: base grade, then the caps for downgrades and re-entry.
    // kam refuses a record whose `tier` is not a declared tier.
    let previous = c.tier.as_deref().and_then(Tier::parse);
    let period = Period::new(as_of);
    let mut tier = base_tier(c, &mut why);
    let mut deadline = None;
    if let Some((capped, by)) = a_downgrade(c, previous, tier, &period, &mut why) {
        tier = capped;
        deadline = Some(by);
    }
    let tier = reentry_cap(c, tier, as_of, &mut why);

    // 6-10, in the order of the result map.
    let change = change(previous, tier, &mut why);
    let key_account = key_account(c, &mut why);
    let categories = categories(c, &mut why);
    let admission = admission(c, as_of, &mut why);
    let blacklist_proposal = blacklist_proposal(c, &period, &mut why);
    let visit = visit(c, tier, as_of, &mut why);
    CustomerResult {
        id: c.id.clone(),
        status: Status::Active,
        tier: Some(tier.as_str().to_owned()),
        previous_tier: c.tier.clone(),
        change,
        downgrade_deadline: deadline,
        key_account,
        categories,
        admission,
        blacklist_proposal,
        visit,
        reasons: why.0,
        policy: policy.clone(),
    }
}

/// Step 2, `base_tier(c, p)`: why each better tier is not reached, then the
/// tier, one reason each, with the thresholds that decided.
fn base_tier(c: &CustomerRecord, why: &mut Why) -> Tier {
    let revenue = Money(c.annual_revenue);
    let r = dec(c.annual_revenue);
    let credit = c.credit_rating.as_str();
    // A, or why not.
    if c.annual_revenue < A_MIN_REVENUE {
        why.note(
            "tier.base.below_a_revenue",
            [
                ("tier", why::text("A")),
                ("revenue", r.clone()),
                ("threshold", int(A_MIN)),
            ],
            text!("not A: annual revenue {revenue} is below the A threshold {A_MIN_TEXT}"),
        );
    } else if !good_payment(c) {
        why.note(
            "tier.base.below_a_payment",
            [
                ("tier", why::text("A")),
                ("revenue", r.clone()),
                ("threshold", int(A_MIN)),
                ("late_payments", int(c.late_payments)),
                ("overdue_pickups", int(c.overdue_pickups)),
                ("credit", why::text(credit)),
            ],
            text!(
                "not A: annual revenue {revenue} reaches the A threshold {A_MIN_TEXT} but the payment \
                 record is not good (late payments {}, overdue pickups {}, credit {credit})",
                c.late_payments,
                c.overdue_pickups,
            ),
        );
    } else if !c.long_term_intent {
        why.note(
            "tier.base.below_a_intent",
            [("tier", why::text("A")), ("revenue", r.clone()), ("threshold", int(A_MIN))],
            text!(
                "not A: annual revenue {revenue} reaches the A threshold {A_MIN_TEXT} but no long-term \
                 partnership intent is recorded"
            ),
        );
    } else {
        why.note(
            "tier.base.reaches_a",
            [
                ("tier", why::text("A")),
                ("revenue", r),
                ("threshold", int(A_MIN)),
            ],
            text!(
                "A: annual revenue {revenue} reaches the A threshold {A_MIN_TEXT}, the payment \
                 record is good and the customer intends a long-term partnership"
            ),
        );
        return Tier::A;
    }
    // B, or why not.
    if c.annual_revenue < B_MIN_REVENUE {
        why.note(
            "tier.base.below_b_revenue",
            [
                ("tier", why::text("B")),
                ("revenue", r.clone()),
                ("threshold", int(B_MIN)),
            ],
            text!("not B: annual revenue {revenue} is below the B threshold {B_MIN_TEXT}"),
        );
    } else if poor_credit(c) {
        why.note(
            "tier.base.below_b_credit",
            [("tier", why::text("B")), ("credit", why::text(credit))],
            text!("not B: credit {credit} rules out B"),
        );
    } else if c.legal_disputes > 0 {
        why.note(
            "tier.base.below_b_disputes",
            [
                ("tier", why::text("B")),
                ("disputes", int(c.legal_disputes)),
            ],
            text!("not B: {} legal dispute(s) rule out B", c.legal_disputes),
        );
    } else {
        why.note(
            "tier.base.reaches_b",
            [
                ("tier", why::text("B")),
                ("revenue", r),
                ("threshold", int(B_MIN)),
                ("credit", why::text(credit)),
            ],
            text!(
                "B: annual revenue {revenue} reaches the B threshold {B_MIN_TEXT} with credit \
                 {credit} and no legal disputes"
            ),
        );
        return Tier::B;
    }
    // C or D.
    if c.annual_revenue >= C_MIN_REVENUE {
        why.note(
            "tier.base.reaches_c",
            [
                ("tier", why::text("C")),
                ("revenue", r),
                ("threshold", int(C_MIN)),
            ],
            text!("C: annual revenue {revenue} reaches the C threshold {C_MIN_TEXT}"),
        );
        Tier::C
    } else {
        why.note(
            "tier.base.below_c",
            [
                ("tier", why::text("D")),
                ("below", why::text("C")),
                ("revenue", r),
                ("threshold", int(C_MIN)),
            ],
            text!("D: annual revenue {revenue} is below the C threshold {C_MIN_TEXT}"),
        );
        Tier::D
    }
}

/// `downgrade_kinds`.
fn is_downgrade_kind(kind: IncidentKind) -> bool {
    matches!(
        kind,
        IncidentKind::LatePayment | IncidentKind::ContractBreach | IncidentKind::OperatingCrisis
    )
}

/// `blacklist_kinds`.
fn is_blacklist_kind(kind: IncidentKind) -> bool {
    matches!(
        kind,
        IncidentKind::MajorLoss | IncidentKind::ReputationDamage
    )
}

/// Step 3, `a_downgrade(c, tier, as_of, p)`: a previous-A customer with late
/// payments, breaches or a crisis in the period is capped at B (C for a crisis
/// or two or more), effective 5 days after the first. `None` when it does not apply.
fn a_downgrade(
    c: &CustomerRecord,
    previous: Option<Tier>,
    tier: Tier,
    period: &Period,
    why: &mut Why,
) -> Option<(Tier, NaiveDate)> {
    if previous != Some(Tier::A) {
        return None;
    }
    let relevant = |i: &&Incident| is_downgrade_kind(i.kind) && period.holds(i.date);
    let count = c.incidents.iter().filter(relevant).count();
    if count == 0 {
        return None;
    }
    // Oldest first; a stable sort keeps equal dates in record order, as rhai's does.
    let mut found: Vec<&Incident> = Vec::with_capacity(count);
    found.extend(c.incidents.iter().filter(relevant));
    found.sort_by_key(|i| i.date);

    let crisis = found
        .iter()
        .find(|i| i.kind == IncidentKind::OperatingCrisis);
    let severe = crisis.is_some() || found.len() >= DOWNGRADE_SEVERE_COUNT;
    let cap = if severe {
        DOWNGRADE_SEVERE_CAP
    } else {
        DOWNGRADE_CAP
    };
    let capped = tier.worse(cap);
    let deadline = add_days(found[0].date, DOWNGRADE_DAYS);

    // The first incident (it sets the deadline), each later one, why the cap
    // is the severe one, and whether the base tier was lower still.
    let first = found[0];
    why.note(
        "tier.downgrade.capped",
        [
            ("tier", why::text("A")),
            ("kind", why::text(first.kind.as_str())),
            ("date", day(first.date)),
            ("cap", why::text(cap.as_str())),
            ("deadline", day(deadline)),
        ],
        text!(
            "A customer had {} on {}: capped at {}, effective by {}",
            kind_term(first.kind),
            Day(first.date),
            cap.as_str(),
            Day(deadline)
        ),
    );
    for i in &found[1..] {
        why.note(
            "tier.downgrade.also",
            [
                ("tier", why::text("A")),
                ("kind", why::text(i.kind.as_str())),
                ("date", day(i.date)),
            ],
            text!(
                "A customer also had {} on {}",
                kind_term(i.kind),
                Day(i.date)
            ),
        );
    }
    if let Some(i) = crisis {
        why.note(
            "tier.downgrade.severe_kind",
            [
                ("kind", why::text(i.kind.as_str())),
                ("cap", why::text(cap.as_str())),
            ],
            text!("{} caps at {}", kind_term(i.kind), cap.as_str()),
        );
    } else if severe {
        why.note(
            "tier.downgrade.severe_count",
            [
                ("count", int(i64::try_from(found.len()).unwrap_or(i64::MAX))),
                (
                    "severe_count",
                    int(i64::try_from(DOWNGRADE_SEVERE_COUNT).unwrap_or(i64::MAX)),
                ),
                ("cap", why::text(cap.as_str())),
            ],
            text!(
                "{} incidents: {DOWNGRADE_SEVERE_COUNT} or more cap at {}",
                found.len(),
                cap.as_str()
            ),
        );
    }
    if capped != cap {
        why.note(
            "tier.downgrade.already_lower",
            [
                ("base", why::text(tier.as_str())),
                ("cap", why::text(cap.as_str())),
            ],
            text!(
                "the base tier {} is already lower than {}",
                tier.as_str(),
                cap.as_str()
            ),
        );
    }
    Some((capped, deadline))
}

/// Step 5, `reentry_cap(c, tier, as_of, p)`: a customer back from a blacklist with
/// no previous tier starts no better than C.
fn reentry_cap(c: &CustomerRecord, tier: Tier, as_of: NaiveDate, why: &mut Why) -> Tier {
    let Some(ended) = c.blacklisted_until.filter(|d| *d <= as_of) else {
        return tier;
    };
    if c.tier.is_some() {
        return tier;
    }
    let capped = tier.worse(REENTRY_CAP);
    if capped != tier {
        why.note(
            "tier.reentry.capped",
            [
                ("until", day(ended)),
                ("cap", why::text(REENTRY_CAP.as_str())),
                ("tier", why::text(tier.as_str())),
                ("capped", why::text(capped.as_str())),
            ],
            text!(
                "blacklist ended on {}: a returning customer starts no better than {}, so {} becomes {}",
                Day(ended),
                REENTRY_CAP.as_str(),
                tier.as_str(),
                capped.as_str()
            ),
        );
    }
    capped
}

/// Step 6, `change(previous, tier, p)`.
fn change(previous: Option<Tier>, tier: Tier, why: &mut Why) -> Change {
    let Some(before) = previous else {
        return Change::New;
    };
    if tier < before {
        why.note(
            "tier.change.upgrade",
            [
                ("previous", why::text(before.as_str())),
                ("tier", why::text(tier.as_str())),
            ],
            text!("upgraded from {} to {}", before.as_str(), tier.as_str()),
        );
        Change::Upgrade
    } else if tier > before {
        why.note(
            "tier.change.downgrade",
            [
                ("previous", why::text(before.as_str())),
                ("tier", why::text(tier.as_str())),
            ],
            text!("downgraded from {} to {}", before.as_str(), tier.as_str()),
        );
        Change::Downgrade
    } else {
        Change::Unchanged
    }
}

/// Step 7, `categories(c, p)`: overlapping, in this order.
fn categories(c: &CustomerRecord, why: &mut Why) -> Vec<String> {
    let mut found = Vec::new();
    let good = good_payment(c);
    if c.cumulative_revenue > PREMIUM_MIN_CUMULATIVE && good {
        why.note(
            "category.premium.cumulative",
            [("cumulative", dec(c.cumulative_revenue)), ("threshold", int(PREMIUM_MIN))],
            text!(
                "premium: cumulative business {} exceeds {PREMIUM_MIN_TEXT} with a good payment record",
                Money(c.cumulative_revenue)
            ),
        );
        found.push("premium".to_owned());
    } else if c.referrals_closed >= PREMIUM_MIN_REFERRALS {
        why.note(
            "category.premium.referrals",
            [("referrals", int(c.referrals_closed))],
            text!(
                "premium: {} referred customer(s) signed",
                c.referrals_closed
            ),
        );
        found.push("premium".to_owned());
    }
    if c.largest_contract > HIGH_VALUE_MIN_CONTRACT && good {
        why.note(
            "category.high_value.contract",
            [("contract", dec(c.largest_contract)), ("threshold", int(HIGH_VALUE_MIN))],
            text!(
                "high value: a single contract of {} exceeds {HIGH_VALUE_MIN_TEXT} with a good payment record",
                Money(c.largest_contract)
            ),
        );
        found.push("high_value".to_owned());
    }
    if c.group_member {
        why.note(
            "category.group.member",
            [],
            "group: member of a corporate group".to_owned(),
        );
        found.push("group".to_owned());
    }
    if c.industry_influence {
        why.note(
            "category.strategic.influence",
            [],
            "strategic: influential in its industry".to_owned(),
        );
        found.push("strategic".to_owned());
    }
    found
}

/// Step 8, `key_account(c, p)`.
fn key_account(c: &CustomerRecord, why: &mut Why) -> bool {
    if c.annual_revenue >= KEY_ACCOUNT_MIN_REVENUE {
        why.note(
            "key_account.revenue",
            [("revenue", dec(c.annual_revenue)), ("threshold", int(KEY_ACCOUNT_MIN))],
            text!(
                "key account: annual revenue {} reaches the key-account threshold {KEY_ACCOUNT_MIN_TEXT}",
                Money(c.annual_revenue)
            ),
        );
        true
    } else if c.business_need && c.long_term_intent {
        why.note(
            "key_account.need",
            [],
            "key account: a clear business need and a long-term partnership intent".to_owned(),
        );
        true
    } else if c.industry_influence {
        why.note(
            "key_account.influence",
            [],
            "key account: influential in its industry".to_owned(),
        );
        true
    } else {
        false
    }
}

/// Step 9, `admission(c, as_of, p)`: every failed check, in order; approvals when admitted.
fn admission(c: &CustomerRecord, as_of: NaiveDate, why: &mut Why) -> Admission {
    let mut failed = Vec::new();
    if let Some(until) = c.blacklisted_until.filter(|d| *d > as_of) {
        why.note(
            "admission.blacklisted.active",
            [("until", day(until))],
            text!("not admitted: blacklisted until {}", Day(until)),
        );
        failed.push("blacklisted".to_owned());
    }
    // Credit fails on any of three problems; each found is its own reason.
    let poor = poor_credit(c);
    if poor {
        let credit = c.credit_rating.as_str();
        why.note(
            "admission.credit.rating",
            [("credit", why::text(credit))],
            text!("not admitted: credit {credit}"),
        );
    }
    if c.legal_disputes > 0 {
        why.note(
            "admission.credit.disputes",
            [("disputes", int(c.legal_disputes))],
            text!("not admitted: {} major legal dispute(s)", c.legal_disputes),
        );
    }
    if c.bad_credit_record {
        why.note(
            "admission.credit.bad_record",
            [],
            "not admitted: a bad credit record".to_owned(),
        );
    }
    if poor || c.legal_disputes > 0 || c.bad_credit_record {
        failed.push("credit".to_owned());
    }
    if !c.business_need {
        why.note(
            "admission.need.missing",
            [],
            "not admitted: no clear business need and purchasing power recorded".to_owned(),
        );
        failed.push("need".to_owned());
    }
    if !c.aligned {
        why.note(
            "admission.alignment.missing",
            [],
            "not admitted: not recorded as accepting our product and service philosophy".to_owned(),
        );
        failed.push("alignment".to_owned());
    }
    if !c.strategic_fit {
        why.note(
            "admission.strategic_fit.missing",
            [],
            "not admitted: not recorded as fitting our market strategy".to_owned(),
        );
        failed.push("strategic_fit".to_owned());
    }
    let admitted = failed.is_empty();
    let approvals = if admitted {
        why.note(
            "admission.admitted",
            [("approvals", texts(&ADMISSION_APPROVALS))],
            "admitted: credit, need, alignment and strategic fit all pass; approvals, in order: \
             account_manager, department_head, company_leader"
                .to_owned(),
        );
        ADMISSION_APPROVALS
            .iter()
            .map(|a| (*a).to_owned())
            .collect()
    } else {
        Vec::new()
    };
    Admission {
        admitted,
        failed,
        approvals,
    }
}

/// Step 4, `blacklist_proposal(c, as_of, p)`: a major loss or reputation damage in
/// the period proposes a 6-month blacklist, named after the latest such incident.
fn blacklist_proposal(
    c: &CustomerRecord,
    period: &Period,
    why: &mut Why,
) -> Option<BlacklistProposal> {
    // The last of the oldest-first (stable) order: the latest date, and of
    // equal dates the one that comes last in the record.
    let latest = c
        .incidents
        .iter()
        .filter(|i| is_blacklist_kind(i.kind) && period.holds(i.date))
        .fold(None, |best: Option<&Incident>, i| match best {
            Some(b) if b.date > i.date => Some(b),
            _ => Some(i),
        })?;
    // `add_months` clamps to the month's end; beyond year 9999 kam reports a rule error.
    let until = period
        .as_of
        .checked_add_months(Months::new(BLACKLIST_MONTHS))
        .unwrap_or(period.as_of);
    why.note(
        "blacklist.proposal.incident",
        [
            ("kind", why::text(latest.kind.as_str())),
            ("date", day(latest.date)),
            ("until", day(until)),
            ("needs", texts(&[BLACKLIST_CONFIRMED_BY])),
        ],
        text!(
            "{} on {}: blacklist proposed until {}, to be confirmed by {BLACKLIST_CONFIRMED_BY}",
            kind_term(latest.kind),
            Day(latest.date),
            Day(until)
        ),
    );
    Some(BlacklistProposal {
        until,
        needs: vec![BLACKLIST_CONFIRMED_BY.to_owned()],
    })
}

/// Step 10, `visit(c, tier, as_of, p)`: the visit cadence of A and B customers.
fn visit(c: &CustomerRecord, tier: Tier, as_of: NaiveDate, why: &mut Why) -> Option<Visit> {
    let interval = tier.visit_interval()?;
    let Some(last) = c.last_visit else {
        why.note(
            "visit.never",
            [("tier", why::text(tier.as_str())), ("interval", int(interval))],
            text!(
                "{} customers are visited every {interval} days; never visited, so a visit is due now",
                tier.as_str()
            ),
        );
        return Some(Visit {
            interval_days: i64::from(interval),
            next_due: as_of,
            overdue: true,
        });
    };
    let due = add_days(last, u64::from(interval));
    let overdue = due < as_of;
    if overdue {
        why.note(
            "visit.overdue",
            [
                ("tier", why::text(tier.as_str())),
                ("interval", int(interval)),
                ("last", day(last)),
                ("due", day(due)),
            ],
            text!(
                "{} customers are visited every {interval} days; last visit {}, so a visit was due on {}",
                tier.as_str(),
                Day(last),
                Day(due)
            ),
        );
    }
    Some(Visit {
        interval_days: i64::from(interval),
        next_due: due,
        overdue,
    })
}
