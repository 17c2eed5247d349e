//! A result's [`Shape`] → the columns of a result table, and each result →
//! one row of them. Nothing here names a result field: adding a field to a
//! `result!` declaration adds its column.
//!
//! The walk: a nested record is flattened into dotted columns
//! (`admission.admitted`; an optional one gives nulls when absent), a map of
//! policy-chosen names becomes one column per name seen (`kpis.<name>`), a list
//! of records is a `list<struct>`, and `policy` goes to the schema's metadata
//! instead of a column on every row. A [`Pivot`] adds one column per item of a
//! list (`score.<item>`) for tables that want them side by side.

use std::sync::Arc;

use arrow_array::{ArrayRef, StructArray};
use arrow_buffer::NullBuffer;
use arrow_schema::{ArrowError, DataType, Field, Fields};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

use super::write::*;
use crate::model::{Declared, PolicyInfo, Shape, Ty};
use crate::Error;

/// One column per item of a list of records, named `<prefix>.<item's key>`
/// and placed right after the column `after`.
pub(super) struct Pivot {
    pub prefix: &'static str,
    /// Dotted path of the list (`scorecard.items`).
    pub list: &'static str,
    /// The item field that names the column (`id`).
    pub key: &'static str,
    /// The item field that fills it (`score`).
    pub value: &'static str,
    pub after: &'static str,
}

/// Where a column's value sits in a result's JSON.
#[derive(Clone)]
enum At {
    /// A field, through nested records.
    Field(Vec<&'static str>),
    /// One name of a map field.
    Entry(Vec<&'static str>, String),
    /// The `value` of the list item whose `key` is `name`.
    Item {
        list: Vec<&'static str>,
        key: &'static str,
        name: String,
        value: &'static str,
    },
}

impl At {
    fn find<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        match self {
            At::Field(path) => walk(v, path),
            At::Entry(path, name) => walk(v, path)?.get(name),
            At::Item {
                list,
                key,
                name,
                value,
            } => walk(v, list)?
                .as_array()?
                .iter()
                .find(|item| item.get(key).and_then(Value::as_str) == Some(name))?
                .get(value),
        }
        .filter(|v| !v.is_null())
    }
}

fn walk<'v>(mut v: &'v Value, path: &[&str]) -> Option<&'v Value> {
    for key in path {
        v = v.get(key)?;
    }
    Some(v)
}

/// A column before its names are known: maps and pivots wait for the rows.
enum Spec {
    Fixed(String, At, Ty),
    Map {
        prefix: String,
        path: Vec<&'static str>,
        ty: Ty,
        names: Vec<String>,
    },
    Pivot {
        pivot: &'static Pivot,
        /// `pivot.list` split once, not per row.
        list: Vec<&'static str>,
        ty: Ty,
        names: Vec<String>,
    },
}

/// The columns of one result type's table.
pub(super) struct Layout {
    specs: Vec<Spec>,
}

impl Layout {
    /// The layout of `T`'s results, with `pivots`, without the top-level fields `dropped`.
    pub(super) fn of<T: Declared>(pivots: &'static [Pivot], dropped: &[&str]) -> Layout {
        let mut specs = Vec::new();
        flatten(T::shape(), &mut Vec::new(), &mut specs);
        specs.retain(|s| !matches!(s, Spec::Fixed(name, ..) if dropped.contains(&name.as_str())));
        for pivot in pivots {
            let list: Vec<&str> = pivot.list.split('.').collect();
            let ty = item_type(T::shape(), &list, pivot.value);
            let at = specs
                .iter()
                .position(|s| matches!(s, Spec::Fixed(name, ..) if name == pivot.after))
                .map_or(specs.len(), |i| i + 1);
            specs.insert(
                at,
                Spec::Pivot {
                    pivot,
                    list,
                    ty,
                    names: Vec::new(),
                },
            );
        }
        Layout { specs }
    }

