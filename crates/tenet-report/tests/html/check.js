#!/usr/bin/env node
// Opens the HTML audit report in Debian's headless Chromium and checks what an auditor
// would rely on: no console or page errors, the counts on the page equal the JSON
// report's, filtering by status hides exactly the other results, search narrows the
// controls, and the page prints. Saves a screenshot and a PDF.
//
//   node check.js REPORT.html REPORT.json OUT_DIR
"use strict";
const fs = require("fs");
const path = require("path");
const { chromium } = require(process.env.PLAYWRIGHT || "playwright-core");

const [html, json, outDir] = process.argv.slice(2);
const report = JSON.parse(fs.readFileSync(json, "utf8"));

function fail(message) {
  console.error(`html report: ${message}`);
  process.exitCode = 1;
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems = [];
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(e.message));
    const requests = [];
    page.on("request", (r) => !r.url().startsWith("file:") && requests.push(r.url()));
    await page.goto(`file://${path.resolve(html)}`);
    if (problems.length) fail(`console errors: ${problems.join("; ")}`);
    if (requests.length) fail(`the report fetched ${requests.join(", ")}; it must be self-contained`);

    for (const kind of ["controls", "results"]) {
      for (const [status, count] of Object.entries(report.summary[kind])) {
        const shown = await page.locator(`[data-count="${kind}-${status}"]`).innerText();
        if (Number(shown) !== count) fail(`${kind} ${status}: page shows ${shown}, JSON has ${count}`);
      }
    }
    const results = await page.locator("tr.result").count();
    const total = report.controls.reduce((n, c) => n + c.results.length, 0);
    if (results !== total) fail(`${results} result rows, JSON has ${total}`);

    // Only failures: uncheck every other status.
    for (const status of ["pass", "error", "waived", "not_applicable", "no_evidence"]) {
      await page.locator(`input[data-filter="${status}"]`).uncheck();
    }
    const visible = await page.locator("tr.result:not(.hidden)").count();
    if (visible !== report.summary.results.fail) fail(`filtering to failures shows ${visible}, expected ${report.summary.results.fail}`);
    const wrong = await page.locator('tr.result:not(.hidden):not([data-status="fail"])').count();
    if (wrong) fail(`${wrong} non-failing rows stay visible`);
    await page.screenshot({ path: path.join(outDir, "report-failures.png"), fullPage: false });

    // Search narrows controls.
    for (const status of ["pass", "error", "waived", "not_applicable", "no_evidence"]) {
      await page.locator(`input[data-filter="${status}"]`).check();
    }
    await page.locator("#search").fill("a.5.2");
    const controls = await page.locator("article.control:not(.hidden)").count();
    if (controls < 1 || controls > 3) fail(`searching "a.5.2" leaves ${controls} controls`);
    await page.locator("#search").fill("");
    await page.pdf({ path: path.join(outDir, "report.pdf") });
    console.log(JSON.stringify({ ok: !process.exitCode, results, failures_shown: visible, search_hits: controls }));
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
