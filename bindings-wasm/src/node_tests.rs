//! The binding's exported API, run as WebAssembly under Node
//! (`wasm-bindgen-test-runner`, see `bindings-wasm/test.sh`):
//! every shared vector gives exactly the recorded answer (decimals compared
//! as exact text), errors arrive as `KamError`s with their fields, and
//! hostile policies end as rule errors while the module keeps working.
use crate::{default_policy_sources, DateText, Policy};
use js_sys::{Array, Object, Reflect, JSON};
use serde_json::{json, Map, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

include!(concat!(env!("OUT_DIR"), "/vectors.rs"));

const AS_OF: &str = "2026-11-01";

// ── helpers ────────────────────────────────────────────────────────────────

/// JSON text → a JS value, asserting that JS represents it exactly (no
/// number rounded), so the binding is fed exactly the vector's record.
fn js_exact(value: &Value) -> JsValue {
    let text = value.to_string();
    let js = JSON::parse(&text).unwrap();
    assert_eq!(
        json_of(&js),
        *value,
        "record is not exactly representable in JS"
    );
    js
}

/// A JS value → JSON, keeping every number's text exactly.
fn json_of(value: &JsValue) -> Value {
    let text = String::from(JSON::stringify(value).unwrap());
    serde_json::from_str(&text).unwrap()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn text(value: &JsValue, key: &str) -> Option<String> {
    get(value, key).as_string()
}

/// The engine these tests run: Node's `KAM_ENGINE` (`tests/run-all.sh` runs
/// them once with `interpreted`), else the default. WebAssembly has no
/// process environment of its own, so it is read through JS.
fn engine() -> &'static str {
    let env = Reflect::get(&js_sys::global(), &JsValue::from_str("process"))
        .and_then(|p| Reflect::get(&p, &JsValue::from_str("env")))
        .and_then(|e| Reflect::get(&e, &JsValue::from_str("KAM_ENGINE")));
    match env.ok().and_then(|v| v.as_string()).as_deref() {
        Some("interpreted") => "interpreted",
        _ => "compiled",
    }
}

/// `Policy.fromSources`, then the engine of this run.
fn load(sources: &JsValue, limits: Option<crate::LimitsObject>) -> Result<Policy, JsValue> {
    Policy::from_sources(sources, limits)?.with_engine(engine())
}

fn default_policy() -> Policy {
    load(&default_policy_sources(), None).unwrap()
}

/// The default policy with some files replaced.
fn sources_with(edits: &[(&str, &str)]) -> JsValue {
    let sources = default_policy_sources();
    for (name, text) in edits {
        Reflect::set(&sources, &JsValue::from_str(name), &JsValue::from_str(text)).unwrap();
    }
    sources
}

fn edited(edits: &[(&str, &str)]) -> Policy {
    load(&sources_with(edits), None)
        .unwrap_or_else(|e| panic!("policy should load: {:?}", json_of(&e)))
}

fn entry_body(body: &str) -> String {
    format!("fn customer(c, as_of, p) {{\n{body}\n}}\n")
}

fn record() -> JsValue {
    js_exact(&json!({"id": "C-9", "annual_revenue": 1_200_000}))
}

fn as_of() -> Option<DateText> {
    date(JsValue::from_str(AS_OF))
}

/// Any JS value as the `asOf` argument (unchecked: the binding checks it).
fn date(value: JsValue) -> Option<DateText> {
    Some(value.unchecked_into())
}

/// The fields of a thrown `KamError`, keyed like the vectors' `expect_error`.
fn thrown(err: &JsValue) -> Map<String, Value> {
    assert!(
        err.is_instance_of::<js_sys::Error>(),
        "not an Error: {err:?}"
    );
    assert_eq!(text(err, "name").as_deref(), Some("KamError"));
    let mut info = Map::new();
    for (key, prop) in [
        ("kind", "kind"),
        ("code", "code"),
        ("field", "field"),
        ("message", "detail"),
        ("file", "file"),
        ("line", "line"),
        ("column", "column"),
        ("recordId", "recordId"),
    ] {
        let v = get(err, prop);
        let v = if v.is_null() || v.is_undefined() {
            Value::Null
        } else {
            json_of(&v)
        };
        info.insert(key.into(), v);
    }
    info
}

/// The default policy still answers: what every error test checks last.
fn still_works() {
    let r = default_policy()
        .evaluate_customer(&record(), as_of())
        .unwrap();
    assert_eq!(text(&r, "tier").as_deref(), Some("B"));
}

/// Exact equality where the binding's decimals (strings) meet the vectors'
/// numbers: the string must be the number's exact text.
fn same(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Number(w), Value::String(g)) => w.to_string() == *g,
        (Value::Number(w), Value::Number(g)) => w.to_string() == g.to_string(),
        (Value::Object(w), Value::Object(g)) => {
            w.len() == g.len() && w.iter().all(|(k, v)| g.get(k).is_some_and(|x| same(v, x)))
        }
        (Value::Array(w), Value::Array(g)) => {
            w.len() == g.len() && w.iter().zip(g).all(|(a, b)| same(a, b))
        }
        _ => want == got,
    }
}

