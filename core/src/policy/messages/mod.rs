//! A policy's messages: one file per language, `messages/<lang>.rhai`, each a
//! map literal of reason code → template (and `term.<value>` → how the
//! language names a value), checked when the policy loads and rendered only
//! when output asks for sentences.
//!
//! ```text
//! // messages/en.rhai
//! #{
//!     "tier.base.reaches": "{tier}: annual revenue {revenue|money} reaches {threshold|money}",
//!     "term.late_payment": "late payment",
//! }
//! ```
//!
//! `policy.rhai` lists the languages, default first (`languages: ["zh", "en"]`).
//! Loading refuses, with file, line and column: a template with a malformed
//! placeholder; a language lacking a code (or term) another has; and, where a
//! rule writes `note("code", #{…})` or `adjust(points, "code", #{…})` with a
//! literal code and facts map, a code with no template or facts lacking a
//! placeholder's name.

mod calls;
mod format;
mod template;

use std::collections::{BTreeMap, HashMap};

use rhai::{Engine, AST};

use crate::error::PolicyError;
use crate::model::{Facts, Reason};
use format::Language;
use template::Template;

pub(crate) use calls::check_calls;

/// Where message files live in a policy directory.
pub(crate) const DIR: &str = "messages/";

/// Keys of this form name a value (`term.late_payment`), not a reason.
const TERM: &str = "term.";

/// How much of each reason a result carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reasons {
    /// No reasons (scorecard adjustments keep their code and facts).
    None,
    /// Rule, code and facts; no message.
    Codes,
    /// Everything, with each message rendered in the chosen language.
    #[default]
    Full,
}

impl Reasons {
    /// The names the command line, Python and JS use: `none`, `codes`, `full`.
    pub const NAMES: &'static [&'static str] = &["none", "codes", "full"];

    /// The mode called `name`.
    pub fn named(name: &str) -> Option<Reasons> {
        Some(match name {
            "none" => Reasons::None,
            "codes" => Reasons::Codes,
            "full" => Reasons::Full,
            _ => return None,
        })
    }
}

/// A language the policy has no messages for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the policy has no language `{asked}`; it has {}", if .available.is_empty() { "none (no messages/ files)".to_string() } else { .available.join(", ") })]
#[non_exhaustive]
pub struct UnknownLanguage {
    /// The language asked for.
    pub asked: String,
    /// The policy's languages, default first.
    pub available: Vec<String>,
}

struct Lang {
    language: Language,
    templates: HashMap<String, Template>,
}

/// Every language's templates.
#[derive(Default)]
pub(crate) struct Messages {
    langs: Vec<Lang>,
}

/// Codes kam itself notes, which every language needs when the policy scores
/// staff (`period.missing_months`, with facts `missing`, `period`, `present`, `months`).
const CORE_CODES: &[&str] = &[crate::model::period_result::MISSING_MONTHS];

impl Messages {
    /// The languages, default first.
    pub(crate) fn languages(&self) -> Vec<String> {
        self.langs.iter().map(|l| l.language.name.clone()).collect()
    }

    /// The index of language `name` (`None`: the default).
    pub(crate) fn index(&self, name: Option<&str>) -> Result<usize, UnknownLanguage> {
        match name {
            None => Ok(0),
            Some(name) => self
                .langs
                .iter()
                .position(|l| l.language.name == name)
                .ok_or_else(|| UnknownLanguage {
                    asked: name.to_owned(),
                    available: self.languages(),
                }),
        }
    }

    /// `code`'s message with `facts` in language `lang`; a code with no
    /// template (one a rule computed) is written as the code and its facts.
    pub(crate) fn render(&self, lang: usize, code: &str, facts: &Facts) -> String {
        let found = self
            .langs
            .get(lang)
            .and_then(|l| Some((l, l.templates.get(code)?)));
        match found {
            Some((l, t)) => t.render(facts, &l.language),
            None => {
                let facts: Vec<String> = facts
                    .iter()
                    .map(|(k, v)| format!("{k}={}", template::plain(v)))
                    .collect();
                if facts.is_empty() {
                    code.to_owned()
                } else {
                    format!("{code} ({})", facts.join(", "))
                }
            }
        }
    }

    /// How language `lang` names `value` (its `term.<value>` entry), or `value`.
    pub(crate) fn term<'a>(&'a self, lang: usize, value: &'a str) -> &'a str {
        self.langs
            .get(lang)
            .map_or(value, |l| l.language.term(value))
    }

