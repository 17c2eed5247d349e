//! The operators and the rhai and kam functions compiled code calls, with the
//! interpreter's exact semantics: checked integer and decimal arithmetic
//! (rhai's messages), kam's strict comparisons (`policy/sandbox/compare.rs`),
//! the date functions (`sandbox/date.rs`) and the explanation helpers
//! (`sandbox/format.rs`, whose public formatters are called, not copied).

use std::cmp::Ordering;
use std::sync::Arc;

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::run::{runtime, script, Ctx, Pos, R};
use super::value::{Map, Value};
use crate::policy::{format_money, format_pct};

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    pub(crate) fn from_token(t: &rhai::Token) -> Option<Op> {
        use rhai::Token as T;
        Some(match t {
            T::Plus | T::PlusAssign => Op::Add,
            T::Minus | T::MinusAssign => Op::Sub,
            T::Multiply | T::MultiplyAssign => Op::Mul,
            T::Divide | T::DivideAssign => Op::Div,
            T::Modulo | T::ModuloAssign => Op::Rem,
            T::EqualsTo => Op::Eq,
            T::NotEqualsTo => Op::Ne,
            T::LessThan => Op::Lt,
            T::LessThanEqualsTo => Op::Le,
            T::GreaterThan => Op::Gt,
            T::GreaterThanEqualsTo => Op::Ge,
            _ => return None,
        })
    }

    fn symbol(self) -> &'static str {
        match self {
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
            Op::Rem => "%",
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    fn is_compare(self) -> bool {
        matches!(self, Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }
}

fn not_found<T>(name: &str, args: &[&Value], pos: Pos) -> R<T> {
    let types: Vec<&str> = args.iter().map(|a| a.sig_name()).collect();
    script(
        format!("Function not found: {name} ({})", types.join(", ")),
        pos,
    )
}

/// `a op b`.
pub(crate) fn binary(op: Op, a: &Value, b: &Value, pos: Pos) -> R<Value> {
    if op.is_compare() {
        return compare(op, a, b, pos).map(Value::Bool);
    }
    use Value::*;
    match (a, b) {
        (Int(x), Int(y)) => int_op(op, *x, *y, pos),
        (Dec(x), Dec(y)) => dec_op(op, *x, *y, pos),
        (Int(x), Dec(y)) => dec_op(op, Decimal::from(*x), *y, pos),
        (Dec(x), Int(y)) => dec_op(op, *x, Decimal::from(*y), pos),
        (Date(x), Date(y)) if op == Op::Sub => Ok(Int((*x - *y).num_days())),
        (Text(x), Text(y)) if op == Op::Add => {
            let mut s = String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(y);
            Ok(Value::text(s))
        }
        // rhai's string `-`: removes every occurrence (an empty side gives the other).
        (Text(x), Text(y)) if op == Op::Sub => Ok(if y.is_empty() {
            Text(x.clone())
        } else if x.is_empty() {
            Text(y.clone())
        } else {
            Value::text(x.replace(&**y, ""))
        }),
        (Text(x), Unit) if op == Op::Add => Ok(Text(x.clone())),
        (Unit, Text(y)) if op == Op::Add => Ok(Text(y.clone())),
        // A string and a scalar: rhai's `+` writes the scalar as `to_string`
        // does; an array, map or closure is written as rhai prints it, which
        // the interpreter does (see `to_text`).
        (Text(x), y) if op == Op::Add => match to_text(y) {
            Option::Some(t) => Ok(Value::text(format!("{x}{t}"))),
            None => interpret(pos),
        },
        (x, Text(y)) if op == Op::Add => match to_text(x) {
            Option::Some(t) => Ok(Value::text(format!("{t}{y}"))),
            None => interpret(pos),
        },
        (Array(x), Array(y)) if op == Op::Add => {
            let mut v = Vec::with_capacity(x.len() + y.len());
            v.extend(x.iter().cloned());
            v.extend(y.iter().cloned());
            Ok(Value::array(v))
        }
        _ => not_found(op.symbol(), &[a, b], pos),
    }
}

/// A scalar as `${…}`, `+` and `to_string` write it; `None` for an array,
/// a map or a closure, whose printed form (rhai's `to_string` of each item:
/// dates, the record's map) compiled code leaves to the interpreter.
pub(crate) fn to_text(v: &Value) -> Option<String> {
    match v {
        Value::Array(_) | Value::Map(_) | Value::Frozen(_) | Value::Fn(_) => None,
        other => Some(other.to_string()),
    }
}

/// Hands the record to the interpreter (see [`FailKind::Interpret`](super::run::FailKind)).
pub(crate) fn interpret<T>(pos: Pos) -> R<T> {
    super::run::fail(super::run::FailKind::Interpret, pos)
}

fn int_op(op: Op, x: i64, y: i64, pos: Pos) -> R<Value> {
    let r = match op {
        Op::Add => x
            .checked_add(y)
            .ok_or_else(|| format!("Addition overflow: {x} + {y}")),
        Op::Sub => x
            .checked_sub(y)
            .ok_or_else(|| format!("Subtraction overflow: {x} - {y}")),
        Op::Mul => x
            .checked_mul(y)
            .ok_or_else(|| format!("Multiplication overflow: {x} * {y}")),
        Op::Div if y == 0 => Err(format!("Division by zero: {x} / {y}")),
        Op::Div => x
            .checked_div(y)
            .ok_or_else(|| format!("Division overflow: {x} / {y}")),
        Op::Rem => x
            .checked_rem(y)
            .ok_or_else(|| format!("Modulo division by zero or overflow: {x} % {y}")),
        _ => Err(String::new()),
    };
    match r {
        Ok(v) => Ok(Value::Int(v)),
        Err(m) => script(m, pos),
    }
}

fn dec_op(op: Op, x: Decimal, y: Decimal, pos: Pos) -> R<Value> {
    let r = match op {
        Op::Add => x
            .checked_add(y)
            .ok_or_else(|| format!("Addition overflow: {x} + {y}")),
        Op::Sub => x
            .checked_sub(y)
            .ok_or_else(|| format!("Subtraction overflow: {x} - {y}")),
        Op::Mul => x
            .checked_mul(y)
            .ok_or_else(|| format!("Multiplication overflow: {x} * {y}")),
        Op::Div if y.is_zero() => Err(format!("Division by zero: {x} / {y}")),
        Op::Div => x
            .checked_div(y)
            .ok_or_else(|| format!("Division overflow: {x} / {y}")),
        Op::Rem => x
            .checked_rem(y)
            .ok_or_else(|| format!("Modulo division by zero or overflow: {x} % {y}")),
        _ => Err(String::new()),
    };
    match r {
        Ok(v) => Ok(Value::Dec(v)),
        Err(m) => script(m, pos),
    }
}

/// The kind names kam's refusals use (`compare.rs`).
fn kind(v: &Value) -> Option<&'static str> {
    Some(match v {
        Value::Int(_) | Value::Dec(_) => "a number",
        Value::Text(_) => "a string",
        Value::Unit => "() (a missing value)",
        Value::Date(_) => "a date",
        Value::Bool(_) => "a bool",
        _ => return None,
    })
}

