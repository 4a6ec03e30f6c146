//! The handlers of the single-request routes.

use super::{Problem, State};
use crate::case::{load_case, CaseFormat};
use crate::compile::{compile, ErrorFormat};
use crate::eval::{EvalError, Options};
use crate::source::SourceMap;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, RawQuery};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;

type AppState = axum::extract::State<Arc<State>>;

/// The output formats of `/v1/evaluate`.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum OutputFormat {
    /// `refuge.evaluation/2` (as `refuge eval --format json`).
    #[default]
    Json,
    /// Terminal text (as `refuge eval`).
    Text,
    /// A Markdown memo (as `refuge eval --format markdown`).
    Markdown,
}

/// The syntax of a case in a request.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum InputFormat {
    /// JSON.
    Json,
    /// YAML.
    Yaml,
    /// TOML.
    Toml,
}

impl From<InputFormat> for CaseFormat {
    fn from(f: InputFormat) -> Self {
        match f {
            InputFormat::Json => CaseFormat::Json,
            InputFormat::Yaml => CaseFormat::Yaml,
            InputFormat::Toml => CaseFormat::Toml,
        }
    }
}

/// The options of an evaluation, in the query string (`?format=markdown&verdicts=a,b&as_of=2003-01-15`)
/// or in a JSON body that wraps the case (`{"case": …, "format": …}`).
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct EvalOptions {
    /// Output: `json` (default), `text` or `markdown`.
    pub format: Option<OutputFormat>,
    /// The syntax of the case (default: from the Content-Type, else JSON).
    pub case_format: Option<InputFormat>,
    /// The verdicts to evaluate, comma-separated in a query (default: those
    /// the case asks for, else all).
    #[serde(default, deserialize_with = "names")]
    #[param(value_type = Option<String>)]
    #[schema(value_type = Option<Vec<String>>)]
    pub verdicts: Option<Vec<String>>,
    /// Apply the law as of this date, `YYYY-MM-DD` (overrides the case's `as_of`).
    pub as_of: Option<String>,
    /// With `format=text`: the decisive derivation of each verdict too.
    pub explain: Option<bool>,
    /// `/v1/evaluate/batch` only, as `refuge eval CASES.jsonl --output`:
    /// `full` (default: the whole evaluation), `verdicts` (per verdict the
    /// outcome, decisive facts, citations and missing facts) or `values`
    /// (each verdict's value only, the fastest).
    pub output: Option<BatchOutput>,
}

/// What each line of a batch's output holds (`refuge eval --output`).
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum BatchOutput {
    /// The verdicts' values (`null`: undetermined).
    Values,
    /// Per verdict: outcome, decisive facts, citations, missing facts.
    Verdicts,
    /// The whole evaluation, `refuge.evaluation/2`.
    Full,
}

impl From<BatchOutput> for crate::batch::Output {
    fn from(o: BatchOutput) -> Self {
        match o {
            BatchOutput::Values => crate::batch::Output::Values,
            BatchOutput::Verdicts => crate::batch::Output::Verdicts,
            BatchOutput::Full => crate::batch::Output::Full,
        }
    }
}

/// Verdict names: a list, or one comma-separated string.
fn names<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Names {
        List(Vec<String>),
        One(String),
    }
    Ok(match Option::<Names>::deserialize(d)? {
        None => None,
        Some(Names::List(list)) => Some(list),
        Some(Names::One(s)) => Some(
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
    })
}

impl EvalOptions {
    /// Options given both ways: the body's win where both say something.
    fn or(self, other: EvalOptions) -> EvalOptions {
        EvalOptions {
            format: self.format.or(other.format),
            case_format: self.case_format.or(other.case_format),
            verdicts: self.verdicts.or(other.verdicts),
            as_of: self.as_of.or(other.as_of),
            explain: self.explain.or(other.explain),
            output: self.output.or(other.output),
        }
    }
}

/// A JSON body that wraps a case with options.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wrapped {
    case: serde_json::Value,
    #[serde(flatten)]
    options: EvalOptions,
}

/// The query string's options, or a 400 saying what is wrong with it.
pub(crate) fn query_options(raw: Option<&str>) -> Result<EvalOptions, Problem> {
    let raw = raw.unwrap_or("");
    Query::<EvalOptions>::try_from_uri(
        &format!("/?{raw}")
            .parse()
            .map_err(|_| bad_request("the query string is not a valid URI query".into()))?,
    )
    .map(|q| q.0)
    .map_err(|e| bad_request(format!("bad query string: {}", e.body_text())))
}

