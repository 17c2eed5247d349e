//! The load-time check of the fields rules read: `c.anual_revenue` on the
//! customer record, `p.a_min_revnue` on the parameters, is a policy error
//! with its file, line and column, not an error on every record.
//!
//! A function parameter is known to hold the record (or the parameters)
//! when every call that can reach it passes it so: kam's own calls of the
//! entry points (`customer(c, as_of, p)`, `staff(s, p)`, the staff-period
//! functions' `p`), then, to a fixed point, every call in the policy that
//! passes such a parameter on unchanged (`base_tier(c, p)`, `why.visit(c,
//! tier, as_of, p)`). A parameter that some call fills with anything else,
//! that a function reassigns or shadows, or whose function is also used as
//! a function value (`Fn("f")`, a closure) is not checked: what it holds is
//! only known per record, and the sandbox still refuses an unknown field
//! then.

use std::collections::{BTreeMap, HashMap, HashSet};

use rhai::{ASTNode, Expr, Stmt, AST};

use super::{Passed, KAM_CALLS};
use crate::error::PolicyError;
use crate::model::fields::closest;
use crate::model::{CustomerRecord, Declared, StaffRecord};

/// What a parameter holds, as far as loading can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Holds {
    /// No call reaches it (yet).
    Unseen,
    Customer,
    Staff,
    Params,
    /// Different things, or something else: not checked.
    Anything,
}

impl Holds {
    fn join(self, other: Holds) -> Holds {
        match (self, other) {
            (Holds::Unseen, x) | (x, Holds::Unseen) => x,
            (a, b) if a == b => a,
            _ => Holds::Anything,
        }
    }

    /// What kam itself passes.
    fn of(p: Passed) -> Holds {
        match p {
            Passed::Customer => Holds::Customer,
            Passed::Staff => Holds::Staff,
            Passed::Params => Holds::Params,
            Passed::Other => Holds::Anything,
        }
    }
}

/// One argument of a call, seen from the calling function.
enum Arg {
    /// The caller's parameter `i`, passed on unchanged.
    Param(usize),
    Other,
}

struct Call {
    caller: (String, usize),
    callee: (String, usize),
    args: Vec<Arg>,
}

/// A function of the policy, with what the check needs of it.
struct Def<'a> {
    file: &'a str,
    params: Vec<String>,
    /// Parameters the body assigns or declares again (`let c = …`, `for c in …`).
    unstable: HashSet<String>,
    body: Vec<Stmt>,
}

