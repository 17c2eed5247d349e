//! Hostile and broken policies end as clear errors with file and line, never a
//! panic, a hang or a silently wrong answer; and the policy keeps serving.

use chrono::NaiveDate;
use kam::{Error, RuleErrorKind};
use kam_tests::edited_policy;
use serde_json::json;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
}

fn record() -> serde_json::Value {
    json!({"id": "C-9", "annual_revenue": 1_200_000})
}

/// Replaces the entry point with `body` (line 1 is `fn customer(c, as_of, p) {`).
fn entry(body: &str) -> String {
    format!("fn customer(c, as_of, p) {{\n{body}\n}}\n")
}

fn rule_error(files: &[(&str, &str)]) -> kam::RuleError {
    rule_error_on(files, &record())
}

fn rule_error_on(files: &[(&str, &str)], record: &serde_json::Value) -> kam::RuleError {
    let policy = edited_policy(files).unwrap_or_else(|e| panic!("policy should load: {e}"));
    match policy.evaluate_customer_json(record, as_of()) {
        Err(Error::Rule(e)) => *e,
        other => panic!("expected a rule error, got {other:?}"),
    }
}

fn policy_errors(files: &[(&str, &str)]) -> Vec<kam::PolicyError> {
    match edited_policy(files) {
        Err(e) => e.0,
        Ok(_) => panic!("policy should be refused"),
    }
}

#[test]
fn syntax_error_is_reported_with_file_line_and_column() {
    let errs = policy_errors(&[(
        "customer_visit.rhai",
        "fn visit(c, tier, as_of, p) {\n  let x = ;\n}\n",
    )]);
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].file, "customer_visit.rhai");
    assert_eq!(errs[0].line, Some(2));
    assert_eq!(errs[0].column, Some(11));
}

#[test]
fn infinite_loop_is_stopped_as_a_limit_and_the_policy_keeps_working() {
    let looping = entry("  let n = 0;\n  loop { n += 1; }");
    let policy = edited_policy(&[("customer.rhai", &looping)]).unwrap();
    let err = match policy.evaluate_customer_json(&record(), as_of()) {
        Err(Error::Rule(e)) => *e,
        other => panic!("expected a rule error, got {other:?}"),
    };
    assert!(matches!(err.kind, RuleErrorKind::Limit(_)), "{err}");
    // Rhai gives operation limits no position: the error points at the looping
    // function. Compiled code (the default engine) names the loop's line.
    let line = match policy.engine_in_use() {
        kam::Engine::Compiled => Some(3),
        _ => Some(1),
    };
    assert_eq!((err.file.as_str(), err.line), ("customer.rhai", line));
    assert_eq!(err.record_id, "C-9");
    // The same engine answers the next call (here: again the limit, not a hang or poison).
    assert!(policy.evaluate_customer_json(&record(), as_of()).is_err());
    // And the unedited policy is unaffected.
    assert!(kam_tests::default_policy()
        .evaluate_customer_json(&record(), as_of())
        .is_ok());
}

#[test]
fn undeclared_tier_is_a_shape_error_at_the_entry_point() {
    let bad_tier = r#"fn base_tier(c, p) {
    this.note("tier.base", "made up");
    "AA"
}"#;
    let tier_file = kam_tests::default_policy().sources()["customer_tier.rhai"]
        .replace("fn base_tier(c, p) {", "fn base_tier_unused(c, p) {");
    let err = rule_error(&[("customer_tier.rhai", &tier_file), ("extra.rhai", bad_tier)]);
    match &err.kind {
        RuleErrorKind::Shape { field, found, .. } => {
            assert_eq!(field, "tier");
            assert_eq!(found, "\"AA\"");
        }
        other => panic!("expected a shape error, got {other:?}"),
    }
    assert_eq!(err.file, "customer.rhai");
    let entry = kam_tests::default_policy().sources()["customer.rhai"]
        .lines()
        .position(|l| l.starts_with("fn customer("))
        .map(|i| i + 1);
    assert_eq!(err.line, entry, "line of `fn customer(`");
}

