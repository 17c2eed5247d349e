//! The three things that can go wrong, each carrying what a user needs to fix it.
//!
//! - [`PolicyError`]: the policy itself is broken (syntax, a missing file or
//!   function, a bad parameter). Reported at load time with file, line and column;
//!   nothing is evaluated.
//! - [`RecordError`]: one input record is invalid (a missing or mistyped field).
//!   Names the record id, the field and what was expected; the rest of a batch goes on.
//! - [`RuleError`]: a rule failed on one record (it threw, returned a wrong shape or
//!   hit a sandbox limit). Names the policy file, line and column and the record.

use std::fmt;

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
}

impl PolicyError {
    pub(crate) fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        PolicyError {
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
        }
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
