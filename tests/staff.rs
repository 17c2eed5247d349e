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
        .filter_map(|(_, r)| r.as_ref().ok())
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
    // Growth is against the previous quarter, and the samples hold no 2026-Q2.
    assert_eq!(q3.kpis["sales_growth_rate"], None);
    let q4 = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .find(|r| r.id == "S-001" && r.period == "2026-Q4")
        .unwrap();
    // (3,600,000 + 2,850,000 + 3,300,000) against Q3's 9,210,000.
    assert_eq!(
        q4.kpis["sales_growth_rate"],
        Some((d("9750000") - d("9210000")) / d("9210000"))
    );
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
        .filter_map(|(_, r)| r.as_ref().ok())
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
    let missing = &q3.reasons[0];
    assert_eq!(
        (missing.rule.as_str(), missing.code.as_str()),
        ("period", "period.missing_months")
    );
    assert_eq!(
        missing.facts["missing"],
        kam::model::Fact::List(vec![kam::model::Fact::Text("2026-08".into())])
    );
    assert_eq!(
        missing.message.as_deref(),
        Some("no valid record for 2026-08: 2026-Q3 covers 2 of 3 months"),
        "rendered from rules/messages/en.rhai"
    );

    let years = policy.aggregate_staff(&samples(), Span::Year);
    assert_eq!(years.len(), 4, "one result per person");
    let y = years
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .find(|r| r.id == "S-004")
        .unwrap();
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
        .filter_map(|(_, r)| r.as_ref().ok())
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
    assert_eq!(with_duplicate[0].0, "2026-Q3");
    match &with_duplicate[0].1 {
        Err(Error::Record(e)) => {
            assert_eq!(
                (e.id.as_deref(), e.field.as_deref()),
                (Some("S-001"), Some("period"))
            );
        }
        other => panic!("expected a duplicate-month error, got {other:?}"),
    }
    assert!(
        with_duplicate[1..].iter().all(|(_, r)| r.is_ok()),
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

fn month(id: &str, period: &str, total_hint: serde_json::Value) -> StaffRecord {
    let mut v = json!({"id": id, "role": "manager", "period": period, "sales_target": 100, "sales_actual": 100,
        "days_present": 20, "ratings": {"market_info": 10, "teamwork": 10, "knowledge": ["products", "industry", "role", "expert"],
        "analysis": "strong", "communication": "flexible", "responsibility": 5}});
    if let (Some(obj), Some(extra)) = (v.as_object_mut(), total_hint.as_object()) {
        for (k, x) in extra {
            obj.insert(k.clone(), x.clone());
        }
    }
    StaffRecord::from_json(&v).unwrap()
}

#[test]
fn a_quarter_is_graded_on_its_exact_mean() {
    let policy = kam_tests::default_policy();
    let rated = |market_info: &str| {
        json!({"ratings": {"market_info": market_info, "teamwork": 10, "knowledge": [], "analysis": "strong",
            "communication": "flexible", "responsibility": 5}})
    };
    // 20 days present is short of every month's requirement, so attendance is 0:
    // totals 75, 75 and 74.99. Their mean 74.99666… is below 75 (`pass`); rounded
    // to 2 places it would read 75.00 and wrongly grade `good`.
    let records = [
        month("R", "2026-07", rated("10")),
        month("R", "2026-08", rated("10")),
        month("R", "2026-09", rated("9.99")),
    ];
    let results = policy.aggregate_staff(&records, Span::Quarter);
    let q = results[0].1.as_ref().unwrap();
    assert_eq!(q.monthly_totals, [d("75"), d("75"), d("74.99")]);
    assert!(q.total < d("75") && q.total > d("74.996"), "{}", q.total);
    assert_eq!(q.grade, "pass");
}

#[test]
fn stocks_are_read_at_the_edges_of_the_period_and_flows_are_summed() {
    let policy = kam_tests::default_policy();
    let records = [
        month(
            "C",
            "2026-07",
            json!({"accounts_start": 100, "accounts_lost": 2, "archives_complete": 80, "archives_total": 100}),
        ),
        month(
            "C",
            "2026-08",
            json!({"accounts_start": 98, "accounts_lost": 3, "archives_complete": 90, "archives_total": 98}),
        ),
        month(
            "C",
            "2026-09",
            json!({"accounts_start": 95, "accounts_lost": 1, "archives_complete": 94, "archives_total": 94}),
        ),
    ];
    let results = policy.aggregate_staff(&records, Span::Quarter);
    let q = results[0].1.as_ref().unwrap();
    // 6 accounts lost in the quarter of the 100 it started with; archives as they stand at its end.
    assert_eq!(q.kpis["churn_rate"], Some(d("0.06")));
    assert_eq!(q.kpis["archive_completeness"], Some(d("1")));
    assert_eq!(q.kpis["sales_completion_rate"], Some(d("1")));
}

#[test]
fn days_present_cannot_exceed_the_month_and_year_zero_does_not_exist() {
    let base = json!({"id": "X", "role": "manager", "period": "2028-02", "sales_target": 1, "sales_actual": 1,
        "days_present": 30, "ratings": {"market_info": 1, "teamwork": 1, "knowledge": [], "analysis": "weak",
        "communication": "clear", "responsibility": 1}});
    let err = StaffRecord::from_json(&base).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("days_present"), "{err}");
    let mut zero = base.clone();
    zero["period"] = json!("0000-01");
    zero["days_present"] = json!(20);
    assert_eq!(
        StaffRecord::from_json(&zero).unwrap_err().field.as_deref(),
        Some("period")
    );
}

