#!/usr/bin/env python3
"""Times `refuge lsp` on the built-in policy set: the delay from a
`didChange` of policies/intl/refugee_status.policy to the diagnostics
published for it, over alternating broken and fixed edits.

Usage: editors/lsp-latency.py [PATH-TO-REFUGE] [ROUNDS]
Prints the median and the worst figure; exits 1 if the median is 100 ms or more.
"""
import json, os, statistics, subprocess, sys, time

repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(repo, "target/release/refuge")
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 40
path = os.path.join(repo, "policies/intl/refugee_status.policy")
uri = "file://" + path
text = open(path, encoding="utf-8").read()

proc = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

def send(msg):
    body = json.dumps(msg).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()

def read():
    length = None
    while True:
        line = proc.stdout.readline()
        if not line:
            sys.exit("refuge lsp closed its output")
        line = line.strip()
        if not line:
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(proc.stdout.read(length))

def wait_diagnostics():
    while True:
        msg = read()
        if msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri:
            return msg["params"]["diagnostics"]

send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
      "params": {"processId": None, "rootUri": "file://" + repo, "capabilities": {}}})
while read().get("id") != 1:
    pass
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
      "params": {"textDocument": {"uri": uri, "languageId": "refuge", "version": 1, "text": text}}})
first = wait_diagnostics()
if first:
    sys.exit("the built-in set should have no diagnostics: %s" % first[0]["message"])

# A misspelled name (a check error) and a syntax error, each then fixed.
broken_check = text.replace("fact ", "fact ", 1) + "\nverdict lsp_probe : bool \"probe\" {\n  rule lsp_probe_rule\n    when no_such_fact\n    cite refugee_convention_1951 \"Art. 1\"\n    provenance text\n}\n"
broken_syntax = text + "\nverdict {\n"
times = []
for i in range(rounds):
    edit = [broken_check, text, broken_syntax, text][i % 4]
    start = time.perf_counter()
    send({"jsonrpc": "2.0", "method": "textDocument/didChange",
          "params": {"textDocument": {"uri": uri, "version": i + 2}, "contentChanges": [{"text": edit}]}})
    diagnostics = wait_diagnostics()
    times.append((time.perf_counter() - start) * 1000)
    if (edit is text) != (not diagnostics):
        sys.exit("round %d: unexpected diagnostics %s" % (i, diagnostics[:1]))

send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
while read().get("id") != 2:
    pass
send({"jsonrpc": "2.0", "method": "exit", "params": None})
proc.wait(timeout=10)
median = statistics.median(times)
print("refuge lsp, built-in set (%d files): change -> diagnostics over %d edits: median %.1f ms, worst %.1f ms"
      % (len([1 for _, _, fs in os.walk(os.path.join(repo, "policies")) for f in fs if f.endswith(".policy")]),
         rounds, median, max(times)))
sys.exit(0 if median < 100 else 1)
