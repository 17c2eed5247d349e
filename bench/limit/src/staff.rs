//! The staff policy (`rules/staff.rhai`, `rules/staff_grading.rhai`) by hand.
//!
//! Each function mirrors the rule function of the same name. The arithmetic
//! is the rules' own, operation for operation, on the same types: whole
//! numbers (rhai's 64-bit integers) stay `i64`, amounts and ratings stay
//! `Decimal`, and a whole number meets a decimal exactly where rhai converts
//! one (`Decimal::from`). That keeps every rounding of the decimal type (a
//! KPI like 2/3 ends in ...6667 at 28 digits) identical to kam's.
//!
//! Overflow: amounts are below 10^15 and counts below 2^32 in every record kam
//! accepts, so sums, differences and products by the parameters' small
//! factors stay far inside both `i64` and the decimal type (~7.9 × 10^28) and
//! use plain operators. Only divisions can leave the decimal type (a tiny
//! target); they are checked, and where kam reports a rule error the limit
//! falls back to a harmless value.

use std::collections::BTreeMap;

use kam::model::{Adjustment, Analysis, Communication, Fact, Knowledge, ScoreItem, Scorecard};
use kam::{PolicyInfo, StaffRecord, StaffResult};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use crate::format::{text, Money, Num, Pct};
use crate::why::{self, adjustment, dec, int, Why};

// ── Parameters (rules/parameters.rhai) ───────────────────────────────────────

/// The literal `1.0` of `(x * 1.0) / y`: rhai's decimal, scale 1.
const ONE_POINT_ZERO: Decimal = Decimal::from_parts(10, 0, 0, false, 1);
/// `completion_max`, `completion_step` (0.05, and as `pct` writes it).
const COMPLETION_MAX: i64 = 25;
const COMPLETION_STEP: Decimal = Decimal::from_parts(5, 0, 0, false, 2);
const COMPLETION_STEP_TEXT: &str = "5%";
/// `completion_bonus_cap` is `()`; `completion_steps_limit` still caps the bonus.
const COMPLETION_BONUS_LIMIT: i64 = 1000;
/// `growth_max`, `growth_step` (100,000, and as `money` writes it).
const GROWTH_MAX: i64 = 10;
const GROWTH_STEP: Decimal = Decimal::from_parts(100_000, 0, 0, false, 0);
const GROWTH_STEP_TEXT: &str = "100,000";
/// `new_customers_max`, `new_customers_shortfall` (`new_customers_bonus_cap` is `()`).
const NEW_CUSTOMERS_MAX: i64 = 5;
const NEW_CUSTOMERS_SHORTFALL: i64 = 2;
/// The maxima of the rated items.
const MARKET_INFO_MAX: i64 = 10;
const TEAMWORK_MAX: i64 = 10;
const KNOWLEDGE_MAX: i64 = 10;
const ANALYSIS_MAX: i64 = 4;
const COMMUNICATION_MAX: i64 = 6;
const RESPONSIBILITY_MAX: i64 = 5;
/// `attendance_max`, `attendance_days_off`, `late_arrivals_per_point`, `unreported_penalties`.
const ATTENDANCE_MAX: i64 = 5;
const ATTENDANCE_DAYS_OFF: i64 = 4;
const LATE_ARRIVALS_PER_POINT: i64 = 3;
const UNREPORTED_PENALTIES: [(i64, i64); 2] = [(9, 2), (6, 1)];
/// `conduct_max`, `points_per_violation`, `service_max`, `points_per_complaint`.
const CONDUCT_MAX: i64 = 5;
const POINTS_PER_VIOLATION: i64 = 2;
const SERVICE_MAX: i64 = 5;
const POINTS_PER_COMPLAINT: i64 = 5;
/// `grade_bands`, `grade_below`, `warning_below`, `warning_action`.
const GRADE_BANDS: [(&str, i64); 3] = [("excellent", 90), ("good", 75), ("pass", 60)];
const GRADE_BELOW: &str = "fail";
const WARNING_BELOW: i64 = 60;
const WARNING_ACTION: &str = "verbal_warning";
/// `composite_weights`: 0.2 self, 0.5 supervisor, 0.3 customer.
const WEIGHT_SELF: Decimal = Decimal::from_parts(2, 0, 0, false, 1);
const WEIGHT_SUPERVISOR: Decimal = Decimal::from_parts(5, 0, 0, false, 1);
const WEIGHT_CUSTOMER: Decimal = Decimal::from_parts(3, 0, 0, false, 1);

