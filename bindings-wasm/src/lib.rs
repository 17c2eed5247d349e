//! # kam-wasm — kam's policies and scores in the browser and in Node
//!
//! A thin wasm-bindgen layer over the `kam` core. It turns JS values into the
//! JSON records the core reads, results into plain JS objects, and errors
//! into JS `Error`s; no policy logic lives here. The JS API is documented in
//! `bindings-wasm/README.md`:
//!
//! ```js
//! import init, { Policy, defaultPolicySources } from "./pkg/kam_wasm.js";
//! await init();
//! const policy = Policy.fromSources(defaultPolicySources());
//! const r = policy.evaluateCustomer({ id: "C-1", annual_revenue: "2999999.99" }, "2026-11-01");
//! r.tier; // "B"
//! ```
//!
//! **Decimals are strings in results** (`"2999999.99"`, `"0.9583333333333333333333333333"`):
//! a JS number would round them. Integers (`visit.interval_days`, error
//! `line`/`column`) are JS numbers. Records accept numbers or decimal strings.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod convert;
mod failure;
// The exported API under Node (wasm-bindgen-test); in the crate, not in
// tests/, because an rlib crate type would turn off LTO for the cdylib.
#[cfg(all(test, target_arch = "wasm32"))]
mod node_tests;

use wasm_bindgen::prelude::*;

use crate::failure::Failure;

include!(concat!(env!("OUT_DIR"), "/default_policy.rs"));

/// The result types, generated from kam's declarations (`kam::model::docs`)
/// and checked against them by `tests/declarations.rs`.
#[wasm_bindgen(typescript_custom_section)]
const RESULT_TYPES: &str = include_str!("../kam_types.d.ts");

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Policy file name (relative to the policy folder, e.g. "customer.rhai") → source text. */
export type PolicySources = Record<string, string>;

/** What runs a policy's rules (`Policy.withEngine`): both give the same answers. */
export type Engine = "compiled" | "interpreted";

/** How results explain themselves (`Policy.explained`). */
export interface ExplainOptions {
  /** `"none"`: no reasons; `"codes"`: rule, code and facts; `"full"` (default): and the message. */
  reasons?: "none" | "codes" | "full";
  /** A language the policy has messages in (`policy.languages`); default its first. */
  lang?: string;
}

/**
 * Sandbox limits per evaluation (one record); names left out keep their
 * defaults. Each must be at least 1; depths may only be lowered.
 */
export interface Limits {
  /** Rhai operations (default 1,000,000). */
  max_operations?: number;
  /** Nested function calls (default and maximum 10). */
  max_call_levels?: number;
  /** Expression nesting, one number or [global, in functions] (default and maximum [40, 32]). */
  max_expr_depth?: number | [number, number];
  /** Bytes of text in one value (default 65,536; at most 16 MiB). */
  max_string_size?: number;
  /** Items in one array (default 10,000; at most 1,000,000). */
  max_array_size?: number;
  /** Entries in one map (default 10,000; at most 1,000,000). */
  max_map_size?: number;
  /** Wall-clock seconds (default 1; null: none). */
  max_seconds?: number | null;
}

/** A defect in a policy, where an editor should underline it. */
export interface Diagnostic { file: string; line: number | null; column: number | null; message: string; }


/**
 * An error's stable machine code: `malformed`, `missing`, `invalid`,
 * `unknown_field` (record); `script`, `shape`, `limit` (rule); `missing_entry`,
 * `policy` (policy); `argument` (a call with arguments of the wrong shape).
 */
export type KamErrorCode =
  | "malformed" | "missing" | "invalid" | "unknown_field"
  | "script" | "shape" | "limit"
  | "missing_entry" | "policy"
  | "argument";

/**
 * An error's wire form, the same JSON the CLI and Python report (`kam::error`):
 * the `error` of a batch entry and a thrown KamError's `wire`. `message` is short.
 */
export interface KamErrorInfo {
  kind: "policy" | "record" | "rule" | "argument";
  code: KamErrorCode;
  /** The record's id when it is known. */
  record_id: string | null;
  /** The record field, or the result field of a wrong shape. */
  field: string | null;
  message: string;
  /** Rule and policy errors: where in the policy. */
  file?: string | null;
  line?: number | null;
  column?: number | null;
  /** Policy errors: every defect. */
  errors?: { code: KamErrorCode; file: string; line: number | null; column: number | null; message: string }[];
}

