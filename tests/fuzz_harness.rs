//! What the fuzz targets do with one input, shared by the targets in
//! `fuzz/fuzz_targets/` (included with `#[path]`: the fuzz crate is its own
//! workspace) and by `tests/fuzz_replay.rs` (as `kam_tests::fuzz_harness`), so
//! a replayed finding goes through exactly the steps that found it.
//!
//! Uses only `kam`, `serde`, `serde_json` and `chrono`, which both crates depend on.

use std::collections::BTreeMap;

/// The evaluation date of every fuzzed record.
pub fn as_of() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default()
}

/// An answer in its wire form, to compare engines: a result's JSON or the
/// error's. `None` for a sandbox limit, where the engines may differ by
/// design: compiled code counts fewer operations than rhai (so a budget runs
/// out later) and runs faster (so a deadline passes later), and names the
/// line (RELIABILITY.md).
fn wire<T: serde::Serialize>(answer: &Result<T, kam::Error>) -> Option<String> {
    match answer {
        Ok(v) => serde_json::to_string(v).ok(),
        Err(kam::Error::Rule(e)) if matches!(e.kind, kam::RuleErrorKind::Limit(_)) => None,
        Err(e) => serde_json::to_string(&e.to_json()).ok(),
    }
}

/// Panics when the compiler and the interpreter answer differently.
fn same<T: serde::Serialize>(
    what: &str,
    input: &str,
    compiled: &Result<T, kam::Error>,
    interpreted: &Result<T, kam::Error>,
) {
    if let (Some(a), Some(b)) = (wire(compiled), wire(interpreted)) {
        if a != b {
            panic!(
                "{input:?}: the engines disagree on {what}:\n  compiled    {a}\n  interpreted {b}"
            );
        }
    }
}

/// The `record` target: arbitrary bytes as one JSON record, evaluated as a
/// customer and as a staff-month on `policy` (the bundled one). Parsing and
/// evaluating never panic, every failure is a record error, and the compiler
/// and the interpreter give the same answer; panics otherwise.
pub fn record(policy: &kam::Policy, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    same_from_text(text);
    let Ok(value) = kam::model::parse_json(text) else {
        return;
    };
    let compiled = policy.with_engine(kam::Engine::Compiled);
    let interpreted = policy.with_engine(kam::Engine::Interpreted);
    let customer = compiled.evaluate_customer_json(&value, as_of());
    same(
        "a customer",
        text,
        &customer,
        &interpreted.evaluate_customer_json(&value, as_of()),
    );
    let staff = compiled.evaluate_staff_json(&value);
    same(
        "a staff-month",
        text,
        &staff,
        &interpreted.evaluate_staff_json(&value),
    );
    match customer {
        Ok(_) | Err(kam::Error::Record(_)) => {}
        Err(e) => panic!("{text:?}: a customer gave a non-record error on the bundled policy: {e}"),
    }
    match staff {
        Ok(_) | Err(kam::Error::Record(_)) => {}
        // A sales target of 10^-28 makes the completion rate overflow the
        // decimal type: a rule error at the rule's line, left as it is (see
        // RELIABILITY.md). Amounts of 10^15 and more are record errors (finding 2).
        Err(kam::Error::Rule(e)) if e.to_string().contains("Division overflow") => {}
        Err(e) => {
            panic!("{text:?}: a staff-month gave a non-record error on the bundled policy: {e}")
        }
    }
}

/// Records read straight from JSON text are the records (or the errors) of
/// the full parse; panics otherwise.
pub fn same_from_text(text: &str) {
    let (direct, parsed) = (
        kam::CustomerRecord::from_json_str(text),
        kam::model::parse_json(text).and_then(|v| kam::CustomerRecord::from_json(&v)),
    );
    assert!(
        direct == parsed,
        "{text:?}: as a customer from text {direct:?}, parsed {parsed:?}"
    );
    let (direct, parsed) = (
        kam::StaffRecord::from_json_str(text),
        kam::model::parse_json(text).and_then(|v| kam::StaffRecord::from_json(&v)),
    );
    assert!(
        direct == parsed,
        "{text:?}: as a staff-month from text {direct:?}, parsed {parsed:?}"
    );
}

/// The `policy` target: the first line of `data` is a record, the rest the
/// text of `customer.rhai`, put in place of that file among `base` (the
/// bundled policy's files). Compiling and evaluating end in a result or an
/// error, never a panic or a hang, and when the compiler covers the rules
/// it answers as the interpreter does.
pub fn policy_text(base: &BTreeMap<String, String>, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (record, rules) = text.split_once('\n').unwrap_or(("{}", text));
    let mut files = base.clone();
    files.insert("customer.rhai".into(), rules.to_string());
    // Small budgets keep executions fast; the limits themselves are what is tested.
    let mut limits = kam::Limits::default();
    limits.max_operations = 20_000;
    limits.max_duration = Some(std::time::Duration::from_millis(200));
    let Ok(policy) = kam::Policy::from_sources_with_limits(files, limits) else {
        return;
    };
    let record = kam::model::parse_json(record)
        .unwrap_or(serde_json::json!({"id": "F", "annual_revenue": 1}));
    let compiled = policy.with_engine(kam::Engine::Compiled);
    let answer = compiled.evaluate_customer_json(&record, as_of());
    if compiled.compile_fallback().is_none() {
        let reference = policy.with_engine(kam::Engine::Interpreted);
        same(
            "the rules",
            text,
            &answer,
            &reference.evaluate_customer_json(&record, as_of()),
        );
        // A value that is no result goes back to the interpreter for its
        // answer, so the returned values themselves are compared too.
        if let Ok(r) = kam::CustomerRecord::from_json(&record) {
            let x = kam::rules_only::customer_value(&reference, &r, as_of());
            let y = kam::rules_only::customer_value(&compiled, &r, as_of());
            if let (Ok(Some(x)), Ok(Some(y))) = (&x, &y) {
                assert_eq!(x, y, "the rules return different values for {text:?}");
            }
        }
    }
}
