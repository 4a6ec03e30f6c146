//! `refuge` for Python: compile a policy set once, evaluate cases given as
//! dicts or case-file text, and evaluate Arrow batches (one case per row)
//! in Rust across all cores. Built on the stable library API
//! (`refuge::Policy`) only.

use arrow_array::builder::{BooleanBuilder, Date32Builder, Int64Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Date64Type, Int16Type, Int32Type, Int64Type, Int8Type};
use arrow_array::types::{UInt16Type, UInt32Type, UInt8Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_pyarrow::{FromPyArrow, ToPyArrow};
use arrow_schema::{DataType, Field, Schema};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use rayon::prelude::*;
use refuge::err::{CaseError, Diagnostic};
use refuge::{CaseFormat, Fact, Kind, Policy as Compiled, Verdict};
use std::sync::Arc;

pyo3::create_exception!(
    _refuge,
    RefugeError,
    pyo3::exceptions::PyValueError,
    "An error of refuge; `.diagnostics` holds the CLI's JSON diagnostics (dicts)."
);
pyo3::create_exception!(
    _refuge,
    PolicyError,
    RefugeError,
    "The policies do not compile (or cannot be read)."
);
pyo3::create_exception!(
    _refuge,
    CaseError_,
    RefugeError,
    "A case does not load: an unknown fact, a value of the wrong type, an unknown enum value, …"
);
pyo3::create_exception!(
    _refuge,
    EvalError,
    RefugeError,
    "An evaluation failed: a conflict between rules, an arithmetic error, no date."
);

/// Builds a Python exception of `kind` with `.diagnostics` (a list of dicts).
fn raise<E: pyo3::PyTypeInfo>(py: Python<'_>, message: &str, diagnostics: &[Diagnostic]) -> PyErr {
    let err = PyErr::new::<E, _>(message.to_owned());
    let list: Vec<String> = diagnostics
        .iter()
        .map(|d| d.to_json().to_string())
        .collect();
    let value = err.value(py);
    let attach = || -> PyResult<()> {
        let json = py.import("json")?;
        let parsed = PyList::empty(py);
        for text in &list {
            parsed.append(json.call_method1("loads", (text,))?)?;
        }
        value.setattr("diagnostics", parsed)?;
        Ok(())
    };
    let _ = attach();
    err
}

fn case_error(py: Python<'_>, e: &CaseError) -> PyErr {
    match e {
        CaseError::File(file) => {
            raise::<CaseError_>(py, &format!("{e}\n{}", file.render()), file.diagnostics())
        }
        other => raise::<CaseError_>(py, &other.to_string(), &[]),
    }
}

/// Compiles a policy set: the built-in policies, or a `.policy` file or
/// directory.
#[pyfunction]
#[pyo3(signature = (path=None))]
fn compile(py: Python<'_>, path: Option<std::path::PathBuf>) -> PyResult<Policy> {
    let compiled = py.detach(|| match &path {
        None => Compiled::builtin(),
        Some(p) => Compiled::from_path(p),
    });
    match compiled {
        Ok(policy) => Ok(Policy { policy }),
        Err(e) => Err(raise::<PolicyError>(
            py,
            &format!("{e}\n{}", e.render()),
            e.diagnostics(),
        )),
    }
}

/// A compiled policy set.
#[pyclass(frozen, module = "refuge")]
struct Policy {
    policy: Compiled,
}

fn format_of(name: &str) -> PyResult<CaseFormat> {
    match name.to_ascii_lowercase().as_str() {
        "json" => Ok(CaseFormat::Json),
        "yaml" | "yml" => Ok(CaseFormat::Yaml),
        "toml" => Ok(CaseFormat::Toml),
        other => Err(PyValueError::new_err(format!(
            "unknown case format `{other}`: use json, yaml or toml"
        ))),
    }
}

#[pymethods]
impl Policy {
    /// The digest of the policy text (as in every evaluation's `program`).
    #[getter]
    fn digest(&self) -> String {
        self.policy.digest().to_owned()
    }

    /// The verdict names, in declaration order.
    #[getter]
    fn verdicts(&self) -> Vec<String> {
        self.policy
            .verdicts()
            .iter()
            .map(|v| v.name().to_string())
            .collect()
    }

    /// The facts and settings: a list of dicts with `path`, `type`, `kind`,
    /// `label`, `setting` and (enums, sets) `variants`.
    fn facts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for f in self.policy.facts() {
            let d = PyDict::new(py);
            d.set_item("path", f.path().as_str())?;
            d.set_item("type", f.type_name())?;
            d.set_item("kind", format!("{:?}", f.kind()).to_lowercase())?;
            d.set_item("label", f.label())?;
            d.set_item("setting", f.is_setting())?;
            d.set_item("variants", f.variants().to_vec())?;
            list.append(d)?;
        }
        Ok(list)
    }

    /// The JSON Schema of case files for this policy set, as a dict.
    fn case_schema<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = self.policy.case_schema().to_string();
        py.import("json")?.call_method1("loads", (text,))
    }

    /// Evaluates one case (a dict shaped like a case file, or a case file's
    /// text) and returns the `refuge.evaluation/2` document as a dict; with
    /// `format="text"` or `"markdown"`, the rendering as a string.
    #[pyo3(signature = (case, *, case_format="json", verdicts=None, as_of=None, format="json"))]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        case: &Bound<'py, PyAny>,
        case_format: &str,
        verdicts: Option<Vec<String>>,
        as_of: Option<String>,
        format: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let json = py.import("json")?;
        let (text, case_format) = if let Ok(s) = case.cast::<PyString>() {
            (s.to_cow()?.into_owned(), format_of(case_format)?)
        } else {
            let text: String = json.call_method1("dumps", (case,))?.extract()?;
            (text, CaseFormat::Json)
        };
        if !matches!(format, "json" | "text" | "markdown") {
            return Err(PyValueError::new_err(format!(
                "unknown output format `{format}`: use json, text or markdown"
            )));
        }
        let format = format.to_owned();
        let result = py.detach(|| -> Result<String, Failure> {
            let case = self
                .policy
                .parse_case(&text, case_format)
                .map_err(Failure::Case)?;
            let mut evaluator = self.policy.evaluator();
            if let Some(v) = &verdicts {
                evaluator.ask(v).map_err(Failure::Case)?;
            }
            evaluator.as_of(as_of.as_deref()).map_err(Failure::Case)?;
            let evaluation = evaluator.evaluate(&case).map_err(Failure::Eval)?;
            Ok(match format.as_str() {
                "text" => evaluation.to_text(),
                "markdown" => evaluation.to_markdown(),
                _ => evaluation.to_json(),
            })
        });
        match result {
            Ok(out) if format == "json" => json.call_method1("loads", (out,)),
            Ok(out) => Ok(PyString::new(py, &out).into_any()),
            Err(f) => Err(f.into_py(py)),
        }
    }

    /// Evaluates one case per row of a `pyarrow.RecordBatch` or `Table` (or
    /// anything exporting the Arrow C stream or array interface, such as a
    /// Polars DataFrame): columns are named by fact path
    /// (`defector.nk_ties`), plus an optional `as_of` column, and typed per
    /// the policy's schema. Rows are evaluated in Rust across all cores.
    /// Returns a `pyarrow.RecordBatch` with one column per verdict (null:
    /// undetermined), and with `errors="column"` an `error` column instead of
    /// raising on the first row that fails.
    #[pyo3(signature = (data, *, verdicts=None, as_of=None, errors="raise"))]
    fn evaluate_arrow<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        verdicts: Option<Vec<String>>,
        as_of: Option<String>,
        errors: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let error_column = match errors {
            "raise" => false,
            "column" => true,
            other => {
                return Err(PyValueError::new_err(format!(
                    "errors must be \"raise\" or \"column\", not `{other}`"
                )))
            }
        };
        let batches: Vec<RecordBatch> = if data.hasattr("__arrow_c_array__")? {
            vec![RecordBatch::from_pyarrow_bound(data)?]
        } else {
            let table = arrow_pyarrow::Table::from_pyarrow_bound(data)?;
            table.into_inner().0
        };
        let out = py.detach(|| {
            let mut outs = Vec::new();
            let mut offset = 0usize;
            for batch in &batches {
                outs.push(evaluate_batch(
                    &self.policy,
                    batch,
                    verdicts.as_deref(),
                    as_of.as_deref(),
                    error_column,
                    offset,
                )?);
                offset += batch.num_rows();
            }
            concat(outs)
        });
        match out {
            Ok(batch) => batch.to_pyarrow(py),
            Err(f) => Err(f.into_py(py)),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "<refuge.Policy {} ({} verdicts)>",
            self.policy.digest(),
            self.policy.verdicts().len()
        )
    }
}

