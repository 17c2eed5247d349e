//! Scoring whole Arrow tables (feature `arrow`): one output row per input row,
//! in order, with an `error` column for the rows that could not be scored.
//!
//! Each row is read into the same JSON record a JSON line or CSV row becomes,
//! so it gets exactly the same checks and the same answers. Columns are
//! matched to record fields by name; dotted names reach nested fields
//! (`ratings.teamwork`), and struct or list columns give nested values directly.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
//! use kam::table::{self, TableOptions};
//!
//! let policy = kam::Policy::from_dir("../rules")?;
//! let input = RecordBatch::try_from_iter([
//!     ("id", Arc::new(StringArray::from(vec!["C-1", "C-2"])) as ArrayRef),
//!     ("annual_revenue", Arc::new(Int64Array::from(vec![1_000_000, -5])) as ArrayRef),
//! ])?;
//! let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
//! let scored = table::score_customers(&policy, &input.schema(), &[input], as_of, &TableOptions::default())?;
//! let out = &scored.batches[0];
//! assert_eq!(out.num_rows(), 2);
//! let tier = out.column_by_name("tier").unwrap();
//! assert!(tier.is_valid(0) && tier.is_null(1)); // C-2's revenue is negative: an error row
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Output columns follow the result's declaration (`model/customer.rs`,
//! `model/staff.rs`), so a field added there is a column here. All are
//! nullable, in declaration order, then `error`:
//!
//! | result field | column |
//! |---|---|
//! | text, a choice, a month | `utf8` |
//! | decimal | `decimal128(38, 28)` |
//! | whole number, bool, date | `int64`, `bool`, `date32` |
//! | a nested record (`admission`, `visit`, `scorecard`) | flattened: `admission.admitted`, `visit.next_due`, … (null when the record is) |
//! | a map of policy-chosen names (`kpis`) | one column per name: `kpis.sales_completion_rate`, … |
//! | a list | `list<…>`; a list of records (`reasons`, `scorecard.items`) is `list<struct<…>>` |
//! | free-form JSON | `utf8` holding the JSON text |
//! | `policy` | not a column: the schema's metadata |
//! | — | `error`: `struct<kind, code, record_id, field, message, file: utf8, line, column: int64>`, the error's wire form (`kam::error`), null on good rows |
//!
//! Staff tables also get `score.<item>`, one column per scorecard item, right
//! after `scorecard.total`. Map and item columns are those the policy
//! returned, in the order they first appear.
//!
//! Decimals are exact: `decimal128(38, 28)` holds every value kam computes
//! below 10^10 without rounding; a larger one makes that row an error. The
//! schema's metadata names the policy (`kam.policy.name`, `…version`,
//! `…digest`).

mod layout;
mod read;
mod write;

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, Field, Schema, SchemaRef};
use chrono::NaiveDate;
use serde_json::Value;

pub use write::{DECIMAL_PRECISION, DECIMAL_SCALE};

use crate::error::{RecordError, RecordErrorKind, RuleError};
use crate::model::{CustomerRecord, CustomerResult, Declared, StaffRecord, StaffResult};
use crate::{batch, Error, Policy, RuleErrorKind};
use layout::{Layout, Pivot};
use read::Plan;
use serde::Serialize;
use write::{error_type, field};

/// What to do with input columns that are not record fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExtraColumns {
    /// Refuse the table, naming the column (a misspelt `late_payment` would
    /// otherwise be silently ignored and default to 0).
    #[default]
    Error,
    /// Leave them out.
    Ignore,
    /// Pass them to the rules under `attributes`.
    Attributes,
}

/// How a table is read and written.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TableOptions {
    /// Columns that are not record fields.
    pub extra_columns: ExtraColumns,
    /// Most rows per output batch (at least 1): bounds memory per batch and
    /// keeps text offsets far from i32's limit. Default 65,536.
    pub batch_rows: usize,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            extra_columns: ExtraColumns::default(),
            batch_rows: 65_536,
        }
    }
}