#[test]
fn wrong_shapes_name_the_result_field() {
    let base = kam_tests::default_policy().sources()["customer.rhai"].clone();
    for (from, to, field) in [
        (
            "downgrade_deadline: deadline,",
            "downgrade_deadline: \"2026-10-06\",",
            "downgrade_deadline",
        ),
        (
            "key_account: why.key_account(c, p),\n        categories: why",
            "key_account: 1,\n        categories: why",
            "key_account",
        ),
        ("status: \"active\",", "status: \"activ\",", "status"),
        (
            "reasons: why,\n    }\n}",
            "reasons: why, extra: 1,\n    }\n}",
            "extra",
        ),
    ] {
        assert!(base.contains(from), "fixture out of date: {from}");
        let edited = base.replacen(from, to, 1);
        let err = rule_error(&[("customer.rhai", &edited)]);
        match &err.kind {
            RuleErrorKind::Shape { field: f, .. } => assert_eq!(f, field, "{err}"),
            other => panic!("{field}: expected a shape error, got {other:?}"),
        }
    }
    let not_a_map = rule_error(&[("customer.rhai", &entry("  42"))]);
    assert!(
        matches!(not_a_map.kind, RuleErrorKind::Shape { .. }),
        "{not_a_map}"
    );
}

#[test]
fn script_errors_point_into_the_file_that_failed() {
    // A misspelt property in a helper file is an error there, not a silent ():
    // found when the policy loads, at the name...
    let common = kam_tests::default_policy().sources()["common.rhai"]
        .replace("c.late_payments == 0", "c.late_payment == 0");
    let errs = policy_errors(&[("common.rhai", &common)]);
    assert_eq!(
        (errs[0].file.as_str(), errs[0].line, errs[0].column),
        ("common.rhai", Some(5), Some(7)),
        "{errs:?}"
    );
    assert!(
        errs[0].message.contains("did you mean `late_payments`"),
        "{errs:?}"
    );
    // ...or, through a copy loading does not follow, on the record, in that file.
    let common = kam_tests::default_policy().sources()["common.rhai"].replace(
        "c.late_payments == 0",
        "(if true { let r = c; r.late_payment == 0 } else { false })",
    );
    let a_level = json!({"id": "C-9", "annual_revenue": 4_000_000});
    let err = rule_error_on(&[("common.rhai", &common)], &a_level);
    assert_eq!(err.file, "common.rhai");
    assert_eq!(err.line, Some(5));
    assert!(err.to_string().contains("late_payment"), "{err}");

    let thrown = rule_error(&[("customer.rhai", &entry("  throw \"no tier for \" + c.id;"))]);
    assert_eq!(
        (thrown.file.as_str(), thrown.line),
        ("customer.rhai", Some(2))
    );
    assert!(thrown.to_string().contains("no tier for C-9"), "{thrown}");
}

#[test]
fn comparing_a_number_with_a_string_is_an_error_not_false() {
    let err = rule_error(&[(
        "customer.rhai",
        &entry("  if c.annual_revenue >= \"1000000\" { 1 } else { 2 }"),
    )]);
    assert!(err.to_string().contains("cannot compare"), "{err}");
}

#[test]
fn host_access_is_refused_at_load_or_at_run() {
    for (body, needle) in [
        ("  eval(\"1\")", "eval"),
        ("  print(1); #{}", "print"),
        ("  import \"x\" as y; #{}", "import"),
    ] {
        let errs = policy_errors(&[("customer.rhai", &entry(body))]);
        assert_eq!(errs[0].file, "customer.rhai");
        assert_eq!(errs[0].line, Some(2), "{needle}: {errs:?}");
        assert!(errs[0].message.contains(needle), "{needle}: {errs:?}");
    }
    let slept = rule_error(&[("customer.rhai", &entry("  sleep(10); #{}"))]);
    assert!(
        slept.to_string().contains("sleep is not available"),
        "{slept}"
    );
    let clock = rule_error(&[("customer.rhai", &entry("  timestamp(); #{}"))]);
    assert!(clock.to_string().contains("timestamp"), "{clock}");
}

