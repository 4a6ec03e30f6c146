//! `refuge eval CASES.jsonl` and `refuge eval DIR`: batches, streamed and on
//! every core.
//!
//! The input is read in blocks of whole lines (memory stays flat whatever
//! the file's size); the lines of a block are evaluated in parallel, each
//! thread with its own reusable [`Worker`]; the outputs are written in input
//! order, one line per input line, straight to standard output. A line that
//! is not UTF-8, does not load or does not evaluate is reported in its place
//! (`{"line": N, "error": […]}`) and the rest are evaluated. On a terminal, a
//! progress bar on standard error shows cases, rate and time left.
//!
//! A directory is evaluated file by file (JSON, YAML or TOML, in path order),
//! each output line carrying the file's path.

use super::output::quit_on;
use super::ExitStatus;
use refuge::batch::{Batch, Status, Worker};
use refuge::case::CaseFormat;
use std::io::{Read, Write};
use std::path::Path;

/// Bytes read per block: enough lines to keep every core busy, little
/// enough to keep memory flat.
const BLOCK: usize = 1 << 20;

/// Lines handed to one task at a time.
const LINES_PER_TASK: usize = 64;

fn status_of(s: Status) -> ExitStatus {
    match s {
        Status::Decided => ExitStatus::Ok,
        Status::Undetermined => ExitStatus::Undetermined,
        Status::BadInput => ExitStatus::InputError,
        Status::EvalError => ExitStatus::EvalError,
    }
}

/// One input line to evaluate.
struct Line<'b> {
    number: usize,
    bytes: &'b [u8],
}