impl TableOptions {
    /// Options with `extra` for columns that are not record fields.
    pub fn with_extra_columns(extra: ExtraColumns) -> Self {
        TableOptions {
            extra_columns: extra,
            ..TableOptions::default()
        }
    }

    /// These options with at most `rows` rows per output batch.
    pub fn with_batch_rows(mut self, rows: usize) -> Self {
        self.batch_rows = rows.max(1);
        self
    }
}

/// A scored table: its schema (also for an empty input) and its batches.
#[derive(Debug, Clone)]
pub struct Scored {
    /// Output schema, with the policy's name, version and digest as metadata.
    pub schema: SchemaRef,
    /// One output row per input row, in input order.
    pub batches: Vec<RecordBatch>,
}

/// Scores every row of `batches` (all with `schema`) as a customer on `as_of`.
///
/// A bad row gets an `error` and nulls; the table is refused only when a
/// column cannot be read at all (an unsupported type, or an unknown column with
/// [`ExtraColumns::Error`]): a [`RecordError`] naming the column; or when the
/// policy defines no `customer` entry point: one `missing_entry` policy error,
/// nothing evaluated.
pub fn score_customers(
    policy: &Policy,
    schema: &Schema,
    batches: &[RecordBatch],
    as_of: NaiveDate,
    options: &TableOptions,
) -> Result<Scored, Error> {
    policy.require(&["customer"])?;
    score::<CustomerRecord, CustomerResult>(policy, schema, batches, options, &[], |r| {
        policy.evaluate_customer_json(r, as_of)
    })
}

/// Each scorecard item's score also gets a column of its own, beside the total.
const STAFF_PIVOTS: &[Pivot] = &[Pivot {
    prefix: "score",
    list: "scorecard.items",
    key: "id",
    value: "score",
    after: "scorecard.total",
}];

/// Scores every row of `batches` (all with `schema`) as a staff-month.
///
/// The `kpis.*` and `score.*` columns are those the policy returned, in the
/// order they first appear, so the whole table is scored before it is written.
/// Errors as for [`score_customers`] (the entry point is `staff`).
pub fn score_staff(
    policy: &Policy,
    schema: &Schema,
    batches: &[RecordBatch],
    options: &TableOptions,
) -> Result<Scored, Error> {
    policy.require(&["staff"])?;
    score::<StaffRecord, StaffResult>(policy, schema, batches, options, STAFF_PIVOTS, |r| {
        policy.evaluate_staff_json(r)
    })
}

/// Reads records of type `In`, evaluates each with `eval` and writes the
/// results' columns as their declaration lays them out.
fn score<In: Declared, Out: Declared + Serialize + Send>(
    policy: &Policy,
    schema: &Schema,
    batches: &[RecordBatch],
    options: &TableOptions,
    pivots: &'static [Pivot],
    eval: impl Fn(&Value) -> Result<Out, Error> + Sync + Send,
) -> Result<Scored, Error> {
    check_batches(schema, batches)?;
    let plan = Plan::new(schema, In::FIELDS, options.extra_columns)?;
    // `none`: no reasons column at all (a million rows of them are most of the bytes).
    let dropped: &[&str] = match policy.reasons() {
        crate::Reasons::None => &["reasons"],
        _ => &[],
    };
    let mut layout = Layout::of::<Out>(pivots, dropped);
    let rows = options.batch_rows.max(1);
    let mut scored = Vec::new();
    if !layout.needs_rows() {
        let out = schema_of(policy, &layout);
        for chunk in chunks(batches, rows) {
            let results = evaluate(&plan, &chunk, &eval);
            scored.push(write(&layout, &out, &results)?);
        }
        return Ok(Scored {
            schema: out,
            batches: scored,
        });
    }
    // Map and pivot columns are named by the rows: score everything first.
    let mut results = Vec::new();
    for chunk in chunks(batches, rows) {
        results.extend(evaluate(&plan, &chunk, &eval));
    }
    for v in results.iter().filter_map(|(_, r)| r.as_ref().ok()) {
        layout.learn(v);
    }
    let out = schema_of(policy, &layout);
    for part in results.chunks(rows) {
        scored.push(write(&layout, &out, part)?);
    }
    Ok(Scored {
        schema: out,
        batches: scored,
    })
}

