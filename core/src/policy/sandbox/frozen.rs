//! [`FrozenMap`]: the read-only map, shared by reference, that rules receive
//! as the record and the parameters.

use rhai::{Dynamic, Engine, EvalAltResult, INT};

use super::Fallible;

/// A read-only map shared by reference: how rules receive the record and the
/// parameters.
///
/// Rhai deep-copies a plain map every time it is passed to a function (about
/// 4 µs for a record), and rules pass `c` and `p` to every helper. A
/// `FrozenMap` is an `Arc`: passing it is a pointer copy, `c.field` reads
/// through the indexer, a missing field is an error (never a silent `()`), and
/// no rule can modify the record or the parameters another rule sees.
#[derive(Debug, Clone)]
pub(crate) struct FrozenMap(pub(crate) std::sync::Arc<rhai::Map>);

/// Registers the type with its indexer (`m["key"]`) and the read-only map
/// functions rules may call on it.
pub(super) fn register(engine: &mut Engine) {
    engine
        .register_type_with_name::<FrozenMap>("frozen map")
        .register_indexer_get(|m: &mut FrozenMap, key: &str| -> Fallible<Dynamic> {
            m.0.get(key).cloned().ok_or_else(|| missing_field(key))
        })
        .register_fn("contains", |m: &mut FrozenMap, key: &str| {
            m.0.contains_key(key)
        })
        .register_fn("keys", |m: &mut FrozenMap| -> rhai::Array {
            m.0.keys().map(|k| Dynamic::from(k.to_string())).collect()
        })
        .register_fn("len", |m: &mut FrozenMap| m.0.len() as INT)
        .register_fn("to_string", |m: &mut FrozenMap| format!("{:?}", m.0))
        .register_fn("to_debug", |m: &mut FrozenMap| format!("{:?}", m.0));
}

/// The error for reading a field a frozen map does not hold.
pub(super) fn missing_field(key: &str) -> Box<EvalAltResult> {
    format!("no field `{key}` (fields are read-only and fixed)").into()
}
