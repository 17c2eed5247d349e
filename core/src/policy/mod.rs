//! A compiled policy: load once, share everywhere, evaluate through `&self`.

mod call;
mod fields;
mod limits;
mod load;
mod messages;
mod parameter_check;
pub(crate) mod sandbox;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use rhai::{Dynamic, Engine, AST};

use crate::compile::Compiled;

pub(crate) use call::call_entry;
pub use limits::{Limits, LimitsError};
pub(crate) use load::fn_line;
pub use load::{MANIFEST_FILE, PARAMETERS_FILE};
pub use messages::{Reasons, UnknownLanguage};
pub use sandbox::{format_money, format_pct};

use crate::error::PolicyErrors;
use crate::model::PolicyInfo;

/// Entry points a policy may define, with their parameter counts:
/// `customer(c, as_of, p)` and `staff(s, p)`.
pub(crate) const ENTRY_POINTS: &[(&str, usize)] = &[("customer", 3), ("staff", 2)];

/// What kam passes a policy function it calls.
#[derive(Clone, Copy)]
pub(crate) enum Passed {
    Customer,
    Staff,
    Params,
    Other,
}

/// Every function kam calls, with what it passes each parameter: the
/// compiler compiles these, the field check follows the record and the
/// parameters from them.
pub(crate) const KAM_CALLS: &[(&str, &[Passed])] = &[
    (
        "customer",
        &[Passed::Customer, Passed::Other, Passed::Params],
    ),
    ("staff", &[Passed::Staff, Passed::Params]),
    (
        "staff_period_inputs",
        &[Passed::Other, Passed::Other, Passed::Params],
    ),
    ("staff_kpis", &[Passed::Other, Passed::Params]),
    ("staff_period_total", &[Passed::Other, Passed::Params]),
    ("staff_grade", &[Passed::Other, Passed::Params]),
];

/// What `policy.rhai` declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Manifest {
    pub name: String,
    pub version: String,
    pub tiers: Vec<String>,
    /// Languages of the messages, default first (empty: no messages/ files).
    pub languages: Vec<String>,
}

/// Where an entry point is defined.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub file: String,
}

/// A compiled, validated policy.
///
/// Cheap to clone (an `Arc`), `Send + Sync`, and evaluated through `&self`, so
/// one policy serves every thread of a server or a batch.
///
/// ```
/// use kam::Policy;
/// let policy = Policy::from_dir("../rules").unwrap();
/// let record = serde_json::json!({"id": "C-1", "annual_revenue": 1_200_000});
/// let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
/// let result = policy.evaluate_customer_json(&record, as_of).unwrap();
/// assert_eq!(result.tier.as_deref(), Some("B"));
/// assert!(result.policy.digest.starts_with("sha256:"));
/// ```
#[derive(Clone)]
pub struct Policy {
    inner: Arc<Inner>,
    /// How results explain themselves: set with [`Policy::explained`].
    reasons: Reasons,
    /// Index of the language messages are rendered in.
    lang: usize,
    /// The compiled rules (or why the policy could not be compiled); `None`
    /// runs the interpreter. Set at load and by [`Policy::with_engine`].
    compiled: Option<Arc<Compiled>>,
}

struct Inner {
    engine: Engine,
    ast: AST,
    manifest: Manifest,
    params: Dynamic,
    entries: HashMap<&'static str, Entry>,
    functions: HashMap<String, String>,
    info: PolicyInfo,
    sources: BTreeMap<String, String>,
    limits: Limits,
    messages: messages::Messages,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("info", &self.inner.info)
            .finish_non_exhaustive()
    }
}

impl Policy {
    /// Loads every `.rhai` file under `dir` (its `tests/` folder is not policy).
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self, PolicyErrors> {
        Self::from_dir_with_limits(dir, Limits::default())
    }

    /// The policy files of `dir` (every `.rhai` file outside `tests/`, by relative
    /// path), as [`Policy::from_sources`] takes them: what a binding ships to
    /// another process to rebuild the same policy.
    pub fn read_sources(dir: impl AsRef<Path>) -> Result<BTreeMap<String, String>, PolicyErrors> {
        load::read_dir(dir.as_ref())
    }

