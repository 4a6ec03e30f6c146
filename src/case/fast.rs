//! The fast path for JSON cases (a batch's lines, the API's JSON text and
//! values): the text (or value) is read by serde_json straight into a
//! [`Case`]'s slots, against a schema index built once per program, with no
//! tree in between.
//!
//! It takes only the plain, valid case: every key known, every value of its
//! type, no key twice, no `\r` or byte-order mark, within the limits. On
//! anything else it *declines* (returns `None`) without saying why, and the
//! caller loads the text with [`super::load_case`], which reads it again with
//! spans and reports every problem. So the fast path never decides what an
//! error says, and a case it does accept is the [`Case`] the spanned loader
//! would build (a test compares the two over the whole corpus and over
//! malformed inputs).

use super::load::{parse_duration, parse_money, MAX_BYTES};
use super::{Case, Seen};
use crate::ir::{DefId, EnumId, FactId, Program, RecordId, RuleId, Type};
use crate::value::Value;
use foldhash::{HashMap, HashMapExt as _};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

/// Where a key of `facts`, `settings` or a record puts its value.
#[derive(Clone, Copy, Debug)]
enum Place {
    /// A scalar slot of this type (`None`: the program lays out no slot for
    /// it; the fast path declines such a key).
    Leaf(Type, Option<FactId>),
    /// A record: the index of its fields in [`Schema::records`].
    Record(usize),
}

/// One fact root: where it goes and whether it is a setting.
#[derive(Clone, Copy, Debug)]
struct Root {
    index: usize,
    place: Place,
    setting: bool,
}

/// The case schema of one program, indexed for the fast path: fact roots,
/// record fields (by dotted path), enum variants, discretions and
/// definitions by name. Build it once per program.
#[derive(Debug)]
pub struct Schema {
    roots: HashMap<Box<str>, Root>,
    /// Per record occurrence (a record fact, or a record field of one):
    /// its fields in declaration order.
    records: Vec<Vec<(Box<str>, Place)>>,
    variants: Vec<HashMap<Box<str>, u32>>,
    discretions: HashMap<Box<str>, RuleId>,
    definitions: HashMap<Box<str>, DefId>,
    def_types: Vec<Type>,
}

/// How deep records may nest in the index (the spanned loader's own limit
/// is larger; deeper schemas simply decline).
const MAX_RECORD_DEPTH: usize = 16;

impl Schema {
    /// Indexes `program`'s case schema.
    pub fn new(program: &Program) -> Schema {
        let slot_of: HashMap<&str, FactId> = program
            .facts
            .iter()
            .enumerate()
            .rev()
            .filter_map(|(i, f)| Some((f.path.as_str(), FactId(u32::try_from(i).ok()?))))
            .collect();
        let mut schema = Schema {
            roots: HashMap::new(),
            records: Vec::new(),
            variants: program
                .enums
                .iter()
                .map(|e| {
                    let mut by_name = HashMap::new();
                    for (i, (v, _)) in e.variants.iter().enumerate() {
                        if let Ok(i) = u32::try_from(i) {
                            by_name.entry(v.as_str().into()).or_insert(i);
                        }
                    }
                    by_name
                })
                .collect(),
            discretions: HashMap::new(),
            definitions: HashMap::new(),
            def_types: program.definitions.iter().map(|d| d.ty).collect(),
        };
        for (index, root) in program.fact_roots.iter().enumerate() {
            if schema.roots.contains_key(root.name.as_str()) {
                continue;
            }
            let setting = root
                .slot
                .and_then(|s| program.facts.get(s.index()))
                .is_some_and(|f| f.setting.is_some());
            let place = match root.ty {
                Type::Record(r) => schema.record(program, &slot_of, r, &root.name, 0),
                ty => Place::Leaf(ty, root.slot),
            };
            schema.roots.insert(
                root.name.as_str().into(),
                Root {
                    index,
                    place,
                    setting,
                },
            );
        }
        for (i, rule) in program.rules.iter().enumerate() {
            if let Ok(i) = u32::try_from(i) {
                // The first rule of a name, as `Program::rule_by_name`.
                let entry = schema.discretions.entry(rule.name.as_str().into());
                if let std::collections::hash_map::Entry::Vacant(slot) = entry {
                    if rule.may.is_some() {
                        slot.insert(RuleId(i));
                    } else {
                        // Named but not a discretion: a marker that declines.
                        slot.insert(RuleId(u32::MAX));
                    }
                }
            }
        }
        for (i, d) in program.definitions.iter().enumerate() {
            if let Ok(i) = u32::try_from(i) {
                schema
                    .definitions
                    .entry(d.name.as_str().into())
                    .or_insert(DefId(i));
            }
        }
        schema
    }

