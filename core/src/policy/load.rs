//! Turning policy files into a compiled [`Policy`](super::Policy).
//!
//! A policy is a set of `.rhai` files (see `rules/CONTRACT.md`):
//! - `policy.rhai`: a map literal declaring `name`, `version` and `tiers` (best first);
//! - `parameters.rhai`: a map literal of every number a rule uses (kam adds
//!   `tiers` and the rating names of `RATING_NAMES` to it);
//! - any other `.rhai` file: `fn` definitions only. All files' functions are
//!   visible to each other; the engine calls the entry points (`customer`, …).
//!
//! Loading collects every defect it can find before giving up, each with file,
//! line and column.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rhai::{Dynamic, Engine, Map, AST};
use sha2::{Digest, Sha256};

use super::{Entry, Manifest};
use crate::error::{PolicyError, PolicyErrors};
use crate::model::staff::{Analysis, Communication, Knowledge};

/// The file declaring name, version and tiers.
pub const MANIFEST_FILE: &str = "policy.rhai";
/// The file holding every parameter.
pub const PARAMETERS_FILE: &str = "parameters.rhai";

/// The names a staff record's ratings accept (docs/policy.md §Staff), which kam
/// adds to the parameters beside `tiers` so that rules need not list them again:
/// `p.knowledge_criteria`, `p.analysis_levels`, `p.communication_levels`, each
/// an array of strings in contract order. Like `tiers`, `parameters.rhai`
/// cannot define them.
pub(crate) const RATING_NAMES: &[(&str, &[&str])] = &[
    ("knowledge_criteria", Knowledge::NAMES),
    ("analysis_levels", Analysis::NAMES),
    ("communication_levels", Communication::NAMES),
];

/// Everything a compiled policy holds besides its engine.
pub(crate) struct Compiled {
    pub manifest: Manifest,
    pub params: Dynamic,
    pub ast: AST,
    pub entries: HashMap<&'static str, Entry>,
    /// Function name → the file defining it (the first, for overloads).
    pub functions: HashMap<String, String>,
    pub messages: super::messages::Messages,
    pub digest: String,
}