    /// [`Policy::from_dir`] with explicit sandbox limits.
    pub fn from_dir_with_limits(
        dir: impl AsRef<Path>,
        limits: Limits,
    ) -> Result<Self, PolicyErrors> {
        Self::from_sources_with_limits(load::read_dir(dir.as_ref())?, limits)
    }

    /// Compiles a policy from file name → source text, as bindings and
    /// editors hold it. The same files give the same policy and digest as
    /// [`Policy::from_dir`].
    pub fn from_sources<K, V>(files: impl IntoIterator<Item = (K, V)>) -> Result<Self, PolicyErrors>
    where
        K: Into<String>,
        V: Into<String>,
    {
        let files = files
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Self::from_sources_with_limits(files, Limits::default())
    }

    /// [`Policy::from_sources`] with explicit sandbox limits.
    pub fn from_sources_with_limits(
        files: BTreeMap<String, String>,
        limits: Limits,
    ) -> Result<Self, PolicyErrors> {
        limits.check().map_err(|e| {
            PolicyErrors(vec![crate::error::PolicyError::new(
                "<limits>",
                e.to_string(),
            )])
        })?;
        let mut engine = sandbox::engine(&limits);
        let compiled = load::compile(&mut engine, &files)?;
        // `check_parameters` runs once over every parameter, not per record: a
        // caller's per-record budget smaller than the default does not apply to it.
        engine.set_max_operations(limits.max_operations.max(Limits::default().max_operations));
        let info = PolicyInfo {
            name: compiled.manifest.name.clone(),
            version: compiled.manifest.version.clone(),
            digest: compiled.digest,
        };
        let mut policy = Policy {
            inner: Arc::new(Inner {
                engine,
                ast: compiled.ast,
                manifest: compiled.manifest,
                params: compiled.params,
                entries: compiled.entries,
                functions: compiled.functions,
                info,
                sources: files,
                limits,
                messages: compiled.messages,
            }),
            reasons: Reasons::default(),
            lang: 0,
            compiled: None,
        };
        parameter_check::check_parameters(&policy)?;
        // Built above and not shared yet, so this always finds the engine.
        if let Some(inner) = Arc::get_mut(&mut policy.inner) {
            inner.engine.set_max_operations(inner.limits.max_operations);
        }
        Ok(match crate::compile::Engine::process_default() {
            crate::compile::Engine::Interpreted => policy,
            engine => policy.with_engine(engine),
        })
    }

    /// Name, version and digest, as every result carries them.
    pub fn info(&self) -> &PolicyInfo {
        &self.inner.info
    }

    /// Tier labels, best first.
    pub fn tiers(&self) -> &[String] {
        &self.inner.manifest.tiers
    }

    /// The source files the policy was compiled from (to ship it elsewhere).
    pub fn sources(&self) -> &BTreeMap<String, String> {
        &self.inner.sources
    }