/// `knowledge_points`.
fn knowledge_points(k: Knowledge) -> i64 {
    match k {
        Knowledge::Products => 4,
        Knowledge::Industry => 3,
        Knowledge::Role => 2,
        Knowledge::Expert => 1,
    }
}

/// `analysis_points`: 4, 3.5, 3, 2.5 (whole ones are rhai integers).
fn analysis_points(a: Analysis) -> Decimal {
    match a {
        Analysis::Strong => Decimal::from_parts(4, 0, 0, false, 0),
        Analysis::FairlyStrong => Decimal::from_parts(35, 0, 0, false, 1),
        Analysis::Average => Decimal::from_parts(3, 0, 0, false, 0),
        Analysis::Weak => Decimal::from_parts(25, 0, 0, false, 1),
    }
}

/// `communication_points`: 6, 5.5, 5, 4.5.
fn communication_points(c: Communication) -> Decimal {
    match c {
        Communication::Flexible => Decimal::from_parts(6, 0, 0, false, 0),
        Communication::ResolvesConflict => Decimal::from_parts(55, 0, 0, false, 1),
        Communication::Persuasive => Decimal::from_parts(5, 0, 0, false, 0),
        Communication::Clear => Decimal::from_parts(45, 0, 0, false, 1),
    }
}

/// A scorecard item and its score as the rules hold it (before kam
/// normalises it), which is what the total adds up.
struct Item {
    item: ScoreItem,
    raw: Decimal,
}

/// Whole default staff-month policy (`staff(s, p)` in `rules/staff.rhai`).
pub(crate) fn evaluate(s: &StaffRecord, policy: &PolicyInfo) -> StaffResult {
    let mut why = Why(Vec::with_capacity(8));
    let kpis = kpis(s, &mut why);

    let r = &s.ratings;
    let items = [
        sales_completion(s),
        sales_growth(s, &mut why),
        new_customers(s),
        rated("market_info", MARKET_INFO_MAX, r.market_info),
        rated("teamwork", TEAMWORK_MAX, r.teamwork),
        knowledge(s),
        rated("analysis", ANALYSIS_MAX, analysis_points(r.analysis)),
        rated(
            "communication",
            COMMUNICATION_MAX,
            communication_points(r.communication),
        ),
        attendance(s),
        conduct(s),
        rated("responsibility", RESPONSIBILITY_MAX, r.responsibility),
        service(s),
    ];
    // `total += item.score`, item by item: the same additions in the same order.
    let total = items.iter().fold(Decimal::ZERO, |total, i| total + i.raw);
    let (grade, actions) = grade(total, &mut why);
    StaffResult {
        id: s.id.clone(),
        period: s.period,
        kpis,
        scorecard: Scorecard {
            total: total.normalize(),
            items: items.into_iter().map(|i| i.item).collect(),
        },
        grade: grade.to_owned(),
        actions,
        composite: composite(s),
        reasons: why.0,
        policy: policy.clone(),
    }
}

// ── KPIs (staff_kpis) ────────────────────────────────────────────────────────

/// `ratio(kpi, top, bottom, top_name, bottom_name)`: `(top * 1.0) / bottom`,
/// or `None` with a reason (rule `kpi`, the KPI's name in the facts) when an
/// input is missing or the denominator is 0.
fn ratio(
    why: &mut Why,
    kpi: &str,
    (top, top_name): (Option<Decimal>, &str),
    (bottom, bottom_name): (Option<Decimal>, &str),
) -> Option<Decimal> {
    let (Some(top), Some(bottom)) = (top, bottom) else {
        if top.is_none() && bottom.is_none() {
            why.note(
                "kpi.missing_both",
                [
                    ("kpi", why::text(kpi)),
                    ("top", why::text(top_name)),
                    ("bottom", why::text(bottom_name)),
                ],
                text!("{kpi} is not available: no {top_name} or {bottom_name} given"),
            );
        } else {
            let input = if bottom.is_none() {
                bottom_name
            } else {
                top_name
            };
            why.note(
                "kpi.missing",
                [("kpi", why::text(kpi)), ("input", why::text(input))],
                text!("{kpi} is not available: no {input} given"),
            );
        }
        return None;
    };
    if bottom.is_zero() {
        why.note(
            "kpi.zero",
            [("kpi", why::text(kpi)), ("input", why::text(bottom_name))],
            text!("{kpi} is not available: {bottom_name} is 0"),
        );
        return None;
    }
    // `* 1.0` as in the rule (it only raises the scale); the division can
    // leave the decimal type only for a denominator far below a cent, a rule
    // error in kam: `None` then.
    (top * ONE_POINT_ZERO)
        .checked_div(bottom)
        .map(|q| q.normalize())
}