#[test]
fn runaway_recursion_and_growth_are_limits() {
    let recursion = "fn customer(c, as_of, p) {\n  customer(c, as_of, p)\n}\n";
    let err = rule_error(&[("customer.rhai", recursion)]);
    assert!(matches!(err.kind, RuleErrorKind::Limit(_)), "{err}");
    let growth = rule_error(&[(
        "customer.rhai",
        &entry("  let s = \"x\";\n  loop { s += s; }"),
    )]);
    assert!(matches!(growth.kind, RuleErrorKind::Limit(_)), "{growth}");
}

#[test]
fn a_failing_record_costs_only_itself_in_a_batch() {
    let base = kam_tests::default_policy().sources()["customer.rhai"].clone();
    let edited = base.replacen(
        "let why = [];",
        "let why = [];\n    if c.id == \"C-bad\" { throw \"bad\"; }",
        1,
    );
    let policy = edited_policy(&[("customer.rhai", &edited)]).unwrap();
    let records: Vec<_> = (0..500)
        .map(|i| {
            if i == 250 {
                json!({"id": "C-bad", "annual_revenue": 1})
            } else if i == 100 {
                json!({"id": "C-neg", "annual_revenue": -1})
            } else {
                json!({"id": format!("C-{i}"), "annual_revenue": i * 10_000})
            }
        })
        .collect();
    let results = policy.evaluate_customers_json(&records, as_of());
    assert_eq!(results.len(), 500);
    for (i, r) in results.iter().enumerate() {
        match (i, r) {
            (250, Err(Error::Rule(e))) => assert_eq!(e.record_id, "C-bad"),
            (100, Err(Error::Record(e))) => assert_eq!(e.id.as_deref(), Some("C-neg")),
            (_, Ok(r)) => assert_eq!(r.id, format!("C-{i}")),
            (_, other) => panic!("record {i}: {other:?}"),
        }
    }
}

#[test]
fn parallel_batch_equals_serial_evaluation() {
    let policy = kam_tests::default_policy();
    let records = kam_tests::sample_customers();
    let records: Vec<_> = records.iter().cycle().take(2000).cloned().collect();
    let batch = policy.evaluate_customers_json(&records, as_of());
    for (r, b) in records.iter().zip(&batch) {
        assert_eq!(&policy.evaluate_customer_json(r, as_of()), b);
    }
}

#[test]
fn in_memory_sources_give_the_same_policy_as_the_directory() {
    let from_dir = kam_tests::default_policy();
    let from_sources = kam::Policy::from_sources(from_dir.sources().clone()).unwrap();
    assert_eq!(from_dir.info(), from_sources.info());
    let r = record();
    assert_eq!(
        from_dir.evaluate_customer_json(&r, as_of()),
        from_sources.evaluate_customer_json(&r, as_of())
    );
}

#[test]
fn one_policy_shared_by_many_threads_answers_like_one_thread() {
    let policy = kam_tests::default_policy();
    let records = kam_tests::sample_customers();
    let serial: Vec<_> = records
        .iter()
        .map(|r| policy.evaluate_customer_json(r, as_of()))
        .collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..16)
            .map(|_| {
                let policy = policy.clone();
                let records = &records;
                s.spawn(move || {
                    records
                        .iter()
                        .map(|r| policy.evaluate_customer_json(r, as_of()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), serial);
        }
    });
}

/// The deepest program the default limits allow must end as an error, not
/// overflow a 2 MiB thread stack (rayon's and most hosts' default) in a debug build.
#[test]
fn the_default_limits_fit_a_two_mebibyte_stack() {
    // As many nested parentheses as a function body may hold, around a recursive call.
    let deepest = |depth: usize| {
        let nested = format!("{}r(n - 1){}", "(1 + ".repeat(depth), ")".repeat(depth));
        let deep = format!(
            "fn customer(c, as_of, p) {{\n  r(1000)\n}}\nfn r(n) {{\n  if n == 0 {{ return 0; }}\n  {nested}\n}}\n"
        );
        edited_policy(&[("customer.rhai", &deep)]).ok()
    };
    let max = kam::Limits::default().max_expr_depth.1;
    let (depth, policy) = (1..max)
        .rev()
        .find_map(|d| deepest(d).map(|p| (d, p)))
        .expect("some depth compiles");
    assert!(depth > 1, "nesting allowed: {depth}");
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || policy.evaluate_customer_json(&record(), as_of()))
        .unwrap();
    match handle.join().unwrap() {
        Err(Error::Rule(e)) => assert!(matches!(e.kind, RuleErrorKind::Limit(_)), "{e}"),
        other => panic!("expected a limit error, got {other:?}"),
    }
}