/// Evaluates one task's lines into one buffer; returns it with the worst
/// status.
fn run_task(
    batch: &Batch<'_>,
    worker: &mut Worker,
    source: &str,
    lines: &[Line<'_>],
    buffers: &Buffers,
) -> (Vec<u8>, ExitStatus) {
    let mut out = buffers.take();
    let mut status = ExitStatus::Ok;
    for line in lines {
        let text = match std::str::from_utf8(line.bytes) {
            Ok(t) => t.trim_end_matches('\r'),
            Err(_) => {
                // Reported with the offset and line the loader would give.
                let message = refuge::source::text_from_bytes(line.bytes.to_vec())
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                let _ = write!(out, "{{\"line\":{},\"error\":[", line.number);
                refuge::batch::json_str(&mut out, &message);
                out.extend_from_slice(b"]}\n");
                status = status.worse(ExitStatus::InputError);
                continue;
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        let s = match batch.evaluate_plain_json(worker, line.number, text, &mut out) {
            Some(s) => s,
            None => {
                let name = format!("{source}:{}", line.number);
                batch.evaluate_text(worker, line.number, &name, text, CaseFormat::Json, &mut out)
            }
        };
        status = status.worse(status_of(s));
    }
    (out, status)
}

/// Output buffers handed back after their lines are written, so that a
/// task's buffer (hundreds of kilobytes with `--output full`) is not mapped
/// and unmapped again for every task.
#[derive(Default)]
struct Buffers(std::sync::Mutex<Vec<Vec<u8>>>);

impl Buffers {
    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .ok()
            .and_then(|mut pool| pool.pop())
            .unwrap_or_else(|| Vec::with_capacity(LINES_PER_TASK * 256))
    }

    fn give(&self, mut buffer: Vec<u8>) {
        buffer.clear();
        if let Ok(mut pool) = self.0.lock() {
            pool.push(buffer);
        }
    }
}

/// Evaluates the tasks of one block, in order.
#[cfg(feature = "parallel")]
fn run_block(
    batch: &Batch<'_>,
    source: &str,
    lines: &[Line<'_>],
    buffers: &Buffers,
) -> Vec<(Vec<u8>, ExitStatus)> {
    use rayon::prelude::*;
    lines
        .par_chunks(LINES_PER_TASK)
        .map_init(Worker::new, |worker, task| {
            run_task(batch, worker, source, task, buffers)
        })
        .collect()
}

/// Evaluates the tasks of one block, in order (one core: built without the
/// `parallel` feature).
#[cfg(not(feature = "parallel"))]
fn run_block(
    batch: &Batch<'_>,
    source: &str,
    lines: &[Line<'_>],
    buffers: &Buffers,
) -> Vec<(Vec<u8>, ExitStatus)> {
    let mut worker = Worker::new();
    lines
        .chunks(LINES_PER_TASK)
        .map(|task| run_task(batch, &mut worker, source, task, buffers))
        .collect()
}

/// The progress bar, on a terminal only.
struct Progress {
    #[cfg(feature = "parallel")]
    bar: Option<indicatif::ProgressBar>,
    cases: usize,
}

impl Progress {
    fn new(total_bytes: Option<u64>) -> Self {
        #[cfg(feature = "parallel")]
        {
            use std::io::IsTerminal as _;
            let bar = std::io::stderr().is_terminal().then(|| {
                let bar = match total_bytes {
                    Some(n) => indicatif::ProgressBar::new(n),
                    None => indicatif::ProgressBar::no_length(),
                };
                let style = indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {percent:>3}% {msg} eta {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
                bar.set_style(style);
                bar
            });
            Progress { bar, cases: 0 }
        }
        #[cfg(not(feature = "parallel"))]
        {
            let _ = total_bytes;
            Progress { cases: 0 }
        }
    }

    fn advance(&mut self, bytes: usize, cases: usize) {
        self.cases += cases;
        #[cfg(feature = "parallel")]
        if let Some(bar) = &self.bar {
            bar.inc(bytes as u64);
            let secs = bar.elapsed().as_secs_f64().max(1e-9);
            bar.set_message(format!(
                "{} cases, {:.0} cases/s",
                self.cases,
                self.cases as f64 / secs
            ));
        }
        #[cfg(not(feature = "parallel"))]
        let _ = bytes;
    }

    fn finish(&self) {
        #[cfg(feature = "parallel")]
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// One block of the input: whole lines (or one line cut at the size limit).
struct Block {
    bytes: Vec<u8>,
    /// The block is one line longer than a case may be, cut after the limit;
    /// the rest of it was skipped.
    oversized: bool,
}

/// Reads `input` in blocks of whole lines and sends them, in order, until
/// the input ends or reading fails (the error is sent last). Blocks whose
/// lines were written come back on `recycled` and are read into again: a
/// fresh megabyte per block would be mapped, zeroed by the kernel and
/// unmapped again for every megabyte of input.
fn read_blocks(
    mut input: Box<dyn Read + Send>,
    blocks: std::sync::mpsc::SyncSender<std::io::Result<Block>>,
    recycled: std::sync::mpsc::Receiver<Vec<u8>>,
) {
    let limit = refuge::case::MAX_BYTES;
    let fresh = |at_least: usize| {
        let mut buffer = recycled
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BLOCK + 4096));
        buffer.clear();
        buffer.reserve(at_least);
        buffer
    };
    let mut buffer: Vec<u8> = fresh(BLOCK + 4096);
    // Skipping the rest of a line past the limit.
    let mut skipping = false;
    let mut eof = false;
    while !eof {
        // Fill the buffer to a block after what was left of a line (a line
        // longer than a block grows it by a block).
        // (`read_to_end` reads into the spare capacity without zeroing it
        // first, and retries an interrupted read.)
        let kept = buffer.len();
        let want = if kept < BLOCK { BLOCK - kept } else { BLOCK };
        match (&mut input).take(want as u64).read_to_end(&mut buffer) {
            Ok(n) => eof = n < want,
            Err(e) => {
                let _ = blocks.send(Err(e));
                return;
            }
        }
        if skipping {
            match buffer.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    buffer.drain(..=i);
                    skipping = false;
                }
                None => {
                    buffer.clear();
                    continue;
                }
            }
        }
        // Whole lines only, unless the input has ended.
        let end = if eof {
            buffer.len()
        } else {
            match buffer.iter().rposition(|&b| b == b'\n') {
                Some(i) => i + 1,
                None if buffer.len() > limit => {
                    // One line past the limit: sent cut, so that its error
                    // says so, and the rest of it skipped.
                    buffer.truncate(limit + 1);
                    let bytes = std::mem::replace(&mut buffer, fresh(BLOCK + 4096));
                    if blocks
                        .send(Ok(Block {
                            bytes,
                            oversized: true,
                        }))
                        .is_err()
                    {
                        return;
                    }
                    skipping = true;
                    continue;
                }
                // A line longer than a block: read on.
                None => continue,
            }
        };
        let rest = buffer.get(end..).unwrap_or(&[]);
        let mut next = fresh(BLOCK.max(rest.len()) + 4096);
        next.extend_from_slice(rest);
        buffer.truncate(end);
        let bytes = std::mem::replace(&mut buffer, next);
        if blocks
            .send(Ok(Block {
                bytes,
                oversized: false,
            }))
            .is_err()
        {
            return;
        }
    }
}

/// Streams a JSONL file (or standard input, `-`) through `batch`: one
/// thread reads blocks ahead while the lines of the current block are
/// evaluated on every core and written in order.
pub(crate) fn jsonl(batch: &Batch<'_>, path: &Path) -> ExitStatus {
    let source = path.display().to_string();
    let (input, size): (Box<dyn Read + Send>, Option<u64>) = if path.as_os_str() == "-" {
        (Box::new(std::io::stdin()), None)
    } else {
        match std::fs::File::open(path) {
            Ok(f) => {
                let size = f.metadata().ok().map(|m| m.len());
                (Box::new(f), size)
            }
            Err(e) => {
                crate::cli::output::err(&format!("error: cannot read `{source}`: {e}\n"));
                return ExitStatus::InputError;
            }
        }
    };
    // Each task's lines are written in one call, straight from its buffer:
    // through a `BufWriter` every byte of the output was copied once more
    // (a values line of the corpus is about 1.9 KB). Standard output's own
    // line buffer passes a write that ends in a newline straight through.
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut progress = Progress::new(size);
    let mut status = ExitStatus::Ok;
    let buffers = Buffers::default();
    let mut number = 0usize;
    let mut first = true;
    let (send, receive) = std::sync::mpsc::sync_channel(2);
    let (give_back, recycled) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(move || read_blocks(input, send, recycled));
        for block in receive {
            let block = match block {
                Ok(block) => block,
                Err(e) => {
                    crate::cli::output::err(&format!("error: cannot read `{source}`: {e}\n"));
                    status = status.worse(ExitStatus::InputError);
                    break;
                }
            };
            let all = block.bytes.as_slice();
            // A UTF-8 byte-order mark at the very start is not part of the case.
            let bytes = if first {
                first = false;
                all.strip_prefix(b"\xef\xbb\xbf").unwrap_or(all)
            } else {
                all
            };
            if block.oversized {
                number += 1;
                let mut line = Vec::new();
                let message = format!(
                    "{source}:{number}: the line is longer than {} bytes (8 MiB), the limit for one case; split the case or shorten its description",
                    refuge::case::MAX_BYTES
                );
                let _ = write!(line, "{{\"line\":{number},\"error\":[");
                refuge::batch::json_str(&mut line, &message);
                line.extend_from_slice(b"]}\n");
                if let Err(e) = out.write_all(&line) {
                    progress.finish();
                    quit_on(&e);
                }
                status = status.worse(ExitStatus::InputError);
                progress.advance(all.len(), 1);
                continue;
            }
            // The lines are found with `memchr` (a byte-by-byte split was
            // most of this thread's time, while the workers waited).
            let mut lines = Vec::new();
            let mut start = 0;
            for end in memchr::memchr_iter(b'\n', bytes) {
                number += 1;
                let bytes = bytes.get(start..end).unwrap_or_default();
                lines.push(Line { number, bytes });
                start = end + 1;
            }
            // The last line may lack its newline.
            if start < bytes.len() {
                number += 1;
                let bytes = bytes.get(start..).unwrap_or_default();
                lines.push(Line { number, bytes });
            }
            let cases = lines.len();
            for (bytes, s) in run_block(batch, &source, &lines, &buffers) {
                status = status.worse(s);
                if let Err(e) = out.write_all(&bytes) {
                    progress.finish();
                    quit_on(&e);
                }
                buffers.give(bytes);
            }
            progress.advance(all.len(), cases);
            drop(lines);
            // The reader may have stopped; then the block is simply dropped.
            let _ = give_back.send(block.bytes);
        }
    });
    progress.finish();
    if let Err(e) = out.flush() {
        quit_on(&e);
    }
    status
}

/// Evaluates every case file under a directory (JSON, YAML or TOML), in
/// path order; each line carries `"file"`.
pub(crate) fn directory(batch: &Batch<'_>, dir: &Path) -> ExitStatus {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if CaseFormat::from_path(e.path()).is_some() {
                    files.push(e.into_path());
                }
            }
            Ok(_) => {}
            Err(e) => {
                crate::cli::output::err(&format!("error: cannot read `{}`: {e}\n", dir.display()));
                return ExitStatus::InputError;
            }
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut progress = Progress::new(Some(files.len() as u64));
    let mut status = ExitStatus::Ok;
    for chunk in files.chunks(256) {
        for (bytes, s) in run_files(batch, chunk) {
            status = status.worse(s);
            if let Err(e) = out.write_all(&bytes) {
                progress.finish();
                quit_on(&e);
            }
        }
        progress.advance(chunk.len(), chunk.len());
    }
    progress.finish();
    if let Err(e) = out.flush() {
        quit_on(&e);
    }
    status
}

