//! The optional `check_parameters(p)` hook, run once when a policy loads.
//!
//! A plain `throw` there refuses the policy at the line of the throw. A throw
//! of `#{ parameter: "downgrade_cap", must: "be one of the tiers A, B, C, D" }`
//! names the parameter at fault: the error is then placed at that parameter's
//! line in `parameters.rhai`, where the person editing the policy made the
//! mistake, and says what the value is (`downgrade_cap must be one of the
//! tiers A, B, C, D; it is "b"`). The parameter may be a path into a table:
//! `visit_interval_days.A`, `grade_bands[1].min`.

use rhai::{Dynamic, Engine, EvalAltResult, Expr, OptimizationLevel, Position, Stmt};

use super::sandbox::FrozenMap;
use super::{call, Policy, PARAMETERS_FILE};
use crate::error::{PolicyError, PolicyErrors};

/// The hook's name.
const CHECK_PARAMETERS: &str = "check_parameters";

/// Runs `check_parameters(p)` if the policy defines it; a throw there is a policy error.
pub(super) fn check_parameters(policy: &Policy) -> Result<(), PolicyErrors> {
    let Some(file) = policy.function_file(CHECK_PARAMETERS) else {
        return Ok(());
    };
    let Err(err) = call::call_raw(policy, CHECK_PARAMETERS, (policy.params().clone(),)) else {
        return Ok(());
    };
    if let Some((parameter, must)) = named_parameter(&err) {
        return Err(PolicyErrors(vec![parameter_error(
            policy, &parameter, &must, &err,
        )]));
    }
    let e = call::locate(policy, *err, CHECK_PARAMETERS, file, "(parameters)");
    Err(PolicyErrors(vec![PolicyError::new(
        e.file.clone(),
        e.message(),
    )
    .at(e.line, e.column)]))
}

/// The `(parameter, must)` of a thrown `#{ parameter, must }` map, wherever
/// in the hook's calls it was thrown.
fn named_parameter(err: &EvalAltResult) -> Option<(String, String)> {
    let mut err = err;
    while let EvalAltResult::ErrorInFunctionCall(_, _, inner, _) = err {
        err = inner;
    }
    let EvalAltResult::ErrorRuntime(value, _) = err else {
        return None;
    };
    let map = value.read_lock::<rhai::Map>()?;
    let text = |key: &str| {
        map.get(key)
            .and_then(|v| v.clone().into_immutable_string().ok())
            .map(|s| s.to_string())
    };
    Some((text("parameter")?, text("must")?))
}

/// The error for `parameter` failing its check: at its line in
/// `parameters.rhai`, with its value and where the check is.
fn parameter_error(
    policy: &Policy,
    parameter: &str,
    must: &str,
    err: &EvalAltResult,
) -> PolicyError {
    let path = split_path(parameter);
    let value = value_at(policy.params(), &path);
    let mut message = format!("{parameter} must {must}");
    match &value {
        Some(v) => message.push_str(&format!("; it is {}", show(v))),
        None => message.push_str(&format!("; {PARAMETERS_FILE} does not give it")),
    }
    // Where the check is, for whoever maintains the rules.
    if let (file, Some(line)) = check_site(policy, err) {
        message.push_str(&format!(" (checked at {file}:{line})"));
    }
    let text = policy
        .sources()
        .get(PARAMETERS_FILE)
        .map_or("", String::as_str);
    let pos = key_position(text, &path).unwrap_or(Position::NONE);
    PolicyError::new(PARAMETERS_FILE, message).at(pos.line(), pos.position())
}

/// One step of a parameter path.
#[derive(Debug, PartialEq)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// `grade_bands[1].min` → `grade_bands`, `[1]`, `min`. A malformed index
/// (`a[x]`) is kept as a key, which simply finds nothing.
fn split_path(path: &str) -> Vec<Step<'_>> {
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = part.split_once('[').map_or((part, ""), |(n, r)| (n, r));
        if !name.is_empty() {
            steps.push(Step::Key(name));
        }
        while let Some((index, after)) = rest.split_once(']') {
            match index.parse() {
                Ok(i) => steps.push(Step::Index(i)),
                Err(_) => steps.push(Step::Key(index)),
            }
            rest = after.strip_prefix('[').unwrap_or(after);
        }
    }
    steps
}

/// The parameter's value, if the path leads to one.
fn value_at(params: &Dynamic, path: &[Step]) -> Option<Dynamic> {
    let mut value = params.clone();
    for step in path {
        value = match step {
            Step::Key(k) => match value.read_lock::<FrozenMap>() {
                Some(frozen) => frozen.0.get(*k)?.clone(),
                None => value.read_lock::<rhai::Map>()?.get(*k)?.clone(),
            },
            Step::Index(i) => value.read_lock::<rhai::Array>()?.get(*i)?.clone(),
        };
    }
    Some(value)
}

/// A value as it would be written in `parameters.rhai`.
fn show(value: &Dynamic) -> String {
    if value.is_string() {
        format!("{:?}", value.to_string())
    } else if value.is_unit() {
        "()".to_string()
    } else {
        value.to_string()
    }
}

/// Where the failing check is written: the call of the function that threw
/// (a helper such as `must(name, ok, what)` throws for many checks, so its
/// own `throw` line says nothing), or the throw itself when
/// `check_parameters` throws directly.
fn check_site<'a>(policy: &'a Policy, err: &EvalAltResult) -> (&'a str, Option<usize>) {
    let file_of = |name: &str| policy.function_file(name).unwrap_or("");
    // rhai wraps each call below `check_parameters` with the call's position
    // in its caller; the innermost is the call of the function that threw.
    let mut caller = CHECK_PARAMETERS;
    let mut site = None;
    let mut err = err;
    while let EvalAltResult::ErrorInFunctionCall(name, _, inner, pos) = err {
        site = Some((file_of(caller), pos.line()));
        caller = name;
        err = inner;
    }
    site.unwrap_or_else(|| (file_of(CHECK_PARAMETERS), err.position().line()))
}

