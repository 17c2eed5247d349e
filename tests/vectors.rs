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
        Err(e) => e.to_json(),
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

/// The policies of the error vectors: the bundled one with files replaced,
/// added or removed, under the given limits.
fn error_policies(doc: &Value) -> std::collections::BTreeMap<String, kam::Policy> {
    let base = kam_tests::default_policy().sources().clone();
    let specs = doc["policies"].as_object().expect("policies");
    specs
        .iter()
        .map(|(name, spec)| {
            let mut files = base.clone();
            for gone in spec["remove"].as_array().into_iter().flatten() {
                files.remove(gone.as_str().unwrap());
            }
            for (file, text) in spec["files"].as_object().into_iter().flatten() {
                files.insert(file.clone(), text.as_str().unwrap().to_string());
            }
            let limits = kam::Limits::from_json(&spec["limits"]).unwrap();
            let policy = kam::Policy::from_sources_with_limits(files, limits)
                .unwrap_or_else(|e| panic!("error-vector policy {name}: {e}"));
            (name.clone(), policy)
        })
        .collect()
}

/// Which expectation of an error vector holds for `policy`'s engine: a few
/// answers differ by engine by design (a limit error from compiled code names
/// the line where the budget ran out; rhai gives no position), and those
/// cases carry the interpreter's under `expect_error_interpreted`.
fn expectation_key(case: &Value, policy: &kam::Policy) -> &'static str {
    match policy.engine_in_use() {
        kam::Engine::Interpreted if case.get("expect_error_interpreted").is_some() => {
            "expect_error_interpreted"
        }
        _ => "expect_error",
    }
}

/// `tests/vectors/errors/wire.json`: every error code's exact wire form, from
/// the single call and from a batch of one (a policy error once, before any
/// record; any other error as the entry `{id: record_id, error}`), and the
/// same text from `Serialize` as from `to_json`. Python and JS replay the file.
#[test]
fn error_vectors_give_exactly_the_recorded_wire_form() {
    let path = kam_tests::root().join("tests/vectors/errors/wire.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    let bless = std::env::var_os("KAM_BLESS").is_some();
    let as_of = kam::model::parse_date(doc["as_of"].as_str().unwrap()).unwrap();
    let policies = error_policies(&doc);
    let mut codes = std::collections::BTreeSet::new();
    let mut mismatches = Vec::new();
    let count = doc["cases"].as_array().unwrap().len();
    for i in 0..count {
        let case = doc["cases"][i].clone();
        let name = case["name"].as_str().unwrap();
        let policy = &policies[case["policy"].as_str().unwrap()];
        let entry = case["entry"].as_str().unwrap();
        let record = &case["record"];
        let single = match entry {
            "customer" => policy.evaluate_customer_json(record, as_of).map(|_| ()),
            _ => policy.evaluate_staff_json(record).map(|_| ()),
        };
        let Err(err) = single else {
            mismatches.push(format!("{name}: expected an error, got a result"));
            continue;
        };
        let got = err.to_json();
        assert_eq!(
            serde_json::to_string(&err).unwrap(),
            got.to_string(),
            "{name}"
        );
        codes.insert(format!("{}/{}", err.kind(), err.code()));
        // A batch of this one record: the policy error once, or one entry.
        let batch = match policy.require(&[entry]) {
            Err(e) => Err(kam::Error::from(e).to_json()),
            Ok(()) => {
                let results = match entry {
                    "customer" => policy
                        .evaluate_customers_json(std::slice::from_ref(record), as_of)
                        .into_iter()
                        .map(|r| r.map(|_| ()))
                        .collect::<Vec<_>>(),
                    _ => kam::batch::map(std::slice::from_ref(record), |r| {
                        policy.evaluate_staff_json(r).map(|_| ())
                    }),
                };
                Ok(results
                    .into_iter()
                    .map(|r| match r {
                        Ok(()) => Value::from("a result"),
                        Err(e) => serde_json::json!({"id": e.record_id(), "error": e.to_json()}),
                    })
                    .collect::<Vec<_>>())
            }
        };
        let batch_want = if err.kind() == "policy" {
            Err(got.clone())
        } else {
            Ok(vec![
                serde_json::json!({"id": got["record_id"], "error": got}),
            ])
        };
        if batch != batch_want {
            mismatches.push(format!(
                "{name}: the batch gave {batch:?}, not {batch_want:?}"
            ));
        }
        // Compared as text: the keys in their documented order too.
        let key = expectation_key(&case, policy);
        let (got_text, want_text) = (got.to_string(), case[key].to_string());
        if bless {
            doc["cases"][i][key] = got;
        } else if got_text != want_text {
            mismatches.push(format!("{name}\n  want {want_text}\n  got  {got_text}"));
        }
    }
    if bless {
        std::fs::write(
            &path,
            format!("{}\n", serde_json::to_string_pretty(&doc).unwrap()),
        )
        .unwrap();
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    let want: std::collections::BTreeSet<String> = [
        "record/missing",
        "record/invalid",
        "record/unknown_field",
        "record/malformed",
        "rule/script",
        "rule/shape",
        "rule/limit",
        "policy/missing_entry",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(codes, want, "every code has a vector");
}
