// Which service validates which evidence files against the exported schemas.
const test = require("node:test");
const assert = require("node:assert/strict");
const { schemaAssociations, mergeJson, mergeYaml } = require("../../out/schemas.js");

const out = "/work/org/.tenet/schemas";
const kinds = [
  { schema: "AiSystem.schema.json", sources: ["inventory/*.yaml", "inventory/*.json", "notes/*.md"] },
  { schema: "Training.schema.json", sources: ["training/*.csv", "training/*.tsv"] },
  {
    schema: "Record.schema.json",
    sources: ["exports/*"],
    registers: [
      { glob: "registers/*.json", schema: "Record.at.records.schema.json" },
      { glob: "registers/*.yml", schema: "Record.at.systems.each.schema.json" },
    ],
  },
];

test("YAML globs go to yaml.schemas, JSON globs to json.schemas, and other formats to neither", () => {
  const { yaml, json } = schemaAssociations(kinds, out);
  assert.deepEqual(yaml, {
    [`${out}/AiSystem.schema.json`]: ["**/inventory/*.yaml"],
    [`${out}/Record.schema.json`]: ["**/exports/*"],
    [`${out}/Record.at.systems.each.schema.json`]: ["**/registers/*.yml"],
  });
  assert.deepEqual(json, [
    { fileMatch: ["**/inventory/*.json"], url: `file://${out}/AiSystem.schema.json` },
    { fileMatch: ["**/exports/*"], url: `file://${out}/Record.schema.json` },
    { fileMatch: ["**/registers/*.json"], url: `file://${out}/Record.at.records.schema.json` },
  ]);
});

test("an export replaces its earlier entries and keeps the user's own", () => {
  const mine = { fileMatch: ["*.config.json"], url: "https://example.org/config.schema.json" };
  const stale = { fileMatch: ["**/old/*.json"], url: `file://${out}/Gone.schema.json` };
  const fresh = schemaAssociations(kinds, out);
  assert.deepEqual(mergeJson([mine, stale], fresh.json, out), [mine, ...fresh.json]);
  const yaml = mergeYaml({ "/elsewhere/ci.schema.json": ["ci.yml"], [`${out}/Gone.schema.json`]: ["**/old/*.yaml"] }, fresh.yaml, out);
  assert.deepEqual(Object.keys(yaml).sort(), ["/elsewhere/ci.schema.json", ...Object.keys(fresh.yaml)].sort());
});
