//! Batches: many cases against one compiled program, one JSON line each.
//!
//! A [`Batch`] is built once (the engine, the options with verdict names
//! resolved, what to write of each evaluation, and the verdicts' names
//! already written as JSON keys); a [`Worker`] holds one thread's reusable
//! memory (the values path's scratch, the derivation graph's arenas). A
//! line in, a line out, written straight into the caller's buffer: nothing
//! goes through a `serde_json::Value`. The CLI (`refuge eval CASES.jsonl`)
//! runs workers on every core; a server or a binding calls
//! [`Batch::evaluate_text`] the same way.
//!
//! What a line says depends on [`Output`]:
//!
//! - `values`: `{"verdict": value, …}` for the verdicts asked, `null` for an
//!   undetermined one;
//! - `verdicts`: `{"verdicts": {"name": {"outcome", "decisive_facts",
//!   "rests_on", "missing_facts"}, …}}`, keyed by verdict name in the order
//!   asked: per verdict the outcome, the facts that decide it (in the shape
//!   of a case file's `facts`), the citations the outcome rests on (ids of
//!   the program manifest) and, undetermined, the facts it waits on;
//! - `full`: the whole evaluation, `refuge.evaluation/2` on one line.
//!
//! A case that does not load or evaluate gives `{"line": N, "error": […]}`
//! in its place, so output lines stay in step with input lines.

use crate::case::{load_case, Case, CaseFormat, Schema};
use crate::eval::{Derivation, Engine, EvalError, Options, Scratch};
use crate::ir::Program;
use crate::value::Value;
use std::io::Write as _;

/// How much of each evaluation a batch writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// The verdicts' values only (the values path: nothing else is recorded).
    Values,
    /// Per verdict: outcome, decisive facts, the law applied, missing facts.
    Verdicts,
    /// The whole derivation graph (`refuge.evaluation/2`).
    #[default]
    Full,
}

/// How one case of a batch went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Every verdict asked is decided.
    Decided,
    /// Some verdict asked is undetermined.
    Undetermined,
    /// The case does not load (bad input).
    BadInput,
    /// The case loads but its evaluation fails.
    EvalError,
}

/// A batch: one program, one set of options, one kind of output.
#[derive(Clone, Debug)]
pub struct Batch<'p> {
    engine: Engine<'p>,
    options: Options,
    output: Output,
    /// Per definition: its name as a JSON object key, `"name":`.
    keys: Vec<Vec<u8>>,
    /// The case schema indexed for reading JSON straight into slots.
    schema: std::sync::Arc<Schema>,
}

/// One thread's reusable memory for a batch.
#[derive(Debug, Default)]
pub struct Worker {
    scratch: Scratch,
    graph: Option<Derivation>,
    values: Vec<Option<Value>>,
    /// The case of the line being evaluated, its memory reused.
    case: Case,
}

impl Worker {
    /// Empty memory; it grows to the size of a case on first use.
    pub fn new() -> Self {
        Worker::default()
    }
}

impl<'p> Batch<'p> {
    /// A batch evaluating with `options` and writing `output`.
    pub fn new(engine: Engine<'p>, options: Options, output: Output) -> Self {
        let keys = engine
            .program()
            .definitions
            .iter()
            .map(|d| {
                let mut key = Vec::with_capacity(d.name.len() + 3);
                json_str(&mut key, &d.name);
                key.push(b':');
                key
            })
            .collect();
        let schema = std::sync::Arc::new(Schema::new(engine.program()));
        Batch {
            engine,
            options,
            output,
            keys,
            schema,
        }
    }

