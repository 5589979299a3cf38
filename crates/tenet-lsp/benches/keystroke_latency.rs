//! Latency from `didChange` to the `publishDiagnostics` of that version, over the real
//! protocol (in-memory pipes, `Content-Length` framing), with the built-in packs and a
//! generated workspace pack on disk. Keystrokes are typed inside a control, so most
//! intermediate texts do not parse and every check re-runs the whole program.
//!
//! `cargo bench -p tenet-lsp --bench keystroke_latency` types 240 keystrokes at a typing
//! pace (one every 100 ms, each checked on its own) and then in bursts (20 ms apart, where
//! only the last of a burst is checked), on a pack of about 4,000 lines and one of about
//! 20,000, then the same keystrokes on the database alone, to show what the protocol
//! adds. Under `cargo test` (no `--bench` argument) it runs a few keystrokes as a smoke
//! test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "a benchmark fails loudly")]

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};

/// A pack like `tenet-db`'s check bench: `files` files of `controls` controls, 40 schemas,
/// parameters, a framework of 200 requirements, waivers and tests.
fn write_pack(dir: &Path, files: usize, controls: usize) -> usize {
    let mut lines = 0;
    let mut schema = String::from("package bench\n\n");
    for k in 0..40 {
        let _ = write!(
            schema,
            "/// Evidence kind {k}.\nschema Kind{k} from \"kind{k}/*.yaml\" {{\n  id: string key\n  name: string\n  \
             owner: string?\n  tier: \"minimal\" | \"limited\" | \"high\"\n  reviewed_on: date effective\n  \
             tags: [string]\n  score: float\n  system: ref Kind{}\n}}\n\nparam interval_{k}: duration = {} months\n\n",
            (k + 1) % 40,
            k % 12 + 1
        );
    }
    schema.push_str("framework bench_fw \"Bench framework\" {\n");
    for r in 0..200 {
        let _ = writeln!(schema, "  requirement \"R {r}\" \"Requirement {r}\"");
    }
    schema.push_str("}\n");
    lines += schema.lines().count();
    std::fs::write(dir.join("schema.tenet"), schema).unwrap();
    for f in 0..files {
        let mut text = String::from("package bench\n\n");
        for c in 0..controls {
            let k = (f * controls + c) % 40;
            let j = (k + 39) % 40;
            let _ = write!(
                text,
                "/// Control {f}.{c}.\ncontrol B.{f}.{c} \"Generated control {f}.{c}\" {{\n  objective \"Generated.\"\n  \
                 severity high\n  maps bench_fw [\"R {r1}\", \"R {r2}\"] intersects\n\n  rule reviewed\n    \
                 for s: Kind{k} where s.tier == \"high\" and s.owner != none\n    \
                 let fresh = s.reviewed_on >= today - interval_{k}\n    \
                 require fresh and some o: Kind{j} where o.system == s and o.score >= 0.5\n    \
                 else \"{{s.name}} has not been reviewed within {{interval_{k}}}\"\n\n  rule tagged\n    \
                 require count(x: Kind{k} where \"ai\" in x.tags and len(x.name) > 3) >= 1\n}}\n\n",
                r1 = (f + c) % 200,
                r2 = (f * 7 + c) % 200,
            );
        }
        lines += text.lines().count();
        std::fs::write(dir.join(format!("controls_{f:03}.tenet")), text).unwrap();
    }
    lines
}

/// What is typed, inside the first control's `reviewed` rule, before its `else`.
const TYPED: &str = "    and s.name != \"\" and s.tier in [\"high\", \"limited\"] and len(s.tags) >= 0\n";

struct Client {
    tx: WriteHalf<DuplexStream>,
    rx: BufReader<ReadHalf<DuplexStream>>,
    next_id: i64,
}

