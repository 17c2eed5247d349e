//! Arrow rows → JSON records, so a table row goes through exactly the checks a
//! JSON line or CSV row does (docs/policy.md §Records: a null, or a NaN in a
//! float column, is missing).

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Schema};
use serde_json::{Map, Number, Value};

use super::ExtraColumns;
use crate::error::{RecordError, RecordErrorKind};

/// Where one input column goes in the record.
enum Target {
    /// A contract field (or a dotted sub-field such as `ratings.teamwork`).
    Field(String),
    /// An extra column kept under `attributes` (with [`ExtraColumns::Attributes`]).
    Attribute(String),
}

/// Which columns of a schema feed which record fields; checked once per table.
pub(super) struct Plan {
    columns: Vec<(usize, Target)>,
    id_column: Option<usize>,
}

impl Plan {
    /// Maps the schema's columns onto `fields`; unknown and unreadable columns
    /// are reported here, once, instead of as the same error on every row.
    pub(super) fn new(
        schema: &Schema,
        fields: &[&str],
        extra: ExtraColumns,
    ) -> Result<Plan, RecordError> {
        let mut columns = Vec::new();
        let mut id_column = None;
        for (i, f) in schema.fields().iter().enumerate() {
            let name = f.name();
            // pandas writes a non-default index as `__index_level_0__`: not data.
            if name.starts_with("__index_level_") {
                continue;
            }
            check_type(f.data_type()).map_err(|why| column_error(name, why))?;
            let top = name.split('.').next().unwrap_or(name);
            if fields.contains(&top) {
                if name == "id" {
                    id_column = Some(i);
                }
                columns.push((i, Target::Field(name.clone())));
                continue;
            }
            match extra {
                ExtraColumns::Ignore => {}
                ExtraColumns::Attributes => columns.push((i, Target::Attribute(name.clone()))),
                ExtraColumns::Error => {
                    return Err(RecordError {
                        id: None,
                        line: None,
                        field: Some(name.clone()),
                        kind: RecordErrorKind::Unknown {
                            suggestion: crate::model::fields::closest(name, fields)
                                .map(str::to_owned),
                        },
                    })
                }
            }
        }
        Ok(Plan { columns, id_column })
    }

    /// The record in row `row` of `batch` (a batch with the planned schema).
    pub(super) fn record(&self, batch: &RecordBatch, row: usize) -> Value {
        let mut obj = Map::new();
        let mut attributes = Map::new();
        for (i, target) in &self.columns {
            // An integer `id` cell stays a number, for the record reader to
            // refuse as it refuses `{"id": 5}` (docs/policy.md §Records: an id is a string).
            let value = cell(batch.column(*i), row);
            if value.is_null() {
                continue;
            }
            match target {
                Target::Field(name) => insert_path(&mut obj, name, value),
                Target::Attribute(name) => {
                    attributes.insert(name.clone(), value);
                }
            }
        }
        if !attributes.is_empty() {
            match obj.get_mut("attributes") {
                Some(Value::Object(existing)) => existing.extend(attributes),
                // A non-object `attributes` cell is the record's error to report.
                Some(_) => {}
                None => {
                    obj.insert("attributes".into(), Value::Object(attributes));
                }
            }
        }
        Value::Object(obj)
    }

