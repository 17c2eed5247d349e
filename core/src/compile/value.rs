//! The typed value compiled code computes with, and its conversions to and
//! from rhai's `Dynamic` at the edges of a call (arguments in, result out).

use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use rhai::Dynamic;
use rust_decimal::Decimal;

use crate::policy::sandbox::FrozenMap;

pub(crate) use super::map::Map;

/// An array value: its items and their total size.
pub(crate) type List = Counted<Vec<Value>>;

/// A map value: its entries and their total size.
pub(crate) type Dict = Counted<Map>;

/// What rhai's size limits count in a value, nested values included: array
/// items, map entries and string bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Sizes {
    pub arrays: usize,
    pub maps: usize,
    pub strings: usize,
}

impl std::ops::Add for Sizes {
    type Output = Sizes;
    fn add(self, o: Sizes) -> Sizes {
        Sizes {
            arrays: self.arrays + o.arrays,
            maps: self.maps + o.maps,
            strings: self.strings + o.strings,
        }
    }
}

/// A container that keeps its total [`Sizes`] up to date, so that the size
/// check after every value a rule builds costs nothing however deep the
/// value is (rhai walks the whole value each time; the figures are the
/// same). The contents are read through `Deref` and changed only through
/// [`Counted::edit`], which recounts one level: the items' own totals are
/// already kept.
#[derive(Clone, Debug, Default)]
pub(crate) struct Counted<T> {
    inner: T,
    total: Sizes,
}

/// A container whose total is its own length plus its items' totals.
pub(crate) trait Container {
    fn count(&self) -> Sizes;
}

impl Container for Vec<Value> {
    fn count(&self) -> Sizes {
        let own = Sizes {
            arrays: self.len(),
            ..Sizes::default()
        };
        self.iter().fold(own, |t, v| t + sizes(v))
    }
}

impl Container for Map {
    fn count(&self) -> Sizes {
        let own = Sizes {
            maps: self.len(),
            ..Sizes::default()
        };
        self.values().fold(own, |t, v| t + sizes(v))
    }
}

impl<T: Container> Counted<T> {
    pub(crate) fn new(inner: T) -> Self {
        let total = inner.count();
        Counted { inner, total }
    }

    /// Changes the contents, then recounts.
    pub(crate) fn edit<R>(&mut self, f: impl FnOnce(&mut T) -> R) -> R {
        let r = f(&mut self.inner);
        self.total = self.inner.count();
        r
    }

    pub(crate) fn into_inner(self) -> T {
        self.inner
    }

    pub(crate) fn total(&self) -> Sizes {
        self.total
    }
}

impl Sizes {
    /// `self` without `o` (a part of it that is being replaced).
    fn minus(self, o: Sizes) -> Sizes {
        Sizes {
            arrays: self.arrays.saturating_sub(o.arrays),
            maps: self.maps.saturating_sub(o.maps),
            strings: self.strings.saturating_sub(o.strings),
        }
    }
}

/// The changes rules make most (`push`, `+=`, `a[i] = v`, `m.k = v`), each
/// counted by what it adds and removes, so a growing array is not
/// recounted on every push.
impl Counted<Vec<Value>> {
    pub(crate) fn push(&mut self, v: Value) {
        self.total = self.total
            + sizes(&v)
            + Sizes {
                arrays: 1,
                ..Sizes::default()
            };
        self.inner.push(v);
    }

    pub(crate) fn extend(&mut self, items: &[Value]) {
        for v in items {
            self.push(v.clone());
        }
    }

    /// Puts `v` at `i`, giving back what was there (`None`: out of range).
    pub(crate) fn replace(&mut self, i: usize, v: Value) -> Option<Value> {
        let added = sizes(&v);
        let place = self.inner.get_mut(i)?;
        let old = std::mem::replace(place, v);
        self.total = self.total.minus(sizes(&old)) + added;
        Some(old)
    }
}

impl Counted<Map> {
    pub(crate) fn insert(&mut self, k: Arc<str>, v: Value) -> Option<Value> {
        let added = sizes(&v);
        let old = self.inner.insert(k, v);
        self.total = match &old {
            Some(o) => self.total.minus(sizes(o)) + added,
            None => {
                self.total
                    + added
                    + Sizes {
                        maps: 1,
                        ..Sizes::default()
                    }
            }
        };
        old
    }
}

impl<T> std::ops::Deref for Counted<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner
    }
}

