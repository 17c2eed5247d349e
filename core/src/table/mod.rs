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
//! Output columns (all nullable; nested results are flattened with dotted names):
//!
//! | customers | type |
//! |---|---|
//! | `id`, `status`, `tier`, `previous_tier`, `change` | utf8 |
//! | `downgrade_deadline`, `blacklist_proposal.until`, `visit.next_due` | date32 |
//! | `key_account`, `admission.admitted`, `visit.overdue` | bool |
//! | `categories`, `admission.failed`, `admission.approvals`, `blacklist_proposal.needs` | list\<utf8\> |
//! | `visit.interval_days` | int64 |
//! | `reasons` | list\<struct\<rule: utf8, message: utf8\>\> |
//! | `error` | struct\<kind, code, record_id, field, message, file: utf8, line, column: int64\>: the error's wire form (`kam::error`), null on good rows |
//!
//! | staff | type |
//! |---|---|
//! | `id`, `period`, `grade` | utf8 |
//! | `kpis.<name>` (one per KPI), `scorecard.total`, `score.<item>` (one per item), `composite` | decimal128(38, 28) |
//! | `scorecard.items` | list\<struct\<id: utf8, max, score: decimal128(38, 28), adjustments: list\<struct\<points: decimal128(38, 28), reason: utf8\>\>\>\> |
//! | `actions` | list\<utf8\> |
//! | `reasons`, `error` | as for customers |
//!
//! Decimals are exact: `decimal128(38, 28)` holds every value kam computes
//! below 10^10 without rounding; a larger one makes that row an error. The
//! schema's metadata names the policy (`kam.policy.name`, `…version`,
//! `…digest`).

mod read;
mod write;

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use chrono::NaiveDate;
use serde_json::Value;

pub use write::{DECIMAL_PRECISION, DECIMAL_SCALE};

use crate::error::{RecordError, RecordErrorKind, RuleError};
use crate::model::{CustomerResult, StaffResult};
use crate::{batch, Error, Policy, RuleErrorKind};
use read::Plan;
use write::*;

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
    check_batches(schema, batches)?;
    policy.require(&["customer"])?;
    let plan = Plan::new(
        schema,
        <crate::model::CustomerRecord as crate::model::Declared>::FIELDS,
        options.extra_columns,
    )?;
    let out = customer_schema(policy);
    let mut scored = Vec::new();
    for chunk in chunks(batches, options.batch_rows) {
        let rows = evaluate(&plan, &chunk, |r| policy.evaluate_customer_json(r, as_of));
        scored.push(customer_batch(&out, &rows).map_err(output_error)?);
    }
    Ok(Scored {
        schema: out,
        batches: scored,
    })
}

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
    check_batches(schema, batches)?;
    policy.require(&["staff"])?;
    let plan = Plan::new(
        schema,
        <crate::model::StaffRecord as crate::model::Declared>::FIELDS,
        options.extra_columns,
    )?;
    let mut rows = Vec::new();
    for chunk in chunks(batches, options.batch_rows) {
        rows.extend(evaluate(&plan, &chunk, |r| policy.evaluate_staff_json(r)));
    }
    let names = StaffNames::of(&rows);
    let out = staff_schema(policy, &names);
    let mut scored = Vec::new();
    for part in rows.chunks(options.batch_rows.max(1)) {
        scored.push(staff_batch(&out, &names, part).map_err(output_error)?);
    }
    Ok(Scored {
        schema: out,
        batches: scored,
    })
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

/// Each row's id (as given, for the output) and result, evaluated in parallel.
fn evaluate<R: Send>(
    plan: &Plan,
    batch: &RecordBatch,
    eval: impl Fn(&Value) -> Result<R, Error> + Sync + Send,
) -> Vec<(Option<String>, Result<R, Error>)> {
    let rows: Vec<usize> = (0..batch.num_rows()).collect();
    batch::map(&rows, |&row| {
        (plan.id(batch, row), eval(&plan.record(batch, row)))
    })
}

fn output_error(e: ArrowError) -> Error {
    Error::Record(Box::new(RecordError::from(RecordErrorKind::Malformed(
        format!("cannot build the result table: {e}"),
    ))))
}

