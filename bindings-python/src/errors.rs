//! kam's errors as the typed Python exceptions of `kam._errors`.
//!
//! The exception classes are plain Python (so they pickle and carry typed
//! attributes); this module only fills them in. Every exception gets the
//! error's stable `code` and its wire form (`kam::Error`'s JSON, what
//! `KamError.to_dict()` returns and batch entries hold).

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

/// The attributes every exception has: `code` and the wire form (`wire`).
fn common<'py>(py: Python<'py>, e: &Error) -> PyResult<Bound<'py, PyDict>> {
    let a = PyDict::new(py);
    a.set_item("code", e.code())?;
    a.set_item("wire", error_dict(py, e)?)?;
    Ok(a)
}

pub fn policy_error(py: Python<'_>, errors: &PolicyErrors) -> PyErr {
    let error = Error::Policy(errors.clone());
    let attrs = || -> PyResult<Bound<'_, PyDict>> {
        let attrs = common(py, &error)?;
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

fn record_attrs(e: &RecordError, a: &Bound<'_, PyDict>) -> PyResult<()> {
    a.set_item("record_id", &e.id)?;
    a.set_item("line", e.line)?;
    a.set_item("field", &e.field)?;
    a.set_item("detail", e.message())?;
    Ok(())
}

fn rule_attrs(e: &RuleError, a: &Bound<'_, PyDict>) -> PyResult<()> {
    a.set_item("record_id", &e.record_id)?;
    a.set_item("file", &e.file)?;
    a.set_item("line", e.line)?;
    a.set_item("column", e.column)?;
    a.set_item("field", e.kind.field())?;
    a.set_item("limit", matches!(e.kind, kam::RuleErrorKind::Limit(_)))?;
    a.set_item("detail", e.message())?;
    Ok(())
}

/// Any kam error as its Python exception.
pub fn to_py(py: Python<'_>, e: &Error) -> PyErr {
    let built = || -> PyResult<(&'static str, Bound<'_, PyDict>)> {
        let attrs = common(py, e)?;
        let class = match e {
            Error::Record(r) => {
                record_attrs(r, &attrs)?;
                "RecordError"
            }
            Error::Rule(r) => {
                rule_attrs(r, &attrs)?;
                "RuleError"
            }
            // A kind added to the core later is still a KamError, never a bare RuntimeError.
            _ => "KamError",
        };
        Ok((class, attrs))
    };
    if let Error::Policy(p) = e {
        return policy_error(py, p);
    }
    match built() {
        Ok((class, a)) => exception(py, class, e.to_string(), a),
        Err(err) => err,
    }
}

/// The error's wire form (`{kind, code, record_id, field, message, …}`): the
/// error entry of batch results and what `KamError.to_dict()` returns.
pub fn error_dict<'py>(py: Python<'py>, e: &Error) -> PyResult<Bound<'py, PyAny>> {
    crate::convert::json_to_py(py, &e.to_json())
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