fn write(
    layout: &Layout,
    schema: &SchemaRef,
    rows: &[(Option<String>, Result<Value, Error>)],
) -> Result<RecordBatch, Error> {
    layout::batch(layout.columns(), schema, rows, too_large).map_err(output_error)
}

/// The row error for a decimal that `decimal128(38, 28)` cannot hold.
fn too_large(result: &Value, column: &str) -> Error {
    let found = column
        .split('.')
        .try_fold(result, |v, k| v.get(k))
        .map_or_else(String::new, Value::to_string);
    Error::Rule(Box::new(RuleError {
        record_id: result.get("id").and_then(Value::as_str).unwrap_or_default().to_owned(),
        file: "(table)".into(),
        line: None,
        column: None,
        kind: RuleErrorKind::Shape {
            field: column.to_owned(),
            expected: format!(
                "a value below 10^10 (the table's decimal({DECIMAL_PRECISION}, {DECIMAL_SCALE}) columns)"
            ),
            found,
        },
    }))
}

/// Every batch must have the table's columns: the plan reads columns by position.
fn check_batches(schema: &Schema, batches: &[RecordBatch]) -> Result<(), Error> {
    match batches
        .iter()
        .position(|b| b.schema().fields() != schema.fields())
    {
        None => Ok(()),
        Some(i) => Err(Error::from(RecordError::from(RecordErrorKind::Malformed(
            format!("batch {i} does not have the table's schema"),
        )))),
    }
}

/// The input as slices of at most `rows` rows (zero-copy).
fn chunks(batches: &[RecordBatch], rows: usize) -> impl Iterator<Item = RecordBatch> + '_ {
    let rows = rows.max(1);
    batches.iter().flat_map(move |b| {
        (0..b.num_rows())
            .step_by(rows)
            .map(move |start| b.slice(start, rows.min(b.num_rows() - start)))
    })
}

/// Each row's id (as given, for the output) and result as JSON, evaluated in parallel.
fn evaluate<R: Serialize>(
    plan: &Plan,
    batch: &RecordBatch,
    eval: impl Fn(&Value) -> Result<R, Error> + Sync + Send,
) -> Vec<(Option<String>, Result<Value, Error>)> {
    let rows: Vec<usize> = (0..batch.num_rows()).collect();
    batch::map(&rows, |&row| {
        let result = eval(&plan.record(batch, row)).and_then(|r| {
            serde_json::to_value(r).map_err(|e| {
                Error::from(RecordError::from(RecordErrorKind::Malformed(format!(
                    "cannot write the result: {e}"
                ))))
            })
        });
        (plan.id(batch, row), result)
    })
}

fn output_error(e: ArrowError) -> Error {
    Error::Record(Box::new(RecordError::from(RecordErrorKind::Malformed(
        format!("cannot build the result table: {e}"),
    ))))
}

/// The table's schema: the layout's columns and `error`, with the policy's
/// name, version and digest as metadata.
fn schema_of(policy: &Policy, layout: &Layout) -> SchemaRef {
    let info = policy.info();
    let metadata = HashMap::from([
        ("kam.policy.name".to_owned(), info.name.clone()),
        ("kam.policy.version".to_owned(), info.version.clone()),
        ("kam.policy.digest".to_owned(), info.digest.clone()),
    ]);
    let mut fields: Vec<Field> = layout.columns().iter().map(layout::Column::field).collect();
    fields.push(field("error", error_type()));
    Arc::new(Schema::new_with_metadata(fields, metadata))
}