fn schema_with(policy: &Policy, fields: Vec<Field>) -> SchemaRef {
    let info = policy.info();
    let metadata = HashMap::from([
        ("kam.policy.name".to_owned(), info.name.clone()),
        ("kam.policy.version".to_owned(), info.version.clone()),
        ("kam.policy.digest".to_owned(), info.digest.clone()),
    ]);
    Arc::new(Schema::new_with_metadata(fields, metadata))
}

fn customer_schema(policy: &Policy) -> SchemaRef {
    use DataType::*;
    let fields = vec![
        field("id", Utf8),
        field("status", Utf8),
        field("tier", Utf8),
        field("previous_tier", Utf8),
        field("change", Utf8),
        field("downgrade_deadline", Date32),
        field("key_account", Boolean),
        field("categories", text_list_type()),
        field("admission.admitted", Boolean),
        field("admission.failed", text_list_type()),
        field("admission.approvals", text_list_type()),
        field("blacklist_proposal.until", Date32),
        field("blacklist_proposal.needs", text_list_type()),
        field("visit.interval_days", Int64),
        field("visit.next_due", Date32),
        field("visit.overdue", Boolean),
        field("reasons", reasons_type()),
        field("error", error_type()),
    ];
    schema_with(policy, fields)
}

fn customer_batch(
    schema: &SchemaRef,
    rows: &[(Option<String>, Result<CustomerResult, Error>)],
) -> Result<RecordBatch, ArrowError> {
    let (mut id, mut status, mut tier) = (Text::default(), Text::default(), Text::default());
    let (mut previous, mut change) = (Text::default(), Text::default());
    let (mut deadline, mut key_account, mut categories) =
        (Dates::default(), Bools::default(), TextLists::default());
    let (mut admitted, mut failed, mut approvals) =
        (Bools::default(), TextLists::default(), TextLists::default());
    let (mut until, mut needs) = (Dates::default(), TextLists::default());
    let (mut interval, mut next_due, mut overdue) =
        (Ints::default(), Dates::default(), Bools::default());
    let (mut reasons, mut errors) = (Reasons::default(), Errors::default());
    for (row_id, result) in rows {
        let r = result.as_ref().ok();
        id.push(r.map(|r| r.id.as_str()).or(row_id.as_deref()));
        status.push(r.map(|r| r.status.as_str()));
        tier.push(r.and_then(|r| r.tier.as_deref()));
        previous.push(r.and_then(|r| r.previous_tier.as_deref()));
        change.push(r.map(|r| r.change.as_str()));
        deadline.push(r.and_then(|r| r.downgrade_deadline));
        key_account.push(r.map(|r| r.key_account));
        categories.push(r.map(|r| r.categories.as_slice()));
        admitted.push(r.map(|r| r.admission.admitted));
        failed.push(r.map(|r| r.admission.failed.as_slice()));
        approvals.push(r.map(|r| r.admission.approvals.as_slice()));
        let proposal = r.and_then(|r| r.blacklist_proposal.as_ref());
        until.push(proposal.map(|p| p.until));
        needs.push(proposal.map(|p| p.needs.as_slice()));
        let visit = r.and_then(|r| r.visit.as_ref());
        interval.push(visit.map(|v| v.interval_days));
        next_due.push(visit.map(|v| v.next_due));
        overdue.push(visit.map(|v| v.overdue));
        reasons.push(r.map(|r| r.reasons.as_slice()))?;
        errors.push(result.as_ref().err());
    }
    let columns: Vec<ArrayRef> = vec![
        id.finish()?,
        status.finish()?,
        tier.finish()?,
        previous.finish()?,
        change.finish()?,
        deadline.finish()?,
        key_account.finish()?,
        categories.finish()?,
        admitted.finish()?,
        failed.finish()?,
        approvals.finish()?,
        until.finish()?,
        needs.finish()?,
        interval.finish()?,
        next_due.finish()?,
        overdue.finish()?,
        reasons.finish()?,
        errors.finish()?,
    ];
    RecordBatch::try_new(schema.clone(), columns)
}

