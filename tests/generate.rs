//! Generated records for property tests and the cross-binding comparison:
//! valid customers and staff-months of the default policy's shapes, with
//! their history, plus a few ways to break one field of a record.

use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::{json, Value};

/// The day every generated record is evaluated on.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
}
/// Tier labels of the default policy, best first.
pub const TIERS: [&str; 4] = ["A", "B", "C", "D"];

/// `c` cents as decimal text: `cents(300000000)` is "3000000.00".
pub fn cents(c: u64) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

prop_compose! {
    /// A valid customer (revenue given separately), with history that caps tiers.
    pub fn customer()(
        late in 0u32..3, pickups in 0u32..2, rating in 0usize..5, disputes in 0u32..2,
        flags in proptest::collection::vec(any::<bool>(), 8),
        tier in proptest::option::of(0usize..4),
        incidents in proptest::collection::vec((0i64..500, 0usize..5), 0..3),
        blacklist in proptest::option::of(-300i64..300),
        visit in proptest::option::of(0i64..200),
    ) -> Value {
        let day = |d: i64| (as_of() - chrono::Duration::days(d)).to_string();
        let ratings = ["excellent", "good", "fair", "poor", "bad"];
        let kinds = ["late_payment", "contract_breach", "operating_crisis", "major_loss", "reputation_damage"];
        json!({
            "id": "P-1",
            "late_payments": late, "overdue_pickups": pickups,
            "credit_rating": ratings[rating],
            "legal_disputes": disputes,
            "bad_credit_record": flags[0], "business_need": flags[1], "aligned": flags[2],
            "strategic_fit": flags[3], "long_term_intent": flags[4], "industry_influence": flags[5],
            "group_member": flags[6],
            "tier": tier.map(|t| TIERS[t]),
            "incidents": incidents.iter().map(|(d, k)| json!({"date": day(*d), "kind": kinds[*k]})).collect::<Vec<_>>(),
            "blacklisted_until": blacklist.map(day),
            "last_visit": visit.map(day),
        })
    }
}

prop_compose! {
    /// A valid staff-month of the manager role.
    pub fn staff()(
        month in 1u32..13, target in 1u64..2_000_000_000, actual in 0u64..4_000_000_000,
        previous in proptest::option::of(0u64..3_000_000_000),
        new_target in 0u32..10, new_actual in 0u32..15, absent in 0u32..10,
        late in 0u32..12, unreported in 0u32..12, violations in 0u32..4, complaints in 0u32..3,
        halves in proptest::collection::vec(0u32..21, 2),
        knowledge in proptest::collection::vec(any::<bool>(), 4),
        analysis in 0usize..4, communication in 0usize..4, responsibility in 0usize..9,
        reviews in proptest::option::of(proptest::collection::vec(0u32..101, 3)),
    ) -> Value {
        let period = kam::model::Period::of(NaiveDate::from_ymd_opt(2026, month, 1).unwrap());
        let known: Vec<&str> = ["products", "industry", "role", "expert"]
            .iter().zip(&knowledge).filter(|(_, k)| **k).map(|(n, _)| *n).collect();
        let analysis = ["strong", "fairly_strong", "average", "weak"][analysis];
        let communication = ["flexible", "resolves_conflict", "persuasive", "clear"][communication];
        let responsibility = ["5", "4.5", "3", "2.5", "2", "1.5", "1", "0.5", "0"][responsibility];
        let mut s = json!({
            "id": "S-1", "role": "manager", "period": period.to_string(),
            "sales_target": cents(target), "sales_actual": cents(actual),
            "sales_previous": previous.map(cents),
            "new_customers_target": new_target, "new_customers_actual": new_actual,
            "days_present": period.days().saturating_sub(absent),
            "late_arrivals": late, "unreported_field_days": unreported,
            "violations": violations, "complaints": complaints,
            "ratings": {
                "market_info": format!("{}.{}", halves[0] / 2, (halves[0] % 2) * 5),
                "teamwork": format!("{}.{}", halves[1] / 2, (halves[1] % 2) * 5),
                "knowledge": known,
                "analysis": analysis, "communication": communication,
                "responsibility": responsibility,
            },
        });
        if let Some(r) = reviews {
            s["reviews"] = json!({"self": r[0], "supervisor": r[1], "customer": r[2]});
        }
        s
    }
}

/// Breaks one field of a generated customer (`which` picks how, modulo the
/// number of ways): each is a record error in every binding, except the last
/// two, valid numbers written unusually.
pub fn break_customer(mut c: Value, which: usize) -> Value {
    let ways: [fn(&mut Value); 10] = [
        |c| c["annual_revenue"] = json!("abc"),
        |c| c["credit_rating"] = json!("great"),
        |c| c["last_visit"] = json!("2026-02-30"),
        |c| c["annual_revenue"] = json!("-5"),
        |c| c["late_payments"] = json!("x"),
        |c| {
            c.as_object_mut().map(|m| m.remove("id"));
        },
        |c| c["incidents"] = json!([{"date": "2026-10-01", "kind": "weird"}]),
        |c| c["tier"] = json!("Z"),
        // More decimals than an amount holds: text, so every language passes it on as written.
        |c| c["annual_revenue"] = json!("1e-31"),
        |c| c["annual_revenue"] = number("12345678.901"),
    ];
    ways[which % ways.len()](&mut c);
    c
}

/// Breaks one field of a generated staff-month, as [`break_customer`].
pub fn break_staff(mut s: Value, which: usize) -> Value {
    let ways: [fn(&mut Value); 6] = [
        |s| s["period"] = json!("2026-13"),
        |s| s["sales_actual"] = json!("lots"),
        |s| s["late_arrivals"] = json!(-1),
        |s| s["ratings"]["teamwork"] = json!("11"),
        |s| {
            s.as_object_mut().map(|m| m.remove("role"));
        },
        |s| s["days_present"] = json!(40),
    ];
    ways[which % ways.len()](&mut s);
    s
}

/// A JSON number with exactly this text (`12345678.901` stays as written).
pub fn number(text: &str) -> Value {
    text.parse::<serde_json::Number>()
        .map(Value::Number)
        .unwrap_or_else(|_| Value::String(text.to_owned()))
}
