// End-to-end test of the playground in Debian's headless Chromium: load the
// page, break a policy and see the diagnostic, fix it, evaluate a case and
// see the verdict; a screenshot is written for review.
//
// Usage: node test.mjs [SCREENSHOT.png]   (serves ../www itself on 127.0.0.1)
import { chromium } from "playwright-core";
import { createServer } from "node:http";
import { readFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, extname, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const www = resolve(here, "../www");
const screenshot = resolve(process.argv[2] ?? join(here, "playground.png"));
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

const server = createServer(async (req, res) => {
  const path = resolve(www, "." + decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/\/$/, "/index.html"));
  if (!path.startsWith(www)) { res.writeHead(403).end(); return; }
  try {
    const body = await readFile(path);
    res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const url = `http://127.0.0.1:${server.address().port}/`;

let passed = 0, failed = 0;
function check(name, condition, detail) {
  if (condition) { passed++; console.log(`ok    ${name}`); }
  else { failed++; console.log(`FAIL  ${name}: ${detail}`); }
}

// A fresh profile each run (Playwright passes it as --user-data-dir).
const profile = await mkdtemp(join(tmpdir(), "refuge-chromium-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1400, height: 900 },
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = browser.pages()[0] ?? (await browser.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30000 });
  const clean = await page.textContent("#diagnostics");
  check("the built-in policies check", clean.includes("no errors"), clean);

  // Break: misspell a fact in the first `when` of the file.
  const original = await page.inputValue("#policy");
  const broken = original.replace(/^(\s+when (?:not )?)([a-z_]+)/m, (m, head, name) => `${head}${name}x`);
  check("the edit changes the text", broken !== original, "no `when` found");
  await page.fill("#policy", broken);
  await page.waitForFunction(() => document.querySelector("#diagnostics").className === "errors", null, { timeout: 10000 });
  const diagnostic = await page.textContent("#diagnostics");
  check("the error is shown with its code", diagnostic.includes("refuge::check::unknown_name"), diagnostic);
  check("with the did-you-mean", diagnostic.includes("did you mean"), diagnostic);

  // Fix.
  await page.fill("#policy", original);
  await page.waitForFunction(() => document.querySelector("#diagnostics").className === "ok", null, { timeout: 10000 });
  check("the fix clears it", (await page.textContent("#diagnostics")).includes("no errors"), "still errors");

  // Evaluate the preloaded case (examples/defector.json): eligible under the Act.
  await page.click("#evaluate");
  await page.waitForFunction(() => document.querySelector("#json").textContent.length > 0, null, { timeout: 10000 });
  const memo = await page.textContent("#memo");
  const json = JSON.parse(await page.textContent("#json"));
  const verdicts = JSON.stringify(json);
  check("the memo names the verdict", memo.includes("rok_protection"), memo.slice(0, 400));
  check("the JSON has the verdict", /"rok_protection"/.test(verdicts), verdicts.slice(0, 400));
  const protection = json.verdicts?.rok_protection;
  const shown = protection?.outcome?.value;
  check("rok_protection is `eligible`, as the case file expects", shown === "eligible", JSON.stringify(protection?.outcome));
  check("no script errors", errors.length === 0, errors.join("; "));
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
} finally {
  await browser.close();
  server.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
