//! `POST /v1/evaluate/batch`: NDJSON in, NDJSON out, streamed.
//!
//! The body is read as it arrives and cut into lines; every [`CHUNK`] lines
//! are evaluated in parallel on the evaluation pool (each pool thread reusing
//! one derivation graph's memory), and their results written out in input
//! order before the next chunk is read. A client therefore sees its first
//! evaluations while it is still sending, and memory stays bounded by a
//! chunk whatever the batch's length. Each line gives one line out, as
//! `refuge eval CASES.jsonl --output …` prints it (both write through the
//! library's [`Batch`]): the compact evaluation (or verdicts, or values), or
//! `{"line": N, "error": [messages]}`.
//! Blank lines give nothing. A problem with the stream itself (over the size
//! or time limit, a broken connection) ends it with one such record whose
//! `line` is the last line read, and which also holds the problem's JSON
//! diagnostics (`"diagnostics": […]`, with its code).

use super::handlers::{query_options, resolve};
use super::{Problem, State};
use crate::batch::{Batch, Output, Worker};
use crate::case::CaseFormat;
use axum::body::{Body, Bytes};
use axum::extract::RawQuery;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt as _;
use rayon::prelude::*;
use std::sync::Arc;

/// How many lines are evaluated together.
const CHUNK: usize = 256;

/// One line of input: its number and its text (or why it has none).
type Line = (usize, Result<String, String>);

/// Evaluates a batch of cases.
#[utoipa::path(
    post,
    path = "/v1/evaluate/batch",
    params(super::handlers::EvalOptions),
    request_body(description = "One JSON case per line (NDJSON)", content((String = "application/x-ndjson"))),
    responses(
        (status = 200, description = "One line per non-blank input line, in order, as `refuge eval CASES.jsonl --output OUTPUT` prints it: a compact refuge.evaluation/2 document (or the verdicts, or the values), or {\"line\": N, \"error\": [...]}; a stream cut short (time or size limit) ends with such a record that also carries the JSON diagnostics", content((String = "application/x-ndjson"))),
        (status = 400, description = "Bad options (an unknown verdict, a bad date)", body = super::handlers::ProblemBody),
    ),
)]
pub(crate) async fn evaluate_batch(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    RawQuery(query): RawQuery,
    body: Body,
) -> Response {
    let options = match query_options(query.as_deref()).and_then(|o| {
        let output = o.output.map_or(Output::Full, Output::from);
        if matches!(o.format, Some(f) if f != super::handlers::OutputFormat::Json)
            || matches!(o.case_format, Some(f) if f != super::handlers::InputFormat::Json)
        {
            Err(super::handlers::bad_request(
                "a batch is JSON lines in and JSON lines out".into(),
            ))
        } else {
            resolve(&state, &o).map(|r| (r, output))
        }
    }) {
        Ok(o) => o,
        Err(problem) => return problem.into_response(),
    };
    let (options, output) = options;
    let batch = Arc::new(Batch::new(state.engine.clone(), options, output));
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(pump(state, batch, body, tx));
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    (
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(stream),
    )
        .into_response()
}