    /// Indexes record `record` written at `path` (`defector`,
    /// `defector.family`): each field's slot is the fact whose dotted path
    /// is the field's.
    fn record(
        &mut self,
        program: &Program,
        slot_of: &HashMap<&str, FactId>,
        record: RecordId,
        path: &str,
        depth: usize,
    ) -> Place {
        let index = self.records.len();
        self.records.push(Vec::new());
        let Some(info) = program.records.get(record.index()) else {
            return Place::Record(index);
        };
        let mut fields = Vec::with_capacity(info.fields.len());
        for (name, ty, _) in &info.fields {
            let dotted = format!("{path}.{name}");
            let place = match ty {
                Type::Record(inner) if depth < MAX_RECORD_DEPTH => {
                    self.record(program, slot_of, *inner, &dotted, depth + 1)
                }
                // Too deep to index: a leaf with no slot declines.
                Type::Record(_) => Place::Leaf(*ty, None),
                ty => Place::Leaf(*ty, slot_of.get(dotted.as_str()).copied()),
            };
            fields.push((name.as_str().into(), place));
        }
        if let Some(slot) = self.records.get_mut(index) {
            *slot = fields;
        }
        Place::Record(index)
    }

    /// Reads `text`, a JSON case, into a [`Case`] for `program` (the program
    /// this schema indexes), or declines with `None`: then load it with
    /// [`super::load_case`] for the errors, or for the case the fast path
    /// does not take.
    pub fn load_json(&self, program: &Program, text: &str) -> Option<Case> {
        let mut case = Case::new(program);
        self.load_json_into(program, text, &mut case)
            .then_some(case)
    }

    /// Like [`Schema::load_json`], into `case`, whose memory is reused (a
    /// batch worker's): `false` when the fast path declines, and `case` is
    /// then to be ignored.
    pub fn load_json_into(&self, program: &Program, text: &str, case: &mut Case) -> bool {
        if text.len() > MAX_BYTES || text.starts_with(crate::source::BOM) || text.contains('\r') {
            return false;
        }
        case.reset(program);
        let mut de = serde_json::Deserializer::from_str(text);
        self.load_into(&mut de, case) && de.end().is_ok()
    }

    /// Like [`Schema::load_json`], from a JSON value already parsed (an
    /// embedding tool's `serde_json::Value`, a Python dict).
    pub fn load_value(&self, program: &Program, value: &serde_json::Value) -> Option<Case> {
        self.load(program, value)
    }

    fn load<'de, D: Deserializer<'de>>(&self, program: &Program, de: D) -> Option<Case> {
        let mut case = Case::new(program);
        self.load_into(de, &mut case).then_some(case)
    }

    fn load_into<'de, D: Deserializer<'de>>(&self, de: D, case: &mut Case) -> bool {
        let read = TopSeed { schema: self, case }.deserialize(de).is_ok();
        case.expect.sort_by_key(|(def, _)| *def);
        read
    }
}

fn decline<E: de::Error>() -> E {
    E::custom("declined")
}

/// A string, borrowed from the text where it has no escapes.
struct Str;

impl<'de> DeserializeSeed<'de> for Str {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(Str)
    }
}

impl<'de> Visitor<'de> for Str {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// The whole case.
struct TopSeed<'s, 'c> {
    schema: &'s Schema,
    case: &'c mut Case,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a case")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = Seen::new();
        let (schema, case) = (self.schema, self.case);
        while let Some(key) = map.next_key_seed(Str)? {
            let (i, ok) = match key.as_ref() {
                "description" => (0, true),
                "as_of" => (1, true),
                "verdicts" => (2, true),
                "settings" => (3, true),
                "facts" => (4, true),
                "discretions" => (5, true),
                "expect" => (6, true),
                _ => (0, false),
            };
            if !ok || !seen.first(i) {
                return Err(decline());
            }
            match i {
                0 => {
                    if let Some(text) = map.next_value_seed(Nullable(Str))? {
                        case.description = Some(text.into_owned());
                    }
                }
                1 => {
                    let value = map.next_value_seed(ValueSeed {
                        schema,
                        ty: Type::Date,
                    })?;
                    if let Some(Value::Date(d)) = value {
                        case.as_of = Some(d);
                    }
                }
                2 => {
                    map.next_value_seed(Nullable(VerdictsSeed { schema, case }))?;
                }
                3 | 4 => {
                    map.next_value_seed(Nullable(FactsSeed {
                        schema,
                        case,
                        settings: i == 3,
                    }))?;
                }
                5 => {
                    map.next_value_seed(Nullable(DiscretionsSeed { schema, case }))?;
                }
                _ => {
                    map.next_value_seed(Nullable(ExpectSeed { schema, case }))?;
                }
            }
        }
        Ok(())
    }
}

