//! `kam`: run a key-account policy over records, check it, test it.
//!
//! Exit codes: 0 every record succeeded (or the check/test passed); 1 some
//! records (or test cases) failed; 2 usage or policy error, nothing evaluated;
//! 141 the output was closed before the end (`kam … | head`: 128 + SIGPIPE,
//! what a shell reports for a tool a closed pipe stopped).

mod input;
mod table;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use kam::{cases, Error, Limits, Policy};
use serde_json::Value;

/// `eprintln!` without its panic: a closed stderr (`2>&1 | head`) must not
/// turn into Rust's panic exit code, and a message no one can read is dropped.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

#[derive(Parser)]
#[command(
    name = "kam",
    version,
    about = "Key-account management rules engine",
    after_help = "Exit codes: 0 every record succeeded (or the check or the test passed); \
                  1 some records (or test cases) failed; 2 usage or policy error, nothing \
                  evaluated; 141 the output was closed before the end (`kam … | head`)."
)]
struct Cli {
    /// Sandbox limits per record, as JSON: `{"max_operations": 50000, "max_seconds": 0.5}`
    /// (names left out keep their defaults; see RELIABILITY.md).
    #[arg(long, global = true, value_parser = parse_limits)]
    limits: Option<Limits>,
    /// Which engine runs the rules: `compiled` (the default; `KAM_ENGINE`
    /// changes it) or `interpreted` (rhai's interpreter, the reference: for
    /// debugging and to compare). Both give the same answers.
    #[arg(long, global = true, value_enum)]
    engine: Option<EngineArg>,
    #[command(subcommand)]
    command: Command,
}

/// `--input`: how to read the records.
#[derive(Clone, Copy, ValueEnum)]
enum InputArg {
    Jsonl,
    Csv,
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
        #[command(flatten)]
        explain: Explain,
        /// JSON Lines file, CSV file (`.csv`, header row), or `-` for stdin (JSON Lines).
        #[arg(default_value = "-")]
        file: String,
        /// Input format: `jsonl` or `csv` (header row). Default: CSV for a FILE
        /// ending in `.csv`, JSON Lines otherwise (stdin included).
        #[arg(long, value_enum)]
        input: Option<InputArg>,
    },
    /// Score staff-months: one JSON result (or error) line per input line, or
    /// one line per person and quarter/year with `--aggregate`.
    Staff {
        /// Policy directory (e.g. `rules`).
        #[arg(long)]
        policy: PathBuf,
        /// Group months by person into quarters or years.
        #[arg(long, value_enum)]
        aggregate: Option<Aggregate>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        #[command(flatten)]
        explain: Explain,
        /// JSON Lines file, CSV file (`.csv`, header row), or `-` for stdin (JSON Lines).
        #[arg(default_value = "-")]
        file: String,
        /// Input format: `jsonl` or `csv` (header row). Default: CSV for a FILE
        /// ending in `.csv`, JSON Lines otherwise (stdin included).
        #[arg(long, value_enum)]
        input: Option<InputArg>,
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
    /// One JSON object per line (the result shapes of rules/CONTRACT.md).
    Json,
    /// A readable table for people.
    Table,
}

