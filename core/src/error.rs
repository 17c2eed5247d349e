//! The three things that can go wrong, each carrying what a user needs to fix it.
//!
//! - [`PolicyError`]: the policy itself is broken (syntax, a missing file or
//!   function, a bad parameter), or lacks the entry point a command needs.
//!   Reported with file, line and column before anything is evaluated.
//! - [`RecordError`]: one input record is invalid (a missing or mistyped field).
//!   Names the record id, the field and what was expected; the rest of a batch goes on.
//! - [`RuleError`]: a rule failed on one record (it threw, returned a wrong shape or
//!   hit a sandbox limit). Names the policy file, line and column and the record.
//!
//! # The wire form
//!
//! Every error has one JSON form, [`Error`]'s `Serialize` (also [`Error::to_json`]):
//! what the CLI writes in its `{"line", "id", "error"}` lines, what Python's
//! `KamError.to_dict()` and batch entries hold, what JS batch entries hold, what
//! `kam test` cases match with `expect_error`, and (minus `errors`) the Arrow
//! `error` column. Keys, in this order:
//!
//! | key | present | value |
//! |---|---|---|
//! | `kind` | always | `"policy"`, `"record"` or `"rule"` |
//! | `code` | always | the stable machine code below |
//! | `record_id` | always | the record's id when it is known, else `null` |
//! | `field` | always | the record field (record errors), the result field (`shape`), else `null` |
//! | `message` | always | the short message, without location or record prefix |
//! | `file`, `line`, `column` | rule and policy errors | the policy file and 1-based position (`null` when unknown) |
//! | `errors` | policy errors | every defect, `[{code, file, line, column, message}]`; the keys above are the first one's |
//!
//! The input line of a record read from a file is not part of the error: the
//! CLI writes it beside it (`{"line": 3, "id": …, "error": {…}}`).
//!
//! | kind | code | meaning |
//! |---|---|---|
//! | `record` | `malformed` | not a JSON object (or not JSON, not UTF-8, a bad CSV row) |
//! | `record` | `missing` | a required field is absent or null |
//! | `record` | `invalid` | a field's value does not fit (type, range, enum, date, a repeated key) |
//! | `record` | `unknown_field` | a field the contract does not know |
//! | `rule` | `script` | the script threw or failed (type mismatch, missing property, …) |
//! | `rule` | `shape` | the script returned a value that does not fit the result contract |
//! | `rule` | `limit` | a sandbox limit stopped the evaluation (operations, time, depth, sizes) |
//! | `policy` | `missing_entry` | the policy lacks a function the call needs (`customer`, `staff`, the period functions) |
//! | `policy` | `policy` | any other defect: syntax, files, manifest, parameters, the sandbox's refusals |
//!
//! ```
//! let policy = kam::Policy::from_dir("../rules")?;
//! let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
//! let record = serde_json::json!({"id": "C-1", "annual_revenue": -1});
//! let err = policy.evaluate_customer_json(&record, as_of).unwrap_err();
//! assert_eq!(
//!     serde_json::to_string(&err)?,
//!     r#"{"kind":"record","code":"invalid","record_id":"C-1","field":"annual_revenue","message":"expected an amount >= 0, got -1"}"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use serde_json::{Map, Value};

/// What kind of defect a [`PolicyError`] is: its wire `code`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PolicyCode {
    /// Syntax, files, manifest, parameters, the sandbox's refusals: `"policy"`.
    #[default]
    Policy,
    /// The policy lacks a function the call needs: `"missing_entry"`.
    MissingEntry,
}

impl PolicyCode {
    /// The wire code.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyCode::Policy => "policy",
            PolicyCode::MissingEntry => "missing_entry",
        }
    }
}

/// A defect in a policy found while loading or checking it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", Location { file, line: *line, column: *column })]
#[non_exhaustive]
pub struct PolicyError {
    /// Policy file the defect is in, relative to the policy root (e.g. `customer.rhai`).
    pub file: String,
    /// 1-based line, when the defect has a position.
    pub line: Option<usize>,
    /// 1-based column, when the defect has a position.
    pub column: Option<usize>,
    /// What is wrong, in words.
    pub message: String,
    /// What kind of defect it is (the wire `code`).
    pub code: PolicyCode,
}

