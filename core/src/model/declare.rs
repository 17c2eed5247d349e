//! The declarations: one per record and per result type.
//!
//! `record!` declares a record: each field with its type and how it is read,
//! `name: Type = required(KIND)`, `optional(KIND)` (an `Option`), `default(KIND)`
//! (the type's empty value) or `or(KIND, value, "as the contract writes it")`,
//! where KIND is a [`Kind`](super::kind::Kind). A `check(path)` after the
//! fields names a hand-written cross-field check run once the fields are read.
//! `result!` declares a result: each field `= rule` (the policy's function
//! returns it) or `= core` (kam adds it). `as "self"` gives a field a wire name
//! that is not a Rust identifier.
//!
//! Each declaration emits the struct (with serde's `Serialize`), its
//! [`Declared`](super::shape::Declared) shape and [`Typed`](super::shape::Typed)
//! type; for records, the [`Readable`](super::kind::Readable) reader and
//! the values rules receive ([`RuleFields`](super::rule_values::RuleFields));
//! for results, the reader of what a rule returned (`FromRule`, in
//! `model/returned.rs`), with kam's own fields left for kam to set.

/// A field's wire name: its `as "…"` name, or the identifier.
macro_rules! wire {
    ($field:ident) => {
        stringify!($field)
    };
    ($field:ident $wire:literal) => {
        $wire
    };
}
pub(crate) use wire;

/// Reads one declared record field with the `Fields` reader `$f`.
macro_rules! read_field {
    (required $f:ident $path:ident $name:expr, $kind:expr) => {
        $crate::model::fields::FieldSource::req($f, $path, $name, |p, v| {
            $crate::model::kind::Kind::read(&$kind, p, v)
        })?
    };
    (optional $f:ident $path:ident $name:expr, $kind:expr) => {
        $crate::model::fields::FieldSource::opt($f, $path, $name, |p, v| {
            $crate::model::kind::Kind::read(&$kind, p, v)
        })?
    };
    (default $f:ident $path:ident $name:expr, $kind:expr) => {
        $crate::model::fields::FieldSource::opt($f, $path, $name, |p, v| {
            $crate::model::kind::Kind::read(&$kind, p, v)
        })?
        .unwrap_or_default()
    };
    (or $f:ident $path:ident $name:expr, $kind:expr, $default:expr) => {
        $crate::model::fields::FieldSource::opt($f, $path, $name, |p, v| {
            $crate::model::kind::Kind::read(&$kind, p, v)
        })?
        .unwrap_or($default)
    };
}
pub(crate) use read_field;

/// What a missing declared record field means.
macro_rules! missing {
    (required, $kind:expr) => {
        $crate::model::shape::Missing::Required
    };
    (optional, $kind:expr) => {
        $crate::model::shape::Missing::Null
    };
    (default, $kind:expr) => {
        $crate::model::shape::Missing::Default($crate::model::kind::Kind::empty(&$kind))
    };
    (or, $kind:expr, $doc:literal) => {
        $crate::model::shape::Missing::Default($doc)
    };
}
pub(crate) use missing;

/// The `Declared` and `Typed` impls both declarations share: each field's
/// wire name, type, source (an expression) and doc lines.
macro_rules! declared {
    ($name:ident { $($field:ident $($wire:literal)? : $ty:ty = $source:expr; [$($doc:literal),*])+ }) => {
        impl $crate::model::shape::Declared for $name {
            const FIELDS: &'static [&'static str] =
                &[$($crate::model::declare::wire!($field $($wire)?)),+];

            fn shape() -> &'static $crate::model::shape::Shape {
                static SHAPE: std::sync::OnceLock<$crate::model::shape::Shape> =
                    std::sync::OnceLock::new();
                SHAPE.get_or_init(|| {
                    $crate::model::shape::Shape::new(
                        stringify!($name),
                        vec![$($crate::model::shape::FieldShape {
                            name: $crate::model::declare::wire!($field $($wire)?),
                            doc: $crate::model::shape::doc_text(&[$($doc),*]),
                            ty: <$ty as $crate::model::shape::Typed>::ty(),
                            source: $source,
                        }),+],
                    )
                })
            }
        }

        impl $crate::model::shape::Typed for $name {
            fn ty() -> $crate::model::shape::Ty {
                $crate::model::shape::Ty::Record(<$name as $crate::model::shape::Declared>::shape())
            }
        }
    };
}
pub(crate) use declared;

