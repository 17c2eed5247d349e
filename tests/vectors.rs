//! Shared vectors: every file in `tests/vectors/` holds records with the exact
//! result (or error) the default policy must give. Rust checks them here; the
//! Python and WASM suites replay the same files, so every binding gives
//! byte-for-byte the same answers.
//!
//! Expectations are full results minus `policy` (whose digest changes with any
//! edit). After a deliberate policy change, regenerate with
//! `KAM_BLESS=1 cargo test -p kam-tests --test vectors` and review the diff.

use kam::cases::{self, Expectation};
use serde_json::Value;

fn actual(policy: &kam::Policy, case: &cases::Case) -> Value {
    match cases::evaluate(policy, &case.entry, &case.record, case.as_of) {
        Ok(mut v) => {
            if let Some(obj) = v.as_object_mut() {
                obj.remove("policy");
            }
            v
        }
        Err(e) => cases::error_json(&e),
    }
}

#[test]
fn shared_vectors_give_exactly_the_recorded_results() {
    let policy = kam_tests::default_policy();
    let dir = kam_tests::root().join("tests/vectors");
    let bless = std::env::var_os("KAM_BLESS").is_some();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for path in files
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
    {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let all = cases::parse(&name, &text).unwrap();
        let mut doc: Value = serde_json::from_str(&text).unwrap();
        for (i, case) in all.iter().enumerate() {
            let got = actual(&policy, case);
            let want = match &case.expect {
                Expectation::Result(v) | Expectation::Error(v) => v.clone(),
                _ => unreachable!(),
            };
            let is_error = matches!(case.expect, Expectation::Error(_));
            if bless {
                let slot = &mut doc["cases"][i];
                let obj = slot.as_object_mut().unwrap();
                obj.remove("expect");
                obj.remove("expect_error");
                let key = if got.get("kind").is_some() && got.get("id").is_none() {
                    "expect_error"
                } else {
                    "expect"
                };
                obj.insert(key.into(), got);
            } else if got != want || is_error != (got.get("id").is_none()) {
                mismatches.push(format!(
                    "{name}: {}\n  want {want}\n  got  {got}",
                    case.name
                ));
            }
            checked += 1;
        }
        if bless {
            std::fs::write(
                path,
                format!("{}\n", serde_json::to_string_pretty(&doc).unwrap()),
            )
            .unwrap();
        }
    }
    assert!(
        checked >= 50,
        "expected the shared vectors to hold at least 50 cases, found {checked}"
    );
    assert!(
        mismatches.is_empty(),
        "{} of {checked} vectors differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn results_carry_the_policy_identity() {
    let policy = kam_tests::default_policy();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let r = policy
        .evaluate_customer_json(&serde_json::json!({"id": "x", "annual_revenue": 1}), as_of)
        .unwrap();
    assert_eq!(
        (r.policy.name.as_str(), r.policy.version.as_str()),
        ("default", "1")
    );
    assert_eq!(r.policy.digest, policy.info().digest);
    assert_eq!(r.policy.digest.len(), "sha256:".len() + 64);
}