/// Whether kam refuses `a op b` (see `compare.rs`): different kinds, except
/// that `==`/`!=` against `()` are allowed.
fn refused(op: Op, a: &Value, b: &Value) -> bool {
    use Value::*;
    let ordering = !matches!(op, Op::Eq | Op::Ne);
    let pair = |x: &Value, y: &Value| -> bool {
        match (x, y) {
            (Int(_) | Dec(_), Text(_)) => true,
            (Int(_) | Dec(_), Unit) => ordering,
            (Date(_), Unit) => ordering,
            (Date(_), Text(_)) => true,
            (Date(_), Int(_) | Dec(_)) => true,
            (Bool(_), Int(_) | Dec(_)) => true,
            (Bool(_), Text(_)) => true,
            (Date(_), Bool(_)) => true,
            (Text(_), Unit) => ordering,
            (Bool(_), Unit) => ordering,
            _ => false,
        }
    };
    pair(a, b) || pair(b, a)
}

fn ordered(op: Op, o: Ordering) -> bool {
    match op {
        Op::Eq => o == Ordering::Equal,
        Op::Ne => o != Ordering::Equal,
        Op::Lt => o == Ordering::Less,
        Op::Le => o != Ordering::Greater,
        Op::Gt => o == Ordering::Greater,
        Op::Ge => o != Ordering::Less,
        _ => false,
    }
}

