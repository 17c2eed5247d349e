//! Embeds the bundled policy (`../rules/**/*.rhai`) so the fuzz binaries need
//! no files; generated, so a file added to `rules/` reaches them too.

#[path = "../tests/build/embed_policy.rs"]
mod embed_policy;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    embed_policy::write(
        &manifest.join("..").join("rules"),
        "default_policy.rs",
        "pub",
    )
}
