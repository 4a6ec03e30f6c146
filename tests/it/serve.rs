//! `refuge serve`: the real server on an ephemeral loopback port, every
//! route checked against what the CLI prints for the same input, bad input
//! (every malformed case of `tests/malformed/`), the size and time limits,
//! and a graceful shutdown on SIGTERM that finishes the request in flight.

use crate::common::{refuge, stderr, stdout};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `refuge serve`, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_refuge"))
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("refuge serve starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let addr = first
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line: {first}"))
            .parse()
            .unwrap();
        // Keep draining standard error so the server never blocks on it.
        std::thread::spawn(move || for _ in lines {});
        Server { child, addr }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn agent() -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into()
    }

    fn get(&self, path: &str) -> Reply {
        Reply::of(Self::agent().get(&self.url(path)).call())
    }

    fn post(&self, path: &str, content_type: &str, body: impl AsRef<[u8]>) -> Reply {
        Reply::of(
            Self::agent()
                .post(&self.url(path))
                .header("content-type", content_type)
                .send(body.as_ref()),
        )
    }

    /// Sends SIGTERM (to this child, by its id).
    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    content_type: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn of(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
        let mut response = result.expect("the server answers");
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect::<Vec<_>>();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .unwrap();
        Reply {
            status: response.status().as_u16(),
            content_type,
            headers,
            body,
        }
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &str, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| keep(&p.file_name().unwrap().to_string_lossy()))
        .collect();
    out.sort();
    out
}

fn content_type_of(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => "application/yaml",
        Some("toml") => "application/toml",
        _ => "application/json",
    }
}

/// JSON diagnostics without the file name (a request's is `<request>`).
fn unnamed(mut diagnostics: Vec<serde_json::Value>) -> Vec<serde_json::Value> {
    fn strip(v: &mut serde_json::Value) {
        if let Some(obj) = v.as_object_mut() {
            obj.remove("filename");
            for (_, child) in obj.iter_mut() {
                strip(child);
            }
        } else if let Some(items) = v.as_array_mut() {
            items.iter_mut().for_each(strip);
        }
    }
    diagnostics.iter_mut().for_each(strip);
    diagnostics
}