/// `null` (`None`) or what `T` reads: every section of a case may be
/// `null`, meaning "not given".
struct Nullable<T>(T);

impl<'de, T: DeserializeSeed<'de>> DeserializeSeed<'de> for Nullable<T> {
    type Value = Option<T::Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, T: DeserializeSeed<'de>> Visitor<'de> for Nullable<T> {
    type Value = Option<T::Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value or null")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(d).map(Some)
    }
}

/// `facts` or `settings`.
struct FactsSeed<'s, 'c> {
    schema: &'s Schema,
    case: &'c mut Case,
    settings: bool,
}

impl<'de> DeserializeSeed<'de> for FactsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FactsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("facts")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = Seen::new();
        let schema = self.schema;
        while let Some(key) = map.next_key_seed(Str)? {
            let Some(root) = schema.roots.get(key.as_ref()) else {
                return Err(decline());
            };
            if root.setting != self.settings || !seen.first(root.index) {
                return Err(decline());
            }
            map.next_value_seed(PlaceSeed {
                schema,
                case: self.case,
                place: root.place,
            })?;
        }
        Ok(())
    }
}

/// A value written where `place` says.
struct PlaceSeed<'s, 'c> {
    schema: &'s Schema,
    case: &'c mut Case,
    place: Place,
}

impl<'de> DeserializeSeed<'de> for PlaceSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        match self.place {
            Place::Leaf(ty, slot) => {
                let schema = self.schema;
                if let Some(value) = d.deserialize_any(ValueSeed { schema, ty })? {
                    let Some(slot) = slot else {
                        return Err(decline());
                    };
                    self.case.set_fact(slot, value);
                }
                Ok(())
            }
            Place::Record(_) => d.deserialize_option(self),
        }
    }
}

impl<'de> Visitor<'de> for PlaceSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Place::Record(index) = self.place else {
            return Err(decline());
        };
        let Some(fields) = self.schema.records.get(index) else {
            return Err(decline());
        };
        let mut seen = Seen::new();
        while let Some(key) = map.next_key_seed(Str)? {
            let Some(i) = fields.iter().position(|(f, _)| **f == *key) else {
                return Err(decline());
            };
            let (Some((_, place)), true) = (fields.get(i), seen.first(i)) else {
                return Err(decline());
            };
            map.next_value_seed(PlaceSeed {
                schema: self.schema,
                case: self.case,
                place: *place,
            })?;
        }
        Ok(())
    }
}

/// One scalar or set value of a type (`None`: `null`).
#[derive(Clone, Copy)]
struct ValueSeed<'s> {
    schema: &'s Schema,
    ty: Type,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Option<Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl ValueSeed<'_> {
    fn variant(&self, e: EnumId, name: &str) -> Option<u32> {
        self.schema.variants.get(e.index())?.get(name).copied()
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Option<Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        match self.ty {
            Type::Bool => Ok(Some(Value::Bool(v))),
            _ => Err(decline()),
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        match self.ty {
            Type::Integer => Ok(Some(Value::Integer(v))),
            Type::Decimal => Ok(Some(Value::Decimal(v.into()))),
            _ => Err(decline()),
        }
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        match i64::try_from(v) {
            Ok(v) => self.visit_i64(v),
            Err(_) => Err(decline()),
        }
    }
    // Numbers with a fraction or an exponent: the spanned loader reads their
    // digits as written.
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(decline())
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        let value = match self.ty {
            Type::Text => Value::Text(Arc::from(s)),
            Type::Enum(e) => Value::Enum(e, self.variant(e, s).ok_or_else(decline)?),
            Type::Date => Value::Date(crate::value::parse_date(s).map_err(|_| decline())?),
            Type::Money => Value::Money(parse_money(s).map_err(|_| decline())?),
            Type::Duration => Value::Duration(parse_duration(s).map_err(|_| decline())?),
            Type::Decimal => {
                Value::Decimal(super::load::parse_decimal(s.trim()).ok_or_else(decline)?)
            }
            _ => return Err(decline()),
        };
        Ok(Some(value))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let Type::Set(e) = self.ty else {
            return Err(decline());
        };
        let mut bits = 0u128;
        while let Some(name) = seq.next_element_seed(Str)? {
            let v = self.variant(e, &name).ok_or_else(decline)?;
            bits |= 1u128.checked_shl(v).ok_or_else(decline)?;
        }
        Ok(Some(Value::Set(e, bits)))
    }
}