/// One KPI: its name, numerator and denominator with their names.
macro_rules! kpi {
    ($why:expr, $name:literal, $top:expr, $top_name:literal, $bottom:expr, $bottom_name:literal) => {
        (
            $name,
            ratio($why, $name, ($top, $top_name), ($bottom, $bottom_name)),
        )
    };
}

fn count(n: Option<u32>) -> Option<Decimal> {
    n.map(Decimal::from)
}

/// `staff_kpis(s, p)`: the eight KPIs of 001 2.1, with a reason for each missing one.
fn kpis(s: &StaffRecord, why: &mut Why) -> BTreeMap<String, Option<Decimal>> {
    // `if growth == () { 0 } else { growth }`: the numerator is never missing itself.
    let growth = s
        .sales_previous
        .map_or(Decimal::ZERO, |p| s.sales_actual - p);
    let values = [
        kpi!(
            why,
            "sales_completion_rate",
            Some(s.sales_actual),
            "sales_actual",
            Some(s.sales_target),
            "sales_target"
        ),
        kpi!(
            why,
            "sales_growth_rate",
            Some(growth),
            "sales growth",
            s.sales_previous,
            "sales_previous"
        ),
        kpi!(
            why,
            "new_customer_completion_rate",
            Some(Decimal::from(s.new_customers_actual)),
            "new_customers_actual",
            Some(Decimal::from(s.new_customers_target)),
            "new_customers_target"
        ),
        kpi!(
            why,
            "settlement_rate",
            s.contracts_settled,
            "contracts_settled",
            s.settlement_planned,
            "settlement_planned"
        ),
        kpi!(
            why,
            "collection_rate",
            s.collected,
            "collected",
            s.collectible,
            "collectible"
        ),
        kpi!(
            why,
            "expense_ratio",
            s.expenses,
            "expenses",
            s.expense_budget,
            "expense_budget"
        ),
        kpi!(
            why,
            "churn_rate",
            count(s.accounts_lost),
            "accounts_lost",
            count(s.accounts_start),
            "accounts_start"
        ),
        kpi!(
            why,
            "archive_completeness",
            count(s.archives_complete),
            "archives_complete",
            count(s.archives_total),
            "archives_total"
        ),
    ];
    values
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
}

// ── Scorecard items ──────────────────────────────────────────────────────────

/// `scored(id, max, base, adjustments)`: base plus adjustments, never below 0;
/// when the floor applies a last adjustment says so, so the points add up.
/// Every item scored this way starts from a whole number and moves by whole
/// numbers (rhai integers), so the sum is exact.
fn scored(id: &str, max: i64, base: i64, mut adjustments: Vec<Adjustment>) -> Item {
    let mut score = adjustments
        .iter()
        .fold(Decimal::from(base), |score, a| score + a.points);
    if score.is_sign_negative() && !score.is_zero() {
        adjustments.push(adjustment(
            -score,
            "scorecard.floor",
            [("base", int(base))],
            text!("deductions exceed the item's {base} points: the item stops at 0"),
        ));
        score = Decimal::ZERO;
    }
    Item {
        item: ScoreItem {
            id: id.to_owned(),
            max: Decimal::from(max),
            score,
            adjustments,
        },
        raw: score,
    }
}

/// One adjustment of whole points.
fn adjust<const N: usize>(
    points: i64,
    code: &str,
    facts: [(&str, Fact); N],
    message: String,
) -> Adjustment {
    adjustment(Decimal::from(points), code, facts, message)
}