struct Case {
    file: &'static str,
    name: String,
    entry: String,
    as_of: String,
    record: Value,
    want: Value,
    is_error: bool,
}

fn cases() -> Vec<Case> {
    let mut all = Vec::new();
    for (file, text) in VECTORS {
        let doc: Value = serde_json::from_str(text).unwrap();
        let entry = doc["entry"].as_str().unwrap().to_string();
        for case in doc["cases"].as_array().unwrap() {
            let as_of = case
                .get("as_of")
                .or(doc.get("as_of"))
                .and_then(Value::as_str)
                .unwrap_or(AS_OF);
            let (want, is_error) = match (case.get("expect"), case.get("expect_error")) {
                (Some(w), None) => (w.clone(), false),
                (None, Some(w)) => (w.clone(), true),
                _ => panic!("{file}: case needs expect or expect_error"),
            };
            all.push(Case {
                file,
                name: case["name"].as_str().unwrap_or("?").to_string(),
                entry: entry.clone(),
                as_of: as_of.to_string(),
                record: case["record"].clone(),
                want,
                is_error,
            });
        }
    }
    all
}

/// A result without `policy`, after checking it names this policy.
fn without_policy(mut got: Value, policy: &Policy) -> Value {
    let info = got.as_object_mut().unwrap().remove("policy").unwrap();
    assert_eq!(info["digest"], Value::from(policy.digest()));
    got
}

/// A thrown error's wire form (its `wire` property).
fn wire(err: &JsValue) -> Value {
    json_of(&get(err, "wire"))
}

/// A thrown error against `expect_error`: its wire form exactly, and its own
/// properties saying the same (absent = null).
fn error_matches(want: &Value, err: &JsValue) -> bool {
    let got = thrown(err);
    let fields_match = ["kind", "code", "field", "message", "file", "line", "column"]
        .iter()
        .all(|k| same(want.get(*k).unwrap_or(&Value::Null), &got[*k]));
    fields_match && got["recordId"] == want["record_id"] && same(want, &wire(err))
}

// ── the shared vectors ─────────────────────────────────────────────────────