#[test]
fn huge_date_arithmetic_is_an_error_not_a_panic() {
    for body in [
        "  as_of.add_days(9223372036854775807)",
        "  as_of.add_days(100000000000000)",
        "  as_of.add_months(200000)",
    ] {
        let err = rule_error(&[("customer.rhai", &entry(body))]);
        assert!(
            err.to_string().contains("left the calendar"),
            "{body}: {err}"
        );
    }
    // Reached through a parameter alone.
    let params = kam_tests::default_policy().sources()["parameters.rhai"]
        .replace("downgrade_days: 5,", "downgrade_days: 100_000_000_000_000,");
    let policy = edited_policy(&[("parameters.rhai", &params)]).unwrap();
    let a_with_incident = json!({"id": "C-1", "annual_revenue": 4_200_000, "tier": "A",
        "incidents": [{"date": "2026-10-01", "kind": "late_payment"}]});
    assert!(matches!(
        policy.evaluate_customer_json(&a_with_incident, as_of()),
        Err(Error::Rule(_))
    ));
}

/// rhai's `tan` calls rust_decimal's, which panics ("Tan overflowed") at the
/// poles of the tangent; a policy (or a record value it is given) must not
/// reach a panic, so there it is a rule error.
#[test]
fn tan_at_a_pole_is_a_rule_error_not_a_panic() {
    for x in [
        "1.5707963267948966192313216916",
        "-1.5707963267948966192313216916",
        "4.7123889803846898576939650749",
    ] {
        let err = rule_error(&[("customer.rhai", &entry(&format!("  tan({x})")))]);
        assert!(err.to_string().contains("tan"), "{x}: {err}");
    }
    // Elsewhere `tan` still answers.
    let err = rule_error(&[("customer.rhai", &entry("  throw tan(0.5)"))]);
    assert!(
        err.to_string().contains("0.5463024898403991234576944714"),
        "{err}"
    );
}

#[test]
fn slow_native_work_is_stopped_by_the_time_limit() {
    let mut files = kam_tests::default_policy().sources().clone();
    files.insert(
        "customer.rhai".into(),
        entry("  let a = [];\n  a.pad(9999, \"x\");\n  loop { if \"y\" in a {} }"),
    );
    let mut limits = kam::Limits::default();
    limits.max_duration = Some(std::time::Duration::from_millis(200));
    let policy = kam::Policy::from_sources_with_limits(files, limits).unwrap();
    match policy.evaluate_customer_json(&record(), as_of()) {
        Err(Error::Rule(e)) => assert!(e.to_string().contains("time limit"), "{e}"),
        other => panic!("expected a time-limit error, got {other:?}"),
    }
}

#[test]
fn a_parameter_mistake_is_reported_at_the_parameter_with_what_it_must_be() {
    let default = kam_tests::default_policy().sources()["parameters.rhai"].clone();
    for (written, mistake, want) in [
        (
            "downgrade_cap: \"B\"",
            "downgrade_cap: \"b\"",
            "downgrade_cap must be one of the tiers A, B, C, D; it is \"b\"",
        ),
        (
            "a_min_revenue: 3_000_000",
            "a_min_revenue: \"3,000,000\"",
            "a_min_revenue must be an amount of CNY, 0 or more",
        ),
        (
            "c_min_revenue: 500_000",
            "c_min_revenue: 5_000_000",
            "b_min_revenue must be at least c_min_revenue, 5000000; it is 1000000",
        ),
        (
            "visit_interval_days: #{ A: 30, B: 60 }",
            "visit_interval_days: #{ A: 30, B: 0 }",
            "visit_interval_days.B must be a whole number of days above 0; it is 0",
        ),
    ] {
        assert!(default.contains(written), "{written}");
        let params = default.replace(written, mistake);
        let errs = policy_errors(&[("parameters.rhai", &params)]);
        assert_eq!(errs.len(), 1, "{mistake}: {errs:?}");
        assert_eq!(errs[0].file, "parameters.rhai", "{mistake}: {errs:?}");
        assert!(errs[0].message.starts_with(want), "{mistake}: {errs:?}");
        // The line of the parameter named first in the message.
        let name = want.split(['.', ' ']).next().unwrap_or_default();
        let line = params
            .lines()
            .position(|l| l.trim_start().starts_with(&format!("{name}:")))
            .map(|i| i + 1);
        assert_eq!(errs[0].line, line, "{mistake}: {errs:?}");
        assert!(errs[0].column.is_some(), "{mistake}: {errs:?}");
    }
}