impl PolicyError {
    pub(crate) fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        PolicyError {
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
            code: PolicyCode::Policy,
        }
    }

    /// The policy defines no function `signature` (e.g. `staff(s, p)`), which
    /// the call needs: reported before anything is evaluated.
    pub(crate) fn missing_entry(signature: &str) -> Self {
        PolicyError {
            code: PolicyCode::MissingEntry,
            ..PolicyError::new(
                "(policy)",
                format!("this policy defines no `{signature}` function"),
            )
        }
    }

    /// `{code, file, line, column, message}`: one entry of a policy error's `errors`.
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("code".into(), self.code.as_str().into());
        m.insert("file".into(), self.file.clone().into());
        m.insert("line".into(), self.line.into());
        m.insert("column".into(), self.column.into());
        m.insert("message".into(), self.message.clone().into());
        Value::Object(m)
    }

    pub(crate) fn at(mut self, line: Option<usize>, column: Option<usize>) -> Self {
        self.line = line;
        self.column = column;
        self
    }
}

/// Every defect found in a policy; loading reports all of them at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct PolicyErrors(pub Vec<PolicyError>);

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// Why a record was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordErrorKind {
    /// The input is not a JSON object (or not JSON at all).
    #[error("{0}")]
    Malformed(String),
    /// A required field is absent or null.
    #[error("missing required field")]
    Missing,
    /// The field is present but its value does not fit.
    #[error("expected {expected}, got {found}")]
    Invalid {
        /// What the field accepts, e.g. "an amount >= 0".
        expected: String,
        /// What it held, shortened for display.
        found: String,
    },
    /// The record has a field the contract does not know.
    #[error("unknown field{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    Unknown {
        /// A known field with a similar name.
        suggestion: Option<String>,
    },
}

/// One record that cannot be evaluated, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct RecordError {
    /// The record's `id`, when it has a readable one.
    pub id: Option<String>,
    /// Line in the input file (1-based), set by readers of files.
    pub line: Option<usize>,
    /// Offending field, dotted for nested ones (`incidents[2].date`).
    pub field: Option<String>,
    /// What went wrong.
    pub kind: RecordErrorKind,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("record")?;
        if let Some(line) = self.line {
            write!(f, " on line {line}")?;
        }
        if let Some(id) = &self.id {
            write!(f, " `{id}`")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl From<RecordErrorKind> for RecordError {
    fn from(kind: RecordErrorKind) -> Self {
        RecordError {
            id: None,
            line: None,
            field: None,
            kind,
        }
    }
}

impl RecordError {
    pub(crate) fn field(field: impl Into<String>, kind: RecordErrorKind) -> Self {
        RecordError {
            id: None,
            line: None,
            field: Some(field.into()),
            kind,
        }
    }

    pub(crate) fn malformed(message: impl Into<String>) -> Self {
        RecordError {
            id: None,
            line: None,
            field: None,
            kind: RecordErrorKind::Malformed(message.into()),
        }
    }

    /// The human message without the record/field prefix.
    pub fn message(&self) -> String {
        self.kind.to_string()
    }
}

impl RecordErrorKind {
    /// The wire `code`: `malformed`, `missing`, `invalid` or `unknown_field`.
    pub fn code(&self) -> &'static str {
        match self {
            RecordErrorKind::Malformed(_) => "malformed",
            RecordErrorKind::Missing => "missing",
            RecordErrorKind::Invalid { .. } => "invalid",
            RecordErrorKind::Unknown { .. } => "unknown_field",
        }
    }
}

/// Why a rule failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RuleErrorKind {
    /// The script raised an error (a `throw`, a type mismatch, a missing property…).
    #[error("{0}")]
    Script(String),
    /// The script returned a value that does not fit the result contract.
    #[error("result field `{field}`: expected {expected}, got {found}")]
    Shape {
        /// Result field, dotted (`visit.next_due`).
        field: String,
        /// What the contract requires.
        expected: String,
        /// What the script gave.
        found: String,
    },
    /// The evaluation hit a sandbox limit (operations, call depth, sizes).
    #[error("sandbox limit: {0}")]
    Limit(String),
}

/// A rule that failed on one record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct RuleError {
    /// The record being evaluated.
    pub record_id: String,
    /// Policy file where it failed.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// What went wrong.
    pub kind: RuleErrorKind,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = Location {
            file: &self.file,
            line: self.line,
            column: self.column,
        };
        write!(
            f,
            "rule error at {at} for record `{}`: {}",
            self.record_id, self.kind
        )
    }
}

