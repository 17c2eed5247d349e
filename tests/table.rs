//! `kam::table`: Arrow tables in, one scored row per input row out.

use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::Decimal128Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Decimal128Array, DictionaryArray, Float64Array, Int64Array,
    RecordBatch, StringArray, StringViewArray, StructArray,
};
use arrow_schema::{DataType, Field};
use kam::table::{self, ExtraColumns, TableOptions};

fn as_of() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
}

fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    RecordBatch::try_from_iter(columns).unwrap()
}

fn text<'a>(b: &'a RecordBatch, name: &str) -> Vec<Option<&'a str>> {
    b.column_by_name(name)
        .unwrap()
        .as_string::<i32>()
        .iter()
        .collect()
}

#[test]
fn every_row_is_scored_in_order_across_output_batches() {
    let policy = kam_tests::default_policy();
    let ids: Vec<String> = (0..10).map(|i| format!("C-{i}")).collect();
    let revenue: Vec<i64> = (0..10).map(|i| i * 500_000).collect();
    let input = batch(vec![
        ("id", Arc::new(StringArray::from(ids.clone()))),
        ("annual_revenue", Arc::new(Int64Array::from(revenue))),
    ]);
    let options = TableOptions::default().with_batch_rows(3);
    let scored =
        table::score_customers(&policy, &input.schema(), &[input], as_of(), &options).unwrap();
    assert_eq!(
        scored
            .batches
            .iter()
            .map(|b| b.num_rows())
            .collect::<Vec<_>>(),
        [3, 3, 3, 1]
    );
    let out: Vec<String> = scored
        .batches
        .iter()
        .flat_map(|b| text(b, "id"))
        .map(|s| s.unwrap().to_owned())
        .collect();
    assert_eq!(out, ids);
    let tiers: Vec<Option<String>> = scored
        .batches
        .iter()
        .flat_map(|b| text(b, "tier"))
        .map(|s| s.map(str::to_owned))
        .collect();
    // 0 and 250k... are D, 500k C, 1M+ B (no good payment record for A).
    assert_eq!(tiers[0].as_deref(), Some("D"));
    assert_eq!(tiers[1].as_deref(), Some("C"));
    assert_eq!(tiers[2].as_deref(), Some("B"));
    assert_eq!(scored.schema, scored.batches[0].schema());
}

#[test]
fn arrow_types_read_as_the_json_a_file_would_hold() {
    let policy = kam_tests::default_policy();
    let revenue = Decimal128Array::from(vec![300_000_000i128, 299_999_999])
        .with_precision_and_scale(12, 2)
        .unwrap();
    let rating: DictionaryArray<arrow_array::types::Int8Type> =
        vec!["excellent", "excellent"].into_iter().collect();
    let input = batch(vec![
        ("id", Arc::new(StringViewArray::from(vec!["at", "below"]))),
        ("annual_revenue", Arc::new(revenue)),
        ("credit_rating", Arc::new(rating)),
        (
            "long_term_intent",
            Arc::new(BooleanArray::from(vec![true, true])),
        ),
        // NaN in a float column is missing: the default 0 applies.
        (
            "late_payments",
            Arc::new(Float64Array::from(vec![f64::NAN, 0.0])),
        ),
    ]);
    let scored = table::score_customers(
        &policy,
        &input.schema(),
        &[input],
        as_of(),
        &TableOptions::default(),
    )
    .unwrap();
    let out = &scored.batches[0];
    assert_eq!(text(out, "tier"), [Some("A"), Some("B")]);
    assert_eq!(out.column_by_name("error").unwrap().null_count(), 2);
}

#[test]
fn unknown_columns_are_refused_with_a_suggestion_or_passed_as_attributes() {
    let policy = kam_tests::default_policy();
    let input = batch(vec![
        ("id", Arc::new(StringArray::from(vec!["x"]))),
        ("annual_revenue", Arc::new(Int64Array::from(vec![1]))),
        ("late_payment", Arc::new(Int64Array::from(vec![2]))),
    ]);
    let err = table::score_customers(
        &policy,
        &input.schema(),
        std::slice::from_ref(&input),
        as_of(),
        &TableOptions::default(),
    )
    .unwrap_err();
    let kam::Error::Record(e) = err else {
        panic!("expected a record error")
    };
    assert_eq!(e.field.as_deref(), Some("late_payment"));
    assert!(e.to_string().contains("late_payments"), "{e}");
    let options = TableOptions::with_extra_columns(ExtraColumns::Attributes);
    let scored =
        table::score_customers(&policy, &input.schema(), &[input], as_of(), &options).unwrap();
    assert_eq!(
        scored.batches[0]
            .column_by_name("error")
            .unwrap()
            .null_count(),
        1
    );
}

