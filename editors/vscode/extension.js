// Starts `refuge lsp` for .policy files. Everything else (diagnostics, hover,
// definition, references, completion, formatting, the "Evaluate this test"
// code lens) comes from the server.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("refuge");
  const command = config.get("server.path") || "refuge";
  const policyRoot = config.get("policyRoot");
  const serverOptions = { command, args: ["lsp"] };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "refuge" }],
    initializationOptions: policyRoot ? { policyRoot } : {},
  };
  client = new LanguageClient("refuge", "refuge language server", serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