    /// The program evaluated.
    pub fn program(&self) -> &'p Program {
        self.engine.program()
    }

    /// Evaluates `text` if it is a plain valid JSON case, read straight into
    /// its slots, and writes its line; `None` (nothing written) for any
    /// other text, which [`Batch::evaluate_text`] then loads with spans to
    /// say what is wrong. Saves building a name for the case that needs
    /// none.
    pub fn evaluate_plain_json(
        &self,
        worker: &mut Worker,
        line: usize,
        text: &str,
        out: &mut Vec<u8>,
    ) -> Option<Status> {
        let mut case = std::mem::take(&mut worker.case);
        let status = self
            .schema
            .load_json_into(self.program(), text, &mut case)
            .then(|| self.evaluate(worker, line, &case, out));
        worker.case = case;
        status
    }

    /// Loads one case from `text` (`name` is how errors refer to it) and
    /// writes its line, with a newline, to `out`.
    pub fn evaluate_text(
        &self,
        worker: &mut Worker,
        line: usize,
        name: &str,
        text: &str,
        format: CaseFormat,
        out: &mut Vec<u8>,
    ) -> Status {
        // The plain valid JSON case is read straight into its slots; any
        // other text goes through the spanned loader, which says what is
        // wrong with it.
        if format == CaseFormat::Json {
            if let Some(case) = self.schema.load_json(self.program(), text) {
                return self.evaluate(worker, line, &case, out);
            }
        }
        match load_case(self.program(), name, text, format) {
            Ok(case) => self.evaluate(worker, line, &case, out),
            Err(errors) => {
                let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
                error_line(out, line, &messages);
                Status::BadInput
            }
        }
    }

    /// Evaluates one loaded case and writes its line, with a newline, to
    /// `out`.
    pub fn evaluate(
        &self,
        worker: &mut Worker,
        line: usize,
        case: &Case,
        out: &mut Vec<u8>,
    ) -> Status {
        let start = out.len();
        let result = match self.output {
            Output::Values => self.values(worker, case, out),
            Output::Verdicts | Output::Full => self.explained(worker, case, out),
        };
        match result {
            Ok(status) => {
                out.push(b'\n');
                status
            }
            Err(e) => {
                out.truncate(start);
                error_line(out, line, &[e.to_string()]);
                Status::EvalError
            }
        }
    }

    fn values(
        &self,
        worker: &mut Worker,
        case: &Case,
        out: &mut Vec<u8>,
    ) -> Result<Status, EvalError> {
        self.engine
            .values_with(case, &self.options, &mut worker.scratch, &mut worker.values)?;
        let program = self.program();
        let mut status = Status::Decided;
        out.push(b'{');
        let asked = self.engine.asked(case, &self.options);
        for (i, (def, value)) in asked.iter().zip(&worker.values).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(self.keys.get(def.index()).map_or(b"\"?\":", Vec::as_slice));
            match value {
                Some(v) => write_value(out, program, v),
                None => {
                    status = Status::Undetermined;
                    out.extend_from_slice(b"null");
                }
            }
        }
        out.push(b'}');
        Ok(status)
    }

    fn explained(
        &self,
        worker: &mut Worker,
        case: &Case,
        out: &mut Vec<u8>,
    ) -> Result<Status, EvalError> {
        let graph = worker.graph.take().unwrap_or_default();
        let evaluation = self.engine.evaluate_with(case, &self.options, graph)?;
        let status = if evaluation.all_decided() {
            Status::Decided
        } else {
            Status::Undetermined
        };
        match self.output {
            Output::Full => evaluation.append_json_line(out),
            _ => evaluation.append_verdicts_json(out),
        }
        worker.graph = Some(evaluation.into_derivation());
        Ok(status)
    }
}

/// `{"line":N,"error":[…]}` and a newline.
fn error_line(out: &mut Vec<u8>, line: usize, messages: &[String]) {
    let _ = write!(out, "{{\"line\":{line},\"error\":[");
    for (i, m) in messages.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_str(out, m);
    }
    out.extend_from_slice(b"]}\n");
}

/// A string as JSON (quoted and escaped).
pub fn json_str(out: &mut Vec<u8>, s: &str) {
    // Writing a `str` to a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// A value as JSON, in the shape a case file writes it (as
/// [`Value::to_json`], without building a `serde_json::Value`).
pub fn write_value(out: &mut Vec<u8>, program: &Program, value: &Value) {
    match value {
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Enum(e, v) => json_str(out, crate::ir::variant_name(program, *e, *v)),
        Value::Set(e, bits) => {
            out.push(b'[');
            let mut first = true;
            for v in crate::value::set_members(*bits) {
                if !first {
                    out.push(b',');
                }
                first = false;
                json_str(out, crate::ir::variant_name(program, *e, v));
            }
            out.push(b']');
        }
        // Decimals, money, dates and durations are strings of digits,
        // letters and spaces: nothing to escape.
        Value::Decimal(d) => {
            let _ = write!(out, "\"{}\"", d.normalize());
        }
        Value::Money(m) => {
            let _ = write!(out, "\"{} {}\"", m.currency_str(), m.amount.normalize());
        }
        Value::Date(d) => {
            let _ = write!(out, "\"{d}\"");
        }
        Value::Duration(d) => {
            let _ = write!(out, "\"{}\"", crate::value::display_duration(*d));
        }
        Value::Text(t) => json_str(out, t),
    }
}