/// Why a call failed, carried out of the GIL-free section.
enum Failure {
    Case(CaseError),
    Eval(refuge::err::EvalError),
    Row(usize, Box<Failure>),
    Arrow(String),
}

impl Failure {
    fn into_py(self, py: Python<'_>) -> PyErr {
        match self {
            Failure::Case(e) => case_error(py, &e),
            Failure::Eval(e) => {
                raise::<EvalError>(py, &format!("{e}\n{}", e.render()), e.diagnostics())
            }
            Failure::Row(row, inner) => {
                let err = inner.into_py(py);
                let message = format!("row {row}: {}", err.value(py));
                let diagnostics = err.value(py).getattr("diagnostics").ok();
                let new = PyErr::from_type(err.get_type(py), message);
                if let Some(d) = diagnostics {
                    let _ = new.value(py).setattr("diagnostics", d);
                }
                new
            }
            Failure::Arrow(message) => PyValueError::new_err(message),
        }
    }

    fn message(&self) -> String {
        match self {
            Failure::Case(e) => e.to_string(),
            Failure::Eval(e) => e.to_string(),
            Failure::Row(row, inner) => format!("row {row}: {}", inner.message()),
            Failure::Arrow(m) => m.clone(),
        }
    }
}

/// How one input column is read.
struct Column {
    fact: Fact,
    array: ArrayRef,
}

