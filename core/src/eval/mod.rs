//! Running a policy's entry points on records and checking what they return.

pub(crate) mod customer;
mod record;
mod shape;

use chrono::NaiveDate;
use rhai::{CallFnOptions, Dynamic, EvalAltResult, Scope};

use crate::error::{PolicyError, PolicyErrors, RuleError, RuleErrorKind};
use crate::{Error, Policy};

/// Calls entry point `name(record, as_of, params)` and returns its raw value,
/// or a rule error located in the policy file where the script failed.
pub(crate) fn call_entry(
    policy: &Policy,
    name: &str,
    record_id: &str,
    record: Dynamic,
    as_of: NaiveDate,
) -> Result<Dynamic, Error> {
    let Some(entry) = policy.entry(name) else {
        return Err(Error::Policy(PolicyErrors(vec![PolicyError::new(
            "(policy)",
            format!("this policy defines no `{name}(record, as_of, params)` function"),
        )])));
    };
    // eval_ast(false): rule files hold only functions; never re-run top-level code (TRAPS 3).
    let options = CallFnOptions::new().eval_ast(false).rewind_scope(false);
    let args = (record, Dynamic::from(as_of), policy.params().clone());
    policy
        .engine()
        .call_fn_with_options::<Dynamic>(options, &mut Scope::new(), policy.ast(), name, args)
        .map_err(|e| Error::from(locate(policy, *e, name, &entry.file, record_id)))
}

/// Walks nested function-call errors down to where the script actually failed.
/// Some limits carry no position; they are placed at the failing function's `fn` line.
fn locate(
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
            .and_then(|text| crate::policy::fn_line(text, &function))
    });
    let kind = match &err {
        EvalAltResult::ErrorTooManyOperations(_)
        | EvalAltResult::ErrorStackOverflow(_)
        | EvalAltResult::ErrorDataTooLarge(..)
        | EvalAltResult::ErrorTooManyVariables(_)
        | EvalAltResult::ErrorTerminated(..) => RuleErrorKind::Limit(err.to_string()),
        EvalAltResult::ErrorRuntime(value, _) => {
            RuleErrorKind::Script(format!("rule threw: {value}"))
        }
        _ => RuleErrorKind::Script(err.to_string()),
    };
    RuleError {
        record_id: record_id.to_string(),
        file,
        line,
        column,
        kind,
    }
}
