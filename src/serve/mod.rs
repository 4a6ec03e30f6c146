//! `refuge serve`: an HTTP/1.1 + JSON service over one compiled policy set.
//!
//! | route | does |
//! |---|---|
//! | `POST /v1/evaluate` | one case (JSON, YAML or TOML) → its evaluation (JSON, text or Markdown) |
//! | `POST /v1/evaluate/batch` | NDJSON cases → NDJSON evaluations, streamed in order |
//! | `POST /v1/check` | policy text → its diagnostics (as `refuge check --error-format json`) |
//! | `GET /v1/schema/case` | the JSON Schema of case files for the policies served |
//! | `GET /healthz` | liveness, with the program digest |
//! | `GET /openapi.json` | the OpenAPI 3.1 document of these routes |
//!
//! The policies are compiled once, at start. Evaluation is CPU work: it runs
//! on a rayon pool sized to the cores (a batch spreads its lines over it),
//! so the tokio workers only move bytes. Every request has a size and a time
//! limit. Input that is wrong in any way gets a 4xx whose body holds the same
//! JSON diagnostics the CLI prints with `--error-format json`. SIGTERM (or
//! Ctrl-C) stops accepting connections and lets the requests in flight
//! finish.

mod batch;
mod handlers;
mod openapi;

use crate::compile::{render_diagnostic, Compiled, ErrorFormat};
use crate::eval::Engine;
use crate::source::SourceMap;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The default largest request body: a case file's own limit (8 MiB).
pub const DEFAULT_MAX_BODY: usize = 8 * 1024 * 1024;

/// How the service is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen (port 0: any free port; the one bound is printed).
    pub addr: SocketAddr,
    /// The largest request body, in bytes (a batch: per line).
    pub max_body: usize,
    /// The largest batch body, in bytes.
    pub max_batch: usize,
    /// How long one request may take, reading its body included (a batch:
    /// the whole stream).
    pub timeout: Duration,
    /// Threads evaluating cases (0: one per core).
    pub threads: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_body: DEFAULT_MAX_BODY,
            max_batch: 256 * 1024 * 1024,
            timeout: Duration::from_secs(30),
            threads: 0,
        }
    }
}

/// The stack of every thread that evaluates: as the CLI's (nesting is
/// limited before any recursive phase; this is a margin).
const STACK_BYTES: usize = 64 * 1024 * 1024;

/// What every request shares: the program (compiled once, for the life of
/// the process), its engine, and the documents served as they are.
pub(crate) struct State {
    pub sources: SourceMap,
    pub engine: Engine<'static>,
    pub config: Config,
    pub case_schema: String,
    pub pool: rayon::ThreadPool,
}

impl State {
    pub fn program(&self) -> &'static crate::ir::Program {
        self.engine.program()
    }
}

/// Runs the service until SIGTERM or Ctrl-C; `ready` is called with the
/// address bound once it accepts connections.
pub fn run(
    sources: SourceMap,
    compiled: Compiled,
    config: Config,
    ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    // The program lives as long as the process serves: leaking it once gives
    // every request a plain borrow, with no reference counting per case.
    let program: &'static crate::ir::Program = Box::leak(Box::new(compiled.program));
    let engine = Engine::new(program);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.threads)
        .stack_size(STACK_BYTES)
        .thread_name(|i| format!("refuge-eval-{i}"))
        .build()
        .map_err(std::io::Error::other)?;
    let case_schema =
        serde_json::to_string_pretty(&crate::schema::case_schema(program)).unwrap_or_default();
    let state = Arc::new(State {
        sources,
        engine,
        config: config.clone(),
        case_schema,
        pool,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(STACK_BYTES)
        .thread_name("refuge-http")
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        ready(listener.local_addr()?);
        axum::serve(listener, router(state))
            .with_graceful_shutdown(shutdown_signal())
            .await
    })
}

/// The routes, with the limits.
fn router(state: Arc<State>) -> Router {
    let timeout = state.config.timeout;
    let max_body = state.config.max_body;
    let max_batch = state.config.max_batch;
    let single = Router::new()
        .route("/v1/evaluate", post(handlers::evaluate))
        .route("/v1/check", post(handlers::check))
        .layer(DefaultBodyLimit::max(max_body));
    let batch = Router::new()
        .route("/v1/evaluate/batch", post(batch::evaluate_batch))
        .layer(DefaultBodyLimit::max(max_batch));
    Router::new()
        .merge(single)
        .merge(batch)
        .route("/v1/schema/case", get(handlers::case_schema))
        .route("/healthz", get(handlers::healthz))
        .route("/openapi.json", get(openapi::document))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(axum::middleware::from_fn(move |req, next| {
            limit_time(timeout, req, next)
        }))
        .with_state(state)
}

/// The time limit: a request not answered in time gets 408 (its body read
/// included; a batch's stream carries its own deadline).
async fn limit_time(
    timeout: Duration,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => Problem::new(
            StatusCode::REQUEST_TIMEOUT,
            "refuge::serve::timeout",
            format!(
                "the request was not answered within {} s",
                timeout.as_secs_f64()
            ),
            Some("send a smaller request, or start the service with a longer `--timeout`"),
        )
        .into_response(),
    }
}

/// SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// An error response: a status and the JSON diagnostics, each an object as
/// `--error-format json` prints it.
#[derive(Debug)]
pub(crate) struct Problem {
    pub status: StatusCode,
    pub diagnostics: Vec<serde_json::Value>,
}

impl Problem {
    /// A problem with no source span, shaped as the CLI's span-less errors.
    pub fn new(status: StatusCode, code: &str, message: String, help: Option<&str>) -> Self {
        Problem {
            status,
            diagnostics: vec![serde_json::json!({
                "message": message,
                "code": code,
                "severity": "error",
                "causes": [],
                "help": help,
                "labels": [],
                "related": [],
            })],
        }
    }

    /// A problem from a self-contained diagnostic.
    pub fn diagnostic(status: StatusCode, diagnostic: &dyn miette::Diagnostic) -> Self {
        Problem {
            status,
            diagnostics: json_lines(&render_diagnostic(diagnostic, ErrorFormat::Json)),
        }
    }
}

/// The JSON objects of `--error-format json` output (one per line).
pub(crate) fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| serde_json::Value::String(l.into())))
        .collect()
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "status": self.status.as_u16(),
            "diagnostics": self.diagnostics,
        });
        (self.status, axum::Json(body)).into_response()
    }
}
