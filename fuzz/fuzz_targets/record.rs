//! Arbitrary bytes as a JSON Lines record: parsing and evaluating never panic,
//! and every failure is a record (or rule) error.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(value) = kam::model::parse_json(text) else {
        return;
    };
    let policy = common::default_policy();
    match policy.evaluate_customer_json(&value, common::as_of()) {
        Ok(_) | Err(kam::Error::Record(_)) => {}
        Err(e) => panic!("a record gave a non-record error on the bundled policy: {e}"),
    }
    match policy.evaluate_staff_json(&value) {
        Ok(_) | Err(kam::Error::Record(_)) => {}
        Err(e) => panic!("a staff record gave a non-record error on the bundled policy: {e}"),
    }
});
