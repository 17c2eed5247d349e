//! Documentation derived from the declarations: the field tables of
//! `rules/CONTRACT.md` and the TypeScript types of the WebAssembly package.
//! Tests compare both files with what these functions render, so neither can
//! drift from the declarations.

use super::shape::{Declared, Missing, Shape, Source, Ty};
use super::{CustomerRecord, CustomerResult, StaffPeriodResult, StaffRecord, StaffResult};

/// The record shapes, in the contract's order.
pub fn records() -> [&'static Shape; 2] {
    [CustomerRecord::shape(), StaffRecord::shape()]
}

/// The result shapes, in the contract's order.
pub fn results() -> [&'static Shape; 3] {
    [
        CustomerResult::shape(),
        StaffResult::shape(),
        StaffPeriodResult::shape(),
    ]
}

/// Every shape reachable from `roots`, each once, parents before children.
fn reachable(roots: &[&'static Shape]) -> Vec<&'static Shape> {
    fn visit(ty: &Ty, out: &mut Vec<&'static Shape>) {
        match ty {
            Ty::Record(s) if !out.iter().any(|x| std::ptr::eq(*x, *s)) => {
                out.push(s);
                for f in &s.fields {
                    visit(&f.ty, out);
                }
            }
            Ty::Optional(t) | Ty::List(t) | Ty::Map(t) => visit(t, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for s in roots {
        visit(&Ty::Record(s), &mut out);
    }
    out
}

/// The Markdown field table of a record (`field | type | default | meaning`),
/// nested records' fields as dotted names (`ratings.teamwork`, `incidents[].date`).
pub fn record_table(shape: &Shape) -> String {
    let mut out = String::from("| field | type | default | meaning |\n|---|---|---|---|\n");
    record_rows(shape, "", &mut out);
    out
}

fn record_rows(shape: &Shape, prefix: &str, out: &mut String) {
    for f in &shape.fields {
        let name = format!("{prefix}{}", f.name);
        let Source::Input { accepts, missing } = &f.source else {
            continue;
        };
        let default = match missing {
            Missing::Required => "required",
            Missing::Null => "null",
            Missing::Default(d) => d,
        };
        out.push_str(&format!(
            "| `{name}` | {accepts} | {default} | {} |\n",
            f.doc
        ));
        match &f.ty {
            Ty::Record(inner) => record_rows(inner, &format!("{name}."), out),
            Ty::Optional(t) | Ty::List(t) => {
                if let Ty::Record(inner) = &**t {
                    let sep = if matches!(f.ty, Ty::List(_)) {
                        "[]."
                    } else {
                        "."
                    };
                    record_rows(inner, &format!("{name}{sep}"), out);
                }
            }
            _ => {}
        }
    }
}

/// The Markdown table of what a policy's function returns (`key | type | meaning`),
/// followed by the fields kam adds.
pub fn result_table(shape: &Shape) -> String {
    let mut out = String::from("| key | type | meaning |\n|---|---|---|\n");
    for f in shape.rule_fields() {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            f.name,
            rhai_type(&f.ty),
            f.doc
        ));
    }
    let core: Vec<String> = shape
        .fields
        .iter()
        .filter(|f| f.source == Source::Core)
        .map(|f| format!("`{}`", f.name))
        .collect();
    if !core.is_empty() {
        out.push_str(&format!("\nkam adds {}.\n", core.join(", ")));
    }
    out
}

/// A type in a policy author's words.
fn rhai_type(ty: &Ty) -> String {
    match ty {
        Ty::Text => "string".into(),
        Ty::Choice(names) => names
            .iter()
            .map(|n| format!("`\"{n}\"`"))
            .collect::<Vec<_>>()
            .join(" or "),
        Ty::Month => "string `YYYY-MM`".into(),
        Ty::Decimal => "number".into(),
        Ty::Int => "int".into(),
        Ty::Bool => "bool".into(),
        Ty::Date => "`date`".into(),
        Ty::Optional(t) => format!("{} or `()`", rhai_type(t)),
        Ty::List(t) => format!("array of {}", rhai_type(t)),
        Ty::Record(s) => format!(
            "`#{{{}}}`",
            s.fields
                .iter()
                .map(|f| format!("{}: {}", f.name, rhai_type(&f.ty).replace('`', "")))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Ty::Json => "map".into(),
        Ty::Fact => "text, number, `date`, bool, `()` or an array of them".into(),
        Ty::Map(t) => format!("map of name → {}", rhai_type(t)),
    }
}

/// The TypeScript interfaces of every result (and the records inside them),
/// as `bindings-wasm/kam_types.d.ts` holds them. Decimals are `DecimalString`:
/// exact text, since a JS number would round them.
pub fn typescript() -> String {
    let mut out = String::from(
        "// Generated from kam's declarations (kam::model::docs::typescript); \
         a test fails if this file differs.\n\n\
         /** An exact decimal as text (\"2999999.99\"): JS numbers would round it. */\n\
         export type DecimalString = string;\n\n\
         /** A fact of a reason: text (a date is `YYYY-MM-DD`), a number (a decimal is exact text), true/false, null or a list. */\n\
         export type Fact = string | number | boolean | null | Fact[];\n",
    );
    for shape in reachable(&results()) {
        out.push_str(&format!("\nexport interface {} {{\n", shape.name));
        for f in &shape.fields {
            if !f.doc.is_empty() {
                out.push_str(&format!("  /** {} */\n", f.doc.replace("*/", "* /")));
            }
            out.push_str(&format!("  {}: {};\n", f.name, ts_type(&f.ty)));
        }
        out.push_str("}\n");
    }
    // The records as a caller writes them: required fields required, the
    // rest optional (null is missing); money as a number or exact text.
    for shape in reachable(&records()) {
        out.push_str(&format!("\nexport interface {} {{\n", shape.name));
        for f in &shape.fields {
            let Source::Input { accepts, missing } = &f.source else {
                continue;
            };
            let doc = format!("{} Accepts {accepts}.", f.doc);
            out.push_str(&format!("  /** {} */\n", doc.trim().replace("*/", "* /")));
            let ty = ts_input_type(&f.ty);
            match missing {
                Missing::Required => out.push_str(&format!("  {}: {ty};\n", f.name)),
                _ => out.push_str(&format!("  {}?: {ty} | null;\n", f.name)),
            }
        }
        out.push_str("}\n");
    }
    out
}

/// A record field's type as a caller may give it.
fn ts_input_type(ty: &Ty) -> String {
    match ty {
        Ty::Decimal => "DecimalString | number".into(),
        Ty::Optional(t) => ts_input_type(t),
        Ty::List(t) => match **t {
            Ty::Choice(_) | Ty::Decimal | Ty::Optional(_) => format!("({})[]", ts_input_type(t)),
            _ => format!("{}[]", ts_input_type(t)),
        },
        Ty::Map(t) => format!("Record<string, {}>", ts_input_type(t)),
        ty => ts_type(ty),
    }
}

fn ts_type(ty: &Ty) -> String {
    match ty {
        Ty::Text | Ty::Month | Ty::Date => "string".into(),
        Ty::Choice(names) => names
            .iter()
            .map(|n| format!("\"{n}\""))
            .collect::<Vec<_>>()
            .join(" | "),
        Ty::Decimal => "DecimalString".into(),
        Ty::Int => "number".into(),
        Ty::Bool => "boolean".into(),
        Ty::Optional(t) => format!("{} | null", ts_type(t)),
        Ty::List(t) => match **t {
            Ty::Choice(_) | Ty::Optional(_) => format!("({})[]", ts_type(t)),
            _ => format!("{}[]", ts_type(t)),
        },
        Ty::Record(s) => s.name.into(),
        Ty::Json => "Record<string, unknown>".into(),
        Ty::Fact => "Fact".into(),
        Ty::Map(t) => format!("Record<string, {}>", ts_type(t)),
    }
}