#[wasm_bindgen_test]
fn every_shared_vector_gives_the_recorded_answer_one_by_one() {
    let policy = default_policy();
    let cases = cases();
    let mut mismatches = Vec::new();
    for case in &cases {
        let record = js_exact(&case.record);
        let got = match case.entry.as_str() {
            "customer" => policy.evaluate_customer(&record, date(JsValue::from_str(&case.as_of))),
            "staff" => policy.evaluate_staff(&record),
            other => panic!("unknown entry {other}"),
        };
        let ok = match (&got, case.is_error) {
            (Ok(result), false) => same(&case.want, &without_policy(json_of(result), &policy)),
            (Err(err), true) => error_matches(&case.want, err),
            _ => false,
        };
        if !ok {
            let got = got.map(|r| json_of(&r)).map_err(|e| wire(&e));
            mismatches.push(format!(
                "{}: {}\n  want {}\n  got  {got:?}",
                case.file, case.name, case.want
            ));
        }
    }
    assert!(cases.len() >= 100, "only {} vectors", cases.len());
    assert!(
        mismatches.is_empty(),
        "{} of {} vectors differ:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
}

#[wasm_bindgen_test]
fn every_shared_vector_gives_the_recorded_answer_in_batches() {
    let policy = default_policy();
    let cases = cases();
    // One batch per entry point and date, as a caller would send them.
    let mut groups: Vec<((String, String), Vec<&Case>)> = Vec::new();
    for case in &cases {
        let key = (case.entry.clone(), case.as_of.clone());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, group)) => group.push(case),
            None => groups.push((key, vec![case])),
        }
    }
    let mut checked = 0;
    for ((entry, as_of), group) in &groups {
        let records: Array = group.iter().map(|c| js_exact(&c.record)).collect();
        let out = match entry.as_str() {
            "customer" => policy.evaluate_customers(&records, date(JsValue::from_str(as_of))),
            _ => policy.evaluate_staff_batch(&records),
        }
        .unwrap();
        let out: Array = out.dyn_into().unwrap();
        assert_eq!(out.length() as usize, group.len());
        for (case, got) in group.iter().zip(out.iter()) {
            let got = json_of(&got);
            let ok = if case.is_error {
                // The entry's error is the wire form, its id the error's record_id.
                assert_eq!(got["id"], case.want["record_id"]);
                same(&case.want, &got["error"])
            } else {
                same(&case.want, &without_policy(got.clone(), &policy))
            };
            assert!(
                ok,
                "{}: {}\n  want {}\n  got  {got}",
                case.file, case.name, case.want
            );
            checked += 1;
        }
    }
    assert_eq!(checked, cases.len());
}

// ── what crosses into JS ───────────────────────────────────────────────────

#[wasm_bindgen_test]
fn decimals_are_strings_and_integers_are_numbers() {
    let policy = default_policy();
    let staff = js_exact(&json!({"id": "S-1", "role": "manager", "period": "2026-09",
        "sales_target": 3_000_000, "sales_actual": "2790000.00", "days_present": 22,
        "ratings": {"market_info": 8, "teamwork": "8.5", "knowledge": ["products"],
                    "analysis": "average", "communication": "clear", "responsibility": 4.5},
        "accounts_start": 3, "accounts_lost": 1}));
    let r = json_of(&policy.evaluate_staff(&staff).unwrap());
    assert_eq!(r["kpis"]["sales_completion_rate"], json!("0.93"));
    // 1/3 to 28 digits: no JS number holds it.
    assert_eq!(
        r["kpis"]["churn_rate"],
        json!("0.3333333333333333333333333333")
    );
    assert!(r["scorecard"]["total"].is_string(), "{r}");
    for item in r["scorecard"]["items"].as_array().unwrap() {
        assert!(
            item["max"].is_string() && item["score"].is_string(),
            "{item}"
        );
    }

    let customer = js_exact(&json!({"id": "C-1", "annual_revenue": "3000000.00",
        "credit_rating": "good", "long_term_intent": true, "last_visit": "2026-10-20"}));
    let r = json_of(&policy.evaluate_customer(&customer, as_of()).unwrap());
    assert_eq!(r["tier"], json!("A"));
    assert_eq!(r["visit"]["interval_days"], json!(30));
    assert_eq!(r["visit"]["next_due"], json!("2026-11-19"));
}

