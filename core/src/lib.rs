//! # kam — a rules engine for key-account management (大客户管理)
//!
//! Companies grade their key accounts by written policy: tiers by yearly
//! business and payment record, admission checks, downgrades after late
//! payments, blacklists after major losses, visit cadences. kam runs such a
//! policy, written as editable Rhai scripts (see `rules/` and
//! `rules/CONTRACT.md`), and returns every decision with its reasons.
//!
//! ```
//! use kam::Policy;
//!
//! let policy = Policy::from_dir("../rules")?;
//! let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
//! let record = serde_json::json!({
//!     "id": "C-001", "annual_revenue": "2999999.99", "credit_rating": "excellent",
//!     "long_term_intent": true, "tier": "A"
//! });
//! let result = policy.evaluate_customer_json(&record, as_of)?;
//! assert_eq!(result.tier.as_deref(), Some("B"));
//! assert_eq!(result.change, kam::Change::Downgrade);
//! // A reason is data: which rule, which outcome, the facts, and a sentence.
//! let why = &result.reasons[0];
//! assert_eq!(why.code, "tier.base.below_a_revenue");
//! assert_eq!(why.facts["revenue"], kam::model::Fact::Decimal("2999999.99".parse()?));
//! assert!(why.message.as_deref().is_some_and(|m| m.contains("2,999,999.99")));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! - [`Policy`]: load (from a directory or in-memory sources), check, evaluate.
//! - [`model`]: the record and result types of `rules/CONTRACT.md`.
//! - [`Error`]: policy, record and rule errors with file/line or id/field, and
//!   their one JSON wire form with a stable `code` per kind ([`error`]).
//! - [`batch`]: parallel evaluation preserving input order.
//! - [`cases`]: a policy's own test cases (`kam test`).
//! - `table` (feature `arrow`): whole Arrow tables in, scored Arrow tables out.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod batch;
pub mod cases;
pub mod compile;
pub mod error;
mod eval;
pub mod model;
pub mod policy;
#[cfg(feature = "arrow")]
pub mod table;

/// The date type of `as_of` and of every date in records and results
/// (`chrono`'s), so an embedder need not depend on chrono to name it.
pub use chrono::NaiveDate;
pub use compile::{Engine, Unsupported};
pub use error::{
    Error, PolicyCode, PolicyError, PolicyErrors, RecordError, RecordErrorKind, RuleError,
    RuleErrorKind,
};
pub use eval::period::{Span, PERIOD_FUNCTIONS};
#[doc(hidden)]
pub use eval::rules_only;
pub use model::{
    Change, CustomerRecord, CustomerResult, PolicyInfo, Reason, StaffPeriodResult, StaffRecord,
    StaffResult, Status,
};
pub use policy::{Limits, LimitsError, Policy, Reasons, UnknownLanguage};
