//! The script-call runtime: which functions a policy must define, calling a
//! script function under the policy's deadline, and placing a failure at the
//! file and line where the script failed. `eval` calls entry points through
//! [`call_entry`]; loading calls the optional `check_parameters(p)` hook
//! (`parameter_check`).

use rhai::{CallFnOptions, Dynamic, EvalAltResult, Scope};

use super::{fn_line, sandbox, Policy};
use crate::error::{Error, PolicyError, PolicyErrors, RuleError, RuleErrorKind};

/// The functions kam calls, with the signature an error names when a policy lacks one.
const SIGNATURES: &[(&str, &str)] = &[
    ("customer", "customer(c, as_of, p)"),
    ("staff", "staff(s, p)"),
    (
        "staff_period_inputs",
        "staff_period_inputs(months, previous, p)",
    ),
    ("staff_kpis", "staff_kpis(s, p)"),
    ("staff_period_total", "staff_period_total(totals, p)"),
    ("staff_grade", "staff_grade(total, p)"),
];

impl Policy {
    /// Checks that the policy defines every function in `functions` (entry
    /// points such as `"customer"` or `"staff"`, or the
    /// [`PERIOD_FUNCTIONS`](crate::PERIOD_FUNCTIONS)): `Ok`, or one
    /// `missing_entry` [`PolicyError`] per function it lacks.
    ///
    /// Evaluating with a missing entry point is a policy error for every
    /// record, so the CLI and the Python and JS batch calls ask this first
    /// and report the error once, evaluating nothing. The Rust batch calls
    /// ([`Policy::evaluate_customers`], …) return one `Result` per record and
    /// so give the same policy error in each slot: call this first to get it once.
    ///
    /// ```
    /// let mut files = kam::Policy::read_sources("../rules")?;
    /// files.remove("staff.rhai");
    /// let policy = kam::Policy::from_sources(files)?;
    /// assert!(policy.require(&["customer"]).is_ok());
    /// let err = kam::Error::from(policy.require(&["staff"]).unwrap_err());
    /// assert_eq!(err.code(), "missing_entry");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn require(&self, functions: &[&str]) -> Result<(), PolicyErrors> {
        let missing: Vec<PolicyError> = functions
            .iter()
            .filter(|name| !self.defines(name) && !self.has_function(name))
            .map(|name| {
                let signature = SIGNATURES
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or_else(|| format!("{name}(…)"), |(_, s)| (*s).to_string());
                PolicyError::missing_entry(&signature)
            })
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(PolicyErrors(missing))
        }
    }
}

/// Calls script function `name` (an entry point or a function the engine
/// needs, like `staff_kpis`) with `args`, or reports a rule error located in
/// the policy file where the script failed. `signature` names the function
/// for the error when the policy does not define it.
pub(crate) fn call_entry(
    policy: &Policy,
    name: &str,
    signature: &str,
    record_id: &str,
    args: impl rhai::FuncArgs,
) -> Result<Dynamic, Error> {
    let file = match policy.entry(name) {
        Some(entry) => entry.file.as_str(),
        None => match policy.function_file(name) {
            Some(file) => file,
            None => {
                return Err(Error::Policy(PolicyErrors(vec![
                    PolicyError::missing_entry(signature),
                ])))
            }
        },
    };
    if let Some(program) = policy.program() {
        let mut values: Vec<Dynamic> = Vec::new();
        args.parse(&mut values);
        if let Some(r) = crate::compile::run::call(policy, program, name, record_id, &values) {
            return r.map_err(Error::Rule);
        }
        return call(policy, name, file, record_id, values).map_err(Error::Rule);
    }
    call(policy, name, file, record_id, args).map_err(Error::Rule)
}

/// Calls script function `name` under the policy's deadline.
fn call(
    policy: &Policy,
    name: &str,
    file: &str,
    record_id: &str,
    args: impl rhai::FuncArgs,
) -> Result<Dynamic, Box<RuleError>> {
    call_raw(policy, name, args).map_err(|e| Box::new(locate(policy, *e, name, file, record_id)))
}

/// [`call`] with rhai's own error, for a caller that reads what was thrown.
pub(super) fn call_raw(
    policy: &Policy,
    name: &str,
    args: impl rhai::FuncArgs,
) -> Result<Dynamic, Box<EvalAltResult>> {
    // eval_ast(false): call_fn would otherwise re-run the script's top-level statements on
    // every call; rule files hold only functions.
    let options = CallFnOptions::new().eval_ast(false).rewind_scope(false);
    sandbox::deadline::run(policy.limits().max_duration, || {
        policy.engine().call_fn_with_options::<Dynamic>(
            options,
            &mut Scope::new(),
            policy.ast(),
            name,
            args,
        )
    })
}

/// Walks nested function-call errors down to where the script actually failed.
/// Some limits carry no position; they are placed at the failing function's `fn` line.
pub(super) fn locate(
    policy: &Policy,
    mut err: EvalAltResult,
    entry: &str,
    entry_file: &str,
    record_id: &str,
) -> RuleError {
    let mut file = entry_file.to_string();
    let mut function = entry.to_string();
    while let EvalAltResult::ErrorInFunctionCall(name, source, inner, _) = err {
        // Merged ASTs lose each function's file, so the loader's map is the authority.
        match policy.function_file(&name) {
            Some(f) => file = f.to_string(),
            None if !source.is_empty() => file = source,
            None => {}
        }
        function = name;
        err = *inner;
    }
    let pos = err.take_position();
    let column = pos.position();
    let line = pos.line().or_else(|| {
        policy
            .sources()
            .get(&file)
            .and_then(|text| fn_line(text, &function))
    });
    let kind = match &err {
        EvalAltResult::ErrorTooManyOperations(_)
        | EvalAltResult::ErrorStackOverflow(_)
        | EvalAltResult::ErrorDataTooLarge(..)
        | EvalAltResult::ErrorTooManyVariables(_) => RuleErrorKind::Limit(err.to_string()),
        EvalAltResult::ErrorTerminated(..) => RuleErrorKind::Limit(format!(
            "evaluation exceeded its time limit of {:?}",
            policy.limits().max_duration.unwrap_or_default()
        )),
        EvalAltResult::ErrorRuntime(value, _) => {
            RuleErrorKind::Script(format!("rule threw: {value}"))
        }
        _ => RuleErrorKind::Script(err.to_string()),
    };
    // rhai reports operation and time limits without a position: say so, and
    // point at the innermost function it does name rather than pretend a line.
    let kind = match kind {
        RuleErrorKind::Limit(m) if pos.is_none() => RuleErrorKind::Limit(format!(
            "{m} while running `{function}` or a function it called (the sandbox does not report the exact line)"
        )),
        other => other,
    };
    RuleError {
        record_id: record_id.to_string(),
        file,
        line,
        column,
        kind,
    }
}
