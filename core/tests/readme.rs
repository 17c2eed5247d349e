//! The README's Rust example is `core/examples/embed.rs` word for word: cargo
//! compiles the example with the tests, and `tests/run-all.sh` runs it.

#[test]
fn the_readme_embedding_example_is_the_compiled_example() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let example = std::fs::read_to_string(root.join("core/examples/embed.rs")).unwrap();
    let section = readme
        .split("## Embedding the library")
        .nth(1)
        .expect("the README has an embedding section");
    let block = section
        .split("```rust\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the embedding section has a Rust block");
    assert_eq!(
        block, example,
        "README.md's Rust block differs from core/examples/embed.rs"
    );
}
