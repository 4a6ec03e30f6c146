//! The ids of a compiled program's tables: every name the checker resolves
//! becomes one of these, an index into a flat table of [`crate::ir::Program`].
//! They live apart from the program so that values (which name enums) need
//! nothing else of it.

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);
        impl $name {
            /// The index into the program's table.
            pub fn index(self) -> usize { self.0 as usize }
        }
    )*};
}

id_type!(
    /// A declared source.
    SourceId,
    /// A declared enum.
    EnumId,
    /// A declared record type.
    RecordId,
    /// A fact slot (a leaf of the input schema).
    FactId,
    /// A definition or verdict.
    DefId,
    /// A rule or exception.
    RuleId,
    /// A data table.
    TableId,
);