/// The policy-defined column names of a staff table.
struct StaffNames {
    kpis: Vec<String>,
    items: Vec<String>,
}

impl StaffNames {
    fn of(rows: &[(Option<String>, Result<StaffResult, Error>)]) -> Self {
        let mut names = StaffNames {
            kpis: Vec::new(),
            items: Vec::new(),
        };
        for r in rows.iter().filter_map(|(_, r)| r.as_ref().ok()) {
            for k in r.kpis.keys() {
                if !names.kpis.contains(k) {
                    names.kpis.push(k.clone());
                }
            }
            for item in &r.scorecard.items {
                if !names.items.contains(&item.id) {
                    names.items.push(item.id.clone());
                }
            }
        }
        names
    }
}

fn adjustment_fields() -> arrow_schema::Fields {
    arrow_schema::Fields::from(vec![
        field("points", decimal_type()),
        field("reason", DataType::Utf8),
    ])
}

fn item_fields() -> arrow_schema::Fields {
    arrow_schema::Fields::from(vec![
        field("id", DataType::Utf8),
        field("max", decimal_type()),
        field("score", decimal_type()),
        field(
            "adjustments",
            DataType::List(Arc::new(field(
                "item",
                DataType::Struct(adjustment_fields()),
            ))),
        ),
    ])
}

fn staff_schema(policy: &Policy, names: &StaffNames) -> SchemaRef {
    use DataType::*;
    let mut fields = vec![field("id", Utf8), field("period", Utf8)];
    fields.extend(
        names
            .kpis
            .iter()
            .map(|k| field(&format!("kpis.{k}"), decimal_type())),
    );
    fields.push(field("scorecard.total", decimal_type()));
    fields.extend(
        names
            .items
            .iter()
            .map(|i| field(&format!("score.{i}"), decimal_type())),
    );
    fields.push(field(
        "scorecard.items",
        List(Arc::new(field("item", Struct(item_fields())))),
    ));
    fields.extend([
        field("grade", Utf8),
        field("actions", text_list_type()),
        field("composite", decimal_type()),
        field("reasons", reasons_type()),
        field("error", error_type()),
    ]);
    schema_with(policy, fields)
}

/// A staff result's decimals in `decimal128(38, 28)` units, or the rule error
/// for the first that does not fit.
struct StaffUnits {
    kpis: Vec<Option<i128>>,
    total: i128,
    items: Vec<(i128, i128, Vec<i128>)>,
    composite: Option<i128>,
}

fn units(field: &str, d: rust_decimal::Decimal, r: &StaffResult) -> Result<i128, Error> {
    decimal_units(d).ok_or_else(|| {
        Error::Rule(Box::new(RuleError {
            record_id: r.id.clone(),
            file: "(table)".into(),
            line: None,
            column: None,
            kind: RuleErrorKind::Shape {
                field: field.to_owned(),
                expected: format!(
                    "a value below 10^10 (the table's decimal{DECIMAL_PRECISION}({DECIMAL_PRECISION}, {DECIMAL_SCALE}) columns)"
                ),
                found: d.to_string(),
            },
        }))
    })
}

impl StaffUnits {
    fn of(names: &StaffNames, r: &StaffResult) -> Result<Self, Error> {
        let kpis = names
            .kpis
            .iter()
            .map(|k| match r.kpis.get(k).copied().flatten() {
                Some(d) => units(&format!("kpis.{k}"), d, r).map(Some),
                None => Ok(None),
            })
            .collect::<Result<_, _>>()?;
        let items = r
            .scorecard
            .items
            .iter()
            .map(|i| {
                let path = format!("scorecard.items.{}", i.id);
                let adj = i
                    .adjustments
                    .iter()
                    .map(|a| units(&path, a.points, r))
                    .collect::<Result<_, _>>()?;
                Ok((units(&path, i.max, r)?, units(&path, i.score, r)?, adj))
            })
            .collect::<Result<_, Error>>()?;
        Ok(StaffUnits {
            kpis,
            total: units("scorecard.total", r.scorecard.total, r)?,
            items,
            composite: r.composite.map(|c| units("composite", c, r)).transpose()?,
        })
    }
}

