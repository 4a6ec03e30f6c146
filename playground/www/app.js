// The playground: the built-in policies in an editor, live diagnostics from
// the compiler (WebAssembly), and a case evaluated into a memo and JSON.
import init, { builtin_policies, check, evaluate } from "./pkg/refuge_playground.js";

const $ = (id) => document.getElementById(id);
let policies = {};

function showDiagnostics() {
  const result = JSON.parse(check(JSON.stringify(policies)));
  const box = $("diagnostics");
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  box.className = result.ok ? "ok" : "errors";
  if (result.error) {
    box.textContent = result.error;
  } else if (result.diagnostics.length === 0) {
    box.textContent = "no errors, no warnings";
  } else {
    box.textContent = result.diagnostics
      .map((d) => `${d.file}:${d.line}:${d.column}: ${d.severity} [${d.code}] ${d.message}` + (d.help ? `\n    help: ${d.help}` : ""))
      .join("\n");
  }
  $("status").textContent = result.ok ? "policies check" : `${errors.length} error(s)`;
}

function runCase() {
  const result = JSON.parse(evaluate(JSON.stringify(policies), $("case").value));
  $("memo").textContent = result.ok ? result.memo : result.error;
  $("json").textContent = result.ok ? result.json : "";
}

async function main() {
  await init();
  policies = JSON.parse(builtin_policies());
  const select = $("file");
  for (const name of Object.keys(policies)) {
    select.add(new Option(name, name));
  }
  select.value = Object.keys(policies).includes("kr/resettlement.policy") ? "kr/resettlement.policy" : select.options[0].value;
  $("policy").value = policies[select.value];
  select.addEventListener("change", () => { $("policy").value = policies[select.value]; });
  let timer;
  $("policy").addEventListener("input", () => {
    policies[select.value] = $("policy").value;
    clearTimeout(timer);
    timer = setTimeout(showDiagnostics, 150);
  });
  $("evaluate").addEventListener("click", runCase);
  const example = await fetch("./example-case.json").then((r) => r.text()).catch(() => "{}");
  $("case").value = example;
  showDiagnostics();
  document.body.dataset.ready = "true";
}

main().catch((e) => { $("status").textContent = `failed to start: ${e}`; });
