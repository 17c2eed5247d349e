//! The policy compiler: the same rhai rules, lowered to native code paths.
//!
//! Every policy is compiled when it loads ([`Engine::process_default`];
//! [`Policy::with_engine`] chooses): the compiler lowers every function
//! kam can reach from its entry points (`customer`, `staff` and the period
//! functions) from rhai's AST (rhai 1.27, `internals`) into a **tree of
//! closures** over a typed `value::Value` (unit, bool, int, decimal, date,
//! text, array, map, plus the read-only record/parameters and closures)
//! instead of `Dynamic`. The interpreter stays the reference and the
//! fallback: a policy using a construct the compiler does not cover keeps
//! running interpreted, and [`Policy::compile_fallback`] names the construct
//! with file, line and column.
//!
//! One concept per file: `value` the typed value and its conversions at
//! the edges, `lower` AST → closures, `builtins` the operators and the
//! rhai/kam functions, `switch` how a value finds its case, `run` the
//! program, frames, sandbox counters and error locations.
//!
//! ## Closures, not bytecode
//! A closure tree keeps each construct's semantics in one Rust expression
//! next to its lowering, which is what the differential proof against the
//! interpreter needs first; dispatch is one indirect call per node with the
//! operands already resolved (slots, function indices, field slots, native
//! function chosen by name and arity), and no name hashing, scope search or
//! `Dynamic` boxing at run time. A register bytecode would save the indirect
//! call and the per-node `Box`, and can replace this tree later behind the
//! same `Program` interface once the figures say the tree is the bottleneck.
//!
//! ## What is known at load
//! - variables are frame slots; calls between policy functions are indices;
//! - a property read knows the slot of its name in each known key list (the
//!   customer record, the staff record and the parameters), so `c.x` and
//!   `p.x` are one index when the map has that list;
//! - the parameters are converted once per compiled policy.
//!
//! ## Records and results
//! A record reaches compiled code as a `value::Value` built from its
//! declaration (`eval/record.rs`, the same walk that builds the
//! interpreter's map), and compiled code's result is checked as it is by the
//! one set of result checks (`eval/shape.rs`, generic over both engines'
//! values): no shape rule is duplicated and no value is converted into the
//! other engine's. A result that breaks the contract, and the rare record
//! compiled code cannot finish (`run::FailKind::Interpret`), are evaluated
//! again by the interpreter, which gives the answer and words the error.
//!
//! ## Sandbox
//! - **operations**: one per statement run, one per loop iteration, one per
//!   call of a policy function or closure. rhai also counts expressions and
//!   native calls, so the compiled count is lower than rhai's for the same
//!   work (about a third for the bundled policy); the budget is the same
//!   number, so a runaway loop is stopped in both, later in compiled code.
//!   Limit errors carry the file and line of the statement, loop or call
//!   where the budget ran out (rhai gives none).
//! - **call depth**: policy-function calls and closure calls nest at most
//!   `max_call_levels` deep.
//! - **sizes**: every string, array or map a rule builds (literals,
//!   interpolation, `push`, `note`, `+=`, assignments into a map or array) is
//!   checked against the string, array and map limits, nested values counted
//!   as rhai counts them. Arrays and maps keep their totals as they change
//!   (`value::Counted`), so a check is one read where rhai walks the value.
//! - **wall clock**: the same thread-local deadline as the interpreter,
//!   checked every 1,024 operations.

pub(crate) mod builtins;
pub(crate) mod lower;
pub(crate) mod map;
pub(crate) mod run;
pub(crate) mod switch;
pub(crate) mod value;

use std::collections::HashMap;
use std::sync::Arc;

pub use lower::Unsupported;

use crate::model::{CustomerRecord, Declared, StaffRecord};
use crate::Policy;

/// Which engine evaluates a policy's rules.
///
/// A policy loads compiled unless the process says otherwise: the
/// environment variable `KAM_ENGINE=interpreted` makes the interpreter the
/// default of every policy loaded in the process (the CLI, Python, Rust; the
/// browser has no environment and takes an option instead), which is how the
/// test suites prove both engines give the same answers without changing
/// code. An explicit [`Policy::with_engine`] always wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Engine {
    /// rhai's interpreter: the reference semantics.
    Interpreted,
    /// The policy compiled to native code paths (falls back to the
    /// interpreter for a policy it does not cover). The default.
    #[default]
    Compiled,
}

