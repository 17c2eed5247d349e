//! kam's errors as the typed Python exceptions of `kam._errors`.
//!
//! The exception classes are plain Python (so they pickle and carry typed
//! attributes); this module only fills them in.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use kam::{Error, PolicyErrors, RecordError, RuleError};

/// Builds `kam.<class>(message, **attributes)`.
fn exception(py: Python<'_>, class: &str, message: String, attrs: Bound<'_, PyDict>) -> PyErr {
    let built = py
        .import("kam._errors")
        .and_then(|m| m.getattr(class))
        .and_then(|cls| cls.call((message,), Some(&attrs)));
    match built {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}

/// The dict of one policy defect: what an editor needs to underline it.
pub fn diagnostic<'py>(py: Python<'py>, e: &kam::PolicyError) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("file", &e.file)?;
    d.set_item("line", e.line)?;
    d.set_item("column", e.column)?;
    d.set_item("message", &e.message)?;
    Ok(d)
}

pub fn policy_error(py: Python<'_>, errors: &PolicyErrors) -> PyErr {
    let attrs = || -> PyResult<Bound<'_, PyDict>> {
        let attrs = PyDict::new(py);
        let list = PyList::empty(py);
        for e in &errors.0 {
            list.append(diagnostic(py, e)?)?;
        }
        if let Some(first) = errors.0.first() {
            attrs.set_item("file", &first.file)?;
            attrs.set_item("line", first.line)?;
            attrs.set_item("column", first.column)?;
        }
        attrs.set_item("errors", list)?;
        Ok(attrs)
    };
    match attrs() {
        Ok(a) => exception(py, "PolicyError", errors.to_string(), a),
        Err(e) => e,
    }
}

fn record_attrs<'py>(py: Python<'py>, e: &RecordError) -> PyResult<Bound<'py, PyDict>> {
    let a = PyDict::new(py);
    a.set_item("record_id", &e.id)?;
    a.set_item("line", e.line)?;
    a.set_item("field", &e.field)?;
    a.set_item("detail", e.message())?;
    Ok(a)
}

fn rule_attrs<'py>(py: Python<'py>, e: &RuleError) -> PyResult<Bound<'py, PyDict>> {
    let a = PyDict::new(py);
    a.set_item("record_id", &e.record_id)?;
    a.set_item("file", &e.file)?;
    a.set_item("line", e.line)?;
    a.set_item("column", e.column)?;
    let field = match &e.kind {
        kam::RuleErrorKind::Shape { field, .. } => Some(field.as_str()),
        _ => None,
    };
    a.set_item("field", field)?;
    a.set_item("limit", matches!(e.kind, kam::RuleErrorKind::Limit(_)))?;
    a.set_item("detail", e.message())?;
    Ok(a)
}

/// Any kam error as its Python exception.
pub fn to_py(py: Python<'_>, e: &Error) -> PyErr {
    let (class, attrs) = match e {
        Error::Policy(p) => return policy_error(py, p),
        Error::Record(r) => ("RecordError", record_attrs(py, r)),
        Error::Rule(r) => ("RuleError", rule_attrs(py, r)),
        // A kind added to the core later is still a KamError, never a bare RuntimeError.
        other => return exception(py, "KamError", other.to_string(), PyDict::new(py)),
    };
    match attrs {
        Ok(a) => exception(py, class, e.to_string(), a),
        Err(err) => err,
    }
}

/// `{kind, field, message, …}`, the error entry of batch results (as in the shared vectors).
pub fn error_dict<'py>(py: Python<'py>, e: &Error) -> PyResult<Bound<'py, PyAny>> {
    crate::convert::json_to_py(py, &kam::cases::error_json(e))
}

/// A panic that escaped the core: reported as a `KamError`, never as `PanicException`.
pub fn internal(py: Python<'_>, what: &str) -> PyErr {
    exception(
        py,
        "KamError",
        format!("internal error in kam ({what}); the policy and other records are unaffected"),
        PyDict::new(py),
    )
}