/// Reads every `.rhai` file under `dir` (recursively; `tests/` is skipped), keyed
/// by its path relative to `dir` with `/` separators.
pub(crate) fn read_dir(dir: &Path) -> Result<BTreeMap<String, String>, PolicyErrors> {
    // A folder without the root files is not a policy (say, the parent of many
    // projects): say that alone rather than compile every .rhai file below it.
    if dir.is_dir() {
        let missing: Vec<PolicyError> = [MANIFEST_FILE, PARAMETERS_FILE]
            .iter()
            .filter(|f| !dir.join(f).is_file())
            .map(|f| {
                PolicyError::new(
                    *f,
                    format!(
                        "missing: every policy needs this file, and {} has none \
                         (--policy names the folder holding policy.rhai and parameters.rhai, e.g. rules/)",
                        dir.display()
                    ),
                )
            })
            .collect();
        if !missing.is_empty() {
            return Err(PolicyErrors(missing));
        }
    }
    let mut files = BTreeMap::new();
    let mut errors = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = match std::fs::read_dir(&current) {
            Ok(e) => e,
            Err(e) => {
                errors.push(PolicyError::new(
                    current.display().to_string(),
                    format!("cannot read directory: {e}"),
                ));
                continue;
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if path.is_dir() {
                if rel != "tests" {
                    pending.push(path);
                }
            } else if rel.ends_with(".rhai") {
                match std::fs::read_to_string(&path) {
                    Ok(text) => {
                        files.insert(rel, text);
                    }
                    Err(e) => errors.push(PolicyError::new(rel, format!("cannot read file: {e}"))),
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(PolicyErrors(errors))
    }
}

/// Compiles and validates a policy from its files.
pub(crate) fn compile(
    engine: &mut Engine,
    files: &BTreeMap<String, String>,
) -> Result<Compiled, PolicyErrors> {
    let mut errors = Vec::new();
    for required in [MANIFEST_FILE, PARAMETERS_FILE] {
        if !files.contains_key(required) {
            errors.push(PolicyError::new(
                required,
                "missing: every policy needs this file",
            ));
        }
    }
    let mut asts = BTreeMap::new();
    for (name, text) in files {
        if !name.ends_with(".rhai") {
            errors.push(PolicyError::new(
                name,
                "not a policy file: names must end in .rhai",
            ));
            continue;
        }
        match engine.compile(text) {
            Ok(mut ast) => {
                ast.set_source(name.as_str());
                asts.insert(name.as_str(), ast);
            }
            Err(e) => errors.push(
                PolicyError::new(name, e.err_type().to_string())
                    .at(e.position().line(), e.position().position()),
            ),
        }
    }

    let manifest = asts
        .get(MANIFEST_FILE)
        .and_then(|ast| collect(&mut errors, read_manifest(engine, ast)));
    let params = asts
        .get(PARAMETERS_FILE)
        .and_then(|ast| collect(&mut errors, read_parameters(engine, ast)));

    // Rule files: functions only, no two functions with the same name and arity.
    let mut merged = AST::empty();
    let mut defined: HashMap<(String, usize), &str> = HashMap::new();
    for (name, ast) in &asts {
        if [MANIFEST_FILE, PARAMETERS_FILE].contains(name) || name.starts_with(super::messages::DIR)
        {
            continue;
        }
        if let Some(stmt) = ast.statements().first() {
            let pos = stmt.position();
            errors.push(
                PolicyError::new(
                    *name,
                    "only `fn` definitions may appear at the top level of a rule file \
                     (top-level code never runs; put values in parameters.rhai)",
                )
                .at(pos.line(), pos.position()),
            );
        }
        for f in ast.iter_functions() {
            if super::sandbox::RESERVED_FUNCTIONS.contains(&f.name) {
                errors.push(
                    PolicyError::new(
                        *name,
                        format!("`{}` is provided by kam and cannot be redefined", f.name),
                    )
                    .at(fn_line(&files[*name], f.name), None),
                );
            }
            let key = (f.name.to_string(), f.params.len());
            if let Some(first) = defined.insert(key, name) {
                errors.push(
                    PolicyError::new(
                        *name,
                        format!(
                            "function `{}` with {} parameters is also defined in {first}",
                            f.name,
                            f.params.len()
                        ),
                    )
                    .at(fn_line(&files[*name], f.name), None),
                );
            }
        }
        merged.combine(ast.clone());
    }

    let mut entries = HashMap::new();
    for (entry, arity) in super::ENTRY_POINTS {
        if let Some(file) = defined.get(&(entry.to_string(), *arity)) {
            entries.insert(
                *entry,
                Entry {
                    file: file.to_string(),
                },
            );
        }
    }
    let compiled_all = asts.len() == files.len();
    if entries.is_empty() && compiled_all {
        let wanted: Vec<String> = super::ENTRY_POINTS
            .iter()
            .map(|(n, a)| format!("`{n}` ({a} parameters)"))
            .collect();
        errors.push(PolicyError::new(
            "(policy)",
            format!(
                "no entry point: define at least one of {} in a rule file",
                wanted.join(", ")
            ),
        ));
    }

    let rule_files: BTreeMap<&str, AST> = asts
        .iter()
        .filter(|(name, _)| {
            ![MANIFEST_FILE, PARAMETERS_FILE].contains(*name)
                && !name.starts_with(super::messages::DIR)
        })
        .map(|(name, ast)| (*name, ast.clone()))
        .collect();
    let messages = manifest.as_ref().map(|m| {
        let scores_staff = defined.contains_key(&("staff".to_string(), 2));
        let messages = super::messages::load(
            engine,
            files,
            &asts,
            &m.languages,
            scores_staff,
            &mut errors,
        );
        super::messages::check_calls(&rule_files, &messages, &mut errors);
        messages
    });
    let param_keys: Option<Vec<&str>> = params.as_ref().map(|p| {
        p.keys()
            .map(|k| k.as_str())
            .chain(std::iter::once("tiers"))
            .chain(RATING_NAMES.iter().map(|(k, _)| *k))
            .collect()
    });
    super::fields::check_fields(&rule_files, param_keys.as_deref(), &mut errors);

    match (manifest, params, messages) {
        (Some(manifest), Some(mut params), Some(messages)) if errors.is_empty() => {
            params.insert("tiers".into(), strings(&manifest.tiers));
            for (key, names) in RATING_NAMES {
                params.insert((*key).into(), strings(names));
            }
            super::sandbox::register_fields(engine, params.keys().map(|k| k.as_str()));
            let mut functions = HashMap::new();
            for ((name, _), file) in &defined {
                functions
                    .entry(name.clone())
                    .or_insert_with(|| file.to_string());
            }
            Ok(Compiled {
                manifest,
                params: Dynamic::from(super::sandbox::FrozenMap(std::sync::Arc::new(params))),
                ast: merged,
                entries,
                functions,
                messages,
                digest: digest(files),
            })
        }
        _ => Err(PolicyErrors(errors)),
    }
}

/// A list of names as a rhai array of strings.
fn strings(names: &[impl AsRef<str>]) -> Dynamic {
    Dynamic::from_array(
        names
            .iter()
            .map(|n| Dynamic::from(n.as_ref().to_string()))
            .collect(),
    )
}

fn collect<T>(errors: &mut Vec<PolicyError>, r: Result<T, PolicyError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

/// Runs a file whose whole content is one map literal.
pub(super) fn eval_map(engine: &Engine, ast: &AST, file: &str) -> Result<Map, PolicyError> {
    if ast.statements().len() != 1 || ast.has_functions() {
        return Err(PolicyError::new(
            file,
            "must hold exactly one map literal `#{ … }` and nothing else",
        )
        .at(Some(1), None));
    }
    let value = engine.eval_ast::<Dynamic>(ast).map_err(|e| {
        let pos = e.position();
        PolicyError::new(file, e.to_string()).at(pos.line(), pos.position())
    })?;
    let type_name = value.type_name();
    value.try_cast::<Map>().ok_or_else(|| {
        PolicyError::new(
            file,
            format!("must evaluate to a map literal `#{{ … }}`, got {type_name}"),
        )
        .at(Some(1), None)
    })
}

fn read_manifest(engine: &Engine, ast: &AST) -> Result<Manifest, PolicyError> {
    let map = eval_map(engine, ast, MANIFEST_FILE)?;
    let err = |m: String| PolicyError::new(MANIFEST_FILE, m).at(Some(1), None);
    for key in map.keys() {
        if !["name", "version", "tiers", "languages", "description"].contains(&key.as_str()) {
            return Err(err(format!(
                "unknown key `{key}` (expected name, version, tiers, languages, description)"
            )));
        }
    }
    let text = |key: &str| -> Result<String, PolicyError> {
        match map.get(key) {
            Some(v) if v.is_string() => Ok(v.to_string()),
            Some(v) => Err(err(format!(
                "`{key}` must be a string, got {}",
                v.type_name()
            ))),
            None => Err(err(format!("`{key}` is required"))),
        }
    };
    let name = text("name")?;
    let version = text("version")?;
    let tiers = match map
        .get("tiers")
        .map(|v| v.clone().try_cast::<rhai::Array>())
    {
        Some(Some(items)) => items
            .into_iter()
            .map(|t| {
                if t.is_string() {
                    Ok(t.to_string())
                } else {
                    Err(err("`tiers` must be strings".into()))
                }
            })
            .collect::<Result<Vec<_>, _>>()?,
        _ => {
            return Err(err(
                "`tiers` is required: an array of tier labels, best first".into(),
            ))
        }
    };
    if tiers.is_empty() || tiers.iter().any(|t| t.trim().is_empty()) {
        return Err(err("`tiers` must list at least one non-empty label".into()));
    }
    for (i, t) in tiers.iter().enumerate() {
        if tiers[..i].contains(t) {
            return Err(err(format!("tier `{t}` is declared twice")));
        }
    }
    let languages = match map.get("languages") {
        None => Vec::new(),
        Some(v) => {
            let names = v
                .clone()
                .try_cast::<rhai::Array>()
                .and_then(|items| {
                    items
                        .into_iter()
                        .map(|l| l.try_cast::<rhai::ImmutableString>().map(|s| s.to_string()))
                        .collect::<Option<Vec<_>>>()
                })
                .filter(|names| !names.is_empty())
                .ok_or_else(|| {
                    err("`languages` must be a non-empty array of language names, default first (e.g. [\"zh\", \"en\"])".into())
                })?;
            for (i, l) in names.iter().enumerate() {
                let valid =
                    !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
                if !valid {
                    return Err(err(format!(
                        "language `{l}`: a name is letters, digits and `-` (its file is messages/<name>.rhai)"
                    )));
                }
                if names[..i].contains(l) {
                    return Err(err(format!("language `{l}` is listed twice")));
                }
            }
            names
        }
    };
    Ok(Manifest {
        name,
        version,
        tiers,
        languages,
    })
}

fn read_parameters(engine: &Engine, ast: &AST) -> Result<Map, PolicyError> {
    let map = eval_map(engine, ast, PARAMETERS_FILE)?;
    if map.contains_key("tiers") {
        return Err(PolicyError::new(
            PARAMETERS_FILE,
            "`tiers` is reserved: declare tiers in policy.rhai; rules see them as `p.tiers`",
        ));
    }
    if let Some((key, names)) = RATING_NAMES.iter().find(|(k, _)| map.contains_key(*k)) {
        return Err(PolicyError::new(
            PARAMETERS_FILE,
            format!(
                "`{key}` is reserved: kam adds the names a staff record accepts ({}); rules see them as `p.{key}`",
                names.join(", ")
            ),
        ));
    }
    Ok(map)
}

/// The 1-based line where `fn name(` is defined, for errors about that function.
pub(crate) fn fn_line(text: &str, name: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            let line = line.strip_prefix("private ").unwrap_or(line);
            line.strip_prefix("fn ")
                .map(|rest| {
                    rest.trim_start()
                        .strip_prefix(name)
                        .is_some_and(|r| r.trim_start().starts_with('('))
                })
                .unwrap_or(false)
        })
        .map(|i| i + 1)
}

/// SHA-256 over every file's name and content, in name order: `sha256:<hex>`.
fn digest(files: &BTreeMap<String, String>) -> String {
    let mut hasher = Sha256::new();
    for (name, text) in files {
        // Length prefixes keep ("a", "bc") and ("ab", "c") apart.
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    let hash = hasher.finalize();
    let mut hex = String::with_capacity(7 + 64);
    hex.push_str("sha256:");
    for byte in hash {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}
