//! Arbitrary rule text (as `customer.rhai`) against an arbitrary record:
//! compiling and evaluating end in a result or an error, never a panic or a hang.
//! The steps are `tests/fuzz_harness.rs`, which `tests/fuzz_replay.rs` replays.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;
#[allow(dead_code)] // the record target's steps
#[path = "../../tests/fuzz_harness.rs"]
mod harness;

fuzz_target!(|data: &[u8]| {
    // The first line is the record; the rest is the rule file.
    harness::policy_text(common::default_policy().sources(), data);
});