/// Checks every field read on a parameter known to hold the record or the
/// parameters; `params`: the parameters' keys (`None` when they did not load).
pub(crate) fn check_fields(
    asts: &BTreeMap<&str, AST>,
    params: Option<&[&str]>,
    errors: &mut Vec<PolicyError>,
) {
    let mut defs: HashMap<(String, usize), Def<'_>> = HashMap::new();
    let mut calls = Vec::new();
    let mut escaped: HashSet<String> = HashSet::new();
    for (file, ast) in asts {
        for f in ast.iter_fn_def() {
            let key = (f.name.to_string(), f.params.len());
            let params: Vec<String> = f.params.iter().map(|p| p.to_string()).collect();
            let mut unstable = HashSet::new();
            let body = crate::compile::lower::body_of(ast, &f.name, f.params.len());
            let mut path = Vec::new();
            for stmt in &body {
                stmt.walk(&mut path, &mut |nodes: &[ASTNode]| {
                    visit(
                        nodes,
                        &params,
                        &key,
                        &mut unstable,
                        &mut calls,
                        &mut escaped,
                    );
                    true
                });
                path.clear();
            }
            defs.insert(
                key,
                Def {
                    file,
                    params,
                    unstable,
                    body,
                },
            );
        }
    }

    // What each parameter holds: kam's calls first, then the policy's own, to a fixed point.
    let mut holds: HashMap<(String, usize), Vec<Holds>> = defs
        .iter()
        .map(|(key, d)| (key.clone(), vec![Holds::Unseen; d.params.len()]))
        .collect();
    for (name, seeds) in KAM_CALLS {
        if let Some(h) = holds.get_mut(&(name.to_string(), seeds.len())) {
            for (slot, seed) in h.iter_mut().zip(seeds.iter()) {
                *slot = slot.join(Holds::of(*seed));
            }
        }
    }
    for (key, h) in holds.iter_mut() {
        let stable = |i: usize| {
            defs.get(key)
                .is_some_and(|d| d.params.get(i).is_some_and(|p| !d.unstable.contains(p)))
        };
        for (i, slot) in h.iter_mut().enumerate() {
            if escaped.contains(&key.0) || !stable(i) {
                *slot = Holds::Anything;
            }
        }
    }
    let mut changed = true;
    while changed {
        changed = false;
        for call in &calls {
            let given: Vec<Holds> = call
                .args
                .iter()
                .map(|a| match a {
                    Arg::Param(i) => holds
                        .get(&call.caller)
                        .and_then(|h| h.get(*i))
                        .copied()
                        .unwrap_or(Holds::Anything),
                    Arg::Other => Holds::Anything,
                })
                .collect();
            // A caller no call reaches (yet) passes nothing on.
            if holds
                .get(&call.caller)
                .is_some_and(|h| !h.is_empty() && h.iter().all(|x| *x == Holds::Unseen))
            {
                continue;
            }
            if let Some(h) = holds.get_mut(&call.callee) {
                for (slot, g) in h.iter_mut().zip(given) {
                    let joined = slot.join(g);
                    if joined != *slot {
                        *slot = joined;
                        changed = true;
                    }
                }
            }
        }
    }

    let customer = CustomerRecord::FIELDS;
    let staff = StaffRecord::FIELDS;
    let mut found = Vec::new();
    for (key, def) in &defs {
        let Some(h) = holds.get(key) else { continue };
        for (i, param) in def.params.iter().enumerate() {
            let (known, what): (&[&str], &str) = match h.get(i) {
                Some(Holds::Customer) => (customer, "the customer record has no field"),
                Some(Holds::Staff) => (staff, "the staff record has no field"),
                Some(Holds::Params) => match params {
                    Some(keys) => (keys, "parameters.rhai has no parameter"),
                    None => continue,
                },
                _ => continue,
            };
            let mut path = Vec::new();
            for stmt in &def.body {
                stmt.walk(&mut path, &mut |nodes: &[ASTNode]| {
                    if let Some(ASTNode::Expr(e)) = nodes.last() {
                        if let Some((name, pos)) = field_read(e, param) {
                            if !known.contains(&name) {
                                let hint = closest(name, known)
                                    .map(|s| format!(" (did you mean `{s}`?)"))
                                    .unwrap_or_default();
                                found.push(
                                    PolicyError::new(
                                        def.file,
                                        format!("`{param}.{name}`: {what} `{name}`{hint}"),
                                    )
                                    .at(pos.line(), pos.position()),
                                );
                            }
                        }
                    }
                    true
                });
                path.clear();
            }
        }
    }
    // In file and line order, whatever order the functions were found in.
    found.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    found.dedup();
    errors.extend(found);
}

/// Records what one node of a function body tells: a call (with which of
/// the function's parameters it passes on), a parameter assigned or
/// declared again, a function used as a value.
fn visit(
    nodes: &[ASTNode],
    params: &[String],
    caller: &(String, usize),
    unstable: &mut HashSet<String>,
    calls: &mut Vec<Call>,
    escaped: &mut HashSet<String>,
) {
    match nodes.last() {
        Some(ASTNode::Stmt(Stmt::Var(x, ..))) => {
            unstable.insert(x.0.name.to_string());
        }
        Some(ASTNode::Stmt(Stmt::For(x, _))) => {
            unstable.insert(x.0.name.to_string());
            if let Some(counter) = &x.1 {
                unstable.insert(counter.name.to_string());
            }
        }
        Some(ASTNode::Stmt(Stmt::Assignment(x))) => {
            if let Some(name) = root_variable(&x.1.lhs) {
                unstable.insert(name.to_string());
            }
        }
        Some(ASTNode::Expr(Expr::DynamicConstant(v, _))) => {
            if let Some(fp) = v.read_lock::<rhai::FnPtr>() {
                escaped.insert(fp.fn_name().to_string());
            }
        }
        Some(ASTNode::Expr(Expr::FnCall(call, _) | Expr::MethodCall(call, _))) => {
            // `Fn("f")`, `call("f", …)`: `f` is called from places loading cannot see.
            if let Some(Expr::StringConstant(s, _)) = call.args.first() {
                if matches!(call.name.as_str(), "Fn" | "call" | "curry") {
                    escaped.insert(s.to_string());
                }
            }
            let args = call
                .args
                .iter()
                .map(|a| match a {
                    Expr::Variable(v, ..) => params
                        .iter()
                        .position(|p| p.as_str() == v.1.as_str())
                        .map_or(Arg::Other, Arg::Param),
                    _ => Arg::Other,
                })
                .collect();
            calls.push(Call {
                caller: caller.clone(),
                callee: (call.name.to_string(), call.args.len()),
                args,
            });
        }
        _ => {}
    }
}

