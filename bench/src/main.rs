//! `kam-bench`: the Rust side of `bench/run.sh` (not part of the product).
//!
//! ```text
//! kam-bench gen customers N [--seed S] [--csv]   seeded customers to stdout
//! kam-bench gen staff N [--seed S] [--csv]       seeded staff-months to stdout
//! kam-bench batch --policy DIR --tier-policy DIR --customers FILE --staff FILE [--rounds R]
//! ```
//!
//! `batch` times kam's Rust batch (`Policy::evaluate_customers`,
//! `evaluate_staff_batch`) and the hand-written limit (`kam-limit`) on the same
//! parsed records, on one thread and on all of them, checks that the limit
//! gives kam's answers on every record, and prints one JSON object.

mod gen;

use std::io::{self, BufRead, Write};
use std::process::ExitCode;
use std::time::Instant;

use kam::{CustomerRecord, Policy, StaffRecord};
use rayon::prelude::*;
use serde_json::{json, Value};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("gen") => generate(&args[1..]),
        Some("batch") => batch(&args[1..]),
        _ => Err(usage()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kam-bench: {e}");
            ExitCode::from(2)
        }
    }
}

fn usage() -> String {
    "usage: kam-bench gen customers|staff N [--seed S] [--csv]\n       \
     kam-bench batch --policy DIR --tier-policy DIR --customers FILE --staff FILE [--rounds R]"
        .into()
}

/// The value after `--name`, if given.
fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

fn required<'a>(args: &'a [String], name: &str) -> Result<&'a str, String> {
    flag(args, name).ok_or_else(|| format!("{name} is required\n{}", usage()))
}

fn generate(args: &[String]) -> Result<(), String> {
    let (Some(what), Some(n)) = (args.first(), args.get(1)) else {
        return Err(usage());
    };
    let n: u64 = n.parse().map_err(|_| format!("not a count: {n}"))?;
    let seed: u64 = flag(args, "--seed")
        .unwrap_or("2026")
        .parse()
        .map_err(|_| "--seed takes an integer".to_string())?;
    let format = if args.iter().any(|a| a == "--csv") {
        gen::Format::Csv
    } else {
        gen::Format::JsonLines
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let written = match what.as_str() {
        "customers" => gen::customers(n, seed, format, &mut out),
        "staff" => gen::staff(n, seed, format, &mut out),
        _ => return Err(usage()),
    };
    match written {
        // A reader that stops early (`| head`) is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| e.to_string()),
    }
}

fn read_lines(path: &str) -> Result<Vec<Value>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let lines: Vec<String> = io::BufReader::new(file)
        .lines()
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{path}: {e}"))?;
    lines
        .par_iter()
        .enumerate()
        .map(|(i, l)| kam::model::parse_json(l).map_err(|e| format!("{path}:{}: {e}", i + 1)))
        .collect()
}

/// Best wall-clock seconds of `rounds` runs of `f`; the last run's output is
/// returned so it can be checked (its drop is not timed).
fn time<R>(rounds: usize, mut f: impl FnMut() -> R) -> (f64, R) {
    let start = Instant::now();
    let mut out = f();
    let mut best = start.elapsed().as_secs_f64();
    for _ in 1..rounds {
        drop(out);
        let start = Instant::now();
        out = f();
        best = best.min(start.elapsed().as_secs_f64());
    }
    (best, out)
}

/// One measured path, as `bench/driver.py` reads it.
fn path(name: &str, records: usize, threads: usize, seconds: f64) -> Value {
    json!({"path": name, "records": records, "threads": threads, "seconds": seconds})
}

/// Where the limit and kam first disagree, for the report.
/// The compiler's answers against the interpreter's: results equal, errors
/// the same wire form.
fn same_answers<T: PartialEq + std::fmt::Debug>(
    compiled: &[Result<T, kam::Error>],
    interpreted: &[Result<T, kam::Error>],
) -> Value {
    let mut disagree = 0;
    let mut first = Value::Null;
    for (i, (a, b)) in compiled.iter().zip(interpreted).enumerate() {
        let same = match (a, b) {
            (Ok(a), Ok(b)) => a == b,
            (Err(a), Err(b)) => a.to_json() == b.to_json(),
            _ => false,
        };
        if !same {
            disagree += 1;
            if first.is_null() {
                first = json!({"record": i + 1, "compiled": format!("{a:?}"), "interpreted": format!("{b:?}")});
            }
        }
    }
    json!({"compared": interpreted.len(), "disagree": disagree, "first": first})
}

fn agreement<T: PartialEq + std::fmt::Debug>(kam: &[Result<T, kam::Error>], limit: &[T]) -> Value {
    let mut disagree = 0;
    let mut first = Value::Null;
    for (i, (k, l)) in kam.iter().zip(limit).enumerate() {
        let same = matches!(k, Ok(k) if k == l);
        if !same {
            disagree += 1;
            if first.is_null() {
                first =
                    json!({"record": i + 1, "kam": format!("{k:?}"), "limit": format!("{l:?}")});
            }
        }
    }
    json!({"compared": limit.len(), "disagree": disagree, "first": first})
}

