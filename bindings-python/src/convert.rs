//! Python values ↔ kam's records and results.
//!
//! Records go in as the same JSON a JSON line would be, so a dict gets exactly
//! the checks and answers a file does. Results come out as dicts of the contract's
//! shape with exact types: `decimal.Decimal` for every decimal, `datetime.date`
//! for dates, `int` for counts.

use chrono::NaiveDate;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

use kam::model::{Declared, Ty};
use kam::{RecordError, RecordErrorKind};
use serde::Serialize;

static DECIMAL: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn decimal_class(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    DECIMAL.import(py, "decimal", "Decimal")
}

/// A record error for a value that has no JSON meaning (a set, an object…).
fn unsupported(path: &str, v: &Bound<'_, PyAny>) -> RecordError {
    let found = v
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an unknown type".into());
    let mut e = RecordError::from(RecordErrorKind::Invalid {
        expected: "str, int, float, Decimal, bool, date, list, dict or None".into(),
        found,
    });
    e.field = (!path.is_empty()).then(|| path.to_owned());
    e
}

fn invalid(path: &str, expected: &str, found: &str) -> RecordError {
    let mut e = RecordError::from(RecordErrorKind::Invalid {
        expected: expected.into(),
        found: found.into(),
    });
    e.field = (!path.is_empty()).then(|| path.to_owned());
    e
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// A number's text as a JSON number (exact digits), or the text itself for the
/// field reader to reject by name (`inf`, `NaN`).
fn number(text: String) -> Value {
    match text.parse::<Number>() {
        Ok(n) => Value::Number(n),
        Err(_) => Value::String(text),
    }
}

/// How deeply a Python value may nest: as deep as a JSON line may (serde_json's
/// limit). Converting recurses once per level, so without a limit 100,000
/// nested dicts, or a list that contains itself, overflowed the native stack.
const MAX_DEPTH: usize = 128;

/// A Python value as the JSON a record field would hold.
///
/// `None` and a float NaN are missing (docs/policy.md §Records: how pandas writes
/// a missing number); a float becomes its shortest decimal (`0.1`, as typed), a
/// `Decimal` its exact digits; a date its ISO text, a datetime at midnight
/// its date.
pub fn to_json(path: &str, v: &Bound<'_, PyAny>) -> Result<Value, RecordError> {
    to_json_at(path, v, 0)
}

fn to_json_at(path: &str, v: &Bound<'_, PyAny>, depth: usize) -> Result<Value, RecordError> {
    if depth > MAX_DEPTH {
        let mut e = RecordError::from(RecordErrorKind::Invalid {
            expected: format!("a value nested at most {MAX_DEPTH} levels deep"),
            found: "a deeper (or self-containing) value".into(),
        });
        e.field = (!path.is_empty()).then(|| path.to_owned());
        return Err(e);
    }
    let py = v.py();
    if v.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return s
            .to_str()
            .map(|s| Value::String(s.to_owned()))
            .map_err(|_| invalid(path, "text in Unicode", "a lone surrogate"));
    }
    if v.is_instance_of::<PyInt>() {
        // Python refuses str() of an int over 4,300 digits; no amount is that long.
        return Ok(number(
            v.str()
                .map_err(|_| invalid(path, "a number", "an integer of over 4,300 digits"))?
                .to_string(),
        ));
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        let x = f.value();
        return Ok(if x.is_nan() {
            Value::Null
        } else {
            number(format!("{x}"))
        });
    }
    if let Ok(class) = decimal_class(py) {
        if v.is_instance(class).unwrap_or(false) {
            // Fixed-point text: `Decimal("1E+3")` is 1000, never exponent notation.
            let text = v
                .call_method1("__format__", ("f",))
                .and_then(|t| t.extract::<String>())
                .map_err(|_| unsupported(path, v))?;
            return Ok(number(text));
        }
    }
    if let Ok(dt) = v.cast::<PyDateTime>() {
        let text = dt
            .call_method0("isoformat")
            .and_then(|t| t.extract::<String>())
            .map_err(|_| unsupported(path, v))?;
        return Ok(Value::String(
            text.strip_suffix("T00:00:00").unwrap_or(&text).to_owned(),
        ));
    }
    if v.is_instance_of::<PyDate>() {
        let d: NaiveDate = v.extract().map_err(|_| unsupported(path, v))?;
        return Ok(Value::String(d.format("%Y-%m-%d").to_string()));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut obj = Map::new();
        for (k, item) in d.iter() {
            let key: String = k.extract().map_err(|_| unsupported(path, &k))?;
            let value = to_json_at(&join(path, &key), &item, depth + 1)?;
            obj.insert(key, value);
        }
        return Ok(Value::Object(obj));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let items = v
            .try_iter()
            .map_err(|_| unsupported(path, v))?
            .enumerate()
            .map(|(i, item)| {
                let item = item.map_err(|_| unsupported(path, v))?;
                to_json_at(&format!("{path}[{i}]"), &item, depth + 1)
            })
            .collect::<Result<_, _>>()?;
        return Ok(Value::Array(items));
    }
    // pandas' missing markers (`pd.NA`, `pd.NaT`) are missing values.
    if let Ok(name) = v.get_type().name() {
        if matches!(name.to_str(), Ok("NAType" | "NaTType")) {
            return Ok(Value::Null);
        }
    }
    // numpy scalars (numpy.int64, numpy.bool_, …) know their Python value.
    if let Ok(item) = v.call_method0("item") {
        if !item.is(v) && !item.get_type().is(v.get_type()) {
            return to_json_at(path, &item, depth + 1);
        }
    }
    if v.hasattr("__index__").unwrap_or(false) {
        if let Ok(i) = v.call_method0("__index__") {
            return to_json_at(path, &i, depth + 1);
        }
    }
    Err(unsupported(path, v))
}

