//! Names that identify things in a policy set: verdicts, facts, rules.
//!
//! They are names as the policy text writes them, checked against a
//! [`Policy`](super::Policy) only when used: a name that the policy set does
//! not declare is an error at that point, with a suggestion.

use std::fmt;

macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// The name as written.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(s)
            }
        }
    };
}

name_type!(
    /// A verdict (or any definition) by name: `rok_protection`.
    VerdictName
);

name_type!(
    /// A fact or setting by its dotted path: `defector.nk_ties` (a record
    /// fact's field), `standard_amount` (a scalar fact).
    FactPath
);

name_type!(
    /// A rule by name: `rok_art9_feigned_defection` (for discretions and
    /// explanations).
    RuleName
);
