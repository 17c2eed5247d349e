//! The records kam reads and the results it writes (docs/policy.md; field tables
//! in `rules/CONTRACT.md`).
//!
//! Records are read from JSON (or anything serde can turn into JSON) with
//! defaults filled and every invalid field reported by name; results serialize
//! to the exact JSON shape of `rules/CONTRACT.md`.

pub mod customer;
pub(crate) mod declare;
pub mod docs;
pub(crate) mod fields;
mod json;
mod json_fields;
pub mod kind;
pub mod period;
pub(crate) mod period_result;
mod reason;
pub(crate) mod returned;
pub mod rule_values;
pub mod shape;
pub mod staff;

pub use customer::{
    Admission, BlacklistProposal, Change, CreditRating, CustomerRecord, CustomerResult, Incident,
    IncidentKind, Relationship, Scale, Status, Visit,
};
pub use fields::{is_missing_cell, parse_date};
pub use json::{parse_json, write_decimals_as_strings};
pub use period::Period;
pub use period_result::StaffPeriodResult;
pub use reason::{Fact, Facts, PolicyInfo, Reason};
pub use shape::{Declared, FieldShape, Missing, Shape, Source, Ty, Typed};
pub use staff::{
    Adjustment, Analysis, Communication, Knowledge, Ratings, Reviews, Role, ScoreItem, Scorecard,
    StaffRecord, StaffResult,
};

/// Declares a closed set of snake_case names with parsing and display.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* #[doc = concat!("`", $text, "`")] $variant),+ }

        impl $name {
            /// Every accepted name, in contract order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The contract's name for this value.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                match s { $($text => Ok($name::$variant),)+ _ => Err(()) }
            }
        }

        impl $crate::model::kind::Names for $name {
            const NAMES: &'static [&'static str] = &[$($text),+];
            fn name(self) -> &'static str {
                self.as_str()
            }
        }

        impl $crate::model::shape::Typed for $name {
            fn ty() -> $crate::model::shape::Ty {
                $crate::model::shape::Ty::Choice(&[$($text),+])
            }
        }

        impl $crate::model::returned::FromRule for $name {
            fn from_rule<V: $crate::model::returned::RuleValue>(
                field: &dyn std::fmt::Display,
                v: V,
            ) -> $crate::model::returned::Shaped<Self> {
                $crate::model::returned::choice(field, v, Self::NAMES)
            }
        }

        impl $crate::model::rule_values::ToRule for $name {
            fn to_rule<B: $crate::model::rule_values::Build>(
                &self,
            ) -> Result<B, $crate::error::RecordError> {
                Ok(B::text(self.as_str()))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;