/// The JSON value of row `row` of a column, written as a case file writes
/// it (`None`: null, the fact is missing).
fn cell(a: &ArrayRef, row: usize, name: &str) -> Result<Option<serde_json::Value>, String> {
    use serde_json::Value as J;
    if a.is_null(row) {
        return Ok(None);
    }
    let text = |s: &str| Ok(Some(J::String(s.to_owned())));
    Ok(Some(match a.data_type() {
        DataType::Boolean => J::Bool(a.as_boolean().value(row)),
        DataType::Int64 => J::from(a.as_primitive::<Int64Type>().value(row)),
        DataType::Int32 => J::from(a.as_primitive::<Int32Type>().value(row)),
        DataType::Int16 => J::from(a.as_primitive::<Int16Type>().value(row)),
        DataType::Int8 => J::from(a.as_primitive::<Int8Type>().value(row)),
        DataType::UInt32 => J::from(a.as_primitive::<UInt32Type>().value(row)),
        DataType::UInt16 => J::from(a.as_primitive::<UInt16Type>().value(row)),
        DataType::UInt8 => J::from(a.as_primitive::<UInt8Type>().value(row)),
        DataType::Float64 => J::from(
            a.as_primitive::<arrow_array::types::Float64Type>()
                .value(row),
        ),
        DataType::Utf8 => return text(a.as_string::<i32>().value(row)),
        DataType::LargeUtf8 => return text(a.as_string::<i64>().value(row)),
        DataType::Utf8View => return text(a.as_string_view().value(row)),
        DataType::Date32 => {
            let d = a.as_primitive::<Date32Type>().value(row);
            J::String(date_text(i64::from(d)))
        }
        DataType::Date64 => {
            let ms = a.as_primitive::<Date64Type>().value(row);
            J::String(date_text(ms.div_euclid(86_400_000)))
        }
        DataType::List(_) => list_cell(a.as_list::<i32>().value(row))?,
        DataType::LargeList(_) => list_cell(a.as_list::<i64>().value(row))?,
        other => {
            return Err(format!(
                "column `{name}` has the Arrow type {other}, which no fact is read from"
            ))
        }
    }))
}

/// A list of strings (a set of variant names).
fn list_cell(items: ArrayRef) -> Result<serde_json::Value, String> {
    let mut out = Vec::with_capacity(items.len());
    for i in 0..items.len() {
        if items.is_null(i) {
            continue;
        }
        let s = match items.data_type() {
            DataType::Utf8 => items.as_string::<i32>().value(i),
            DataType::LargeUtf8 => items.as_string::<i64>().value(i),
            DataType::Utf8View => items.as_string_view().value(i),
            other => return Err(format!("a set is a list of variant names, not of {other}")),
        };
        out.push(serde_json::Value::String(s.to_owned()));
    }
    Ok(serde_json::Value::Array(out))
}