    /// The id of row `row`, for the output's `id` column, even when the record is bad.
    pub(super) fn id(&self, batch: &RecordBatch, row: usize) -> Option<String> {
        let column = batch.column(self.id_column?);
        match cell(column, row) {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// Puts `value` at a dotted path (`ratings.teamwork` → `{"ratings": {"teamwork": …}}`),
/// so flattened tables (pandas' `json_normalize`) give nested records. A path
/// through a non-object value keeps the dotted key for the field reader to reject by name.
fn insert_path(obj: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            obj.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let slot = obj
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            match slot {
                Value::Object(inner) => insert_path(inner, rest, value),
                _ => {
                    obj.insert(path.to_owned(), value);
                }
            }
        }
    }
}

fn column_error(name: &str, why: String) -> RecordError {
    RecordError {
        id: None,
        line: None,
        field: Some(name.to_owned()),
        kind: RecordErrorKind::Malformed(why),
    }
}

/// Whether [`cell`] can read every value of `t`.
fn check_type(t: &DataType) -> Result<(), String> {
    use DataType::*;
    match t {
        Null | Boolean | Int8 | Int16 | Int32 | Int64 | UInt8 | UInt16 | UInt32 | UInt64
        | Float16 | Float32 | Float64 | Utf8 | LargeUtf8 | Utf8View | Date32 | Date64
        | Decimal32(..) | Decimal64(..) | Decimal128(..) | Decimal256(..) => Ok(()),
        // A time zone would make "the date" ambiguous; a naive timestamp is a date and time.
        Timestamp(_, None) => Ok(()),
        List(f) | LargeList(f) | FixedSizeList(f, _) => check_type(f.data_type()),
        Struct(fields) => fields.iter().try_for_each(|f| check_type(f.data_type())),
        Dictionary(_, values) => check_type(values),
        other => Err(format!(
            "column type {other} is not supported: use strings, numbers, booleans, dates, lists or structs"
        )),
    }
}

/// The JSON value of one cell (`Null` when null or NaN). Types were checked by
/// [`check_type`]; a type it let through but cannot read here is `Null` rather than a panic.
fn cell(array: &ArrayRef, row: usize) -> Value {
    cell_dyn(array.as_ref(), row)
}

fn cell_dyn(a: &dyn Array, row: usize) -> Value {
    if a.is_null(row) {
        return Value::Null;
    }
    use DataType::*;
    match a.data_type() {
        Boolean => a
            .as_boolean_opt()
            .map_or(Value::Null, |x| x.value(row).into()),
        Int8 => int::<Int8Type>(a, row),
        Int16 => int::<Int16Type>(a, row),
        Int32 => int::<Int32Type>(a, row),
        Int64 => int::<Int64Type>(a, row),
        UInt8 => int::<UInt8Type>(a, row),
        UInt16 => int::<UInt16Type>(a, row),
        UInt32 => int::<UInt32Type>(a, row),
        UInt64 => int::<UInt64Type>(a, row),
        Float16 => prim::<Float16Type, _>(a, row, |x| float(f64::from(x), x.to_string())),
        Float32 => prim::<Float32Type, _>(a, row, |x| float(f64::from(x), x.to_string())),
        Float64 => prim::<Float64Type, _>(a, row, |x| float(x, x.to_string())),
        Decimal32(p, s) => {
            prim::<Decimal32Type, _>(a, row, |x| number(Decimal32Type::format_decimal(x, *p, *s)))
        }
        Decimal64(p, s) => {
            prim::<Decimal64Type, _>(a, row, |x| number(Decimal64Type::format_decimal(x, *p, *s)))
        }
        Decimal128(p, s) => prim::<Decimal128Type, _>(a, row, |x| {
            number(Decimal128Type::format_decimal(x, *p, *s))
        }),
        Decimal256(p, s) => prim::<Decimal256Type, _>(a, row, |x| {
            number(Decimal256Type::format_decimal(x, *p, *s))
        }),
        Utf8 => a
            .as_string_opt::<i32>()
            .map_or(Value::Null, |x| text(x.value(row))),
        LargeUtf8 => a
            .as_string_opt::<i64>()
            .map_or(Value::Null, |x| text(x.value(row))),
        Utf8View => a
            .as_string_view_opt()
            .map_or(Value::Null, |x| text(x.value(row))),
        Date32 => date(
            a.as_primitive_opt::<Date32Type>()
                .and_then(|x| x.value_as_date(row)),
        ),
        Date64 => date(
            a.as_primitive_opt::<Date64Type>()
                .and_then(|x| x.value_as_date(row)),
        ),
        Timestamp(unit, None) => {
            use arrow_schema::TimeUnit::*;
            let t = match unit {
                Second => a
                    .as_primitive_opt::<TimestampSecondType>()
                    .and_then(|x| x.value_as_datetime(row)),
                Millisecond => a
                    .as_primitive_opt::<TimestampMillisecondType>()
                    .and_then(|x| x.value_as_datetime(row)),
                Microsecond => a
                    .as_primitive_opt::<TimestampMicrosecondType>()
                    .and_then(|x| x.value_as_datetime(row)),
                Nanosecond => a
                    .as_primitive_opt::<TimestampNanosecondType>()
                    .and_then(|x| x.value_as_datetime(row)),
            };
            match t {
                // pandas stores dates as midnight timestamps; any other time is not a date.
                Some(t) if t.time() == chrono::NaiveTime::MIN => date(Some(t.date())),
                Some(t) => Value::String(t.format("%Y-%m-%dT%H:%M:%S%.f").to_string()),
                None => Value::Null,
            }
        }
        List(_) => a
            .as_list_opt::<i32>()
            .map_or(Value::Null, |x| list(&x.value(row))),
        LargeList(_) => a
            .as_list_opt::<i64>()
            .map_or(Value::Null, |x| list(&x.value(row))),
        FixedSizeList(..) => a
            .as_fixed_size_list_opt()
            .map_or(Value::Null, |x| list(&x.value(row))),
        Struct(_) => match a.as_struct_opt() {
            Some(s) => {
                let mut obj = serde_json::Map::new();
                for (name, child) in s.column_names().iter().zip(s.columns()) {
                    let v = cell(child, row);
                    if !v.is_null() {
                        obj.insert((*name).to_owned(), v);
                    }
                }
                Value::Object(obj)
            }
            None => Value::Null,
        },
        Dictionary(..) => match a.as_any_dictionary_opt() {
            Some(d) => match key_at(d.keys(), row) {
                Some(k) if k < d.values().len() => cell(d.values(), k),
                _ => Value::Null,
            },
            None => Value::Null,
        },
        _ => Value::Null,
    }
}

fn prim<T: ArrowPrimitiveType, F: Fn(T::Native) -> Value>(
    a: &dyn Array,
    row: usize,
    f: F,
) -> Value {
    a.as_primitive_opt::<T>()
        .map_or(Value::Null, |x| f(x.value(row)))
}

fn int<T>(a: &dyn Array, row: usize) -> Value
where
    T: ArrowPrimitiveType,
    T::Native: Into<Value>,
{
    prim::<T, _>(a, row, Into::into)
}

/// A float as the shortest decimal that reads back as it (`0.1`, not
/// `0.1000000000000000055511151231257827`): what the analyst typed.
fn float(x: f64, shortest: String) -> Value {
    if x.is_nan() {
        Value::Null
    } else if x.is_infinite() {
        // Not a number the contract accepts: left for the field reader to reject by name.
        Value::String(shortest)
    } else {
        number(shortest)
    }
}

/// A text cell; an empty one is missing, as in a CSV file (CSV readers give `""`, not null).
fn text(cell: &str) -> Value {
    if crate::model::is_missing_cell(cell) {
        Value::Null
    } else {
        Value::String(cell.to_owned())
    }
}

fn number(text: String) -> Value {
    match text.parse::<Number>() {
        Ok(n) => Value::Number(n),
        Err(_) => Value::String(text),
    }
}

fn date(d: Option<chrono::NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| {
        Value::String(d.format("%Y-%m-%d").to_string())
    })
}