/// Declares a record type; see the module docs.
macro_rules! record {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])*
                $field:ident $(as $wire:literal)? : $ty:ty =
                    $how:ident ( $kind:expr $(, $default:expr, $default_doc:literal)? )
            ),+ $(,)?
        }
        $(check($check:path);)?
    ) => {
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        $(#[$meta])*
        pub struct $name {
            $(
                $(#[doc = $doc])*
                $(#[serde(rename = $wire)])?
                pub $field: $ty,
            )+
        }

        $crate::model::declare::declared!($name {
            $($field $($wire)? : $ty = $crate::model::shape::Source::Input {
                accepts: $crate::model::kind::Kind::accepts(&$kind),
                missing: $crate::model::declare::missing!($how, $kind $(, $default_doc)?),
            }; [$($doc),*])+
        });

        impl $crate::model::rule_values::RuleFields for $name {
            fn rule_fields<B: $crate::model::rule_values::Build>(
                &self,
            ) -> Result<Vec<(&'static str, B)>, $crate::error::RecordError> {
                Ok(vec![$((
                    $crate::model::declare::wire!($field $($wire)?),
                    $crate::model::rule_values::ToRule::to_rule(&self.$field).map_err(|e| {
                        $crate::model::rule_values::under(e, $crate::model::declare::wire!($field $($wire)?))
                    })?,
                )),+])
            }
        }

        impl $crate::model::rule_values::ToRule for $name {
            fn to_rule<B: $crate::model::rule_values::Build>(
                &self,
            ) -> Result<B, $crate::error::RecordError> {
                $crate::model::rule_values::RuleFields::rule_fields(self).map(B::map)
            }
        }

        impl $crate::model::kind::Readable for $name {
            fn read(
                path: &str,
                value: &serde_json::Value,
            ) -> Result<Self, $crate::error::RecordError> {
                let f = $crate::model::fields::Fields::open(
                    value,
                    path,
                    <$name as $crate::model::shape::Declared>::FIELDS,
                )?;
                Self::read_from(&f, path)
            }
        }

        impl $name {
            /// Reads every declared field from `f`, then the cross-field check.
            fn read_from<F: $crate::model::fields::FieldSource>(
                f: &F,
                path: &str,
            ) -> Result<Self, $crate::error::RecordError> {
                $(
                    let $field = $crate::model::declare::read_field!(
                        $how f path $crate::model::declare::wire!($field $($wire)?),
                        $kind $(, $default)?
                    );
                )+
                let record = $name { $($field),+ };
                $($check(&record, path)?;)?
                Ok(record)
            }

            /// The record from one JSON object's text, when it reads cleanly
            /// (`None`: the full parse gives the error).
            #[allow(dead_code)]
            pub(crate) fn read_json_text(text: &str) -> Option<Self> {
                let f = $crate::model::json_fields::JsonFields::open(
                    text,
                    <$name as $crate::model::shape::Declared>::FIELDS,
                )?;
                Self::read_from(&f, "").ok()
            }
        }
    };
}
pub(crate) use record;

/// `Source::Rule` or `Source::Core`.
macro_rules! source {
    (rule) => {
        $crate::model::shape::Source::Rule
    };
    (core) => {
        $crate::model::shape::Source::Core
    };
}
pub(crate) use source;

/// Declares a result type; see the module docs.
macro_rules! result {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])*
                $field:ident $(as $wire:literal)? : $ty:ty = $source:ident
            ),+ $(,)?
        }
    ) => {
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        $(#[$meta])*
        pub struct $name {
            $(
                $(#[doc = $doc])*
                $(#[serde(rename = $wire)])?
                pub $field: $ty,
            )+
        }

        $crate::model::declare::declared!($name {
            $($field $($wire)? : $ty = $crate::model::declare::source!($source); [$($doc),*])+
        });

        impl $crate::model::returned::FromRule for $name {
            fn from_rule<V: $crate::model::returned::RuleValue>(
                path: &dyn std::fmt::Display,
                value: V,
            ) -> $crate::model::returned::Shaped<Self> {
                #[allow(unused_mut, unused_variables)]
                let mut m = $crate::model::returned::Returned::open(
                    value,
                    path,
                    &<$name as $crate::model::shape::Declared>::shape().rule_keys,
                )?;
                // Fields in declaration order: the first bad one is reported.
                Ok($name {
                    $($field: $crate::model::declare::take!(
                        $source m $crate::model::declare::wire!($field $($wire)?)
                    ),)+
                })
            }
        }
    };
}
pub(crate) use result;

/// A result field's value: read from the rule's map, or unset until kam adds it.
macro_rules! take {
    (rule $m:ident $name:expr) => {
        $m.field($name)?
    };
    (core $m:ident $name:expr) => {
        $crate::model::returned::Unset::unset()
    };
}
pub(crate) use take;