#[wasm_bindgen_test]
fn numbers_and_decimal_strings_are_the_same_input() {
    let policy = default_policy();
    let a = json!({"id": "C-1", "annual_revenue": 2999999.99, "credit_rating": "excellent",
        "long_term_intent": true, "tier": "A"});
    let mut b = a.clone();
    b["annual_revenue"] = json!("2999999.99");
    let ra = json_of(&policy.evaluate_customer(&js_exact(&a), as_of()).unwrap());
    let rb = json_of(&policy.evaluate_customer(&js_exact(&b), as_of()).unwrap());
    assert_eq!(ra, rb);
    // One cent below A, exactly.
    assert_eq!(ra["tier"], json!("B"));
    assert_eq!(ra["change"], json!("downgrade"));
}

#[wasm_bindgen_test]
fn today_comes_from_js_when_as_of_is_omitted() {
    let now = js_sys::Date::new_0();
    let today = format!(
        "{:04}-{:02}-{:02}",
        now.get_full_year(),
        now.get_month() + 1,
        now.get_date()
    );
    // A B customer never visited is due on the evaluation date itself.
    let r = default_policy().evaluate_customer(&record(), None).unwrap();
    assert_eq!(json_of(&get(&get(&r, "visit"), "next_due")), json!(today));
    let r = default_policy()
        .evaluate_customer(&record(), date(JsValue::UNDEFINED))
        .unwrap();
    assert_eq!(json_of(&get(&get(&r, "visit"), "next_due")), json!(today));
}

#[wasm_bindgen_test]
fn record_errors_name_the_record_and_field() {
    let policy = default_policy();
    let bad = js_exact(&json!({"id": "C-7", "annual_revenue": -1}));
    let err = thrown(&policy.evaluate_customer(&bad, as_of()).unwrap_err());
    assert_eq!(err["kind"], json!("record"));
    assert_eq!(err["field"], json!("annual_revenue"));
    assert_eq!(err["recordId"], json!("C-7"));
    assert_eq!(err["file"], Value::Null);

    // NaN would become null (a missing value) in plain JSON.stringify; it must
    // be an error naming the field, not a silent default.
    let nan = js_exact(&json!({"id": "C-8", "annual_revenue": 1_000_000}));
    Reflect::set(&nan, &"late_payments".into(), &JsValue::from_f64(f64::NAN)).unwrap();
    let err = thrown(&policy.evaluate_customer(&nan, as_of()).unwrap_err());
    assert_eq!(
        (err["kind"].clone(), err["field"].clone()),
        (json!("record"), json!("late_payments"))
    );

    // A BigInt is not JSON: a record error, not a crash.
    let big = js_exact(&json!({"id": "C-10"}));
    Reflect::set(
        &big,
        &"annual_revenue".into(),
        &js_sys::BigInt::from(5_u32).into(),
    )
    .unwrap();
    let err = thrown(&policy.evaluate_customer(&big, as_of()).unwrap_err());
    assert_eq!(
        (err["kind"].clone(), err["recordId"].clone()),
        (json!("record"), json!("C-10"))
    );

    for not_a_record in [JsValue::UNDEFINED, JsValue::NULL, JsValue::from_f64(42.0)] {
        let err = thrown(
            &policy
                .evaluate_customer(&not_a_record, as_of())
                .unwrap_err(),
        );
        assert_eq!(err["kind"], json!("record"));
    }
    still_works();
}

#[wasm_bindgen_test]
fn a_bad_record_costs_only_itself_in_a_batch() {
    let policy = default_policy();
    let records = Array::new();
    records.push(&record());
    records.push(&js_exact(&json!({"id": "C-bad", "annual_revenue": "lots"})));
    records.push(&JsValue::UNDEFINED);
    records.push(&js_exact(&json!({"id": "C-10", "annual_revenue": 600_000})));
    let out = json_of(&policy.evaluate_customers(&records, as_of()).unwrap());
    let out = out.as_array().unwrap();
    assert_eq!(out.len(), 4);
    assert_eq!(out[0]["tier"], json!("B"));
    assert_eq!(out[1]["id"], json!("C-bad"));
    assert_eq!(out[1]["error"]["field"], json!("annual_revenue"));
    assert_eq!(out[1]["error"]["kind"], json!("record"));
    assert_eq!(out[2]["id"], Value::Null);
    assert_eq!(out[2]["error"]["kind"], json!("record"));
    assert_eq!(out[3]["tier"], json!("C"));

    let staff = Array::new();
    staff.push(&js_exact(&json!({"id": "S-x", "role": "boss"})));
    let out = json_of(&policy.evaluate_staff_batch(&staff).unwrap());
    assert_eq!(out[0]["error"]["record_id"], json!("S-x"));
    assert_eq!(out[0]["id"], json!("S-x"));
}