#[test]
fn csv_style_records_read_like_json_ones() {
    let nested = json!({"id": "T", "role": "manager", "period": "2026-09", "sales_target": "100", "sales_actual": "95",
        "days_present": "26", "ratings": {"market_info": 8, "teamwork": 9, "knowledge": ["products", "role"],
        "analysis": "average", "communication": "clear", "responsibility": 4.5},
        "reviews": {"self": 80, "supervisor": 90, "customer": 70}});
    let dotted = json!({"id": "T", "role": "manager", "period": "2026-09", "sales_target": "100", "sales_actual": "95",
        "days_present": "26", "ratings.market_info": "8", "ratings.teamwork": "9", "ratings.knowledge": "products;role",
        "ratings.analysis": "average", "ratings.communication": "clear", "ratings.responsibility": "4.5",
        "reviews.self": "80", "reviews.supervisor": "90", "reviews.customer": "70"});
    let cells = json!({"id": "T", "role": "manager", "period": "2026-09", "sales_target": "100", "sales_actual": "95",
        "days_present": "26",
        "ratings": "{\"market_info\": 8, \"teamwork\": 9, \"knowledge\": [\"products\", \"role\"], \"analysis\": \"average\", \"communication\": \"clear\", \"responsibility\": 4.5}",
        "reviews": "{\"self\": 80, \"supervisor\": 90, \"customer\": 70}"});
    let expected = StaffRecord::from_json(&nested).unwrap();
    assert_eq!(StaffRecord::from_json(&dotted).unwrap(), expected);
    assert_eq!(StaffRecord::from_json(&cells).unwrap(), expected);
}

/// Issue 3: an author caps the sales bonus or moves the warning threshold in
/// parameters.rhai alone, and the scores follow.
#[test]
fn bonus_caps_and_the_warning_threshold_are_parameters() {
    let params = kam_tests::default_policy().sources()["parameters.rhai"].clone();
    let edited = params
        .replace("completion_bonus_cap: (),", "completion_bonus_cap: 2,")
        .replace(
            "new_customers_bonus_cap: (),",
            "new_customers_bonus_cap: 1,",
        )
        .replace("warning_below: 60,", "warning_below: 95,");
    assert_ne!(edited, params, "fixture out of date");
    let policy = kam_tests::edited_policy(&[("parameters.rhai", &edited)]).unwrap();
    // 115% completion (3 steps) and 3 customers above target.
    let record = month(
        "B",
        "2026-09",
        json!({"sales_actual": 115, "days_present": 26,
        "new_customers_target": 1, "new_customers_actual": 4}),
    );
    let r = policy.evaluate_staff(&record).unwrap();
    let score = |id: &str| r.scorecard.items.iter().find(|i| i.id == id).unwrap().score;
    assert_eq!(score("sales_completion"), d("27"), "25 + bonus capped at 2");
    assert_eq!(score("new_customers"), d("6"), "5 + bonus capped at 1");
    assert_eq!(r.grade, "excellent");
    assert_eq!(
        r.actions,
        ["verbal_warning"],
        "total {} is below the new threshold 95",
        r.scorecard.total
    );

    let default = kam_tests::default_policy().evaluate_staff(&record).unwrap();
    let score = |id: &str| {
        default
            .scorecard
            .items
            .iter()
            .find(|i| i.id == id)
            .unwrap()
            .score
    };
    assert_eq!(
        (score("sales_completion"), score("new_customers")),
        (d("28"), d("8"))
    );
    assert!(default.actions.is_empty());
}

