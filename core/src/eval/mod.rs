//! Running a policy's entry points on records and checking what they return.

pub(crate) mod customer;
pub mod period;
mod record;
mod shape;
pub(crate) mod staff;

use crate::error::{RuleError, RuleErrorKind};
use crate::{Error, Policy};

// Calling a script function is the policy layer's job (`policy/call.rs`); the
// entry-point modules here reach it as `super::call_entry`.
pub(crate) use crate::policy::call_entry;

/// Runs entry point `entry` on `record` with compiled code, the arguments
/// built straight into its values (the record, `as_of` when given, the
/// parameters). `Ok(None)`: the policy is not compiled, or the interpreter
/// must answer this record (a value compiled code does not model).
pub(crate) fn run_compiled<T: crate::model::rule_values::RuleFields>(
    policy: &Policy,
    entry: &str,
    record: &T,
    id: &str,
    as_of: Option<chrono::NaiveDate>,
) -> Result<Option<crate::compile::value::Value>, Error> {
    let Some(prog) = policy.program() else {
        return Ok(None);
    };
    let Some(&func) = prog.entries.get(entry) else {
        return Ok(None);
    };
    let mut args = Vec::with_capacity(3);
    args.push(record::frozen_compiled(record, id, &prog.known)?);
    if let Some(d) = as_of {
        args.push(crate::compile::value::Value::Date(d));
    }
    args.push(prog.params.clone());
    match crate::compile::run::run(policy, prog, func, id, args) {
        Some(r) => r.map(Some).map_err(Error::Rule),
        None => Ok(None),
    }
}

/// A result that does not fit the contract, reported at the returning
/// function's `fn` line.
pub(crate) fn shape_error(
    policy: &Policy,
    function: &str,
    record_id: &str,
    e: shape::ShapeError,
) -> Error {
    let file = policy
        .function_file(function)
        .unwrap_or_default()
        .to_string();
    let line = policy
        .sources()
        .get(&file)
        .and_then(|text| crate::policy::fn_line(text, function));
    Error::from(RuleError {
        record_id: record_id.to_string(),
        file,
        line,
        column: None,
        kind: RuleErrorKind::Shape {
            field: e.field,
            expected: e.expected,
            found: e.found,
        },
    })
}

/// Benchmark support, not API: `rounds` calls of the entry point alone (the
/// record converted once beforehand, the result not checked), to time the
/// rules apart from reading records and checking results. Used by
/// `examples/engines.rs`.
#[doc(hidden)]
pub mod rules_only {
    use std::time::{Duration, Instant};

    use crate::compile::value::Value;
    use crate::model::{CustomerRecord, StaffRecord};
    use crate::{Error, Policy};

    /// Times `customer(c, as_of, p)` on `record`, `rounds` times.
    pub fn customer(
        policy: &Policy,
        record: &CustomerRecord,
        as_of: chrono::NaiveDate,
        rounds: usize,
    ) -> Result<Duration, Error> {
        if let Some(prog) = policy.program() {
            let c = super::record::frozen_compiled(record, &record.id, &prog.known)?;
            let args = vec![c, Value::Date(as_of), prog.params.clone()];
            return compiled(policy, "customer", &record.id, &args, rounds);
        }
        let c = super::record::frozen(record, &record.id)?;
        let start = Instant::now();
        for _ in 0..rounds {
            let args = (
                c.clone(),
                rhai::Dynamic::from(as_of),
                policy.params().clone(),
            );
            let _ = std::hint::black_box(super::call_entry(
                policy, "customer", "customer", &record.id, args,
            )?);
        }
        Ok(start.elapsed())
    }

    /// Times `staff(s, p)` on `record`, `rounds` times.
    pub fn staff(policy: &Policy, record: &StaffRecord, rounds: usize) -> Result<Duration, Error> {
        if let Some(prog) = policy.program() {
            let s = super::record::frozen_compiled(record, &record.id, &prog.known)?;
            let args = vec![s, prog.params.clone()];
            return compiled(policy, "staff", &record.id, &args, rounds);
        }
        let s = super::record::frozen(record, &record.id)?;
        let start = Instant::now();
        for _ in 0..rounds {
            let args = (s.clone(), policy.params().clone());
            let _ = std::hint::black_box(super::call_entry(
                policy, "staff", "staff", &record.id, args,
            )?);
        }
        Ok(start.elapsed())
    }

    /// Compiled code's entry `name` on ready-made arguments.
    fn compiled(
        policy: &Policy,
        name: &str,
        id: &str,
        args: &[Value],
        rounds: usize,
    ) -> Result<Duration, Error> {
        let Some(prog) = policy.program() else {
            return Ok(Duration::ZERO);
        };
        let Some(&func) = prog.entries.get(name) else {
            return Ok(Duration::ZERO);
        };
        let start = Instant::now();
        for _ in 0..rounds {
            let r = crate::compile::run::run(policy, prog, func, id, args.to_vec());
            if let Some(Err(e)) = std::hint::black_box(r) {
                return Err(Error::Rule(e));
            }
        }
        Ok(start.elapsed())
    }
}
