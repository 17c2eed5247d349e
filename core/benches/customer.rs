//! Criterion benchmarks: one customer, a batch of 100,000 (1 thread and all
//! threads), and compiling the default policy. Figures go to BENCHMARKS.md.
//!
//! Run: `cargo bench -p kam-core --bench customer`

use std::hint::black_box;

use chrono::NaiveDate;
#[path = "support/samples.rs"]
mod samples;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kam::{CustomerRecord, Policy};

fn policy() -> Policy {
    Policy::from_dir(samples::root().join("rules")).expect("bundled policy loads")
}

fn records(n: usize) -> Vec<CustomerRecord> {
    samples::records(
        "customers.jsonl",
        n,
        |v| CustomerRecord::from_json(v).expect("valid"),
        |r, id| r.id = id,
    )
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).expect("date")
}

fn one_customer(c: &mut Criterion) {
    let policy = policy();
    let all = records(36);
    // C-004: a previous-A customer with a late payment: the longest path
    // (downgrade, change, categories, visit) through the default policy.
    let record = all[3].clone();
    c.bench_function("customer/one (C-004, downgrade path)", |b| {
        b.iter(|| policy.evaluate_customer(black_box(&record), as_of()))
    });
    let mut group = c.benchmark_group("customer/one sample");
    group.throughput(Throughput::Elements(all.len() as u64));
    group.bench_function("all 36 samples, serial", |b| {
        b.iter(|| {
            all.iter()
                .filter(|r| policy.evaluate_customer(black_box(r), as_of()).is_ok())
                .count()
        })
    });
    group.finish();
}

fn batch(c: &mut Criterion) {
    let policy = policy();
    let records = records(100_000);
    let mut group = c.benchmark_group("customer/batch 100k");
    group.sample_size(10);
    group.throughput(Throughput::Elements(records.len() as u64));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        group.bench_function(format!("{threads} thread(s)"), |b| {
            b.iter(|| pool.install(|| policy.evaluate_customers(black_box(&records), as_of())))
        });
    }
    group.finish();
}

fn compile(c: &mut Criterion) {
    let sources = policy().sources().clone();
    c.bench_function("policy/compile default", |b| {
        b.iter(|| Policy::from_sources(black_box(sources.clone())).expect("compiles"))
    });
}

criterion_group!(benches, one_customer, batch, compile);
criterion_main!(benches);
