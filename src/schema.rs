//! JSON Schemas (draft 2020-12) of what goes into and comes out of an
//! evaluation: [`case_schema`] is generated from a program's own fact schema
//! (every fact and setting with its type and label, enum variants with their
//! labels, the discretions and the definitions a case may name);
//! [`evaluation_schema`] is the published `refuge.evaluation/2` schema
//! (`docs/evaluation.schema.json`), the same for every program.
//!
//! The case schema states what the case loader ([`crate::case::load_case`])
//! accepts, as far as JSON Schema can: a file the loader accepts is valid,
//! and a key or an enum value it rejects is invalid. Two checks remain the
//! loader's alone: that a date names a day that exists (`2023-02-30`) and
//! that a number is in range. YAML and TOML files are checked after reading
//! them as JSON (a TOML date is its `YYYY-MM-DD` text).

use crate::ir::{EnumId, FactId, Program, RecordId, Type};
use serde_json::{json, Map, Value as Json};

/// The `$id` prefix of the case schema; the program digest follows.
pub const CASE_SCHEMA_ID: &str = "https://refuge.invalid/schema/case/";

/// The published schema of the JSON evaluation (`refuge.evaluation/2`).
pub const EVALUATION_SCHEMA: &str = include_str!("../docs/evaluation.schema.json");

/// The schema of an evaluation (`refuge eval --format json`), parsed.
pub fn evaluation_schema() -> Json {
    serde_json::from_str(EVALUATION_SCHEMA).unwrap_or(Json::Null)
}

/// A regular expression (ECMA 262) matching text case-insensitively, for
/// the words of a duration.
fn any_case(word: &str) -> String {
    word.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The case file schema of `program`.
pub fn case_schema(program: &Program) -> Json {
    let mut defs = Map::new();
    defs.insert(
        "date".into(),
        json!({
            "description": "a calendar date, `YYYY-MM-DD`",
            "type": "string",
            "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
            "examples": ["2003-01-15"],
        }),
    );
    defs.insert(
        "money".into(),
        json!({
            "description": "a three-letter currency code in capitals and an amount, thousands optionally grouped with commas",
            "type": "string",
            "pattern": "^\\s*[A-Z]{3}\\s+-?([0-9][0-9_]*|[0-9]{1,3}(,[0-9]{3})+)(\\.[0-9_]+)?([eE][+-]?[0-9]+)?\\s*$",
            "examples": ["KRW 36000000", "KRW 36,000,000", "USD 12.50"],
        }),
    );
    let unit = format!(
        "({}|{}|{}|{})",
        any_case("years?"),
        any_case("months?"),
        any_case("weeks?"),
        any_case("days?")
    );
    let and = any_case("and");
    defs.insert(
        "duration".into(),
        json!({
            "description": "whole numbers with units (years, months, weeks, days)",
            "type": "string",
            "pattern": format!("^\\s*[0-9]+\\s+{unit},?(\\s+({and}\\s+)?[0-9]+\\s+{unit},?)*\\s*$"),
            "examples": ["10 years", "1 year 6 months", "30 days"],
        }),
    );
    defs.insert(
        "decimal".into(),
        json!({
            "description": "an exact decimal: a number, or a string such as \"0.5\" (long decimals are best written as strings)",
            "anyOf": [
                { "type": "number" },
                { "type": "string", "pattern": "^\\s*[+-]?([0-9][0-9_]*(\\.[0-9_]*)?|\\.[0-9][0-9_]*)([eE][+-]?[0-9]+)?\\s*$" },
            ],
        }),
    );
    for (i, info) in program.enums.iter().enumerate() {
        let variants: Vec<Json> = info
            .variants
            .iter()
            .map(|(name, label)| {
                let mut v = json!({ "const": name });
                if let (Some(label), Some(obj)) = (label, v.as_object_mut()) {
                    obj.insert("title".into(), Json::String(label.clone()));
                }
                v
            })
            .collect();
        defs.insert(
            enum_key(program, EnumId(index(i))),
            json!({ "title": info.name, "description": format!("a `{}` value, by variant name", info.name), "oneOf": variants }),
        );
    }
    for (i, info) in program.records.iter().enumerate() {
        let mut properties = Map::new();
        for (field, ty, label) in &info.fields {
            properties.insert(
                field.clone(),
                nullable(described(type_schema(program, *ty), label)),
            );
        }
        defs.insert(
            record_key(program, RecordId(index(i))),
            json!({
                "title": info.name,
                "description": format!("a `{}` record: each field may be left out or null (not given)", info.name),
                "type": "object",
                "additionalProperties": false,
                "properties": properties,
            }),
        );
    }

    let is_setting = |slot: Option<FactId>| {
        slot.and_then(|s| program.facts.get(s.index()))
            .is_some_and(|f| f.setting.is_some())
    };
    let mut facts = Map::new();
    let mut settings = Map::new();
    for root in &program.fact_roots {
        let label = root
            .slot
            .and_then(|s| program.facts.get(s.index()))
            .and_then(|f| f.label.clone());
        let mut schema = described(type_schema(program, root.ty), &label);
        if let Some(setting) = root
            .slot
            .and_then(|s| program.facts.get(s.index()))
            .and_then(|f| f.setting.as_ref())
        {
            if let Some(obj) = schema.as_object_mut() {
                obj.insert("default".into(), setting.default.to_json(program));
            }
        }
        let target = if is_setting(root.slot) {
            &mut settings
        } else {
            &mut facts
        };
        target.insert(root.name.clone(), nullable(schema));
    }

    let mut discretions = Map::new();
    for rule in &program.rules {
        let Some(may) = &rule.may else { continue };
        let of = program
            .definitions
            .get(rule.def.index())
            .map_or("?", |d| d.name.as_str());
        let cites: Vec<String> = rule
            .meta
            .cites
            .iter()
            .map(|c| {
                let source = program
                    .sources
                    .get(c.source.index())
                    .map_or("?", |s| &*s.name);
                format!("{source} {}", c.pinpoint)
            })
            .collect();
        let mut description = format!(
            "{} may {} (rule of `{of}`): true if the discretion was exercised, false if not",
            may.holder, may.permits
        );
        if !cites.is_empty() {
            description.push_str(&format!("; cites {}", cites.join(", ")));
        }
        discretions.insert(
            rule.name.clone(),
            json!({ "type": ["boolean", "null"], "description": description }),
        );
    }

    let names: Vec<&str> = program
        .definitions
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    let verdicts: Vec<&str> = program
        .verdicts()
        .filter_map(|d| program.definitions.get(d.index()))
        .map(|d| d.name.as_str())
        .collect();
    let mut expect = Map::new();
    for def in &program.definitions {
        let value = described(type_schema(program, def.ty), &def.label);
        expect.insert(
            def.name.clone(),
            json!({ "anyOf": [ value, { "const": "undetermined" }, { "type": "null" } ] }),
        );
    }

    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{CASE_SCHEMA_ID}{}", program.digest),
        "title": "refuge case file",
        "description": format!(
            "A case for the policy set whose digest is {}: the facts of one person and situation. Every key is optional; null means not given. JSON, YAML and TOML files have the same shape.",
            program.digest
        ),
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "description": { "type": ["string", "null"], "description": "a one-line description of the case" },
            "as_of": { "anyOf": [ { "$ref": "#/$defs/date" }, { "type": "null" } ], "description": "the date to apply the law as of" },
            "verdicts": {
                "description": format!("the verdicts (or other definitions) to evaluate; all verdicts if left out. The verdicts are {}", verdicts.join(", ")),
                "type": ["array", "null"],
                "items": { "enum": names },
            },
            "facts": { "type": ["object", "null"], "additionalProperties": false, "properties": facts },
            "settings": {
                "description": "overrides of the drafters' documented options (each has a cited default)",
                "type": ["object", "null"], "additionalProperties": false, "properties": settings,
            },
            "discretions": {
                "description": "how each discretion (a rule written with `may`) was exercised",
                "type": ["object", "null"], "additionalProperties": false, "properties": discretions,
            },
            "expect": {
                "description": "expected outcomes, for `refuge test --cases`: a value, or \"undetermined\" (or null)",
                "type": ["object", "null"], "additionalProperties": false, "properties": expect,
            },
        },
        "$defs": defs,
    })
}

fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// The `$defs` key of an enum: `enum.NAME` (names are unique in a program).
fn enum_key(program: &Program, e: EnumId) -> String {
    let name = program
        .enums
        .get(e.index())
        .map_or("?", |i| i.name.as_str());
    format!("enum.{name}")
}

/// The `$defs` key of a record type: `record.NAME`.
fn record_key(program: &Program, r: RecordId) -> String {
    let name = program
        .records
        .get(r.index())
        .map_or("?", |i| i.name.as_str());
    format!("record.{name}")
}

/// The schema of one value of type `ty`, as a case file writes it.
fn type_schema(program: &Program, ty: Type) -> Json {
    match ty {
        Type::Bool => json!({ "type": "boolean" }),
        Type::Integer => json!({
            "type": "integer",
            "minimum": i64::MIN,
            "maximum": i64::MAX,
        }),
        Type::Decimal => json!({ "$ref": "#/$defs/decimal" }),
        Type::Money => json!({ "$ref": "#/$defs/money" }),
        Type::Date => json!({ "$ref": "#/$defs/date" }),
        Type::Duration => json!({ "$ref": "#/$defs/duration" }),
        Type::Text => json!({ "type": "string" }),
        Type::Enum(e) => json!({ "$ref": format!("#/$defs/{}", enum_key(program, e)) }),
        Type::Set(e) => json!({
            "type": "array",
            "items": { "$ref": format!("#/$defs/{}", enum_key(program, e)) },
        }),
        Type::Record(r) => json!({ "$ref": format!("#/$defs/{}", record_key(program, r)) }),
    }
}

/// `schema` with the label as its description.
fn described(mut schema: Json, label: &Option<String>) -> Json {
    if let (Some(label), Some(obj)) = (label, schema.as_object_mut()) {
        obj.insert("description".into(), Json::String(label.clone()));
    }
    schema
}

/// `schema`, or null (not given).
fn nullable(schema: Json) -> Json {
    let description = schema.get("description").cloned();
    let mut out = json!({ "anyOf": [ schema, { "type": "null" } ] });
    if let (Some(d), Some(obj)) = (description, out.as_object_mut()) {
        obj.insert("description".into(), d);
    }
    out
}
