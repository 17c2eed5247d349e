//! A quick manual comparison of the two engines (issue 13), single thread:
//! µs per customer and per staff-month over the bundled samples, and the
//! time to compile the default policy. Prints figures; asserts nothing.
//!
//! Run: `cargo run --release -p kam-core --example engines`
//! (`KAM_POLICY_DIR=bench/policies/tier-only … engines compiled customer`
//! measures another policy; the default is the bundled one).

use std::time::Instant;

use kam::{CustomerRecord, Engine, Policy, StaffRecord};

fn lines(path: &str) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

fn per_record(label: &str, n: usize, f: impl Fn()) -> f64 {
    f(); // warm up
    let rounds = 200;
    let start = Instant::now();
    for _ in 0..rounds {
        f();
    }
    let us = start.elapsed().as_secs_f64() * 1e6 / (rounds * n) as f64;
    println!("{label:<34} {us:>8.2} µs");
    us
}

/// The rules alone (no record reading, no result checks), µs per call.
fn rules_only(name: &str, p: &Policy, customers: &[CustomerRecord], staff: &[StaffRecord]) {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
    let rounds = 200;
    let mut total = std::time::Duration::ZERO;
    for r in customers {
        total += kam::rules_only::customer(p, r, as_of, rounds).unwrap_or_default();
    }
    let us = total.as_secs_f64() * 1e6 / (rounds * customers.len()) as f64;
    println!(
        "{:<34} {us:>8.2} µs",
        format!("customer rules only, {name}")
    );
    let mut total = std::time::Duration::ZERO;
    for r in staff {
        total += kam::rules_only::staff(p, r, rounds).unwrap_or_default();
    }
    let us = total.as_secs_f64() * 1e6 / (rounds * staff.len()) as f64;
    println!("{:<34} {us:>8.2} µs", format!("staff rules only, {name}"));
}

fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let dir = std::env::var("KAM_POLICY_DIR").unwrap_or_else(|_| format!("{root}/rules"));
    let Ok(policy) = Policy::from_dir(&dir) else {
        eprintln!("the bundled policy does not load");
        return;
    };
    // Loading: parsing, checking, messages, and compiling unless
    // `KAM_ENGINE=interpreted` (run both ways to see the compiler's share).
    if let Ok(sources) = Policy::read_sources(&dir) {
        let start = Instant::now();
        for _ in 0..20 {
            std::hint::black_box(Policy::from_sources(sources.clone()).ok());
        }
        println!(
            "load the default policy ({})  {:>8.2} ms",
            Engine::process_default().name(),
            start.elapsed().as_secs_f64() * 1e3 / 20.0
        );
    }
    // Loading compiles by default; the interpreter is the baseline here.
    let policy = policy.with_engine(Engine::Interpreted);
    let start = Instant::now();
    let rounds = 50;
    for _ in 0..rounds {
        std::hint::black_box(policy.with_engine(Engine::Compiled));
    }
    println!(
        "compile the default policy         {:>8.2} ms",
        start.elapsed().as_secs_f64() * 1e3 / rounds as f64
    );
    let compiled = policy.with_engine(Engine::Compiled);
    if let Some(why) = compiled.compile_fallback() {
        eprintln!("not compiled: {why}");
        return;
    }
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
    let customers: Vec<CustomerRecord> = lines(&format!("{root}/data/customers.jsonl"))
        .iter()
        .filter_map(|v| CustomerRecord::from_json(v).ok())
        .collect();
    let staff: Vec<StaffRecord> = lines(&format!("{root}/data/staff.jsonl"))
        .iter()
        .filter_map(|v| StaffRecord::from_json(v).ok())
        .collect();
    println!(
        "{} customers, {} staff-months, one thread",
        customers.len(),
        staff.len()
    );
    for (name, p) in [("interpreted", &policy), ("compiled", &compiled)] {
        if std::env::args()
            .nth(1)
            .map_or(true, |o| name.starts_with(&o))
        {
            rules_only(name, p, &customers, &staff);
        }
    }
    // `engines compiled` / `engines interpreted`: one engine only (for a profiler).
    let only = std::env::args().nth(1);
    let codes = |p: &Policy| {
        p.explained(kam::Reasons::Codes, None)
            .unwrap_or_else(|_| p.clone())
    };
    let (policy_codes, compiled_codes) = (codes(&policy), codes(&compiled));
    for (name, p) in [
        ("interpreted", &policy),
        ("compiled", &compiled),
        ("interpreted, codes only", &policy_codes),
        ("compiled, codes only", &compiled_codes),
    ] {
        if only.as_deref().is_some_and(|o| !name.starts_with(o)) {
            continue;
        }
        // `engines <engine> customer|staff`: one kind of record only.
        let kind = std::env::args().nth(2).unwrap_or_default();
        if kind != "staff" && kind != "rules" {
            per_record(&format!("customer, {name}"), customers.len(), || {
                for r in &customers {
                    let _ = std::hint::black_box(p.evaluate_customer(r, as_of));
                }
            });
        }
        if kind != "customer" && kind != "rules" {
            per_record(&format!("staff-month, {name}"), staff.len(), || {
                for r in &staff {
                    let _ = std::hint::black_box(p.evaluate_staff(r));
                }
            });
        }
    }
}