#[wasm_bindgen_test]
fn a_policy_without_the_entry_point_throws_once_from_a_batch() {
    let sources = default_policy_sources();
    let object: &Object = sources.dyn_ref().unwrap();
    assert!(Reflect::delete_property(object, &"staff.rhai".into()).unwrap());
    let policy = load(&sources, None).unwrap();
    let staff = Array::of2(
        &js_exact(&json!({"id": "S-1", "role": "boss"})),
        &js_exact(&json!({"id": "S-2"})),
    );
    let err = policy.evaluate_staff_batch(&staff).unwrap_err();
    let info = thrown(&err);
    assert_eq!(
        (
            info["kind"].clone(),
            info["code"].clone(),
            info["recordId"].clone()
        ),
        (json!("policy"), json!("missing_entry"), Value::Null)
    );
    assert_eq!(wire(&err)["errors"].as_array().unwrap().len(), 1);
    // The single call says the same, whatever the record.
    let single = policy.evaluate_staff(&staff.get(0)).unwrap_err();
    assert_eq!(wire(&single), wire(&err));
    assert!(policy
        .evaluate_customers(&Array::of1(&record()), as_of())
        .is_ok());
    still_works();
}

#[wasm_bindgen_test]
fn bad_arguments_throw_argument_errors() {
    let policy = default_policy();
    for bad in ["2026-13-01", "yesterday", "2026-11-1"] {
        let err = thrown(
            &policy
                .evaluate_customer(&record(), date(JsValue::from_str(bad)))
                .unwrap_err(),
        );
        assert_eq!(err["kind"], json!("argument"), "{bad}");
    }
    let err = thrown(
        &policy
            .evaluate_customer(&record(), date(JsValue::from_f64(20261101.0)))
            .unwrap_err(),
    );
    assert_eq!(err["kind"], json!("argument"));
    let err = thrown(&policy.evaluate_customers(&record(), as_of()).unwrap_err());
    assert_eq!(err["kind"], json!("argument"));
    for sources in [
        JsValue::from_str("rules"),
        Array::new().into(),
        JsValue::NULL,
    ] {
        let err = thrown(&Policy::from_sources(&sources, None).err().unwrap());
        assert_eq!(err["kind"], json!("argument"));
    }
    let err = thrown(
        &Policy::from_sources(&js_exact(&json!({"policy.rhai": 1})), None)
            .err()
            .unwrap(),
    );
    assert_eq!(err["kind"], json!("argument"));
    still_works();
}

// ── policies: identity, diagnostics ────────────────────────────────────────