    /// The sandbox limits in force.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// Whether any rule file defines a function called `name`.
    pub fn has_function(&self, name: &str) -> bool {
        self.inner.functions.contains_key(name)
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    pub(crate) fn ast(&self) -> &AST {
        &self.inner.ast
    }

    pub(crate) fn params(&self) -> &Dynamic {
        &self.inner.params
    }

    /// The compiled rules (or why they could not be), when asked for.
    pub(crate) fn compiled(&self) -> Option<&Arc<Compiled>> {
        self.compiled.as_ref()
    }

    /// The program compiled code runs, when the policy runs compiled.
    pub(crate) fn program(&self) -> Option<&crate::compile::run::Program> {
        self.compiled.as_deref().and_then(|c| c.as_ref().ok())
    }

    /// This policy with `compiled` rules (or none: the interpreter).
    pub(crate) fn with_compiled(&self, compiled: Option<Arc<Compiled>>) -> Policy {
        Policy {
            inner: self.inner.clone(),
            reasons: self.reasons,
            lang: self.lang,
            compiled,
        }
    }

    /// The file defining the script function `name`.
    pub(crate) fn function_file(&self, name: &str) -> Option<&str> {
        self.inner.functions.get(name).map(String::as_str)
    }

    pub(crate) fn entry(&self, name: &str) -> Option<&Entry> {
        self.inner.entries.get(name)
    }

    /// This policy, its results explained as `reasons` asks, with messages in
    /// `lang` (`None`: the policy's default language, the first it lists).
    /// Decisions never depend on either; only how much of each reason a
    /// result carries does. Cheap: the compiled policy is shared.
    ///
    /// ```
    /// use kam::{Policy, Reasons};
    /// let policy = Policy::from_dir("../rules")?.explained(Reasons::Codes, Some("en"))?;
    /// let record = serde_json::json!({"id": "C-1", "annual_revenue": 1_200_000});
    /// let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    /// let r = policy.evaluate_customer_json(&record, as_of)?;
    /// assert!(r.reasons.iter().all(|r| r.message.is_none() && !r.code.is_empty()));
    /// assert!(Policy::from_dir("../rules")?.explained(Reasons::Full, Some("fr")).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explained(
        &self,
        reasons: Reasons,
        lang: Option<&str>,
    ) -> Result<Policy, UnknownLanguage> {
        let lang = self.inner.messages.index(lang)?;
        Ok(Policy {
            inner: self.inner.clone(),
            reasons,
            lang,
            compiled: self.compiled.clone(),
        })
    }

    /// The languages the policy has messages in, default first.
    pub fn languages(&self) -> Vec<String> {
        self.inner.messages.languages()
    }

    /// How the chosen language names `value` (a status, a check, a column of
    /// `kam … --format table`): its `term.<value>` message, or `value` itself.
    pub fn term<'a>(&'a self, value: &'a str) -> &'a str {
        self.inner.messages.term(self.lang, value)
    }

    /// How much of each reason results carry.
    pub fn reasons(&self) -> Reasons {
        self.reasons
    }

    /// Applies [`Policy::reasons`] and the language to a result's reasons.
    pub(crate) fn explain(&self, reasons: &mut Vec<crate::model::Reason>) {
        self.inner
            .messages
            .explain(self.reasons, self.lang, reasons);
    }

