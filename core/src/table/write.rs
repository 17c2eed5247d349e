//! The builders of result columns, one per Arrow type a result field can
//! have (the layout in `layout.rs` picks them): decimals as
//! `decimal128(38, 28)`, dates as `date32`, text guarded against arrow's
//! 2 GiB offsets.

use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Decimal128Builder, Int64Builder, StringBuilder,
};
use arrow_array::types::Date32Type;
use arrow_array::{ArrayRef, ListArray, StructArray};
use arrow_buffer::{NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{ArrowError, DataType, Field, Fields};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::Error;

/// Precision of every decimal column.
pub const DECIMAL_PRECISION: u8 = 38;
/// Scale of every decimal column: rust_decimal's largest, so every value kam
/// computes below 10^10 is stored exactly.
pub const DECIMAL_SCALE: i8 = 28;

pub(super) fn decimal_type() -> DataType {
    DataType::Decimal128(DECIMAL_PRECISION, DECIMAL_SCALE)
}

/// `d` as a `decimal128(38, 28)` integer, or `None` when it does not fit (|d| ≥ 10^10).
pub(super) fn decimal_units(d: Decimal) -> Option<i128> {
    let shift = u32::try_from(i64::from(DECIMAL_SCALE) - i64::from(d.scale())).ok()?;
    let units = d.mantissa().checked_mul(10i128.checked_pow(shift)?)?;
    (units.unsigned_abs() < 10u128.pow(u32::from(DECIMAL_PRECISION))).then_some(units)
}

pub(super) fn field(name: &str, t: DataType) -> Field {
    Field::new(name, t, true)
}

fn error_fields() -> Fields {
    Fields::from(vec![
        field("kind", DataType::Utf8),
        field("code", DataType::Utf8),
        field("record_id", DataType::Utf8),
        field("field", DataType::Utf8),
        field("message", DataType::Utf8),
        field("file", DataType::Utf8),
        field("line", DataType::Int64),
        field("column", DataType::Int64),
    ])
}

pub(super) fn error_type() -> DataType {
    DataType::Struct(error_fields())
}

/// A nullable text column.
#[derive(Default)]
pub(super) struct Text(StringBuilder, Overflow);
impl Text {
    pub(super) fn push(&mut self, v: Option<&str>) {
        match v {
            Some(v) if !self.1.fits(self.0.values_slice().len(), v.len()) => self.0.append_null(),
            v => self.0.append_option(v),
        }
    }
    pub(super) fn finish(mut self) -> Result<ArrayRef, ArrowError> {
        self.1.check()?;
        Ok(Arc::new(self.0.finish()))
    }
}

/// Arrow's `utf8` offsets are `i32`: one column of one batch holds at most
/// 2 GiB of text, and arrow's builder panics past that. A policy can write
/// 64 KiB reasons (more with raised limits), so the writers check first and
/// report the batch as too big instead.
#[derive(Default)]
pub(super) struct Overflow(bool);
impl Overflow {
    fn fits(&mut self, have: usize, add: usize) -> bool {
        let fits = have
            .checked_add(add)
            .is_some_and(|n| i32::try_from(n).is_ok());
        self.0 |= !fits;
        fits
    }
    fn check(&self) -> Result<(), ArrowError> {
        if self.0 {
            return Err(ArrowError::ComputeError(
                "a text column of one batch would hold over 2 GiB, arrow's limit: \
                 score with a smaller batch_rows"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// A nullable `date32` column.
#[derive(Default)]
pub(super) struct Dates(Date32Builder);
impl Dates {
    pub(super) fn push(&mut self, v: Option<NaiveDate>) {
        self.0.append_option(v.map(Date32Type::from_naive_date));
    }
    pub(super) fn finish(mut self) -> Result<ArrayRef, ArrowError> {
        Ok(Arc::new(self.0.finish()))
    }
}

/// A nullable boolean column.
#[derive(Default)]
pub(super) struct Bools(BooleanBuilder);
impl Bools {
    pub(super) fn push(&mut self, v: Option<bool>) {
        self.0.append_option(v);
    }
    pub(super) fn finish(mut self) -> Result<ArrayRef, ArrowError> {
        Ok(Arc::new(self.0.finish()))
    }
}

/// A nullable int64 column.
#[derive(Default)]
pub(super) struct Ints(Int64Builder);
impl Ints {
    pub(super) fn push(&mut self, v: Option<i64>) {
        self.0.append_option(v);
    }
    pub(super) fn finish(mut self) -> Result<ArrayRef, ArrowError> {
        Ok(Arc::new(self.0.finish()))
    }
}

/// A nullable `decimal128(38, 28)` column; values were checked with [`decimal_units`].
#[derive(Default)]
pub(super) struct Decimals(Vec<Option<i128>>);
impl Decimals {
    pub(super) fn push(&mut self, v: Option<i128>) {
        self.0.push(v);
    }
    pub(super) fn finish(self) -> Result<ArrayRef, ArrowError> {
        let mut b = Decimal128Builder::with_capacity(self.0.len())
            .with_precision_and_scale(DECIMAL_PRECISION, DECIMAL_SCALE)?;
        b.extend(self.0);
        Ok(Arc::new(b.finish()))
    }
}

/// Offsets and validity of a list column whose items are built separately.
pub(super) struct ListShape {
    offsets: Vec<i32>,
    valid: Vec<bool>,
}
impl Default for ListShape {
    fn default() -> Self {
        ListShape {
            offsets: vec![0],
            valid: Vec::new(),
        }
    }
}
impl ListShape {
    /// Closes a row holding `len` items (`None`: a null list).
    pub(super) fn push(&mut self, len: Option<usize>) -> Result<(), ArrowError> {
        let last = self.offsets.last().copied().unwrap_or(0);
        let next = i32::try_from(len.unwrap_or(0))
            .ok()
            .and_then(|n| last.checked_add(n))
            .ok_or_else(|| ArrowError::ComputeError("list offsets overflow".into()))?;
        self.offsets.push(next);
        self.valid.push(len.is_some());
        Ok(())
    }
    pub(super) fn finish(self, item: Field, values: ArrayRef) -> Result<ArrayRef, ArrowError> {
        let nulls = NullBuffer::from(self.valid);
        let nulls = (nulls.null_count() > 0).then_some(nulls);
        Ok(Arc::new(ListArray::try_new(
            Arc::new(item),
            OffsetBuffer::new(ScalarBuffer::from(self.offsets)),
            values,
            nulls,
        )?))
    }
}

/// The `error` column: null for a good row, the error's wire form
/// (`kam::error`: `{kind, code, record_id, field, message, file, line, column}`)
/// for a bad one.
#[derive(Default)]
pub(super) struct Errors {
    valid: Vec<bool>,
    kind: Text,
    code: Text,
    record_id: Text,
    field: Text,
    message: Text,
    file: Text,
    line: Ints,
    column: Ints,
}
impl Errors {
    pub(super) fn push(&mut self, e: Option<&Error>) {
        self.valid.push(e.is_some());
        let wire = e.map(Error::to_json).unwrap_or_default();
        let text = |key: &str| wire.get(key).and_then(Value::as_str);
        let int = |key: &str| wire.get(key).and_then(Value::as_i64);
        self.kind.push(text("kind"));
        self.code.push(text("code"));
        self.record_id.push(text("record_id"));
        self.field.push(text("field"));
        self.message.push(text("message"));
        self.file.push(text("file"));
        self.line.push(int("line"));
        self.column.push(int("column"));
    }
    pub(super) fn finish(self) -> Result<ArrayRef, ArrowError> {
        let nulls = NullBuffer::from(self.valid);
        Ok(Arc::new(StructArray::try_new(
            error_fields(),
            vec![
                self.kind.finish()?,
                self.code.finish()?,
                self.record_id.finish()?,
                self.field.finish()?,
                self.message.finish()?,
                self.file.finish()?,
                self.line.finish()?,
                self.column.finish()?,
            ],
            Some(nulls),
        )?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2 GiB of text is too much memory for a test; the bound itself is checked.
    #[test]
    fn text_past_arrows_2_gib_offsets_is_an_error_not_a_panic() {
        let max = i32::MAX as usize;
        let mut o = Overflow::default();
        assert!(o.fits(max - 10, 10));
        assert!(o.check().is_ok());
        assert!(!o.fits(max - 10, 11));
        assert!(!o.fits(usize::MAX, 1));
        let e = o.check().unwrap_err().to_string();
        assert!(e.contains("batch_rows"), "{e}");
    }
}
