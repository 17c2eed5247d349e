//! Proof that the hand-written limit gives kam's answers: every record below
//! is evaluated through kam with the bundled `rules/` and through
//! `kam_limit`, and the two results must be equal (`==`) and serialize to the
//! same JSON: every reason's rule, code and facts, and its English message byte for byte.
//!
//! Sources: the sample data (`data/*.jsonl`, customers on 2026-11-01), the
//! shared vectors (`tests/vectors/*.json`) and the policy's own cases
//! (`rules/tests/*.json`), minus cases that expect an error, and thousands of
//! generated records (the `kam-tests` generators, widened here to the fields
//! and edge values they leave out). Records kam rejects with a record error
//! are skipped; records on which kam's rules fail are counted and reported.
//!
//! The generated records use a fixed seed; `KAM_AGREE_SEED` picks another
//! and `KAM_AGREE_COUNT` changes how many (default 3,000 of each kind).
//!
//! An ignored test compares a benchmark population too (`bench/out/data`,
//! where `bench/run.sh` writes it, or the absolute path in `KAM_AGREE_DATA`):
//! `cargo test -p kam-limit --release --test agree -- --ignored --nocapture`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use kam::{CustomerRecord, Error, Policy, StaffRecord};
use kam_tests::generate::{cents, number};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn policy() -> Policy {
    match Policy::from_dir(root().join("rules")) {
        Ok(p) => p,
        Err(e) => panic!("the bundled policy must load:\n{e}"),
    }
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
}

/// What happened to the records of one source.
#[derive(Default)]
struct Tally {
    compared: usize,
    record_errors: usize,
    rule_errors: Vec<String>,
    mismatches: Vec<String>,
}

impl Tally {
    fn report(&self, source: &str) -> String {
        format!(
            "{source}: {} compared, {} mismatched, {} skipped as record errors, {} rule errors in kam",
            self.compared,
            self.mismatches.len(),
            self.record_errors,
            self.rule_errors.len()
        )
    }
}

/// The first place two JSON values differ, for a readable failure.
fn first_difference(path: &str, a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                let at = format!("{path}.{k}");
                match y.get(k) {
                    Some(w) => {
                        if let Some(d) = first_difference(&at, v, w) {
                            return Some(d);
                        }
                    }
                    None => return Some(format!("{at}: kam {v}, limit has no such field")),
                }
            }
            y.keys()
                .find(|k| !x.contains_key(*k))
                .map(|k| format!("{path}.{k}: only the limit has it"))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (v, w))| first_difference(&format!("{path}[{i}]"), v, w)),
        _ if a == b => None,
        _ => Some(format!("{path}:\n      kam   {a}\n      limit {b}")),
    }
}

/// Compares kam's result with the limit's; a difference is recorded with the record.
fn check<R: serde::Serialize + PartialEq>(
    tally: &mut Tally,
    record: &Value,
    kam: Result<R, Error>,
    limit: impl FnOnce() -> R,
) {
    let kam = match kam {
        Ok(r) => r,
        Err(Error::Rule(e)) => {
            tally.rule_errors.push(e.to_string());
            return;
        }
        Err(_) => {
            tally.record_errors += 1;
            return;
        }
    };
    let limit = limit();
    tally.compared += 1;
    let (a, b) = (
        serde_json::to_string(&kam).unwrap(),
        serde_json::to_string(&limit).unwrap(),
    );
    if kam != limit || a != b {
        let (x, y): (Value, Value) = (
            serde_json::from_str(&a).unwrap(),
            serde_json::from_str(&b).unwrap(),
        );
        let at = first_difference("", &x, &y)
            .unwrap_or_else(|| "equal JSON, unequal values".to_string());
        tally
            .mismatches
            .push(format!("record {record}\n    differs at {at}"));
    }
}

fn customer(tally: &mut Tally, policy: &Policy, record: &Value, as_of: NaiveDate) {
    let Ok(c) = CustomerRecord::from_json(record) else {
        tally.record_errors += 1;
        return;
    };
    let kam = policy.evaluate_customer(&c, as_of);
    // The base tier alone is the first step of the tier decision: when no
    // cap applies (no previous A, no blacklist) it is the result's tier.
    if let Ok(r) = &kam {
        let base = kam_limit::base_tier(&c);
        if c.tier.as_deref() != Some("A")
            && c.blacklisted_until.is_none()
            && r.tier.as_deref() != Some(base)
        {
            tally.mismatches.push(format!(
                "record {record}\n    base_tier {base} but kam's tier {:?}",
                r.tier
            ));
        }
    }
    check(tally, record, kam, || {
        kam_limit::customer(&c, as_of, policy.info())
    });
}

