//! Replays fuzz findings (`tests/fuzz-regressions/`) and the hand-made corpora
//! through the fuzz targets' own steps (`kam_tests::fuzz_harness`, which the
//! targets in `fuzz/fuzz_targets/` include).

use std::path::Path;

use kam_tests::fuzz_harness;

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
        fuzz_harness::record(&policy, r);
    }
    for r in &rules {
        fuzz_harness::policy_text(policy.sources(), r);
    }
}
