//! The Arrow PyCapsule interface: tables in and out without per-row Python objects.
//!
//! In: any object with `__arrow_c_stream__` (pyarrow Table or RecordBatchReader,
//! polars DataFrame, pandas DataFrame) hands over an `ArrowArrayStream`.
//! Out: [`ResultStream`] exposes `__arrow_c_stream__`, so `pyarrow.table()`,
//! `polars.DataFrame()` and others import the result zero-copy.

use std::ffi::CStr;
use std::sync::Mutex;

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{RecordBatch, RecordBatchIterator, RecordBatchReader};
use arrow_schema::ffi::FFI_ArrowSchema;
use arrow_schema::SchemaRef;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods};

const STREAM: &CStr = c"arrow_array_stream";

/// Reads every batch of `table`'s Arrow stream (with the GIL held: a producer
/// written in Python may need it).
pub fn import(table: &Bound<'_, PyAny>) -> PyResult<(SchemaRef, Vec<RecordBatch>)> {
    if !table.hasattr("__arrow_c_stream__")? {
        let name = table.get_type().name()?;
        return Err(PyTypeError::new_err(format!(
            "expected a table with the Arrow PyCapsule interface (`__arrow_c_stream__`: a pyarrow \
             Table or RecordBatchReader, a polars DataFrame, a pandas DataFrame), got {name}"
        )));
    }
    // pandas converts through pyarrow here: a column it cannot type (numbers and
    // text mixed in one object column) fails now, and is reported as kam's error.
    let capsule = table
        .call_method1("__arrow_c_stream__", (table.py().None(),))
        .map_err(|e| unreadable(table.py(), e))?;
    let capsule = capsule
        .cast::<PyCapsule>()
        .map_err(|_| PyTypeError::new_err("__arrow_c_stream__ did not return a PyCapsule"))?;
    let pointer = capsule.pointer_checked(Some(STREAM))?;
    // SAFETY: a capsule named "arrow_array_stream" holds an FFI_ArrowArrayStream
    // (the PyCapsule interface's contract). `from_raw` moves the stream out and
    // leaves a released one behind, so the capsule's destructor does not free it twice.
    let mut stream = unsafe { FFI_ArrowArrayStream::from_raw(pointer.cast().as_ptr()) };
    check_type_depth(&mut stream)?;
    let reader = RecordBatchStreamReader::try_new(stream)
        .map_err(|e| PyValueError::new_err(format!("cannot read the Arrow stream: {e}")))?;
    let schema = reader.schema();
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| PyValueError::new_err(format!("cannot read the Arrow stream: {e}")))?;
    Ok((schema, batches))
}

/// Deepest column type accepted (a struct in a list is 2 levels).
const MAX_TYPE_DEPTH: usize = 64;

/// arrow-rs converts an imported schema recursively, so a column type nested
/// a few thousand levels deep overflowed the stack and killed the interpreter
/// (SIGSEGV: no error to catch). The depth is measured first, without recursion.
fn check_type_depth(stream: &mut FFI_ArrowArrayStream) -> PyResult<()> {
    // A stream without a schema callback, or whose callback fails, is
    // reported by `RecordBatchStreamReader::try_new` with the producer's error.
    let Some(get_schema) = stream.get_schema() else {
        return Ok(());
    };
    let mut schema = FFI_ArrowSchema::empty();
    // SAFETY: the stream's own callback, called with that stream and a fresh
    // schema to fill (the C stream interface's contract); `schema` releases
    // what it receives when dropped.
    if unsafe { get_schema(stream, &mut schema) } != 0 {
        return Ok(());
    }
    let mut todo = vec![(&schema, 0usize)];
    while let Some((s, depth)) = todo.pop() {
        if depth > MAX_TYPE_DEPTH {
            return Err(PyValueError::new_err(format!(
                "cannot read the Arrow stream: a column's type is nested more than \
                 {MAX_TYPE_DEPTH} levels deep"
            )));
        }
        todo.extend(s.children().map(|c| (c, depth + 1)));
        todo.extend(s.dictionary().map(|d| (d, depth + 1)));
    }
    Ok(())
}

/// A table that could not be exported to Arrow, as a `kam.RecordError` caused by the original.
fn unreadable(py: Python<'_>, cause: PyErr) -> PyErr {
    let err = crate::errors::to_py(
        py,
        &kam::Error::from(kam::RecordError::from(kam::RecordErrorKind::Malformed(
            format!(
                "the table cannot be read as Arrow ({}); give each column one type",
                cause.value(py)
            ),
        ))),
    );
    err.set_cause(py, Some(cause));
    err
}

/// An exported stream in a capsule; `Send` so pyo3 may drop it on any thread.
#[repr(transparent)]
struct Exported(FFI_ArrowArrayStream);
// SAFETY: the stream owns its batches (Arc'd, immutable) and its reader is
// `Send`; nothing in it is tied to the thread that made it.
unsafe impl Send for Exported {}

/// A scored table, importable by anything that speaks the Arrow PyCapsule
/// interface (`pyarrow.table(s)`, `polars.DataFrame(s)`); may be read many times.
#[pyclass(module = "kam", name = "ResultStream", frozen)]
pub struct ResultStream {
    schema: SchemaRef,
    batches: Mutex<Vec<RecordBatch>>,
}

impl ResultStream {
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Self {
        ResultStream {
            schema,
            batches: Mutex::new(batches),
        }
    }
}

#[pymethods]
impl ResultStream {
    /// Exports the table as an `ArrowArrayStream` capsule (the PyCapsule interface).
    /// `requested_schema` is ignored: the result's types are fixed and documented.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let batches = match self.batches.lock() {
            Ok(b) => b.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let reader: Box<dyn RecordBatchReader + Send> = Box::new(RecordBatchIterator::new(
            batches.into_iter().map(Ok),
            self.schema.clone(),
        ));
        PyCapsule::new_with_value(py, Exported(FFI_ArrowArrayStream::new(reader)), STREAM)
    }

    /// Number of rows.
    fn __len__(&self) -> usize {
        match self.batches.lock() {
            Ok(b) => b.iter().map(RecordBatch::num_rows).sum(),
            Err(poisoned) => poisoned
                .into_inner()
                .iter()
                .map(RecordBatch::num_rows)
                .sum(),
        }
    }

    /// Column names, in order.
    #[getter]
    fn column_names(&self) -> Vec<String> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    }
}
