#!/usr/bin/env node
// Opens one file in a running VS Code (code-server) with Debian's headless Chromium and
// reports what a user would see: the language mode in the status bar, how many token
// colours the editor uses (one means no grammar ran), and the error squiggles the
// language server's diagnostics produce. Saves a screenshot. Exit 0 only when all three
// meet the thresholds given.
//
//   node inspect.js --url URL --folder DIR --file NAME --out PNG
//                   [--language Tenet] [--min-colours 3] [--min-errors 1]
//                   [--lens TEXT --evidence-file PATH --evidence-text TEXT --lens-after TEXT]
//
// With `--lens`, a code lens must read TEXT; then EVIDENCE-TEXT is written to
// EVIDENCE-FILE on disk, and a lens must come to read `--lens-after`.
"use strict";
const path = require("path");
const { chromium } = require("playwright-core");

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const url = option("url", "http://127.0.0.1:8080");
const folder = path.resolve(option("folder", "."));
const file = option("file", "sample.tenet");
const out = path.resolve(option("out", "vscode.png"));
const language = option("language", "Tenet");
const minColours = Number(option("min-colours", "3"));
const minErrors = Number(option("min-errors", "1"));
const lens = option("lens", null);
const evidenceFile = option("evidence-file", null);
const evidenceText = option("evidence-text", "");
const lensAfter = option("lens-after", null);

async function poll(check, timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value.done || Date.now() > until) return value.value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
    await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
    // The explorer lists the file once the remote file system is ready.
    await page.getByRole("treeitem", { name: file }).first().waitFor({ timeout: 60000 });
    await page.getByRole("treeitem", { name: file }).first().click();
    await page.waitForSelector(".editor-instance .view-lines .view-line", { timeout: 30000 });

    const mode = await poll(async () => {
      const text = (await page.locator('[id="status.editor.mode"]').innerText().catch(() => "")).trim();
      return { done: text.includes(language), value: text };
    }, 15000);
    const errors = await poll(async () => {
      const n = await page.locator(".editor-instance .squiggly-error").count();
      return { done: n >= minErrors, value: n };
    }, 30000);
    // The lenses' titles, as the editor draws them above the controls.
    const lenses = async () => page.$$eval(".contentWidgets .codelens-decoration", (ls) => ls.map((l) => l.innerText.trim()));
    const seenLens = async (want) =>
      poll(async () => {
        const titles = await lenses().catch(() => []);
        return { done: titles.some((t) => t.includes(want)), value: titles };
      }, 30000);
    let lensBefore = null;
    let lensAfterSeen = null;
    if (lens) {
      lensBefore = await seenLens(lens);
      if (evidenceFile) require("fs").writeFileSync(evidenceFile, evidenceText);
      if (lensAfter) lensAfterSeen = await seenLens(lensAfter);
    }
    const colours = await page.$$eval(".editor-instance .view-lines span[class^='mtk']", (spans) =>
      new Set(spans.map((s) => s.className.split(" ")[0])).size,
    );
    await page.screenshot({ path: out });
    const report = {
      language_mode: mode,
      token_colours: colours,
      error_squiggles: errors,
      lenses_before: lensBefore,
      lenses_after_evidence_edit: lensAfterSeen,
      screenshot: out,
      page_errors: pageErrors.length,
    };
    console.log(JSON.stringify(report, null, 2));
    const has = (titles, want) => !want || (titles || []).some((t) => t.includes(want));
    const ok =
      mode.includes(language) && colours >= minColours && errors >= minErrors && has(lensBefore, lens) && has(lensAfterSeen, lensAfter);
    if (!ok) console.error("the extension did not show what a user should see");
    process.exitCode = ok ? 0 : 1;
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