#[wasm_bindgen_test]
fn the_default_policy_is_embedded_with_its_identity() {
    let sources = default_policy_sources();
    let names: Vec<String> = Object::keys(sources.unchecked_ref::<Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect();
    for file in [
        "policy.rhai",
        "parameters.rhai",
        "customer.rhai",
        "staff.rhai",
    ] {
        assert!(names.iter().any(|n| n == file), "{file} in {names:?}");
    }
    let policy = default_policy();
    assert_eq!(
        (policy.name(), policy.version()),
        ("default".into(), "1".into())
    );
    assert!(policy.digest().starts_with("sha256:") && policy.digest().len() == 71);
    assert_eq!(policy.tiers(), vec!["A", "B", "C", "D"]);
    assert_eq!(json_of(&policy.sources()), json_of(&sources));
    assert_eq!(json_of(&policy.check()), json!([]));
    assert_eq!(json_of(&Policy::diagnose(&sources).unwrap()), json!([]));
    // Any edit changes the digest.
    let params = text(&sources, "parameters.rhai").unwrap();
    let edited = edited(&[("parameters.rhai", &format!("{params}\n"))]);
    assert_ne!(edited.digest(), policy.digest());
}

#[wasm_bindgen_test]
fn a_syntax_error_is_thrown_and_diagnosed_at_its_line() {
    let broken = sources_with(&[(
        "customer_visit.rhai",
        "fn visit(c, tier, as_of, p) {\n  let x = ;\n}\n",
    )]);
    let err = Policy::from_sources(&broken, None).err().unwrap();
    let info = thrown(&err);
    assert_eq!(info["kind"], json!("policy"));
    assert_eq!(info["file"], json!("customer_visit.rhai"));
    assert_eq!(
        (info["line"].clone(), info["column"].clone()),
        (json!(2), json!(11))
    );
    let diagnostics = json_of(&get(&err, "diagnostics"));
    assert_eq!(
        diagnostics,
        json_of(&Policy::diagnose(&broken).unwrap()),
        "thrown and diagnosed alike"
    );
    assert_eq!(diagnostics[0]["file"], json!("customer_visit.rhai"));
    assert_eq!(diagnostics[0]["line"], json!(2));
    assert!(text(&err, "message")
        .unwrap()
        .starts_with("customer_visit.rhai:2:11: "));
    still_works();
}

#[wasm_bindgen_test]
fn every_defect_is_diagnosed_at_once() {
    let broken = sources_with(&[
        (
            "customer_visit.rhai",
            "fn visit(c, tier, as_of, p) {\n  let x = ;\n}\n",
        ),
        ("extra.rhai", "let top_level = 1;\n"),
    ]);
    let d = json_of(&Policy::diagnose(&broken).unwrap());
    let files: Vec<&str> = d
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["file"].as_str())
        .collect();
    assert!(
        files.contains(&"customer_visit.rhai") && files.contains(&"extra.rhai"),
        "{d}"
    );
}

// ── the sandbox in WebAssembly ─────────────────────────────────────────────

/// `limits` as a JS object, as a page would pass it to `fromSources`.
fn limits(value: Value) -> Option<crate::LimitsObject> {
    Some(js_exact(&value).unchecked_into())
}

#[wasm_bindgen_test]
fn an_infinite_loop_is_a_rule_error_and_the_next_call_works() {
    let sources = sources_with(&[(
        "customer.rhai",
        &entry_body("  let n = 0;\n  loop { n += 1; }"),
    )]);
    // Under the default limits whichever of the 1,000,000 operations and the
    // 1 s clock comes first ends it (a debug build on a busy machine can take
    // longer than 1 s); either is a sandbox limit.
    let looping = load(&sources, None).unwrap();
    let err = thrown(&looping.evaluate_customer(&record(), as_of()).unwrap_err());
    assert_eq!(err["kind"], json!("rule"));
    assert_eq!(err["file"], json!("customer.rhai"));
    // rhai gives a limit no position (the looping function's line); compiled
    // code names the statement where the budget ran out.
    let line = if engine() == "interpreted" { 1 } else { 3 };
    assert_eq!(err["line"], json!(line));
    assert_eq!(err["recordId"], json!("C-9"));
    assert!(
        err["message"].as_str().unwrap().contains("sandbox limit"),
        "{err:?}"
    );
    // A small operation budget, no clock: the same error every time, from
    // the operation count alone (not a hang or a poisoned module)…
    let looping = load(
        &sources,
        limits(json!({"max_operations": 20_000, "max_seconds": null})),
    )
    .unwrap();
    let err = thrown(&looping.evaluate_customer(&record(), as_of()).unwrap_err());
    assert!(
        err["message"].as_str().unwrap().contains("operations"),
        "{err:?}"
    );
    let again = thrown(&looping.evaluate_customer(&record(), as_of()).unwrap_err());
    assert_eq!(again, err);
    // …and in a batch the loop costs only its own records.
    let out = json_of(
        &looping
            .evaluate_customers(&Array::of2(&record(), &record()), as_of())
            .unwrap(),
    );
    assert_eq!(out[1]["error"]["kind"], json!("rule"));
    still_works();
}

