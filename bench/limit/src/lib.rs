//! The default policy of `rules/`, written by hand in Rust (placeholder).