    /// Applies them to scorecard adjustments: their messages are rendered
    /// for `full` and absent otherwise (adjustments are decisions: never dropped).
    pub(crate) fn explain_adjustments<'a>(
        &self,
        adjustments: impl Iterator<Item = &'a mut crate::model::Adjustment>,
    ) {
        for a in adjustments {
            match self.reasons {
                Reasons::Full => {
                    if a.message.is_none() {
                        a.message = Some(self.inner.messages.render(self.lang, &a.code, &a.facts));
                    }
                }
                _ => a.message = None,
            }
        }
    }

    /// Whether the policy defines the entry point `name` (e.g. `"customer"`).
    pub(crate) fn defines(&self, name: &str) -> bool {
        self.inner.entries.contains_key(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal(extra: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut files: BTreeMap<String, String> = [
            (
                "policy.rhai",
                r#"#{ name: "t", version: "1", tiers: ["A", "B"] }"#,
            ),
            ("parameters.rhai", "#{ limit: 10.5 }"),
            ("customer.rhai", "fn customer(c, as_of, p) {\n  #{}\n}\n"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        for (k, v) in extra {
            files.insert(k.to_string(), v.to_string());
        }
        files
    }

    #[test]
    fn policy_is_send_sync_and_cheap_to_clone() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Policy>();
    }

    #[test]
    fn syntax_error_names_file_line_and_column() {
        let files = minimal(&[("extra.rhai", "fn ok() { 1 }\n\nfn broken( { 2 }\n")]);
        let errs = Policy::from_sources(files).unwrap_err().0;
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].file, "extra.rhai");
        assert_eq!(errs[0].line, Some(3));
        assert!(errs[0].column.is_some());
    }

    #[test]
    fn every_defect_is_reported_at_once() {
        let mut files = minimal(&[
            ("a.rhai", "fn customer(c, as_of, p) { 1 }"),
            ("b.rhai", "let x = 1;"),
        ]);
        files.remove("parameters.rhai");
        let errs = Policy::from_sources(files).unwrap_err().0;
        let text: Vec<String> = errs
            .iter()
            .map(|e| format!("{}: {}", e.file, e.message))
            .collect();
        assert!(
            text.iter()
                .any(|e| e.starts_with("parameters.rhai: missing")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|e| e.starts_with("b.rhai: only `fn`")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|e| e.contains("also defined in a.rhai")),
            "{text:?}"
        );
    }

    #[test]
    fn the_parameter_check_has_its_own_budget_and_records_keep_theirs() {
        // A check costing more operations than one record may use.
        let check = "fn check_parameters(p) {\n  let n = 0;\n  for i in 0..3000 { n += i; }\n}\n";
        let busy =
            "fn customer(c, as_of, p) {\n  let n = 0;\n  for i in 0..3000 { n += i; }\n  #{}\n}\n";
        let limits = Limits {
            max_operations: 1000,
            ..Limits::default()
        };
        let files = minimal(&[("check.rhai", check), ("customer.rhai", busy)]);
        for engine in [
            crate::compile::Engine::Interpreted,
            crate::compile::Engine::Compiled,
        ] {
            let policy = Policy::from_sources_with_limits(files.clone(), limits.clone())
                .map(|p| p.with_engine(engine));
            let Ok(policy) = policy else {
                panic!("the check ran out of the per-record budget: {policy:?}")
            };
            let date = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
            let err = policy
                .evaluate_customer_json(&serde_json::json!({"id": "X", "annual_revenue": 1}), date)
                .unwrap_err();
            assert_eq!(err.code(), "limit", "{engine:?}: {err}");
        }
    }

    #[test]
    fn digest_depends_on_every_byte() {
        let a = Policy::from_sources(minimal(&[])).unwrap();
        let b = Policy::from_sources(minimal(&[("parameters.rhai", "#{ limit: 10.50 }")])).unwrap();
        let a2 = Policy::from_sources(minimal(&[])).unwrap();
        assert_ne!(a.info().digest, b.info().digest);
        assert_eq!(a.info().digest, a2.info().digest);
    }

    #[test]
    fn kam_adds_the_tiers_and_the_rating_names_to_the_parameters() {
        let check = "fn check_parameters(p) {\n  throw `${p.tiers.join(\",\")}|${p.knowledge_criteria.join(\",\")}|${p.analysis_levels.join(\",\")}|${p.communication_levels.join(\",\")}`;\n}\n";
        let errs = Policy::from_sources(minimal(&[("check.rhai", check)]))
            .unwrap_err()
            .0;
        let want = [
            "A,B".to_string(),
            crate::model::staff::Knowledge::NAMES.join(","),
            crate::model::staff::Analysis::NAMES.join(","),
            crate::model::staff::Communication::NAMES.join(","),
        ]
        .join("|");
        assert!(errs[0].message.contains(&want), "{errs:?}");

        for key in [
            "tiers",
            "knowledge_criteria",
            "analysis_levels",
            "communication_levels",
        ] {
            let params = format!("#{{ {key}: [] }}");
            let errs = Policy::from_sources(minimal(&[("parameters.rhai", &params)]))
                .unwrap_err()
                .0;
            assert_eq!(errs[0].file, "parameters.rhai");
            assert!(
                errs[0].message.contains(&format!("`{key}` is reserved")),
                "{errs:?}"
            );
        }
    }

    #[test]
    fn manifest_is_checked() {
        let files = minimal(&[(
            "policy.rhai",
            r#"#{ name: "t", version: 1, tiers: ["A", "A"] }"#,
        )]);
        let errs = Policy::from_sources(files).unwrap_err().0;
        assert_eq!(errs[0].file, "policy.rhai");
        assert!(errs[0].message.contains("version"), "{errs:?}");
    }
}