/// `a op b` for a comparison operator, strict as the sandbox is.
pub(crate) fn compare(op: Op, a: &Value, b: &Value, pos: Pos) -> R<bool> {
    use Value::*;
    if refused(op, a, b) {
        let (an, bn) = (kind(a).unwrap_or(""), kind(b).unwrap_or(""));
        return runtime(
            format!("cannot compare {an} with {bn} using {}", op.symbol()),
            pos,
        );
    }
    let o = match (a, b) {
        (Int(x), Int(y)) => x.cmp(y),
        (Dec(x), Dec(y)) => x.cmp(y),
        (Int(x), Dec(y)) => Decimal::from(*x).cmp(y),
        (Dec(x), Int(y)) => x.cmp(&Decimal::from(*y)),
        (Bool(x), Bool(y)) => x.cmp(y),
        (Text(x), Text(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Date(x), Date(y)) => x.cmp(y),
        (Unit, Unit) => return Ok(op == Op::Eq),
        (Array(x), Array(y)) if matches!(op, Op::Eq | Op::Ne) => {
            let mut same = x.len() == y.len();
            if same {
                for (p, q) in x.iter().zip(y.iter()) {
                    if !compare(Op::Eq, p, q, pos)? {
                        same = false;
                        break;
                    }
                }
            }
            return Ok(same == (op == Op::Eq));
        }
        (Map(x), Map(y)) if matches!(op, Op::Eq | Op::Ne) => {
            let mut same = x.len() == y.len();
            if same {
                for (k, p) in x.iter() {
                    match y.get(k) {
                        Some(q) if compare(Op::Eq, p, q, pos)? => {}
                        _ => {
                            same = false;
                            break;
                        }
                    }
                }
            }
            return Ok(same == (op == Op::Eq));
        }
        // rhai's default for two different, not both numeric types: only
        // `!=` holds (kam's refusals above come first).
        _ if std::mem::discriminant(a) != std::mem::discriminant(b) => {
            return Ok(op == Op::Ne);
        }
        _ => return not_found(op.symbol(), &[a, b], pos),
    };
    Ok(ordered(op, o))
}

/// `!x`.
pub(crate) fn not(v: &Value, pos: Pos) -> R<Value> {
    match v {
        Value::Bool(b) => Ok(Value::Bool(!b)),
        _ => not_found("!", &[v], pos),
    }
}

/// `-x`.
pub(crate) fn neg(v: &Value, pos: Pos) -> R<Value> {
    match v {
        Value::Int(i) => match i.checked_neg() {
            Some(n) => Ok(Value::Int(n)),
            None => script(format!("Negation overflow: -{i}"), pos),
        },
        Value::Dec(d) => Ok(Value::Dec(-*d)),
        _ => not_found("-", &[v], pos),
    }
}

/// A native function or method compiled code can call, chosen at load time
/// by name and argument count; argument types are checked when it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Native {
    Note,
    Adjust,
    Money,
    Pct,
    Num,
    Join,
    Position,
    Contains,
    Len,
    IsEmpty,
    Push,
    Filter,
    MapFn,
    Some,
    All,
    Sort,
    Extract,
    Floor,
    Ceiling,
    Abs,
    ToInt,
    ToDecimal,
    AddDays,
    AddMonths,
    DaysInMonth,
    Date,
    Keys,
    TypeOf,
    ToString,
    Pad,
    Tan,
    Sleep,
    Exit,
}

impl Native {
    /// The native `name` taking `argc` arguments (the receiver of a method counts).
    pub(crate) fn find(name: &str, argc: usize) -> Option<Native> {
        use Native::*;
        Option::Some(match (name, argc) {
            ("note", 3) => Note,
            ("adjust", 3) => Adjust,
            ("money", 1) => Money,
            ("pct", 1) => Pct,
            ("num", 1) => Num,
            ("join", 2) => Join,
            ("position", 2) => Position,
            ("contains", 2) => Contains,
            ("len", 1) => Len,
            ("is_empty", 1) => IsEmpty,
            ("push", 2) => Push,
            ("filter", 2) => Filter,
            ("map", 2) => MapFn,
            ("some", 2) => Some,
            ("all", 2) => All,
            ("sort", 2) => Sort,
            ("extract", 2 | 3) => Extract,
            ("floor", 1) => Floor,
            ("ceiling", 1) => Ceiling,
            ("abs", 1) => Abs,
            ("to_int", 1) => ToInt,
            ("to_decimal", 1) => ToDecimal,
            ("add_days", 2) => AddDays,
            ("add_months", 2) => AddMonths,
            ("days_in_month", 1) => DaysInMonth,
            ("date", 1) => Date,
            ("keys", 1) => Keys,
            ("type_of", 1) => TypeOf,
            ("to_string", 1) => ToString,
            ("pad", 3) => Pad,
            ("tan", 1) => Tan,
            ("sleep", 1) => Sleep,
            ("exit", 0 | 1) => Exit,
            _ => return None,
        })
    }

