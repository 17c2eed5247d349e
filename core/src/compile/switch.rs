//! `switch`, compiled: which case a value selects, found the way rhai finds it.
//!
//! rhai's parser files a `switch`'s literal cases by the hash of their
//! value and keeps only the hash (the literal itself is gone from the AST).
//! So compiled code hashes the switched value exactly as rhai does: the
//! value as the `Dynamic` the interpreter would hold, through rhai's hasher
//! (ahash with the seed rhai reads, the same crate instance as rhai's), and
//! looks the hash up in the table the parser made. Then, as rhai: the
//! guarded blocks of that case in order, then the integer ranges, then the
//! default. The differential tests of `tests/compile.rs` prove the hashes
//! agree for every kind of case value.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};

use rhai::{Dynamic, RangeCase};

use super::value::{to_dynamic, Value};

/// The cases of one `switch`, as rhai's parser filed them; every case is an
/// index into the switch's list of (guard, body) pairs.
pub(crate) struct Cases {
    /// Literal cases by value hash, each with its guarded blocks in order.
    pub by_hash: HashMap<u64, Vec<usize>>,
    /// Integer ranges (`1..10 =>`), tried after the literal cases.
    pub ranges: Vec<RangeCase>,
    /// `_ =>`.
    pub default: Option<usize>,
}

/// How a value reaches a `switch`'s cases.
pub(crate) enum Key {
    /// Hashable: look it up (and try the ranges).
    Hash(u64, Dynamic),
    /// Not hashable in rhai (a date): only the default case can match.
    DefaultOnly,
    /// A value compiled code does not hash (an array, a map, the record, a
    /// closure): the interpreter decides this record.
    Interpret,
}

/// The value's key, as rhai's `Dynamic::is_hashable` and `Hash` see it.
pub(crate) fn key(v: &Value) -> Key {
    match v {
        Value::Unit | Value::Bool(_) | Value::Int(_) | Value::Dec(_) | Value::Text(_) => {
            let d = to_dynamic(v);
            let mut h = hasher();
            d.hash(&mut h);
            Key::Hash(h.finish(), d)
        }
        // A date is a custom type in rhai, which it does not hash.
        Value::Date(_) => Key::DefaultOnly,
        Value::Array(_) | Value::Map(_) | Value::Frozen(_) | Value::Fn(_) => Key::Interpret,
    }
}

/// rhai's `get_hasher`, which it does not export: its seed when one is set,
/// ahash's fixed keys otherwise.
fn hasher() -> ahash::AHasher {
    match rhai::config::hashing::get_hashing_seed() {
        Some([a, b, c, d]) if (a | b | c | d) != 0 => {
            ahash::RandomState::with_seeds(*a, *b, *c, *d).build_hasher()
        }
        _ => ahash::AHasher::default(),
    }
}

impl Cases {
    /// The bodies to try, in rhai's order, for a hashable value: each is
    /// taken when its guard holds.
    pub(crate) fn candidates<'a>(
        &'a self,
        hash: u64,
        value: &'a Dynamic,
    ) -> impl Iterator<Item = usize> + 'a {
        let literal = self.by_hash.get(&hash).into_iter().flatten().copied();
        let ranges = self
            .ranges
            .iter()
            .filter(move |r| r.contains(value))
            .map(RangeCase::index);
        literal.chain(ranges)
    }
}