fn staff(tally: &mut Tally, policy: &Policy, record: &Value) {
    let Ok(s) = StaffRecord::from_json(record) else {
        tally.record_errors += 1;
        return;
    };
    check(tally, record, policy.evaluate_staff(&s), || {
        kam_limit::staff(&s, policy.info())
    });
}

fn jsonl(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

/// Fails with every difference found (at most 20 shown), after printing what was compared.
fn conclude(tallies: &[(&str, Tally)]) {
    let mut failures = Vec::new();
    for (source, t) in tallies {
        println!("{}", t.report(source));
        for e in t.rule_errors.iter().take(3) {
            println!("  rule error (skipped): {e}");
        }
        failures.extend(t.mismatches.iter().map(|m| format!("{source}: {m}")));
    }
    if !failures.is_empty() {
        let shown: Vec<_> = failures.iter().take(20).cloned().collect();
        panic!(
            "{} disagreement(s) between kam and kam-limit:\n{}",
            failures.len(),
            shown.join("\n")
        );
    }
}

#[test]
fn sample_data_and_vectors_agree() {
    let policy = policy();
    let mut data_c = Tally::default();
    for r in jsonl(&root().join("data/customers.jsonl")) {
        customer(&mut data_c, &policy, &r, as_of());
    }
    let mut data_s = Tally::default();
    for r in jsonl(&root().join("data/staff.jsonl")) {
        staff(&mut data_s, &policy, &r);
    }

    // Shared vectors and the policy's own cases: records and their as_of; the
    // expectations are checked elsewhere, here only kam against the limit.
    let mut vectors = Tally::default();
    let mut cases = kam::cases::load_dir(root().join("tests/vectors")).unwrap();
    let vector_count = cases.len();
    cases.extend(kam::cases::load_dir(root().join("rules/tests")).unwrap());
    let mut policy_cases = Tally::default();
    for (i, case) in cases.iter().enumerate() {
        if matches!(case.expect, kam::cases::Expectation::Error(_)) {
            continue;
        }
        let tally = if i < vector_count {
            &mut vectors
        } else {
            &mut policy_cases
        };
        match case.entry.as_str() {
            "customer" => customer(tally, &policy, &case.record, case.as_of),
            "staff" => staff(tally, &policy, &case.record),
            other => panic!("unknown entry {other} in {}", case.file),
        }
    }

    assert!(data_c.compared >= 30, "{}", data_c.report("data/customers"));
    assert!(data_s.compared >= 20, "{}", data_s.report("data/staff"));
    assert!(vectors.compared >= 90, "{}", vectors.report("vectors"));
    conclude(&[
        ("data/customers.jsonl", data_c),
        ("data/staff.jsonl", data_s),
        ("tests/vectors", vectors),
        ("rules/tests", policy_cases),
    ]);
}

// ── Generated records ────────────────────────────────────────────────────────

/// An amount as JSON: text with cents, a plain number, or text with another scale.
fn amount(cents_value: u64, style: u8) -> Value {
    let text = cents(cents_value);
    match style % 4 {
        0 => json!(text),
        1 => {
            let trimmed = text.trim_end_matches('0').trim_end_matches('.');
            number(if trimmed.is_empty() { "0" } else { trimmed })
        }
        2 => json!(format!("{text}0")),
        _ => json!(format!("{}", cents_value / 100)),
    }
}

/// Cents near a threshold (in yuan): exactly on it, a cent either side, or anywhere.
fn near(threshold: u64) -> impl Strategy<Value = u64> {
    let t = threshold * 100;
    prop_oneof![
        Just(t),
        Just(t - 1),
        Just(t + 1),
        (t / 2)..(t * 2),
        0u64..1_000_000_000,
    ]
}

/// Evaluation dates that clamp: a leap day (the period starts on 2027-02-28)
/// and month ends (2026-08-31 + 6 months = 2027-02-28).
const AS_OF: [(i32, u32, u32); 5] = [
    (2026, 11, 1),
    (2028, 2, 29),
    (2026, 8, 31),
    (2027, 1, 31),
    (2025, 12, 31),
];

prop_compose! {
    /// `kam_tests::generate::customer()` with revenue and the fields it leaves
    /// at their defaults (cumulative revenue, largest contract, referrals), on
    /// several evaluation dates, and often with incidents on few days (ties,
    /// the period's edges) for a previous-A customer.
    fn wide_customer()(
        c in kam_tests::generate::customer(),
        revenue in prop_oneof![near(3_000_000), near(1_000_000), near(500_000)],
        cumulative in proptest::option::of(near(10_000_000)),
        largest in proptest::option::of(near(10_000_000)),
        referrals in proptest::option::of(0u32..3),
        styles in proptest::collection::vec(any::<u8>(), 3),
        attributes in any::<bool>(),
        as_of in 0usize..AS_OF.len(),
        incidents in proptest::option::of(proptest::collection::vec(
            (proptest::sample::select(vec![-1i64, 0, 1, 2, 30, 364, 365, 366, 367]), 0usize..5), 0..5)),
        previous_a in any::<bool>(),
    ) -> (Value, NaiveDate) {
        let (y, m, d) = AS_OF[as_of];
        let as_of = NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let mut c = c;
        c["annual_revenue"] = amount(revenue, styles[0]);
        if let Some(x) = cumulative {
            c["cumulative_revenue"] = amount(x, styles[1]);
        }
        if let Some(x) = largest {
            c["largest_contract"] = amount(x, styles[2]);
        }
        if let Some(n) = referrals {
            c["referrals_closed"] = json!(n);
        }
        if attributes {
            c["attributes"] = json!({"region": "华东", "score": 7, "weight": 0.5});
        }
        if let Some(list) = incidents {
            let kinds = ["late_payment", "contract_breach", "operating_crisis", "major_loss", "reputation_damage"];
            c["incidents"] = list
                .iter()
                .map(|(days, k)| json!({"date": (as_of - chrono::Duration::days(*days)).to_string(), "kind": kinds[*k]}))
                .collect();
            if previous_a {
                c["tier"] = json!("A");
            }
        }
        (c, as_of)
    }
}

prop_compose! {
    /// `kam_tests::generate::staff()` with the department KPI inputs (some
    /// missing, some 0) and edge values: tiny or huge targets, odd scales,
    /// far-below-target new customers, many violations.
    fn wide_staff()(
        s in kam_tests::generate::staff(),
        inputs in proptest::collection::vec(proptest::option::of(prop_oneof![Just(0u64), 0u64..500_000_000]), 6),
        counts in proptest::collection::vec(proptest::option::of(0u32..40), 4),
        edge in 0u8..13,
        style in any::<u8>(),
        big in 0u32..200,
    ) -> Value {
        let mut s = s;
        let names = ["contracts_settled", "settlement_planned", "collected", "collectible", "expenses", "expense_budget"];
        for (name, v) in names.iter().zip(&inputs) {
            if let Some(x) = v {
                s[*name] = amount(*x, style);
            }
        }
        let names = ["accounts_start", "accounts_lost", "archives_complete", "archives_total"];
        for (name, v) in names.iter().zip(&counts) {
            if let Some(n) = v {
                s[*name] = json!(n);
            }
        }
        match edge {
            // Far above a small target: the completion bonus reaches its cap of 1000.
            0 => { s["sales_target"] = json!("100"); s["sales_actual"] = json!(format!("{}", 100 * (big + 1) * 500)); }
            // A target of a cent, and one with many decimals.
            1 => s["sales_target"] = json!("0.01"),
            2 => { s["sales_target"] = json!("1234567.891234"); s["sales_actual"] = json!("1172839.4966723"); }
            // Exactly on a 5% step, and exactly on target.
            3 => { s["sales_target"] = json!("2800000"); s["sales_actual"] = json!("2660000"); }
            4 => s["sales_actual"] = s["sales_target"].clone(),
            // Growth exactly on a step, and past the cap.
            5 => { s["sales_previous"] = json!("1000000"); s["sales_actual"] = json!(format!("{}", 1_000_000 + 100_000 * big)); }
            // Far below the new-customer target: the item stops at 0.
            6 => { s["new_customers_target"] = json!(big + 20); s["new_customers_actual"] = json!(0); }
            7 => { s["violations"] = json!(big); s["complaints"] = json!(big % 4); s["late_arrivals"] = json!(big); }
            // Ratings and reviews with other scales.
            8 => {
                s["ratings"]["market_info"] = json!("7.25");
                s["ratings"]["teamwork"] = json!("9.50");
                s["reviews"] = json!({"self": "88.5", "supervisor": 91.25, "customer": "79.125"});
            }
            9 => s["sales_previous"] = json!("0"),
            10 => s["new_customers_target"] = json!(0),
            // A target so far below a cent that kam's division overflows: a rule error.
            11 => s["sales_target"] = json!("0.0000000000000000000001"),
            _ => {}
        }
        s
    }
}

fn seed() -> u64 {
    std::env::var("KAM_AGREE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261101)
}

fn count() -> usize {
    std::env::var("KAM_AGREE_COUNT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000)
}

fn runner(seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    for (i, b) in seed.to_le_bytes().iter().cycle().take(32).enumerate() {
        bytes[i] = b.wrapping_add(i as u8);
    }
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

fn draw<S: Strategy<Value = Value>>(runner: &mut TestRunner, s: &S) -> Value {
    s.new_tree(runner).unwrap().current()
}

#[test]
fn generated_records_agree() {
    let policy = policy();
    let (seed, n) = (seed(), count());
    let mut r = runner(seed);

    // The kam-tests generators as they are (revenue as cross_binding adds it) …
    let plain_c = kam_tests::generate::customer();
    let revenue = 0u64..1_000_000_000;
    let mut gen_c = Tally::default();
    for i in 0..n {
        let mut c = draw(&mut r, &plain_c);
        let cents_value = revenue.new_tree(&mut r).unwrap().current();
        c["id"] = json!(format!("G-{i}"));
        c["annual_revenue"] = amount(cents_value, (i % 2) as u8);
        customer(&mut gen_c, &policy, &c, as_of());
    }
    let plain_s = kam_tests::generate::staff();
    let mut gen_s = Tally::default();
    for i in 0..n {
        let mut s = draw(&mut r, &plain_s);
        s["id"] = json!(format!("GS-{i}"));
        staff(&mut gen_s, &policy, &s);
    }

    // … and widened to the fields and edges they leave out.
    let wide_c_strategy = wide_customer();
    let mut wide_c = Tally::default();
    for i in 0..n {
        let (mut c, day) = wide_c_strategy.new_tree(&mut r).unwrap().current();
        c["id"] = json!(format!("W-{i}"));
        customer(&mut wide_c, &policy, &c, day);
    }
    let wide_s_strategy = wide_staff();
    let mut wide_s = Tally::default();
    for i in 0..n {
        let mut s = draw(&mut r, &wide_s_strategy);
        s["id"] = json!(format!("WS-{i}"));
        staff(&mut wide_s, &policy, &s);
    }

    println!("seed {seed}, {n} records per source");
    for (t, name) in [
        (&gen_c, "customers"),
        (&gen_s, "staff"),
        (&wide_c, "wide customers"),
        (&wide_s, "wide staff"),
    ] {
        assert!(t.compared >= n * 9 / 10, "{}", t.report(name));
    }
    conclude(&[
        ("generate::customer", gen_c),
        ("generate::staff", gen_s),
        ("widened customers", wide_c),
        ("widened staff", wide_s),
    ]);
}

/// A benchmark population (`bench/run.sh` writes one to `bench/out/data`),
/// or any directory of `customers.jsonl` / `staff.jsonl` in `KAM_AGREE_DATA`.
#[test]
#[ignore = "needs a generated population; run with --ignored"]
fn benchmark_population_agrees() {
    let dir = std::env::var_os("KAM_AGREE_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("bench/out/data"));
    let policy = policy();
    let mut tallies = Vec::new();
    let customers = dir.join("customers.jsonl");
    if customers.exists() {
        let mut t = Tally::default();
        for r in jsonl(&customers) {
            customer(&mut t, &policy, &r, as_of());
        }
        tallies.push(("population customers", t));
    }
    let staff_file = dir.join("staff.jsonl");
    if staff_file.exists() {
        let mut t = Tally::default();
        for r in jsonl(&staff_file) {
            staff(&mut t, &policy, &r);
        }
        tallies.push(("population staff", t));
    }
    assert!(!tallies.is_empty(), "no population in {}", dir.display());
    conclude(&tallies);
}