/// How results explain themselves.
#[derive(clap::Args)]
struct Explain {
    /// How much of each reason to write: `none` (no reasons; adjustments keep
    /// code and facts), `codes` (rule, code, facts), `full` (and the message).
    #[arg(long, value_enum, default_value_t = ReasonsArg::Full)]
    reasons: ReasonsArg,
    /// Language of the messages (default: the policy's first; `kam check` lists them).
    #[arg(long)]
    lang: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReasonsArg {
    /// No reasons.
    None,
    /// Rule, code and facts.
    Codes,
    /// Rule, code, facts and the rendered message.
    Full,
}

impl Explain {
    fn reasons(&self) -> kam::Reasons {
        match self.reasons {
            ReasonsArg::None => kam::Reasons::None,
            ReasonsArg::Codes => kam::Reasons::Codes,
            ReasonsArg::Full => kam::Reasons::Full,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum EngineArg {
    /// The policy compiled to native code (falls back to the interpreter
    /// for a construct the compiler does not cover; `kam check` says which).
    Compiled,
    /// rhai's interpreter.
    Interpreted,
}

/// How every command loads its policy: the sandbox limits and the engine.
struct Loading {
    limits: Limits,
    engine: Option<kam::Engine>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Aggregate {
    /// Calendar quarters (`2026-Q3`).
    Quarter,
    /// Calendar years.
    Year,
}

fn parse_limits(s: &str) -> Result<Limits, String> {
    let json: Value = serde_json::from_str(s).map_err(|e| format!("not JSON: {e}"))?;
    Limits::from_json(&json).map_err(|e| e.to_string())
}

fn parse_as_of(s: &str) -> Result<NaiveDate, String> {
    kam::model::parse_date(s).ok_or_else(|| match calendar_slip(s) {
        Some(why) => format!("`{s}`: {why}"),
        None => format!("`{s}` is not a date YYYY-MM-DD"),
    })
}

/// For text of the form YYYY-MM-DD that is not a date: what does not exist.
fn calendar_slip(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits(0..4)
        || !digits(5..7)
        || !digits(8..10)
    {
        return None;
    }
    let (year, month, day): (i32, u32, u32) = (
        s[0..4].parse().ok()?,
        s[5..7].parse().ok()?,
        s[8..10].parse().ok()?,
    );
    if !(1..=12).contains(&month) {
        return Some(format!("there is no month {month}"));
    }
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let days = first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|next| next.pred_opt())
        .map_or(31, |last| chrono::Datelike::day(&last));
    Some(format!(
        "{year}-{month:02} has no day {day} (it has {days} days)"
    ))
}

const USAGE_OR_POLICY: u8 = 2;
/// The output was closed before the end: 128 + SIGPIPE, as a shell reports
/// a tool a closed pipe stopped.
const OUTPUT_CLOSED: u8 = 141;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let loading = Loading {
        limits: cli.limits.unwrap_or_default(),
        engine: cli.engine.map(|e| match e {
            EngineArg::Compiled => kam::Engine::Compiled,
            EngineArg::Interpreted => kam::Engine::Interpreted,
        }),
    };
    let code = match cli.command {
        Command::Customers {
            policy,
            as_of,
            format,
            explain,
            file,
            input,
        } => {
            let file = source(file, input);
            let as_of = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
            run_lines(
                &policy,
                &loading,
                &explain,
                format,
                &file,
                (table::CUSTOMER, table::customer_row),
                "customer",
                (
                    &|p, text| {
                        let record = kam::CustomerRecord::from_json_str(text).ok()?;
                        Some(p.evaluate_customer(&record, as_of))
                    },
                    &|p, record| p.evaluate_customer_json(record, as_of),
                ),
            )
        }
        Command::Staff {
            policy,
            aggregate: None,
            format,
            explain,
            file,
            input,
        } => run_lines(
            &policy,
            &loading,
            &explain,
            format,
            &source(file, input),
            (table::STAFF, table::staff_row),
            "staff",
            (
                &|p, text| {
                    let record = kam::StaffRecord::from_json_str(text).ok()?;
                    Some(p.evaluate_staff(&record))
                },
                &|p, record| p.evaluate_staff_json(record),
            ),
        ),
        Command::Staff {
            policy,
            aggregate: Some(span),
            format,
            explain,
            file,
            input,
        } => {
            let span = match span {
                Aggregate::Quarter => kam::Span::Quarter,
                Aggregate::Year => kam::Span::Year,
            };
            staff_periods(
                &policy,
                &loading,
                &explain,
                span,
                format,
                &source(file, input),
            )
        }
        Command::Check { policy } => check(&policy, &loading),
        Command::Test { policy, cases } => test(&policy, &loading, cases),
    };
    ExitCode::from(code)
}

/// Where the records come from, and as what.
fn source(path: String, input: Option<InputArg>) -> input::Source {
    input::Source {
        csv: match input {
            Some(InputArg::Csv) => true,
            Some(InputArg::Jsonl) => false,
            None => path.to_ascii_lowercase().ends_with(".csv"),
        },
        path,
    }
}

fn load(dir: &Path, loading: &Loading) -> Result<Policy, u8> {
    let loaded = Policy::from_dir_with_limits(dir, loading.limits.clone());
    let loaded = match loading.engine {
        Some(engine) => loaded.map(|p| p.with_engine(engine)),
        None => loaded,
    };
    loaded.map_err(|errors| {
        for e in &errors.0 {
            say!("error: {e}");
        }
        say!(
            "{}: {} error(s); nothing evaluated",
            dir.display(),
            errors.0.len()
        );
        USAGE_OR_POLICY
    })
}

/// [`load`], then a policy error before anything is read or evaluated when
/// the policy lacks one of `functions` (an entry point, the period functions):
/// one `{"line": null, "id": null, "error": {…}}` line (JSON format) and the
/// defects on stderr.
fn load_requiring(
    dir: &Path,
    loading: &Loading,
    explain: &Explain,
    functions: &[&str],
    format: Format,
) -> Result<Policy, u8> {
    let policy = load(dir, loading)?;
    let policy = policy
        .explained(explain.reasons(), explain.lang.as_deref())
        .map_err(|e| {
            say!("error: {e}");
            USAGE_OR_POLICY
        })?;
    let Err(errors) = policy.require(functions) else {
        return Ok(policy);
    };
    for e in &errors.0 {
        say!("error: {}: {e}", dir.display());
    }
    say!("{}: nothing evaluated", dir.display());
    if let Format::Json = format {
        let line =
            serde_json::json!({"line": null, "id": null, "error": Error::from(errors).to_json()});
        let mut out = std::io::stdout().lock();
        if let Err(e) = writeln!(out, "{line}") {
            write_failed(e);
        }
    }
    Err(USAGE_OR_POLICY)
}

/// Records evaluated per parallel batch: large enough to keep every core busy,
/// small enough that memory stays flat on a million-line export.
const CHUNK: usize = 16_384;

/// What a record gives the output, built in the parallel part and only for
/// the format asked for: its JSON line (written by `serde_json::to_writer`
/// from the result itself, no `Value` in between) or its table cells.
enum Output {
    Json(Vec<u8>),
    Row(Vec<String>),
}

/// A table's columns and how a result becomes its cells (`--format table`).
type TableOf<R> = (&'static [&'static str], fn(&Policy, &R) -> Vec<String>);

/// How `run_lines` evaluates a line: straight from its JSON text (`None`
/// when the text does not read cleanly), and from the parsed JSON value.
type Evaluate<'a, R> = (
    &'a (dyn Fn(&Policy, &str) -> Option<Result<R, Error>> + Sync),
    &'a (dyn Fn(&Policy, &Value) -> Result<R, Error> + Sync),
);

/// Evaluates every input line with `eval`, in parallel chunks, writing one
/// output line (or table row under `header`, made by `row`) per input line in order.
#[allow(clippy::too_many_arguments)]
fn run_lines<R: serde::Serialize>(
    dir: &Path,
    loading: &Loading,
    explain: &Explain,
    format: Format,
    file: &input::Source,
    (header, row): TableOf<R>,
    entry: &str,
    (fast, eval): Evaluate<R>,
) -> u8 {
    let policy = match load_requiring(dir, loading, explain, &[entry], format) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut records = match input::Records::open(file) {
        Ok(r) => r,
        Err(e) => {
            say!("error: {e}");
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
                say!("error: cannot read {}: {e}", file.path);
                return USAGE_OR_POLICY;
            }
        };
        let results = kam::batch::map(&items, |item| {
            // A JSON line that reads cleanly goes straight into its record;
            // anything else takes the full parse, whose errors are the ones reported.
            let evaluated = item.json_text().and_then(|text| fast(&policy, text));
            evaluated
                .unwrap_or_else(|| {
                    item.record()
                        .map_err(Error::from)
                        .and_then(|record| eval(&policy, &record))
                })
                .and_then(|result| match format {
                    Format::Json => to_json(&result).map(Output::Json),
                    Format::Table => Ok(Output::Row(row(&policy, &result))),
                })
                .map_err(|e| with_line(e, item.line))
        });
        total += results.len();
        failed += results.iter().filter(|r| r.is_err()).count();
        let numbered = |line: usize, cells: Vec<String>| -> Vec<String> {
            std::iter::once(line.to_string()).chain(cells).collect()
        };
        let written = results
            .into_iter()
            .zip(&items)
            .try_for_each(|(r, item)| match (format, r) {
                (_, Ok(Output::Json(json))) => {
                    out.write_all(&json).and_then(|()| out.write_all(b"\n"))
                }
                (_, Ok(Output::Row(cells))) => {
                    table_rows.push(numbered(item.line, cells));
                    Ok(())
                }
                (Format::Json, Err(e)) => writeln!(out, "{}", error_line(&e, item.line)),
                (Format::Table, Err(e)) => {
                    table_rows.push(numbered(item.line, table::error_row(&e)));
                    Ok(())
                }
            });
        if let Err(code) = written.map_err(write_failed) {
            if failed > 0 {
                say!("{failed} of {total} record(s) read so far failed");
            }
            return code;
        }
    }
    finish(
        &mut out,
        &policy,
        format,
        header,
        &table_rows,
        failed,
        total,
    )
}

