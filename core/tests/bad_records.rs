//! Replays `tests/bad-records/`: every bad input line gets a record error naming
//! its line, id (when it has one) and field; the output has exactly one line per
//! input line; nothing aborts the batch.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `kam customers` on `file`: (exit code, output lines).
fn score(file: &Path) -> (i32, Vec<Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_kam"))
        .args(["customers", "--policy", "rules", "--as-of", "2026-11-01"])
        .arg(file)
        .current_dir(root())
        .output()
        .unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code().unwrap(), lines)
}

/// Checks one output line against `{"ok": id}` or `{"line", "id", "field"}`.
fn check(name: &str, got: &Value, want: &Value) {
    if let Some(id) = want.get("ok") {
        assert!(
            got.get("error").is_none(),
            "{name}: expected a result, got {got}"
        );
        assert_eq!(&got["id"], id, "{name}");
        return;
    }
    let error = got
        .get("error")
        .unwrap_or_else(|| panic!("{name}: expected an error, got {got}"));
    assert_eq!(error["kind"], "record", "{name}: {got}");
    assert_eq!(got["line"], want["line"], "{name}: {got}");
    assert_eq!(got["id"], want["id"], "{name}: {got}");
    assert_eq!(error["field"], want["field"], "{name}: {got}");
    // The error names the record's id whenever the line has one, and its code.
    assert_eq!(error["record_id"], want["id"], "{name}: {got}");
    let codes = ["malformed", "missing", "invalid", "unknown_field"];
    assert!(
        codes.contains(&error["code"].as_str().unwrap_or_default()),
        "{name}: {got}"
    );
    if let Some(code) = want.get("code") {
        assert_eq!(&error["code"], code, "{name}: {got}");
    }
    assert!(
        !error["message"].as_str().unwrap_or_default().is_empty(),
        "{name}"
    );
}

fn replay(name: &str, input: &Path, expected: &[Value]) {
    let (code, got) = score(input);
    assert_eq!(
        got.len(),
        expected.len(),
        "{name}: one output line per input line: {got:?}"
    );
    for (g, w) in got.iter().zip(expected) {
        check(name, g, w);
    }
    let any_error = expected.iter().any(|w| w.get("ok").is_none());
    assert_eq!(code, if any_error { 1 } else { 0 }, "{name}");
}

#[test]
fn every_file_in_the_corpus_gets_its_expected_lines() {
    let dir = root().join("tests/bad-records");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.to_string_lossy();
            !name.ends_with(".expect.jsonl") && (name.ends_with(".jsonl") || name.ends_with(".csv"))
        })
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 8);
    for input in inputs {
        let stem = input.file_stem().unwrap().to_string_lossy().to_string();
        let expect = std::fs::read_to_string(dir.join(format!("{stem}.expect.jsonl"))).unwrap();
        let expected: Vec<Value> = expect
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        replay(&stem, &input, &expected);
    }
}

#[test]
fn huge_inputs_are_record_errors_not_crashes() {
    let dir = std::env::temp_dir().join(format!("kam-bad-records-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let deep = format!(
        "{{\"id\": \"H-1\", \"annual_revenue\": 1, \"attributes\": {}1{}}}",
        "{\"a\": ".repeat(10_000),
        "}".repeat(10_000)
    );
    let long = format!(
        "{{\"id\": \"H-2\", \"annual_revenue\": 1, \"name\": \"{}\"}}",
        "x".repeat(10_000_000)
    );
    let shallow = "{\"id\": \"H-3\", \"annual_revenue\": 1, \"attributes\": {\"a\": {\"b\": 1}}}";
    let file = dir.join("huge.jsonl");
    std::fs::write(&file, format!("{deep}\n{long}\n{shallow}\n")).unwrap();
    replay(
        "huge",
        &file,
        &[
            json!({"line": 1, "id": null, "field": null}),
            json!({"line": 2, "id": "H-2", "field": "name"}),
            json!({"ok": "H-3"}),
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
}