#[wasm_bindgen_test]
fn unbounded_recursion_is_a_rule_error() {
    let recursion = edited(&[(
        "customer.rhai",
        "fn customer(c, as_of, p) {\n  customer(c, as_of, p)\n}\n",
    )]);
    let err = thrown(&recursion.evaluate_customer(&record(), as_of()).unwrap_err());
    assert_eq!(err["kind"], json!("rule"));
    assert!(
        err["message"].as_str().unwrap().contains("sandbox limit"),
        "{err:?}"
    );
    still_works();

    let growth = edited(&[(
        "customer.rhai",
        &entry_body("  let s = \"x\";\n  loop { s += s; }"),
    )]);
    let err = thrown(&growth.evaluate_customer(&record(), as_of()).unwrap_err());
    assert_eq!(err["kind"], json!("rule"));
    still_works();
}

/// `check()` runs the `tests/*.json` cases given with the sources; each
/// failing case is a diagnostic naming its file.
#[wasm_bindgen_test]
fn check_runs_the_cases_given_with_the_sources() {
    let case = r#"{"entry": "customer", "as_of": "2026-11-01", "cases": [
        {"name": "at the A threshold", "record": {"id": "T-1", "annual_revenue": 3000000,
         "credit_rating": "good", "long_term_intent": true}, "expect": {"tier": "A"}}]}"#;
    let good = edited(&[("tests/a.json", case)]);
    assert_eq!(json_of(&good.check()), json!([]));
    assert!(text(&good.sources(), "tests/a.json").is_some());
    let raised = text(&default_policy_sources(), "parameters.rhai")
        .unwrap()
        .replace("a_min_revenue: 3_000_000", "a_min_revenue: 3_000_001");
    let wrong = edited(&[("tests/a.json", case), ("parameters.rhai", &raised)]);
    let diagnostics = json_of(&wrong.check());
    assert_eq!(
        diagnostics[0]["file"],
        json!("tests/a.json"),
        "{diagnostics}"
    );
    assert!(diagnostics[0]["message"]
        .as_str()
        .unwrap()
        .contains("at the A threshold"));
    // The digest covers the policy files only: cases do not change it.
    assert_eq!(good.digest(), default_policy().digest());
}

/// Each operation here is a native scan of 9,999 items, so the operation
/// limit alone would take about half a minute: the wall clock (1 s by default,
/// read through `performance.now()`) ends it.
#[wasm_bindgen_test]
fn slow_native_work_is_stopped_by_the_wall_clock() {
    let slow = edited(&[(
        "customer.rhai",
        &entry_body("  let a = [];\n  a.pad(9999, \"x\");\n  loop { if \"y\" in a { } }"),
    )]);
    let start = js_sys::Date::now();
    let err = thrown(&slow.evaluate_customer(&record(), as_of()).unwrap_err());
    let took = js_sys::Date::now() - start;
    assert_eq!(err["kind"], json!("rule"));
    assert!(
        err["message"].as_str().unwrap().contains("time limit"),
        "{err:?}"
    );
    // A hang guard, not a speed check: without the clock this takes ~36 s.
    assert!(took < 15_000.0, "took {took} ms");
    still_works();
}

