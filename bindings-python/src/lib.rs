//! Python bindings for kam (`import kam`): types and errors translated, nothing else.
//!
//! Every evaluation releases the GIL (`py.detach`) and runs on the core's
//! thread pool; every panic is caught at this boundary and raised as a
//! `KamError`, never as `PanicException`.

mod arrow;
mod convert;
mod errors;

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use serde_json::Value;

use kam::table::{self, ExtraColumns, TableOptions};
use kam::{Error, Limits};

/// Runs `f` without the GIL; a panic becomes a `KamError` instead of crossing into Python.
fn detached<T: Send>(py: Python<'_>, what: &str, f: impl FnOnce() -> T + Send) -> PyResult<T> {
    py.detach(|| catch_unwind(AssertUnwindSafe(f)))
        .map_err(|_| errors::internal(py, what))
}

/// Sandbox limits from the `limits=` dict (`None` keeps kam's safe
/// defaults); the core reads and checks the names and values.
fn limits(options: Option<&Bound<'_, PyDict>>) -> PyResult<Limits> {
    let Some(options) = options else {
        return Ok(Limits::default());
    };
    // In a record NaN means "missing"; here it would silently mean "no limit".
    for (key, value) in options.iter() {
        if value.extract::<f64>().is_ok_and(f64::is_nan) {
            return Err(PyValueError::new_err(format!(
                "limits: {key}: NaN is not a limit (None means no time limit)"
            )));
        }
    }
    let json = convert::to_json("", options.as_any()).map_err(|e| {
        let key = e.field.as_deref().unwrap_or("limits");
        PyValueError::new_err(format!("limits: {key}: {}", e.kind))
    })?;
    Limits::from_json(&json).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The engine `engine=` names (`None`: the process default, the compiler
/// unless `KAM_ENGINE` says otherwise).
fn engine(name: Option<&str>) -> PyResult<Option<kam::Engine>> {
    name.map(|n| {
        kam::Engine::named(n).ok_or_else(|| {
            PyValueError::new_err(format!(
                "engine must be one of {}, got {n:?}",
                kam::Engine::NAMES.join(", ")
            ))
        })
    })
    .transpose()
}

fn limits_dict<'py>(py: Python<'py>, l: &Limits) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("max_operations", l.max_operations)?;
    d.set_item("max_call_levels", l.max_call_levels)?;
    d.set_item("max_expr_depth", l.max_expr_depth)?;
    d.set_item("max_string_size", l.max_string_size)?;
    d.set_item("max_array_size", l.max_array_size)?;
    d.set_item("max_map_size", l.max_map_size)?;
    d.set_item("max_seconds", l.max_duration.map(|d| d.as_secs_f64()))?;
    Ok(d)
}

fn extra_columns(name: &str) -> PyResult<TableOptions> {
    let extra = match name {
        "error" => ExtraColumns::Error,
        "ignore" => ExtraColumns::Ignore,
        "attributes" => ExtraColumns::Attributes,
        other => {
            return Err(PyValueError::new_err(format!(
                "extra_columns must be 'error', 'ignore' or 'attributes', not {other:?}"
            )))
        }
    };
    Ok(TableOptions::with_extra_columns(extra))
}

/// Test case files bundled with a policy (`tests/*.json`), run by `check()`.
type CaseFiles = BTreeMap<String, String>;

/// A compiled key-account policy. Immutable and safe to share between threads.
#[pyclass(module = "kam", name = "Policy", frozen)]
struct Policy {
    inner: kam::Policy,
    cases: CaseFiles,
}

impl Policy {
    fn build(
        py: Python<'_>,
        files: BTreeMap<String, String>,
        cases: CaseFiles,
        limits: Limits,
        engine: Option<kam::Engine>,
    ) -> PyResult<Self> {
        let built = detached(py, "loading the policy", || {
            kam::Policy::from_sources_with_limits(files, limits).map(|p| match engine {
                Some(e) => p.with_engine(e),
                None => p,
            })
        })?;
        match built {
            Ok(inner) => Ok(Policy { inner, cases }),
            Err(e) => Err(errors::policy_error(py, &e)),
        }
    }

