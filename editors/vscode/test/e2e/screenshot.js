#!/usr/bin/env node
// Open a file in a running code-server with headless Debian Chromium (playwright-core, no
// no downloaded browser), check that our extension's grammar/language is active, and save
// a PNG.
//
// Usage: node screenshot.js [--url http://127.0.0.1:8765] [--folder DIR] [--file NAME]
//                           [--lang Tenet] [--out PNG] [--expect-errors N] [--min-token-classes K]
// Exit 0 when the file opened, the status bar shows the expected language, the editor
// shows at least K token colours (default 2: a TextMate grammar tokenised the text; pass 1
// for a language with no grammar), and,
// with --expect-errors N, at least N error squiggles appeared (diagnostics from an LSP
// client extension, e.g. ../vsix-lsp-demo).
"use strict";
const { chromium } = require("playwright-core");
const path = require("path");

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const url = arg("url", "http://127.0.0.1:8765");
const folder = path.resolve(arg("folder", path.join(__dirname, "..", "code-server", "workspace")));
const file = arg("file", "sample.tenet");
const lang = arg("lang", "Tenet");
const out = path.resolve(arg("out", path.join(__dirname, "..", "code-server-tenet.png")));
const expectErrors = Number(arg("expect-errors", "0"));
const minTokenClasses = Number(arg("min-token-classes", "2"));

(async () => {
  const t0 = Date.now();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on("pageerror", (e) => console.error(`[page error] ${e.message}`));
    await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`, { waitUntil: "domcontentloaded" });
    await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
    // Wait until the explorer lists the file: the remote extension host and file service are up.
    await page.getByRole("treeitem", { name: file }).first().waitFor({ timeout: 60000 });
    const tWorkbench = Date.now() - t0;

    // Open the file through Quick Open, as a user would.
    await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } });
    await page.keyboard.press("Control+P");
    await page.waitForSelector(".quick-input-widget input", { timeout: 15000 });
    await page.keyboard.type(file, { delay: 20 });
    await page.waitForSelector(`.quick-input-list .monaco-list-row[aria-label*="${file}"]`, { timeout: 15000 });
    await page.keyboard.press("Enter");
    await page.waitForSelector(".editor-instance .view-lines .view-line", { timeout: 30000 });

    // Language mode in the status bar comes from our extension's "languages" contribution.
    const modeItem = page.locator('[id="status.editor.mode"]');
    await modeItem.waitFor({ timeout: 15000 });
    let mode = "";
    for (let i = 0; i < 50 && !(mode = (await modeItem.innerText()).trim()).includes(lang); i++) {
      await page.waitForTimeout(200);
    }
    // Token colours: Monaco renders each token with an mtkN class; 1 class = untokenised.
    await page.waitForTimeout(1000);
    // Diagnostics: error squiggles in the editor and the Problems counter in the status bar.
    let squiggles = 0;
    for (let i = 0; i < 100; i++) {
      squiggles = await page.locator(".editor-instance .squiggly-error").count();
      if (squiggles >= expectErrors) break;
      await page.waitForTimeout(200);
    }
    const problems = await page.locator('[id="status.problems"]').getAttribute("aria-label").catch(() => null);
    const tokenClasses = await page.$$eval(".editor-instance .view-lines span[class^='mtk']",
      (els) => [...new Set(els.map((e) => e.className))].sort());
    const firstLine = await page.locator(".editor-instance .view-lines .view-line").first().innerText();
    await page.screenshot({ path: out });
    const ok = mode.includes(lang) && tokenClasses.length >= minTokenClasses && squiggles >= expectErrors;
    console.log(JSON.stringify({
      ok, screenshot: out, workbench_ready_ms: tWorkbench, total_ms: Date.now() - t0,
      language_mode: mode, token_classes: tokenClasses, first_line: firstLine,
      error_squiggles: squiggles, problems_status: problems,
      chromium: browser.version(),
    }, null, 2));
    process.exitCode = ok ? 0 : 1;
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e); process.exit(1); });
