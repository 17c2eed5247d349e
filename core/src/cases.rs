//! A policy's own test cases: what `kam test` runs, and the format of the
//! shared vectors in `tests/vectors/` that every binding replays.
//!
//! A case file is JSON:
//!
//! ```json
//! {
//!   "entry": "customer",
//!   "as_of": "2026-11-01",
//!   "cases": [
//!     { "name": "exactly at the A threshold",
//!       "record": {"id": "T-1", "annual_revenue": 3000000, "...": "..."},
//!       "expect": {"tier": "A", "reasons": [{"rule": "tier.base"}]} },
//!     { "name": "negative revenue is refused",
//!       "record": {"id": "T-2", "annual_revenue": -1},
//!       "expect_error": {"kind": "record", "code": "invalid", "field": "annual_revenue"} }
//!   ]
//! }
//! ```
//!
//! `expect` is matched against the result's JSON: every key given must match,
//! keys not given are not checked; objects match the same way recursively,
//! arrays must have the same length with each item matching, and everything
//! else must be equal. A case may override `as_of`. `expect_error` is matched
//! the same way against the error's wire form (`kind`, `code`, `record_id`,
//! `field`, `message`, …; see [`crate::error`]).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde_json::Value;

use crate::model::parse_date;
use crate::{Error, Policy, PolicyError};

/// Splits the file map a binding holds (`{name: text}`) into policy files and
/// test case files (`tests/*.json`), so one map can carry a policy and its cases.
pub fn split_sources(
    files: BTreeMap<String, String>,
) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let (cases, policy) = files
        .into_iter()
        .partition(|(name, _)| name.starts_with("tests/") && name.ends_with(".json"));
    (policy, cases)
}

/// Runs the case files against `policy`: one diagnostic per unreadable file and
/// per failing case (`file` the case file, `message` naming the case and what
/// differed); empty when every case passes. What `check()` reports in every binding.
pub fn check(policy: &Policy, case_files: &BTreeMap<String, String>) -> Vec<PolicyError> {
    let mut diagnostics = Vec::new();
    let mut cases = Vec::new();
    for (file, text) in case_files {
        match parse(file, text) {
            Ok(c) => cases.extend(c),
            Err(message) => diagnostics.push(PolicyError::new(file.clone(), message)),
        }
    }
    for outcome in run(policy, &cases) {
        if !outcome.passed() {
            let message = format!(
                "case `{}` failed: {}",
                outcome.case.name,
                outcome.failures.join("; ")
            );
            diagnostics.push(PolicyError::new(outcome.case.file.clone(), message));
        }
    }
    diagnostics
}

/// One case, ready to run.
#[derive(Debug, Clone)]
pub struct Case {
    /// File the case came from.
    pub file: String,
    /// The case's name.
    pub name: String,
    /// Entry point to run (`customer`).
    pub entry: String,
    /// Evaluation date.
    pub as_of: NaiveDate,
    /// The input record, as JSON.
    pub record: Value,
    /// Expected result fields, or the expected error.
    pub expect: Expectation,
}

/// What a case expects.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Expectation {
    /// A result whose JSON matches this (see the module docs).
    Result(Value),
    /// An error whose wire form (`{kind, code, record_id, field, message, …}`,
    /// see [`crate::error`]) matches this.
    Error(Value),
}

/// The outcome of one case.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The case.
    pub case: Case,
    /// Each mismatch as `path: expected X, got Y`; empty when the case passed.
    pub failures: Vec<String>,
}

impl Outcome {
    /// Whether the case passed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Reads every `*.json` case file under `dir`, sorted by name.
pub fn load_dir(dir: impl AsRef<Path>) -> Result<Vec<Case>, String> {
    let dir = dir.as_ref();
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    let mut cases = Vec::new();
    for path in names {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        cases.extend(parse(&name, &text)?);
    }
    Ok(cases)
}

/// Parses one case file's text; errors name the file and case.
pub fn parse(file: &str, text: &str) -> Result<Vec<Case>, String> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| format!("{file}: not valid JSON: {e}"))?;
    let str_of = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let entry = str_of(doc.get("entry")).ok_or_else(|| format!("{file}: missing \"entry\""))?;
    let default_as_of = str_of(doc.get("as_of"));
    let items = doc
        .get("cases")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{file}: missing \"cases\" array"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let name = str_of(c.get("name")).unwrap_or_else(|| format!("case #{}", i + 1));
            let at = |m: &str| format!("{file}: {name}: {m}");
            let as_of = str_of(c.get("as_of"))
                .or_else(|| default_as_of.clone())
                .ok_or_else(|| at("no as_of (set it on the case or the file)"))?;
            let as_of = parse_date(&as_of).ok_or_else(|| at("as_of is not a date YYYY-MM-DD"))?;
            let record = c
                .get("record")
                .cloned()
                .ok_or_else(|| at("missing \"record\""))?;
            let expect = match (c.get("expect"), c.get("expect_error")) {
                (Some(e), None) => Expectation::Result(e.clone()),
                (None, Some(e)) => Expectation::Error(e.clone()),
                _ => return Err(at("needs exactly one of \"expect\" or \"expect_error\"")),
            };
            Ok(Case {
                file: file.to_string(),
                name,
                entry: entry.clone(),
                as_of,
                record,
                expect,
            })
        })
        .collect()
}

/// Runs every case against `policy`, in parallel, outcomes in case order.
pub fn run(policy: &Policy, cases: &[Case]) -> Vec<Outcome> {
    crate::batch::map(cases, |case| {
        let actual = evaluate(policy, &case.entry, &case.record, case.as_of);
        let mut failures = Vec::new();
        match (&case.expect, actual) {
            (Expectation::Result(want), Ok(got)) => compare("", want, &got, &mut failures),
            (Expectation::Error(want), Err(err)) => {
                compare("error", want, &err.to_json(), &mut failures)
            }
            (Expectation::Result(_), Err(err)) => {
                failures.push(format!("expected a result, got error: {err}"))
            }
            (Expectation::Error(want), Ok(got)) => {
                failures.push(format!("expected error {want}, got result {got}"));
            }
        }
        Outcome {
            case: case.clone(),
            failures,
        }
    })
}

/// Evaluates a JSON record with the named entry point, giving the result as JSON.
pub fn evaluate(
    policy: &Policy,
    entry: &str,
    record: &Value,
    as_of: NaiveDate,
) -> Result<Value, Error> {
    let result = match entry {
        "customer" => serde_json::to_value(policy.evaluate_customer_json(record, as_of)?),
        "staff" => serde_json::to_value(policy.evaluate_staff_json(record)?),
        other => {
            return Err(Error::Policy(crate::PolicyErrors(vec![
                crate::PolicyError::new("(cases)", format!("unknown entry point `{other}`")),
            ])))
        }
    };
    result.map_err(|e| {
        Error::Policy(crate::PolicyErrors(vec![crate::PolicyError::new(
            "(cases)",
            format!("result not serialisable: {e}"),
        )]))
    })
}

fn compare(path: &str, want: &Value, got: &Value, failures: &mut Vec<String>) {
    let at = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (k, wv) in w {
                match g.get(k) {
                    Some(gv) => compare(&at(k), wv, gv, failures),
                    None => failures.push(format!("{}: expected {wv}, field absent", at(k))),
                }
            }
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                compare(&format!("{path}[{i}]"), wv, gv, failures);
            }
        }
        _ if want == got => {}
        _ => failures.push(format!(
            "{}: expected {want}, got {got}",
            if path.is_empty() { "(result)" } else { path }
        )),
    }
}