/// One value of compiled code. Arrays and maps are values, as in rhai:
/// copied on write (`Arc::make_mut`), so sharing one between variables is a
/// pointer copy until one of them changes it.
#[derive(Clone, Debug, Default)]
pub(crate) enum Value {
    /// `()`: a missing value.
    #[default]
    Unit,
    Bool(bool),
    Int(i64),
    Dec(Decimal),
    Date(NaiveDate),
    Text(Arc<str>),
    Array(Arc<List>),
    Map(Arc<Dict>),
    /// The record or the parameters: read-only, fields by slot.
    Frozen(Arc<Frozen>),
    /// A closure: a policy function (by index) with its captured values.
    Fn(Arc<Closure>),
}

/// A read-only map (the record `c`/`s` or the parameters `p`): its keys in
/// rhai's order and the values in the same order; `tag` says which known key
/// list it has, so a property read compiled against that list is one index.
#[derive(Debug)]
pub(crate) struct Frozen {
    pub tag: usize,
    pub keys: Arc<[Arc<str>]>,
    pub vals: Vec<Value>,
}

impl Frozen {
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.keys
            .iter()
            .position(|k| &**k == key)
            .and_then(|i| self.vals.get(i))
    }
}

/// A closure value: the function it runs and the values it captured.
#[derive(Debug)]
pub(crate) struct Closure {
    pub func: usize,
    pub name: String,
    pub captured: Vec<Value>,
}

impl Value {
    pub(crate) fn text(s: impl Into<Arc<str>>) -> Value {
        Value::Text(s.into())
    }

    pub(crate) fn array(items: Vec<Value>) -> Value {
        Value::Array(Arc::new(Counted::new(items)))
    }

    pub(crate) fn map(entries: Map) -> Value {
        Value::Map(Arc::new(Counted::new(entries)))
    }

    /// The type's name as rhai's errors spell it.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Value::Unit => "()",
            Value::Bool(_) => "bool",
            Value::Int(_) => "i64",
            Value::Dec(_) => "decimal",
            Value::Date(_) => "date",
            Value::Text(_) => "string",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Frozen(_) => "frozen map",
            Value::Fn(_) => "Fn",
        }
    }

    /// The type's name in rhai's "Function not found: f (…)" signatures.
    pub(crate) fn sig_name(&self) -> &'static str {
        match self {
            Value::Text(_) => "&str | ImmutableString | String",
            other => other.type_name(),
        }
    }

    /// The type's name in rhai's "Data type incorrect" errors (a Rust path
    /// for kam's own types).
    pub(crate) fn raw_name(&self) -> &'static str {
        match self {
            Value::Date(_) => "chrono::naive::date::NaiveDate",
            Value::Frozen(_) => "kam::policy::sandbox::frozen::FrozenMap",
            other => other.type_name(),
        }
    }

    pub(crate) fn is_unit(&self) -> bool {
        matches!(self, Value::Unit)
    }
}

/// Key lists the compiler knows: each `Frozen` carries the index of its list.
#[derive(Debug, Default)]
pub(crate) struct KnownKeys {
    pub lists: Vec<Arc<[Arc<str>]>>,
    /// Declared records' fields in declaration order, with the list they
    /// sort into and each field's slot there: a record is placed without
    /// sorting its fields each time.
    orders: Vec<(&'static [&'static str], usize, Vec<usize>)>,
}

impl KnownKeys {
    /// Adds a declared record's field list (in declaration order).
    pub(crate) fn add_record(&mut self, fields: &'static [&'static str]) {
        let mut sorted: Vec<&str> = fields.to_vec();
        sorted.sort_unstable();
        let slots = fields
            .iter()
            .map(|f| sorted.binary_search(f).unwrap_or(usize::MAX))
            .collect();
        self.lists.push(sorted.into_iter().map(Arc::from).collect());
        self.orders.push((fields, self.lists.len() - 1, slots));
    }

    /// Whether `name` is a field of a known list: the names the sandbox
    /// registers as properties of the record and the parameters.
    pub(crate) fn is_field(&self, name: &str) -> bool {
        self.lists
            .iter()
            .any(|l| l.binary_search_by(|k| (**k).cmp(name)).is_ok())
    }

    fn tag_of(&self, keys: &[&str]) -> Option<usize> {
        self.lists
            .iter()
            .position(|l| l.len() == keys.len() && l.iter().zip(keys).all(|(a, b)| &**a == *b))
    }
}