impl Client {
    async fn start(root: &Path) -> Client {
        let (client_end, server_end) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_end);
        let (service, socket) = tenet_lsp::service();
        tokio::spawn(tower_lsp_server::Server::new(server_read, server_write, socket).serve(service));
        let (rx, tx) = tokio::io::split(client_end);
        let mut client = Client { tx, rx: BufReader::new(rx), next_id: 0 };
        let root = tower_lsp_server::ls_types::Uri::from_file_path(root).unwrap();
        client.next_id += 1;
        client
            .send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"rootUri": root.as_str(), "capabilities": {}}}))
            .await;
        while client.recv().await.get("id").is_none() {}
        client.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}})).await;
        client
    }

    async fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        self.tx.write_all(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes()).await.unwrap();
    }

    async fn recv(&mut self) -> Value {
        let mut len = 0;
        loop {
            let mut line = String::new();
            self.rx.read_line(&mut line).await.unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                len = v.trim().parse().unwrap();
            }
        }
        let mut buf = vec![0; len];
        self.rx.read_exact(&mut buf).await.unwrap();
        serde_json::from_slice(&buf).unwrap()
    }

    /// Waits for the diagnostics of `uri` at `version`.
    async fn published(&mut self, uri: &str, version: i64) {
        loop {
            let msg =
                tokio::time::timeout(Duration::from_secs(30), self.recv()).await.expect("no diagnostics");
            if msg["method"] == "textDocument/publishDiagnostics"
                && msg["params"]["uri"] == uri
                && msg["params"]["version"] == version
            {
                return;
            }
        }
    }
}

/// The (line, UTF-16 character) of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].encode_utf16().count())
}

struct Figures {
    samples: Vec<Duration>,
}

impl Figures {
    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.samples.clone();
        sorted.sort();
        let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted.get(i).copied().unwrap_or_default()
    }

    fn report(&self, name: &str) {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{name}: n={} p50={:.1} ms p95={:.1} ms max={:.1} ms",
            self.samples.len(),
            ms(self.percentile(0.5)),
            ms(self.percentile(0.95)),
            ms(self.percentile(1.0)),
        );
    }
}

/// Types `keystrokes` characters; `burst` keystrokes `gap` apart make one measured burst
/// (burst 1: each keystroke measured), bursts `pause` apart.
async fn session(root: &Path, keystrokes: usize, burst: usize, gap: Duration, pause: Duration) -> Figures {
    let path = root.join("controls_000.tenet");
    let mut text = std::fs::read_to_string(&path).unwrap();
    let uri = tower_lsp_server::ls_types::Uri::from_file_path(&path).unwrap().as_str().to_owned();
    let mut client = Client::start(root).await;
    client
        .send(json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument":
            {"uri": uri, "languageId": "tenet", "version": 1, "text": text}}}))
        .await;
    client.published(&uri, 1).await;
    let mut cursor = text.find("    else").unwrap();
    let mut version = 1;
    let mut samples = Vec::new();
    let typed: Vec<char> = TYPED.chars().cycle().take(keystrokes).collect();
    for chunk in typed.chunks(burst) {
        let mut sent = Instant::now();
        for (i, ch) in chunk.iter().enumerate() {
            let (line, character) = position(&text, cursor);
            text.insert(cursor, *ch);
            cursor += ch.len_utf8();
            version += 1;
            sent = Instant::now();
            client
                .send(json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"range": {"start": {"line": line, "character": character},
                        "end": {"line": line, "character": character}}, "text": ch.to_string()}]}}))
                .await;
            if i + 1 < chunk.len() {
                tokio::time::sleep(gap).await;
            }
        }
        client.published(&uri, version).await;
        samples.push(sent.elapsed());
        let next = sent + pause;
        tokio::time::sleep(next.saturating_duration_since(Instant::now())).await;
    }
    Figures { samples }
}

/// The same keystrokes without the protocol: update the input, run the diagnostics
/// query. The difference from [`session`] is what the server adds.
fn database_only(root: &Path, keystrokes: usize) -> Figures {
    use tenet_lsp::documents::Documents;
    use tenet_lsp::state::Host;
    let path = root.join("controls_000.tenet");
    let mut text = std::fs::read_to_string(&path).unwrap();
    let shown = tenet_db::display_path(&path);
    let uri = tower_lsp_server::ls_types::Uri::from_file_path(&path).unwrap();
    let docs = std::sync::Mutex::new(Documents::default());
    let mut host = Host::load(Some(root));
    docs.lock().unwrap().open(shown.clone(), uri, text.clone(), 1);
    {
        // The first check is the cold one; keystrokes are measured warm, as in the editor.
        let snapshot = host.snapshot(&docs);
        std::hint::black_box(tenet_db::diagnostics(&snapshot.db, snapshot.workspace).len());
    }
    let mut cursor = text.find("    else").unwrap();
    let mut samples = Vec::new();
    for (i, ch) in TYPED.chars().cycle().take(keystrokes).enumerate() {
        text.insert(cursor, ch);
        cursor += ch.len_utf8();
        let change = tower_lsp_server::ls_types::TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: text.clone(),
        };
        let start = Instant::now();
        docs.lock().unwrap().change(&shown, i as i32 + 2, vec![change]);
        let snapshot = host.snapshot(&docs);
        let count = tenet_db::diagnostics(&snapshot.db, snapshot.workspace).len();
        samples.push(start.elapsed());
        drop(snapshot);
        std::hint::black_box(count);
    }
    Figures { samples }
}