/// `verdicts`: a list of definition names.
struct VerdictsSeed<'s, 'c> {
    schema: &'s Schema,
    case: &'c mut Case,
}

impl<'de> DeserializeSeed<'de> for VerdictsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for VerdictsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("verdict names")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut seen = Seen::new();
        while let Some(name) = seq.next_element_seed(Str)? {
            let def = self
                .schema
                .definitions
                .get(name.as_ref())
                .ok_or_else(decline)?;
            seen.push_verdict(&mut self.case.verdicts, *def);
        }
        Ok(())
    }
}

/// `discretions`: rule names to `true`, `false` or `null`.
struct DiscretionsSeed<'s, 'c> {
    schema: &'s Schema,
    case: &'c mut Case,
}

impl<'de> DeserializeSeed<'de> for DiscretionsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DiscretionsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("discretions")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = Seen::new();
        while let Some(name) = map.next_key_seed(Str)? {
            let rule = *self
                .schema
                .discretions
                .get(name.as_ref())
                .ok_or_else(decline)?;
            if rule.0 == u32::MAX || !seen.first(rule.index()) {
                return Err(decline());
            }
            let value = map.next_value_seed(ValueSeed {
                schema: self.schema,
                ty: Type::Bool,
            })?;
            if let Some(Value::Bool(b)) = value {
                self.case.set_discretion(rule, b);
            }
        }
        Ok(())
    }
}

/// `expect`: verdict names to values, `"undetermined"` or `null`.
struct ExpectSeed<'s, 'c> {
    schema: &'s Schema,
    case: &'c mut Case,
}

impl<'de> DeserializeSeed<'de> for ExpectSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ExpectSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("expectations")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = Seen::new();
        while let Some(name) = map.next_key_seed(Str)? {
            let def = *self
                .schema
                .definitions
                .get(name.as_ref())
                .ok_or_else(decline)?;
            let ty = *self.schema.def_types.get(def.index()).ok_or_else(decline)?;
            if !seen.first(def.index()) {
                return Err(decline());
            }
            let value = map.next_value_seed(ExpectValue {
                value: ValueSeed {
                    schema: self.schema,
                    ty,
                },
            })?;
            self.case.expect.push((def, value));
        }
        Ok(())
    }
}

/// An expected value: `"undetermined"` and `null` expect none.
struct ExpectValue<'s> {
    value: ValueSeed<'s>,
}

impl<'de> DeserializeSeed<'de> for ExpectValue<'_> {
    type Value = Option<Value>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ExpectValue<'_> {
    type Value = Option<Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an expected value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.value.visit_bool(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.value.visit_i64(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.value.visit_u64(v)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.value.visit_f64(v)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        if s == "undetermined" {
            return Ok(None);
        }
        self.value.visit_str(s)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.value.visit_seq(seq)
    }
}

#[cfg(test)]
mod tests {
    use super::Schema;
    use crate::case::{load_case, CaseFormat};

    fn both(program: &crate::ir::Program, schema: &Schema, text: &str) {
        let fast = schema.load_json(program, text);
        let slow = load_case(program, "case.json", text, CaseFormat::Json).ok();
        match (fast, slow) {
            (Some(f), Some(s)) => assert_eq!(f, s, "fast and spanned loads differ for {text}"),
            (Some(_), None) => {
                panic!("the fast path took a case the spanned loader rejects: {text}")
            }
            (None, _) => {}
        }
    }

    #[test]
    fn the_fast_path_builds_the_case_the_spanned_loader_builds_for_the_whole_corpus() {
        let compiled = crate::compile::compile(&crate::source::SourceMap::builtin())
            .expect("built-in policies compile");
        let program = compiled.program;
        let schema = Schema::new(&program);
        let mut taken = 0;
        for (path, format) in crate::testing::corpus_files() {
            if format == CaseFormat::Json {
                let text = std::fs::read_to_string(path).expect("utf-8");
                both(&program, &schema, &text);
                taken += usize::from(schema.load_json(&program, &text).is_some());
            }
        }
        assert!(taken > 200, "the fast path took only {taken} corpus cases");
    }

