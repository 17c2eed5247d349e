//! # kam-limit — the default policy written by hand in Rust
//!
//! kam evaluates policies written as Rhai scripts (`rules/`), so that a CRM
//! administrator can change a threshold or a rule without touching Rust. This
//! crate is the same default policy written directly in Rust, with its
//! parameters as constants: the speed limit a rules engine can approach, which
//! the benchmark (`bench/`) measures kam against. It is not part of the product
//! and nothing else should depend on it.
//!
//! It duplicates the policy on purpose: a benchmark of "the same work by hand"
//! is only honest if the work is the same, so every decision, every number and
//! every reason text is meant to be identical, byte for byte, to what kam gives
//! with the bundled `rules/`, including how kam normalises numbers (`24`, not
//! `24.0`) and how rhai's exact decimals round (a KPI like 23/24 ends in
//! `…3333` at 28 digits, computed as the rule does, `(top * 1.0) / bottom`).
//! It is written as a performance-minded engineer would hand-write the policy:
//! no interpreter, no maps, typed enums instead of strings, each reason's
//! code and facts built directly and its English message written straight
//! with `write!` (what kam renders from `rules/messages/en.rhai`).
//!
//! **Keep it in step with `rules/`.** A change to any rule, parameter, reason
//! code, fact or English template of the default policy must be made here too;
//! `tests/agree.rs` evaluates every sample record, the shared test vectors
//! and thousands of generated records through both kam and this crate and
//! fails on the first difference, so a forgotten change does not go unnoticed.
//!
//! The functions take records kam has already read and checked
//! ([`kam::CustomerRecord::from_json`], [`kam::model::StaffRecord::from_json`]).
//! For the rare records on which kam's evaluation ends in a rule error (a
//! sales target so far below a cent that a division overflows, dates pushed
//! past year 9999) they still return a result, which is then not meaningful.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let record = kam::CustomerRecord::from_json(&serde_json::json!({
//!     "id": "C-1", "annual_revenue": "2999999.99", "credit_rating": "good"
//! }))?;
//! assert_eq!(kam_limit::base_tier(&record), "B");
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod customer;
mod format;
mod staff;
mod why;

/// Whole default customer policy, same result as kam's `Policy::evaluate_customer` on the bundled rules/.
///
/// `policy` is copied into the result, as kam adds its own `policy` (pass the
/// bundled policy's [`kam::Policy::info`] for results equal to kam's).
pub fn customer(
    c: &kam::CustomerRecord,
    as_of: chrono::NaiveDate,
    policy: &kam::PolicyInfo,
) -> kam::CustomerResult {
    customer::evaluate(c, as_of, policy)
}

/// Whole default staff-month policy (KPIs, 12-item scorecard with adjustments, grade, actions, composite, reasons).
pub fn staff(s: &kam::StaffRecord, policy: &kam::PolicyInfo) -> kam::StaffResult {
    staff::evaluate(s, policy)
}

/// The four-branch base tier only (A: annual_revenue >= 3,000,000 && good payment && long_term_intent; B: >= 1,000,000 && credit not poor/bad && legal_disputes == 0; C: >= 500,000; else D).
pub fn base_tier(c: &kam::CustomerRecord) -> &'static str {
    customer::base(c).as_str()
}