    /// Converts `records`, evaluates the good ones without the GIL, and lays
    /// out one dict per record (a `{"id", "error"}` dict for a bad one, the
    /// error in its wire form). A policy without the `entry` point raises its
    /// `PolicyError` once, before any record is read.
    fn evaluate_many<'py, R: Send>(
        policy: &kam::Policy,
        py: Python<'py>,
        entry: &str,
        records: &Bound<'py, PyAny>,
        eval: impl Fn(&kam::Policy, &Value) -> Result<R, Error> + Sync + Send,
        out: impl Fn(Python<'py>, &R) -> PyResult<Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyList>> {
        if records.hasattr("__arrow_c_stream__")? {
            return Err(PyTypeError::new_err(
                "records must be an iterable of dicts; score a table with score_customers / score_staff",
            ));
        }
        policy
            .require(&[entry])
            .map_err(|e| errors::policy_error(py, &e))?;
        let inputs: Vec<Result<Value, Error>> = records
            .try_iter()
            .map_err(|_| PyTypeError::new_err("records must be an iterable of dicts"))?
            .map(|r| Ok(convert::record(&r?).map_err(Error::from)))
            .collect::<PyResult<_>>()?;
        let results = detached(py, "evaluating records", || {
            kam::batch::map(&inputs, |r| match r {
                Ok(v) => eval(policy, v),
                Err(e) => Err(e.clone()),
            })
        })?;
        let list = PyList::empty(py);
        for r in &results {
            match r {
                Ok(r) => list.append(out(py, r)?)?,
                Err(e) => {
                    let d = PyDict::new(py);
                    d.set_item("id", e.record_id())?;
                    d.set_item("error", errors::error_dict(py, e)?)?;
                    list.append(d)?;
                }
            }
        }
        Ok(list)
    }

    fn evaluate_one<'py, R: Send>(
        policy: &kam::Policy,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        eval: impl Fn(&kam::Policy, &Value) -> Result<R, Error> + Sync + Send,
        out: impl Fn(Python<'py>, &R) -> PyResult<Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let value = convert::record(record).map_err(|e| errors::to_py(py, &Error::from(e)))?;
        match detached(py, "evaluating a record", || eval(policy, &value))? {
            Ok(r) => out(py, &r),
            Err(e) => Err(errors::to_py(py, &e)),
        }
    }

    /// The policy explaining its results as `reasons` (`"none"`, `"codes"`,
    /// `"full"`) asks, in `lang` (default: the policy's first language).
    fn explained(&self, lang: Option<&str>, reasons: &str) -> PyResult<kam::Policy> {
        let mode = kam::Reasons::named(reasons).ok_or_else(|| {
            PyValueError::new_err(format!(
                "reasons must be one of {}, got {reasons:?}",
                kam::Reasons::NAMES.join(", ")
            ))
        })?;
        self.inner
            .explained(mode, lang)
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// The scored table, as a pyarrow Table when pyarrow is installed.
    fn table<'py>(py: Python<'py>, scored: table::Scored) -> PyResult<Bound<'py, PyAny>> {
        let stream = Bound::new(py, arrow::ResultStream::new(scored.schema, scored.batches))?;
        match py.import("pyarrow") {
            Ok(pa) => pa.getattr("table")?.call1((stream,)),
            Err(_) => Ok(stream.into_any()),
        }
    }
}

#[pymethods]
impl Policy {
    /// Loads the policy in directory `path` (every `.rhai` file; `tests/*.json` are its test cases).
    ///
    /// `limits` sets the sandbox limits per record, e.g. `{"max_operations": 50_000,
    /// "max_seconds": 0.5}`; names left out keep kam's defaults. Each must be at
    /// least 1, the depth limits can only be lowered, and `max_seconds=None` turns
    /// the clock off; anything else raises `ValueError` naming the limit.
    ///
    /// `engine` chooses what runs the rules: `"compiled"` (the default, unless
    /// the environment sets `KAM_ENGINE=interpreted`) or `"interpreted"`
    /// (rhai's interpreter, the reference). Both give the same answers.
    #[staticmethod]
    #[pyo3(signature = (path, *, limits = None, engine = None))]
    fn from_dir(
        py: Python<'_>,
        path: PathBuf,
        limits: Option<&Bound<'_, PyDict>>,
        engine: Option<&str>,
    ) -> PyResult<Self> {
        let limits = self::limits(limits)?;
        let engine = self::engine(engine)?;
        let files = kam::Policy::read_sources(&path).map_err(|e| errors::policy_error(py, &e))?;
        let cases = read_cases(&path)?;
        Self::build(py, files, cases, limits, engine)
    }

