// Which evidence files each exported JSON Schema describes, for the two services that
// validate them: the YAML extension (`yaml.schemas`, YAML files) and VS Code's own JSON
// support (`json.schemas`, JSON files). No editor service validates CSV, TSV, JSON
// Lines, TOML or Markdown front matter against a JSON Schema, so those globs get none.
import * as path from "path";
import { pathToFileURL } from "url";

/// A register a kind is read from: a glob whose files hold the documents under keys.
export type Register = { glob: string; schema: string };
/// One kind of `tenet schema export`'s `index.json`.
export type Kind = { schema: string; sources: string[]; registers?: Register[] };
/// An entry of VS Code's `json.schemas` setting.
export type JsonAssociation = { fileMatch: string[]; url: string };

/// The service a glob's files are validated by, from its extension: both for a glob
/// that names none (`registers/*`), since each service sees only its own files.
function services(glob: string): { yaml: boolean; json: boolean } {
  const name = glob.split("/").pop() ?? glob;
  const dot = name.lastIndexOf(".");
  const extension = dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
  if (extension === "" || /[*?[\]{}]/.test(extension)) return { yaml: true, json: true };
  return { yaml: extension === "yaml" || extension === "yml", json: extension === "json" };
}

/// The associations of every schema written to `out`, keyed as each setting keys them.
export function schemaAssociations(kinds: Kind[], out: string): { yaml: Record<string, string[]>; json: JsonAssociation[] } {
  const yaml: Record<string, string[]> = {};
  const json: JsonAssociation[] = [];
  const add = (schema: string, globs: string[]) => {
    const file = path.join(out, schema);
    const yamlGlobs = globs.filter((g) => services(g).yaml).map((g) => `**/${g}`);
    const jsonGlobs = globs.filter((g) => services(g).json).map((g) => `**/${g}`);
    if (yamlGlobs.length > 0) yaml[file] = yamlGlobs;
    if (jsonGlobs.length > 0) json.push({ fileMatch: jsonGlobs, url: pathToFileURL(file).href });
  };
  for (const kind of kinds) {
    add(kind.schema, kind.sources);
    // A register's files hold the documents under keys (`at`): each has a schema of its own.
    for (const register of kind.registers ?? []) add(register.schema, [register.glob]);
  }
  return { yaml, json };
}

/// `json.schemas` with the entries of an earlier export to `out` replaced by `fresh`: a
/// kind renamed or gone leaves nothing behind, and the user's own entries stay.
export function mergeJson(existing: JsonAssociation[], fresh: JsonAssociation[], out: string): JsonAssociation[] {
  const ours = `${pathToFileURL(out).href}/`;
  return [...existing.filter((a) => !a.url.startsWith(ours)), ...fresh];
}

/// `yaml.schemas` with the entries of an earlier export to `out` replaced by `fresh`.
export function mergeYaml(
  existing: Record<string, string[]>,
  fresh: Record<string, string[]>,
  out: string,
): Record<string, string[]> {
  const kept = Object.entries(existing).filter(([file]) => !file.startsWith(`${out}${path.sep}`));
  return { ...Object.fromEntries(kept), ...fresh };
}