/// `rated(id, max, score)`: a rating or a level's points as the score.
fn rated(id: &str, max: i64, score: Decimal) -> Item {
    Item {
        item: ScoreItem {
            id: id.to_owned(),
            max: Decimal::from(max),
            score: score.normalize(),
            adjustments: Vec::new(),
        },
        raw: score,
    }
}

/// `conduct(s, p)`: 2 points off per violation of company rules.
fn conduct(s: &StaffRecord) -> Item {
    let mut adjustments = Vec::new();
    if s.violations > 0 {
        let (n, per) = (s.violations, POINTS_PER_VIOLATION);
        adjustments.push(adjust(
            -per * i64::from(n),
            "scorecard.conduct.violations",
            [("violations", int(n)), ("per", int(per))],
            text!("{n} violation(s) of company rules: −{per} each"),
        ));
    }
    scored("conduct", CONDUCT_MAX, CONDUCT_MAX, adjustments)
}

/// `service(s, p)`: 5 points off per valid customer complaint.
fn service(s: &StaffRecord) -> Item {
    let mut adjustments = Vec::new();
    if s.complaints > 0 {
        let (n, per) = (s.complaints, POINTS_PER_COMPLAINT);
        adjustments.push(adjust(
            -per * i64::from(n),
            "scorecard.service.complaints",
            [("complaints", int(n)), ("per", int(per))],
            text!("{n} valid customer complaint(s): −{per} each"),
        ));
    }
    scored("service", SERVICE_MAX, SERVICE_MAX, adjustments)
}

/// A floored step count already capped at a small bound, as a whole number.
fn small(steps: Decimal) -> i64 {
    steps.to_i64().unwrap_or(0)
}

/// `sales_completion(s, p)`: 25 at 100%, −1 per full 5% below, +1 per full 5%
/// above; steps counted on the amounts, shortfall ÷ (target × 5%).
fn sales_completion(s: &StaffRecord) -> Item {
    let actual = s.sales_actual;
    let target = s.sales_target;
    // kam reports a rule error where the division fails; 0 stands in.
    let rate = (actual * ONE_POINT_ZERO)
        .checked_div(target)
        .unwrap_or(Decimal::ZERO);
    let step = target * COMPLETION_STEP;
    let steps_of = |gap: Decimal| gap.checked_div(step).unwrap_or(Decimal::ZERO).floor();
    let mut adjustments = Vec::new();
    if actual < target {
        let steps = small(steps_of(target - actual).min(Decimal::from(COMPLETION_MAX)));
        if steps > 0 {
            adjustments.push(adjust(
                -steps,
                "scorecard.sales_completion.below",
                [
                    ("actual", dec(actual)),
                    ("target", dec(target)),
                    ("rate", dec(rate)),
                    ("steps", int(steps)),
                    ("step", dec(COMPLETION_STEP)),
                ],
                text!(
                    "sales {} of the target {} ({}): {steps} full {COMPLETION_STEP_TEXT} step(s) below 100%",
                    Money(actual),
                    Money(target),
                    Pct(rate)
                ),
            ));
        }
    } else if actual > target {
        let steps = steps_of(actual - target);
        let bonus = small(steps.min(Decimal::from(COMPLETION_BONUS_LIMIT)));
        if bonus > 0 {
            let facts = [
                ("actual", dec(actual)),
                ("target", dec(target)),
                ("rate", dec(rate)),
                ("steps", dec(steps)),
                ("step", dec(COMPLETION_STEP)),
            ];
            let said = format_args!(
                "sales {} of the target {} ({}): {steps} full {COMPLETION_STEP_TEXT} step(s) above 100%",
                Money(actual),
                Money(target),
                Pct(rate)
            );
            adjustments.push(if Decimal::from(bonus) < steps {
                let [a, b, c, d, e] = facts;
                adjust(
                    bonus,
                    "scorecard.sales_completion.above_capped",
                    [a, b, c, d, e, ("bonus", int(bonus))],
                    text!("{said} (bonus capped at {bonus})"),
                )
            } else {
                adjust(
                    bonus,
                    "scorecard.sales_completion.above",
                    facts,
                    text!("{said}"),
                )
            });
        }
    }
    scored(
        "sales_completion",
        COMPLETION_MAX,
        COMPLETION_MAX,
        adjustments,
    )
}