/// The variable an assignment writes into (`c = …`, `c.x = …`, `c[0] = …`).
fn root_variable(e: &Expr) -> Option<&str> {
    match e {
        Expr::Variable(v, ..) => Some(v.1.as_str()),
        Expr::Dot(b, ..) | Expr::Index(b, ..) => root_variable(&b.lhs),
        _ => None,
    }
}

/// `param.name` (or `param["name"]`) at the head of a chain: the name read
/// and where it is written.
fn field_read<'e>(e: &'e Expr, param: &str) -> Option<(&'e str, rhai::Position)> {
    let (b, index) = match e {
        Expr::Dot(b, ..) => (b, false),
        Expr::Index(b, ..) => (b, true),
        _ => return None,
    };
    match &b.lhs {
        Expr::Variable(v, ..) if v.1.as_str() == param => {}
        _ => return None,
    }
    let mut head = &b.rhs;
    // `c.incidents.len()` is `c . (incidents . len())`: the field is the first step.
    while let Expr::Dot(inner, ..) | Expr::Index(inner, ..) = head {
        head = &inner.lhs;
    }
    match head {
        Expr::Property(x, pos) if !index => Some((x.2.as_str(), *pos)),
        Expr::StringConstant(s, pos) if index => Some((s.as_str(), *pos)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::error::PolicyError;
    use crate::Policy;

    /// Loads a policy whose `customer.rhai` is `rules`; its errors.
    fn errors(rules: &str) -> Vec<PolicyError> {
        let files: BTreeMap<String, String> = [
            (
                "policy.rhai",
                r#"#{ name: "t", version: "1", tiers: ["A", "B"] }"#,
            ),
            ("parameters.rhai", "#{ a_min_revenue: 10 }"),
            ("customer.rhai", rules),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        match Policy::from_sources(files) {
            Ok(_) => Vec::new(),
            Err(e) => e.0,
        }
    }

    #[test]
    fn a_misspelt_field_passed_on_through_calls_is_found_where_it_is_written() {
        let errs = errors(
            "fn customer(c, as_of, p) { let why = []; why.tier(c, p) }\n\
             fn tier(c, p) { if big(c, p) { #{} } else { #{} } }\n\
             fn big(rec, p) {\n  rec.anual_revenue >= p.a_min_revnue\n}\n",
        );
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(
            (errs[0].file.as_str(), errs[0].line, errs[0].column),
            ("customer.rhai", Some(4), Some(7))
        );
        assert_eq!(
            errs[0].message,
            "`rec.anual_revenue`: the customer record has no field `anual_revenue` (did you mean `annual_revenue`?)"
        );
        assert_eq!(errs[1].column, Some(26));
        assert!(
            errs[1].message.contains(
                "parameters.rhai has no parameter `a_min_revnue` (did you mean `a_min_revenue`?)"
            ),
            "{}",
            errs[1]
        );
    }

    #[test]
    fn fields_of_the_record_and_its_nested_values_pass() {
        let errs = errors(
            "fn customer(c, as_of, p) {\n  let n = c.incidents.len() + c[\"late_payments\"];\n  \
             if c.annual_revenue > p.a_min_revenue && p.tiers[0] == \"A\" { #{} } else { #{} }\n}\n",
        );
        assert!(errs.is_empty(), "{errs:?}");
        let errs = errors("fn customer(c, as_of, p) { c[\"anual_revenue\"] }\n");
        assert_eq!(errs.len(), 1, "{errs:?}");
    }

    #[test]
    fn a_parameter_that_may_hold_something_else_is_left_to_run_time() {
        // `big` is also called with a map the policy builds.
        let mixed = "fn customer(c, as_of, p) { big(c) || big(#{ anual_revenue: 1 }) }\n\
                     fn big(x) { x.anual_revenue > 1 }\n";
        assert!(errors(mixed).is_empty());
        // Shadowed, reassigned, or used as a function value.
        for rules in [
            "fn customer(c, as_of, p) { let c = #{ x: 1 }; c.x }\n",
            "fn customer(c, as_of, p) { c = #{ x: 1 }; c.x }\n",
            "fn customer(c, as_of, p) { let f = Fn(\"big\"); f.call(c) }\nfn big(x) { x.anual_revenue }\n",
            "fn customer(c, as_of, p) { 1 }\nfn never_called(c) { c.anual_revenue }\n",
        ] {
            assert!(errors(rules).is_empty(), "{rules}");
        }
    }
}