#[test]
fn rules_cannot_change_the_record_or_the_parameters() {
    for body in [
        "  c.annual_revenue = 1;",
        "  c.attributes.x = 5;",
        "  p.a_min_revenue = 0;",
    ] {
        let err = rule_error(&[("customer.rhai", &entry(body))]);
        let text = err.to_string();
        assert!(
            text.contains("read-only") || text.contains("No writable property"),
            "{body}: {text}"
        );
    }
}

#[test]
fn kam_helpers_and_the_map_files_cannot_be_subverted() {
    let errs = policy_errors(&[("extra.rhai", "fn contains(a, b) {\n  true\n}\n")]);
    assert!(
        errs[0].message.contains("`contains` is provided by kam"),
        "{errs:?}"
    );
    assert_eq!(
        (errs[0].file.as_str(), errs[0].line),
        ("extra.rhai", Some(1))
    );

    let params = format!(
        "let x = 1;\n{}",
        kam_tests::default_policy().sources()["parameters.rhai"]
    );
    let errs = policy_errors(&[("parameters.rhai", &params)]);
    assert!(
        errs[0].message.contains("exactly one map literal"),
        "{errs:?}"
    );
}

#[test]
fn a_syntax_error_in_the_entry_file_is_the_only_error_reported() {
    let errs = policy_errors(&[(
        "customer.rhai",
        "fn customer(c, as_of, p) {\n  let = 1;\n}\n",
    )]);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(
        (errs[0].file.as_str(), errs[0].line),
        ("customer.rhai", Some(2))
    );
}

#[test]
fn hostile_records_are_record_errors() {
    let policy = kam_tests::default_policy();
    let mut deep = json!(1);
    for _ in 0..40 {
        deep = json!({ "x": deep });
    }
    let huge_key = "k".repeat(3_000_000);
    let cases = [
        (
            json!({"id": "D", "annual_revenue": 1, "attributes": deep}),
            "attributes",
        ),
        (
            json!({"id": "W", "annual_revenue": 1, huge_key.as_str(): 1}),
            "kkkk",
        ),
        (json!({"id": " C-1 ", "annual_revenue": 1}), "id"),
        (
            json!({"id": "Y", "annual_revenue": 1, "last_visit": "+202-11-01"}),
            "last_visit",
        ),
    ];
    for (record, field) in cases {
        match policy.evaluate_customer_json(&record, as_of()) {
            Err(Error::Record(e)) => {
                let f = e.field.clone().unwrap_or_default();
                assert!(f.starts_with(field) && f.len() < 100, "{f}");
            }
            other => panic!("{field}: expected a record error, got {other:?}"),
        }
    }
}

/// rhai reads a limit of 0 as "unlimited"; a policy built with one is refused.
#[test]
fn a_zero_limit_is_a_policy_error_not_an_unlimited_sandbox() {
    let files = kam_tests::default_policy().sources().clone();
    let limits = kam::Limits::from_json(&json!({"max_operations": 50_000})).unwrap();
    assert!(kam::Policy::from_sources_with_limits(files.clone(), limits).is_ok());
    let mut zero = kam::Limits::default();
    zero.max_operations = 0;
    let errs = kam::Policy::from_sources_with_limits(files, zero).unwrap_err();
    assert_eq!(errs.0[0].file, "<limits>");
    assert!(errs.0[0].message.contains("max_operations"), "{errs}");
}
