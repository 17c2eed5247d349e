//! The load-time check of every `note("code", #{…})` and
//! `adjust(points, "code", #{…})` whose code and facts are literals at the
//! call site (the default policy's style): the code has a template, and the
//! facts hold every name its templates read.

use std::collections::BTreeMap;

use rhai::{ASTNode, Expr, AST};

use super::Messages;
use crate::error::PolicyError;

/// Checks the calls in every rule file's `ast`.
pub(crate) fn check_calls(
    asts: &BTreeMap<&str, AST>,
    messages: &Messages,
    errors: &mut Vec<PolicyError>,
) {
    for (file, ast) in asts {
        ast.walk(&mut |path: &[ASTNode]| {
            let Some(ASTNode::Expr(expr)) = path.last() else {
                return true;
            };
            let (call, pos) = match expr {
                Expr::FnCall(call, pos) | Expr::MethodCall(call, pos) => (call, *pos),
                _ => return true,
            };
            if !matches!(call.name.as_str(), "note" | "adjust") || call.args.len() < 2 {
                return true;
            }
            let n = call.args.len();
            let Expr::StringConstant(code, _) = &call.args[n - 2] else {
                return true;
            };
            // `note(rule, text)`: a literal message, no template.
            if matches!(call.args[n - 1], Expr::StringConstant(..) | Expr::InterpolatedString(..)) {
                return true;
            }
            let at = |message: String| {
                PolicyError::new(*file, message).at(pos.line(), pos.position())
            };
            if !messages.has(code) {
                let languages = messages.languages();
                errors.push(at(if languages.is_empty() {
                    format!(
                        "`{}(\"{code}\", …)`: the policy has no messages (list `languages` in policy.rhai and add messages/<lang>.rhai)",
                        call.name
                    )
                } else {
                    format!(
                        "`{}(\"{code}\", …)`: no template for `{code}` in messages/{}.rhai",
                        call.name, languages[0]
                    )
                }));
                return true;
            }
            let Some(facts) = literal_keys(&call.args[n - 1]) else {
                return true;
            };
            // Each missing name once, with the languages whose template reads it.
            let mut missing: Vec<(&str, Vec<&str>)> = Vec::new();
            for (lang, template) in messages.templates(code) {
                for name in template.names().filter(|n| !facts.iter().any(|f| f == n)) {
                    match missing.iter_mut().find(|(n, _)| *n == name) {
                        Some((_, langs)) if !langs.contains(&lang) => langs.push(lang),
                        Some(_) => {}
                        None => missing.push((name, vec![lang])),
                    }
                }
            }
            for (name, langs) in missing {
                errors.push(at(format!(
                    "`{}(\"{code}\", …)`: the facts have no `{name}`, which the {} template{} read{}",
                    call.name,
                    langs.join(" and "),
                    if langs.len() > 1 { "s" } else { "" },
                    if langs.len() > 1 { "" } else { "s" },
                )));
            }
            true
        });
    }
}

/// The keys of a map literal (`None`: the facts are not a literal map).
fn literal_keys(expr: &Expr) -> Option<Vec<String>> {
    match expr {
        Expr::Map(m, _) => Some(m.0.iter().map(|(k, _)| k.name.to_string()).collect()),
        Expr::DynamicConstant(v, _) => v
            .read_lock::<rhai::Map>()
            .map(|m| m.keys().map(|k| k.to_string()).collect()),
        _ => None,
    }
}
