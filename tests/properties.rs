//! Properties of the default policy over generated records (proptest):
//! monotone tiers, consistent scorecards, answers independent of batching.

use chrono::NaiveDate;
use proptest::prelude::*;
use serde_json::{json, Value};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
}

fn policy() -> &'static kam::Policy {
    static POLICY: std::sync::OnceLock<kam::Policy> = std::sync::OnceLock::new();
    POLICY.get_or_init(kam_tests::default_policy)
}

const TIERS: [&str; 4] = ["A", "B", "C", "D"];

fn cents(c: u64) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

prop_compose! {
    /// A valid customer (revenue given separately), with history that caps tiers.
    fn customer()(
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

fn with_revenue(mut c: Value, revenue: u64) -> Value {
    c["annual_revenue"] = json!(cents(revenue));
    c
}

/// Rank of a tier, 0 best; no tier (blacklisted) ranks below every tier.
fn rank(t: &Option<String>) -> usize {
    t.as_deref()
        .and_then(|t| ["A", "B", "C", "D"].iter().position(|x| *x == t))
        .unwrap_or(4)
}

prop_compose! {
    fn staff()(
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn more_revenue_never_gives_a_worse_tier(c in customer(), a in 0u64..1_000_000_000, b in 0u64..1_000_000_000) {
        let (low, high) = (a.min(b), a.max(b));
        let lo = policy().evaluate_customer_json(&with_revenue(c.clone(), low), as_of()).unwrap();
        let hi = policy().evaluate_customer_json(&with_revenue(c, high), as_of()).unwrap();
        prop_assert!(rank(&hi.tier) <= rank(&lo.tier), "{} gave {:?}, {} gave {:?}", cents(high), hi.tier, cents(low), lo.tier);
    }

    #[test]
    fn a_scorecard_total_is_the_sum_of_items_none_below_zero(s in staff()) {
        let r = policy().evaluate_staff_json(&s).unwrap();
        let sum: rust_decimal::Decimal = r.scorecard.items.iter().map(|i| i.score).sum();
        prop_assert_eq!(r.scorecard.total, sum);
        prop_assert!(r.scorecard.items.iter().all(|i| i.score >= rust_decimal::Decimal::ZERO));
        prop_assert_eq!(r.scorecard.items.len(), 12);
    }

}

proptest! {
    // Each case evaluates up to 40 records seven ways in a debug build: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn answers_do_not_depend_on_batch_size_order_or_threads(
        cs in proptest::collection::vec((customer(), 0u64..900_000_000), 1..40),
        split in 1usize..40,
    ) {
        let records: Vec<Value> = cs.into_iter().enumerate().map(|(i, (mut c, rev))| {
            c["id"] = json!(format!("P-{i}"));
            with_revenue(c, rev)
        }).collect();
        let show = |rs: Vec<Result<kam::CustomerResult, kam::Error>>| -> Vec<String> {
            rs.into_iter().map(|r| serde_json::to_string(&r.unwrap()).unwrap()).collect()
        };
        let serial: Vec<String> = records.iter()
            .map(|r| serde_json::to_string(&policy().evaluate_customer_json(r, as_of()).unwrap()).unwrap())
            .collect();
        prop_assert_eq!(&show(policy().evaluate_customers_json(&records, as_of())), &serial);
        let chunked: Vec<String> = records.chunks(split)
            .flat_map(|c| show(policy().evaluate_customers_json(c, as_of()))).collect();
        prop_assert_eq!(&chunked, &serial);
        let mut reversed = records.clone();
        reversed.reverse();
        let mut back = show(policy().evaluate_customers_json(&reversed, as_of()));
        back.reverse();
        prop_assert_eq!(&back, &serial);
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let got = pool.install(|| show(policy().evaluate_customers_json(&records, as_of())));
            prop_assert_eq!(&got, &serial);
        }
    }
}
