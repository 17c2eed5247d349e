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

    /// What `customer(c, as_of, p)` itself returned, before any result
    /// check, as type-tagged text (`int:1`, `dec:1.50`, `str:"a"`, …), so a
    /// differential test compares the engines' values and not only the
    /// results (a value that is no result sends compiled code's answer to
    /// the interpreter, which would hide a difference). `Ok(None)`: compiled
    /// code handed this record to the interpreter.
    pub fn customer_value(
        policy: &Policy,
        record: &CustomerRecord,
        as_of: chrono::NaiveDate,
    ) -> Result<Option<String>, Error> {
        if let Some(prog) = policy.program() {
            let Some(&func) = prog.entries.get("customer") else {
                return Ok(None);
            };
            let c = super::record::frozen_compiled(record, &record.id, &prog.known)?;
            let args = vec![c, Value::Date(as_of), prog.params.clone()];
            return match crate::compile::run::run(policy, prog, func, &record.id, args) {
                // A closure has no rhai form outside the interpreter: by name.
                Some(Ok(Value::Fn(f))) => Ok(Some(format!("fn:{}", f.name))),
                Some(Ok(v)) => Ok(Some(tagged(&crate::compile::value::to_dynamic(&v)))),
                Some(Err(e)) => Err(Error::Rule(e)),
                None => Ok(None),
            };
        }
        let c = super::record::frozen(record, &record.id)?;
        let args = (c, rhai::Dynamic::from(as_of), policy.params().clone());
        let v = super::call_entry(policy, "customer", "customer", &record.id, args)?;
        Ok(Some(tagged(&v)))
    }

    /// A rhai value as text that keeps its type: `1` and `"1"` and `1.0`
    /// differ, a decimal keeps its scale, a date reads as a date.
    fn tagged(v: &rhai::Dynamic) -> String {
        use crate::policy::sandbox::FrozenMap;
        let v = v.flatten_clone();
        if v.is_unit() {
            "unit".into()
        } else if let Ok(b) = v.as_bool() {
            format!("bool:{b}")
        } else if let Ok(i) = v.as_int() {
            format!("int:{i}")
        } else if let Ok(d) = v.as_decimal() {
            format!("dec:{d}")
        } else if let Some(s) = v.read_lock::<rhai::ImmutableString>() {
            format!("str:{:?}", s.as_str())
        } else if let Some(d) = v.read_lock::<chrono::NaiveDate>() {
            format!("date:{}", *d)
        } else if let Some(a) = v.read_lock::<rhai::Array>() {
            let items: Vec<String> = a.iter().map(tagged).collect();
            format!("[{}]", items.join(", "))
        } else if let Some(m) = v.read_lock::<rhai::Map>() {
            let items: Vec<String> = m
                .iter()
                .map(|(k, x)| format!("{k}: {}", tagged(x)))
                .collect();
            format!("#{{{}}}", items.join(", "))
        } else if let Some(m) = v.read_lock::<FrozenMap>() {
            let items: Vec<String> =
                m.0.iter()
                    .map(|(k, x)| format!("{k}: {}", tagged(x)))
                    .collect();
            format!("frozen#{{{}}}", items.join(", "))
        } else if let Some(f) = v.read_lock::<rhai::FnPtr>() {
            format!("fn:{}", f.fn_name())
        } else {
            format!("other:{}", v.type_name())
        }
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
