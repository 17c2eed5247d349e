//! Embedding the library: the README's example as a complete program, run
//! from the repository root by `tests/run-all.sh`:
//! `cargo run -p kam-core --example embed`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = kam::Policy::from_dir("rules")?; // or Policy::from_sources(map of name → text)
    let as_of = kam::NaiveDate::from_ymd_opt(2026, 11, 1).ok_or("not a date")?;

    // One customer as a CRM saves it (JSON), then a whole batch of typed records.
    let customers = std::fs::read_to_string("data/customers.jsonl")?;
    let first = kam::model::parse_json(customers.lines().next().ok_or("no customers")?)?;
    let result = policy.evaluate_customer_json(&first, as_of)?; // or evaluate_customer(&CustomerRecord, …)
    println!(
        "{}: tier {:?}, {} reasons",
        result.id,
        result.tier,
        result.reasons.len()
    );
    let records = customers
        .lines()
        .map(|line| kam::CustomerRecord::from_json(&kam::model::parse_json(line)?))
        .collect::<Result<Vec<_>, _>>()?;
    let results = policy.evaluate_customers(&records, as_of); // parallel, input order, one Result each
    println!(
        "{} customers, {} evaluated",
        results.len(),
        results.iter().filter(|r| r.is_ok()).count()
    );

    // Staff-months: one scorecard, then quarters per person.
    let staff = std::fs::read_to_string("data/staff.jsonl")?
        .lines()
        .map(|line| kam::StaffRecord::from_json(&kam::model::parse_json(line)?))
        .collect::<Result<Vec<_>, _>>()?;
    let month = policy.evaluate_staff(&staff[0])?; // KPIs, scorecard, grade, composite
    println!(
        "{} {}: {} ({})",
        month.id, month.period, month.scorecard.total, month.grade
    );
    for (label, quarter) in policy.aggregate_staff(&staff, kam::Span::Quarter) {
        match quarter {
            Ok(q) => println!("{} {label}: {} ({})", q.id, q.total.round_dp(2), q.grade),
            Err(e) => println!("{label}: {e}"),
        }
    }
    Ok(())
}
