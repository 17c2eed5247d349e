//! Times the Rust batch on a JSON Lines file, for comparisons with the bindings
//! (`bindings-python/bench.py` runs it on the same generated data).
//!
//! `cargo run --release --example batch -- <policy dir> <records.jsonl> <as_of> [rounds]`
//! prints one JSON line: seconds to parse, and per round to evaluate records
//! (`evaluate_customers`) and JSON values (`evaluate_customers_json`).

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, file, as_of, rest @ ..] = args.as_slice() else {
        return Err("usage: batch <policy dir> <records.jsonl> <as_of> [rounds]".into());
    };
    let rounds: usize = rest.first().map_or(Ok(1), |r| r.parse())?;
    let policy = kam::Policy::from_dir(dir)?;
    let as_of = kam::model::parse_date(as_of).ok_or("as_of is not a date")?;
    let text = std::fs::read_to_string(file)?;

    let start = Instant::now();
    let values: Vec<serde_json::Value> = text
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let json_parse = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let records: Vec<kam::CustomerRecord> = values
        .iter()
        .map(kam::CustomerRecord::from_json)
        .collect::<Result<_, _>>()?;
    let record_parse = start.elapsed().as_secs_f64();

    let mut records_s = Vec::new();
    let mut values_s = Vec::new();
    let mut errors = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        let out = policy.evaluate_customers(&records, as_of);
        records_s.push(start.elapsed().as_secs_f64());
        errors = out.iter().filter(|r| r.is_err()).count();
        let start = Instant::now();
        let out = policy.evaluate_customers_json(&values, as_of);
        values_s.push(start.elapsed().as_secs_f64());
        drop(out);
    }
    println!(
        "{}",
        serde_json::json!({
            "records": records.len(), "errors": errors, "json_parse_s": json_parse,
            "record_parse_s": record_parse, "evaluate_records_s": records_s,
            "evaluate_json_s": values_s,
        })
    );
    Ok(())
}
