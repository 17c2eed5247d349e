//! Replays `tests/attacks/*.rhai`: every attack ends as the error its header
//! names, within the sandbox's budget, and the process keeps serving.

use std::time::{Duration, Instant};

use kam::{Error, RuleErrorKind};
use serde_json::json;

struct Attack {
    name: String,
    text: String,
    expect: String,
    message: Option<String>,
    line: Option<usize>,
}

fn header(text: &str, key: &str) -> Option<String> {
    text.lines()
        .take_while(|l| l.starts_with("//"))
        .find_map(|l| l.strip_prefix(&format!("// {key}: ")))
        .map(str::to_owned)
}

fn corpus() -> Vec<Attack> {
    let paths = kam_tests::attack_files();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            Attack {
                name: p.file_stem().unwrap().to_string_lossy().into(),
                expect: header(&text, "expect").expect("every attack has `// expect:`"),
                message: header(&text, "message"),
                line: header(&text, "line").map(|l| l.parse().unwrap()),
                text,
            }
        })
        .collect()
}

/// Checks one attack; returns how long it took to be contained.
fn contain(a: &Attack) -> Duration {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let record = json!({"id": "C-1", "annual_revenue": 1_200_000});
    let start = Instant::now();
    let loaded = kam_tests::edited_policy(&[("customer.rhai", &a.text)]);
    let (text, file, line) = match (a.expect.as_str(), loaded) {
        ("policy", Err(errors)) => {
            let first = &errors.0[0];
            (errors.to_string(), first.file.clone(), first.line)
        }
        ("policy", Ok(_)) => panic!("{}: the policy should be refused", a.name),
        (_, Err(e)) => panic!("{}: the policy should load: {e}", a.name),
        (kind, Ok(policy)) => {
            let err = match policy.evaluate_customer_json(&record, as_of) {
                Err(Error::Rule(e)) => e,
                other => panic!("{}: expected a rule error, got {other:?}", a.name),
            };
            let got = match err.kind {
                RuleErrorKind::Limit(_) => "rule.limit",
                RuleErrorKind::Script(_) => "rule.script",
                RuleErrorKind::Shape { .. } => "rule.shape",
                _ => "rule.other",
            };
            assert_eq!(got, kind, "{}: {err}", a.name);
            assert_eq!(err.record_id, "C-1");
            // A batch: every record contained, none lost.
            let batch = policy.evaluate_customers_json(&[record.clone(), record.clone()], as_of);
            assert!(batch.iter().all(|r| r.is_err()), "{}", a.name);
            (err.to_string(), err.file.clone(), err.line)
        }
    };
    let took = start.elapsed();
    assert_eq!(file, "customer.rhai", "{}: {text}", a.name);
    if let Some(m) = &a.message {
        assert!(
            text.contains(m.as_str()),
            "{}: {text:?} lacks {m:?}",
            a.name
        );
    }
    if let Some(l) = a.line {
        assert_eq!(line, Some(l), "{}: {text}", a.name);
    }
    took
}

#[test]
fn every_attack_is_contained_and_the_process_keeps_serving() {
    let attacks = corpus();
    assert!(
        attacks.len() >= 25,
        "the corpus has {} attacks",
        attacks.len()
    );
    let normal = kam_tests::default_policy();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let good = json!({"id": "C-2", "annual_revenue": 3_000_000, "credit_rating": "good", "long_term_intent": true});
    let mut report = Vec::new();
    for a in &attacks {
        let took = contain(a);
        // A hang guard, not a speed check: every budget ends far sooner.
        assert!(took < Duration::from_secs(120), "{} took {took:?}", a.name);
        let after = normal.evaluate_customer_json(&good, as_of).unwrap();
        assert_eq!(after.tier.as_deref(), Some("A"), "after {}", a.name);
        report.push(format!(
            "{:<24} {:<12} {:>8.1} ms",
            a.name,
            a.expect,
            took.as_secs_f64() * 1e3
        ));
    }
    println!("{}", report.join("\n"));
}

/// One thread stuck in an attack (hitting its operation limit over and over)
/// shares nothing with the threads serving normal records: they keep giving the
/// same answers. Timings are printed for RELIABILITY.md, not asserted.
#[test]
fn an_attack_on_one_thread_leaves_the_others_serving() {
    let normal = kam_tests::default_policy();
    let text = std::fs::read_to_string(kam_tests::root().join("tests/attacks/infinite_loop.rhai"))
        .unwrap();
    let attacked = kam_tests::edited_policy(&[("customer.rhai", &text)]).unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let records = kam_tests::sample_customers();
    let serial: Vec<_> = records
        .iter()
        .map(|r| normal.evaluate_customer_json(r, as_of))
        .collect();
    let serve = || {
        let start = Instant::now();
        for _ in 0..5 {
            let got: Vec<_> = records
                .iter()
                .map(|r| normal.evaluate_customer_json(r, as_of))
                .collect();
            assert_eq!(got, serial);
        }
        start.elapsed()
    };
    // The same 15 servers, once beside an idle 16th thread and once beside
    // the attacker: the attacker should cost them no more than its share of
    // the CPU (16/15 on a saturated machine), never a lock or a stall.
    let round = |attack: bool| {
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            let attacker = s.spawn(|| {
                let mut n = 0;
                while attack && !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    assert!(attacked.evaluate_customer_json(&records[0], as_of).is_err());
                    n += 1;
                }
                n
            });
            let servers: Vec<_> = (0..15).map(|_| s.spawn(serve)).collect();
            let times: Vec<Duration> = servers.into_iter().map(|h| h.join().unwrap()).collect();
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            (
                times.into_iter().max().unwrap_or_default(),
                attacker.join().unwrap(),
            )
        })
    };
    let (quiet, _) = round(false);
    let (attacked_slowest, attacks) = round(true);
    println!(
        "serving {} records x5 on each of 15 threads, {} cores: slowest {quiet:?} beside an idle thread, \
         {attacked_slowest:?} beside 1 attacker ({attacks} attacks contained meanwhile): {:.2}x",
        records.len(),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        attacked_slowest.as_secs_f64() / quiet.as_secs_f64().max(1e-9),
    );
    assert!(attacks >= 1);
}