fn staff_batch(
    schema: &SchemaRef,
    names: &StaffNames,
    rows: &[(Option<String>, Result<StaffResult, Error>)],
) -> Result<RecordBatch, ArrowError> {
    let (mut id, mut period, mut grade) = (Text::default(), Text::default(), Text::default());
    let mut kpis: Vec<Decimals> = names.kpis.iter().map(|_| Decimals::default()).collect();
    let mut scores: Vec<Decimals> = names.items.iter().map(|_| Decimals::default()).collect();
    let (mut total, mut composite) = (Decimals::default(), Decimals::default());
    let mut items = ListShape::default();
    let (mut item_id, mut item_max, mut item_score) =
        (Text::default(), Decimals::default(), Decimals::default());
    let mut adjustments = ListShape::default();
    let (mut adj_points, mut adj_reason) = (Decimals::default(), Text::default());
    let (mut actions, mut reasons, mut errors) =
        (TextLists::default(), Reasons::default(), Errors::default());

    for (row_id, result) in rows {
        let checked = result
            .as_ref()
            .map_err(Clone::clone)
            .and_then(|r| Ok((r, StaffUnits::of(names, r)?)));
        let ok = checked.as_ref().ok();
        let r = ok.map(|(r, _)| *r);
        let u = ok.map(|(_, u)| u);
        id.push(r.map(|r| r.id.as_str()).or(row_id.as_deref()));
        period.push(r.map(|r| r.period.to_string()).as_deref());
        for (i, col) in kpis.iter_mut().enumerate() {
            col.push(u.and_then(|u| u.kpis.get(i).copied().flatten()));
        }
        total.push(u.map(|u| u.total));
        for (i, col) in scores.iter_mut().enumerate() {
            let at = r.and_then(|r| {
                r.scorecard
                    .items
                    .iter()
                    .position(|it| it.id == names.items[i])
            });
            col.push(at.and_then(|at| u.and_then(|u| u.items.get(at)).map(|x| x.1)));
        }
        match (r, u) {
            (Some(r), Some(u)) => {
                for (item, (max, score, adj)) in r.scorecard.items.iter().zip(&u.items) {
                    item_id.push(Some(&item.id));
                    item_max.push(Some(*max));
                    item_score.push(Some(*score));
                    for (a, points) in item.adjustments.iter().zip(adj) {
                        adj_points.push(Some(*points));
                        adj_reason.push(Some(&a.reason));
                    }
                    adjustments.push(Some(adj.len()))?;
                }
                items.push(Some(u.items.len()))?;
            }
            _ => items.push(None)?,
        }
        grade.push(r.map(|r| r.grade.as_str()));
        actions.push(r.map(|r| r.actions.as_slice()));
        composite.push(u.and_then(|u| u.composite));
        reasons.push(r.map(|r| r.reasons.as_slice()))?;
        errors.push(checked.as_ref().err());
    }

    let adjustment_items = arrow_array::StructArray::try_new(
        adjustment_fields(),
        vec![adj_points.finish()?, adj_reason.finish()?],
        None,
    )?;
    let adjustments = adjustments.finish(
        field("item", DataType::Struct(adjustment_fields())),
        Arc::new(adjustment_items),
    )?;
    let item_rows = arrow_array::StructArray::try_new(
        item_fields(),
        vec![
            item_id.finish()?,
            item_max.finish()?,
            item_score.finish()?,
            adjustments,
        ],
        None,
    )?;
    let items = items.finish(
        field("item", DataType::Struct(item_fields())),
        Arc::new(item_rows),
    )?;

    let mut columns: Vec<ArrayRef> = vec![id.finish()?, period.finish()?];
    for col in kpis {
        columns.push(col.finish()?);
    }
    columns.push(total.finish()?);
    for col in scores {
        columns.push(col.finish()?);
    }
    columns.extend([
        items,
        grade.finish()?,
        actions.finish()?,
        composite.finish()?,
    ]);
    columns.push(reasons.finish()?);
    columns.push(errors.finish()?);
    RecordBatch::try_new(schema.clone(), columns)
}
