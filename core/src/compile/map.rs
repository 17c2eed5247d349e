//! The map a rule builds in compiled code: its entries in one vector sorted
//! by key bytes, the order rhai's `BTreeMap` keeps, so iteration, `keys()`
//! and printing come out as the interpreter's.
//!
//! A policy's maps are small (a reason's four keys, a handful of facts, a
//! result): a sorted vector finds a key in a few comparisons and is built
//! with one allocation, where a `BTreeMap` costs a node allocation and a
//! rebalancing walk per insert. A map that grows to thousands of keys is
//! slower to insert into (a shift per insert) but stays bounded by the
//! sandbox's map size and time limits.

use std::sync::Arc;

use super::value::Value;

#[derive(Clone, Debug, Default)]
pub(crate) struct Map {
    entries: Vec<(Arc<str>, Value)>,
}

impl Map {
    pub(crate) fn new() -> Map {
        Map::default()
    }

    /// A map of `entries` already in key order with no key twice: a
    /// literal's keys, sorted when it is compiled, or a reason's fixed keys.
    /// (Checked in debug builds; out of order, lookups would miss keys.)
    pub(crate) fn from_sorted(entries: Vec<(Arc<str>, Value)>) -> Map {
        debug_assert!(entries.windows(2).all(|w| w[0].0 < w[1].0));
        Map { entries }
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| (**k).cmp(key))
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.find(key).is_ok()
    }

    /// Sets `key`, giving back the value it replaced.
    pub(crate) fn insert(&mut self, key: Arc<str>, value: Value) -> Option<Value> {
        // Keys often arrive in order (a literal's, a record's): check the end first.
        let at = match self.entries.last() {
            Some((last, _)) if **last < *key => Err(self.entries.len()),
            _ => self.find(&key),
        };
        match at {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Takes `key`'s value, leaving `()` in its place (no shift: for reading
    /// a map that is about to be dropped).
    pub(crate) fn take(&mut self, key: &str) -> Option<Value> {
        self.find(key)
            .ok()
            .map(|i| std::mem::take(&mut self.entries[i].1))
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &Value)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &Arc<str>> {
        self.entries.iter().map(|(k, _)| k)
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &Value> {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl IntoIterator for Map {
    type Item = (Arc<str>, Value);
    type IntoIter = std::vec::IntoIter<(Arc<str>, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl FromIterator<(Arc<str>, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (Arc<str>, Value)>>(iter: I) -> Map {
        let mut m = Map::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

impl<const N: usize> From<[(Arc<str>, Value); N]> for Map {
    fn from(entries: [(Arc<str>, Value); N]) -> Map {
        entries.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_keys_in_byte_order_and_the_last_write() {
        let mut m = Map::new();
        for (k, v) in [("b", 1), ("a", 2), ("c", 3), ("B", 4), ("a", 5)] {
            m.insert(Arc::from(k), Value::Int(v));
        }
        let keys: Vec<&str> = m.keys().map(|k| &**k).collect();
        assert_eq!(keys, ["B", "a", "b", "c"]);
        assert!(matches!(m.get("a"), Some(Value::Int(5))));
        assert!(matches!(m.take("b"), Some(Value::Int(1))));
        assert!(matches!(m.get("b"), Some(Value::Unit)) && !m.contains_key("x"));
        assert_eq!(m.len(), 4);
    }
}