    /// Compiles a policy from `{file name: source text}`; `tests/*.json` entries are its test cases.
    /// `limits` and `engine` as for `from_dir`.
    #[staticmethod]
    #[pyo3(signature = (sources, *, limits = None, engine = None))]
    fn from_sources(
        py: Python<'_>,
        sources: BTreeMap<String, String>,
        limits: Option<&Bound<'_, PyDict>>,
        engine: Option<&str>,
    ) -> PyResult<Self> {
        let limits = self::limits(limits)?;
        let engine = self::engine(engine)?;
        let (files, cases) = kam::cases::split_sources(sources);
        Self::build(py, files, cases, limits, engine)
    }

    /// The engine running the rules: `"compiled"`, or `"interpreted"` when
    /// asked for or when the policy uses a construct the compiler does not
    /// cover (see `compile_fallback`).
    #[getter]
    fn engine(&self) -> &'static str {
        self.inner.engine_in_use().name()
    }

    /// Why the compiler does not cover this policy, with file, line and
    /// column (`None`: it does; such a policy runs interpreted, same answers).
    #[getter]
    fn compile_fallback(&self) -> Option<String> {
        self.inner
            .with_engine(kam::Engine::Compiled)
            .compile_fallback()
            .map(ToString::to_string)
    }

    /// The policy's declared name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.info().name
    }

    /// The policy's declared version.
    #[getter]
    fn version(&self) -> &str {
        &self.inner.info().version
    }

    /// `sha256:…` over every policy file: every result names the exact rules that made it.
    #[getter]
    fn digest(&self) -> &str {
        &self.inner.info().digest
    }

    /// Tier labels, best first.
    #[getter]
    fn tiers(&self) -> Vec<String> {
        self.inner.tiers().to_vec()
    }

    /// `{file name: source text}` of the policy and its test cases.
    #[getter]
    fn sources(&self) -> BTreeMap<String, String> {
        let mut all = self.inner.sources().clone();
        all.extend(self.cases.clone());
        all
    }

    /// The languages the policy has messages in, default first.
    #[getter]
    fn languages(&self) -> Vec<String> {
        self.inner.languages()
    }

    /// The sandbox limits every evaluation runs under.
    #[getter]
    fn limits<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        limits_dict(py, self.inner.limits())
    }

    /// Runs the policy's own test cases (`tests/*.json`, from its directory or its
    /// sources): one diagnostic `{"file", "line", "column", "message"}` per failing
    /// case or unreadable case file; `[]` when all pass (or there are none).
    fn check<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let policy = &self.inner;
        let cases = &self.cases;
        let diagnostics = detached(py, "running test cases", || {
            kam::cases::check(policy, cases)
        })?;
        let list = PyList::empty(py);
        for d in &diagnostics {
            list.append(errors::diagnostic(py, d)?)?;
        }
        Ok(list)
    }

    /// Evaluates one customer on `as_of` (a date or ISO string; default today).
    /// Raises `RecordError` or `RuleError`.
    #[pyo3(signature = (record, as_of = None, *, lang = None, reasons = "full"))]
    fn evaluate_customer<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        as_of: Option<&Bound<'py, PyAny>>,
        lang: Option<&str>,
        reasons: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let as_of = convert::as_of(py, as_of)?;
        Self::evaluate_one(
            &self.explained(lang, reasons)?,
            py,
            record,
            |p, v| p.evaluate_customer_json(v, as_of),
            |py, r| convert::result(py, r),
        )
    }

    /// Evaluates many customers in parallel: one dict per record, in order;
    /// a bad record gives `{"id": …, "error": {kind, code, record_id, field, message, …}}`
    /// (the error's wire form). Raises `PolicyError` once when the policy
    /// defines no `customer` entry point.
    #[pyo3(signature = (records, as_of = None, *, lang = None, reasons = "full"))]
    fn evaluate_customers<'py>(
        &self,
        py: Python<'py>,
        records: &Bound<'py, PyAny>,
        as_of: Option<&Bound<'py, PyAny>>,
        lang: Option<&str>,
        reasons: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let as_of = convert::as_of(py, as_of)?;
        Self::evaluate_many(
            &self.explained(lang, reasons)?,
            py,
            "customer",
            records,
            |p, v| p.evaluate_customer_json(v, as_of),
            |py, r| convert::result(py, r),
        )
    }

    /// Scores one staff-month. Raises `RecordError` or `RuleError`.
    #[pyo3(signature = (record, *, lang = None, reasons = "full"))]
    fn evaluate_staff<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        lang: Option<&str>,
        reasons: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        Self::evaluate_one(
            &self.explained(lang, reasons)?,
            py,
            record,
            |p, v| p.evaluate_staff_json(v),
            |py, r| convert::result(py, r),
        )
    }

    /// Scores many staff-months in parallel: one dict per record, in order (errors as
    /// in `evaluate_customers`).
    #[pyo3(signature = (records, *, lang = None, reasons = "full"))]
    fn evaluate_staff_batch<'py>(
        &self,
        py: Python<'py>,
        records: &Bound<'py, PyAny>,
        lang: Option<&str>,
        reasons: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        Self::evaluate_many(
            &self.explained(lang, reasons)?,
            py,
            "staff",
            records,
            |p, v| p.evaluate_staff_json(v),
            |py, r| convert::result(py, r),
        )
    }

    /// Scores a whole table of customers (pyarrow, polars, pandas: anything with
    /// `__arrow_c_stream__`) in parallel without the GIL. Returns a pyarrow Table
    /// (or a `ResultStream` when pyarrow is not installed) with one row per input
    /// row: `id`, the decisions as columns, and `error` for bad rows.
    #[pyo3(signature = (table, as_of = None, *, extra_columns = "error", lang = None, reasons = "full"))]
    fn score_customers<'py>(
        &self,
        py: Python<'py>,
        table: &Bound<'py, PyAny>,
        as_of: Option<&Bound<'py, PyAny>>,
        extra_columns: &str,
        lang: Option<&str>,
        reasons: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let as_of = convert::as_of(py, as_of)?;
        let options = self::extra_columns(extra_columns)?;
        let policy = &self.explained(lang, reasons)?;
        let (schema, batches) = arrow::import(table)?;
        let scored = detached(py, "scoring a table", || {
            table::score_customers(policy, &schema, &batches, as_of, &options)
        })?
        .map_err(|e| errors::to_py(py, &e))?;
        Self::table(py, scored)
    }

    /// Scores a whole table of staff-months, like `score_customers`.
    #[pyo3(signature = (table, *, extra_columns = "error", lang = None, reasons = "full"))]
    fn score_staff<'py>(
        &self,
        py: Python<'py>,
        table: &Bound<'py, PyAny>,
        extra_columns: &str,
        lang: Option<&str>,
        reasons: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = self::extra_columns(extra_columns)?;
        let policy = &self.explained(lang, reasons)?;
        let (schema, batches) = arrow::import(table)?;
        let scored = detached(py, "scoring a table", || {
            table::score_staff(policy, &schema, &batches, &options)
        })?
        .map_err(|e| errors::to_py(py, &e))?;
        Self::table(py, scored)
    }

    /// Pickles as its sources, limits and engine; unpickling recompiles them (same digest).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let this = slf.get();
        let kwargs = PyDict::new(py);
        kwargs.set_item("limits", limits_dict(py, this.inner.limits())?)?;
        kwargs.set_item("engine", this.engine())?;
        let rebuild = py.import("kam._errors")?.getattr("_rebuild_policy")?;
        PyTuple::new(
            py,
            [
                rebuild,
                PyTuple::new(
                    py,
                    [
                        this.sources().into_pyobject(py)?.into_any(),
                        kwargs.into_any(),
                    ],
                )?
                .into_any(),
            ],
        )
    }

    fn __repr__(&self) -> String {
        let info = self.inner.info();
        format!(
            "<kam.Policy {:?} version {:?} {}>",
            info.name, info.version, info.digest
        )
    }
}

/// The `tests/*.json` case files next to a policy, keyed `tests/<name>`; none when absent.
fn read_cases(dir: &std::path::Path) -> PyResult<CaseFiles> {
    let Ok(entries) = std::fs::read_dir(dir.join("tests")) else {
        return Ok(CaseFiles::new());
    };
    let mut cases = CaseFiles::new();
    for path in entries.flatten().map(|e| e.path()) {
        if path.extension().is_some_and(|x| x == "json") {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| PyValueError::new_err(format!("{}: {e}", path.display())))?;
            cases.insert(format!("tests/{name}"), text);
        }
    }
    Ok(cases)
}

#[pymodule]
fn _kam(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Policy>()?;
    m.add_class::<arrow::ResultStream>()?;
    m.add("DECIMAL_PRECISION", table::DECIMAL_PRECISION)?;
    m.add("DECIMAL_SCALE", table::DECIMAL_SCALE)?;
    Ok(())
}