/// A dict (or any mapping) as a record, or the record error that replaces it;
/// the error names the record's id when the dict has a readable one (a text
/// or integer `id`, as the core reads it), even if a value cannot be converted.
/// Any other value with a JSON meaning (a list, a number, `None`) goes to the
/// core as it is, which refuses it exactly as it refuses that JSON line.
pub fn record(v: &Bound<'_, PyAny>) -> Result<Value, RecordError> {
    let Ok(dict) = v.cast::<PyDict>() else {
        if let Ok(value) = to_json("", v) {
            return Ok(value);
        }
        let found = v
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        return Err(RecordError::from(RecordErrorKind::Malformed(format!(
            "expected a record as a dict, got {found}"
        ))));
    };
    to_json("", v).map_err(|mut e| {
        e.id = e.id.take().or_else(|| readable_id(dict));
        e
    })
}

/// The dict's `id` as the core's reader would name the record: non-blank
/// text, or an integer.
fn readable_id(dict: &Bound<'_, PyDict>) -> Option<String> {
    let id = dict.get_item("id").ok().flatten()?;
    if id.is_instance_of::<PyString>() {
        let text: String = id.extract().ok()?;
        return (!text.trim().is_empty()).then_some(text);
    }
    if id.is_instance_of::<PyInt>() && !id.is_instance_of::<PyBool>() {
        // An int's text is the JSON number the core would read.
        return id.str().ok().map(|s| s.to_string());
    }
    None
}

/// An evaluation date: a `datetime.date`, an ISO string, or `None` for today.
pub fn as_of(py: Python<'_>, v: Option<&Bound<'_, PyAny>>) -> PyResult<NaiveDate> {
    let Some(v) = v.filter(|v| !v.is_none()) else {
        // The binding reads the calendar once per call; rules never read a clock.
        let today = py
            .import("datetime")?
            .getattr("date")?
            .call_method0("today")?;
        return today.extract();
    };
    if v.is_instance_of::<PyDateTime>() {
        return Err(PyTypeError::new_err(
            "as_of must be a datetime.date or an ISO date string, not a datetime",
        ));
    }
    if let Ok(d) = v.extract::<NaiveDate>() {
        return Ok(d);
    }
    let text: String = v.extract().map_err(|_| {
        PyTypeError::new_err("as_of must be a datetime.date or an ISO date string (YYYY-MM-DD)")
    })?;
    kam::model::parse_date(&text)
        .ok_or_else(|| PyValueError::new_err(format!("as_of: {text:?} is not a date (YYYY-MM-DD)")))
}

