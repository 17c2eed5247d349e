//! Sample data for the benchmarks: a `data/` file cycled to `n` records with
//! distinct ids. Shared by the customer and staff benches.

use std::path::PathBuf;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn records<T: Clone>(
    file: &str,
    n: usize,
    parse: impl Fn(&serde_json::Value) -> T,
    set_id: impl Fn(&mut T, String),
) -> Vec<T> {
    let text = std::fs::read_to_string(root().join("data").join(file)).expect("sample data");
    let samples: Vec<T> = text
        .lines()
        .map(|l| parse(&serde_json::from_str(l).expect("json")))
        .collect();
    (0..n)
        .map(|i| {
            let mut r = samples[i % samples.len()].clone();
            set_id(&mut r, format!("B-{i}"));
            r
        })
        .collect()
}