/// Reads the body, evaluates it chunk by chunk, sends the output.
async fn pump(
    state: Arc<State>,
    batch: Arc<Batch<'static>>,
    body: Body,
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
) {
    let deadline = tokio::time::Instant::now() + state.config.timeout;
    let max_line = state.config.max_body;
    let max_batch = state.config.max_batch;
    let mut input = body.into_data_stream();
    let mut partial: Vec<u8> = Vec::new();
    let mut too_long = false;
    let mut number = 0usize;
    let mut total = 0usize;
    let mut lines: Vec<Line> = Vec::new();
    let mut last: Option<Problem> = None;
    loop {
        let next = tokio::time::timeout_at(deadline, input.next()).await;
        let bytes = match next {
            Err(_) => {
                last = Some(Problem::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "refuge::serve::timeout",
                    format!(
                        "the batch was not read within {} s; the lines before were evaluated",
                        state.config.timeout.as_secs_f64()
                    ),
                    Some("send smaller batches, or start the service with a longer `--timeout`"),
                ));
                break;
            }
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                last = Some(super::handlers::bad_request(format!(
                    "cannot read the request body: {e}"
                )));
                break;
            }
            Ok(Some(Ok(bytes))) => bytes,
        };
        total = total.saturating_add(bytes.len());
        if total > max_batch {
            last = Some(Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "refuge::serve::body_limit",
                format!("the batch is larger than the limit of {max_batch} bytes; the lines before were evaluated"),
                Some("split the batch, or start the service with a larger `--max-batch`"),
            ));
            break;
        }
        let mut rest: &[u8] = &bytes;
        while !rest.is_empty() {
            match rest.iter().position(|b| *b == b'\n') {
                Some(end) => {
                    let (head, tail) = rest.split_at(end);
                    number += 1;
                    if !too_long && partial.len() + head.len() <= max_line {
                        partial.extend_from_slice(head);
                        lines.push((number, text_of(&partial, number)));
                    } else {
                        lines.push((number, Err(line_too_long(max_line))));
                    }
                    partial.clear();
                    too_long = false;
                    rest = tail.get(1..).unwrap_or(&[]);
                }
                None => {
                    if partial.len() + rest.len() > max_line {
                        too_long = true;
                        partial.clear();
                    } else if !too_long {
                        partial.extend_from_slice(rest);
                    }
                    rest = &[];
                }
            }
        }
        if lines.len() >= CHUNK {
            let chunk = std::mem::take(&mut lines);
            if !send_chunk(&state, &batch, chunk, &tx).await {
                return;
            }
        }
    }
    if last.is_none() && (!partial.is_empty() || too_long) {
        number += 1;
        if too_long {
            lines.push((number, Err(line_too_long(max_line))));
        } else {
            lines.push((number, text_of(&partial, number)));
        }
    }
    if !lines.is_empty() && !send_chunk(&state, &batch, lines, &tx).await {
        return;
    }
    if let Some(problem) = last {
        let messages: Vec<String> = problem
            .diagnostics
            .iter()
            .filter_map(|d| d["message"].as_str().map(str::to_owned))
            .collect();
        let record = error_record(number, &messages, Some(&problem.diagnostics));
        let _ = tx.send(Ok(Bytes::from(format!("{record}\n")))).await;
    }
}

fn line_too_long(max: usize) -> String {
    format!("the line is longer than the limit of {max} bytes")
}

/// A line as text: UTF-8, without a BOM on the first line.
fn text_of(bytes: &[u8], number: usize) -> Result<String, String> {
    let bytes = if number == 1 {
        bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
    } else {
        bytes
    };
    crate::source::text_from_bytes(bytes.to_vec()).map_err(|e| e.to_string())
}

/// Evaluates a chunk on the pool and sends its output; false if the client
/// has gone.
async fn send_chunk(
    state: &Arc<State>,
    batch: &Arc<Batch<'static>>,
    chunk: Vec<Line>,
    tx: &tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> bool {
    let batch = Arc::clone(batch);
    let out = super::handlers::on_pool(state, move |_| evaluate_chunk(&batch, &chunk)).await;
    match out {
        Some(bytes) => tx.send(Ok(Bytes::from(bytes))).await.is_ok(),
        None => false,
    }
}

/// Lines handed to one pool task at a time (as the CLI's batch).
const LINES_PER_TASK: usize = 64;

/// The output lines of a chunk, in order, evaluated in parallel by the
/// library's [`Batch`] (each pool thread with its own [`Worker`]): the lines
/// `refuge eval CASES.jsonl` prints for the same input.
fn evaluate_chunk(batch: &Batch<'_>, chunk: &[Line]) -> Vec<u8> {
    let parts: Vec<Vec<u8>> = chunk
        .par_chunks(LINES_PER_TASK)
        .map_init(Worker::new, |worker, task| {
            let mut out = Vec::with_capacity(task.len() * 256);
            for (number, line) in task {
                match line {
                    Ok(line) if line.trim().is_empty() => {}
                    Ok(line) => {
                        let name = format!("<request>:{number}");
                        let text = line.trim_end_matches('\r');
                        batch.evaluate_text(
                            worker,
                            *number,
                            &name,
                            text,
                            CaseFormat::Json,
                            &mut out,
                        );
                    }
                    Err(message) => {
                        out.extend_from_slice(
                            error_record(*number, std::slice::from_ref(message), None).as_bytes(),
                        );
                        out.push(b'\n');
                    }
                }
            }
            out
        })
        .collect();
    parts.concat()
}

/// `{"line": N, "error": [messages]}` as the CLI writes a bad line; the
/// record that ends a stream early also carries its JSON diagnostics (with
/// the code: `refuge::serve::timeout`, `refuge::serve::body_limit`).
fn error_record(
    number: usize,
    messages: &[String],
    diagnostics: Option<&[serde_json::Value]>,
) -> String {
    match diagnostics {
        None => serde_json::json!({ "line": number, "error": messages }).to_string(),
        Some(d) => {
            serde_json::json!({ "line": number, "error": messages, "diagnostics": d }).to_string()
        }
    }
}