/// `sales_growth(s, p)`: +1 per full 100,000 of growth, at most 10; never negative.
fn sales_growth(s: &StaffRecord, why: &mut Why) -> Item {
    let mut adjustments = Vec::new();
    match s.sales_previous {
        None => why.note(
            "scorecard.sales_growth.no_previous",
            [],
            "no previous period's sales: no growth points".to_owned(),
        ),
        Some(previous) => {
            let growth = s.sales_actual - previous;
            if growth < Decimal::ZERO {
                why.note(
                    "scorecard.sales_growth.fell",
                    [("fall", dec(-growth)), ("previous", dec(previous))],
                    text!(
                        "sales fell {} below the previous {}: no growth points (never a deduction)",
                        Money(-growth),
                        Money(previous)
                    ),
                );
            } else {
                // GROWTH_STEP is not 0: the division cannot fail.
                let steps = growth
                    .checked_div(GROWTH_STEP)
                    .unwrap_or(Decimal::ZERO)
                    .floor();
                let points = small(steps.min(Decimal::from(GROWTH_MAX)));
                if points > 0 {
                    let said = format_args!(
                        "sales grew {} over the previous {}: {steps} full step(s) of {GROWTH_STEP_TEXT}",
                        Money(growth),
                        Money(previous)
                    );
                    let facts = [
                        ("growth", dec(growth)),
                        ("previous", dec(previous)),
                        ("steps", dec(steps)),
                        ("step", dec(GROWTH_STEP)),
                    ];
                    adjustments.push(if Decimal::from(points) < steps {
                        let [a, b, c, d] = facts;
                        adjust(
                            points,
                            "scorecard.sales_growth.grew_capped",
                            [a, b, c, d, ("max", int(GROWTH_MAX))],
                            text!("{said}, capped at {GROWTH_MAX}"),
                        )
                    } else {
                        adjust(
                            points,
                            "scorecard.sales_growth.grew",
                            facts,
                            text!("{said}"),
                        )
                    });
                } else {
                    why.note(
                        "scorecard.sales_growth.under_step",
                        [("growth", dec(growth)), ("step", dec(GROWTH_STEP))],
                        text!(
                            "sales grew {}, less than one step of {GROWTH_STEP_TEXT}: no growth points",
                            Money(growth)
                        ),
                    );
                }
            }
        }
    }
    scored("sales_growth", GROWTH_MAX, 0, adjustments)
}

/// `new_customers(s, p)`: 5 at target, +1 per customer above, −1 per full 2 below.
fn new_customers(s: &StaffRecord) -> Item {
    let target = i64::from(s.new_customers_target);
    let actual = i64::from(s.new_customers_actual);
    let mut adjustments = Vec::new();
    if actual > target {
        let bonus = actual - target;
        adjustments.push(adjust(
            bonus,
            "scorecard.new_customers.above",
            [
                ("actual", int(actual)),
                ("above", int(bonus)),
                ("target", int(target)),
            ],
            text!("{actual} new customers, {bonus} above the target {target}"),
        ));
    } else if actual < target {
        // Whole numbers: integer division floors, as in the rule.
        let steps = (target - actual) / NEW_CUSTOMERS_SHORTFALL;
        if steps > 0 {
            adjustments.push(adjust(
                -steps,
                "scorecard.new_customers.below",
                [
                    ("actual", int(actual)),
                    ("below", int(target - actual)),
                    ("target", int(target)),
                    ("per", int(NEW_CUSTOMERS_SHORTFALL)),
                ],
                text!(
                    "{actual} new customers, {} below the target {target}: −1 per full {NEW_CUSTOMERS_SHORTFALL}",
                    target - actual
                ),
            ));
        }
    }
    scored(
        "new_customers",
        NEW_CUSTOMERS_MAX,
        NEW_CUSTOMERS_MAX,
        adjustments,
    )
}

