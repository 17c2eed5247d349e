//! The documents derived from the record and result declarations must match
//! them: `rules/CONTRACT.md`'s field tables and the WebAssembly package's
//! TypeScript types. `KAM_BLESS=1 cargo test -p kam-tests --test declarations`
//! rewrites both from the declarations.

use std::path::{Path, PathBuf};

use kam::model::{docs, Declared};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn bless() -> bool {
    std::env::var_os("KAM_BLESS").is_some()
}

/// The text between `<!-- generated: NAME -->` and `<!-- end: NAME -->`.
fn section(doc: &str, name: &str) -> Option<(usize, usize)> {
    let open = format!("<!-- generated: {name} -->\n");
    let close = format!("<!-- end: {name} -->");
    let start = doc.find(&open)? + open.len();
    let end = start + doc[start..].find(&close)?;
    Some((start, end))
}

#[test]
fn contract_field_tables_are_the_declarations() {
    let path = root().join("rules/CONTRACT.md");
    let mut doc = std::fs::read_to_string(&path).expect("rules/CONTRACT.md");
    let sections = [
        (
            "customer record",
            docs::record_table(kam::CustomerRecord::shape()),
        ),
        (
            "staff record",
            docs::record_table(kam::StaffRecord::shape()),
        ),
        (
            "customer result",
            docs::result_table(kam::CustomerResult::shape()),
        ),
        (
            "staff result",
            docs::result_table(kam::StaffResult::shape()),
        ),
    ];
    let mut stale = Vec::new();
    for (name, want) in &sections {
        let (start, end) = section(&doc, name)
            .unwrap_or_else(|| panic!("CONTRACT.md has no `{name}` section markers"));
        if doc[start..end] != **want {
            stale.push(*name);
            doc.replace_range(start..end, want);
        }
    }
    if bless() {
        std::fs::write(&path, doc).expect("write CONTRACT.md");
        return;
    }
    assert!(
        stale.is_empty(),
        "CONTRACT.md's tables {stale:?} differ from the declarations; \
         KAM_BLESS=1 cargo test -p kam-tests --test declarations rewrites them"
    );
}

#[test]
fn typescript_types_are_the_declarations() {
    let path = root().join("bindings-wasm/kam_types.d.ts");
    let want = docs::typescript();
    if bless() {
        std::fs::write(&path, &want).expect("write kam_types.d.ts");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "bindings-wasm/kam_types.d.ts differs from the declarations; \
         KAM_BLESS=1 cargo test -p kam-tests --test declarations rewrites it"
    );
}

#[test]
fn every_record_field_is_documented_and_every_result_field_has_a_source() {
    for shape in docs::records().into_iter().chain(docs::results()) {
        for f in &shape.fields {
            assert!(!f.doc.is_empty(), "{}.{} has no doc", shape.name, f.name);
        }
    }
    // The table's rows are the declaration's fields, in order.
    let table = docs::record_table(kam::CustomerRecord::shape());
    let rows: Vec<&str> = table
        .lines()
        .skip(2)
        .filter_map(|l| l.split('`').nth(1))
        .filter(|n| !n.contains('.'))
        .collect();
    assert_eq!(rows, kam::CustomerRecord::FIELDS);
}
