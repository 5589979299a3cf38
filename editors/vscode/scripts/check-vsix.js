#!/usr/bin/env node
// Checks a built .vsix: the files the extension needs are inside, and its manifest
// declares the language, the grammar, the client and the commands.
"use strict";
const AdmZip = require("adm-zip");
const file = process.argv[2] || "tenet.vsix";
const zip = new AdmZip(file);
const names = zip.getEntries().map((e) => e.entryName);
const need = [
  "extension/package.json",
  "extension/dist/extension.js",
  "extension/syntaxes/tenet.tmLanguage.json",
  "extension/snippets/tenet.json",
  "extension/language-configuration.json",
];
const missing = need.filter((n) => !names.includes(n));
const manifest = JSON.parse(zip.readAsText("extension/package.json"));
const problems = [...missing.map((m) => `missing ${m}`)];
if (!manifest.contributes.languages.some((l) => l.id === "tenet" && l.extensions.includes(".tenet"))) problems.push("no tenet language");
if (manifest.contributes.grammars[0].scopeName !== "source.tenet") problems.push("no grammar");
if (!manifest.activationEvents.includes("onLanguage:tenet")) problems.push("not activated on tenet files");
if (!manifest.contributes.commands.some((c) => c.command === "tenet.exportSchemas")) problems.push("no evidence schema association command");
if (!zip.readAsText("extension/dist/extension.js").includes("yaml.schemas") && !zip.readAsText("extension/dist/extension.js").includes('"schemas"')) problems.push("the client bundle does not associate evidence schemas");
if (names.some((n) => n.includes("node_modules/") || n.startsWith("extension/src/"))) problems.push("sources or node_modules packaged");
if (problems.length) {
  console.error(`${file}: ${problems.join("; ")}`);
  process.exit(1);
}
console.log(`${file}: ${names.length} files, ${zip.toBuffer().length} bytes, all expected contents present`);
