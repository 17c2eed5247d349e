//! Embeds the default policy (`../rules/**/*.rhai`) so that `defaultPolicySources()`
//! needs no server and no file system (`tests/build/embed_policy.rs`: generated
//! rather than listed by hand, so a file added to `rules/` is embedded).
//!
//! Also lists the shared vectors (`../tests/vectors/*.json`) for the wasm tests,
//! which have no file system either; only the tests include that list.

use std::fmt::Write as _;
use std::path::PathBuf;

#[path = "../tests/build/embed_policy.rs"]
mod embed_policy;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // WebAssembly keeps Rust's stack in linear memory, 1 MiB by default. The
    // deepest program the sandbox limits allow (10 nested calls, each around
    // a maximally nested expression) fits in release with little room (20
    // levels overflowed it, measured) and not at all in a debug build, where
    // an overflow corrupts memory instead of failing cleanly. 8 MiB holds
    // ~120 levels, beyond which V8's own stack ends first as a catchable
    // RangeError (measured in Node 20).
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        println!("cargo:rustc-link-arg=-zstack-size=8388608");
    }

    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    embed_policy::write(
        &manifest.join("..").join("rules"),
        "default_policy.rs",
        "pub(crate)",
    )?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);

    let vectors = manifest
        .join("..")
        .join("tests")
        .join("vectors")
        .canonicalize()?;
    println!("cargo:rerun-if-changed={}", vectors.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&vectors)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    let mut code = String::from("/// Every shared vector file: name, JSON text.\n");
    code.push_str("pub const VECTORS: &[(&str, &str)] = &[\n");
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        writeln!(code, "    ({name:?}, include_str!({:?})),", path.display())?;
    }
    code.push_str("];\n");
    std::fs::write(out.join("vectors.rs"), code)?;
    Ok(())
}