impl RuleError {
    /// The human message without the location prefix.
    pub fn message(&self) -> String {
        self.kind.to_string()
    }
}

impl RuleErrorKind {
    /// The wire `code`: `script`, `shape` or `limit`.
    pub fn code(&self) -> &'static str {
        match self {
            RuleErrorKind::Script(_) => "script",
            RuleErrorKind::Shape { .. } => "shape",
            RuleErrorKind::Limit(_) => "limit",
        }
    }

    /// The result field of a wrong shape.
    pub fn field(&self) -> Option<&str> {
        match self {
            RuleErrorKind::Shape { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// Any error kam reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The policy cannot be loaded.
    #[error(transparent)]
    Policy(#[from] PolicyErrors),
    /// A record is invalid.
    #[error(transparent)]
    Record(Box<RecordError>),
    /// A rule failed on a record.
    #[error(transparent)]
    Rule(Box<RuleError>),
}

// Boxed so that `Result<_, Error>` stays small on the hot path.
impl From<RecordError> for Error {
    fn from(e: RecordError) -> Self {
        Error::Record(Box::new(e))
    }
}

impl From<RuleError> for Error {
    fn from(e: RuleError) -> Self {
        Error::Rule(Box::new(e))
    }
}

impl Error {
    /// The id of the record the error is about, when there is one.
    pub fn record_id(&self) -> Option<&str> {
        match self {
            Error::Record(e) => e.id.as_deref(),
            Error::Rule(e) => Some(&e.record_id),
            Error::Policy(_) => None,
        }
    }

    /// `"policy"`, `"record"` or `"rule"`: the `kind` every binding reports.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Policy(_) => "policy",
            Error::Record(_) => "record",
            Error::Rule(_) => "rule",
        }
    }

    /// The stable machine code of the error (see the [module docs](self)):
    /// `malformed`, `missing`, `invalid`, `unknown_field` (record), `script`,
    /// `shape`, `limit` (rule), `missing_entry` or `policy` (policy).
    pub fn code(&self) -> &'static str {
        match self {
            Error::Policy(e) => e.0.first().map_or("policy", |e| e.code.as_str()),
            Error::Record(e) => e.kind.code(),
            Error::Rule(e) => e.kind.code(),
        }
    }

    /// The short message, without location or record prefix: the wire `message`.
    pub fn message(&self) -> String {
        match self {
            Error::Policy(e) => e.0.first().map(|e| e.message.clone()).unwrap_or_default(),
            Error::Record(e) => e.message(),
            Error::Rule(e) => e.message(),
        }
    }

    /// The wire form (see the [module docs](self)), as a JSON value; the same
    /// as serialising the error.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("kind".into(), self.kind().into());
        m.insert("code".into(), self.code().into());
        m.insert("record_id".into(), self.record_id().into());
        match self {
            Error::Record(e) => {
                m.insert("field".into(), e.field.clone().into());
                m.insert("message".into(), e.message().into());
            }
            Error::Rule(e) => {
                m.insert("field".into(), e.kind.field().into());
                m.insert("message".into(), e.message().into());
                m.insert("file".into(), e.file.clone().into());
                m.insert("line".into(), e.line.into());
                m.insert("column".into(), e.column.into());
            }
            Error::Policy(e) => {
                let first = e.0.first();
                m.insert("field".into(), Value::Null);
                m.insert("message".into(), self.message().into());
                m.insert("file".into(), first.map(|e| e.file.clone()).into());
                m.insert("line".into(), first.and_then(|e| e.line).into());
                m.insert("column".into(), first.and_then(|e| e.column).into());
                let all = e.0.iter().map(PolicyError::to_json).collect();
                m.insert("errors".into(), Value::Array(all));
            }
        }
        Value::Object(m)
    }
}

/// The wire form (see the [module docs](self)).
impl serde::Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&self.to_json(), serializer)
    }
}

/// The wire form of a policy's defects, as [`Error::Policy`] writes it.
impl serde::Serialize for PolicyErrors {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde::Serialize::serialize(&Error::Policy(self.clone()), serializer)
    }
}

struct Location<'a> {
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
}

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}
