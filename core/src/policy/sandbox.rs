//! The Rhai engine every policy runs in: limits, what is taken away, and what is added.
//!
//! Policies are written by CRM administrators, so the engine is built from
//! `Engine::new_raw()` with only the packages rules need, and then:
//! - **bounded**: operations, call depth, expression depth and value sizes are
//!   capped by [`Limits`]; hitting one is a rule error for that record;
//! - **closed**: no `eval`, `print`, `debug`, `import` (the `no_module` build),
//!   clock (`no_time`), `sleep` or `exit`;
//! - **strict**: a misspelt property, an undefined variable, or an ordering
//!   comparison between a number and a string/`()` is an error, not a silent
//!   `false` (see `TRAPS.md` §2);
//! - **extended** with a `date` type and formatting helpers for explanations.

use chrono::{Datelike, Months, NaiveDate};
use rhai::packages::{Package, StandardPackage};
use rhai::{Dynamic, Engine, EvalAltResult, ImmutableString, INT};
use rust_decimal::Decimal;

use super::Limits;

type Fallible<T> = Result<T, Box<EvalAltResult>>;

/// Functions kam provides that rule files may not redefine: a policy's own
/// `contains` would silently change every `x in list`.
pub(crate) const RESERVED_FUNCTIONS: &[&str] = &[
    "note",
    "money",
    "pct",
    "num",
    "join",
    "position",
    "contains",
    "date",
    "add_days",
    "add_months",
    "days_in_month",
    "index_of",
    "len",
    "keys",
    "to_string",
    "to_debug",
    "sleep",
    "exit",
    "type_of",
];

/// Builds the sandboxed engine for one policy.
pub(crate) fn engine(limits: &Limits) -> Engine {
    let mut engine = Engine::new_raw();
    // One module for the standard library keeps function lookup short (rhai
    // searches every global module on a cold call); `no_time` leaves the clock out.
    engine.register_global_module(StandardPackage::new().as_shared_module());

    engine
        .set_max_operations(limits.max_operations)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(limits.max_expr_depth.0, limits.max_expr_depth.1)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        // The interner is an engine-wide lock; with rayon it serialises threads.
        .set_max_strings_interned(0)
        .set_strict_variables(true)
        .set_fail_on_invalid_map_property(true)
        // Needed for the strict comparison overloads below to take effect.
        .set_fast_operators(false);

    for symbol in ["eval", "print", "debug"] {
        engine.disable_symbol(symbol);
    }
    engine.on_print(|_| {}).on_debug(|_, _, _| {});
    deadline::install(&mut engine);
    engine.register_fn("sleep", |_: INT| -> Fallible<()> {
        Err("sleep is not available to policies".into())
    });
    engine.register_fn("exit", || -> Fallible<()> {
        Err("exit is not available to policies".into())
    });
    engine.register_fn("exit", |_: Dynamic| -> Fallible<()> {
        Err("exit is not available to policies".into())
    });

    register_strict_comparisons(&mut engine);
    // rhai's `tan` calls rust_decimal's, which panics ("Tan overflowed") at the
    // poles of the tangent (`tan(1.5707963267948966192313216916)`); this one,
    // registered on the engine, is found first and makes that a rule error.
    engine.register_fn("tan", |x: Decimal| -> Fallible<Decimal> {
        rust_decimal::MathematicalOps::checked_tan(&x)
            .ok_or_else(|| format!("tan({x}) is too large: the angle is at a pole").into())
    });
    register_date(&mut engine);
    register_formatting(&mut engine);
    register_frozen_map(&mut engine);
    register_fields(&mut engine, crate::model::customer::FIELDS.iter().copied());
    register_fields(
        &mut engine,
        crate::model::staff::FIELDS
            .iter()
            .copied()
            .filter(|f| !crate::model::customer::FIELDS.contains(f)),
    );
    engine
}

/// Registers a property getter for each field name: `c.annual_revenue` then
/// resolves straight to a getter (about 2× faster than the indexer fallback).
/// The getter serves every `FrozenMap` and fails for a map lacking the field.
pub(crate) fn register_fields<'a>(engine: &mut Engine, names: impl Iterator<Item = &'a str>) {
    for name in names {
        let key: ImmutableString = name.into();
        engine.register_get(name, move |m: &mut FrozenMap| -> Fallible<Dynamic> {
            m.0.get(key.as_str())
                .cloned()
                .ok_or_else(|| missing_field(&key))
        });
        // rhai writes a property back through its setter after any method call
        // on it (`p.tiers.position(t)`) and after `c.attributes.x = 1`. An
        // unchanged value is accepted; a changed one is refused. Setters match
        // the value's exact type, so one per value type.
        macro_rules! refuse_writes {
            ($($t:ty),+) => {$(
                let key: ImmutableString = name.into();
                engine.register_set(name, move |m: &mut FrozenMap, v: $t| -> Fallible<()> {
                    match m.0.get(key.as_str()) {
                        Some(current) if same(current, &Dynamic::from(v)) => Ok(()),
                        _ => Err(format!(
                            "`{key}` is read-only: rules cannot change the record or the parameters"
                        )
                        .into()),
                    }
                });
            )+};
        }
        refuse_writes!(
            rhai::Map,
            rhai::Array,
            INT,
            Decimal,
            bool,
            ImmutableString,
            NaiveDate,
            ()
        );
    }
}

