//! Criterion benchmarks for staff: one staff-month (the whole scorecard with
//! its explanations) and a batch of 100,000 on 1 and 2 threads.
//!
//! Run: `cargo bench -p kam-core --bench staff`

use std::hint::black_box;

#[path = "support/samples.rs"]
mod samples;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kam::{Policy, StaffRecord};

fn records(n: usize) -> Vec<StaffRecord> {
    samples::records(
        "staff.jsonl",
        n,
        |v| StaffRecord::from_json(v).expect("valid"),
        |r, id| r.id = id,
    )
}

fn staff(c: &mut Criterion) {
    let policy = Policy::from_dir(samples::root().join("rules")).expect("bundled policy loads");
    let all = records(22);
    // Line 1: every item scored, department KPIs present.
    let one = all[0].clone();
    c.bench_function("staff/one (S-001 2026-07, all KPIs)", |b| {
        b.iter(|| policy.evaluate_staff(black_box(&one)))
    });
    let mut group = c.benchmark_group("staff/one sample");
    group.throughput(Throughput::Elements(all.len() as u64));
    group.bench_function("all 22 samples, serial", |b| {
        b.iter(|| {
            all.iter()
                .filter(|r| policy.evaluate_staff(black_box(r)).is_ok())
                .count()
        })
    });
    group.finish();

    let batch = records(100_000);
    let mut group = c.benchmark_group("staff/batch 100k");
    group.sample_size(10);
    group.throughput(Throughput::Elements(batch.len() as u64));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        group.bench_function(format!("{threads} thread(s)"), |b| {
            b.iter(|| pool.install(|| policy.evaluate_staff_batch(black_box(&batch))))
        });
    }
    group.finish();
}

criterion_group!(benches, staff);
criterion_main!(benches);