/// The deepest program the default limits allow (nested expressions around
/// recursive calls, as deep as both limits let them go) must end as a rule
/// error inside WebAssembly's own stack, not overflow it.
#[wasm_bindgen_test]
fn the_deepest_program_the_limits_allow_fits_the_wasm_stack() {
    let deepest = |depth: usize| {
        let nested = format!("{}r(n - 1){}", "(1 + ".repeat(depth), ")".repeat(depth));
        let body = format!(
            "fn customer(c, as_of, p) {{\n  r(1000)\n}}\nfn r(n) {{\n  if n == 0 {{ return 0; }}\n  {nested}\n}}\n"
        );
        load(&sources_with(&[("customer.rhai", &body)]), None).ok()
    };
    let (depth, policy) = (1..64)
        .rev()
        .find_map(|d| deepest(d).map(|p| (d, p)))
        .unwrap();
    assert!(depth > 1, "nesting allowed: {depth}");
    for _ in 0..3 {
        let err = thrown(&policy.evaluate_customer(&record(), as_of()).unwrap_err());
        assert_eq!(err["kind"], json!("rule"), "depth {depth}");
    }
    still_works();

    // Nesting far beyond the limit is refused when the policy loads.
    let absurd = entry_body(&format!("  {}1{}", "(".repeat(5000), ")".repeat(5000)));
    let err = thrown(
        &Policy::from_sources(&sources_with(&[("customer.rhai", &absurd)]), None)
            .err()
            .unwrap(),
    );
    assert_eq!(err["kind"], json!("policy"));
    still_works();
}

#[wasm_bindgen_test]
fn a_rule_that_throws_is_located_in_its_file() {
    let base = text(&default_policy_sources(), "customer_visit.rhai").unwrap();
    let throwing =
        format!("{base}\nfn boom() {{\n  throw \"no\";\n}}\n").replacen("{", "{\n  boom();", 1);
    let policy = edited(&[("customer_visit.rhai", &throwing)]);
    let err = thrown(&policy.evaluate_customer(&record(), as_of()).unwrap_err());
    assert_eq!(err["kind"], json!("rule"));
    assert_eq!(err["file"], json!("customer_visit.rhai"));
    assert!(err["line"].as_u64().is_some(), "{err:?}");
    assert!(err["message"].as_str().unwrap().contains("no"), "{err:?}");
    still_works();
}

#[wasm_bindgen_test]
fn limits_are_set_per_policy_and_bad_ones_are_argument_errors() {
    let policy = load(
        &default_policy_sources(),
        limits(json!({"max_operations": 50_000, "max_expr_depth": 30, "max_seconds": 0.5})),
    )
    .unwrap();
    let set = json_of(&policy.limits().unwrap());
    assert_eq!(set["max_operations"], json!(50_000));
    assert_eq!(set["max_expr_depth"], json!([30, 30]));
    assert_eq!(set["max_seconds"], json!(0.5));
    assert_eq!(set["max_call_levels"], json!(10));
    // The default policy fits the smaller budget and answers as before.
    let tier = |p: &Policy| text(&p.evaluate_customer(&record(), as_of()).unwrap(), "tier");
    assert_eq!(tier(&policy), tier(&default_policy()));
    let defaults = json_of(&default_policy().limits().unwrap());
    assert_eq!(defaults["max_seconds"], json!(1));

    for (bad, says) in [
        (json!({"max_operations": 0}), "max_operations"),
        (json!({"max_call_levels": 11}), "1 MiB stack"),
        (json!({"max_seconds": -1}), "max_seconds"),
        (json!({"max_ops": 1}), "unknown limit"),
        (json!([1, 2]), "a map"),
    ] {
        let err = thrown(
            &Policy::from_sources(&default_policy_sources(), limits(bad.clone()))
                .err()
                .unwrap(),
        );
        assert_eq!(err["kind"], json!("argument"), "{bad}");
        assert!(
            err["message"].as_str().unwrap().contains(says),
            "{bad}: {err:?}"
        );
    }
    // NaN would be "no limit" if it became null; it is refused instead.
    let nan = Object::new();
    Reflect::set(&nan, &"max_seconds".into(), &JsValue::from_f64(f64::NAN)).unwrap();
    let err = thrown(
        &Policy::from_sources(&default_policy_sources(), Some(nan.unchecked_into()))
            .err()
            .unwrap(),
    );
    assert!(err["message"].as_str().unwrap().contains("NaN"), "{err:?}");
    still_works();
}
