// The Tenet extension: a language client for `tenet lsp`, commands that run the CLI, and
// JSON Schemas for evidence files (YAML through the YAML extension when it is installed,
// JSON through VS Code's own JSON support).
import * as path from "path";
import * as fs from "fs";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";
import { JsonAssociation, Kind, mergeJson, mergeYaml, schemaAssociations } from "./schemas";

let client: LanguageClient | undefined;

function settings() {
  const config = vscode.workspace.getConfiguration("tenet");
  return {
    server: config.get<string>("server.path", "tenet"),
    evidenceRoots: config.get<string[]>("evidence.roots", []),
  };
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const { server, evidenceRoots } = settings();
  const serverOptions: ServerOptions = { command: server, args: ["lsp"], transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "tenet" }, { scheme: "tenet-stdlib", language: "tenet" }],
    initializationOptions: { evidenceRoots },
    outputChannelName: "Tenet",
  };
  client = new LanguageClient("tenet", "Tenet", serverOptions, clientOptions);
  await client.start();
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

/// Built-in packs are served by the server as `tenet-stdlib:` documents.
class StdlibDocuments implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    if (!client) return "";
    const result = await client.sendRequest<{ text?: string } | string>("tenet/virtualText", { uri: uri.toString() });
    return typeof result === "string" ? result : result?.text ?? "";
  }
}

function runInTerminal(args: string[]): void {
  const { server } = settings();
  const terminal = vscode.window.createTerminal("Tenet");
  terminal.show();
  terminal.sendText([server, ...args].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(" "));
}

/// Writes a JSON Schema per evidence kind (`tenet schema export`), and one per register a
/// kind is read from, and associates each with the files it describes: YAML files through
/// the YAML extension's `yaml.schemas` (when it is installed), JSON files through VS Code's
/// own `json.schemas`.
async function exportSchemas(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return;
  const out = path.join(folder.uri.fsPath, ".tenet", "schemas");
  const { server } = settings();
  const { execFile } = await import("child_process");
  await new Promise<void>((resolve) => {
    execFile(server, ["schema", "export", "--out", out, folder.uri.fsPath], (error) => {
      if (error) void vscode.window.showWarningMessage(`Tenet: could not export evidence schemas: ${error.message}`);
      resolve();
    });
  });
  const index = path.join(out, "index.json");
  if (!fs.existsSync(index)) return;
  const { schemas } = JSON.parse(fs.readFileSync(index, "utf8")) as { schemas: Kind[] };
  const associations = schemaAssociations(schemas, out);
  const json = vscode.workspace.getConfiguration("json");
  const earlier = json.get<JsonAssociation[]>("schemas") ?? [];
  await json.update("schemas", mergeJson(earlier, associations.json, out), vscode.ConfigurationTarget.Workspace);
  const yaml = vscode.workspace.getConfiguration("yaml");
  if (yaml.inspect("schemas") === undefined) return;
  const existing = yaml.get<Record<string, string[]>>("schemas") ?? {};
  await yaml.update("schemas", mergeYaml(existing, associations.yaml, out), vscode.ConfigurationTarget.Workspace);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider("tenet-stdlib", new StdlibDocuments()),
    vscode.commands.registerCommand("tenet.checkWorkspace", () => runInTerminal(["check", ".", "--error-format", "short"])),
    vscode.commands.registerCommand("tenet.explainControl", async () => {
      const id = await vscode.window.showInputBox({ prompt: "Control, requirement or code", placeHolder: "iso42001.A.5.2" });
      if (id) runInTerminal(["explain", id]);
    }),
    vscode.commands.registerCommand("tenet.openReport", async () => {
      const picked = await vscode.window.showOpenDialog({ filters: { "HTML report": ["html"] } });
      if (picked?.[0]) await vscode.env.openExternal(picked[0]);
    }),
    vscode.commands.registerCommand("tenet.exportSchemas", exportSchemas),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("tenet")) {
        await client?.stop();
        await startClient(context);
      }
    }),
  );
  try {
    await startClient(context);
  } catch (error) {
    void vscode.window.showErrorMessage(
      `Tenet: could not start \`${settings().server} lsp\` (${String(error)}). Set tenet.server.path.`,
    );
  }
  void exportSchemas();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
