//! The `kam` command: output contract, error lines, exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `kam args` from the repository root, every stream a pipe (stdin: `stdin`).
fn spawn_kam(args: &[&str], stdin: Stdio) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_kam"))
        .args(args)
        .current_dir(root())
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn kam(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = spawn_kam(args, Stdio::piped());
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A scratch copy of the bundled policy that a test may break; removed on drop.
struct PolicyCopy(PathBuf);

impl Drop for PolicyCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl std::ops::Deref for PolicyCopy {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

fn policy_copy(name: &str) -> PolicyCopy {
    let dir = std::env::temp_dir().join(format!("kam-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    for sub in ["", "messages"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        for entry in std::fs::read_dir(root().join("rules").join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, dir.join(sub).join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    PolicyCopy(dir)
}

/// `--reasons` and `--lang` change what a result says, never what it decides.
#[test]
fn reasons_and_language_change_the_explanations_not_the_decisions() {
    let run = |extra: &[&str]| {
        let args: Vec<&str> = CUSTOMERS
            .iter()
            .copied()
            .chain(extra.iter().copied())
            .chain(["data/customers.jsonl"])
            .collect();
        let out = kam(&args, None);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        lines(&out)
    };
    let decisions = |results: &[Value]| -> Vec<Value> {
        results
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.as_object_mut().unwrap().remove("reasons");
                r
            })
            .collect()
    };
    let full = run(&[]);
    let zh = run(&["--lang", "zh"]);
    let codes = run(&["--reasons", "codes"]);
    let none = run(&["--reasons", "none"]);
    for other in [&zh, &codes, &none] {
        assert_eq!(decisions(other), decisions(&full));
    }
    for ((f, z), c) in full.iter().zip(&zh).zip(&codes) {
        let strip = |r: &Value| -> Vec<Value> {
            r["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| json!([x["rule"], x["code"], x["facts"]]))
                .collect()
        };
        assert_eq!(strip(c), strip(f));
        assert_eq!(strip(z), strip(f));
        for x in c["reasons"].as_array().unwrap() {
            assert!(x["message"].is_null(), "{x}");
        }
        for (fx, zx) in f["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .zip(z["reasons"].as_array().unwrap())
        {
            let (en, zh) = (
                fx["message"].as_str().unwrap(),
                zx["message"].as_str().unwrap(),
            );
            assert!(en.is_ascii(), "{en}");
            assert!(
                zh.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)),
                "{zh}"
            );
        }
    }
    assert!(none.iter().all(|r| r["reasons"] == json!([])));

    let out = kam(
        &[CUSTOMERS, &["--lang", "fr", "data/customers.jsonl"]].concat(),
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no language `fr`; it has en, zh"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

const CUSTOMERS: &[&str] = &["customers", "--policy", "rules", "--as-of", "2026-11-01"];

#[test]
fn sample_data_gives_one_result_per_line_in_order() {
    let out = kam(&[CUSTOMERS, &["data/customers.jsonl"]].concat(), None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results = lines(&out);
    assert_eq!(results.len(), 36);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["id"], format!("C-{:03}", i + 1));
        assert!(r["policy"]["digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:"));
    }
    // C-004: the README's example (a previous-A customer with one late payment).
    assert_eq!(results[3]["tier"], "B");
    assert_eq!(results[3]["downgrade_deadline"], "2026-10-06");
    let downgrade = results[3]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "tier.downgrade.capped")
        .unwrap();
    assert_eq!(
        downgrade["message"],
        "A customer had a late_payment on 2026-10-01: capped at B, effective by 2026-10-06"
    );
    assert_eq!(
        downgrade["facts"],
        json!({"cap": "B", "date": "2026-10-01", "deadline": "2026-10-06", "kind": "late_payment", "tier": "A"})
    );
}

#[test]
fn csv_input_gives_the_same_results_as_json_lines() {
    let json = lines(&kam(&[CUSTOMERS, &["data/customers.jsonl"]].concat(), None));
    let out = kam(&[CUSTOMERS, &["data/customers.csv"]].concat(), None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = lines(&out);
    assert_eq!(csv.len(), 12);
    assert_eq!(csv[..], json[..12]);
}

#[test]
fn bad_records_get_error_lines_and_the_rest_go_on() {
    let input = "\u{feff}{\"id\": \"ok-1\", \"annual_revenue\": 1}\r\n\
        {\"id\": \"neg\", \"annual_revenue\": -5}\n\
        {not json\n\
        \n\
        {\"id\": \"enum\", \"annual_revenue\": 1, \"credit_rating\": \"great\"}\n\
        {\"annual_revenue\": 1}\n\
        {\"id\": \"type\", \"annual_revenue\": 1, \"aligned\": \"yes please\"}\n\
        {\"id\": \"date\", \"annual_revenue\": 1, \"last_visit\": \"2026-02-30\"}\n\
        {\"id\": \"ok-2\", \"annual_revenue\": \"3000000.00\"}\n";
    let out = kam(&[CUSTOMERS, &["-"]].concat(), Some(input.as_bytes()));
    assert_eq!(out.status.code(), Some(1));
    let r = lines(&out);
    assert_eq!(r.len(), 9, "one output line per input line");
    assert_eq!(r[0]["id"], "ok-1");
    assert_eq!(r[8]["id"], "ok-2");
    let expect = [
        (1, Some("neg"), Some("annual_revenue")),
        (2, None, None),
        (3, None, None),
        (4, Some("enum"), Some("credit_rating")),
        (5, None, Some("id")),
        (6, Some("type"), Some("aligned")),
        (7, Some("date"), Some("last_visit")),
    ];
    for (i, id, field) in expect {
        let e = &r[i];
        assert_eq!(e["line"], i + 1, "{e}");
        assert_eq!(e["id"].as_str(), id, "{e}");
        assert_eq!(e["error"]["kind"], "record", "{e}");
        assert_eq!(e["error"]["field"].as_str(), field, "{e}");
        assert!(!e["error"]["message"].as_str().unwrap().is_empty());
    }
}

#[test]
fn csv_rows_with_the_wrong_number_of_cells_are_reported() {
    let dir = policy_copy("csv");
    let file = dir.join("in.csv");
    std::fs::write(
        &file,
        "id,annual_revenue,largest_contract\nA-1,100,NaN\nA-2,200,1,extra\nA-3\nA-4,,\n",
    )
    .unwrap();
    let out = kam(&[CUSTOMERS, &[file.to_str().unwrap()]].concat(), None);
    assert_eq!(out.status.code(), Some(1));
    let r = lines(&out);
    assert_eq!(r.len(), 4);
    assert_eq!(r[0]["tier"], "D", "a NaN cell is a missing value: {}", r[0]);
    assert_eq!(
        (r[1]["line"].as_u64(), r[1]["id"].as_str()),
        (Some(3), Some("A-2"))
    );
    assert_eq!(
        (r[2]["line"].as_u64(), r[2]["id"].as_str()),
        (Some(4), Some("A-3"))
    );
    assert_eq!(
        r[3]["error"]["field"], "annual_revenue",
        "empty cell = missing"
    );
}

#[test]
fn broken_policy_exits_2_with_file_line_column_and_evaluates_nothing() {
    let dir = policy_copy("broken");
    std::fs::write(
        dir.join("customer_visit.rhai"),
        "fn visit(c, tier, as_of, p) {\n    let = 1;\n}\n",
    )
    .unwrap();
    let policy = dir.to_str().unwrap();
    let out = kam(
        &["customers", "--policy", policy, "data/customers.jsonl"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("customer_visit.rhai:2:"), "{stderr}");
    let check = kam(&["check", "--policy", policy], None);
    assert_eq!(check.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&check.stderr).contains("customer_visit.rhai:2:"));
}

#[test]
fn check_prints_the_digest() {
    let out = kam(&["check", "--policy", "rules"], None);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let digest = text.lines().nth(1).unwrap();
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{text}"
    );
    let sample = lines(&kam(&[CUSTOMERS, &["data/customers.jsonl"]].concat(), None));
    assert_eq!(sample[0]["policy"]["digest"], digest);
}

#[test]
fn check_says_whether_the_compiler_covers_the_policy_and_which_engine_runs() {
    let default = kam::Engine::process_default().name();
    for (args, engine) in [
        (vec!["check", "--policy", "rules"], default),
        (
            vec!["--engine", "interpreted", "check", "--policy", "rules"],
            "interpreted",
        ),
        (
            vec!["check", "--policy", "rules", "--engine", "compiled"],
            "compiled",
        ),
    ] {
        let out = kam(&args, None);
        let text = String::from_utf8_lossy(&out.stdout);
        let want = format!("compiler: covers every function kam calls (engine: {engine})");
        assert_eq!(text.lines().nth(2), Some(want.as_str()), "{args:?}: {text}");
    }
}

/// `--engine` chooses the engine: both give the same results on the samples
/// (byte for byte), and a runaway rule's limit error is where each engine
/// can place it (compiled code names the loop's line; rhai gives none).
#[test]
fn both_engines_give_the_same_results_and_place_limits_as_they_can() {
    let samples = std::fs::read(root().join("data/customers.jsonl")).unwrap();
    let run = |engine: &str, policy: &str, input: &[u8]| {
        let args = [
            "--engine",
            engine,
            "customers",
            "--policy",
            policy,
            "--as-of",
            "2026-11-01",
        ];
        kam(&args, Some(input))
    };
    let (a, b) = (
        run("compiled", "rules", &samples),
        run("interpreted", "rules", &samples),
    );
    assert_eq!(a.status.code(), Some(0));
    assert!(!a.stdout.is_empty());
    assert_eq!(a.stdout, b.stdout);

    let dir = policy_copy("engine-loops");
    std::fs::write(
        dir.join("customer.rhai"),
        "fn customer(c, as_of, p) {\n    loop { }\n}\n",
    )
    .unwrap();
    let record = br#"{"id": "E-1", "annual_revenue": 1}"#;
    let limits = ["--limits", r#"{"max_operations": 1000}"#];
    let place = |engine: &str| {
        let mut args = limits.to_vec();
        args.extend([
            "--engine",
            engine,
            "customers",
            "--policy",
            dir.to_str().unwrap(),
            "--as-of",
            "2026-11-01",
        ]);
        let out = kam(&args, Some(record));
        assert_eq!(out.status.code(), Some(1), "{engine}");
        let e = lines(&out)[0]["error"].clone();
        assert_eq!(e["code"], "limit", "{engine}: {e}");
        (e["line"].clone(), e["column"].clone())
    };
    assert_eq!(place("compiled"), (json!(2), json!(5)));
    assert_eq!(place("interpreted"), (json!(1), Value::Null));
}

/// `kam customers … | head`, `kam check | true`, `kam test | head -c0`: a
/// reader that has gone away ends the run with its own code (141, as a shell
/// reports a tool a closed pipe stopped) and says so, so a script never takes
/// a cut-short run for a whole one; `println!` panicked there (exit 101).
/// With stderr closed too (`2>&1 | head`), still no panic.
#[test]
fn a_closed_output_ends_the_run_with_its_own_code_and_never_panics() {
    // Far more output than a pipe holds, so kam is still writing when the reader goes.
    let samples = std::fs::read_to_string(root().join("data/customers.jsonl")).unwrap();
    let big = std::env::temp_dir().join(format!("kam-cli-{}-big.jsonl", std::process::id()));
    std::fs::write(&big, samples.repeat(40)).unwrap();
    let big = big.to_string_lossy().to_string();
    for args in [
        &[
            "customers",
            "--policy",
            "rules",
            "--as-of",
            "2026-11-01",
            big.as_str(),
        ][..],
        &["check", "--policy", "rules"][..],
        &["test", "--policy", "rules"][..],
    ] {
        for close_stderr in [false, true] {
            let mut child = spawn_kam(args, Stdio::null());
            // Close the reading end before kam has loaded the policy and written anything.
            drop(child.stdout.take());
            if close_stderr {
                drop(child.stderr.take());
            }
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(141), "{args:?}: {stderr}");
            if !close_stderr {
                assert!(
                    stderr.contains("the output was closed before the end"),
                    "{args:?}: {stderr}"
                );
                assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
            }
        }
    }
    let _ = std::fs::remove_file(&big);
}

/// Nothing to read is said, not silent: an empty file, a CSV with a header
/// only, an empty period aggregate.
#[test]
fn empty_input_says_0_records() {
    let header_only =
        std::env::temp_dir().join(format!("kam-cli-{}-header.csv", std::process::id()));
    std::fs::write(&header_only, "id,annual_revenue\n").unwrap();
    let header_only = header_only.to_string_lossy().to_string();
    for (args, input) in [
        (
            &["customers", "--policy", "rules", "--as-of", "2026-11-01"][..],
            &b""[..],
        ),
        (
            &[
                "customers",
                "--policy",
                "rules",
                "--as-of",
                "2026-11-01",
                header_only.as_str(),
            ][..],
            &b""[..],
        ),
        (
            &["staff", "--policy", "rules", "--aggregate", "quarter"][..],
            &b""[..],
        ),
        (
            &["staff", "--policy", "rules", "--format", "table"][..],
            &b""[..],
        ),
    ] {
        let out = kam(args, Some(input));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr.trim(), "0 records", "{args:?}");
    }
    let _ = std::fs::remove_file(&header_only);
}

/// `--as-of` of the right form naming a day the calendar lacks says which part.
#[test]
fn an_as_of_day_that_does_not_exist_is_named() {
    for (as_of, says) in [
        (
            "2026-02-30",
            "`2026-02-30`: 2026-02 has no day 30 (it has 28 days)",
        ),
        ("2024-02-30", "2024-02 has no day 30 (it has 29 days)"),
        ("2026-13-01", "`2026-13-01`: there is no month 13"),
        ("2026-2-3", "`2026-2-3` is not a date YYYY-MM-DD"),
    ] {
        let out = kam(
            &["customers", "--policy", "rules", "--as-of", as_of],
            Some(b""),
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{as_of}: {stderr}");
        assert!(stderr.contains(says), "{as_of}: {stderr}");
    }
}

#[test]
fn help_documents_the_exit_codes() {
    let out = kam(&["--help"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    for code in [
        "0 every record succeeded",
        "1 some records",
        "2 usage or policy",
        "141 the output was closed",
    ] {
        assert!(text.contains(code), "{code}: {text}");
    }
}

#[test]
fn test_command_reports_expected_vs_actual() {
    let out = kam(&["test", "--policy", "rules"], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.trim_end().ends_with("passed, 0 failed"), "{text}");

    // An author raises the A threshold by one cent: the boundary case notices.
    let dir = policy_copy("edited");
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    for entry in std::fs::read_dir(root().join("rules/tests")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join("tests").join(path.file_name().unwrap())).unwrap();
    }
    let params = std::fs::read_to_string(dir.join("parameters.rhai")).unwrap();
    std::fs::write(
        dir.join("parameters.rhai"),
        params.replace("a_min_revenue: 3_000_000,", "a_min_revenue: 3_000_000.01,"),
    )
    .unwrap();
    let out = kam(&["test", "--policy", dir.to_str().unwrap()], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL base_tier.json"), "{text}");
    assert!(text.contains("tier: expected \"A\", got \"B\""), "{text}");
}

#[test]
fn table_format_and_usage_errors() {
    let out = kam(
        &[CUSTOMERS, &["--format", "table", "data/customers.jsonl"]].concat(),
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().next().unwrap().starts_with("line  id"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 37);
    assert!(text.contains("downgrade A→B"), "{text}");

    assert_eq!(
        kam(
            &["customers", "--policy", "rules", "--as-of", "2026-13-01"],
            None
        )
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        kam(
            &["customers", "--policy", "rules", "no-such-file.jsonl"],
            None
        )
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        kam(&["customers", "--policy", "no-such-dir"], None)
            .status
            .code(),
        Some(2)
    );
    // A folder that is not a policy (the repository itself, full of .rhai
    // files below it): the missing root files alone, nothing else compiled.
    let out = kam(&["check", "--policy", "."], None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 2, "{stderr}");
    assert!(
        errors[0].starts_with("error: policy.rhai: missing"),
        "{stderr}"
    );
    assert!(
        errors[1].starts_with("error: parameters.rhai: missing"),
        "{stderr}"
    );
}

#[test]
fn invalid_utf8_and_a_missing_final_newline_keep_one_line_per_input_line() {
    let mut input = b"{\"id\": \"a\", \"annual_revenue\": 1}\n{\"id\": \"\xff\xfe\"}\n".to_vec();
    input.extend_from_slice(b"{\"id\": \"c\", \"annual_revenue\": 2}");
    let out = kam(&[CUSTOMERS, &["-"]].concat(), Some(&input));
    assert_eq!(out.status.code(), Some(1));
    let r = lines(&out);
    assert_eq!(r.len(), 3);
    assert_eq!(
        (r[0]["id"].as_str(), r[2]["id"].as_str()),
        (Some("a"), Some("c"))
    );
    assert_eq!(r[1]["line"], 2);
    assert!(
        r[1]["error"]["message"].as_str().unwrap().contains("UTF-8"),
        "{}",
        r[1]
    );
}

#[test]
fn duplicate_csv_columns_and_an_empty_case_folder_are_refused() {
    let dir = policy_copy("dup");
    let file = dir.join("dup.csv");
    std::fs::write(&file, "id,annual_revenue,id\nC1,100,C2\n").unwrap();
    let out = kam(&[CUSTOMERS, &[file.to_str().unwrap()]].concat(), None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("`id` twice"));

    // dir has an empty tests/ folder: a policy with no cases has not been tested.
    let out = kam(&["test", "--policy", dir.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no test cases"));
}

#[test]
fn staff_months_and_quarters() {
    let out = kam(&["staff", "--policy", "rules", "data/staff.jsonl"], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let months = lines(&out);
    assert_eq!(months.len(), 22);
    assert_eq!(
        (months[0]["id"].as_str(), months[0]["period"].as_str()),
        (Some("S-001"), Some("2026-07"))
    );
    // Decimals are exact JSON numbers, not strings.
    assert!(months[1]["scorecard"]["total"].is_number(), "{}", months[1]);
    assert_eq!(
        months[0]["kpis"]["sales_completion_rate"].to_string(),
        "0.95"
    );

    let out = kam(
        &[
            "staff",
            "--policy",
            "rules",
            "--aggregate",
            "quarter",
            "data/staff.jsonl",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let quarters = lines(&out);
    assert_eq!(quarters.len(), 8);
    let q = quarters
        .iter()
        .find(|q| q["id"] == "S-004" && q["period"] == "2026-Q3")
        .unwrap();
    assert_eq!(q["missing_months"], serde_json::json!(["2026-08"]));
    assert_eq!(q["total"].to_string(), "60.75");

    let table = kam(
        &[
            "staff",
            "--policy",
            "rules",
            "--aggregate",
            "year",
            "--format",
            "table",
            "data/staff.jsonl",
        ],
        None,
    );
    let text = String::from_utf8_lossy(&table.stdout);
    assert_eq!(text.lines().count(), 5, "{text}");
}

#[test]
fn bad_staff_lines_get_error_lines_and_the_rest_go_on() {
    let good = std::fs::read_to_string(root().join("data/staff.jsonl"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let input = format!(
        "{good}\n{}\n{}\n{good}\n",
        good.replace("\"period\": \"2026-07\"", "\"period\": \"2026-13\""),
        good.replace("\"sales_target\": 2800000", "\"sales_target\": 0"),
    );
    let out = kam(&["staff", "--policy", "rules", "-"], Some(input.as_bytes()));
    assert_eq!(out.status.code(), Some(1));
    let r = lines(&out);
    assert_eq!(r.len(), 4);
    assert_eq!(r[1]["error"]["field"], "period");
    assert_eq!(r[2]["error"]["field"], "sales_target");
    assert_eq!(
        (r[0]["id"].as_str(), r[3]["id"].as_str()),
        (Some("S-001"), Some("S-001"))
    );
}

#[test]
fn staff_csv_with_dotted_columns_and_aggregation_needs_its_functions() {
    let dir = policy_copy("staffcsv");
    let file = dir.join("staff.csv");
    std::fs::write(
        &file,
        "id,role,period,sales_target,sales_actual,days_present,ratings.market_info,ratings.teamwork,\
         ratings.knowledge,ratings.analysis,ratings.communication,ratings.responsibility\n\
         S-1,manager,2026-09,1000000,950000,26,8,9,products;industry,average,clear,4.5\n\
         S-2,boss,2026-09,1000000,950000,26,8,9,,average,clear,4.5\n",
    )
    .unwrap();
    let out = kam(
        &["staff", "--policy", "rules", file.to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let r = lines(&out);
    assert_eq!(r[0]["scorecard"]["items"][0]["score"], 24);
    assert_eq!(
        r[0]["scorecard"]["items"][5]["score"], 7,
        "products 4 + industry 3"
    );
    assert_eq!(
        (r[1]["line"].as_u64(), r[1]["error"]["field"].as_str()),
        (Some(3), Some("role"))
    );

    // A policy without the aggregation functions is refused up front.
    std::fs::remove_file(dir.join("staff_grading.rhai")).unwrap();
    let staff = std::fs::read_to_string(dir.join("staff.rhai")).unwrap();
    let stub = "fn staff_kpis(s, p) { #{ kpis: #{}, reasons: [] } }\nfn staff_grade(t, p) { #{ grade: \"x\", actions: [], reasons: [] } }\n";
    std::fs::write(dir.join("staff.rhai"), format!("{staff}\n{stub}")).unwrap();
    let out = kam(
        &[
            "staff",
            "--policy",
            dir.to_str().unwrap(),
            "--aggregate",
            "quarter",
            "data/staff.jsonl",
        ],
        None,
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("staff_period_inputs"));
    // One policy error line (the defects in `errors`), no record lines.
    let got = lines(&out);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["error"]["code"], "missing_entry");
    assert_eq!(got[0]["error"]["errors"].as_array().map(Vec::len), Some(2));
}

#[test]
fn limits_from_the_command_line_bound_every_record_and_bad_ones_are_refused() {
    let dir = policy_copy("limits");
    std::fs::write(
        dir.join("customer.rhai"),
        "fn customer(c, as_of, p) {\n    loop { }\n}\n",
    )
    .unwrap();
    let policy = dir.to_str().unwrap();
    let tight = r#"{"max_operations": 5000, "max_seconds": null}"#;
    let out = kam(
        &[
            "--limits",
            tight,
            "customers",
            "--policy",
            policy,
            "--as-of",
            "2026-11-01",
            "data/customers.jsonl",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let got = lines(&out);
    assert_eq!(got.len(), 36, "one line per input line");
    for line in &got {
        assert_eq!(line["error"]["kind"], "rule", "{line}");
        let message = line["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("operations"), "{line}");
    }
    // The default policy fits the same budget.
    let mut args = vec!["--limits", tight];
    args.extend_from_slice(CUSTOMERS);
    args.push("data/customers.jsonl");
    let fits = kam(&args, None);
    assert_eq!(fits.status.code(), Some(0));
    assert_eq!(lines(&fits).len(), 36);

    for (bad, says) in [
        (r#"{"max_operations": 0}"#, "max_operations"),
        (r#"{"max_call_levels": 64}"#, "max_call_levels"),
        (r#"{"max_ops": 1}"#, "unknown limit"),
        ("max_operations=5", "not JSON"),
    ] {
        let out = kam(&["--limits", bad, "check", "--policy", "rules"], None);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{bad}: {stderr}");
    }
}

/// A CRM export from Windows ends its lines in CRLF, an old Mac one in CR: the
/// line numbers must be those of the LF file (CRLF ones were one too low), the
/// '\r' must not reach the last cell, and a blank line is skipped as in LF.
#[test]
fn crlf_csv_reports_the_same_lines_and_cells_as_lf() {
    let dir = std::env::temp_dir().join(format!("kam-cli-crlf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rows = [
        "id,annual_revenue,credit_rating",
        "C-1,x,good",
        "",
        "C-2,1200000,good",
        "C-3,\"2\n000\",good",
        "C-4,1200000,great",
    ];
    let mut outputs = Vec::new();
    for end in ["\n", "\r\n"] {
        let file = dir.join(format!("rows-{}.csv", end.len()));
        std::fs::write(&file, rows.join(end) + end).unwrap();
        let mut args = CUSTOMERS.to_vec();
        args.push(file.to_str().unwrap());
        let out = lines(&kam(&args, None));
        let got: Vec<(Value, Value, Value)> = out
            .iter()
            .map(|l| {
                (
                    l["line"].clone(),
                    l["id"].clone(),
                    l["error"]["field"].clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (json!(2), json!("C-1"), json!("annual_revenue")),
                (Value::Null, json!("C-2"), Value::Null),
                (json!(5), json!("C-3"), json!("annual_revenue")),
                (json!(7), json!("C-4"), json!("credit_rating")),
            ],
            "line end {end:?}"
        );
        // The last cell carries no '\r': "great" is quoted as written.
        let message = out[3]["error"]["message"].as_str().unwrap_or_default();
        assert!(message.ends_with("got \"great\""), "{message}");
        outputs.push(out);
    }
    assert_eq!(outputs[0], outputs[1]);
    // Old Mac line ends ('\r' alone; rows counted, so no blank lines or
    // multi-line cells here).
    let file = dir.join("rows-cr.csv");
    std::fs::write(&file, "id,annual_revenue\rC-1,x\rC-2,1200000\rC-4,y\r").unwrap();
    let mut args = CUSTOMERS.to_vec();
    args.push(file.to_str().unwrap());
    let out = lines(&kam(&args, None));
    let got: Vec<(Value, Value)> = out
        .iter()
        .map(|l| (l["line"].clone(), l["id"].clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (json!(2), json!("C-1")),
            (Value::Null, json!("C-2")),
            (json!(4), json!("C-4")),
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_csv_header_of_100_000_columns_is_read_and_reported() {
    let header: Vec<String> = (0..100_000).map(|i| format!("c{i}")).collect();
    let ones = vec!["1"; 100_000].join(",");
    let text = format!("{}\n{ones}\n", header.join(","));
    let dir = std::env::temp_dir().join(format!("kam-cli-wide-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("wide.csv");
    std::fs::write(&file, text).unwrap();
    let mut args = CUSTOMERS.to_vec();
    args.push(file.to_str().unwrap());
    let out = kam(&args, None);
    assert_eq!(out.status.code(), Some(1));
    let got = lines(&out);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["line"], json!(2));
    assert_eq!(got[0]["error"]["kind"], json!("record"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `tests/vectors/errors/wire.json` through the command: each record as one
/// input line, with its policy as a folder (and its limits as `--limits`).
/// A record's error line is `{"line": 1, "id", "error"}`, the error exactly
/// the recorded wire form; a policy without the entry point exits 2 with one
/// `{"line": null, "id": null, "error"}` line and evaluates nothing.
#[test]
fn the_error_vectors_give_their_wire_form_on_the_command_line() {
    let text = std::fs::read_to_string(root().join("tests/vectors/errors/wire.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let as_of = doc["as_of"].as_str().unwrap();
    for case in doc["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let policy_name = case["policy"].as_str().unwrap();
        let spec = &doc["policies"][policy_name];
        let dir = policy_copy(&format!("wire-{policy_name}"));
        for gone in spec["remove"].as_array().into_iter().flatten() {
            std::fs::remove_file(dir.join(gone.as_str().unwrap())).unwrap();
        }
        for (file, text) in spec["files"].as_object().into_iter().flatten() {
            std::fs::write(dir.join(file), text.as_str().unwrap()).unwrap();
        }
        let entry = case["entry"].as_str().unwrap();
        let command = if entry == "customer" {
            "customers"
        } else {
            "staff"
        };
        let mut args = vec![command, "--policy", dir.to_str().unwrap()];
        if entry == "customer" {
            args.extend(["--as-of", as_of]);
        }
        let limits = spec.get("limits").map(Value::to_string);
        if let Some(limits) = &limits {
            args.extend(["--limits", limits.as_str()]);
        }
        let input = format!("{}\n", case["record"]);
        let out = kam(&args, Some(input.as_bytes()));
        // The interpreter's answer where it differs by design (tests/vectors.rs).
        let want = match (
            kam::Engine::process_default(),
            case.get("expect_error_interpreted"),
        ) {
            (kam::Engine::Interpreted, Some(w)) => w,
            _ => &case["expect_error"],
        };
        let got = lines(&out);
        let policy_error = want["kind"] == "policy";
        let line = if policy_error { Value::Null } else { json!(1) };
        let envelope = json!({"line": line, "id": want["record_id"], "error": want});
        assert_eq!(got.len(), 1, "{name}: {got:?}");
        assert_eq!(got[0].to_string(), envelope.to_string(), "{name}");
        assert_eq!(
            out.status.code(),
            Some(if policy_error { 2 } else { 1 }),
            "{name}"
        );
    }
}

#[test]
fn a_policy_without_the_entry_point_a_command_needs_exits_2_evaluating_nothing() {
    for (file, command, input) in [
        ("staff.rhai", "staff", "data/staff.jsonl"),
        ("customer.rhai", "customers", "data/customers.jsonl"),
    ] {
        let dir = policy_copy(&format!("no-{command}"));
        std::fs::remove_file(dir.join(file)).unwrap();
        let policy = dir.to_str().unwrap();
        let out = kam(&[command, "--policy", policy, input], None);
        assert_eq!(out.status.code(), Some(2), "{command}");
        let got = lines(&out);
        assert_eq!(
            got.len(),
            1,
            "{command}: one policy error line, no record lines: {got:?}"
        );
        assert_eq!(
            (&got[0]["line"], &got[0]["id"]),
            (&Value::Null, &Value::Null)
        );
        let error = &got[0]["error"];
        assert_eq!(
            (&error["kind"], &error["code"]),
            (&json!("policy"), &json!("missing_entry"))
        );
        assert_eq!(error["file"], "(policy)");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("nothing evaluated"), "{stderr}");
        // As a table: nothing on stdout, the same exit code.
        let out = kam(
            &[command, "--policy", policy, "--format", "table", input],
            None,
        );
        assert_eq!(out.status.code(), Some(2), "{command} --format table");
        assert!(out.stdout.is_empty());
    }
    // Aggregating needs the period functions too.
    let dir = policy_copy("no-period");
    std::fs::remove_file(dir.join("staff_grading.rhai")).unwrap();
    let policy = dir.to_str().unwrap();
    let out = kam(
        &[
            "staff",
            "--policy",
            policy,
            "--aggregate",
            "quarter",
            "data/staff.jsonl",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let got = lines(&out);
    assert_eq!(got.len(), 1, "{got:?}");
    let missing: Vec<&str> = got[0]["error"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(missing.len(), 4, "{missing:?}");
    assert!(
        missing[0].contains("staff_period_inputs(months, previous, p)"),
        "{missing:?}"
    );
}

#[test]
fn record_error_lines_carry_the_code_and_the_record_id() {
    let input = b"{\"id\": \"C-1\", \"annual_revenue\": -1}\n{\"id\": \"C-2\"}\n{\"id\": \"C-3\", \"anual_revenue\": 1}\n[1]\n";
    let out = kam(&[CUSTOMERS, &["-"]].concat(), Some(input));
    assert_eq!(out.status.code(), Some(1));
    let got: Vec<(Value, Value, Value)> = lines(&out)
        .iter()
        .map(|l| {
            (
                l["id"].clone(),
                l["error"]["record_id"].clone(),
                l["error"]["code"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (json!("C-1"), json!("C-1"), json!("invalid")),
            (json!("C-2"), json!("C-2"), json!("missing")),
            (json!("C-3"), json!("C-3"), json!("unknown_field")),
            (Value::Null, Value::Null, json!("malformed")),
        ]
    );
}

/// CSV on stdin needs `--input csv`; read as JSON Lines, the error says so.
/// A JSON array (one line or pretty-printed) is told what JSON Lines are.
#[test]
fn input_formats_are_chosen_or_explained() {
    let csv = std::fs::read(root().join("data/customers.csv")).unwrap();
    let from_file = kam(
        &[
            "customers",
            "--policy",
            "rules",
            "--as-of",
            "2026-11-01",
            "data/customers.csv",
        ],
        None,
    );
    let from_stdin = kam(
        &[
            "customers",
            "--policy",
            "rules",
            "--as-of",
            "2026-11-01",
            "--input",
            "csv",
        ],
        Some(&csv),
    );
    assert!(!from_file.stdout.is_empty());
    assert_eq!(from_stdin.stdout, from_file.stdout);
    assert_eq!(from_stdin.status.code(), from_file.status.code());

    let as_json = kam(
        &["customers", "--policy", "rules", "--as-of", "2026-11-01"],
        Some(&csv),
    );
    let first = &lines(&as_json)[0]["error"]["message"];
    assert!(first.as_str().unwrap().contains("--input csv"), "{first}");

    for array in [
        &b"[{\"id\": \"C-1\"}, {\"id\": \"C-2\"}]\n"[..],
        &b"[\n  {\"id\": \"C-1\"},\n  {\"id\": \"C-2\"}\n]\n"[..],
    ] {
        let out = kam(
            &["customers", "--policy", "rules", "--as-of", "2026-11-01"],
            Some(array),
        );
        let first = &lines(&out)[0]["error"]["message"];
        assert!(
            first
                .as_str()
                .unwrap()
                .contains("kam reads JSON Lines: one whole JSON object per line"),
            "{first}"
        );
        assert_eq!(out.status.code(), Some(1));
    }
}

/// Tables are for people: totals and scores in two places (the JSON stays
/// exact), and a bad line of an aggregate puts its id under "id".
#[test]
fn tables_round_for_display_and_keep_columns() {
    let mut input = std::fs::read(root().join("data/staff.jsonl")).unwrap();
    input.extend_from_slice(b"{\"id\": \"S-x\"}\n");
    let out = kam(
        &[
            "staff",
            "--policy",
            "rules",
            "--aggregate",
            "quarter",
            "--format",
            "table",
        ],
        Some(&input),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = text.lines().collect();
    let bad = rows.iter().find(|r| r.starts_with("S-x")).unwrap();
    assert!(bad.contains("line 23") && bad.contains("ERROR"), "{bad}");
    // S-002's Q3 total is 233.5 / 3 = 77.8333…: shown as 77.83.
    let q3 = rows
        .iter()
        .find(|r| r.starts_with("S-002") && r.contains("2026-Q3"))
        .unwrap();
    assert!(q3.contains(" 77.83 "), "{q3}");
    let json = kam(
        &["staff", "--policy", "rules", "--aggregate", "quarter"],
        Some(&input),
    );
    let exact = lines(&json)
        .into_iter()
        .find(|l| l["id"] == "S-002" && l["period"] == "2026-Q3")
        .unwrap();
    assert!(
        exact["total"].to_string().starts_with("77.8333333"),
        "{exact}"
    );

    let out = kam(
        &[
            "staff",
            "--policy",
            "rules",
            "--format",
            "table",
            "data/staff.jsonl",
        ],
        None,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for row in text.lines().skip(1) {
        // No number with three or more decimals outside the reasons column.
        let cells: Vec<&str> = row.split("  ").filter(|c| !c.is_empty()).collect();
        for cell in &cells[..cells.len().saturating_sub(1)] {
            let cell = cell.trim().trim_end_matches('%');
            if let Some((_, frac)) = cell.split_once('.') {
                if frac.chars().all(|c| c.is_ascii_digit()) {
                    assert!(frac.len() <= 2, "{row}");
                }
            }
        }
    }
}
