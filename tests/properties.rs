//! Properties of the default policy over generated records (proptest):
//! monotone tiers, consistent scorecards, answers independent of batching.

use kam_tests::fuzz_harness::same_from_text;
use kam_tests::generate::{as_of, break_customer, break_staff, cents, customer, staff};
use proptest::prelude::*;
use serde_json::{json, Value};

fn policy() -> &'static kam::Policy {
    static POLICY: std::sync::OnceLock<kam::Policy> = std::sync::OnceLock::new();
    POLICY.get_or_init(kam_tests::default_policy)
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
    fn records_read_from_text_are_the_records_of_the_full_parse(
        c in customer(), s in staff(), which in 0usize..40,
    ) {
        // Valid as generated, and each way a generator breaks a field.
        for record in [c.clone(), s.clone(), break_customer(c, which), break_staff(s, which)] {
            same_from_text(&record.to_string());
            same_from_text(&serde_json::to_string_pretty(&record).unwrap());
        }
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

/// Texts where reading straight from the text and the full parse could part:
/// each must give the same record or the same error.
#[test]
fn edge_texts_read_from_text_as_the_full_parse_does() {
    for text in [
        r#"{"id": "C-1", "annual_revenue": 1}"#,
        r#"  {"id": "C-1", "annual_revenue": 1}  "#,
        r#"{"id": "C-1", "annual_revenue": 1} x"#,
        r#"{"id": "C-1", "annual_revenue": 1}{"id": "C-2"}"#,
        r#"{"id": "C-1", "annual_revenue": 1, "annual_revenue": 2}"#,
        r#"{"annual_revenue": "abc", "id": "C-late-id"}"#,
        r#"{"id": "C-1", "annual_revenue": 1, "attributes": {"a": 1, "a": 2}}"#,
        r#"{"id": "C-1", "annual_revenue": 1, "attributes": {"a": [1, {"b": null}]}}"#,
        r#"{"id": "C-1", "annual_revenue": 1, "incidents": [{"date": "2026-01-02", "kind": "late_payment", "kind": "major_loss"}]}"#,
        r#"{"id": "C-1", "annual_revenue": 1, "anual_revenue": 1}"#,
        r#"{"id": "C-esc", "annual_revenue": 1}"#,
        r#"{"id": "C-"q"", "annual_revenue": 1.50e2}"#,
        r#"{"id": "C-1", "annual_revenue": null}"#,
        r#"{"id": "C-1", "annual_revenue": 1, "tier": null}"#,
        r#"{"id": "C-1", "annual_revenue": 1e400}"#,
        r#"{"id": "C-1", "annual_revenue": 1, "$serde_json::private::Number": "1"}"#,
        r#"{"$serde_json::private::Number": "1"}"#,
        r#"{"id": 7, "annual_revenue": 1}"#,
        r#"{}"#,
        r#"[]"#,
        r#"[{"id": "C-1"}]"#,
        r#""text""#,
        r#"12"#,
        r#"null"#,
        r#"{"id": "C-1", "annual_revenue": 1"#,
        r#"{"id": "S-1", "role": "manager", "period": "2026-07", "sales_target": 1, "sales_actual": 1, "days_present": 20, "ratings.market_info": 5}"#,
        r#"{"id": "S-1", "role": "manager", "period": "2026-07", "sales_target": 1, "sales_actual": 1, "days_present": 20, "ratings": "{"market_info": 5}"}"#,
    ] {
        same_from_text(text);
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