fn staff_batch(target: &str, actual: &str) -> RecordBatch {
    let mut knowledge = ListBuilder::new(StringBuilder::new());
    knowledge.values().append_value("products");
    knowledge.values().append_value("role");
    knowledge.append(true);
    let ratings = StructArray::from(vec![
        (
            Arc::new(Field::new("market_info", DataType::Int64, true)),
            Arc::new(Int64Array::from(vec![8])) as ArrayRef,
        ),
        (
            Arc::new(Field::new("teamwork", DataType::Utf8, true)),
            Arc::new(StringArray::from(vec!["9.5"])) as ArrayRef,
        ),
        (
            Arc::new(Field::new(
                "knowledge",
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
                true,
            )),
            Arc::new(knowledge.finish()) as ArrayRef,
        ),
        (
            Arc::new(Field::new("analysis", DataType::Utf8, true)),
            Arc::new(StringArray::from(vec!["strong"])) as ArrayRef,
        ),
        (
            Arc::new(Field::new("communication", DataType::Utf8, true)),
            Arc::new(StringArray::from(vec!["clear"])) as ArrayRef,
        ),
        (
            Arc::new(Field::new("responsibility", DataType::Int64, true)),
            Arc::new(Int64Array::from(vec![5])) as ArrayRef,
        ),
    ]);
    batch(vec![
        ("id", Arc::new(StringArray::from(vec!["S-1"]))),
        ("role", Arc::new(StringArray::from(vec!["manager"]))),
        ("period", Arc::new(StringArray::from(vec!["2026-09"]))),
        ("sales_target", Arc::new(StringArray::from(vec![target]))),
        ("sales_actual", Arc::new(StringArray::from(vec![actual]))),
        ("days_present", Arc::new(Int64Array::from(vec![26]))),
        ("ratings", Arc::new(ratings)),
    ])
}

#[test]
fn staff_decimals_are_exact_and_a_value_too_large_for_the_column_is_that_rows_error() {
    let policy = kam_tests::default_policy();
    let good = staff_batch("1000000", "930000");
    let huge = staff_batch("0.0001", "100000000");
    let schema = good.schema();
    let scored =
        table::score_staff(&policy, &schema, &[good, huge], &TableOptions::default()).unwrap();
    let out = &scored.batches[0];
    assert_eq!(out.num_rows(), 2);
    let rate = out
        .column_by_name("kpis.sales_completion_rate")
        .unwrap()
        .as_primitive::<Decimal128Type>();
    assert_eq!(rate.data_type(), &DataType::Decimal128(38, 28));
    assert_eq!(rate.value_as_string(0), "0.9300000000000000000000000000");
    assert!(rate.is_null(1));
    let errors = out.column_by_name("error").unwrap().as_struct();
    assert!(errors.is_null(0) && errors.is_valid(1));
    let field = errors.column_by_name("field").unwrap().as_string::<i32>();
    assert_eq!(field.value(1), "kpis.sales_completion_rate");
    // The column is the wire form: its code, and the record's id.
    let code = errors.column_by_name("code").unwrap().as_string::<i32>();
    assert_eq!(code.value(1), "shape");
    let record_id = errors
        .column_by_name("record_id")
        .unwrap()
        .as_string::<i32>();
    let id = out.column_by_name("id").unwrap().as_string::<i32>();
    assert_eq!(record_id.value(1), id.value(1));
    // The same record through JSON gives the same total as the table.
    let json = serde_json::json!({
        "id": "S-1", "role": "manager", "period": "2026-09", "sales_target": "1000000",
        "sales_actual": "930000", "days_present": 26,
        "ratings": {"market_info": 8, "teamwork": "9.5", "knowledge": ["products", "role"],
                    "analysis": "strong", "communication": "clear", "responsibility": 5}
    });
    let want = policy.evaluate_staff_json(&json).unwrap().scorecard.total;
    let total = out
        .column_by_name("scorecard.total")
        .unwrap()
        .as_primitive::<Decimal128Type>();
    let got: rust_decimal::Decimal = total.value_as_string(0).parse().unwrap();
    assert_eq!(got, want);
}

#[test]
fn a_batch_with_another_schema_is_an_error_not_a_panic() {
    let policy = kam_tests::default_policy();
    let wide = batch(vec![
        ("id", Arc::new(StringArray::from(vec!["x"]))),
        ("annual_revenue", Arc::new(Int64Array::from(vec![1]))),
    ]);
    let narrow = batch(vec![("id", Arc::new(StringArray::from(vec!["y"])))]);
    let err = table::score_customers(
        &policy,
        &wide.schema(),
        &[wide.clone(), narrow],
        as_of(),
        &TableOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("batch 1"), "{err}");
}

#[test]
fn an_integer_id_column_is_the_record_error_an_integer_json_id_is() {
    let policy = kam_tests::default_policy();
    let input = batch(vec![
        ("id", Arc::new(Int64Array::from(vec![7, 8]))),
        (
            "annual_revenue",
            Arc::new(Int64Array::from(vec![600_000, 100])),
        ),
    ]);
    let scored = table::score_customers(
        &policy,
        &input.schema(),
        &[input],
        as_of(),
        &TableOptions::default(),
    )
    .unwrap();
    let out = &scored.batches[0];
    // The same record as a JSON line: `{"id": 7, …}` is refused, naming `id`.
    let json = serde_json::json!({"id": 7, "annual_revenue": 600_000});
    let want = match policy.evaluate_customer_json(&json, as_of()) {
        Err(kam::Error::Record(e)) => e,
        other => panic!("expected a record error, got {other:?}"),
    };
    assert_eq!(want.field.as_deref(), Some("id"));
    assert_eq!(text(out, "tier"), [None, None]);
    // The output still names the row by the id it was given.
    assert_eq!(text(out, "id"), [Some("7"), Some("8")]);
    let errors = out.column_by_name("error").unwrap().as_struct();
    assert!(errors.is_valid(0) && errors.is_valid(1));
    let column = |name: &str| errors.column_by_name(name).unwrap().as_string::<i32>();
    assert_eq!(column("kind").value(0), "record");
    assert_eq!(column("field").value(0), "id");
    assert_eq!(column("message").value(0), want.message());
}