    #[test]
    fn the_fast_path_declines_what_the_spanned_loader_rejects() {
        let compiled = crate::compile::compile(&crate::source::SourceMap::builtin())
            .expect("built-in policies compile");
        let program = compiled.program;
        let schema = Schema::new(&program);
        for text in [
            "",
            "[]",
            "{\"facts\": {\"defector\": {\"nk_ties\": true, \"nk_ties\": false}}}",
            "{\"facts\": {\"defector\": {\"nk_ties\": 1}}}",
            "{\"facts\": {\"defectr\": {}}}",
            "{\"facts\": {\"standard_amount\": \"KRW\"}}",
            "{\"facts\": {\"standard_amount\": \"krw 10\"}}",
            "{\"as_of\": \"2003-02-30\"}",
            "{\"as_of\": \"2003-01-01\", \"as_of\": \"2004-01-01\"}",
            "{\"verdicts\": [\"no_such_verdict\"]}",
            "{\"discretions\": {\"rok_inclusion\": true}}",
            "{\"expect\": {\"rok_protection\": \"maybe\"}}",
            "{\"facts\": {}} trailing",
            "{\"descripton\": \"typo\"}",
        ] {
            assert!(load_case(&program, "case.json", text, CaseFormat::Json).is_err());
            assert!(schema.load_json(&program, text).is_none(), "took {text}");
        }
    }

    /// Every value of a JSON tree, by its path of keys and indices.
    fn paths(value: &serde_json::Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(at.clone());
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    at.push(k.clone());
                    paths(v, at, out);
                    at.pop();
                }
            }
            serde_json::Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    at.push(i.to_string());
                    paths(v, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }

    fn at_mut<'v>(value: &'v mut serde_json::Value, path: &[String]) -> &'v mut serde_json::Value {
        path.iter().fold(value, |v, seg| match v {
            serde_json::Value::Object(map) => map.get_mut(seg).expect("a path of the tree"),
            serde_json::Value::Array(items) => &mut items[seg.parse::<usize>().expect("an index")],
            _ => unreachable!("paths end at scalars"),
        })
    }

    #[test]
    fn on_corpus_cases_changed_at_random_the_fast_path_takes_only_what_the_spanned_loader_builds_the_same(
    ) {
        let compiled = crate::compile::compile(&crate::source::SourceMap::builtin())
            .expect("built-in policies compile");
        let program = compiled.program;
        let schema = Schema::new(&program);
        let replacements: Vec<serde_json::Value> = [
            "null",
            "true",
            "false",
            "0",
            "-0",
            "1",
            "-1",
            "30",
            "1.5",
            "1e2",
            "2.0",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775809",
            "\"x\"",
            "\"\"",
            "\"KRW 10\"",
            "\"KRW 1,000\"",
            "\"krw 10\"",
            "\"USD 1.50\"",
            "\"2003-01-01\"",
            "\"2003-02-30\"",
            "\"10 years\"",
            "\"1 year 6 months\"",
            "\"undetermined\"",
            "\"caf\\u00e9\"",
            "[]",
            "{}",
            "[\"murder\"]",
            "[\"murder\", \"murder\"]",
            "{\"nk_ties\": true}",
        ]
        .iter()
        .map(|t| serde_json::from_str(t).expect("a JSON literal"))
        .collect();
        let mut corpus = Vec::new();
        for (path, format) in crate::testing::corpus_files() {
            if format == CaseFormat::Json {
                let text = std::fs::read_to_string(path).expect("utf-8");
                corpus.push(serde_json::from_str::<serde_json::Value>(&text).expect("JSON"));
            }
        }
        // A fixed xorshift: the same changes on every run.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let (mut taken, mut declined) = (0, 0);
        for round in 0..4000 {
            let mut case = corpus[next(corpus.len())].clone();
            let mut all = Vec::new();
            paths(&case, &mut Vec::new(), &mut all);
            for _ in 0..1 + next(3) {
                let path = all[next(all.len())].clone();
                if path.is_empty() {
                    continue;
                }
                *at_mut(&mut case, &path) = replacements[next(replacements.len())].clone();
                all.clear();
                paths(&case, &mut Vec::new(), &mut all);
            }
            let mut text = case.to_string();
            if round % 7 == 0 {
                // A key given twice.
                text = text.replacen('{', "{\"as_of\": \"2003-01-01\", ", 1);
            }
            both(&program, &schema, &text);
            if round % 7 != 0 {
                // Without a key given twice the text is the value's: read
                // from the value, the case is the same.
                assert_eq!(
                    schema.load_value(&program, &case),
                    schema.load_json(&program, &text),
                    "{text}"
                );
            }
            if schema.load_json(&program, &text).is_some() {
                taken += 1;
            } else {
                declined += 1;
            }
        }
        // Most changes make a case invalid; enough stay valid to compare.
        assert!(
            taken > 100 && declined > 1000,
            "taken {taken}, declined {declined}"
        );
    }
}