pub(crate) fn bad_request(message: String) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "refuge::serve::bad_request",
        message,
        Some("the options are format (json, text, markdown), case_format (json, yaml, toml), verdicts (comma-separated names), as_of (YYYY-MM-DD) explain (true, false) and, for a batch, output (values, verdicts, full)"),
    )
}

/// A body rejected by the size limit (413) or unreadable (400).
pub(crate) fn body_problem(rejection: &BytesRejection, limit: usize) -> Problem {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "refuge::serve::body_limit",
            format!("the request body is larger than the limit of {limit} bytes"),
            Some("split the input, or start the service with a larger `--max-body`"),
        )
    } else {
        bad_request(format!(
            "cannot read the request body: {}",
            rejection.body_text()
        ))
    }
}

/// The case format a Content-Type names, if it names one.
pub(crate) fn format_of(headers: &HeaderMap) -> Option<CaseFormat> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let mime = value.split(';').next()?.trim().to_ascii_lowercase();
    match mime.as_str() {
        "application/json" | "application/x-ndjson" | "application/jsonl" => Some(CaseFormat::Json),
        "application/yaml" | "application/x-yaml" | "text/yaml" | "text/x-yaml" => {
            Some(CaseFormat::Yaml)
        }
        "application/toml" | "text/toml" => Some(CaseFormat::Toml),
        _ => None,
    }
}

/// Resolves the options against the program: verdict names and the date.
pub(crate) fn resolve(state: &State, options: &EvalOptions) -> Result<Options, Problem> {
    let as_of = match &options.as_of {
        None => None,
        Some(text) => Some(crate::value::parse_date(text).map_err(|e| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "refuge::serve::bad_request",
                format!("`as_of` is not a date: {e}"),
                Some("write the date as YYYY-MM-DD, such as 2003-01-15"),
            )
        })?),
    };
    let names = options.verdicts.as_deref().unwrap_or(&[]);
    state
        .engine
        .options(as_of, names)
        .map_err(|e| Problem::diagnostic(StatusCode::BAD_REQUEST, &e))
}

/// Renders an evaluation error as the CLI does (with the policy's text).
pub(crate) fn eval_problem(state: &State, mut error: EvalError) -> Problem {
    if let EvalError::Conflict(c) = &mut error {
        for related in &mut c.other {
            related.src = Some(state.sources.named_source(related.span.file));
        }
    }
    let file = error.span().map(|s| s.file).unwrap_or_default();
    let text = crate::compile::render_one(&state.sources, file, error, ErrorFormat::Json);
    Problem {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        diagnostics: super::json_lines(&text),
    }
}

/// Runs `work` on the evaluation pool and waits for it without blocking the
/// HTTP workers.
pub(crate) async fn on_pool<T: Send + 'static>(
    state: &Arc<State>,
    work: impl FnOnce(&State) -> T + Send + 'static,
) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let shared = Arc::clone(state);
    state.pool.spawn(move || {
        let _ = tx.send(work(&shared));
    });
    rx.await.ok()
}

/// Evaluates one case.
#[utoipa::path(
    post,
    path = "/v1/evaluate",
    params(EvalOptions),
    request_body(
        description = "A case file (JSON, YAML or TOML; see /v1/schema/case), or JSON `{\"case\": CASE, \"format\": …, \"verdicts\": […], \"as_of\": …}` where CASE is a case object or the text of one",
        content(
            (serde_json::Value = "application/json"),
            (String = "application/yaml"),
            (String = "application/toml"),
        ),
    ),
    responses(
        (status = 200, description = "The evaluation: refuge.evaluation/2 JSON (docs/evaluation.schema.json), or text, or Markdown. The header `refuge-all-decided` says whether every verdict was decided.",
            content((serde_json::Value = "application/json"), (String = "text/plain"), (String = "text/markdown"))),
        (status = 400, description = "Bad options (an unknown verdict, a bad date or format)", body = ProblemBody),
        (status = 413, description = "The body is over the size limit", body = ProblemBody),
        (status = 408, description = "The request took longer than the time limit", body = ProblemBody),
        (status = 422, description = "The case does not load, or the evaluation fails (a conflict between rules, an arithmetic error): the CLI's JSON diagnostics", body = ProblemBody),
    ),
)]
pub(crate) async fn evaluate(
    axum::extract::State(state): AppState,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match evaluate_inner(state, query, headers, body).await {
        Ok(response) => response,
        Err(problem) => problem.into_response(),
    }
}