/// Plain JSON as Python: integers as `int`, other numbers as `Decimal`.
pub fn json_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (_, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => decimal_class(py)?.call1((n.to_string(),))?,
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(obj) => {
            let d = PyDict::new(py);
            for (k, item) in obj {
                d.set_item(k, json_to_py(py, item)?)?;
            }
            d.into_any()
        }
    })
}

/// A result as a dict of its declared shape: each value by its declared type
/// (`Decimal`, `datetime.date`, `int`, `str`, `bool`, `None`, lists, dicts).
/// Walks the result's serde form with its shape, so a field added to a
/// declaration reaches Python with no change here.
pub fn result<'py, T: Declared + Serialize>(
    py: Python<'py>,
    r: &T,
) -> PyResult<Bound<'py, PyDict>> {
    let value = serde_json::to_value(r).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok(typed(py, &Ty::Record(T::shape()), &value)?.cast_into::<PyDict>()?)
}

fn typed<'py>(py: Python<'py>, ty: &Ty, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match (ty, v) {
        (Ty::Json, v) => json_to_py(py, v)?,
        (_, Value::Null) => py.None().into_bound(py),
        (Ty::Optional(inner), v) => typed(py, inner, v)?,
        (Ty::Decimal, Value::Number(n)) => decimal_class(py)?.call1((n.to_string(),))?,
        (Ty::Date, Value::String(s)) => {
            let d = kam::model::parse_date(s)
                .ok_or_else(|| PyValueError::new_err(format!("not a date: {s:?}")))?;
            d.into_pyobject(py)?.into_any()
        }
        (Ty::List(item), Value::Array(items)) => {
            let list = PyList::empty(py);
            for x in items {
                list.append(typed(py, item, x)?)?;
            }
            list.into_any()
        }
        (Ty::Record(shape), Value::Object(obj)) => {
            let d = PyDict::new(py);
            for f in &shape.fields {
                d.set_item(
                    f.name,
                    typed(py, &f.ty, obj.get(f.name).unwrap_or(&Value::Null))?,
                )?;
            }
            d.into_any()
        }
        (Ty::Map(item), Value::Object(obj)) => {
            let d = PyDict::new(py);
            for (k, x) in obj {
                d.set_item(k, typed(py, item, x)?)?;
            }
            d.into_any()
        }
        (Ty::Fact, v) => {
            let fact = kam::model::Fact::from_json(v).map_err(PyValueError::new_err)?;
            fact_to_py(py, &fact)?
        }
        // Text, names, months, whole numbers and flags are plain JSON.
        (_, v) => json_to_py(py, v)?,
    })
}

/// A reason's fact with its exact type: `Decimal`, `datetime.date`, `int`, `str`, `bool`, `None`, lists.
fn fact_to_py<'py>(py: Python<'py>, fact: &kam::model::Fact) -> PyResult<Bound<'py, PyAny>> {
    use kam::model::Fact;
    Ok(match fact {
        Fact::Decimal(d) => decimal_class(py)?.call1((d.to_string(),))?,
        Fact::Date(d) => d.into_pyobject(py)?.into_any(),
        Fact::List(items) => {
            let list = PyList::empty(py);
            for x in items {
                list.append(fact_to_py(py, x)?)?;
            }
            list.into_any()
        }
        Fact::Int(i) => i.into_pyobject(py)?.into_any(),
        Fact::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Fact::Text(t) => PyString::new(py, t).into_any(),
        _ => py.None().into_bound(py),
    })
}
