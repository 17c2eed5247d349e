//! `kam`: run a key-account policy over records, check it, test it.
//!
//! Exit codes: 0 every record succeeded (or the check/test passed); 1 some
//! records (or test cases) failed; 2 usage or policy error, nothing evaluated.

mod input;
mod table;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use kam::{cases, Error, Policy};
use serde_json::Value;

#[derive(Parser)]
#[command(name = "kam", version, about = "Key-account management rules engine")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate customers: one JSON result (or error) line per input line.
    Customers {
        /// Policy directory (e.g. `rules`).
        #[arg(long)]
        policy: PathBuf,
        /// Evaluation date, YYYY-MM-DD (default: today).
        #[arg(long, value_parser = parse_as_of)]
        as_of: Option<NaiveDate>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// JSON Lines file, CSV file (`.csv`, header row), or `-` for stdin (JSON Lines).
        #[arg(default_value = "-")]
        file: String,
    },
    /// Compile and validate a policy; print its digest or every error.
    Check {
        /// Policy directory.
        #[arg(long)]
        policy: PathBuf,
    },
    /// Run the policy's own test cases (`<policy>/tests/*.json`).
    Test {
        /// Policy directory.
        #[arg(long)]
        policy: PathBuf,
        /// Case directory (default: `<policy>/tests`).
        #[arg(long)]
        cases: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// One JSON object per line (the spec's result shape).
    Json,
    /// A readable table for people.
    Table,
}

fn parse_as_of(s: &str) -> Result<NaiveDate, String> {
    kam::model::parse_date(s).ok_or_else(|| format!("`{s}` is not a date YYYY-MM-DD"))
}

const USAGE_OR_POLICY: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Customers {
            policy,
            as_of,
            format,
            file,
        } => {
            let as_of = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
            customers(&policy, as_of, format, &file)
        }
        Command::Check { policy } => check(&policy),
        Command::Test { policy, cases } => test(&policy, cases),
    };
    ExitCode::from(code)
}

fn load(dir: &Path) -> Result<Policy, u8> {
    Policy::from_dir(dir).map_err(|errors| {
        for e in &errors.0 {
            eprintln!("error: {e}");
        }
        eprintln!(
            "{}: {} error(s); nothing evaluated",
            dir.display(),
            errors.0.len()
        );
        USAGE_OR_POLICY
    })
}

/// Records evaluated per parallel batch: large enough to keep every core busy,
/// small enough that memory stays flat on a million-line export.
const CHUNK: usize = 16_384;

fn customers(dir: &Path, as_of: NaiveDate, format: Format, file: &str) -> u8 {
    let policy = match load(dir) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut records = match input::Records::open(file) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE_OR_POLICY;
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut table_rows = Vec::new();
    let (mut total, mut failed) = (0usize, 0usize);
    loop {
        let items = match records.next_chunk(CHUNK) {
            Ok(items) if items.is_empty() => break,
            Ok(items) => items,
            Err(e) => {
                eprintln!("error: cannot read {file}: {e}");
                return USAGE_OR_POLICY;
            }
        };
        let results = kam::batch::map(&items, |item| {
            item.record()
                .map_err(Error::from)
                .and_then(|record| policy.evaluate_customer_json(&record, as_of))
                .map_err(|e| with_line(e, item.line))
        });
        total += results.len();
        failed += results.iter().filter(|r| r.is_err()).count();
        let written = match format {
            Format::Json => results
                .iter()
                .zip(&items)
                .try_for_each(|(r, item)| writeln!(out, "{}", json_line(r, item.line))),
            Format::Table => {
                table_rows.extend(
                    items
                        .iter()
                        .zip(&results)
                        .map(|(item, r)| table::row(item.line, r)),
                );
                Ok(())
            }
        };
        if let Err(code) = written.map_err(write_failed) {
            return code;
        }
    }
    if let Format::Table = format {
        if let Err(code) = table::write(&mut out, &table_rows).map_err(write_failed) {
            return code;
        }
    }
    if let Err(code) = out.flush().map_err(write_failed) {
        return code;
    }
    if failed > 0 {
        eprintln!("{failed} of {total} record(s) failed");
        1
    } else {
        0
    }
}

/// An output error ends the run, except a closed pipe (`| head`), which is the
/// reader's choice and not a failure of the records.
fn write_failed(e: std::io::Error) -> u8 {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return 0;
    }
    eprintln!("error: cannot write output: {e}");
    USAGE_OR_POLICY
}

/// Puts the input line number on a record error.
fn with_line(e: Error, line: usize) -> Error {
    match e {
        Error::Record(mut r) => {
            r.line = Some(line);
            Error::Record(r)
        }
        other => other,
    }
}

/// The output line for one record: its result, or `{"line", "id", "error"}`.
fn json_line(result: &Result<kam::CustomerResult, Error>, line: usize) -> String {
    let value = match result {
        Ok(r) => {
            serde_json::to_value(r).unwrap_or_else(|e| error_value(line, None, &e.to_string()))
        }
        Err(e) => {
            serde_json::json!({"line": line, "id": e.record_id(), "error": cases::error_json(e)})
        }
    };
    value.to_string()
}

fn error_value(line: usize, id: Option<String>, message: &str) -> Value {
    serde_json::json!({"line": line, "id": id, "error": {"kind": "internal", "field": null, "message": message}})
}

fn check(dir: &Path) -> u8 {
    match load(dir) {
        Ok(policy) => {
            let info = policy.info();
            println!(
                "ok: {} version {} ({} files)",
                info.name,
                info.version,
                policy.sources().len()
            );
            println!("{}", info.digest);
            0
        }
        Err(code) => code,
    }
}

fn test(dir: &Path, cases_dir: Option<PathBuf>) -> u8 {
    let policy = match load(dir) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let cases_dir = cases_dir.unwrap_or_else(|| dir.join("tests"));
    let all = match cases::load_dir(&cases_dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return USAGE_OR_POLICY;
        }
    };
    if all.is_empty() {
        println!("no test cases in {}", cases_dir.display());
        println!("0 passed, 0 failed");
        return 1;
    }
    let outcomes = cases::run(&policy, &all);
    let mut failed = 0;
    for o in outcomes.iter().filter(|o| !o.passed()) {
        failed += 1;
        println!("FAIL {}: {}", o.case.file, o.case.name);
        for f in &o.failures {
            println!("    {f}");
        }
    }
    println!("{} passed, {} failed", outcomes.len() - failed, failed);
    u8::from(failed > 0)
}
