#!/usr/bin/env node
// An editing session against a language server, as VS Code's client would run it.
//
// Usage: node edit_session.js FILE BEFORE_LINE SNIPPET_FILE -- SERVER_CMD [ARGS...]
//
// Opens FILE, types the contents of SNIPPET_FILE character by character at the start of
// the first line equal to BEFORE_LINE (incremental didChange per character, no waiting,
// small random pauses, and one wait halfway for that version's diagnostics), deletes the
// last 12 typed characters and types them again, writes
// the result to disk and sends didSave, asks for document symbols, hover, completion and
// code lenses, then closes the file. Prints a JSON report on stdout:
//   {texts: {version: text}, publishes: [{version, diagnostics}], lastVersion,
//    closed: diagnostics after didClose, symbols, hover, completion, lenses, capabilities}
// Exit status: 0 ok, 2 timeout, 1 other error (including the server exiting early).
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const path = require("path");
const { pathToFileURL } = require("url");
const {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter,
  InitializeRequest, InitializedNotification, DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification, DidSaveTextDocumentNotification, DidCloseTextDocumentNotification,
  PublishDiagnosticsNotification, HoverRequest, DocumentSymbolRequest, CompletionRequest, CodeLensRequest,
  ShutdownRequest, ExitNotification,
} = require("vscode-languageserver-protocol/node");

const TIMEOUT_MS = 30000;

function main() {
  const argv = process.argv.slice(2);
  const dd = argv.indexOf("--");
  const [file, beforeLine, snippetFile] = argv.slice(0, dd);
  const server = argv.slice(dd + 1);
  return run(path.resolve(file), beforeLine, fs.readFileSync(snippetFile, "utf8"), server);
}

/** The LSP position (UTF-16, which is what JS strings count) of an offset in `text`. */
function positionAt(text, offset) {
  const before = text.slice(0, offset);
  const line = before.split("\n").length - 1;
  return { line, character: offset - (before.lastIndexOf("\n") + 1) };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function run(file, beforeLine, snippet, server) {
  const uri = pathToFileURL(file).href;
  const rootUri = pathToFileURL(path.dirname(file)).href;
  let text = fs.readFileSync(file, "utf8");

  const proc = spawn(server[0], server.slice(1), { stdio: ["pipe", "pipe", "inherit"] });
  let shuttingDown = false;
  proc.on("exit", (code, sig) => {
    if (!shuttingDown) { console.error(`server exited early (code ${code}, signal ${sig})`); process.exit(1); }
  });
  const deadline = setTimeout(() => { console.error("timeout"); proc.kill(); process.exit(2); }, TIMEOUT_MS);
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));

  const publishes = [];
  const waiters = [];
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    if (p.uri !== uri) return;
    publishes.push({ version: p.version === undefined ? null : p.version, diagnostics: p.diagnostics });
    for (const w of waiters.splice(0)) w();
  });
  const publishedWith = async (pred) => {
    while (!publishes.some(pred)) await new Promise((r) => waiters.push(r));
    return publishes.filter(pred).pop();
  };
  conn.onRequest("workspace/configuration", (p) => p.items.map(() => null));
  conn.onRequest("client/registerCapability", () => null);
  conn.onRequest("window/workDoneProgress/create", () => null);
  conn.onNotification("window/logMessage", (p) => console.error(`[server log] ${p.message}`));
  conn.onNotification("window/showMessage", () => {});
  conn.listen();

  const init = await conn.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    clientInfo: { name: "edit_session.js", version: "0.1" },
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: path.basename(path.dirname(file)) }],
    capabilities: {
      textDocument: {
        synchronization: { didSave: true, dynamicRegistration: false },
        publishDiagnostics: { relatedInformation: true, versionSupport: true },
        hover: { contentFormat: ["markdown", "plaintext"] },
        documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        completion: { completionItem: { snippetSupport: true } },
      },
      workspace: { configuration: true, workspaceFolders: true },
      general: { positionEncodings: ["utf-16"] },
    },
  });
  await conn.sendNotification(InitializedNotification.type, {});

  const texts = {};
  let version = 1;
  texts[version] = text;
  await conn.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: "tenet", version, text },
  });
  await publishedWith((p) => p.version === 1);

  // Type the snippet at the start of `beforeLine`, one character (code point) at a time.
  let cursor = text.indexOf("\n" + beforeLine) + 1;
  if (cursor <= 0) throw new Error(`no line ${JSON.stringify(beforeLine)} in ${file}`);
  const change = async (start, end, inserted) => {
    const range = { start: positionAt(text, start), end: positionAt(text, end) };
    text = text.slice(0, start) + inserted + text.slice(end);
    version += 1;
    texts[version] = text;
    await conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version }, contentChanges: [{ range, text: inserted }],
    });
    if (Math.random() < 0.15) await sleep(Math.floor(Math.random() * 60));
  };
  // Halfway through, the text cannot be whole: wait once for that version's diagnostics,
  // so that a session on a busy machine still publishes a version with errors.
  const typed = Array.from(snippet);
  const halfway = Math.floor(typed.length / 2);
  for (const [i, ch] of typed.entries()) {
    await change(cursor, cursor, ch);
    cursor += ch.length;
    if (i === halfway) {
      const at = version;
      await publishedWith((p) => p.version === at);
    }
  }
  // Backspace over the last 12 characters typed, then type them again.
  const tail = typed.slice(-12);
  for (const ch of tail.slice().reverse()) {
    await change(cursor - ch.length, cursor, "");
    cursor -= ch.length;
  }
  for (const ch of tail) {
    await change(cursor, cursor, ch);
    cursor += ch.length;
  }
  const lastVersion = version;
  await publishedWith((p) => p.version === lastVersion);

  // Save: the editor writes the file, then tells the server.
  fs.writeFileSync(file, text);
  await conn.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri } });
  const symbols = await conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } });
  const typedAt = positionAt(text, text.indexOf(snippet) + snippet.indexOf("AiSystem") + 1);
  const hover = await conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: typedAt });
  const dotAt = positionAt(text, text.indexOf(snippet) + snippet.indexOf("s.owner") + 2);
  const completion = await conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: dotAt });
  const lenses = await conn.sendRequest(CodeLensRequest.type, { textDocument: { uri } });

  // Close: the file on disk (the saved text) applies; its diagnostics carry no version.
  const before = publishes.length;
  await conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  const closed = await publishedWith((p) => publishes.indexOf(p) >= before && p.version === null);
  clearTimeout(deadline);

  process.stdout.write(JSON.stringify({
    capabilities: Object.keys(init.capabilities || {}).sort(),
    texts, publishes, lastVersion, closed: closed.diagnostics, symbols, hover, completion, lenses,
  }) + "\n");

  shuttingDown = true;
  await conn.sendRequest(ShutdownRequest.type);
  await conn.sendNotification(ExitNotification.type);
  const exited = new Promise((r) => proc.on("exit", r));
  const killTimer = setTimeout(() => proc.kill(), 2000);
  await exited;
  clearTimeout(killTimer);
  conn.dispose();
  process.exit(0);
}

main().catch((e) => { console.error(e); process.exit(1); });