    /// Whether it changes its first argument (then called on a variable, that
    /// variable is passed by reference, as rhai passes a method's receiver).
    pub(crate) fn mutates(self) -> bool {
        matches!(
            self,
            Native::Note | Native::Push | Native::Sort | Native::Pad
        )
    }

    fn name(self) -> &'static str {
        use Native::*;
        match self {
            Note => "note",
            Adjust => "adjust",
            Money => "money",
            Pct => "pct",
            Num => "num",
            Join => "join",
            Position => "position",
            Contains => "contains",
            Len => "len",
            IsEmpty => "is_empty",
            Push => "push",
            Filter => "filter",
            MapFn => "map",
            Some => "some",
            All => "all",
            Sort => "sort",
            Extract => "extract",
            Floor => "floor",
            Ceiling => "ceiling",
            Abs => "abs",
            ToInt => "to_int",
            ToDecimal => "to_decimal",
            AddDays => "add_days",
            AddMonths => "add_months",
            DaysInMonth => "days_in_month",
            Date => "date",
            Keys => "keys",
            TypeOf => "type_of",
            ToString => "to_string",
            Pad => "pad",
            Tan => "tan",
            Sleep => "sleep",
            Exit => "exit",
        }
    }
}

/// The keys of the maps `note` and `adjust` build, allocated once per
/// process: a reason is built for every rule that fires.
#[derive(Clone, Copy)]
enum Key {
    Rule,
    Code,
    Facts,
    Message,
    Points,
}

fn text_key(k: Key) -> Arc<str> {
    static KEYS: std::sync::LazyLock<[Arc<str>; 5]> = std::sync::LazyLock::new(|| {
        ["rule", "code", "facts", "message", "points"].map(Arc::<str>::from)
    });
    KEYS[k as usize].clone()
}

fn reason(rule: Arc<str>, code: Arc<str>, facts: Value, message: Value) -> Value {
    Value::map(Map::from_sorted(vec![
        (text_key(Key::Code), Value::Text(code)),
        (text_key(Key::Facts), facts),
        (text_key(Key::Message), message),
        (text_key(Key::Rule), Value::Text(rule)),
    ]))
}