/** One entry of a batch: the result, or `{id, error}` for a record that failed. */
export type BatchEntry<R> = R | { id: string | null; error: KamErrorInfo };

/**
 * Every error kam throws: an `Error` named "KamError". `message` is the full
 * text with location; `detail` the short message (as in the shared vectors).
 */
export interface KamError extends Error {
  kind: "policy" | "record" | "rule" | "argument";
  /** The stable machine code (`wire.code`). */
  code: KamErrorCode;
  detail: string;
  recordId: string | null;
  field: string | null;
  file: string | null;
  line: number | null;
  column: number | null;
  /** Policy errors only: every defect found. */
  diagnostics?: Diagnostic[];
  /** The wire form, exactly as a batch entry's `error` holds it. */
  wire: KamErrorInfo;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);

    /// A date "YYYY-MM-DD" as JS passes it; checked in Rust, so any value
    /// that is not such a string is an `argument` error, not a glue crash.
    #[wasm_bindgen(typescript_type = "string")]
    pub type DateText;

    /// Sandbox limits for `fromSources`, read and checked by the core.
    #[wasm_bindgen(typescript_type = "Limits")]
    pub type LimitsObject;
}

/// A panic would be a kam bug (no path that data or a policy reaches
/// panics): if one ever happens, say so on the console instead of leaving
/// only `unreachable` in the trace. Installed by the first `fromSources`.
fn report_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            console_error(&format!("kam-wasm internal error (a bug): {info}"));
        }));
    });
}

/// The bundled default policy's files (`rules/*.rhai`), ready for
/// `Policy.fromSources`: no server or file system needed.
#[wasm_bindgen(js_name = defaultPolicySources, unchecked_return_type = "PolicySources")]
pub fn default_policy_sources() -> JsValue {
    convert::sources_to_js(DEFAULT_POLICY.iter().copied())
}

/// A compiled, validated policy (`Policy.fromSources`). Call `free()` when
/// replacing it in a long-running page; otherwise the garbage collector does.
#[wasm_bindgen]
pub struct Policy {
    inner: kam::Policy,
    /// `tests/*.json` case files given with the sources, run by `check()`.
    cases: std::collections::BTreeMap<String, String>,
}

#[wasm_bindgen]
impl Policy {
    /// Compiles a policy from `{"file.rhai": "source", …}`, to run under
    /// `limits` (default: kam's safe defaults). Throws a `KamError` of kind
    /// `"policy"` listing every defect in `diagnostics`, or of kind
    /// `"argument"` for a limit that cannot be set.
    #[wasm_bindgen(js_name = fromSources)]
    pub fn from_sources(
        #[wasm_bindgen(unchecked_param_type = "PolicySources")] sources: &JsValue,
        limits: Option<LimitsObject>,
    ) -> Result<Policy, JsValue> {
        report_panics();
        let files = convert::sources(sources).map_err(Failure::into_js)?;
        let limits = convert::limits(limits.map(JsValue::from)).map_err(Failure::into_js)?;
        let (files, cases) = kam::cases::split_sources(files);
        kam::Policy::from_sources_with_limits(files, limits)
            .map(|inner| Policy { inner, cases })
            .map_err(|e| Failure::policy(&e).into_js())
    }

    /// The sandbox limits every evaluation runs under (`fromSources`' names,
    /// every one present; `max_seconds` is `null` when there is no time limit).
    #[wasm_bindgen(getter, unchecked_return_type = "Required<Limits>")]
    pub fn limits(&self) -> Result<JsValue, JsValue> {
        convert::limits_to_js(self.inner.limits()).map_err(Failure::into_js)
    }

    /// Every defect in `sources`, without throwing: `[]` when the policy
    /// compiles. What an editor calls on each keystroke to underline errors.
    #[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
    pub fn diagnose(
        #[wasm_bindgen(unchecked_param_type = "PolicySources")] sources: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let files = convert::sources(sources).map_err(Failure::into_js)?;
        let (files, _cases) = kam::cases::split_sources(files);
        Ok(match kam::Policy::from_sources(files) {
            Ok(_) => js_sys::Array::new().into(),
            Err(e) => failure::diagnostics_js(&e),
        })
    }