/// One file's line: `{"file": PATH, …evaluation…}`.
fn run_file(batch: &Batch<'_>, worker: &mut Worker, path: &Path) -> (Vec<u8>, ExitStatus) {
    let name = path.display().to_string();
    let mut out = Vec::new();
    out.extend_from_slice(b"{\"file\":");
    refuge::batch::json_str(&mut out, &name);
    let text = match std::fs::read(path).map(refuge::source::text_from_bytes) {
        Ok(Ok(text)) => text,
        Ok(Err(e)) | Err(e) => {
            out.extend_from_slice(b",\"error\":[");
            refuge::batch::json_str(&mut out, &e.to_string());
            out.extend_from_slice(b"]}\n");
            return (out, ExitStatus::InputError);
        }
    };
    let format = CaseFormat::from_path(path).unwrap_or(CaseFormat::Json);
    let mut line = Vec::new();
    let s = batch.evaluate_text(worker, 1, &name, &text, format, &mut line);
    // Splice the evaluation's object after `"file"`: `{…}\n` -> `,…}\n`.
    match line.strip_prefix(b"{") {
        Some(rest) if rest.first() != Some(&b'}') => {
            out.push(b',');
            out.extend_from_slice(rest);
        }
        Some(rest) => out.extend_from_slice(rest),
        None => out.extend_from_slice(b"}\n"),
    }
    (out, status_of(s))
}

#[cfg(feature = "parallel")]
fn run_files(batch: &Batch<'_>, files: &[std::path::PathBuf]) -> Vec<(Vec<u8>, ExitStatus)> {
    use rayon::prelude::*;
    files
        .par_iter()
        .map_init(Worker::new, |worker, path| run_file(batch, worker, path))
        .collect()
}

#[cfg(not(feature = "parallel"))]
fn run_files(batch: &Batch<'_>, files: &[std::path::PathBuf]) -> Vec<(Vec<u8>, ExitStatus)> {
    let mut worker = Worker::new();
    files
        .iter()
        .map(|path| run_file(batch, &mut worker, path))
        .collect()
}
