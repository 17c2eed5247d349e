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
//!   `false` (rhai's default, so a typo or a wrong type would grade silently);
//! - **extended** with a `date` type and formatting helpers for explanations.
//!
//! One concept per file: this one builds the engine and registers the field
//! getters; [`frozen`] is the read-only map rules receive, [`deadline`] the
//! wall-clock limit, [`compare`] the strict comparisons, [`date`] the date
//! type and [`format`] the explanation helpers.

mod compare;
mod date;
pub(crate) mod deadline;
mod format;
mod frozen;

use chrono::NaiveDate;
use rhai::packages::{Package, StandardPackage};
use rhai::{Dynamic, Engine, EvalAltResult, ImmutableString, INT};
use rust_decimal::Decimal;

use super::Limits;
use crate::model::Declared;
use compare::same;
pub use format::{format_money, format_pct};
use frozen::missing_field;
pub(crate) use frozen::FrozenMap;

type Fallible<T> = Result<T, Box<EvalAltResult>>;

/// Functions kam provides that rule files may not redefine: a policy's own
/// `contains` would silently change every `x in list`.
pub(crate) const RESERVED_FUNCTIONS: &[&str] = &[
    "note",
    "adjust",
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

    compare::register(&mut engine);
    // rhai's `tan` calls rust_decimal's, which panics ("Tan overflowed") at the
    // poles of the tangent (`tan(1.5707963267948966192313216916)`); this one,
    // registered on the engine, is found first and makes that a rule error.
    engine.register_fn("tan", |x: Decimal| -> Fallible<Decimal> {
        rust_decimal::MathematicalOps::checked_tan(&x)
            .ok_or_else(|| format!("tan({x}) is too large: the angle is at a pole").into())
    });
    date::register(&mut engine);
    format::register(&mut engine);
    frozen::register(&mut engine);
    let customer = <crate::model::CustomerRecord as Declared>::FIELDS;
    let staff = <crate::model::StaffRecord as Declared>::FIELDS;
    register_fields(&mut engine, customer.iter().copied());
    register_fields(
        &mut engine,
        staff.iter().copied().filter(|f| !customer.contains(f)),
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
