//! Helpers shared by the workspace tests: where the bundled policy and the
//! shared vectors live.

use std::path::PathBuf;

pub mod canonical;
pub mod fuzz_harness;
pub mod generate;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `.rhai` files of `tests/attacks/`, in name order.
pub fn attack_files() -> Vec<PathBuf> {
    let dir = root().join("tests/attacks");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rhai"))
        .collect();
    paths.sort();
    paths
}

/// The bundled default policy, loaded with the process's engine (the
/// compiler; `KAM_ENGINE=interpreted` runs the suites through the interpreter).
pub fn default_policy() -> kam::Policy {
    match kam::Policy::from_dir(root().join("rules")) {
        Ok(p) => p,
        Err(e) => panic!("the bundled policy must load:\n{e}"),
    }
}

/// A policy made of the bundled one with some files replaced or added.
pub fn edited_policy(edits: &[(&str, &str)]) -> Result<kam::Policy, kam::PolicyErrors> {
    let mut files = default_policy().sources().clone();
    for (name, text) in edits {
        files.insert(name.to_string(), text.to_string());
    }
    kam::Policy::from_sources(files)
}

/// The bundled sample customers (`data/customers.jsonl`) as JSON. A missing or
/// empty file, or a line that is not JSON, panics: the tests that replay the
/// samples must never pass having checked nothing.
pub fn sample_customers() -> Vec<serde_json::Value> {
    let path = root().join("data/customers.jsonl");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the sample customers {}: {e}", path.display()));
    let records: Vec<serde_json::Value> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{} line {}: not JSON: {e}", path.display(), i + 1))
        })
        .collect();
    assert!(!records.is_empty(), "{} holds no records", path.display());
    records
}
