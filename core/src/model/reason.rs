//! What every result carries: its reasons and the policy that produced it.

use super::declare::result;

result! {
    /// One explained decision: which rule, and why, in a sales manager's words.
    pub struct Reason {
        /// Dotted rule id, e.g. `tier.base`.
        rule: String = rule,
        /// The explanation, naming inputs and thresholds.
        message: String = rule,
    }
}

result! {
    /// Which policy produced a result.
    pub struct PolicyInfo {
        /// Declared policy name.
        name: String = core,
        /// Declared policy version.
        version: String = core,
        /// Content hash of every policy file.
        digest: String = core,
    }
}