    /// Whether the columns depend on the rows (so the whole table must be
    /// scored before any of it is written).
    pub(super) fn needs_rows(&self) -> bool {
        self.specs.iter().any(|s| !matches!(s, Spec::Fixed(..)))
    }

    /// Learns the map and pivot names in `result`, in order of first appearance.
    pub(super) fn learn(&mut self, result: &Value) {
        for spec in &mut self.specs {
            match spec {
                Spec::Fixed(..) => {}
                Spec::Map { path, names, .. } => {
                    if let Some(map) = walk(result, path).and_then(Value::as_object) {
                        for k in map.keys() {
                            if !names.contains(k) {
                                names.push(k.clone());
                            }
                        }
                    }
                }
                Spec::Pivot {
                    pivot, list, names, ..
                } => {
                    let items = walk(result, list).and_then(Value::as_array);
                    for item in items.into_iter().flatten() {
                        if let Some(k) = item.get(pivot.key).and_then(Value::as_str) {
                            if !names.iter().any(|n| n == k) {
                                names.push(k.to_owned());
                            }
                        }
                    }
                }
            }
        }
    }

    /// The columns as they are now: one per field, map name and pivot name.
    pub(super) fn columns(&self) -> Vec<Column> {
        let mut out = Vec::new();
        for spec in &self.specs {
            match spec {
                Spec::Fixed(name, at, ty) => out.push(Column::new(name.clone(), at.clone(), ty)),
                Spec::Map {
                    prefix,
                    path,
                    ty,
                    names,
                } => out.extend(names.iter().map(|n| {
                    Column::new(
                        format!("{prefix}.{n}"),
                        At::Entry(path.clone(), n.clone()),
                        ty,
                    )
                })),
                Spec::Pivot {
                    pivot,
                    list,
                    ty,
                    names,
                } => out.extend(names.iter().map(|n| {
                    let at = At::Item {
                        list: list.clone(),
                        key: pivot.key,
                        name: n.clone(),
                        value: pivot.value,
                    };
                    Column::new(format!("{}.{n}", pivot.prefix), at, ty)
                })),
            }
        }
        out
    }
}

fn flatten(shape: &'static Shape, path: &mut Vec<&'static str>, specs: &mut Vec<Spec>) {
    for f in &shape.fields {
        // Every row has the same policy: it is the schema's metadata.
        if path.is_empty() && f.ty == Ty::Record(PolicyInfo::shape()) {
            continue;
        }
        path.push(f.name);
        match strip(&f.ty) {
            Ty::Record(inner) => flatten(inner, path, specs),
            Ty::Map(inner) => specs.push(Spec::Map {
                prefix: path.join("."),
                path: path.clone(),
                ty: strip(inner).clone(),
                names: Vec::new(),
            }),
            ty => specs.push(Spec::Fixed(
                path.join("."),
                At::Field(path.clone()),
                ty.clone(),
            )),
        }
        path.pop();
    }
}

/// The type of `value` in the items of the list at `list` (`Json` if absent:
/// a pivot names fields of its own table, so this is a programming slip, shown
/// as JSON text rather than a panic).
fn item_type(shape: &'static Shape, list: &[&str], value: &str) -> Ty {
    let mut shape = shape;
    for (i, key) in list.iter().enumerate() {
        let Some(f) = shape.field(key) else {
            return Ty::Json;
        };
        match (strip(&f.ty), i + 1 == list.len()) {
            (Ty::Record(inner), false) => shape = inner,
            (Ty::List(item), true) => match strip(item) {
                Ty::Record(inner) => {
                    return inner
                        .field(value)
                        .map_or(Ty::Json, |f| strip(&f.ty).clone())
                }
                _ => return Ty::Json,
            },
            _ => return Ty::Json,
        }
    }
    Ty::Json
}

/// A column's type without its `Optional`: every table column is nullable.
fn strip(ty: &Ty) -> &Ty {
    match ty {
        Ty::Optional(inner) => strip(inner),
        ty => ty,
    }
}