    /// Sets or clears the messages of `reasons` as `mode` asks.
    pub(crate) fn explain(&self, mode: Reasons, lang: usize, reasons: &mut Vec<Reason>) {
        match mode {
            Reasons::None => reasons.clear(),
            Reasons::Codes => reasons.iter_mut().for_each(|r| r.message = None),
            Reasons::Full => {
                for r in reasons.iter_mut().filter(|r| r.message.is_none()) {
                    r.message = Some(self.render(lang, &r.code, &r.facts));
                }
            }
        }
    }

    /// The templates of `code` in every language (for the call-site checks).
    fn templates(&self, code: &str) -> Vec<(&str, &Template)> {
        self.langs
            .iter()
            .filter_map(|l| Some((l.language.name.as_str(), l.templates.get(code)?)))
            .collect()
    }

    fn has(&self, code: &str) -> bool {
        self.langs
            .first()
            .is_some_and(|l| l.templates.contains_key(code))
    }
}

/// Reads and checks `messages/<lang>.rhai` for every language in `languages`.
pub(crate) fn load(
    engine: &Engine,
    files: &BTreeMap<String, String>,
    asts: &BTreeMap<&str, AST>,
    languages: &[String],
    scores_staff: bool,
    errors: &mut Vec<PolicyError>,
) -> Messages {
    let file_of = |lang: &str| format!("{DIR}{lang}.rhai");
    for name in files.keys().filter(|f| f.starts_with(DIR)) {
        let lang = name[DIR.len()..].trim_end_matches(".rhai");
        if !languages.iter().any(|l| l == lang) {
            errors.push(
                PolicyError::new(
                    name,
                    format!(
                        "language `{lang}` is not listed in policy.rhai's `languages` ({})",
                        if languages.is_empty() {
                            "none listed".to_string()
                        } else {
                            languages.join(", ")
                        }
                    ),
                )
                .at(Some(1), None),
            );
        }
    }
    let mut langs = Vec::new();
    // Every language's keys, for the cross-check.
    let mut keys: Vec<(String, std::collections::BTreeSet<String>)> = Vec::new();
    for lang in languages {
        let file = file_of(lang);
        let (Some(text), Some(ast)) = (files.get(&file), asts.get(file.as_str())) else {
            errors.push(PolicyError::new(
                &file,
                format!("missing: policy.rhai lists the language `{lang}`, so it needs this file"),
            ));
            continue;
        };
        let map = match super::load::eval_map(engine, ast, &file) {
            Ok(m) => m,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let mut templates = HashMap::new();
        let mut terms = HashMap::new();
        let mut at = std::collections::BTreeSet::new();
        for (key, value) in map {
            let key = key.to_string();
            at.insert(key.clone());
            // Found only for an error: a scan of the file per key is what
            // loading a policy would otherwise spend most of its time on.
            let Some(value) = value.clone().try_cast::<rhai::ImmutableString>() else {
                let (line, column) = key_position(text, &key);
                errors.push(
                    PolicyError::new(
                        &file,
                        format!("`{key}`: a template is a string, got {}", value.type_name()),
                    )
                    .at(Some(line), Some(column)),
                );
                continue;
            };
            if let Some(term) = key.strip_prefix(TERM) {
                terms.insert(term.to_owned(), value.to_string());
                continue;
            }
            match Template::parse(&value) {
                Ok(t) => {
                    templates.insert(key, t);
                }
                Err(e) => {
                    let (line, column) = key_position(text, &key);
                    let (vline, vcolumn) = value_position(text, line, column, e.offset, &value);
                    errors.push(
                        PolicyError::new(&file, format!("template `{key}`: {}", e.message))
                            .at(Some(vline), Some(vcolumn)),
                    );
                }
            }
        }
        keys.push((lang.clone(), at));
        langs.push(Lang {
            language: Language::new(lang, terms),
            templates,
        });
    }
    // Every language has every key another has.
    for (lang, have) in &keys {
        for (other, theirs) in &keys {
            for key in theirs.iter().filter(|k| !have.contains(*k)) {
                errors.push(
                    PolicyError::new(
                        file_of(lang),
                        format!("`{key}` is in {other}'s messages but not in {lang}'s"),
                    )
                    .at(Some(1), None),
                );
            }
        }
    }
    if scores_staff && !keys.is_empty() {
        for (lang, have) in &keys {
            for code in CORE_CODES.iter().filter(|c| !have.contains(**c)) {
                errors.push(
                    PolicyError::new(
                        file_of(lang),
                        format!("`{code}` is missing: kam notes it when a period lacks months"),
                    )
                    .at(Some(1), None),
                );
            }
        }
    }
    Messages { langs }
}

/// Line and column (1-based) of `"key"` in a messages file (line 1 if not found).
fn key_position(text: &str, key: &str) -> (usize, usize) {
    let quoted = [format!("\"{key}\""), format!("{key}:")];
    for (n, line) in text.lines().enumerate() {
        for q in &quoted {
            if let Some(col) = line.find(q.as_str()) {
                let before = &line[..col];
                // `key:` only as a whole identifier.
                if q.ends_with(':')
                    && before
                        .chars()
                        .last()
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                {
                    continue;
                }
                return (n + 1, before.chars().count() + 1);
            }
        }
    }
    (1, 1)
}

/// Position of byte `offset` of a template whose key is at `line`:`column`:
/// the template's opening quote is the first one after the key's colon on
/// that line (a template spanning lines reports its first).
fn value_position(
    text: &str,
    line: usize,
    column: usize,
    offset: usize,
    value: &str,
) -> (usize, usize) {
    let Some(src) = text.lines().nth(line - 1) else {
        return (line, column);
    };
    let from: usize = src.char_indices().nth(column - 1).map_or(0, |(i, _)| i);
    let rest = &src[from..];
    let Some(colon) = rest.find(':') else {
        return (line, column);
    };
    let after = &rest[colon..];
    let Some(quote) = after.find(['"', '`']) else {
        return (line, column);
    };
    let start = src[..from + colon + quote].chars().count() + 1;
    let chars_in = value[..offset.min(value.len())].chars().count();
    (line, start + 1 + chars_in)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Policy;

    /// A one-rule policy in two languages; `extra` replaces or adds files.
    fn policy(extra: &[(&str, &str)]) -> Result<Policy, crate::PolicyErrors> {
        let mut files: BTreeMap<String, String> = [
            (
                "policy.rhai",
                r#"#{ name: "t", version: "1", tiers: ["A", "B"], languages: ["en", "zh"] }"#,
            ),
            ("parameters.rhai", "#{ min: 100 }"),
            (
                "customer.rhai",
                "fn customer(c, as_of, p) {\n    let why = [];\n    why.note(\"tier.reaches\", #{revenue: c.annual_revenue, min: p.min});\n    #{ status: \"active\", tier: \"A\", change: \"new\", downgrade_deadline: (), key_account: false,\n       categories: [], admission: #{admitted: true, failed: [], approvals: []},\n       blacklist_proposal: (), visit: (), reasons: why }\n}\n",
            ),
            (
                "messages/en.rhai",
                "#{\n    \"tier.reaches\": \"revenue {revenue|money} reaches {min|money}\",\n}\n",
            ),
            (
                "messages/zh.rhai",
                "#{\n    \"tier.reaches\": \"年营业额{revenue|money}达到{min|money}\",\n}\n",
            ),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        for (k, v) in extra {
            files.insert(k.to_string(), v.to_string());
        }
        Policy::from_sources(files)
    }

    fn errors(extra: &[(&str, &str)]) -> Vec<PolicyError> {
        match policy(extra) {
            Ok(_) => panic!("the policy loaded"),
            Err(e) => e.0,
        }
    }

    fn record() -> serde_json::Value {
        serde_json::json!({"id": "C-1", "annual_revenue": "4200000"})
    }

    fn as_of() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
    }

    #[test]
    fn messages_render_in_the_language_asked_and_only_when_asked() {
        let p = policy(&[]).unwrap();
        assert_eq!(p.languages(), ["en", "zh"]);
        let en = p.evaluate_customer_json(&record(), as_of()).unwrap();
        let r = &en.reasons[0];
        assert_eq!((r.rule.as_str(), r.code.as_str()), ("tier", "tier.reaches"));
        assert_eq!(r.facts["revenue"], crate::model::Fact::Int(4_200_000));
        assert_eq!(r.message.as_deref(), Some("revenue 4,200,000 reaches 100"));
        let zh = p.explained(Reasons::Full, Some("zh")).unwrap();
        let zh = zh.evaluate_customer_json(&record(), as_of()).unwrap();
        assert_eq!(
            zh.reasons[0].message.as_deref(),
            Some("年营业额420万元达到100元")
        );
        let codes = p.explained(Reasons::Codes, None).unwrap();
        let codes = codes.evaluate_customer_json(&record(), as_of()).unwrap();
        assert_eq!(codes.reasons[0].message, None);
        assert_eq!(codes.reasons[0].facts, r.facts);
        let none = p.explained(Reasons::None, None).unwrap();
        let none = none.evaluate_customer_json(&record(), as_of()).unwrap();
        assert!(none.reasons.is_empty());
        // The decisions are the same whatever is rendered.
        for other in [&zh, &codes, &none] {
            assert_eq!((&other.tier, &other.admission), (&en.tier, &en.admission));
        }
        let e = p.explained(Reasons::Full, Some("fr")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the policy has no language `fr`; it has en, zh"
        );
    }

    #[test]
    fn a_note_whose_code_has_no_template_is_a_policy_error_at_the_call() {
        let rule = "fn customer(c, as_of, p) {\n    let why = [];\n    why.note(\"tier.missing\", #{revenue: 1});\n    why\n}\n";
        let errs = errors(&[("customer.rhai", rule)]);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].file, "customer.rhai");
        assert_eq!(errs[0].line, Some(3));
        assert!(errs[0].column.is_some());
        assert!(
            errs[0].message.contains("no template for `tier.missing`"),
            "{errs:?}"
        );
    }

    #[test]
    fn facts_lacking_a_placeholder_are_a_policy_error_at_the_call() {
        let rule = "fn customer(c, as_of, p) {\n    let why = [];\n    why.note(\"tier.reaches\", #{revenue: 1});\n    why\n}\n";
        let errs = errors(&[("customer.rhai", rule)]);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(
            (errs[0].file.as_str(), errs[0].line),
            ("customer.rhai", Some(3))
        );
        assert!(
            errs[0].message.contains("the facts have no `min`"),
            "{errs:?}"
        );
    }

    #[test]
    fn a_language_missing_a_code_the_other_has_is_a_policy_error() {
        let zh = "#{\n    \"tier.reaches\": \"{revenue}{min}\",\n    \"tier.extra\": \"多\",\n}\n";
        let errs = errors(&[("messages/zh.rhai", zh)]);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].file, "messages/en.rhai");
        assert!(
            errs[0]
                .message
                .contains("`tier.extra` is in zh's messages but not in en's"),
            "{errs:?}"
        );
    }

    #[test]
    fn a_malformed_placeholder_is_a_policy_error_with_line_and_column() {
        let en = "#{\n    \"tier.reaches\": \"revenue {revenue|money reaches {min}\",\n}\n";
        let errs = errors(&[("messages/en.rhai", en)]);
        assert_eq!(errs[0].file, "messages/en.rhai");
        assert_eq!(errs[0].line, Some(2));
        // The quote is at column 21; `{revenue` is 8 characters into the template.
        assert_eq!(errs[0].column, Some(30));
        assert!(
            errs[0].message.contains("template `tier.reaches`"),
            "{errs:?}"
        );
        let unknown = "#{ \"tier.reaches\": \"{revenue|euros}{min}\" }";
        let errs = errors(&[("messages/en.rhai", unknown)]);
        assert!(
            errs[0].message.contains("unknown format `euros`"),
            "{errs:?}"
        );
    }

    #[test]
    fn languages_and_message_files_must_match() {
        let errs = errors(&[("messages/fr.rhai", "#{ \"tier.reaches\": \"x\" }")]);
        assert!(
            errs.iter()
                .any(|e| e.file == "messages/fr.rhai" && e.message.contains("not listed")),
            "{errs:?}"
        );
        let three = r#"#{ name: "t", version: "1", tiers: ["A"], languages: ["en", "zh", "ja"] }"#;
        let errs = errors(&[("policy.rhai", three)]);
        assert!(
            errs.iter()
                .any(|e| e.file == "messages/ja.rhai" && e.message.contains("missing")),
            "{errs:?}"
        );
        let bad = r#"#{ name: "t", version: "1", tiers: ["A"], languages: [] }"#;
        let errs = errors(&[("policy.rhai", bad)]);
        assert!(errs[0].message.contains("non-empty array"), "{errs:?}");
    }

    #[test]
    fn positions_point_at_the_key_and_into_the_template() {
        let text = "#{\n    \"tier.base\": \"{tier} open {x\",\n}\n";
        let (line, column) = key_position(text, "tier.base");
        assert_eq!((line, column), (2, 5));
        // `{x` starts at byte 12 of the template; the quote is at column 18.
        assert_eq!(
            value_position(text, line, column, 12, "{tier} open {x"),
            (2, 31)
        );
    }
}