impl Engine {
    /// The engine's name as front ends spell it: `compiled`, `interpreted`.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Interpreted => "interpreted",
            Engine::Compiled => "compiled",
        }
    }

    /// Every engine's name, the default first.
    pub const NAMES: &'static [&'static str] = &["compiled", "interpreted"];

    /// The engine called `name` (one of [`Engine::NAMES`]).
    ///
    /// ```
    /// assert_eq!(kam::Engine::named("interpreted"), Some(kam::Engine::Interpreted));
    /// assert_eq!(kam::Engine::named("fast"), None);
    /// ```
    pub fn named(name: &str) -> Option<Engine> {
        [Engine::Compiled, Engine::Interpreted]
            .into_iter()
            .find(|e| e.name() == name)
    }

    /// The engine a policy loads with: `KAM_ENGINE` when it names one,
    /// otherwise [`Engine::Compiled`]. Read once per process.
    pub fn process_default() -> Engine {
        static DEFAULT: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        *DEFAULT.get_or_init(|| {
            std::env::var("KAM_ENGINE")
                .ok()
                .and_then(|v| Engine::named(v.trim()))
                .unwrap_or_default()
        })
    }
}

/// The result of compiling: the program, or the construct that stopped it.
pub(crate) type Compiled = Result<run::Program, Unsupported>;

/// Compiles `policy`'s rules.
pub(crate) fn compile(policy: &Policy) -> Compiled {
    let sorted = |names: &[&str]| -> Arc<[Arc<str>]> {
        let mut v: Vec<&str> = names.to_vec();
        v.sort_unstable();
        v.into_iter().map(Arc::from).collect()
    };
    let mut known = value::KnownKeys::default();
    known.add_record(CustomerRecord::FIELDS);
    known.add_record(StaffRecord::FIELDS);
    if let Some(p) = policy
        .params()
        .read_lock::<crate::policy::sandbox::FrozenMap>()
    {
        let keys: Vec<&str> = p.0.keys().map(|k| k.as_str()).collect();
        known.lists.push(sorted(&keys));
    }
    let params = value::from_dynamic(policy.params(), &known).ok_or_else(|| Unsupported {
        file: crate::policy::PARAMETERS_FILE.into(),
        line: None,
        column: None,
        construct: "a parameter value of a type the compiler does not know".into(),
    })?;
    let file_of = |name: &str| policy.function_file(name).unwrap_or_default().to_string();
    let mut lowering = lower::Lowering::new(policy.ast(), &file_of, &known);
    let mut entries = HashMap::new();
    for (name, args) in crate::policy::KAM_CALLS {
        if let Some(i) = lowering.function(name, args.len()) {
            entries.insert((*name).to_string(), i);
        }
    }
    let funcs = lowering.finish()?;
    Ok(run::Program {
        funcs,
        entries,
        known,
        limits: policy.limits().clone(),
        params,
    })
}