/// Writes the table (if any), flushes, reports failures; the exit code.
fn finish(
    out: &mut impl Write,
    policy: &Policy,
    format: Format,
    header: &[&str],
    table_rows: &[Vec<String>],
    failed: usize,
    total: usize,
) -> u8 {
    if let Format::Table = format {
        if let Err(code) = table::write(out, policy, header, table_rows).map_err(write_failed) {
            return code;
        }
    }
    if let Err(code) = out.flush().map_err(write_failed) {
        return code;
    }
    if total == 0 {
        // An empty file, a header-only CSV: nothing to show, but say so.
        say!("0 records");
    }
    if failed > 0 {
        say!("{failed} of {total} record(s) failed");
        1
    } else {
        0
    }
}

/// `kam staff --aggregate`: bad lines first (one error line each, in input
/// order), then one line per person and period.
fn staff_periods(
    dir: &Path,
    loading: &Loading,
    explain: &Explain,
    span: kam::Span,
    format: Format,
    file: &input::Source,
) -> u8 {
    let needs: Vec<&str> = std::iter::once("staff")
        .chain(kam::PERIOD_FUNCTIONS.iter().copied())
        .collect();
    let policy = match load_requiring(dir, loading, explain, &needs, format) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut input = match input::Records::open(file) {
        Ok(r) => r,
        Err(e) => {
            say!("error: {e}");
            return USAGE_OR_POLICY;
        }
    };
    let mut records = Vec::new();
    let mut bad = Vec::new();
    loop {
        match input.next_chunk(CHUNK) {
            Ok(items) if items.is_empty() => break,
            Ok(items) => {
                for item in items {
                    let fast = item
                        .json_text()
                        .and_then(|text| kam::StaffRecord::from_json_str(text).ok());
                    let parsed = match fast {
                        Some(record) => Ok(record),
                        None => item
                            .record()
                            .map_err(Error::from)
                            .and_then(|v| kam::StaffRecord::from_json(&v).map_err(Error::from)),
                    };
                    match parsed {
                        Ok(r) => records.push(r),
                        Err(e) => bad.push(with_line(e, item.line)),
                    }
                }
            }
            Err(e) => {
                say!("error: cannot read {}: {e}", file.path);
                return USAGE_OR_POLICY;
            }
        }
    }
    let results = policy.aggregate_staff(&records, span);
    let failed = bad.len() + results.iter().filter(|(_, r)| r.is_err()).count();
    let total = bad.len() + results.len();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut rows = Vec::new();
    let written = bad.iter().try_for_each(|e| {
        let line = match e {
            Error::Record(r) => r.line.unwrap_or(0),
            _ => 0,
        };
        match format {
            Format::Json => writeln!(out, "{}", error_line(e, line)),
            Format::Table => {
                // The id under "id", the input line under "period".
                let mut row = table::error_row(e);
                row.insert(1, format!("line {line}"));
                rows.push(row);
                Ok(())
            }
        }
    });
    let written = written.and_then(|_| {
        results.iter().try_for_each(|(label, r)| match (format, r) {
            (Format::Json, r) => match r.as_ref().map_err(Clone::clone).and_then(to_json) {
                Ok(json) => out.write_all(&json).and_then(|()| out.write_all(b"\n")),
                Err(e) => {
                    let line = serde_json::json!({"id": e.record_id(), "period": label, "error": e.to_json()});
                    writeln!(out, "{line}")
                }
            },
            (Format::Table, r) => {
                rows.push(match r {
                    Ok(p) => table::period_row(&policy, p),
                    Err(e) => {
                        let mut row = table::error_row(e);
                        row.insert(1, label.clone());
                        row
                    }
                });
                Ok(())
            }
        })
    });
    if let Err(code) = written.map_err(write_failed) {
        return code;
    }
    finish(
        &mut out,
        &policy,
        format,
        table::PERIOD,
        &rows,
        failed,
        total,
    )
}

