//! Arbitrary bytes as a JSON Lines record: parsing and evaluating never panic,
//! and every failure is a record (or rule) error.
//! The steps are `tests/fuzz_harness.rs`, which `tests/fuzz_replay.rs` replays.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;
#[allow(dead_code)] // the policy target's steps
#[path = "../../tests/fuzz_harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| {
    harness::record(common::default_policy(), data);
});