/// Calls `n` on `args` (`args[0]` is the receiver, changed in place by the
/// functions that [`Native::mutates`]).
pub(crate) fn call(n: Native, args: &mut [Value], cx: &mut Ctx<'_>, pos: Pos) -> R<Value> {
    use Value::*;
    let wrong = |args: &[Value]| -> R<Value> {
        let refs: Vec<&Value> = args.iter().collect();
        not_found(n.name(), &refs, pos)
    };
    match (n, &mut *args) {
        (Native::Note, [Array(why), Text(code), Map(facts)]) => {
            let rule = match code.rsplit_once('.') {
                Some((r, _)) => Arc::from(r),
                None => code.clone(),
            };
            let r = reason(rule, code.clone(), Map(facts.clone()), Unit);
            Arc::make_mut(why).push(r);
            let v = Array(why.clone());
            cx.check_size(&v, pos)?;
            Ok(Unit)
        }
        (Native::Note, [Array(why), Text(rule), Text(text)]) => {
            let r = reason(
                rule.clone(),
                rule.clone(),
                Value::map(super::value::Map::new()),
                Text(text.clone()),
            );
            Arc::make_mut(why).push(r);
            let v = Array(why.clone());
            cx.check_size(&v, pos)?;
            Ok(Unit)
        }
        (Native::Adjust, [p @ (Int(_) | Dec(_)), Text(code), Map(facts)]) => {
            let points = p.clone();
            Ok(Value::map(super::value::Map::from_sorted(vec![
                (text_key(Key::Code), Text(code.clone())),
                (text_key(Key::Facts), Map(facts.clone())),
                (text_key(Key::Message), Unit),
                (text_key(Key::Points), points),
            ])))
        }
        (Native::Money, [Int(i)]) => Ok(Value::text(format_money(Decimal::from(*i)))),
        (Native::Money, [Dec(d)]) => Ok(Value::text(format_money(*d))),
        (Native::Pct, [Int(i)]) => Ok(Value::text(format_pct(Decimal::from(*i)))),
        (Native::Pct, [Dec(d)]) => Ok(Value::text(format_pct(*d))),
        (Native::Num, [Int(i)]) => Ok(Value::text(i.to_string())),
        (Native::Num, [Dec(d)]) => Ok(Value::text(d.normalize().to_string())),
        (Native::Join, [Array(items), Text(sep)]) => {
            let parts: Vec<String> = items
                .iter()
                .map(|x| super::value::to_dynamic(x).to_string())
                .collect();
            Ok(Value::text(parts.join(sep)))
        }
        (Native::Position, [Array(items), Text(t)]) => Ok(Int(items
            .iter()
            .position(|x| matches!(x, Text(s) if s == t))
            .map_or(-1, |i| i as i64))),
        (Native::Contains, [Array(items), Text(t)]) => {
            Ok(Bool(items.iter().any(|x| matches!(x, Text(s) if s == t))))
        }
        (Native::Contains, [Array(items), v]) => {
            let v = v.clone();
            for x in items.iter() {
                if compare(Op::Eq, x, &v, pos)? {
                    return Ok(Bool(true));
                }
            }
            Ok(Bool(false))
        }
        (Native::Contains, [Map(m), Text(k)]) => Ok(Bool(m.contains_key(k))),
        (Native::Contains, [Frozen(f), Text(k)]) => Ok(Bool(f.get(k).is_some())),
        (Native::Contains, [Text(s), Text(t)]) => Ok(Bool(s.contains(&**t))),
        (Native::Len, [Array(a)]) => Ok(Int(a.len() as i64)),
        (Native::Len, [Map(m)]) => Ok(Int(m.len() as i64)),
        (Native::Len, [Frozen(f)]) => Ok(Int(f.vals.len() as i64)),
        (Native::Len, [Text(s)]) => Ok(Int(s.chars().count() as i64)),
        (Native::IsEmpty, [Array(a)]) => Ok(Bool(a.is_empty())),
        (Native::IsEmpty, [Map(m)]) => Ok(Bool(m.is_empty())),
        (Native::IsEmpty, [Text(s)]) => Ok(Bool(s.is_empty())),
        (Native::Push, [Array(a), v]) => {
            let v = std::mem::take(v);
            Arc::make_mut(a).push(v);
            let whole = Array(a.clone());
            cx.check_size(&whole, pos)?;
            Ok(Unit)
        }
        (Native::Filter, [Array(a), f @ Fn(_)]) => {
            let (a, f) = (a.clone(), f.clone());
            let mut out = Vec::new();
            for (i, x) in a.iter().enumerate() {
                if truthy(&cx.call_item(&f, x, i, pos)?) {
                    out.push(x.clone());
                }
            }
            Ok(Value::array(out))
        }
        (Native::MapFn, [Array(a), f @ Fn(_)]) => {
            let (a, f) = (a.clone(), f.clone());
            let mut out = Vec::with_capacity(a.len());
            for (i, x) in a.iter().enumerate() {
                out.push(cx.call_item(&f, x, i, pos)?);
            }
            Ok(Value::array(out))
        }
        (Native::Some, [Array(a), f @ Fn(_)]) => {
            let (a, f) = (a.clone(), f.clone());
            for (i, x) in a.iter().enumerate() {
                if truthy(&cx.call_item(&f, x, i, pos)?) {
                    return Ok(Bool(true));
                }
            }
            Ok(Bool(false))
        }
        (Native::All, [Array(a), f @ Fn(_)]) => {
            let (a, f) = (a.clone(), f.clone());
            for (i, x) in a.iter().enumerate() {
                if !truthy(&cx.call_item(&f, x, i, pos)?) {
                    return Ok(Bool(false));
                }
            }
            Ok(Bool(true))
        }
        (Native::Sort, [Array(a), f @ Fn(_)]) => {
            let f = f.clone();
            let items: Vec<Value> = a.iter().cloned().collect();
            // rhai's sort: a failing or non-number comparison is "equal" for
            // values of one type; for values of two types it orders by Rust
            // type ids, which compiled code leaves to the interpreter.
            let mut unsure = false;
            let sorted = merge_sort(items, &mut |x, y| match cx.call_closure(
                &f,
                vec![x.clone(), y.clone()],
                pos,
            ) {
                Ok(Int(v)) => v.cmp(&0),
                Ok(Bool(b)) => {
                    if b {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    }
                }
                Err(super::run::Flow::Fail(e))
                    if matches!(e.kind, super::run::FailKind::Interpret) =>
                {
                    unsure = true;
                    Ordering::Equal
                }
                _ => {
                    if std::mem::discriminant(x) != std::mem::discriminant(y) {
                        unsure = true;
                    }
                    Ordering::Equal
                }
            });
            if unsure {
                return interpret(pos);
            }
            *a = Arc::new(super::value::Counted::new(sorted));
            cx.tick(pos)?;
            Ok(Unit)
        }
        (Native::Extract, [Array(a), Int(start)]) => {
            let len = a.len() as i64;
            let s = if *start < 0 {
                (len + *start).max(0)
            } else {
                *start
            };
            if s >= len {
                return Ok(Value::array(Vec::new()));
            }
            Ok(Value::array(a[s as usize..].to_vec()))
        }
        (Native::Extract, [Array(a), Int(start), Int(n)]) => {
            let len = a.len() as i64;
            let s = if *start < 0 {
                (len + *start).max(0)
            } else {
                *start
            };
            if s >= len || *n <= 0 {
                return Ok(Value::array(Vec::new()));
            }
            let end = (s.saturating_add(*n)).min(len);
            Ok(Value::array(a[s as usize..end as usize].to_vec()))
        }
        (Native::Floor, [Dec(d)]) => Ok(Dec(d.floor())),
        (Native::Ceiling, [Dec(d)]) => Ok(Dec(d.ceil())),
        (Native::Abs, [Dec(d)]) => Ok(Dec(d.abs())),
        (Native::Abs, [Int(i)]) => match i.checked_abs() {
            Option::Some(v) => Ok(Int(v)),
            None => script(format!("Negation overflow: -{i}"), pos),
        },
        (Native::ToInt, [Int(i)]) => Ok(Int(*i)),
        (Native::ToInt, [Dec(d)]) => match d.to_i64() {
            Option::Some(v) => Ok(Int(v)),
            None => script(format!("Integer overflow: to_int({d})"), pos),
        },
        (Native::ToDecimal, [Int(i)]) => Ok(Dec(Decimal::from(*i))),
        (Native::ToDecimal, [Dec(d)]) => Ok(Dec(*d)),
        (Native::AddDays, [Date(d), Int(n)]) => {
            let moved = chrono::TimeDelta::try_days(*n).and_then(|t| d.checked_add_signed(t));
            in_calendar(*d, moved, pos)
        }
        (Native::AddMonths, [Date(d), Int(n)]) => {
            let Ok(months) = u32::try_from(n.unsigned_abs()) else {
                return out_of_range(*d, pos);
            };
            let moved = if *n >= 0 {
                d.checked_add_months(Months::new(months))
            } else {
                d.checked_sub_months(Months::new(months))
            };
            in_calendar(*d, moved, pos)
        }
        (Native::DaysInMonth, [Text(s)]) => match s.parse::<crate::model::Period>() {
            Ok(p) => Ok(Int(i64::from(p.days()))),
            Err(_) => runtime(format!("not a month YYYY-MM: {:?}", &**s), pos),
        },
        (Native::Date, [Text(s)]) => match crate::model::parse_date(s) {
            Option::Some(d) => Ok(Date(d)),
            None => runtime(format!("not a date YYYY-MM-DD: {:?}", &**s), pos),
        },
        (Native::Keys, [Map(m)]) => Ok(Value::array(m.keys().map(|k| Text(k.clone())).collect())),
        (Native::Keys, [Frozen(f)]) => Ok(Value::array(
            f.keys.iter().map(|k| Text(k.clone())).collect(),
        )),
        (Native::TypeOf, [v]) => Ok(Value::text(v.type_name())),
        (Native::ToString, [v]) => match to_text(v) {
            Option::Some(t) => Ok(Value::text(t)),
            None => interpret(pos),
        },
        (Native::Pad, [Array(a), Int(len), item]) => {
            if *len <= 0 {
                return Ok(Unit);
            }
            let len = usize::try_from(*len).unwrap_or(usize::MAX);
            let max = cx.prog.limits.max_array_size;
            if max > 0 && len > max {
                return super::run::fail(
                    super::run::FailKind::Limit("Size of array too large".into()),
                    pos,
                );
            }
            if len > a.len() {
                let item = item.clone();
                Arc::make_mut(a).edit(|a| a.resize(len, item));
            }
            Ok(Unit)
        }
        (Native::Pad, [Text(s), Int(len), Text(padding)]) => {
            if *len <= 0 || padding.is_empty() {
                return Ok(Unit);
            }
            let len = usize::try_from(*len).unwrap_or(usize::MAX);
            let max = cx.prog.limits.max_string_size;
            if max > 0 && len > max {
                return super::run::fail(
                    super::run::FailKind::Limit("Length of string too large".into()),
                    pos,
                );
            }
            let mut count = s.chars().count();
            if len > count {
                let mut out = s.to_string();
                let plen = padding.chars().count();
                while count < len {
                    if count + plen <= len {
                        out.push_str(padding);
                        count += plen;
                    } else {
                        out.extend(padding.chars().take(len - count));
                        count = len;
                    }
                }
                let v = Value::text(out);
                cx.check_size(&v, pos)?;
                *s = match v {
                    Text(t) => t,
                    _ => s.clone(),
                };
            }
            Ok(Unit)
        }
        // The sandbox's own refusals (`policy/sandbox/mod.rs`).
        (Native::Tan, [Dec(x)]) => match rust_decimal::MathematicalOps::checked_tan(x) {
            Option::Some(v) => Ok(Dec(v)),
            None => runtime(
                format!("tan({x}) is too large: the angle is at a pole"),
                pos,
            ),
        },
        (Native::Sleep, [Int(_)]) => runtime("sleep is not available to policies", pos),
        (Native::Exit, [] | [_]) => runtime("exit is not available to policies", pos),
        (_, args) => wrong(args),
    }
}