/// A read-only record from its fields in declaration order: placed in the
/// slots of its known list, or sorted when its fields are not a declared
/// record's.
pub(crate) fn frozen_declared(mut entries: Vec<(&str, Value)>, known: &KnownKeys) -> Value {
    for (fields, tag, slots) in &known.orders {
        let same =
            fields.len() == entries.len() && fields.iter().zip(&entries).all(|(f, (k, _))| f == k);
        let Some(keys) = known.lists.get(*tag).filter(|_| same) else {
            continue;
        };
        let mut vals = vec![Value::Unit; slots.len()];
        for ((_, v), &s) in entries.into_iter().zip(slots) {
            if let Some(place) = vals.get_mut(s) {
                *place = v;
            }
        }
        return Value::Frozen(Arc::new(Frozen {
            tag: *tag,
            keys: keys.clone(),
            vals,
        }));
    }
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    frozen(entries, known)
}

/// A read-only record from its fields in key order: one index per field
/// read when the keys are a list the compiler knows (as a record's are).
pub(crate) fn frozen(entries: Vec<(&str, Value)>, known: &KnownKeys) -> Value {
    let keys: Vec<&str> = entries.iter().map(|(k, _)| *k).collect();
    let (tag, list) = match known.tag_of(&keys) {
        Some(t) => (t, known.lists[t].clone()),
        None => (
            usize::MAX,
            keys.iter().map(|k| Arc::<str>::from(*k)).collect(),
        ),
    };
    Value::Frozen(Arc::new(Frozen {
        tag,
        keys: list,
        vals: entries.into_iter().map(|(_, v)| v).collect(),
    }))
}

/// A rhai value as a compiled value (`None`: a type compiled code does not
/// know, such as a function pointer; the caller then uses the interpreter).
pub(crate) fn from_dynamic(v: &Dynamic, known: &KnownKeys) -> Option<Value> {
    if v.is_unit() {
        return Some(Value::Unit);
    }
    if let Ok(b) = v.as_bool() {
        return Some(Value::Bool(b));
    }
    if let Ok(i) = v.as_int() {
        return Some(Value::Int(i));
    }
    if let Ok(d) = v.as_decimal() {
        return Some(Value::Dec(d));
    }
    if let Some(s) = v.read_lock::<rhai::ImmutableString>() {
        return Some(Value::text(s.as_str()));
    }
    if let Some(d) = v.read_lock::<NaiveDate>() {
        return Some(Value::Date(*d));
    }
    if let Some(a) = v.read_lock::<rhai::Array>() {
        return a
            .iter()
            .map(|x| from_dynamic(x, known))
            .collect::<Option<Vec<_>>>()
            .map(Value::array);
    }
    if let Some(m) = v.read_lock::<rhai::Map>() {
        return map_from(&m, known).map(Value::map);
    }
    if let Some(f) = v.read_lock::<FrozenMap>() {
        let keys: Vec<&str> = f.0.keys().map(|k| k.as_str()).collect();
        let (tag, list) = match known.tag_of(&keys) {
            Some(t) => (t, known.lists[t].clone()),
            None => (
                usize::MAX,
                keys.iter().map(|k| Arc::<str>::from(*k)).collect(),
            ),
        };
        let vals =
            f.0.values()
                .map(|x| from_dynamic(x, known))
                .collect::<Option<Vec<_>>>()?;
        return Some(Value::Frozen(Arc::new(Frozen {
            tag,
            keys: list,
            vals,
        })));
    }
    None
}

fn map_from(m: &rhai::Map, known: &KnownKeys) -> Option<Map> {
    m.iter()
        .map(|(k, x)| from_dynamic(x, known).map(|x| (Arc::<str>::from(k.as_str()), x)))
        .collect()
}

/// [`to_dynamic`], or `None` when `v` holds a closure (a function pointer
/// is left to the interpreter to make).
pub(crate) fn to_dynamic_checked(v: &Value) -> Option<Dynamic> {
    fn has_fn(v: &Value) -> bool {
        match v {
            Value::Fn(_) => true,
            Value::Array(a) => a.iter().any(has_fn),
            Value::Map(m) => m.values().any(has_fn),
            _ => false,
        }
    }
    (!has_fn(v)).then(|| to_dynamic(v))
}

/// A compiled value as the rhai value the interpreter would have produced,
/// so that one set of result checks (`eval::shape`) reads both engines' results.
pub(crate) fn to_dynamic(v: &Value) -> Dynamic {
    match v {
        Value::Unit => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Int(i) => Dynamic::from_int(*i),
        Value::Dec(d) => Dynamic::from_decimal(*d),
        Value::Date(d) => Dynamic::from(*d),
        Value::Text(s) => Dynamic::from(rhai::ImmutableString::from(&**s)),
        Value::Array(a) => Dynamic::from_array(a.iter().map(to_dynamic).collect()),
        Value::Map(m) => Dynamic::from_map(map_to(m)),
        Value::Frozen(f) => {
            let map: rhai::Map = f
                .keys
                .iter()
                .zip(&f.vals)
                .map(|(k, x)| ((&**k).into(), to_dynamic(x)))
                .collect();
            Dynamic::from(FrozenMap(Arc::new(map)))
        }
        Value::Fn(c) => rhai::FnPtr::new(c.name.as_str())
            .map(Dynamic::from)
            .unwrap_or(Dynamic::UNIT),
    }
}