/// An output error ends the run. A closed pipe (`| head`) is the reader's
/// choice, but it is still said, with its own code: a script must not take a
/// run that stopped early for one that went through.
fn write_failed(e: std::io::Error) -> u8 {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        say!("kam: the output was closed before the end; stopped (exit {OUTPUT_CLOSED})");
        return OUTPUT_CLOSED;
    }
    say!("error: cannot write output: {e}");
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

/// A result as its JSON text, written by `serde_json::to_writer` straight from
/// the result (the same bytes as going through a `Value`: decimals are exact
/// JSON numbers either way). Serialising kam's result types cannot fail today;
/// if it ever did, the record gets an error line rather than half a line.
fn to_json(result: &impl serde::Serialize) -> Result<Vec<u8>, Error> {
    let mut json = Vec::with_capacity(1024);
    serde_json::to_writer(&mut json, result)
        .map(|()| json)
        .map_err(|e| {
            let message = format!("the result could not be written as JSON: {e}");
            Error::from(kam::RecordError::from(kam::RecordErrorKind::Malformed(
                message,
            )))
        })
}

/// The output line for a record that failed: `{"line", "id", "error"}`, the
/// error in its wire form (`kam::error`).
fn error_line(e: &Error, line: usize) -> Value {
    serde_json::json!({"line": line, "id": e.record_id(), "error": e.to_json()})
}