impl Policy {
    /// This policy evaluated by `engine`. [`Engine::Compiled`] compiles the
    /// rules once (cheap to clone afterwards; loading already did, unless
    /// `KAM_ENGINE=interpreted`); when the policy uses a
    /// construct the compiler does not cover, it keeps the interpreter and
    /// [`Policy::compile_fallback`] says why. Results are the same either way.
    ///
    /// ```
    /// use kam::{Engine, Policy};
    /// let policy = Policy::from_dir("../rules")?.with_engine(Engine::Interpreted);
    /// assert_eq!(policy.engine_in_use(), Engine::Interpreted);
    /// let record = serde_json::json!({"id": "C-1", "annual_revenue": 1_200_000});
    /// let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    /// assert_eq!(policy.evaluate_customer_json(&record, as_of)?.tier.as_deref(), Some("B"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_engine(&self, engine: Engine) -> Policy {
        let compiled = match engine {
            Engine::Interpreted => None,
            Engine::Compiled => Some(match self.compiled() {
                Some(c) => c.clone(),
                None => Arc::new(compile(self)),
            }),
        };
        self.with_compiled(compiled)
    }

    /// This policy run by the interpreter, the reference semantics.
    pub(crate) fn reference(&self) -> Policy {
        self.with_engine(Engine::Interpreted)
    }

    /// The engine that evaluates this policy's rules.
    pub fn engine_in_use(&self) -> Engine {
        match self.compiled().map(|c| c.is_ok()) {
            Some(true) => Engine::Compiled,
            _ => Engine::Interpreted,
        }
    }

    /// Why a policy asked to run compiled runs interpreted: the first
    /// construct the compiler does not cover, with file, line and column.
    pub fn compile_fallback(&self) -> Option<&Unsupported> {
        self.compiled().and_then(|c| c.as_ref().as_ref().err())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both() -> (Policy, Policy) {
        let p = Policy::from_dir("../rules")
            .unwrap()
            .with_engine(Engine::Interpreted);
        let c = p.with_engine(Engine::Compiled);
        assert_eq!(c.compile_fallback(), None);
        assert_eq!(c.engine_in_use(), Engine::Compiled);
        (p, c)
    }

    fn records(file: &str) -> Vec<serde_json::Value> {
        std::fs::read_to_string(format!("../data/{file}"))
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn wire<T: serde::Serialize>(r: &Result<T, crate::Error>) -> String {
        match r {
            Ok(v) => serde_json::to_string(v).unwrap(),
            Err(e) => serde_json::to_string(&e.to_json()).unwrap(),
        }
    }

    #[test]
    fn the_bundled_policy_compiles_and_agrees_on_the_samples() {
        let (p, c) = both();
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        for r in records("customers.jsonl") {
            let a = wire(&p.evaluate_customer_json(&r, as_of));
            let b = wire(&c.evaluate_customer_json(&r, as_of));
            assert_eq!(a, b, "{r}");
        }
        for r in records("staff.jsonl") {
            let a = wire(&p.evaluate_staff_json(&r));
            let b = wire(&c.evaluate_staff_json(&r));
            assert_eq!(a, b, "{r}");
        }
    }
}

#[cfg(test)]
mod fallback {
    use super::*;

    fn with(file: &str, text: &str) -> Policy {
        let mut files = Policy::read_sources("../rules").unwrap();
        files.insert(file.into(), text.into());
        Policy::from_sources(files).unwrap()
    }

    #[test]
    fn an_uncovered_construct_keeps_the_interpreter_and_is_named() {
        let text = "fn visit(c, tier, as_of, p) {\n    if tier == 'A' {\n        ()\n    }\n}\n";
        let policy = with("customer_visit.rhai", text).with_engine(Engine::Compiled);
        assert_eq!(policy.engine_in_use(), Engine::Interpreted);
        let why = policy.compile_fallback().unwrap();
        assert_eq!(why.file, "customer_visit.rhai");
        assert_eq!((why.line, why.column), (Some(2), Some(16)));
        assert!(why.to_string().contains("character"), "{why}");
        let record = serde_json::json!({"id": "C-1", "annual_revenue": 1_200_000});
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert!(policy.evaluate_customer_json(&record, as_of).is_ok());
    }

    #[test]
    fn the_budget_and_the_call_depth_hold_with_file_and_line() {
        let record = serde_json::json!({"id": "C-1", "annual_revenue": 1_200_000});
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        for (text, line, what) in [
            ("fn visit(c, tier, as_of, p) {\n    let n = 0;\n    while true {\n        n += 1;\n    }\n}\n", Some(4), "Too many operations"),
            ("fn visit(c, tier, as_of, p) {\n    deeper(0)\n}\nfn deeper(n) {\n    deeper(n + 1)\n}\n", Some(5), "Stack overflow"),
            // `try` catches neither; a limit under `try` is the interpreter's
            // to judge (rhai catches one inside a native's callback), so its
            // line is rhai's
            ("fn visit(c, tier, as_of, p) {\n    let n = 0;\n    try {\n        while true {\n            n += 1;\n        }\n    } catch {\n        ()\n    }\n}\n", None, "Too many operations"),
            ("fn visit(c, tier, as_of, p) {\n    try {\n        deeper(0)\n    } catch {\n        ()\n    }\n}\nfn deeper(n) {\n    deeper(n + 1)\n}\n", None, "Stack overflow"),
        ] {
            let policy = with("customer_visit.rhai", text).with_engine(Engine::Compiled);
            assert_eq!(policy.compile_fallback(), None);
            match policy.evaluate_customer_json(&record, as_of) {
                Err(crate::Error::Rule(e)) => {
                    assert!(matches!(&e.kind, crate::RuleErrorKind::Limit(m) if m.starts_with(what)), "{e}");
                    // (the interpreter names the entry's file, not the line)
                    if line.is_some() {
                        assert_eq!((e.file.as_str(), e.line), ("customer_visit.rhai", line), "{e}");
                    }
                }
                other => panic!("expected a limit, got {other:?}"),
            }
        }
    }
}
