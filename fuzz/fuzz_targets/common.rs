//! The bundled policy, compiled into the fuzz binaries so they need no files.

use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/default_policy.rs"));

pub fn default_policy() -> &'static kam::Policy {
    static POLICY: OnceLock<kam::Policy> = OnceLock::new();
    POLICY.get_or_init(
        || match kam::Policy::from_sources(DEFAULT_POLICY.iter().copied()) {
            Ok(p) => p,
            Err(e) => panic!("the bundled policy must load: {e}"),
        },
    )
}