/// How `filter`, `some` and `all` read a closure's answer: `true`, or false
/// for anything else (rhai's `as_bool().unwrap_or(false)`).
fn truthy(v: &Value) -> bool {
    matches!(v, Value::Bool(true))
}

/// A stable merge sort that never panics, whatever the comparer answers.
fn merge_sort(items: Vec<Value>, cmp: &mut dyn FnMut(&Value, &Value) -> Ordering) -> Vec<Value> {
    if items.len() <= 1 {
        return items;
    }
    let mut items = items;
    let right = items.split_off(items.len() / 2);
    let left = merge_sort(items, cmp);
    let right = merge_sort(right, cmp);
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut l = left.into_iter().peekable();
    let mut r = right.into_iter().peekable();
    loop {
        match (l.peek(), r.peek()) {
            (Option::Some(a), Option::Some(b)) => {
                if cmp(a, b) == Ordering::Greater {
                    out.extend(r.next());
                } else {
                    out.extend(l.next());
                }
            }
            (Option::Some(_), None) => out.extend(l.next()),
            (None, Option::Some(_)) => out.extend(r.next()),
            (None, None) => break,
        }
    }
    out
}

fn out_of_range<T>(d: NaiveDate, pos: Pos) -> R<T> {
    runtime(
        format!("date arithmetic on {d} left the calendar (years 1-9999)"),
        pos,
    )
}

fn in_calendar(from: NaiveDate, moved: Option<NaiveDate>, pos: Pos) -> R<Value> {
    match moved {
        Option::Some(d) if (1..=9999).contains(&d.year()) => Ok(Value::Date(d)),
        _ => out_of_range(from, pos),
    }
}

/// A date's `year`, `month` and `day` properties.
pub(crate) fn date_part(d: &NaiveDate, name: &str) -> Option<Value> {
    Some(Value::Int(match name {
        "year" => i64::from(d.year()),
        "month" => i64::from(d.month()),
        "day" => i64::from(d.day()),
        _ => return None,
    }))
}

impl Ctx<'_> {
    /// Calls a closure on an array item as `filter`/`map` do: with the item,
    /// and its index when the closure takes two parameters.
    fn call_item(&mut self, f: &Value, x: &Value, i: usize, pos: Pos) -> R<Value> {
        let Value::Fn(c) = f else {
            return script("Data type incorrect (expecting Fn)", pos);
        };
        let want = self.prog.funcs.get(c.func).map_or(0, |f| f.nparams);
        let mut args = self.list();
        args.push(x.clone());
        if want == c.captured.len() + 2 {
            args.push(Value::Int(i as i64));
        }
        self.call_closure(f, args, pos)
    }
}