async fn evaluate_inner(
    state: Arc<State>,
    query: Option<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let body = body.map_err(|r| body_problem(&r, state.config.max_body))?;
    let mut options = query_options(query.as_deref())?;
    let text = String::from_utf8(body.to_vec()).map_err(|_| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "refuge::serve::bad_request",
            "the request body is not UTF-8".into(),
            Some("send the case as UTF-8 text"),
        )
    })?;
    let mut case_format = format_of(&headers);
    // A JSON object with a `case` key wraps the case with options (a case
    // file has no such key).
    let mut text = text;
    if case_format.unwrap_or(CaseFormat::Json) == CaseFormat::Json && options.case_format.is_none()
    {
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(&text) {
            if map.contains_key("case") {
                let wrapped: Wrapped = serde_json::from_value(serde_json::Value::Object(map))
                    .map_err(|e| bad_request(format!("bad request body: {e}")))?;
                options = wrapped.options.or(options);
                text = match wrapped.case {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                case_format = None;
            }
        }
    }
    let case_format = options
        .case_format
        .map(CaseFormat::from)
        .or(case_format)
        .unwrap_or(CaseFormat::Json);
    if options.output.is_some() {
        return Err(bad_request(
            "`output` is an option of /v1/evaluate/batch; here, use `format`".into(),
        ));
    }
    let resolved = resolve(&state, &options)?;
    let format = options.format.unwrap_or_default();
    let explain = options.explain.unwrap_or(false);
    let result = on_pool(&state, move |state| {
        let program = state.program();
        let case = load_case(program, "<request>", &text, case_format)
            .map_err(|e| Problem::diagnostic(StatusCode::UNPROCESSABLE_ENTITY, &e))?;
        let evaluation = state
            .engine
            .evaluate(&case, &resolved)
            .map_err(|e| eval_problem(state, e))?;
        let mut rendered = match format {
            OutputFormat::Json => evaluation.to_json(),
            OutputFormat::Text if explain => crate::explain::to_text_explained(&evaluation, false),
            OutputFormat::Text => crate::explain::to_text(&evaluation, false),
            OutputFormat::Markdown => crate::explain::to_markdown(&evaluation),
        };
        // As the CLI prints it: the rendering and a line end.
        rendered.push('\n');
        Ok::<_, Problem>((rendered, evaluation.all_decided()))
    })
    .await
    .ok_or_else(|| {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "refuge::serve::unavailable",
            "the evaluation was cut short".into(),
            None,
        )
    })?;
    let (rendered, decided) = result?;
    let content_type = match format {
        OutputFormat::Json => "application/json",
        OutputFormat::Text => "text/plain; charset=utf-8",
        OutputFormat::Markdown => "text/markdown; charset=utf-8",
    };
    let mut response = rendered.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        "refuge-all-decided",
        HeaderValue::from_static(if decided { "true" } else { "false" }),
    );
    Ok(response)
}

/// The body of `/v1/check`: one policy file's text, or JSON naming several.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckFiles {
    /// Policy files by name (`kr/act.policy`): the name gives the module.
    files: std::collections::BTreeMap<String, String>,
}

/// The answer of `/v1/check`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct CheckReport {
    /// No errors (warnings allowed).
    ok: bool,
    /// How many errors.
    errors: usize,
    /// How many warnings.
    warnings: usize,
    /// Each diagnostic as `refuge check --error-format json` prints it.
    #[schema(value_type = Vec<Object>)]
    diagnostics: Vec<serde_json::Value>,
}

/// The error body of every route.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ProblemBody {
    /// The HTTP status.
    status: u16,
    /// Each diagnostic as the CLI prints it with `--error-format json`:
    /// message, code (`refuge::…`, docs/errors.md), severity, help, labels
    /// with spans, related diagnostics.
    #[schema(value_type = Vec<Object>)]
    diagnostics: Vec<serde_json::Value>,
}

