//! `cross-binding DIR [COUNT]`: generates COUNT customers and COUNT
//! staff-months (default 2,000 each; some with one field broken) and writes
//! them to DIR with Rust's canonical answer for each:
//!
//! - `customers.jsonl`, `staff.jsonl`: the records, one per line;
//! - `customers.expected`, `staff.expected`: one canonical line per record
//!   (see `kam_tests::canonical`), customers evaluated on 2026-11-01;
//! - `seed`: the seed, for reproducing a failure (`KAM_CROSS_SEED=…`).
//!
//! The seed is `KAM_CROSS_SEED` or fresh each run, so every run tries new
//! records: the Python and Node tests then check that their bindings give
//! byte-identical canonical lines.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use kam_tests::generate::{as_of, break_customer, break_staff, cents, customer, number, staff};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: cross-binding DIR [COUNT]");
        return ExitCode::from(2);
    };
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(2000);
    let seed: u64 = std::env::var("KAM_CROSS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    match run(&dir, count, seed) {
        Ok(()) => {
            println!(
                "cross-binding: seed {seed}: {count} customers and {count} staff-months in {}",
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cross-binding: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(dir: &std::path::Path, count: usize, seed: u64) -> Result<(), String> {
    let mut bytes = [0u8; 32];
    for (i, b) in seed.to_le_bytes().iter().cycle().take(32).enumerate() {
        bytes[i] = b.wrapping_add(i as u8);
    }
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    );
    let mut draw =
        |s: &dyn Fn() -> proptest::strategy::BoxedStrategy<Value>| -> Result<Value, String> {
            Ok(s()
                .new_tree(&mut runner)
                .map_err(|e| e.to_string())?
                .current())
        };

    let policy = kam_tests::default_policy();
    let (mut customers, mut staff_months) = (Vec::new(), Vec::new());
    for i in 0..count {
        let revenue_cents = draw(&|| (0u64..1_000_000_000).prop_map(|n| json!(n)).boxed())?;
        let mut c = draw(&|| customer().boxed())?;
        c["id"] = json!(format!("X-{i}"));
        let revenue = cents(revenue_cents.as_u64().unwrap_or(0));
        // Money as text or as a JSON number. A number is written as JS and
        // Python write it (no trailing zeros, at most 12 digits: exact in a
        // JS double), so every language hands kam the same text.
        c["annual_revenue"] = if i % 2 == 0 {
            json!(revenue)
        } else {
            let trimmed = revenue.trim_end_matches('0').trim_end_matches('.');
            number(if trimmed.is_empty() { "0" } else { trimmed })
        };
        let mut s = draw(&|| staff().boxed())?;
        s["id"] = json!(format!("S-{i}"));
        // About one record in ten has one field broken.
        let pick = draw(&|| (0usize..100).prop_map(|n| json!(n)).boxed())?;
        let pick = pick.as_u64().unwrap_or(0) as usize;
        if pick < 10 {
            c = break_customer(c, pick);
            s = break_staff(s, pick);
        }
        customers.push(c);
        staff_months.push(s);
    }

    let mut expected_c = String::new();
    for r in policy.evaluate_customers_json(&customers, as_of()) {
        let _ = writeln!(expected_c, "{}", kam_tests::canonical::line(&r));
    }
    let mut expected_s = String::new();
    for r in kam::batch::map(&staff_months, |s| policy.evaluate_staff_json(s)) {
        let _ = writeln!(expected_s, "{}", kam_tests::canonical::line(&r));
    }
    let lines =
        |records: &[Value]| -> String { records.iter().map(|r| format!("{r}\n")).collect() };
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (name, text) in [
        ("customers.jsonl", lines(&customers)),
        ("staff.jsonl", lines(&staff_months)),
        ("customers.expected", expected_c),
        ("staff.expected", expected_s),
        ("seed", format!("{seed}\n")),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