/// A person's months with the given sales actuals.
fn sales(id: &str, months: &[(&str, i64)]) -> Vec<StaffRecord> {
    months
        .iter()
        .map(|(period, actual)| {
            month(
                id,
                period,
                json!({"sales_previous": 1, "sales_actual": actual}),
            )
        })
        .collect()
}

fn growth_of(
    records: &[StaffRecord],
    span: Span,
    id: &str,
    period: &str,
) -> (Option<Decimal>, Vec<kam::model::Reason>) {
    growth_by(&kam_tests::default_policy(), records, span, id, period)
}

fn growth_by(
    policy: &kam::Policy,
    records: &[StaffRecord],
    span: Span,
    id: &str,
    period: &str,
) -> (Option<Decimal>, Vec<kam::model::Reason>) {
    let results = policy.aggregate_staff(records, span);
    let r = results
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .find(|r| r.id == id && r.period == period)
        .unwrap_or_else(|| panic!("no result for {id} {period}: {results:?}"));
    let why = r
        .reasons
        .iter()
        .filter(|x| x.code.starts_with("period.previous"))
        .cloned()
        .collect();
    (r.kpis["sales_growth_rate"], why)
}

fn texts(list: &[&str]) -> kam::model::Fact {
    kam::model::Fact::List(
        list.iter()
            .map(|t| kam::model::Fact::Text(t.to_string()))
            .collect(),
    )
}

#[test]
fn a_quarters_growth_is_against_the_previous_quarters_summed_actuals() {
    // Monthly sales_previous (1 each) is never summed: Q2's actuals are.
    let records = sales(
        "G",
        &[
            ("2026-04", 100),
            ("2026-05", 200),
            ("2026-06", 301),
            ("2026-07", 250),
            ("2026-08", 250),
            ("2026-09", 250),
        ],
    );
    let (growth, why) = growth_of(&records, Span::Quarter, "G", "2026-Q3");
    assert_eq!(growth, Some((d("750") - d("601")) / d("601")));
    assert!(why.is_empty(), "{why:?}");
    // The earliest quarter has nothing before it in the input.
    let (growth, why) = growth_of(&records, Span::Quarter, "G", "2026-Q2");
    assert_eq!(growth, None);
    assert_eq!(why[0].code, "period.previous_incomplete");
    assert_eq!(
        why[0].facts["previous"],
        kam::model::Fact::Text("2026-Q1".into())
    );
    assert_eq!(
        why[0].facts["missing"],
        texts(&["2026-01", "2026-02", "2026-03"])
    );
}

#[test]
fn a_previous_quarter_missing_a_month_gives_no_growth_and_names_the_month() {
    let records = sales(
        "G",
        &[
            ("2026-04", 100),
            ("2026-06", 300),
            ("2026-07", 250),
            ("2026-08", 250),
            ("2026-09", 250),
        ],
    );
    let (growth, why) = growth_of(&records, Span::Quarter, "G", "2026-Q3");
    assert_eq!(growth, None);
    assert_eq!(why.len(), 1, "{why:?}");
    assert_eq!(why[0].code, "period.previous_incomplete");
    assert_eq!(why[0].facts["missing"], texts(&["2026-05"]));
    assert_eq!(
        why[0].message.as_deref(),
        Some("sales_previous is sales_actual summed over 2026-Q2, which has no record for 2026-05: not computed")
    );

    // A month given twice in the previous quarter: not summed twice.
    let mut records = sales(
        "G",
        &[
            ("2026-04", 100),
            ("2026-05", 100),
            ("2026-06", 300),
            ("2026-07", 250),
        ],
    );
    records.push(records[1].clone());
    let (growth, why) = growth_of(&records, Span::Quarter, "G", "2026-Q3");
    assert_eq!(growth, None);
    assert_eq!(why[0].code, "period.previous_duplicated");
    assert_eq!(why[0].facts["duplicated"], texts(&["2026-05"]));
}

