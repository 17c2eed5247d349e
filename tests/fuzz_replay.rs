//! Replays fuzz findings (`tests/fuzz-regressions/`) and the hand-made corpora
//! through the same steps as the fuzz targets in `fuzz/fuzz_targets/`.

use std::path::Path;

fn files(dir: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

fn as_of() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
}

/// The `record` target: a record never gives anything but a result or a record error.
fn record(policy: &kam::Policy, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(value) = kam::model::parse_json(text) else {
        return;
    };
    for result in [
        policy.evaluate_customer_json(&value, as_of()).map(|_| ()),
        policy.evaluate_staff_json(&value).map(|_| ()),
    ] {
        match result {
            Ok(()) | Err(kam::Error::Record(_)) => {}
            // As in the fuzz target: a sales target of 10^-28 overflows the
            // completion rate, a rule error left as it is (RELIABILITY.md).
            Err(kam::Error::Rule(e)) if e.to_string().contains("Division overflow") => {}
            Err(e) => panic!("{text:?}: a non-record error on the bundled policy: {e}"),
        }
    }
}

/// The `policy` target: first line a record, the rest `customer.rhai`; ends without panicking.
fn policy_text(base: &kam::Policy, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (record, rules) = text.split_once('\n').unwrap_or(("{}", text));
    let mut files = base.sources().clone();
    files.insert("customer.rhai".into(), rules.to_string());
    let mut limits = kam::Limits::default();
    limits.max_operations = 20_000;
    limits.max_duration = Some(std::time::Duration::from_millis(200));
    let Ok(policy) = kam::Policy::from_sources_with_limits(files, limits) else {
        return;
    };
    let record = kam::model::parse_json(record)
        .unwrap_or(serde_json::json!({"id": "F", "annual_revenue": 1}));
    let _ = policy.evaluate_customer_json(&record, as_of());
}

#[test]
fn fuzz_findings_and_corpora_replay_cleanly() {
    let root = kam_tests::root();
    let policy = kam_tests::default_policy();
    let mut records = files(&root.join("tests/fuzz-regressions/record"));
    for f in std::fs::read_dir(root.join("tests/bad-records")).unwrap() {
        let bytes = std::fs::read(f.unwrap().path()).unwrap();
        records.extend(bytes.split(|b| *b == b'\n').map(<[u8]>::to_vec));
    }
    let mut rules = files(&root.join("tests/fuzz-regressions/policy"));
    for f in files(&root.join("tests/attacks")) {
        let mut seed = br#"{"id": "F-1", "annual_revenue": 3000000, "tier": "A"}"#.to_vec();
        seed.push(b'\n');
        seed.extend(f);
        rules.push(seed);
    }
    assert!(records.len() > 40 && rules.len() > 25);
    for r in &records {
        record(&policy, r);
    }
    for r in &rules {
        policy_text(&policy, r);
    }
}