/// Where `path` is written in the text of `parameters.rhai`: the key of a
/// map entry, or the element of an array. Parsed again without optimising,
/// which would fold constant tables and lose their positions; loading has
/// already accepted the file, so this only runs for an error.
fn key_position(text: &str, path: &[Step]) -> Option<Position> {
    let mut engine = Engine::new_raw();
    engine.set_optimization_level(OptimizationLevel::None);
    let ast = engine.compile(text).ok()?;
    let Some(Stmt::Expr(expr)) = ast.statements().first() else {
        return None;
    };
    let mut expr: &Expr = expr;
    let mut pos = None;
    for step in path {
        match (step, expr) {
            (Step::Key(k), Expr::Map(m, _)) => {
                let Some((ident, value)) = m.0.iter().find(|(ident, _)| ident.name == *k) else {
                    break;
                };
                pos = Some(ident.pos);
                expr = value;
            }
            (Step::Index(i), Expr::Array(items, _)) => {
                let Some(item) = items.get(*i) else { break };
                expr = item;
                pos = Some(expr.start_position());
            }
            // The path goes deeper than the literal (a computed value), or
            // names an entry the table lacks: the deepest part written is
            // the best place.
            _ => break,
        }
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARAMS: &str = "#{\n    cap: \"B\",\n    days: #{ A: 30,\n             B: 60 },\n    bands: [#{ min: 90 },\n            #{ min: 75 }],\n}";

    fn line_of(path: &str) -> Option<usize> {
        key_position(PARAMS, &split_path(path)).and_then(|p| p.line())
    }

    #[test]
    fn paths_split_into_keys_and_indexes() {
        assert_eq!(
            split_path("bands[1].min"),
            [Step::Key("bands"), Step::Index(1), Step::Key("min")]
        );
        assert_eq!(split_path("cap"), [Step::Key("cap")]);
        assert_eq!(
            split_path("m[0][2]"),
            [Step::Key("m"), Step::Index(0), Step::Index(2)]
        );
    }

    #[test]
    fn a_parameter_is_found_at_its_own_line() {
        assert_eq!(line_of("cap"), Some(2));
        assert_eq!(line_of("days"), Some(3));
        assert_eq!(line_of("days.B"), Some(4));
        assert_eq!(line_of("bands[1]"), Some(6));
        assert_eq!(line_of("bands[1].min"), Some(6));
        assert_eq!(line_of("nope"), None);
        // Deeper than the literal, or an entry the table lacks: the deepest
        // part written.
        assert_eq!(line_of("cap.x"), Some(2));
        assert_eq!(line_of("bands[7]"), Some(5));
        assert_eq!(line_of("days.C"), Some(3));
    }

    fn policy_with(check: &str, params: &str) -> PolicyErrors {
        let mut files = std::collections::BTreeMap::new();
        files.insert(
            "policy.rhai".to_string(),
            r#"#{ name: "t", version: "1", tiers: ["A", "B"] }"#.to_string(),
        );
        files.insert(PARAMETERS_FILE.to_string(), params.to_string());
        files.insert("check.rhai".to_string(), check.to_string());
        files.insert(
            "customer.rhai".to_string(),
            "fn customer(c, as_of, p) {\n  #{}\n}\n".to_string(),
        );
        match Policy::from_sources(files) {
            Err(e) => e,
            Ok(_) => PolicyErrors(Vec::new()),
        }
    }

    #[test]
    fn a_named_parameter_is_reported_at_its_line_with_its_value() {
        let check = "fn check_parameters(p) {\n    helper(p);\n}\nfn helper(p) {\n    if !(p.cap in p.tiers) {\n        throw #{ parameter: \"cap\", must: \"be one of the tiers A, B\" };\n    }\n}\n";
        let errs = policy_with(check, "#{\n  other: 1,\n  cap: \"b\",\n}").0;
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].file, PARAMETERS_FILE);
        assert_eq!((errs[0].line, errs[0].column), (Some(3), Some(3)));
        assert_eq!(
            errs[0].message,
            "cap must be one of the tiers A, B; it is \"b\" (checked at check.rhai:2)"
        );
    }

    #[test]
    fn a_named_parameter_that_is_absent_says_so() {
        let check =
            "fn check_parameters(p) {\n    throw #{ parameter: \"cap\", must: \"be given\" };\n}\n";
        let errs = policy_with(check, "#{ other: 1 }").0;
        assert_eq!(errs[0].file, PARAMETERS_FILE);
        assert_eq!(errs[0].line, None);
        assert!(
            errs[0]
                .message
                .starts_with("cap must be given; parameters.rhai does not give it"),
            "{errs:?}"
        );
    }

    #[test]
    fn any_other_throw_stays_at_the_throw() {
        for thrown in [
            "\"no\"",
            "#{ parameter: \"cap\" }",
            "#{ parameter: 1, must: \"x\" }",
        ] {
            let check = format!("fn check_parameters(p) {{\n    throw {thrown};\n}}\n");
            let errs = policy_with(&check, "#{ cap: 1 }").0;
            assert_eq!(errs[0].file, "check.rhai", "{thrown}: {errs:?}");
            assert_eq!(errs[0].line, Some(2), "{thrown}: {errs:?}");
        }
    }
}
