//! The bundled policy, compiled into the fuzz binaries so they need no files.

use std::sync::OnceLock;

pub const RULES: &[(&str, &str)] = &[
    ("policy.rhai", include_str!("../../rules/policy.rhai")),
    ("parameters.rhai", include_str!("../../rules/parameters.rhai")),
    ("parameters_check.rhai", include_str!("../../rules/parameters_check.rhai")),
    ("common.rhai", include_str!("../../rules/common.rhai")),
    ("customer.rhai", include_str!("../../rules/customer.rhai")),
    ("customer_tier.rhai", include_str!("../../rules/customer_tier.rhai")),
    ("customer_profile.rhai", include_str!("../../rules/customer_profile.rhai")),
    ("customer_visit.rhai", include_str!("../../rules/customer_visit.rhai")),
    ("staff.rhai", include_str!("../../rules/staff.rhai")),
    ("staff_grading.rhai", include_str!("../../rules/staff_grading.rhai")),
];

pub fn default_policy() -> &'static kam::Policy {
    static POLICY: OnceLock<kam::Policy> = OnceLock::new();
    POLICY.get_or_init(|| match kam::Policy::from_sources(RULES.iter().copied()) {
        Ok(p) => p,
        Err(e) => panic!("the bundled policy must load: {e}"),
    })
}