/// `knowledge(s, p)`: points for each criterion met, in the record's order.
fn knowledge(s: &StaffRecord) -> Item {
    let adjustments = s
        .ratings
        .knowledge
        .iter()
        .map(|&k| {
            let points = knowledge_points(k);
            adjust(
                points,
                "scorecard.knowledge.criterion",
                [
                    ("criterion", why::text(k.as_str())),
                    ("points", int(points)),
                ],
                text!("knowledge criterion met: {} (+{points})", k.as_str()),
            )
        })
        .collect();
    scored("knowledge", KNOWLEDGE_MAX, 0, adjustments)
}

/// `attendance(s, p)`: 5, minus days short of (days in month − 4), minus 1 per
/// started 3 late arrivals, minus 1 or 2 for unreported days in the field.
fn attendance(s: &StaffRecord) -> Item {
    let mut adjustments = Vec::new();
    let required = i64::from(s.period.days()) - ATTENDANCE_DAYS_OFF;
    let present = i64::from(s.days_present);
    let short = required - present;
    if short > 0 {
        adjustments.push(adjust(
            -short,
            "scorecard.attendance.short",
            [
                ("present", int(present)),
                ("short", int(short)),
                ("required", int(required)),
                ("period", why::text(&s.period.to_string())),
            ],
            text!(
                "present {present} days, {short} short of the {required} required in {}",
                s.period
            ),
        ));
    }
    if s.late_arrivals > 0 {
        let late = i64::from(s.late_arrivals);
        let per = LATE_ARRIVALS_PER_POINT;
        adjustments.push(adjust(
            -((late + per - 1) / per),
            "scorecard.attendance.late",
            [("late", int(late)), ("per", int(per))],
            text!("{late} late arrival(s): −1 per {per} or part of {per}"),
        ));
    }
    let unreported = i64::from(s.unreported_field_days);
    if let Some((days, points)) = UNREPORTED_PENALTIES
        .iter()
        .find(|(days, _)| unreported >= *days)
    {
        adjustments.push(adjust(
            -points,
            "scorecard.attendance.unreported",
            [
                ("days", int(unreported)),
                ("from_days", int(*days)),
                ("points", int(*points)),
            ],
            text!(
                "{unreported} day(s) in the field without reporting in ({days} or more: −{points})"
            ),
        ));
    }
    scored("attendance", ATTENDANCE_MAX, ATTENDANCE_MAX, adjustments)
}

// ── Grade and composite (staff_grade, composite) ─────────────────────────────

/// `staff_grade(total, p)`: the band and, below 60, a verbal warning.
fn grade(total: Decimal, why: &mut Why) -> (&'static str, Vec<String>) {
    let band = GRADE_BANDS
        .iter()
        .find(|(_, at_least)| total >= Decimal::from(*at_least));
    match band {
        Some((grade, at_least)) => why.note(
            "grade.band",
            [
                ("total", dec(total)),
                ("min", int(*at_least)),
                ("grade", why::text(grade)),
            ],
            text!("total {} is at least {at_least}: {grade}", Num(total)),
        ),
        None => {
            let lowest = GRADE_BANDS[GRADE_BANDS.len() - 1].1;
            why.note(
                "grade.below",
                [
                    ("total", dec(total)),
                    ("min", int(lowest)),
                    ("grade", why::text(GRADE_BELOW)),
                ],
                text!("total {} is below {lowest}: {GRADE_BELOW}", Num(total)),
            );
        }
    }
    let grade = band.map_or(GRADE_BELOW, |(grade, _)| grade);
    let mut actions = Vec::new();
    if total < Decimal::from(WARNING_BELOW) {
        actions.push(WARNING_ACTION.to_owned());
        why.note(
            "action.warning",
            [
                ("total", dec(total)),
                ("below", int(WARNING_BELOW)),
                ("action", why::text(WARNING_ACTION)),
            ],
            text!(
                "total {} is below {WARNING_BELOW}: {WARNING_ACTION}",
                Num(total)
            ),
        );
    }
    (grade, actions)
}

/// `composite(s, p)`: 0.2 self + 0.5 supervisor + 0.3 customer, when reviews are given.
fn composite(s: &StaffRecord) -> Option<Decimal> {
    let r = s.reviews.as_ref()?;
    // Review scores are 0-100: the products and sums are exact and small.
    let sum = WEIGHT_SELF * r.self_review
        + WEIGHT_SUPERVISOR * r.supervisor
        + WEIGHT_CUSTOMER * r.customer;
    Some(sum.normalize())
}