/// The example organisation with its evidence: each keystroke in one of its controls is
/// followed by the diagnostics and the live lens counts of every control in that file,
/// which is what the editor shows after a keystroke.
fn example_with_live(keystrokes: usize) -> Figures {
    use tenet_lsp::documents::Documents;
    use tenet_lsp::live::Live;
    use tenet_lsp::state::Host;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/example").canonicalize().unwrap();
    let path = root.join("meridian.tenet");
    let mut text = std::fs::read_to_string(&path).unwrap();
    let shown = tenet_db::display_path(&path);
    let uri = tower_lsp_server::ls_types::Uri::from_file_path(&path).unwrap();
    let docs = std::sync::Mutex::new(Documents::default());
    let mut host = Host::load(Some(&root));
    host.load_evidence(&[root.join("evidence")]);
    docs.lock().unwrap().open(shown.clone(), uri, text.clone(), 1);
    let live = Live { evidence_roots: vec![root.join("evidence")] };
    let lenses = |snapshot: &tenet_lsp::state::Snapshot| {
        let program = tenet_db::program(&snapshot.db, snapshot.workspace);
        let ids: Vec<String> = program
            .controls
            .iter()
            .filter(|c| program.path(c.file).ends_with("meridian.tenet"))
            .map(|c| c.qualified.to_string())
            .collect();
        ids.iter().filter_map(|id| live.control_counts(snapshot, id)).map(|c| c.pass + c.fail).sum::<u32>()
    };
    {
        let snapshot = host.snapshot(&docs);
        std::hint::black_box(tenet_db::diagnostics(&snapshot.db, snapshot.workspace).len());
        std::hint::black_box(lenses(&snapshot));
    }
    let mut cursor = text.find("trained in the last 12 months\"").unwrap() + 4;
    let mut samples = Vec::new();
    for (i, ch) in "and the year before ".chars().cycle().take(keystrokes).enumerate() {
        text.insert(cursor, ch);
        cursor += ch.len_utf8();
        let change = tower_lsp_server::ls_types::TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: text.clone(),
        };
        let start = Instant::now();
        docs.lock().unwrap().change(&shown, i as i32 + 2, vec![change]);
        let snapshot = host.snapshot(&docs);
        let count = tenet_db::diagnostics(&snapshot.db, snapshot.workspace).len();
        let live_total = lenses(&snapshot);
        samples.push(start.elapsed());
        drop(snapshot);
        std::hint::black_box((count, live_total));
    }
    Figures { samples }
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let sizes: &[(usize, usize)] = if bench { &[(20, 12), (100, 12)] } else { &[(2, 4)] };
    for &(files, controls) in sizes {
        let dir = tempfile::tempdir().unwrap();
        let lines = write_pack(dir.path(), files, controls);
        println!("pack: {files} files, {lines} lines, plus the built-in packs");
        let keystrokes = if bench { 240 } else { 6 };
        let typing =
            runtime.block_on(session(dir.path(), keystrokes, 1, Duration::ZERO, Duration::from_millis(100)));
        typing.report("  typing, a keystroke every 100 ms (each measured)");
        let bursts = runtime.block_on(session(
            dir.path(),
            keystrokes,
            8,
            Duration::from_millis(20),
            Duration::from_millis(150),
        ));
        bursts.report("  bursts of 8 keystrokes 20 ms apart (last of each measured)");
        database_only(dir.path(), keystrokes)
            .report("  of which the check itself (no protocol, no debounce)");
    }
    println!("policies/example with its evidence, the stdlib included");
    example_with_live(if bench { 240 } else { 6 })
        .report("  a keystroke in a control: diagnostics and live lens counts of the file's controls");
}