/// Structural equality for the values a record or the parameters hold.
fn same(a: &Dynamic, b: &Dynamic) -> bool {
    if a.type_id() != b.type_id() {
        return false;
    }
    if a.is_unit() {
        return true;
    }
    macro_rules! eq_as {
        ($($t:ty),+) => {$(
            if let (Some(x), Some(y)) = (a.read_lock::<$t>(), b.read_lock::<$t>()) {
                return *x == *y;
            }
        )+};
    }
    eq_as!(bool, INT, Decimal, ImmutableString, NaiveDate);
    if let (Some(x), Some(y)) = (a.read_lock::<rhai::Array>(), b.read_lock::<rhai::Array>()) {
        return x.len() == y.len() && x.iter().zip(y.iter()).all(|(x, y)| same(x, y));
    }
    if let (Some(x), Some(y)) = (a.read_lock::<rhai::Map>(), b.read_lock::<rhai::Map>()) {
        return x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)));
    }
    false
}

fn missing_field(key: &str) -> Box<EvalAltResult> {
    format!("no field `{key}` (fields are read-only and fixed)").into()
}

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

fn register_frozen_map(engine: &mut Engine) {
    engine
        .register_type_with_name::<FrozenMap>("frozen map")
        .register_indexer_get(|m: &mut FrozenMap, key: &str| -> Fallible<Dynamic> {
            m.0.get(key)
                .cloned()
                .ok_or_else(|| format!("no field `{key}` (fields are read-only and fixed)").into())
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

/// The per-evaluation wall-clock limit: the deadline lives in a thread-local,
/// set around each evaluation by [`deadline::run`], read by `on_progress`.
pub(crate) mod deadline {
    use rhai::{Dynamic, Engine};
    // WebAssembly has no std clock; web-time reads `performance.now()` there
    // (browser, worker, Node) and is `std::time::Instant` everywhere else.
    use web_time::Instant;

    std::thread_local! {
        static DEADLINE: std::cell::Cell<Option<(Instant, std::time::Duration)>> =
            const { std::cell::Cell::new(None) };
    }

    /// The message a timed-out evaluation reports.
    pub(crate) const TIMED_OUT: &str = "time limit";

    pub(super) fn install(engine: &mut Engine) {
        engine.on_progress(|ops| {
            if ops % 1024 != 0 {
                return None;
            }
            let (start, budget) = DEADLINE.with(|d| d.get())?;
            (start.elapsed() > budget).then(|| Dynamic::from(TIMED_OUT))
        });
    }

    /// Runs `f` with the deadline `budget` from now (none when `None`).
    pub(crate) fn run<R>(budget: Option<std::time::Duration>, f: impl FnOnce() -> R) -> R {
        let previous = DEADLINE.with(|d| d.replace(budget.map(|b| (Instant::now(), b))));
        let result = f();
        DEADLINE.with(|d| d.set(previous));
        result
    }
}

/// Makes `amount > "1000"` or `() >= 1` an error instead of a silent `false`.
fn register_strict_comparisons(engine: &mut Engine) {
    macro_rules! refuse {
        ($engine:ident, $a:ty, $b:ty, $an:literal, $bn:literal, [$($op:literal),+]) => {
            $(
                $engine.register_fn($op, |_: $a, _: $b| -> Fallible<bool> {
                    Err(format!("cannot compare {} with {} using {}", $an, $bn, $op).into())
                });
                $engine.register_fn($op, |_: $b, _: $a| -> Fallible<bool> {
                    Err(format!("cannot compare {} with {} using {}", $bn, $an, $op).into())
                });
            )+
        };
    }
    refuse!(
        engine,
        Decimal,
        ImmutableString,
        "a number",
        "a string",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        INT,
        ImmutableString,
        "a number",
        "a string",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        Decimal,
        (),
        "a number",
        "() (a missing value)",
        ["<", "<=", ">", ">="]
    );
    refuse!(
        engine,
        INT,
        (),
        "a number",
        "() (a missing value)",
        ["<", "<=", ">", ">="]
    );
    refuse!(
        engine,
        NaiveDate,
        (),
        "a date",
        "() (a missing value)",
        ["<", "<=", ">", ">="]
    );
    refuse!(
        engine,
        NaiveDate,
        ImmutableString,
        "a date",
        "a string",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        NaiveDate,
        INT,
        "a date",
        "a number",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        bool,
        INT,
        "a bool",
        "a number",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        bool,
        Decimal,
        "a bool",
        "a number",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        bool,
        ImmutableString,
        "a bool",
        "a string",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        NaiveDate,
        Decimal,
        "a date",
        "a number",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        NaiveDate,
        bool,
        "a date",
        "a bool",
        ["<", "<=", ">", ">=", "==", "!="]
    );
    refuse!(
        engine,
        ImmutableString,
        (),
        "a string",
        "() (a missing value)",
        ["<", "<=", ">", ">="]
    );
    refuse!(
        engine,
        bool,
        (),
        "a bool",
        "() (a missing value)",
        ["<", "<=", ">", ">="]
    );
}

/// The `date` type: `as_of`, record dates and result dates are all `date`s.
fn register_date(engine: &mut Engine) {
    engine
        .register_type_with_name::<NaiveDate>("date")
        .register_fn("date", |s: &str| -> Fallible<NaiveDate> {
            crate::model::parse_date(s)
                .ok_or_else(|| format!("not a date YYYY-MM-DD: {s:?}").into())
        })
        .register_fn("add_days", |d: NaiveDate, n: INT| -> Fallible<NaiveDate> {
            // try_days: TimeDelta::days panics beyond ±2^63 ms.
            let moved = chrono::TimeDelta::try_days(n).and_then(|t| d.checked_add_signed(t));
            in_calendar(d, moved)
        })
        .register_fn(
            "add_months",
            |d: NaiveDate, n: INT| -> Fallible<NaiveDate> {
                // chrono clamps to the month's last day: 2026-08-31 + 6 months = 2027-02-28.
                let months = u32::try_from(n.unsigned_abs()).map_err(|_| out_of_range(d))?;
                let moved = if n >= 0 {
                    d.checked_add_months(Months::new(months))
                } else {
                    d.checked_sub_months(Months::new(months))
                };
                in_calendar(d, moved)
            },
        )
        .register_fn("days_in_month", |period: &str| -> Fallible<INT> {
            period
                .parse::<crate::model::Period>()
                .map(|p| INT::from(p.days()))
                .map_err(|_| format!("not a month YYYY-MM: {period:?}").into())
        })
        .register_fn("-", |a: NaiveDate, b: NaiveDate| -> INT {
            (a - b).num_days()
        })
        .register_get("year", |d: &mut NaiveDate| -> INT { INT::from(d.year()) })
        .register_get("month", |d: &mut NaiveDate| -> INT { INT::from(d.month()) })
        .register_get("day", |d: &mut NaiveDate| -> INT { INT::from(d.day()) })
        .register_fn("to_string", |d: &mut NaiveDate| d.to_string())
        .register_fn("to_debug", |d: &mut NaiveDate| d.to_string())
        .register_fn("==", |a: NaiveDate, b: NaiveDate| a == b)
        .register_fn("!=", |a: NaiveDate, b: NaiveDate| a != b)
        .register_fn("<", |a: NaiveDate, b: NaiveDate| a < b)
        .register_fn("<=", |a: NaiveDate, b: NaiveDate| a <= b)
        .register_fn(">", |a: NaiveDate, b: NaiveDate| a > b)
        .register_fn(">=", |a: NaiveDate, b: NaiveDate| a >= b);
}

fn out_of_range(d: NaiveDate) -> Box<EvalAltResult> {
    format!("date arithmetic on {d} left the calendar (years 1-9999)").into()
}

/// Keeps results within years 1-9999, so every date kam writes reads back as `YYYY-MM-DD`.
fn in_calendar(from: NaiveDate, moved: Option<NaiveDate>) -> Fallible<NaiveDate> {
    match moved {
        Some(d) if (1..=9999).contains(&d.year()) => Ok(d),
        _ => Err(out_of_range(from)),
    }
}

/// Helpers for explanations: `money(x)`, `pct(x)`, `list.join(sep)`,
/// `list.position(text)` and `why.note(rule, message)`.
fn register_formatting(engine: &mut Engine) {
    engine
        .register_fn("money", |x: Decimal| format_money(x))
        .register_fn("money", |x: INT| format_money(Decimal::from(x)))
        .register_fn("pct", |x: Decimal| format_pct(x))
        .register_fn("pct", |x: INT| format_pct(Decimal::from(x)))
        .register_fn("num", |x: Decimal| x.normalize().to_string())
        .register_fn("num", |x: INT| x.to_string())
        // `index_of` with a string argument looks for a *function* of that name
        // first (rhai's deprecated overload); `position` only compares values.
        .register_fn("position", |items: &mut rhai::Array, value: &str| -> INT {
            items
                .iter()
                .position(|x| {
                    x.read_lock::<ImmutableString>()
                        .is_some_and(|s| s.as_str() == value)
                })
                .map_or(-1, |i| i as INT)
        })
        // `text in list` without a scripted `==` call per item.
        .register_fn(
            "contains",
            |items: &mut rhai::Array, value: ImmutableString| -> bool {
                items.iter().any(|x| {
                    x.read_lock::<ImmutableString>()
                        .is_some_and(|s| *s == value)
                })
            },
        )
        // Explanations: `why.note(rule, message)` appends one reason.
        .register_fn(
            "note",
            |why: &mut rhai::Array, rule: ImmutableString, message: ImmutableString| {
                let mut reason = rhai::Map::new();
                reason.insert("rule".into(), Dynamic::from(rule));
                reason.insert("message".into(), Dynamic::from(message));
                why.push(Dynamic::from_map(reason));
            },
        )
        .register_fn("join", |items: rhai::Array, sep: &str| {
            items
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(sep)
        });
}

/// `2999999.99` → `2,999,999.99`; `3000000.00` → `3,000,000`; `0.5` → `0.50`.
pub fn format_money(x: Decimal) -> String {
    let x = x.normalize();
    let text = if x.scale() == 1 {
        format!("{x:.2}")
    } else {
        x.to_string()
    };
    let (sign, digits) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |d| ("-", d));
    let (int, frac) = digits
        .split_once('.')
        .map_or((digits, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::with_capacity(text.len() + int.len() / 3);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// `0.93` → `93%`; `0.950001` → `95.0001%`; `1.0333…` → `103.3333%`
/// (at most 4 decimals of a percent: for reading, never for deciding).
pub fn format_pct(x: Decimal) -> String {
    match x.checked_mul(Decimal::ONE_HUNDRED) {
        Some(p) => format!("{}%", p.round_dp(4).normalize()),
        None => format!("{x} (as a fraction)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn money_reads_like_a_ledger() {
        assert_eq!(format_money(d("2999999.99")), "2,999,999.99");
        assert_eq!(format_money(d("3000000.00")), "3,000,000");
        assert_eq!(format_money(d("1250000.5")), "1,250,000.50");
        assert_eq!(format_money(d("999")), "999");
        assert_eq!(format_money(d("-1000")), "-1,000");
    }

    #[test]
    fn pct_is_exact() {
        assert_eq!(format_pct(d("0.93")), "93%");
        assert_eq!(format_pct(d("1.15")), "115%");
        assert_eq!(format_pct(d("0.950001")), "95.0001%");
        assert_eq!(format_pct(d("1.0333333333333333333333333333")), "103.3333%");
    }

    #[test]
    fn sandbox_refuses_host_access_and_silent_mismatches() {
        let e = engine(&Limits::default());
        for (src, needle) in [
            ("eval(\"1\")", "eval"),
            ("print(1)", "print"),
            ("sleep(1)", "sleep"),
            ("timestamp()", "timestamp"),
            ("\"5\" == 5", "compare"),
            ("() > 1", "compare"),
            ("2999999.99 >= \"3000000\"", "compare"),
            ("let m = #{a: 1}; m.b", "b"),
            ("loop {}", "operations"),
            ("fn f(n) { f(n + 1) } f(0)", "stack"),
            ("let s = \"x\"; loop { s += s; }", "string"),
        ] {
            let err = e
                .eval::<Dynamic>(src)
                .err()
                .unwrap_or_else(|| panic!("{src} should fail"))
                .to_string();
            assert!(err.to_lowercase().contains(needle), "{src}: {err}");
        }
    }

    #[test]
    fn decimals_are_exact_and_mix_with_integers() {
        let e = engine(&Limits::default());
        let steps: INT = e
            .eval("let r = 1.15; let n = 0; while r >= 1.05 { r -= 0.05; n += 1; } n")
            .unwrap();
        assert_eq!(steps, 3);
        assert!(e.eval::<bool>("3000000 >= 2999999.99").unwrap());
        assert!(!e.eval::<bool>("2999999.99 >= 3000000").unwrap());
    }

    #[test]
    fn dates_move_and_compare() {
        let e = engine(&Limits::default());
        let r: String = e
            .eval("let d = date(\"2026-08-31\"); `${d.add_months(6)} ${d.add_days(5) - d}`")
            .unwrap();
        assert_eq!(r, "2027-02-28 5");
        assert!(e
            .eval::<bool>("date(\"2025-11-01\") < date(\"2026-11-01\")")
            .unwrap());
    }
}