/// Days since 1970-01-01 as `YYYY-MM-DD` (proleptic Gregorian).
fn date_text(days: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD` as days since 1970-01-01.
fn days_of(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Rows evaluated together by one task (amortises the scheduling).
const ROWS_PER_TASK: usize = 64;

fn evaluate_batch(
    policy: &Compiled,
    batch: &RecordBatch,
    verdicts: Option<&[String]>,
    as_of: Option<&str>,
    error_column: bool,
    offset: usize,
) -> Result<RecordBatch, Failure> {
    let schema = batch.schema();
    let mut columns = Vec::new();
    let mut as_of_column: Option<ArrayRef> = None;
    for (field, array) in schema.fields().iter().zip(batch.columns()) {
        if field.name() == "as_of" {
            as_of_column = Some(Arc::clone(array));
            continue;
        }
        let fact = policy.fact(field.name()).map_err(Failure::Case)?;
        columns.push(Column {
            fact,
            array: Arc::clone(array),
        });
    }
    // The verdicts: those asked for, else all.
    let asked: Vec<Verdict> = match verdicts {
        Some(names) => names
            .iter()
            .map(|n| policy.verdict(n))
            .collect::<Result<_, _>>()
            .map_err(Failure::Case)?,
        None => policy.verdicts(),
    };
    let names: Vec<String> = asked.iter().map(|v| v.name().to_string()).collect();
    // Set up once (the program is lowered once); each thread gets a clone
    // with its own working memory.
    let mut prepared = policy.evaluator();
    prepared.ask(&names).map_err(Failure::Case)?;
    prepared.as_of(as_of).map_err(Failure::Case)?;
    let rows = batch.num_rows();
    let as_of_text = |row: usize| -> Result<Option<String>, String> {
        let Some(a) = &as_of_column else {
            return Ok(None);
        };
        match cell(a, row, "as_of")? {
            Some(serde_json::Value::String(s)) => Ok(Some(s)),
            None => Ok(None),
            Some(other) => Err(format!("`as_of` must be a date, not {other}")),
        }
    };
    // One result per row: the values, or why not.
    type RowResult = Result<Vec<Option<OutValue>>, Failure>;
    let mut results: Vec<RowResult> = (0..rows)
        .into_par_iter()
        .with_min_len(ROWS_PER_TASK)
        .map_init(
            || prepared.clone(),
            |evaluator, row| -> RowResult {
                let fail = |f: Failure| Failure::Row(offset + row, Box::new(f));
                let mut case = policy.case();
                for column in &columns {
                    let value = cell(&column.array, row, column.fact.path().as_str())
                        .map_err(|m| fail(Failure::Arrow(m)))?;
                    if let Some(value) = value {
                        case.set_fact(&column.fact, value)
                            .map_err(|e| fail(Failure::Case(e)))?;
                    }
                }
                if let Some(date) = as_of_text(row).map_err(|m| fail(Failure::Arrow(m)))? {
                    case.as_of(&date).map_err(|e| fail(Failure::Case(e)))?;
                }
                let outcomes = evaluator
                    .outcomes(&case)
                    .map_err(|e| fail(Failure::Eval(e)))?;
                Ok(outcomes
                    .iter()
                    .map(|(_, v)| v.map(|v| OutValue::of(&v)))
                    .collect())
            },
        )
        .collect();
    if !error_column {
        if let Some(first) = results.iter().position(Result::is_err) {
            results.swap_remove(first)?;
        }
    }
    build_output(&asked, &results, error_column)
}

/// A verdict's value, kept as what its output column needs.
enum OutValue {
    Bool(bool),
    Integer(i64),
    Date(i64),
    Text(String),
}

impl OutValue {
    fn of(v: &refuge::Value<'_>) -> OutValue {
        match v.kind() {
            Kind::Bool => v
                .as_bool()
                .map_or_else(|| OutValue::Text(v.to_string()), OutValue::Bool),
            Kind::Integer => v
                .as_i64()
                .map_or_else(|| OutValue::Text(v.to_string()), OutValue::Integer),
            Kind::Date => v.as_ymd().map_or_else(
                || OutValue::Text(v.to_string()),
                |(y, m, d)| OutValue::Date(days_of(i64::from(y), i64::from(m), i64::from(d))),
            ),
            Kind::Enum => {
                OutValue::Text(v.as_variant().map_or_else(|| v.to_string(), str::to_owned))
            }
            _ => match v.to_json() {
                serde_json::Value::String(s) => OutValue::Text(s),
                other => OutValue::Text(other.to_string()),
            },
        }
    }
}

/// The output batch: one column per verdict, typed by the verdict's kind.
fn build_output(
    asked: &[Verdict],
    results: &[Result<Vec<Option<OutValue>>, Failure>],
    error_column: bool,
) -> Result<RecordBatch, Failure> {
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (i, verdict) in asked.iter().enumerate() {
        fn at(r: &Result<Vec<Option<OutValue>>, Failure>, i: usize) -> Option<&OutValue> {
            r.as_ref()
                .ok()
                .and_then(|values| values.get(i))
                .and_then(Option::as_ref)
        }
        let name = verdict.name().to_string();
        let (data_type, array): (DataType, ArrayRef) = match verdict.kind() {
            Kind::Bool => {
                let mut b = BooleanBuilder::with_capacity(results.len());
                for r in results {
                    b.append_option(match at(r, i) {
                        Some(OutValue::Bool(v)) => Some(*v),
                        _ => None,
                    });
                }
                (DataType::Boolean, Arc::new(b.finish()))
            }
            Kind::Integer => {
                let mut b = Int64Builder::with_capacity(results.len());
                for r in results {
                    b.append_option(match at(r, i) {
                        Some(OutValue::Integer(v)) => Some(*v),
                        _ => None,
                    });
                }
                (DataType::Int64, Arc::new(b.finish()))
            }
            Kind::Date => {
                let mut b = Date32Builder::with_capacity(results.len());
                for r in results {
                    b.append_option(match at(r, i) {
                        Some(OutValue::Date(v)) => i32::try_from(*v).ok(),
                        _ => None,
                    });
                }
                (DataType::Date32, Arc::new(b.finish()))
            }
            _ => {
                let mut b = StringBuilder::new();
                for r in results {
                    b.append_option(match at(r, i) {
                        Some(OutValue::Text(v)) => Some(v.as_str()),
                        _ => None,
                    });
                }
                (DataType::Utf8, Arc::new(b.finish()))
            }
        };
        fields.push(Field::new(name, data_type, true));
        arrays.push(array);
    }
    if error_column {
        let mut b = StringBuilder::new();
        for r in results {
            b.append_option(r.as_ref().err().map(Failure::message));
        }
        fields.push(Field::new("error", DataType::Utf8, true));
        arrays.push(Arc::new(b.finish()));
    }
    let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(results.len()));
    RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), arrays, &options)
        .map_err(|e| Failure::Arrow(e.to_string()))
}

/// The output batches of a table's batches, as one batch.
fn concat(batches: Vec<RecordBatch>) -> Result<RecordBatch, Failure> {
    let mut iter = batches.into_iter();
    let Some(first) = iter.next() else {
        return Err(Failure::Arrow("the table has no batches".into()));
    };
    let rest: Vec<RecordBatch> = iter.collect();
    if rest.is_empty() {
        return Ok(first);
    }
    let schema = first.schema();
    let mut columns: Vec<Vec<ArrayRef>> = first
        .columns()
        .iter()
        .map(|c| vec![Arc::clone(c)])
        .collect();
    for b in &rest {
        for (all, c) in columns.iter_mut().zip(b.columns()) {
            all.push(Arc::clone(c));
        }
    }
    let arrays = columns
        .into_iter()
        .map(|parts| {
            let refs: Vec<&dyn Array> = parts.iter().map(|a| a.as_ref()).collect();
            arrow_select_concat(&refs)
        })
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(schema, arrays).map_err(|e| Failure::Arrow(e.to_string()))
}

/// Concatenates arrays of one type (the output types only).
fn arrow_select_concat(parts: &[&dyn Array]) -> Result<ArrayRef, Failure> {
    let Some(first) = parts.first() else {
        return Err(Failure::Arrow("nothing to concatenate".into()));
    };
    Ok(match first.data_type() {
        DataType::Boolean => {
            let mut b = BooleanBuilder::new();
            for p in parts {
                b.extend(p.as_boolean().iter());
            }
            Arc::new(b.finish())
        }
        DataType::Int64 => {
            let mut b = Int64Builder::new();
            for p in parts {
                b.extend(p.as_primitive::<Int64Type>().iter());
            }
            Arc::new(b.finish())
        }
        DataType::Date32 => {
            let mut b = Date32Builder::new();
            for p in parts {
                b.extend(p.as_primitive::<Date32Type>().iter());
            }
            Arc::new(b.finish())
        }
        _ => {
            let mut b = StringBuilder::new();
            for p in parts {
                for v in p.as_string::<i32>().iter() {
                    b.append_option(v);
                }
            }
            Arc::new(b.finish())
        }
    })
}

/// The extension module `refuge._refuge` (re-exported by the `refuge` package).
#[pymodule]
fn _refuge(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_function(wrap_pyfunction!(compile, m)?)?;
    m.add_class::<Policy>()?;
    m.add("RefugeError", py.get_type::<RefugeError>())?;
    m.add("PolicyError", py.get_type::<PolicyError>())?;
    m.add("CaseError", py.get_type::<CaseError_>())?;
    m.add("EvalError", py.get_type::<EvalError>())?;
    Ok(())
}
