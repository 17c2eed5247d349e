//! Arbitrary rule text (as `customer.rhai`) against an arbitrary record:
//! compiling and evaluating end in a result or an error, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The first line is the record; the rest is the rule file.
    let (record, rules) = text.split_once('\n').unwrap_or(("{}", text));
    let mut files: std::collections::BTreeMap<String, String> = common::RULES
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    files.insert("customer.rhai".into(), rules.to_string());
    // Small budgets keep executions fast; the limits themselves are what is tested.
    let mut limits = kam::Limits::default();
    limits.max_operations = 20_000;
    limits.max_duration = Some(std::time::Duration::from_millis(200));
    let Ok(policy) = kam::Policy::from_sources_with_limits(files, limits) else {
        return;
    };
    let record = kam::model::parse_json(record).unwrap_or(serde_json::json!({"id": "F", "annual_revenue": 1}));
    let _ = policy.evaluate_customer_json(&record, common::as_of());
});