#[test]
fn only_one_quarter_gives_no_growth() {
    let records = sales("G", &[("2026-07", 250), ("2026-08", 250), ("2026-09", 250)]);
    let (growth, why) = growth_of(&records, Span::Quarter, "G", "2026-Q3");
    assert_eq!(growth, None);
    assert_eq!(
        why[0].facts["missing"],
        texts(&["2026-04", "2026-05", "2026-06"])
    );
}

#[test]
fn the_first_quarter_looks_back_to_the_previous_years_fourth() {
    let records = sales(
        "G",
        &[
            ("2025-10", 100),
            ("2025-11", 100),
            ("2025-12", 100),
            ("2026-01", 150),
        ],
    );
    let (growth, _) = growth_of(&records, Span::Quarter, "G", "2026-Q1");
    assert_eq!(growth, Some(d("-0.5")));
}

#[test]
fn a_years_growth_is_against_the_previous_years_summed_actuals() {
    let mut months: Vec<(String, i64)> = Vec::new();
    for m in 1..=12 {
        months.push((format!("2025-{m:02}"), 100));
        months.push((format!("2026-{m:02}"), 110));
    }
    let months: Vec<(&str, i64)> = months.iter().map(|(p, a)| (p.as_str(), *a)).collect();
    let records = sales("G", &months);
    let (growth, why) = growth_of(&records, Span::Year, "G", "2026");
    assert_eq!(growth, Some(d("0.1")));
    assert!(why.is_empty(), "{why:?}");
    // Without December 2025 the year has nothing to compare with.
    let records: Vec<StaffRecord> = records
        .into_iter()
        .filter(|r| r.period.to_string() != "2025-12")
        .collect();
    let (growth, why) = growth_of(&records, Span::Year, "G", "2026");
    assert_eq!(growth, None);
    assert_eq!(why[0].facts["missing"], texts(&["2025-12"]));
}

#[test]
fn another_persons_previous_quarter_is_never_used() {
    let mut records = sales(
        "OTHER",
        &[("2026-04", 100), ("2026-05", 100), ("2026-06", 100)],
    );
    records.extend(sales(
        "G",
        &[("2026-07", 250), ("2026-08", 250), ("2026-09", 250)],
    ));
    let (growth, why) = growth_of(&records, Span::Quarter, "G", "2026-Q3");
    assert_eq!(growth, None);
    assert_eq!(
        why[0].facts["missing"],
        texts(&["2026-04", "2026-05", "2026-06"])
    );
    let (other, _) = growth_of(&records, Span::Quarter, "OTHER", "2026-Q2");
    assert_eq!(other, None);
}

#[test]
fn an_input_the_previous_quarter_lacks_in_a_month_is_named() {
    // sales_actual is required in a record; an optional input shows the case.
    let params = kam_tests::default_policy().sources()["parameters.rhai"].replace(
        "period_previous_inputs: #{ sales_previous: \"sales_actual\" }",
        "period_previous_inputs: #{ sales_previous: \"expenses\" }",
    );
    let policy = kam_tests::edited_policy(&[("parameters.rhai", &params)]).unwrap();
    let with_expenses = |period: &str, expenses: serde_json::Value| {
        month("G", period, json!({ "expenses": expenses }))
    };
    let records = [
        with_expenses("2026-04", json!(10)),
        with_expenses("2026-05", serde_json::Value::Null),
        with_expenses("2026-06", json!(10)),
        with_expenses("2026-07", json!(10)),
    ];
    let (growth, why) = growth_by(&policy, &records, Span::Quarter, "G", "2026-Q3");
    assert_eq!(growth, None);
    assert_eq!(why[0].code, "period.previous_not_summed");
    assert_eq!(why[0].facts["missing"], texts(&["2026-05"]));
    assert_eq!(
        why[0].facts["from"],
        kam::model::Fact::Text("expenses".into())
    );

    let records = [
        with_expenses("2026-04", json!(10)),
        with_expenses("2026-05", json!(10)),
        with_expenses("2026-06", json!(30)),
        with_expenses("2026-07", json!(10)),
    ];
    let (growth, why) = growth_by(&policy, &records, Span::Quarter, "G", "2026-Q3");
    // Q3's summed sales_actual (100) against Q2's summed expenses (50).
    assert_eq!(growth, Some(d("1")));
    assert!(why.is_empty(), "{why:?}");
}
