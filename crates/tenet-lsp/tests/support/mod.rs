//! A test client that drives the server in process, over two in-memory pipes with real
//! JSON-RPC framing (`Content-Length` headers), as an editor would over stdio.

#![allow(dead_code, reason = "each test binary uses a different part of the harness")]

use std::collections::VecDeque;
use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};

/// How long any single wait may take before the test fails instead of hanging.
pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct TestClient {
    tx: WriteHalf<DuplexStream>,
    rx: BufReader<ReadHalf<DuplexStream>>,
    next_id: i64,
    /// Notifications received while waiting for something else.
    pending: VecDeque<Value>,
    /// Every notification received, in order.
    pub log: Vec<Value>,
    /// Requests from the server (each answered with null) not yet taken by a test.
    requests: VecDeque<Value>,
    pub dir: tempfile::TempDir,
    versions: std::collections::HashMap<String, i64>,
}

/// The URI of a path.
pub fn file_uri(path: &Path) -> String {
    tower_lsp_server::ls_types::Uri::from_file_path(path).map(|u| u.as_str().to_owned()).unwrap_or_default()
}

impl TestClient {
    /// Starts a server on a workspace holding `files`, and initializes it.
    pub async fn start(files: &[(&str, &str)]) -> TestClient {
        Self::start_with(files, json!({})).await
    }

    /// Starts a server with initialization options.
    pub async fn start_with(files: &[(&str, &str)], options: Value) -> TestClient {
        let capabilities = json!({"textDocument": {"publishDiagnostics": {"versionSupport": true}}});
        Self::start_with_capabilities(files, options, capabilities).await
    }

    /// Starts a server with initialization options, for a client with these capabilities.
    pub async fn start_with_capabilities(
        files: &[(&str, &str)],
        options: Value,
        capabilities: Value,
    ) -> TestClient {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let (client_end, server_end) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_end);
        let (service, socket) = tenet_lsp::service();
        tokio::spawn(tower_lsp_server::Server::new(server_read, server_write, socket).serve(service));
        let (rx, tx) = tokio::io::split(client_end);
        let mut client = TestClient {
            tx,
            rx: BufReader::new(rx),
            next_id: 0,
            pending: VecDeque::new(),
            log: Vec::new(),
            requests: VecDeque::new(),
            dir,
            versions: Default::default(),
        };
        let root = file_uri(client.dir.path());
        let result = client
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": root,
                    "workspaceFolders": [{"uri": root, "name": "ws"}],
                    "capabilities": capabilities,
                    "initializationOptions": options,
                }),
            )
            .await;
        assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
        client.notify("initialized", json!({})).await;
        client
    }

    pub fn uri(&self, name: &str) -> String {
        file_uri(&self.dir.path().join(name))
    }

    pub async fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.tx.write_all(frame.as_bytes()).await.unwrap();
        self.tx.flush().await.unwrap();
    }

    /// The next message from the server; server-to-client requests are answered (null) and
    /// kept for [`TestClient::server_request`], and `None` stands for one.
    async fn recv_or_request(&mut self) -> Option<Value> {
        let msg = tokio::time::timeout(TIMEOUT, read_message(&mut self.rx))
            .await
            .expect("the server did not answer in time");
        if msg.get("method").is_some() && msg.get("id").is_some() {
            let id = msg["id"].clone();
            self.send(json!({"jsonrpc": "2.0", "id": id, "result": null})).await;
            self.requests.push_back(msg);
            return None;
        }
        if msg.get("method").is_some() {
            self.log.push(msg.clone());
        }
        Some(msg)
    }

    /// The next message from the server that is not a request of its own.
    async fn recv_raw(&mut self) -> Value {
        loop {
            if let Some(msg) = self.recv_or_request().await {
                return msg;
            }
        }
    }

    /// The next request from the server of a method (its params); the server's requests are
    /// answered as they come, whatever the test waits for.
    pub async fn server_request(&mut self, method: &str) -> Value {
        loop {
            if let Some(i) = self.requests.iter().position(|m| m["method"] == method) {
                return self.requests.remove(i).unwrap()["params"].clone();
            }
            if let Some(msg) = self.recv_or_request().await
                && msg.get("method").is_some()
            {
                self.pending.push_back(msg);
            }
        }
    }

    /// Sends a request and returns its whole response (`result` or `error`).
    pub async fn request_raw(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await;
        loop {
            let msg = self.recv_raw().await;
            if msg.get("method").is_some() {
                self.pending.push_back(msg);
                continue;
            }
            if msg["id"] == json!(id) {
                return msg;
            }
        }
    }

    /// Sends a request and returns its result, failing the test on an error.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params).await;
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params})).await;
    }

    /// The next notification of a method (earlier ones of other methods are kept).
    pub async fn notification(&mut self, method: &str) -> Value {
        if let Some(i) = self.pending.iter().position(|m| m["method"] == method) {
            return self.pending.remove(i).unwrap()["params"].clone();
        }
        loop {
            let msg = self.recv_raw().await;
            if msg["method"] == method {
                return msg["params"].clone();
            }
            if msg.get("method").is_some() {
                self.pending.push_back(msg);
            }
        }
    }

    /// The next diagnostics published for `uri` with `version` (any version when `None`).
    pub async fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        loop {
            let params = self.notification("textDocument/publishDiagnostics").await;
            if params["uri"] == uri && (version.is_none() || params["version"] == json!(version)) {
                return params["diagnostics"].as_array().cloned().unwrap_or_default();
            }
        }
    }

    /// Opens a document (version 1) with the text of its file on disk, or `text`.
    pub async fn open(&mut self, name: &str, text: Option<&str>) -> String {
        let uri = self.uri(name);
        let text = match text {
            Some(t) => t.to_owned(),
            None => std::fs::read_to_string(self.dir.path().join(name)).unwrap(),
        };
        self.versions.insert(uri.clone(), 1);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "tenet", "version": 1, "text": text}}),
        )
        .await;
        uri
    }

    /// Replaces a document's whole text; returns the new version.
    pub async fn replace(&mut self, uri: &str, text: &str) -> i64 {
        let version = self.bump(uri);
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        )
        .await;
        version
    }

    /// Applies one incremental edit; returns the new version.
    pub async fn edit(&mut self, uri: &str, start: (u32, u32), end: (u32, u32), text: &str) -> i64 {
        let version = self.bump(uri);
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": range(start, end), "text": text}],
            }),
        )
        .await;
        version
    }

    fn bump(&mut self, uri: &str) -> i64 {
        let v = self.versions.entry(uri.to_owned()).or_insert(1);
        *v += 1;
        *v
    }

    pub async fn shutdown(mut self) {
        self.request("shutdown", Value::Null).await;
        self.notify("exit", Value::Null).await;
    }
}

