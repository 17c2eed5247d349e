//! Staff scoring beyond single months: quarters and years (000 十(二)), and
//! the scorecard's own invariants.

use kam::{Error, Span, StaffRecord};
use rust_decimal::Decimal;
use serde_json::json;

fn samples() -> Vec<StaffRecord> {
    let text = std::fs::read_to_string(kam_tests::root().join("data/staff.jsonl")).unwrap();
    text.lines()
        .map(|l| StaffRecord::from_json(&serde_json::from_str(l).unwrap()).unwrap())
        .collect()
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// The README's worked example: 王芳 (S-001), third quarter of 2026.
#[test]
fn a_quarter_sums_inputs_and_averages_totals() {
    let policy = kam_tests::default_policy();
    let results = policy.aggregate_staff(&samples(), Span::Quarter);
    let q3 = results
        .iter()
        .flatten()
        .find(|r| r.id == "S-001" && r.period == "2026-Q3")
        .unwrap();
    assert_eq!(
        q3.months.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
        ["2026-07", "2026-08", "2026-09"]
    );
    assert!(q3.missing_months.is_empty());
    // (2,660,000 + 3,450,000 + 3,100,000) / (2,800,000 + 3,000,000 + 3,000,000), not the
    // mean of 95%, 115% and 103.33…% (1.0444…).
    let rate = q3.kpis["sales_completion_rate"].unwrap();
    assert_eq!(rate, d("9210000") / d("8800000"));
    assert!(rate > d("1.0465") && rate < d("1.0466"), "{rate}");
    // July has no previous figure, so the quarter's growth rate is unavailable.
    assert_eq!(q3.kpis["sales_growth_rate"], None);
    assert_eq!(q3.monthly_totals, [d("87"), d("99.5"), d("85")]);
    assert_eq!(q3.total, d("90.5"));
    assert_eq!(q3.grade, "excellent");
}

#[test]
fn a_missing_month_is_reported_not_ignored() {
    let policy = kam_tests::default_policy();
    let quarters = policy.aggregate_staff(&samples(), Span::Quarter);
    let q3 = quarters
        .iter()
        .flatten()
        .find(|r| r.id == "S-004" && r.period == "2026-Q3")
        .unwrap();
    assert_eq!(
        q3.missing_months
            .iter()
            .map(|m| m.to_string())
            .collect::<Vec<_>>(),
        ["2026-08"]
    );
    assert_eq!(
        q3.total,
        d("60.75"),
        "mean of the two months present: 71.5 and 50"
    );
    assert_eq!(q3.reasons[0].rule, "period.missing_months");
    assert!(
        q3.reasons[0].message.contains("2026-08"),
        "{}",
        q3.reasons[0].message
    );

    let years = policy.aggregate_staff(&samples(), Span::Year);
    assert_eq!(years.len(), 4, "one result per person");
    let y = years.iter().flatten().find(|r| r.id == "S-004").unwrap();
    assert_eq!(y.period, "2026");
    assert_eq!(y.months.len(), 4);
    assert_eq!(
        y.missing_months
            .iter()
            .map(|m| m.to_string())
            .collect::<Vec<_>>(),
        ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-08", "2026-12"]
    );
}

#[test]
fn groups_come_in_input_order_and_a_duplicate_month_is_an_error() {
    let policy = kam_tests::default_policy();
    let mut records = samples();
    let quarters = policy.aggregate_staff(&records, Span::Quarter);
    let order: Vec<(String, String)> = quarters
        .iter()
        .flatten()
        .map(|r| (r.id.clone(), r.period.clone()))
        .collect();
    assert_eq!(
        order[..4]
            .iter()
            .map(|(id, _)| id.as_str())
            .collect::<Vec<_>>(),
        ["S-001", "S-002", "S-003", "S-004"]
    );
    assert_eq!(order.len(), 8);

    records.push(records[0].clone());
    let with_duplicate = policy.aggregate_staff(&records, Span::Quarter);
    match &with_duplicate[0] {
        Err(Error::Record(e)) => {
            assert_eq!(
                (e.id.as_deref(), e.field.as_deref()),
                (Some("S-001"), Some("period"))
            );
        }
        other => panic!("expected a duplicate-month error, got {other:?}"),
    }
    assert!(
        with_duplicate[1..].iter().all(Result::is_ok),
        "other groups go on"
    );
}

#[test]
fn every_sample_scorecard_totals_its_items_and_no_item_is_negative() {
    let policy = kam_tests::default_policy();
    for r in policy.evaluate_staff_batch(&samples()) {
        let r = r.unwrap();
        let sum: Decimal = r.scorecard.items.iter().map(|i| i.score).sum();
        assert_eq!(sum, r.scorecard.total, "{} {}", r.id, r.period);
        assert!(r.scorecard.items.iter().all(|i| i.score >= Decimal::ZERO));
        assert_eq!(r.scorecard.items.len(), 12);
    }
}

#[test]
fn a_policy_whose_total_is_not_the_sum_of_its_items_is_caught() {
    let staff = kam_tests::default_policy().sources()["staff.rhai"].replace(
        "scorecard: #{ total: total,",
        "scorecard: #{ total: total + 1,",
    );
    let policy = kam_tests::edited_policy(&[("staff.rhai", &staff)]).unwrap();
    let record = json!({"id": "S-9", "role": "manager", "period": "2026-09", "sales_target": 100, "sales_actual": 100,
        "days_present": 26, "ratings": {"market_info": 1, "teamwork": 1, "knowledge": [], "analysis": "weak",
        "communication": "clear", "responsibility": 1}});
    match policy.evaluate_staff_json(&record) {
        Err(Error::Rule(e)) => {
            assert!(
                matches!(&e.kind, kam::RuleErrorKind::Shape { field, .. } if field == "scorecard.total"),
                "{e}"
            );
            assert_eq!(e.file, "staff.rhai");
        }
        other => panic!("expected a shape error, got {other:?}"),
    }
}