fn list(items: &ArrayRef) -> Value {
    // Nulls inside a list are kept: `[a, null]` is the reader's to judge.
    Value::Array((0..items.len()).map(|i| cell(items, i)).collect())
}

fn key_at(keys: &dyn Array, row: usize) -> Option<usize> {
    let v = match keys.data_type() {
        DataType::Int8 => i64::from(keys.as_primitive_opt::<Int8Type>()?.value(row)),
        DataType::Int16 => i64::from(keys.as_primitive_opt::<Int16Type>()?.value(row)),
        DataType::Int32 => i64::from(keys.as_primitive_opt::<Int32Type>()?.value(row)),
        DataType::Int64 => keys.as_primitive_opt::<Int64Type>()?.value(row),
        DataType::UInt8 => i64::from(keys.as_primitive_opt::<UInt8Type>()?.value(row)),
        DataType::UInt16 => i64::from(keys.as_primitive_opt::<UInt16Type>()?.value(row)),
        DataType::UInt32 => i64::from(keys.as_primitive_opt::<UInt32Type>()?.value(row)),
        DataType::UInt64 => {
            i64::try_from(keys.as_primitive_opt::<UInt64Type>()?.value(row)).ok()?
        }
        _ => return None,
    };
    usize::try_from(v).ok()
}