    /// Runs the test cases given with the sources (`"tests/*.json"` entries, the
    /// format of `rules/tests/`): one diagnostic per failing case or unreadable
    /// case file, `[]` when all pass or there are none. Compile errors never
    /// reach here (`fromSources` throws them; `Policy.diagnose` lists them).
    #[wasm_bindgen(unchecked_return_type = "Diagnostic[]")]
    pub fn check(&self) -> JsValue {
        failure::diagnostics_list_js(&kam::cases::check(&self.inner, &self.cases))
    }

    /// The policy's name, from `policy.rhai`.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.inner.info().name.clone()
    }

    /// The policy's version, from `policy.rhai`.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> String {
        self.inner.info().version.clone()
    }

    /// `sha256:…` over every file's name and text, as every result carries it.
    #[wasm_bindgen(getter)]
    pub fn digest(&self) -> String {
        self.inner.info().digest.clone()
    }

    /// Tier labels, best first.
    #[wasm_bindgen(getter)]
    pub fn tiers(&self) -> Vec<String> {
        self.inner.tiers().to_vec()
    }

    /// The languages the policy has messages in, default first.
    #[wasm_bindgen(getter)]
    pub fn languages(&self) -> Vec<String> {
        self.inner.languages()
    }

    /// The engine running the rules: `"compiled"` (the default), or
    /// `"interpreted"` when asked for (`withEngine`) or when the policy uses
    /// a construct the compiler does not cover (`compileFallback` says which).
    #[wasm_bindgen(getter, unchecked_return_type = "Engine")]
    pub fn engine(&self) -> String {
        self.inner.engine_in_use().name().to_string()
    }

    /// Why the compiler does not cover this policy, with file, line and
    /// column; `undefined` when it does. Such a policy runs interpreted.
    #[wasm_bindgen(getter, js_name = compileFallback)]
    pub fn compile_fallback(&self) -> Option<String> {
        self.inner
            .with_engine(kam::Engine::Compiled)
            .compile_fallback()
            .map(ToString::to_string)
    }

    /// This policy run by `engine`: `"compiled"` or `"interpreted"` (rhai's
    /// interpreter, the reference: for debugging and to compare). Both give
    /// the same answers. Throws a `KamError` of kind `"argument"` for
    /// another name.
    #[wasm_bindgen(js_name = withEngine)]
    pub fn with_engine(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Engine")] engine: &str,
    ) -> Result<Policy, JsValue> {
        report_panics();
        let engine = kam::Engine::named(engine).ok_or_else(|| {
            Failure::argument(format!(
                "engine must be one of {}, got {engine:?}",
                kam::Engine::NAMES.join(", ")
            ))
            .into_js()
        })?;
        Ok(Policy {
            inner: self.inner.with_engine(engine),
            cases: self.cases.clone(),
        })
    }

    /// This policy explaining its results as `options` asks:
    /// `{reasons: "none" | "codes" | "full", lang: "zh"}` (defaults: `"full"`,
    /// the policy's first language). Shares the compiled policy, so it is
    /// cheap; decisions never depend on it. Throws a `KamError` of kind
    /// `"argument"` for an unknown mode or language.
    pub fn explained(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ExplainOptions | undefined")] options: &JsValue,
    ) -> Result<Policy, JsValue> {
        let run = || {
            let text = |key: &str| -> Result<Option<String>, Failure> {
                if options.is_undefined() || options.is_null() {
                    return Ok(None);
                }
                let v = js_sys::Reflect::get(options, &JsValue::from_str(key))
                    .map_err(|_| Failure::argument("options must be an object".into()))?;
                if v.is_undefined() || v.is_null() {
                    return Ok(None);
                }
                v.as_string()
                    .map(Some)
                    .ok_or_else(|| Failure::argument(format!("options.{key} must be a string")))
            };
            let mode = match text("reasons")? {
                None => kam::Reasons::Full,
                Some(name) => kam::Reasons::named(&name).ok_or_else(|| {
                    Failure::argument(format!(
                        "options.reasons must be one of {}, got {name:?}",
                        kam::Reasons::NAMES.join(", ")
                    ))
                })?,
            };
            let lang = text("lang")?;
            let inner = self
                .inner
                .explained(mode, lang.as_deref())
                .map_err(|e| Failure::argument(e.to_string()))?;
            Ok(Policy {
                inner,
                cases: self.cases.clone(),
            })
        };
        run().map_err(Failure::into_js)
    }

    /// The files this policy was compiled from.
    #[wasm_bindgen(unchecked_return_type = "PolicySources")]
    pub fn sources(&self) -> JsValue {
        convert::sources_to_js(
            self.inner
                .sources()
                .iter()
                .chain(&self.cases)
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )
    }

    /// Evaluates one customer on `asOf` ("YYYY-MM-DD"; default: today's local
    /// date from JS). Throws a `KamError` for a bad record or a failing rule.
    #[wasm_bindgen(js_name = evaluateCustomer, unchecked_return_type = "CustomerResult")]
    pub fn evaluate_customer(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CustomerRecord")] record: &JsValue,
        #[wasm_bindgen(js_name = asOf)] as_of: Option<DateText>,
    ) -> Result<JsValue, JsValue> {
        let run = || {
            let as_of = convert::as_of(as_of.map(JsValue::from))?;
            // A missing entry point before the record, as the core orders them.
            self.inner
                .require(&["customer"])
                .map_err(kam::Error::from)?;
            let record = convert::record(record, kam::CustomerRecord::from_json_str)?;
            let result = self.inner.evaluate_customer(&record, as_of)?;
            convert::to_js(&result)
        };
        run().map_err(Failure::into_js)
    }

    /// Evaluates many customers on one `asOf`: one entry per record, in order;
    /// a record that fails becomes `{id, error}` (the error's wire form) and
    /// the rest go on. A policy without `customer` throws its `KamError` of
    /// kind `"policy"` (code `"missing_entry"`) once, evaluating nothing.
    #[wasm_bindgen(
        js_name = evaluateCustomers,
        unchecked_return_type = "BatchEntry<CustomerResult>[]"
    )]
    pub fn evaluate_customers(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CustomerRecord[]")] records: &JsValue,
        #[wasm_bindgen(js_name = asOf)] as_of: Option<DateText>,
    ) -> Result<JsValue, JsValue> {
        let run = || {
            let as_of = convert::as_of(as_of.map(JsValue::from))?;
            self.inner
                .require(&["customer"])
                .map_err(|e| Failure::policy(&e))?;
            convert::batch(records, kam::CustomerRecord::from_json_str, |record| {
                Ok(self.inner.evaluate_customer(&record, as_of)?)
            })
        };
        run().map_err(Failure::into_js)
    }

    /// Evaluates one staff-month (KPIs, scorecard, grade). Throws a `KamError`
    /// for a bad record or a failing rule.
    #[wasm_bindgen(js_name = evaluateStaff, unchecked_return_type = "StaffResult")]
    pub fn evaluate_staff(
        &self,
        #[wasm_bindgen(unchecked_param_type = "StaffRecord")] record: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let run = || {
            self.inner.require(&["staff"]).map_err(kam::Error::from)?;
            let record = convert::record(record, kam::StaffRecord::from_json_str)?;
            let result = self.inner.evaluate_staff(&record)?;
            convert::to_js(&result)
        };
        run().map_err(Failure::into_js)
    }

    /// Evaluates many staff-months: one entry per record, in order; a record
    /// that fails becomes `{id, error}` (the error's wire form) and the rest go
    /// on. A policy without `staff` throws its policy `KamError` once.
    #[wasm_bindgen(
        js_name = evaluateStaffBatch,
        unchecked_return_type = "BatchEntry<StaffResult>[]"
    )]
    pub fn evaluate_staff_batch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "StaffRecord[]")] records: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let run = || {
            self.inner
                .require(&["staff"])
                .map_err(|e| Failure::policy(&e))?;
            convert::batch(records, kam::StaffRecord::from_json_str, |record| {
                Ok(self.inner.evaluate_staff(&record)?)
            })
        };
        run().map_err(Failure::into_js)
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    #[test]
    fn embedded_policy_is_the_bundled_rules_folder() {
        let dir = kam::Policy::from_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../rules")).unwrap();
        let embedded = kam::Policy::from_sources(super::DEFAULT_POLICY.iter().copied()).unwrap();
        assert_eq!(embedded.sources(), dir.sources());
        assert_eq!(embedded.info().digest, dir.info().digest);
    }
}