/// Checks policies.
#[utoipa::path(
    post,
    path = "/v1/check",
    request_body(
        description = "The text of one policy file (any Content-Type but JSON; `?name=kr/act.policy` names it), or JSON `{\"files\": {NAME: TEXT, …}}`",
        content((String = "text/plain"), (CheckFiles = "application/json")),
    ),
    params(("name" = Option<String>, Query, description = "The file name of a single policy text (default `policy.policy`)")),
    responses(
        (status = 200, description = "The diagnostics, as `refuge check --error-format json`", body = CheckReport),
        (status = 400, description = "The body is neither policy text nor `{\"files\": …}`", body = ProblemBody),
        (status = 413, description = "The body is over the size limit", body = ProblemBody),
    ),
)]
pub(crate) async fn check(
    axum::extract::State(state): AppState,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(r) => return body_problem(&r, state.config.max_body).into_response(),
    };
    let Ok(text) = String::from_utf8(body.to_vec()) else {
        return bad_request("the request body is not UTF-8".into()).into_response();
    };
    let mut sources = SourceMap::new();
    if format_of(&headers) == Some(CaseFormat::Json) {
        match serde_json::from_str::<CheckFiles>(&text) {
            Ok(files) if !files.files.is_empty() => {
                for (name, text) in files.files {
                    sources.add(name, text);
                }
            }
            Ok(_) => return bad_request("`files` names no file".into()).into_response(),
            Err(e) => {
                return bad_request(format!("bad request body: {e}")).into_response();
            }
        }
    } else {
        #[derive(Deserialize)]
        struct Name {
            name: Option<String>,
        }
        let name = Query::<Name>::try_from_uri(
            &format!("/?{}", query.unwrap_or_default())
                .parse()
                .unwrap_or_default(),
        )
        .ok()
        .and_then(|q| q.0.name)
        .unwrap_or_else(|| "policy.policy".into());
        sources.add(name, text);
    }
    let report = on_pool(&state, move |_| {
        let (errors, warnings, rendered) = match compile(&sources) {
            Ok(compiled) => (
                0,
                compiled.warnings.len(),
                crate::compile::render_all(
                    &sources,
                    &[],
                    &[],
                    &compiled.warnings,
                    ErrorFormat::Json,
                ),
            ),
            Err(d) => (
                d.error_count(),
                d.warnings.len(),
                d.render(&sources, ErrorFormat::Json),
            ),
        };
        CheckReport {
            ok: errors == 0,
            errors,
            warnings,
            diagnostics: super::json_lines(&rendered),
        }
    })
    .await;
    match report {
        Some(report) => axum::Json(report).into_response(),
        None => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// The JSON Schema of case files for the policies served.
#[utoipa::path(
    get,
    path = "/v1/schema/case",
    responses((status = 200, description = "JSON Schema 2020-12, as `refuge schema case`", content_type = "application/schema+json", body = Object)),
)]
pub(crate) async fn case_schema(axum::extract::State(state): AppState) -> Response {
    (
        [(header::CONTENT_TYPE, "application/schema+json")],
        state.case_schema.clone(),
    )
        .into_response()
}

/// Liveness.
#[utoipa::path(
    get,
    path = "/healthz",
    responses((status = 200, description = "The service is up", body = Health)),
)]
pub(crate) async fn healthz(axum::extract::State(state): AppState) -> Response {
    let program = state.program();
    axum::Json(Health {
        status: "ok".into(),
        program: program.digest.clone(),
        verdicts: program.verdicts().count(),
    })
    .into_response()
}

/// The answer of `/healthz`.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Health {
    /// `ok`.
    status: String,
    /// The digest of the policies served (as in every evaluation's `program`).
    program: String,
    /// How many verdicts they define.
    verdicts: usize,
}

/// Any other path.
pub(crate) async fn not_found(uri: axum::http::Uri) -> Response {
    Problem::new(
        StatusCode::NOT_FOUND,
        "refuge::serve::not_found",
        format!("no route `{}`", uri.path()),
        Some("the routes are listed at /openapi.json"),
    )
    .into_response()
}

/// A known path with another method.
pub(crate) async fn method_not_allowed(
    method: axum::http::Method,
    uri: axum::http::Uri,
) -> Response {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "refuge::serve::method",
        format!("`{}` does not take {method}", uri.path()),
        Some("the routes and their methods are listed at /openapi.json"),
    )
    .into_response()
}