/// The Arrow type of a (non-top-level) value of type `ty`.
fn data_type(ty: &Ty) -> DataType {
    match strip(ty) {
        Ty::Decimal => decimal_type(),
        Ty::Int => DataType::Int64,
        Ty::Bool => DataType::Boolean,
        Ty::Date => DataType::Date32,
        Ty::List(item) => DataType::List(Arc::new(field("item", data_type(item)))),
        Ty::Record(shape) => DataType::Struct(struct_fields(shape)),
        // Text, names, months; JSON (and maps inside lists) as JSON text.
        _ => DataType::Utf8,
    }
}

fn struct_fields(shape: &Shape) -> Fields {
    shape
        .fields
        .iter()
        .map(|f| field(f.name, data_type(&f.ty)))
        .collect()
}

/// One output column: its name, where its value is, and its builder.
pub(super) struct Column {
    pub name: String,
    at: At,
    cell: Cell,
}

impl Column {
    fn new(name: String, at: At, ty: &Ty) -> Column {
        Column {
            name,
            at,
            cell: Cell::of(ty),
        }
    }

    pub(super) fn field(&self) -> Field {
        field(&self.name, self.cell.data_type())
    }

    /// The value this column takes from `result`, or `None` (null).
    pub(super) fn value<'v>(&self, result: &'v Value) -> Option<&'v Value> {
        self.at.find(result)
    }

    /// Whether `v` can be written exactly (a decimal fits the column).
    pub(super) fn fits(&self, v: Option<&Value>) -> bool {
        v.map_or(true, |v| self.cell.fits(v))
    }

    pub(super) fn push(&mut self, v: Option<&Value>) -> Result<(), ArrowError> {
        self.cell.push(v)
    }

    pub(super) fn finish(self) -> Result<ArrayRef, ArrowError> {
        self.cell.finish()
    }
}