pub fn position(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

pub fn range(start: (u32, u32), end: (u32, u32)) -> Value {
    json!({"start": position(start.0, start.1), "end": position(end.0, end.1)})
}

/// `{textDocument, position}` parameters.
pub fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position(line, character)})
}

/// The UTF-16 position of the `n`th occurrence (from 0) of `needle` in `text`, plus
/// `offset` characters.
pub fn find(text: &str, needle: &str, n: usize, offset: u32) -> (u32, u32) {
    let byte = text.match_indices(needle).nth(n).unwrap_or_else(|| panic!("{needle:?} not found")).0;
    let before = &text[..byte];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = text[line_start..byte].chars().map(char::len_utf16).sum();
    (line, character as u32 + offset)
}

/// Applies LSP text edits (non-overlapping) to a text.
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let s = offset_of(text, &e["range"]["start"]);
            let t = offset_of(text, &e["range"]["end"]);
            (s, t, e["newText"].as_str().unwrap().to_owned())
        })
        .collect();
    spans.sort_by_key(|(s, _, _)| std::cmp::Reverse(*s));
    let mut out = text.to_owned();
    for (s, t, new) in spans {
        out.replace_range(s..t, &new);
    }
    out
}

/// The byte offset of an LSP position (UTF-16 characters).
pub fn offset_of(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[line_start..].char_indices() {
        if units >= character || c == '\n' {
            return line_start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

async fn read_message(rx: &mut BufReader<ReadHalf<DuplexStream>>) -> Value {
    let mut len = 0usize;
    loop {
        let mut line = String::new();
        let n = rx.read_line(&mut line).await.unwrap();
        assert!(n > 0, "the server closed its output");
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            len = v.trim().parse().unwrap();
        }
    }
    let mut buf = vec![0; len];
    rx.read_exact(&mut buf).await.unwrap();
    serde_json::from_slice(&buf).unwrap()
}

/// The fixture workspace: two packages, a framework, a schema, a parameter set by the
/// other package, two controls; one line with `é` and an emoji before a name.
pub const BASE: &str = r#"/// What every Acme pack builds on.
package base

/// The Demo Act, for tests.
framework demo_act "Demo Act" {
  version "2024"

  requirement "Art. 1" "Subject matter" {
    text "This regulation lays down rules."
  }

  requirement "Art. 2" "Scope"
}

/// An AI system in the inventory.
schema AiSystem from "inventory/*.yaml" {
  /// Identifies the system.
  id: string key
  name: string
  owner: string?
  risk_tier: "minimal" | "limited" | "high"
  deployed: bool
}

/// How often a review is due.
param review_interval: duration = 12 months
"#;

pub const AIMS: &str = r#"/// Acme's own controls.
package acme

use base

set base.review_interval = 6 months because "Quarterly reviews."

control A.1 "Every deployed system has an owner" {
  objective "Someone answers for each system."
  severity high
  maps demo_act "Art. 1"

  rule owned
    for s: AiSystem where s.deployed and s.risk_tier == "high"
    require s.owner != none
    else "é😀 {s.name} has no owner"
}

control A.2 "Systems are reviewed" {
  rule reviewed
    require count(x: AiSystem where x.deployed) >= 0
}
"#;

/// A client on the fixture workspace, with `aims.tenet` open and its first diagnostics in.
pub async fn fixture() -> (TestClient, String) {
    let mut client = TestClient::start(&[("base.tenet", BASE), ("aims.tenet", AIMS)]).await;
    let uri = client.open("aims.tenet", None).await;
    let diagnostics = client.diagnostics(&uri, Some(1)).await;
    assert_eq!(diagnostics, Vec::<Value>::new(), "the fixture checks clean");
    (client, uri)
}