fn check(dir: &Path, loading: &Loading) -> u8 {
    match load(dir, loading) {
        Ok(policy) => {
            let info = policy.info();
            let mut out = std::io::stdout().lock();
            let languages = policy.languages();
            let written = writeln!(
                out,
                "ok: {} version {} ({} files; messages in {})",
                info.name,
                info.version,
                policy.sources().len(),
                if languages.is_empty() {
                    "no language".to_string()
                } else {
                    languages.join(", ")
                }
            )
            .and_then(|_| writeln!(out, "{}", info.digest))
            .and_then(|_| {
                // Whether the compiler covers the policy, and which engine
                // the other commands would run it with.
                let used = policy.engine_in_use().name();
                match policy.with_engine(kam::Engine::Compiled).compile_fallback() {
                    None => writeln!(
                        out,
                        "compiler: covers every function kam calls (engine: {used})"
                    ),
                    Some(why) => writeln!(
                        out,
                        "compiler: falls back to the interpreter: {why} (engine: {used})"
                    ),
                }
            });
            written.map_or_else(write_failed, |_| 0)
        }
        Err(code) => code,
    }
}

fn test(dir: &Path, loading: &Loading, cases_dir: Option<PathBuf>) -> u8 {
    let policy = match load(dir, loading) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let cases_dir = cases_dir.unwrap_or_else(|| dir.join("tests"));
    let all = match cases::load_dir(&cases_dir) {
        Ok(c) => c,
        Err(e) => {
            say!("error: {e}");
            return USAGE_OR_POLICY;
        }
    };
    // `println!` would panic on a closed pipe (`kam test | head`); a write
    // error ends the output with `write_failed`'s code.
    let mut out = std::io::stdout().lock();
    if all.is_empty() {
        let written = writeln!(out, "no test cases in {}", cases_dir.display())
            .and_then(|_| writeln!(out, "0 passed, 0 failed"));
        return match written {
            Err(e) => write_failed(e),
            Ok(()) => 1,
        };
    }
    let outcomes = cases::run(&policy, &all);
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    let written = outcomes
        .iter()
        .filter(|o| !o.passed())
        .try_for_each(|o| {
            writeln!(out, "FAIL {}: {}", o.case.file, o.case.name)?;
            o.failures.iter().try_for_each(|f| writeln!(out, "    {f}"))
        })
        .and_then(|_| writeln!(out, "{} passed, {} failed", outcomes.len() - failed, failed));
    match written {
        Err(e) => write_failed(e),
        Ok(()) => u8::from(failed > 0),
    }
}