/// The builder of one column (or of one field of a struct column).
enum Cell {
    Text(Text),
    Json(Text),
    Int(Ints),
    Bool(Bools),
    Date(Dates),
    Decimal(Decimals),
    List(Box<ListShape>, Box<Cell>, DataType),
    Struct(Fields, Vec<(&'static str, Cell)>, Vec<bool>),
}

impl Cell {
    fn of(ty: &Ty) -> Cell {
        match strip(ty) {
            Ty::Text | Ty::Choice(_) | Ty::Month => Cell::Text(Text::default()),
            Ty::Decimal => Cell::Decimal(Decimals::default()),
            Ty::Int => Cell::Int(Ints::default()),
            Ty::Bool => Cell::Bool(Bools::default()),
            Ty::Date => Cell::Date(Dates::default()),
            Ty::List(item) => Cell::List(Box::default(), Box::new(Cell::of(item)), data_type(item)),
            Ty::Record(shape) => Cell::Struct(
                struct_fields(shape),
                shape
                    .fields
                    .iter()
                    .map(|f| (f.name, Cell::of(&f.ty)))
                    .collect(),
                Vec::new(),
            ),
            Ty::Json | Ty::Fact | Ty::Map(_) | Ty::Optional(_) => Cell::Json(Text::default()),
        }
    }

    fn data_type(&self) -> DataType {
        match self {
            Cell::Text(_) | Cell::Json(_) => DataType::Utf8,
            Cell::Int(_) => DataType::Int64,
            Cell::Bool(_) => DataType::Boolean,
            Cell::Date(_) => DataType::Date32,
            Cell::Decimal(_) => decimal_type(),
            Cell::List(_, _, item) => DataType::List(Arc::new(field("item", item.clone()))),
            Cell::Struct(fields, ..) => DataType::Struct(fields.clone()),
        }
    }

    fn fits(&self, v: &Value) -> bool {
        match self {
            Cell::Decimal(_) => v.is_null() || decimal(v).is_some(),
            Cell::List(_, item, _) => v
                .as_array()
                .map_or(true, |items| items.iter().all(|i| item.fits(i))),
            Cell::Struct(_, fields, _) => fields
                .iter()
                .all(|(name, c)| v.get(name).map_or(true, |x| c.fits(x))),
            _ => true,
        }
    }

    /// Appends `v` (`None` or JSON null: a null). Values come from serializing
    /// a declared result, so they have the declared type; one that does not
    /// is written as a null rather than trusted.
    fn push(&mut self, v: Option<&Value>) -> Result<(), ArrowError> {
        let v = v.filter(|v| !v.is_null());
        match self {
            Cell::Text(b) => b.push(v.and_then(Value::as_str)),
            Cell::Json(b) => b.push(v.map(Value::to_string).as_deref()),
            Cell::Int(b) => b.push(v.and_then(Value::as_i64)),
            Cell::Bool(b) => b.push(v.and_then(Value::as_bool)),
            Cell::Date(b) => b.push(v.and_then(Value::as_str).and_then(date)),
            Cell::Decimal(b) => b.push(v.and_then(decimal)),
            Cell::List(shape, item, _) => {
                let items = v.and_then(Value::as_array);
                for i in items.into_iter().flatten() {
                    item.push(Some(i))?;
                }
                shape.push(items.map(Vec::len))?;
            }
            Cell::Struct(_, fields, valid) => {
                valid.push(v.is_some());
                for (name, c) in fields {
                    c.push(v.and_then(|v| v.get(*name)))?;
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<ArrayRef, ArrowError> {
        match self {
            Cell::Text(b) | Cell::Json(b) => b.finish(),
            Cell::Int(b) => b.finish(),
            Cell::Bool(b) => b.finish(),
            Cell::Date(b) => b.finish(),
            Cell::Decimal(b) => b.finish(),
            Cell::List(shape, item, item_type) => {
                let values = item.finish()?;
                shape.finish(field("item", item_type), values)
            }
            Cell::Struct(fields, cells, valid) => {
                let columns = cells
                    .into_iter()
                    .map(|(_, c)| c.finish())
                    .collect::<Result<Vec<_>, _>>()?;
                let nulls = NullBuffer::from(valid);
                let nulls = (nulls.null_count() > 0).then_some(nulls);
                Ok(Arc::new(StructArray::try_new(fields, columns, nulls)?))
            }
        }
    }
}

/// A JSON decimal (an exact number, or its text) in the column's units.
fn decimal(v: &Value) -> Option<i128> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return None,
    };
    let d = Decimal::from_str_exact(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()?;
    decimal_units(d)
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The rows of one output batch: every column, then the `error` column.
pub(super) fn batch(
    columns: Vec<Column>,
    schema: &arrow_schema::SchemaRef,
    rows: &[(Option<String>, Result<Value, Error>)],
    too_large: impl Fn(&Value, &str) -> Error,
) -> Result<arrow_array::RecordBatch, ArrowError> {
    let mut columns = columns;
    let mut errors = Errors::default();
    for (row_id, result) in rows {
        // A decimal too large for its column makes the whole row an error, so
        // a row is checked before any of its cells is written.
        let checked = match result {
            Ok(v) => match columns.iter().find(|c| !c.fits(c.value(v))) {
                Some(c) => Err(too_large(v, &c.name)),
                None => Ok(v),
            },
            Err(e) => Err(e.clone()),
        };
        match &checked {
            Ok(v) => {
                for c in &mut columns {
                    let cell = c.value(v);
                    c.push(cell)?;
                }
            }
            Err(_) => {
                // The row's id as given stays, so a bad row can be found.
                let id = row_id.clone().map(Value::String);
                for c in &mut columns {
                    c.push(if c.name == "id" { id.as_ref() } else { None })?;
                }
            }
        }
        errors.push(checked.as_ref().err());
    }
    let mut arrays = columns
        .into_iter()
        .map(Column::finish)
        .collect::<Result<Vec<_>, _>>()?;
    arrays.push(errors.finish()?);
    arrow_array::RecordBatch::try_new(schema.clone(), arrays)
}
