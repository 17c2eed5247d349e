//! Build-script support: writes a Rust file listing the bundled policy's
//! files (`rules/**/*.rhai`, without `rules/tests/`) as `(name, include_str!)`
//! pairs. Shared by the builds that cannot read `rules/` at run time (the
//! WebAssembly binding, the fuzz targets) so a file added to `rules/` reaches
//! them all without a hand-kept list. Included with `#[path]` by each build.rs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let rel = path.strip_prefix(root).unwrap_or(&path);
        if path.is_dir() {
            // A policy's own test cases are not part of it (rules/CONTRACT.md).
            if rel != Path::new("tests") {
                collect(root, &path, out)?;
            }
        } else if path.extension().is_some_and(|e| e == "rhai") {
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((name, path));
        }
    }
    Ok(())
}

/// Writes `OUT_DIR/<file>` declaring `<visibility> const DEFAULT_POLICY:
/// &[(&str, &str)]` from the `rules/` directory at `rules`, and asks cargo to
/// rerun the build when it changes.
pub fn write(rules: &Path, file: &str, visibility: &str) -> Result<(), Box<dyn std::error::Error>> {
    let rules = rules.canonicalize()?;
    println!("cargo:rerun-if-changed={}", rules.display());
    let mut files = Vec::new();
    collect(&rules, &rules, &mut files)?;
    files.sort();
    let mut code =
        String::from("/// The bundled policy's files: name relative to `rules/`, text.\n");
    writeln!(
        code,
        "{visibility} const DEFAULT_POLICY: &[(&str, &str)] = &["
    )?;
    for (name, path) in &files {
        writeln!(code, "    ({name:?}, include_str!({:?})),", path.display())?;
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join(file), code)?;
    Ok(())
}