fn cli_diagnostics(args: &[&str]) -> Vec<serde_json::Value> {
    let out = refuge(args);
    stderr(&out)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_route_answers_as_the_cli_does() {
    let server = Server::start(&[]);

    // /healthz names the program served.
    let health = server.get("/healthz");
    assert_eq!(health.status, 200);
    let manifest: serde_json::Value =
        serde_json::from_str(&stdout(&refuge(&["manifest"]))).unwrap();
    assert_eq!(health.json()["program"], manifest["digest"]);
    assert_eq!(health.json()["status"], "ok");

    // /v1/evaluate: every example, in its own syntax, gives the CLI's JSON byte for byte.
    let examples = files("examples", |n| !n.ends_with(".rs"));
    assert!(examples.len() >= 5);
    for path in &examples {
        let text = std::fs::read_to_string(path).unwrap();
        let reply = server.post("/v1/evaluate", content_type_of(path), &text);
        let cli = refuge(&["eval", path.to_str().unwrap(), "--format", "json"]);
        assert_eq!(reply.status, 200, "{}: {}", path.display(), reply.body);
        assert_eq!(reply.body, stdout(&cli), "{}", path.display());
        assert!(reply.content_type.starts_with("application/json"));
        let decided = cli.status.code() == Some(0);
        assert_eq!(
            reply.header("refuge-all-decided"),
            Some(if decided { "true" } else { "false" })
        );
    }

    // Options in the query: output format, verdicts, date.
    let defector = root().join("examples/defector.json");
    let text = std::fs::read_to_string(&defector).unwrap();
    let path = defector.to_str().unwrap();
    let md = server.post(
        "/v1/evaluate?format=markdown&verdicts=rok_protection,rok_covered&as_of=2010-05-01",
        "application/json",
        &text,
    );
    let cli_md = refuge(&[
        "eval",
        path,
        "--format",
        "markdown",
        "--verdict",
        "rok_protection",
        "--verdict",
        "rok_covered",
        "--as-of",
        "2010-05-01",
    ]);
    assert_eq!(md.status, 200);
    assert_eq!(md.body, stdout(&cli_md));
    assert!(md.content_type.starts_with("text/markdown"));
    let txt = server.post(
        "/v1/evaluate?format=text&explain=true",
        "application/json",
        &text,
    );
    assert_eq!(txt.body, stdout(&refuge(&["eval", path, "--explain"])));

    // The same options in the body, wrapping the case (as an object or as text).
    let case: serde_json::Value = serde_json::from_str(&text).unwrap();
    let wrapped = serde_json::json!({ "case": case, "format": "markdown", "verdicts": ["rok_protection", "rok_covered"], "as_of": "2010-05-01" });
    let reply = server.post("/v1/evaluate", "application/json", wrapped.to_string());
    assert_eq!(reply.body, stdout(&cli_md));
    let yaml = root().join("examples/excluded_hijacker.yaml");
    let wrapped = serde_json::json!({ "case": std::fs::read_to_string(&yaml).unwrap(), "case_format": "yaml" });
    let reply = server.post("/v1/evaluate", "application/json", wrapped.to_string());
    assert_eq!(
        reply.body,
        stdout(&refuge(&[
            "eval",
            yaml.to_str().unwrap(),
            "--format",
            "json"
        ]))
    );

    // /v1/schema/case is `refuge schema case`.
    let schema = server.get("/v1/schema/case");
    assert_eq!(schema.status, 200);
    assert_eq!(
        schema.json(),
        serde_json::from_str::<serde_json::Value>(&stdout(&refuge(&["schema", "case"]))).unwrap()
    );

    // /v1/check: a policy with errors gives `refuge check --error-format json`'s diagnostics.
    let bad = root().join("tests/fixtures/check/02_misspelled_keyword.policy");
    let reply = server.post(
        "/v1/check?name=02_misspelled_keyword.policy",
        "text/plain",
        std::fs::read(&bad).unwrap(),
    );
    assert_eq!(reply.status, 200);
    let report = reply.json();
    assert_eq!(report["ok"], false);
    // (The CLI's last line is its summary, `N error(s) in the policies`, without a code.)
    let cli: Vec<_> = cli_diagnostics(&["check", "--error-format", "json", bad.to_str().unwrap()])
        .into_iter()
        .filter(|d| !d["code"].is_null())
        .collect();
    assert!(!cli.is_empty());
    assert_eq!(report["diagnostics"].as_array().unwrap(), &cli);
    assert_eq!(
        report["errors"].as_u64().unwrap() as usize,
        cli.iter().filter(|d| d["severity"] == "error").count()
    );
    // and a whole policy set, by file, checks clean.
    let mut files_json = serde_json::Map::new();
    for dir in ["kr", "intl", "states"] {
        for p in files(&format!("policies/{dir}"), |n| n.ends_with(".policy")) {
            let name = format!("{dir}/{}", p.file_name().unwrap().to_string_lossy());
            files_json.insert(name, std::fs::read_to_string(&p).unwrap().into());
        }
    }
    let reply = server.post(
        "/v1/check",
        "application/json",
        serde_json::json!({ "files": files_json }).to_string(),
    );
    assert_eq!(reply.json()["ok"], true, "{}", reply.body);
    assert_eq!(reply.json()["errors"], 0);

    // /openapi.json: OpenAPI 3.1, and it documents every route served.
    let doc = server.get("/openapi.json").json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    for (path, method) in [
        ("/v1/evaluate", "post"),
        ("/v1/evaluate/batch", "post"),
        ("/v1/check", "post"),
        ("/v1/schema/case", "get"),
        ("/healthz", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is not documented"
        );
    }
}

#[test]
fn a_batch_streams_ndjson_as_the_cli_prints_it() {
    let server = Server::start(&[]);
    // Every corpus case, one per line, and the malformed batches of the CLI's tests.
    let mut lines = String::new();
    for path in files("tests/cases", |n| n.ends_with(".json")) {
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        lines.push_str(&case.to_string());
        lines.push('\n');
    }
    // Repeated to cross the chunk boundary several times.
    let body = lines.repeat(4);
    let dir = std::env::temp_dir().join(format!("refuge-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cases.jsonl");
    std::fs::write(&file, &body).unwrap();
    let cli = stdout(&refuge(&["eval", file.to_str().unwrap()]));
    let reply = server.post("/v1/evaluate/batch", "application/x-ndjson", &body);
    assert_eq!(reply.status, 200);
    assert!(reply.content_type.starts_with("application/x-ndjson"));
    assert!(reply.body.lines().count() > 600);
    assert_eq!(reply.body, cli);

    // `output=values` and `output=verdicts`: the lines of `refuge eval --output`.
    for output in ["values", "verdicts"] {
        let cli = stdout(&refuge(&[
            "eval",
            file.to_str().unwrap(),
            "--output",
            output,
        ]));
        let reply = server.post(
            &format!("/v1/evaluate/batch?output={output}"),
            "application/x-ndjson",
            &body,
        );
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, cli, "--output {output}");
    }

    // Bad lines: the same records as the CLI's, `{"line": N, "error": [...]}`.
    for path in files("tests/malformed", |n| n.starts_with("batch_")) {
        let bytes = std::fs::read(&path).unwrap();
        let reply = server.post("/v1/evaluate/batch", "application/x-ndjson", &bytes);
        assert_eq!(reply.status, 200);
        let cli = stdout(&refuge(&["eval", path.to_str().unwrap()]));
        let ours: Vec<serde_json::Value> = reply
            .body
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let theirs: Vec<serde_json::Value> = cli
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(ours, theirs, "{}", path.display());
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_batch_answers_while_it_is_still_being_sent() {
    let server = Server::start(&[]);
    let case = serde_json::from_str::<serde_json::Value>(
        &std::fs::read_to_string(root().join("examples/defector.json")).unwrap(),
    )
    .unwrap()
    .to_string();
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(stream, "POST /v1/evaluate/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n").unwrap();
    // 300 lines (more than a chunk), then wait for output before sending more.
    let chunk = format!("{case}\n").repeat(300);
    write!(stream, "{:x}\r\n{chunk}\r\n", chunk.len()).unwrap();
    stream.flush().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 65536];
    while !String::from_utf8_lossy(&seen).contains("refuge.evaluation/2") {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "the connection closed before any evaluation");
        seen.extend_from_slice(&buf[..n]);
    }
    // Then finish the stream and read the rest.
    write!(stream, "0\r\n\r\n").unwrap();
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    seen.extend_from_slice(&rest);
    let text = String::from_utf8_lossy(&seen);
    assert!(text.starts_with("HTTP/1.1 200"));
    assert_eq!(
        text.matches("\"schema\":\"refuge.evaluation/2\"").count(),
        300
    );
}

#[test]
fn bad_input_gets_a_4xx_with_the_clis_json_diagnostics_never_a_500() {
    let server = Server::start(&[]);
    let mut checked = 0;
    for path in files("tests/malformed", |n| n.starts_with("case_")) {
        let bytes = std::fs::read(&path).unwrap();
        let reply = server.post("/v1/evaluate", content_type_of(&path), &bytes);
        assert!(
            (400..500).contains(&reply.status),
            "{}: {} {}",
            path.display(),
            reply.status,
            reply.body
        );
        let body = reply.json();
        let ours = body["diagnostics"].as_array().unwrap().clone();
        assert!(!ours.is_empty());
        if std::str::from_utf8(&bytes).is_ok() {
            let cli = cli_diagnostics(&["eval", "--error-format", "json", path.to_str().unwrap()]);
            assert_eq!(unnamed(ours), unnamed(cli), "{}", path.display());
            assert_eq!(reply.status, 422);
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} malformed cases compared");

    let case = std::fs::read_to_string(root().join("examples/defector.json")).unwrap();
    // An unknown verdict: 400, with the CLI's diagnostic and suggestion.
    let reply = server.post(
        "/v1/evaluate?verdicts=rok_protections",
        "application/json",
        &case,
    );
    assert_eq!(reply.status, 400);
    let cli = cli_diagnostics(&[
        "eval",
        "--error-format",
        "json",
        "examples/defector.json",
        "--verdict",
        "rok_protections",
    ]);
    assert_eq!(reply.json()["diagnostics"].as_array().unwrap(), &cli);
    // Bad options, a bad wrapper, a body that is not UTF-8, an unknown route or method.
    for (path, content_type, body, status) in [
        (
            "/v1/evaluate?format=pdf",
            "application/json",
            case.as_bytes(),
            400,
        ),
        (
            "/v1/evaluate?output=values",
            "application/json",
            case.as_bytes(),
            400,
        ),
        (
            "/v1/evaluate/batch?output=everything",
            "application/x-ndjson",
            case.as_bytes(),
            400,
        ),
        (
            "/v1/evaluate?as_of=2003-02-30",
            "application/json",
            case.as_bytes(),
            400,
        ),
        (
            "/v1/evaluate?colour=red",
            "application/json",
            case.as_bytes(),
            400,
        ),
        (
            "/v1/evaluate",
            "application/json",
            br#"{"case": {}, "format": 3}"#.as_slice(),
            400,
        ),
        (
            "/v1/evaluate",
            "application/json",
            b"\xff\xfe{}".as_slice(),
            400,
        ),
        (
            "/v1/evaluate/batch?format=text",
            "application/x-ndjson",
            case.as_bytes(),
            400,
        ),
        (
            "/v1/check",
            "application/json",
            b"{\"file\": {}}".as_slice(),
            400,
        ),
        ("/v1/nothing", "application/json", b"{}".as_slice(), 404),
    ] {
        let reply = server.post(path, content_type, body);
        assert_eq!(reply.status, status, "{path}: {}", reply.body);
        let diagnostics = &reply.json()["diagnostics"];
        assert!(
            diagnostics[0]["code"]
                .as_str()
                .unwrap()
                .starts_with("refuge::"),
            "{path}: {}",
            reply.body
        );
        assert!(diagnostics[0]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    let reply = server.get("/v1/evaluate");
    assert_eq!(reply.status, 405);
    assert_eq!(
        reply.json()["diagnostics"][0]["code"],
        "refuge::serve::method"
    );
    // Still serving after all that.
    assert_eq!(server.get("/healthz").status, 200);
}

#[test]
fn requests_over_the_size_or_time_limit_get_413_and_408() {
    let server = Server::start(&[
        "--max-body",
        "4096",
        "--max-batch",
        "100000",
        "--timeout",
        "1",
    ]);
    let big = format!("{{\"description\": \"{}\"}}", "x".repeat(5000));
    let reply = server.post("/v1/evaluate", "application/json", &big);
    assert_eq!(reply.status, 413);
    assert_eq!(
        reply.json()["diagnostics"][0]["code"],
        "refuge::serve::body_limit"
    );
    // A batch line over the limit is one error record; the lines around it are evaluated.
    let case = serde_json::from_str::<serde_json::Value>(
        &std::fs::read_to_string(root().join("examples/defector.json")).unwrap(),
    )
    .unwrap()
    .to_string();
    let reply = server.post(
        "/v1/evaluate/batch",
        "application/x-ndjson",
        format!("{case}\n{big}\n{case}\n"),
    );
    let lines: Vec<serde_json::Value> = reply
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"][0]
        .as_str()
        .unwrap()
        .contains("longer than the limit"));
    assert_eq!(lines[2]["schema"], "refuge.evaluation/2");
    // A batch over its limit ends with a record saying so.
    let many = format!("{case}\n").repeat(100_000 / case.len() + 10);
    let reply = server.post("/v1/evaluate/batch", "application/x-ndjson", &many);
    let last: serde_json::Value = serde_json::from_str(reply.body.lines().last().unwrap()).unwrap();
    assert_eq!(last["diagnostics"][0]["code"], "refuge::serve::body_limit");

    // A client that stops sending half-way gets 408 after the time limit.
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(stream, "POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"as_of\"").unwrap();
    let started = Instant::now();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("refuge::serve::timeout"));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn sigterm_finishes_the_request_in_flight_then_exits() {
    let mut server = Server::start(&[]);
    let case = std::fs::read_to_string(root().join("examples/defector.json")).unwrap();
    // Half a request in flight when SIGTERM arrives.
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(stream, "POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", case.len()).unwrap();
    let (head, tail) = case.split_at(case.len() / 2);
    stream.write_all(head.as_bytes()).unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    server.terminate();
    std::thread::sleep(Duration::from_millis(300));
    // No new connection is accepted once it is shutting down...
    assert!(
        TcpStream::connect_timeout(&server.addr, Duration::from_secs(2)).is_err(),
        "a new connection was accepted after SIGTERM"
    );
    // ...but the request in flight is answered in full.
    stream.write_all(tail.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"schema\": \"refuge.evaluation/2\""));
    // Then the process exits, successfully.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(Instant::now() < deadline, "still running after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}
