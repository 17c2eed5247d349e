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
        // A sales target of 10^-28 makes the completion rate overflow the
        // decimal type: a rule error at the rule's line, left as it is (see
        // RELIABILITY.md). Amounts of 10^15 and more are record errors (finding 2).
        Err(kam::Error::Rule(e)) if e.to_string().contains("Division overflow") => {}
        Err(e) => panic!("a staff record gave a non-record error on the bundled policy: {e}"),
    }
});