fn batch(args: &[String]) -> Result<(), String> {
    let rounds: usize = flag(args, "--rounds")
        .unwrap_or("1")
        .parse()
        .map_err(|_| "--rounds takes an integer".to_string())?;
    let policy_dir = required(args, "--policy")?;
    let policy = Policy::from_dir(policy_dir).map_err(|e| e.to_string())?;
    let tier_policy =
        Policy::from_dir(required(args, "--tier-policy")?).map_err(|e| e.to_string())?;
    let as_of = gen::as_of();

    // Compiling the default policy: the median of 21 (the browser recompiles on every edit).
    let sources = Policy::read_sources(policy_dir).map_err(|e| e.to_string())?;
    let mut compiles: Vec<f64> = (0..21)
        .map(|_| {
            let start = Instant::now();
            let p = Policy::from_sources(sources.clone());
            let s = start.elapsed().as_secs_f64();
            drop(p);
            s
        })
        .collect();
    compiles.sort_by(f64::total_cmp);

    let customers: Vec<CustomerRecord> = read_lines(required(args, "--customers")?)?
        .par_iter()
        .map(CustomerRecord::from_json)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("a benchmark customer is invalid: {e}"))?;
    let staff: Vec<StaffRecord> = read_lines(required(args, "--staff")?)?
        .par_iter()
        .map(StaffRecord::from_json)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("a benchmark staff-month is invalid: {e}"))?;

    let all = rayon::current_num_threads();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| e.to_string())?;
    let (nc, ns) = (customers.len(), staff.len());
    let info = policy.info().clone();
    let mut paths = Vec::new();
    let mut agree = serde_json::Map::new();

    // Customers: kam, then the limit, each on one thread and on all.
    let (s, kam_out) = time(rounds, || {
        one.install(|| policy.evaluate_customers(&customers, as_of))
    });
    paths.push(path("rust.kam.customers", nc, 1, s));
    let (s, _) = time(rounds, || policy.evaluate_customers(&customers, as_of));
    paths.push(path("rust.kam.customers", nc, all, s));
    // The same batch through the interpreter, the reference engine (the
    // compiler is the default): its figure, and every answer the same.
    let reference = policy.with_engine(kam::Engine::Interpreted);
    let (s, reference_out) = time(rounds, || {
        one.install(|| reference.evaluate_customers(&customers, as_of))
    });
    paths.push(path("rust.kam.customers.interpreted", nc, 1, s));
    agree.insert(
        "interpreter.customers".into(),
        same_answers(&kam_out, &reference_out),
    );
    drop(reference_out);
    let limit = |c: &CustomerRecord| kam_limit::customer(c, as_of, &info);
    let (s, limit_out) = time(rounds, || {
        one.install(|| customers.iter().map(limit).collect::<Vec<_>>())
    });
    paths.push(path("rust.limit.customers", nc, 1, s));
    agree.insert("limit.customers".into(), agreement(&kam_out, &limit_out));
    drop((kam_out, limit_out));
    let (s, _) = time(rounds, || {
        customers.par_iter().map(limit).collect::<Vec<_>>()
    });
    paths.push(path("rust.limit.customers", nc, all, s));

    // The one-rule tier policy beside the same rule by hand.
    let (s, kam_tiers) = time(rounds, || {
        one.install(|| tier_policy.evaluate_customers(&customers, as_of))
    });
    paths.push(path("rust.kam.tier_only", nc, 1, s));
    let (s, _) = time(rounds, || tier_policy.evaluate_customers(&customers, as_of));
    paths.push(path("rust.kam.tier_only", nc, all, s));
    let (s, limit_tiers) = time(rounds, || {
        one.install(|| {
            customers
                .iter()
                .map(kam_limit::base_tier)
                .collect::<Vec<_>>()
        })
    });
    paths.push(path("rust.limit.tier_only", nc, 1, s));
    let kam_tiers: Vec<Result<Option<String>, kam::Error>> =
        kam_tiers.into_iter().map(|r| r.map(|r| r.tier)).collect();
    let limit_tiers: Vec<Option<String>> = limit_tiers
        .into_iter()
        .map(|t| Some(t.to_string()))
        .collect();
    agree.insert(
        "limit.tier_only".into(),
        agreement(&kam_tiers, &limit_tiers),
    );

    // Staff-months.
    let (s, kam_out) = time(rounds, || {
        one.install(|| policy.evaluate_staff_batch(&staff))
    });
    paths.push(path("rust.kam.staff", ns, 1, s));
    let (s, _) = time(rounds, || policy.evaluate_staff_batch(&staff));
    paths.push(path("rust.kam.staff", ns, all, s));
    let (s, reference_out) = time(rounds, || {
        one.install(|| reference.evaluate_staff_batch(&staff))
    });
    paths.push(path("rust.kam.staff.interpreted", ns, 1, s));
    agree.insert(
        "interpreter.staff".into(),
        same_answers(&kam_out, &reference_out),
    );
    drop(reference_out);
    let limit = |r: &StaffRecord| kam_limit::staff(r, &info);
    let (s, limit_out) = time(rounds, || {
        one.install(|| staff.iter().map(limit).collect::<Vec<_>>())
    });
    paths.push(path("rust.limit.staff", ns, 1, s));
    agree.insert("limit.staff".into(), agreement(&kam_out, &limit_out));
    drop((kam_out, limit_out));
    let (s, _) = time(rounds, || staff.par_iter().map(limit).collect::<Vec<_>>());
    paths.push(path("rust.limit.staff", ns, all, s));

    let report = json!({
        "threads": all,
        "compile_default_policy_seconds": compiles[compiles.len() / 2],
        "paths": paths,
        "agreement": agree,
    });
    let mut out = io::stdout().lock();
    writeln!(out, "{report}").map_err(|e| e.to_string())
}
