//! `refuge lsp` driven as an editor drives it: JSON-RPC over the real
//! binary's stdin and stdout.
//!
//! The workspace is `tests/fixtures/lsp/`: `main.policy` uses `law.sources`
//! from a second file, so definition and references cross files.

#![allow(
    clippy::indexing_slicing,
    reason = "test helpers read JSON responses; a missing key reads as null and fails the test"
)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications seen while waiting for responses.
    notifications: Vec<Value>,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_refuge"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("refuge lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let message: Value = serde_json::from_slice(&body).expect("the body is JSON");
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            next_id: 1,
            notifications: vec![],
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its whole response.
    fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .incoming
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no response to {method}"));
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
            self.notifications.push(message);
        }
    }

    /// Sends a request and returns its result (failing on an error response).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        assert!(
            response.get("error").is_none(),
            "{method} failed: {response}"
        );
        response["result"].clone()
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics_for(&mut self, uri: &str) -> Vec<Value> {
        if let Some(i) = self
            .notifications
            .iter()
            .position(|n| is_diagnostics(n, uri))
        {
            let n = self.notifications.remove(i);
            return n["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = self
                .incoming
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no diagnostics for {uri}"));
            if is_diagnostics(&message, uri) {
                return message["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
            self.notifications.push(message);
        }
    }
}

fn is_diagnostics(message: &Value, uri: &str) -> bool {
    message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lsp")
}

fn uri_of(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

fn fixed_text() -> String {
    std::fs::read_to_string(workspace().join("main.policy")).expect("fixture")
}

/// The LSP position (0-based line, UTF-16 column) of the `nth` occurrence
/// of `needle` in `text`, plus `shift` characters.
fn position_of(text: &str, needle: &str, nth: usize, shift: usize) -> Value {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` occurs {} times", nth + 1))
        .0
        + shift;
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let column = before
        .rsplit('\n')
        .next()
        .unwrap_or("")
        .encode_utf16()
        .count();
    json!({ "line": line, "character": column })
}

fn start(client: &mut Client) -> Value {
    let root = uri_of(&workspace());
    let result = client.request(
        "initialize",
        json!({ "processId": null, "rootUri": root, "capabilities": {} }),
    );
    client.notify("initialized", json!({}));
    result
}

fn stop(mut client: Client) {
    let result = client.request("shutdown", Value::Null);
    assert_eq!(result, Value::Null);
    client.notify("exit", Value::Null);
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(status) = client.child.try_wait().expect("wait") {
            assert!(status.success(), "refuge lsp exited with {status}");
            return;
        }
        assert!(Instant::now() < deadline, "refuge lsp did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_drafting_session_over_json_rpc() {
    let mut client = Client::start();
    let init = start(&mut client);
    let caps = &init["capabilities"];
    for capability in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "completionProvider",
        "documentFormattingProvider",
        "documentSymbolProvider",
        "workspaceSymbolProvider",
        "codeLensProvider",
        "codeActionProvider",
        "semanticTokensProvider",
    ] {
        assert!(!caps[capability].is_null(), "no {capability} in {caps}");
    }
    assert_eq!(init["serverInfo"]["name"], "refuge");

    let main = uri_of(&workspace().join("main.policy"));
    let sources = uri_of(&workspace().join("law/sources.policy"));
    let fixed = fixed_text();

    // 1. A misspelled fact: one error with its code, the did-you-mean, and a quick fix.
    let broken = fixed.replacen("when motive ==", "when motiv ==", 1);
    assert_ne!(broken, fixed);
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": main, "languageId": "refuge", "version": 1, "text": broken } }),
    );
    let diagnostics = client.diagnostics_for(&main);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "refuge::check::unknown_name");
    assert_eq!(d["severity"], 1);
    assert!(
        d["message"]
            .as_str()
            .unwrap_or("")
            .contains("did you mean `motive`?"),
        "{d}"
    );
    assert_eq!(d["range"]["start"], position_of(&broken, "motiv ==", 0, 0));
    assert_eq!(d["range"]["end"], position_of(&broken, "motiv ==", 0, 5));
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": main },
            "range": d["range"],
            "context": { "diagnostics": [d] },
        }),
    );
    assert_eq!(actions[0]["kind"], "quickfix", "{actions}");
    let edit = &actions[0]["edit"]["changes"][&main][0];
    assert_eq!(edit["newText"], "motive");
    assert_eq!(edit["range"], d["range"]);

    // 2. The fix clears the diagnostics.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": main, "version": 2 },
            "contentChanges": [{ "text": fixed }],
        }),
    );
    assert_eq!(client.diagnostics_for(&main), Vec::<Value>::new());

    // 3. Hover: a fact's type and label; a source's title across files; a rule's law.
    let hover = |client: &mut Client, needle: &str, nth: usize| {
        client.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": main }, "position": position_of(&fixed, needle, nth, 1) }),
        )["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    let age = hover(&mut client, "age >=", 0);
    assert!(age.contains("fact `age` : integer"), "{age}");
    assert!(age.contains("age in years"), "{age}");
    let source = hover(&mut client, "convention \"Art. 1A", 0);
    assert!(
        source.contains("Convention relating to the Status of Refugees"),
        "{source}"
    );
    let rule = hover(&mut client, "persecuted\n", 0);
    assert!(rule.contains("cites `convention` Art. 1A(2)"), "{rule}");
    assert!(rule.contains("provenance `text`"), "{rule}");
    let verdict = hover(&mut client, "protection :", 0);
    assert!(verdict.contains("rule `persecuted`"), "{verdict}");
    let nothing = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": main }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(nothing, Value::Null);

    // 4. Definition of a source in another file.
    let definition = client.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": main }, "position": position_of(&fixed, "convention \"Art. 1A", 0, 2) }),
    );
    assert_eq!(definition["uri"], sources);
    assert_eq!(
        definition["range"]["start"],
        json!({ "line": 0, "character": 7 })
    );

    // 5. References of an enum: its declaration, the fact's type, two paths.
    let references = client.request(
        "textDocument/references",
        json!({
            "textDocument": { "uri": main },
            "position": position_of(&fixed, "Motive", 0, 1),
            "context": { "includeDeclaration": true },
        }),
    );
    let lines: Vec<u64> = references
        .as_array()
        .expect("an array")
        .iter()
        .map(|l| l["range"]["start"]["line"].as_u64().unwrap_or(99))
        .collect();
    assert_eq!(lines, vec![2, 7, 15, 21], "{references}");
    let variant = client.request(
        "textDocument/references",
        json!({
            "textDocument": { "uri": main },
            "position": position_of(&fixed, "persecution \"", 0, 1),
            "context": { "includeDeclaration": false },
        }),
    );
    assert_eq!(variant.as_array().map(Vec::len), Some(2), "{variant}");

    // 6. Completion: sources after `cite`, variants after `Enum.`, names and keywords.
    let complete = |client: &mut Client, text: &str, needle: &str| -> Vec<String> {
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": main, "version": 3 }, "contentChanges": [{ "text": text }] }),
        );
        let result = client.request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": main }, "position": position_of(text, needle, 0, needle.len()) }),
        );
        result
            .as_array()
            .expect("a list of items")
            .iter()
            .map(|i| i["label"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let cite = fixed.replacen("cite convention \"Art. 1A(2)\"", "cite con", 1);
    assert_eq!(complete(&mut client, &cite, "cite con"), vec!["convention"]);
    let variants = fixed.replacen("motive == Motive.persecution", "motive == Motive.", 1);
    assert_eq!(
        complete(&mut client, &variants, "Motive."),
        vec!["hunger", "persecution"]
    );
    let names = fixed.replacen("and age >= 18", "and a", 1);
    let offered = complete(&mut client, &names, "and a");
    assert!(offered.contains(&"age".to_owned()), "{offered:?}");
    assert!(offered.contains(&"absolute".to_owned()), "{offered:?}");
    // A source is not a value: it is offered after `cite` only.
    let all = complete(
        &mut client,
        &fixed.replacen("and age >= 18", "and ", 1),
        "and ",
    );
    assert!(all.contains(&"motive".to_owned()), "{all:?}");
    assert!(!all.contains(&"convention".to_owned()), "{all:?}");

    // 7. Formatting returns the canonical layout.
    let untidy = fixed.replacen("fact age : integer", "fact   age :   integer", 1);
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": main, "version": 4 }, "contentChanges": [{ "text": untidy }] }),
    );
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": main }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(edits.as_array().map(Vec::len), Some(1), "{edits}");
    assert_eq!(edits[0]["newText"], fixed.as_str());
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": main, "version": 5 }, "contentChanges": [{ "text": fixed }] }),
    );
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": main }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(edits, json!([]));

    // 8. Symbols of the document and the workspace.
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": main } }),
    );
    let top: Vec<&str> = symbols
        .as_array()
        .expect("symbols")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        top,
        vec!["Motive", "motive", "age", "protection", "persecuted adult"]
    );
    assert_eq!(symbols[3]["children"][0]["name"], "persecuted");
    let found = client.request("workspace/symbol", json!({ "query": "conv" }));
    assert_eq!(found[0]["name"], "convention");
    assert_eq!(found[0]["location"]["uri"], sources);

    // 9. Semantic tokens: `use` is the first token, a keyword.
    let tokens = client.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": main } }),
    );
    let data = tokens["data"].as_array().expect("data");
    assert_eq!(data.len() % 5, 0);
    assert_eq!(
        &data[..5],
        &[json!(0), json!(0), json!(3), json!(0), json!(0)]
    );

    // 10. The test block's code lens evaluates it: outcome and the memo.
    let lenses = client.request(
        "textDocument/codeLens",
        json!({ "textDocument": { "uri": main } }),
    );
    let command = &lenses[0]["command"];
    assert_eq!(command["command"], "refuge.evaluateTest");
    let outcome = client.request(
        "workspace/executeCommand",
        json!({ "command": command["command"], "arguments": command["arguments"] }),
    );
    let outcome = outcome.as_str().expect("text");
    assert!(
        outcome.starts_with("test \"persecuted adult\": passed"),
        "{outcome}"
    );
    assert!(outcome.contains("protection"), "{outcome}");
    assert!(outcome.contains("Art. 1A(2)"), "{outcome}");

    stop(client);
}

#[test]
fn bad_requests_get_errors_not_a_crash() {
    let mut client = Client::start();
    start(&mut client);
    let bad = client.request_raw("textDocument/hover", json!({ "nonsense": true }));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    let unknown = client.request_raw("refuge/nothing", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    // A document nobody opened, and a position far past the end.
    let main = uri_of(&workspace().join("main.policy"));
    let far = client.request(
        "textDocument/definition",
        json!({ "textDocument": { "uri": main }, "position": { "line": 9999, "character": 9999 } }),
    );
    assert_eq!(far, Value::Null);
    let elsewhere = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///nowhere.policy" }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(elsewhere, Value::Null);
    // Text that is not a policy at all still gets diagnostics.
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": main, "languageId": "refuge", "version": 1, "text": "}}} é \"" } }),
    );
    let diagnostics = client.diagnostics_for(&main);
    assert!(!diagnostics.is_empty());
    assert!(diagnostics[0]["code"]
        .as_str()
        .unwrap_or("")
        .starts_with("refuge::"));
    stop(client);
}