fn map_to(m: &Map) -> rhai::Map {
    m.iter()
        .map(|(k, x)| ((&**k).into(), to_dynamic(x)))
        .collect()
}

/// How a value reads in a string (`${x}`, `throw x`, `join`), as rhai's
/// `to_string` writes it: strings bare, `()` empty, numbers and dates plainly;
/// arrays and maps as rhai prints them.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Unit => Ok(()),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Dec(d) => write!(f, "{d}"),
            Value::Date(d) => write!(f, "{d}"),
            Value::Text(s) => f.write_str(s),
            other => write!(f, "{}", to_dynamic(other)),
        }
    }
}

/// The same type and the same value, as the sandbox's `same` compares a
/// write to the record with the value it holds (no conversions).
pub(crate) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Unit, Value::Unit) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Dec(x), Value::Dec(y)) => x == y,
        (Value::Date(x), Value::Date(y)) => x == y,
        (Value::Text(x), Value::Text(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(x, y)| same(x, y))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => false,
    }
}

/// Total size of a value as rhai's size limits count it, nested values
/// included: kept by the containers, so one read.
pub(crate) fn sizes(v: &Value) -> Sizes {
    match v {
        Value::Text(s) => Sizes {
            strings: s.len(),
            ..Sizes::default()
        },
        Value::Array(a) => a.total(),
        Value::Map(m) => m.total(),
        _ => Sizes::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// rhai's count: the whole value walked, as before the totals were kept.
    fn walked(v: &Value) -> Sizes {
        match v {
            Value::Text(s) => Sizes {
                strings: s.len(),
                ..Sizes::default()
            },
            Value::Array(a) => a.iter().fold(
                Sizes {
                    arrays: a.len(),
                    ..Sizes::default()
                },
                |t, v| t + walked(v),
            ),
            Value::Map(m) => m.values().fold(
                Sizes {
                    maps: m.len(),
                    ..Sizes::default()
                },
                |t, v| t + walked(v),
            ),
            _ => Sizes::default(),
        }
    }

    #[test]
    fn kept_totals_match_a_full_walk_after_every_edit() {
        let leaf = Value::map(Map::from([
            (Arc::from("code"), Value::text("tier.a")),
            (Arc::from("n"), Value::Int(3)),
        ]));
        let mut outer = Value::array(vec![leaf.clone(), Value::text("four")]);
        assert_eq!(sizes(&outer), walked(&outer));
        assert_eq!(
            sizes(&outer),
            Sizes {
                arrays: 2,
                maps: 2,
                strings: 10
            }
        );
        let mut shared = outer.clone();
        if let Value::Array(a) = &mut outer {
            // Copy on write: the other holder keeps its own total.
            Arc::make_mut(a).push(leaf.clone());
            Arc::make_mut(a).replace(1, Value::text("a longer text"));
            Arc::make_mut(a).extend(&[Value::text("x"), leaf.clone()]);
            Arc::make_mut(a).edit(|a| a.push(Value::Int(1)));
        }
        assert_eq!(sizes(&outer), walked(&outer));
        assert_eq!(sizes(&outer).maps, 6);
        assert_eq!(sizes(&shared), walked(&shared));
        if let Value::Array(a) = &mut shared {
            Arc::make_mut(a).edit(|a| {
                a.clear();
            });
        }
        assert_eq!(sizes(&shared), Sizes::default());
        let mut nested = Value::map(Map::from([(Arc::from("all"), outer.clone())]));
        assert_eq!(sizes(&nested), walked(&nested));
        assert_eq!(sizes(&nested).maps, 7);
        if let Value::Map(m) = &mut nested {
            // A new key, then a replaced one: both counted by what changed.
            Arc::make_mut(m).insert(Arc::from("n"), Value::text("abc"));
            Arc::make_mut(m).insert(Arc::from("all"), Value::text("z"));
        }
        assert_eq!(sizes(&nested), walked(&nested));
        assert_eq!(
            sizes(&nested),
            Sizes {
                arrays: 0,
                maps: 2,
                strings: 4
            }
        );
    }
}
