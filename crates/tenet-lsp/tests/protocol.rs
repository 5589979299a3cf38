//! The server over the real protocol, one test per feature: framing, UTF-16 positions,
//! document sync, diagnostics (identical to `tenet check`, versioned, never stale), and
//! every request the server answers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly on anything unexpected"
)]

mod support;

use serde_json::{Value, json};
use support::{AIMS, BASE, TestClient, apply_edits, at, find, fixture, range};

// ---------------------------------------------------------------------------------------
// Diagnostics and document sync

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_file_gets_an_empty_list_and_a_broken_one_its_errors() {
    let mut client = TestClient::start(&[]).await;
    let clean = client.open("clean.tenet", Some("package clean\n")).await;
    assert_eq!(client.diagnostics(&clean, Some(1)).await, Vec::<Value>::new());

    let text = "package broken\n\ncontrol A.1 \"x\" {\n  rule r\n    require true\n    else\n}\n";
    let broken = client.open("broken.tenet", Some(text)).await;
    let diagnostics = client.diagnostics(&broken, Some(1)).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "T0001");
    assert_eq!(diagnostics[0]["severity"], 1);
    assert_eq!(diagnostics[0]["source"], "tenet");
    assert_eq!(diagnostics[0]["range"]["start"], json!({"line": 6, "character": 0}));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_are_those_of_tenet_check() {
    let broken = AIMS
        .replace("s.risk_tier == \"high\"", "s.risk_teir == \"hihg\"")
        .replace("require s.owner", "require s.ownr");
    let mut client = TestClient::start(&[("base.tenet", BASE), ("aims.tenet", &broken)]).await;
    let uri = client.open("aims.tenet", None).await;
    let published = client.diagnostics(&uri, Some(1)).await;

    // The CLI's view: the same query over the same files, loaded from disk.
    let mut db = tenet_db::Database::default();
    let loaded = tenet_db::load_workspace(&mut db, &tenet_db::OsSystem, client.dir.path()).unwrap();
    let expected: Vec<(String, String, u32)> = tenet_db::diagnostics(&db, loaded.workspace)
        .iter()
        .filter(|d| d.path.ends_with("aims.tenet"))
        .map(|d| (d.code.id().to_owned(), d.message.clone(), d.span.start))
        .collect();
    assert!(expected.len() >= 2, "{expected:?}");
    let got: Vec<(String, String, u32)> = published
        .iter()
        .map(|d| {
            let message = d["message"].as_str().unwrap().split("\nhelp: ").next().unwrap().to_owned();
            let start = support::offset_of(&broken, &d["range"]["start"]) as u32;
            (d["code"].as_str().unwrap().to_owned(), message, start)
        })
        .collect();
    assert_eq!(got, expected);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_and_full_changes_update_the_diagnostics_with_their_version() {
    let (mut client, uri) = fixture().await;
    // Misspell a field: `s.owner` becomes `s.ownerx`.
    let (line, character) = find(AIMS, "s.owner", 0, 7);
    let v2 = client.edit(&uri, (line, character), (line, character), "x").await;
    let diagnostics = client.diagnostics(&uri, Some(v2)).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "T0102");
    assert_eq!(diagnostics[0]["range"], range((line, character - 5), (line, character + 1)));
    // A full replacement with the original text fixes it.
    let v3 = client.replace(&uri, AIMS).await;
    assert_eq!(client.diagnostics(&uri, Some(v3)).await, Vec::<Value>::new());
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_on_a_line_with_non_ascii_characters_use_utf16_columns() {
    let (mut client, uri) = fixture().await;
    // `"é😀 {s.name}`: `é` is one UTF-16 unit, `😀` two. Replace `name` with `nme`.
    let (line, character) = find(AIMS, "name} has", 0, 0);
    let quote = find(AIMS, "\"é😀", 0, 0).1;
    assert_eq!(character, quote + 1 + 1 + 2 + 1 + 1 + 2, "the position counts UTF-16 units");
    let v2 = client.edit(&uri, (line, character), (line, character + 4), "nme").await;
    let diagnostics = client.diagnostics(&uri, Some(v2)).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["range"], range((line, character), (line, character + 3)));
    // Hover on the name after the emoji.
    let v3 = client.edit(&uri, (line, character), (line, character + 3), "name").await;
    assert_eq!(client.diagnostics(&uri, Some(v3)).await, Vec::<Value>::new());
    let hover = client.request("textDocument/hover", at(&uri, line, character + 1)).await;
    assert_eq!(hover["range"], range((line, character), (line, character + 4)));
    assert!(hover["contents"]["value"].as_str().unwrap().contains("name: string"), "{hover}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rapid_edits_never_publish_stale_results() {
    let (mut client, uri) = fixture().await;
    // Type a control character by character, with no pause.
    let insert_at = find(AIMS, "control A.2", 0, 0);
    let snippet = "control B.1 \"Typed\" {\n  rule typed\n    for s: AiSystem\n    require s.deployed\n}\n\n";
    let mut text = AIMS.to_owned();
    let mut texts = vec![(1i64, text.clone())];
    let (mut line, mut character) = insert_at;
    for ch in snippet.chars() {
        let version = client.edit(&uri, (line, character), (line, character), &ch.to_string()).await;
        let offset = support::offset_of(&text, &support::position(line, character));
        text.insert(offset, ch);
        texts.push((version, text.clone()));
        if ch == '\n' {
            line += 1;
            character = 0;
        } else {
            character += ch.len_utf16() as u32;
        }
    }
    let last = texts.last().unwrap().0;
    // Wait for the final version's diagnostics; collect every publish on the way.
    let mut published: Vec<(i64, Vec<Value>)> = Vec::new();
    loop {
        let params = client.notification("textDocument/publishDiagnostics").await;
        if params["uri"] != uri {
            continue;
        }
        let version = params["version"].as_i64().unwrap();
        published.push((version, params["diagnostics"].as_array().unwrap().clone()));
        if version == last {
            break;
        }
    }
    // Versions only go forward, and each publish is right for its version's text.
    for pair in published.windows(2) {
        assert!(
            pair[0].0 < pair[1].0,
            "versions go backwards: {:?}",
            published.iter().map(|p| p.0).collect::<Vec<_>>()
        );
    }
    for (version, diagnostics) in &published {
        let text = &texts.iter().find(|(v, _)| v == version).unwrap().1;
        let expected = expected_codes(text);
        let got: Vec<String> = diagnostics.iter().map(|d| d["code"].as_str().unwrap().to_owned()).collect();
        assert_eq!(got, expected, "version {version}");
    }
    assert_eq!(published.last().unwrap().1, Vec::<Value>::new(), "the typed control checks clean");
    client.shutdown().await;
}

/// The codes `tenet check` reports in `aims.tenet` with this text.
fn expected_codes(aims: &str) -> Vec<String> {
    let mut system = tenet_db::MemorySystem::new();
    system.write("ws/base.tenet", BASE);
    system.write("ws/aims.tenet", aims);
    let mut db = tenet_db::Database::default();
    let loaded = tenet_db::load_workspace(&mut db, &system, "ws".as_ref()).unwrap();
    tenet_db::diagnostics(&db, loaded.workspace)
        .iter()
        .filter(|d| d.path.ends_with("aims.tenet"))
        .map(|d| d.code.id().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_document_brings_back_the_disk_contents() {
    let (mut client, uri) = fixture().await;
    let v2 = client.replace(&uri, &AIMS.replace("s.deployed and", "s.deploid and")).await;
    assert_eq!(client.diagnostics(&uri, Some(v2)).await.len(), 1);
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": uri}})).await;
    // The file on disk is clean: its diagnostics are cleared, without a version.
    loop {
        let params = client.notification("textDocument/publishDiagnostics").await;
        if params["uri"] == uri {
            assert_eq!(params["version"], Value::Null);
            assert_eq!(params["diagnostics"], json!([]));
            break;
        }
    }
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_files_that_are_not_open_get_diagnostics_too() {
    let broken_base = BASE.replace("risk_tier: \"minimal\"", "risk_tier: \"minimal\" | ");
    let mut client = TestClient::start(&[("base.tenet", &broken_base), ("aims.tenet", AIMS)]).await;
    let base = client.uri("base.tenet");
    let diagnostics = client.diagnostics(&base, None).await;
    assert!(diagnostics.iter().any(|d| d["code"] == "T0001"), "{diagnostics:?}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_outside_the_workspace_is_checked_with_it() {
    let mut client = TestClient::start(&[("base.tenet", BASE)]).await;
    let outside = tempfile::tempdir().unwrap();
    let uri = support::file_uri(&outside.path().join("extra.tenet"));
    let text = "package extra\nuse base\n\ncontrol E.1 \"x\" {\n  require count(a: AiSystem) >= 0\n}\n";
    client
        .notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "tenet", "version": 7, "text": text}}),
        )
        .await;
    assert_eq!(client.diagnostics(&uri, Some(7)).await, Vec::<Value>::new());
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_created_and_deleted_on_disk_join_and_leave_the_workspace() {
    let mut client = TestClient::start(&[("base.tenet", BASE)]).await;
    let path = client.dir.path().join("new.tenet");
    std::fs::write(
        &path,
        "package fresh\nuse base\n\ncontrol N.1 \"x\" {\n  require count(a: AiSystm) >= 0\n}\n",
    )
    .unwrap();
    let uri = client.uri("new.tenet");
    let created = json!({"changes": [{"uri": uri, "type": 1}]});
    client.notify("workspace/didChangeWatchedFiles", created).await;
    let diagnostics = client.diagnostics(&uri, None).await;
    assert_eq!(diagnostics[0]["code"], "T0103", "{diagnostics:?}");
    std::fs::remove_file(&path).unwrap();
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": uri, "type": 3}]})).await;
    assert_eq!(
        client.diagnostics(&uri, None).await,
        Vec::<Value>::new(),
        "a deleted file keeps no diagnostics"
    );
    client.shutdown().await;
}

/// A workspace whose manifest depends on a pack vendored under `.tenet/vendor`, locked
/// with `checksum`.
fn workspace_with_a_vendored_pack(checksum: &str) -> Vec<(String, String)> {
    let manifest = "[package]\nname = \"acme.unit\"\nversion = \"1.0.0\"\n\n[dependencies]\n\"acme.dep\" = { git = \"https://git.example.invalid/dep.git\", tag = \"v1.0.0\" }\n";
    let lock = tenet_pack::Lockfile {
        version: 1,
        packs: vec![tenet_pack::LockedPack {
            name: "acme.dep".into(),
            version: "1.0.0".into(),
            source: "git+https://git.example.invalid/dep.git?tag=v1.0.0".into(),
            revision: Some("0000000000000000000000000000000000000000".into()),
            checksum: checksum.into(),
            dependencies: vec![],
        }],
    };
    vec![
        ("tenet.toml".into(), manifest.into()),
        ("tenet.lock".into(), lock.render()),
        (".tenet/vendor/acme.dep/tenet.toml".into(), DEP_MANIFEST.into()),
        (".tenet/vendor/acme.dep/dep.tenet".into(), DEP.into()),
        ("unit.tenet".into(), "package acme.unit\nuse acme.dep\n\nset acme.dep.window = 30 days\n".into()),
    ]
}

/// A client started on [`workspace_with_a_vendored_pack`].
async fn client_with_a_vendored_pack(checksum: &str) -> TestClient {
    let files = workspace_with_a_vendored_pack(checksum);
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    TestClient::start(&files).await
}

const DEP_MANIFEST: &str = "[package]\nname = \"acme.dep\"\nversion = \"1.0.0\"\n";
const DEP: &str = "package acme.dep\n\nparam window: duration = 90 days\n";

fn dep_checksum() -> String {
    tenet_pack::content_hash(&[
        tenet_pack::PackFile { path: "dep.tenet".into(), bytes: DEP.as_bytes().to_vec() },
        tenet_pack::PackFile { path: "tenet.toml".into(), bytes: DEP_MANIFEST.as_bytes().to_vec() },
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locked_dependency_packs_are_in_scope_as_in_tenet_check() {
    let mut client = client_with_a_vendored_pack(&dep_checksum()).await;
    let unit = client.open("unit.tenet", None).await;
    assert_eq!(client.diagnostics(&unit, Some(1)).await, Vec::<Value>::new());
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pack_that_does_not_match_the_lock_is_not_loaded() {
    let mut client = client_with_a_vendored_pack(&format!("sha256:{}", "0".repeat(64))).await;
    let unit = client.uri("unit.tenet");
    let diagnostics = client.diagnostics(&unit, None).await;
    assert_eq!(diagnostics[0]["code"], "T0108", "{diagnostics:?}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_lock_on_disk_brings_in_the_packs_it_names() {
    let mut client = client_with_a_vendored_pack(&format!("sha256:{}", "0".repeat(64))).await;
    let unit = client.uri("unit.tenet");
    assert_eq!(client.diagnostics(&unit, None).await[0]["code"], "T0108");
    // `tenet pack update` writes the right lock.
    let fixed = workspace_with_a_vendored_pack(&dep_checksum());
    let lock = fixed.iter().find(|(p, _)| p == "tenet.lock").map(|(_, t)| t.clone()).unwrap();
    std::fs::write(client.dir.path().join("tenet.lock"), lock).unwrap();
    let changed = json!({"changes": [{"uri": client.uri("tenet.lock"), "type": 2}]});
    client.notify("workspace/didChangeWatchedFiles", changed).await;
    assert_eq!(client.diagnostics(&unit, None).await, Vec::<Value>::new());
    client.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Hover

async fn hover_text(client: &mut TestClient, uri: &str, text: &str, needle: &str, n: usize) -> String {
    let (line, character) = find(text, needle, n, 1);
    let hover = client.request("textDocument/hover", at(uri, line, character)).await;
    hover["contents"]["value"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_shows_docs_types_values_and_mappings() {
    let (mut client, uri) = fixture().await;
    let schema = hover_text(&mut client, &uri, AIMS, "AiSystem", 0).await;
    assert!(schema.contains("schema AiSystem from \"inventory/*.yaml\""), "{schema}");
    assert!(schema.contains("An AI system in the inventory."), "{schema}");

    let field = hover_text(&mut client, &uri, AIMS, "risk_tier", 0).await;
    assert!(field.contains("risk_tier: \"minimal\" | \"limited\" | \"high\""), "{field}");
    assert!(field.contains("field of `AiSystem`"), "{field}");

    let control = hover_text(&mut client, &uri, AIMS, "A.1", 0).await;
    assert!(control.contains("control A.1 \"Every deployed system has an owner\""), "{control}");
    assert!(control.contains("Someone answers for each system."), "{control}");
    assert!(control.contains("`demo_act` \"Art. 1\" — Subject matter"), "{control}");

    let requirement = hover_text(&mut client, &uri, AIMS, "\"Art. 1\"", 0).await;
    assert!(requirement.contains("requirement \"Art. 1\" \"Subject matter\""), "{requirement}");
    assert!(requirement.contains("text: This regulation lays down rules."), "{requirement}");

    let param = hover_text(&mut client, &uri, AIMS, "review_interval", 0).await;
    assert!(param.contains("param review_interval: duration = 12 months"), "{param}");
    assert!(param.contains("How often a review is due."), "{param}");
    assert!(param.contains("**Value:** `6 months`, set by package `acme`"), "{param}");
    assert!(param.contains("because \"Quarterly reviews.\""), "{param}");

    let local = hover_text(&mut client, &uri, AIMS, "s.owner", 0).await;
    assert!(local.contains("s: AiSystem"), "{local}");

    let function = hover_text(&mut client, &uri, AIMS, "count(", 0).await;
    assert!(function.contains("count("), "{function}");

    // Nothing to say about punctuation.
    let (line, _) = find(AIMS, "control A.2", 0, 0);
    let nothing = client.request("textDocument/hover", at(&uri, line - 1, 0)).await;
    assert_eq!(nothing, Value::Null);
    client.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Completion

async fn labels(client: &mut TestClient, uri: &str, line: u32, character: u32) -> Vec<String> {
    let result = client.request("textDocument/completion", at(uri, line, character)).await;
    result.as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_offers_fields_after_a_dot_even_before_the_line_parses() {
    let (mut client, uri) = fixture().await;
    let (line, character) = find(AIMS, "s.owner != none", 0, 2);
    // `require s.` with nothing after the dot does not parse.
    let v = client.edit(&uri, (line, character), (line, character + 5), "").await;
    let _ = client.diagnostics(&uri, Some(v)).await;
    let items = labels(&mut client, &uri, line, character).await;
    for field in ["id", "name", "owner", "risk_tier", "deployed"] {
        assert!(items.contains(&field.to_owned()), "{field} missing from {items:?}");
    }
    assert!(!items.contains(&"control".to_owned()), "{items:?}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_offers_enum_values_in_a_comparison() {
    let (mut client, uri) = fixture().await;
    let (line, character) = find(AIMS, "\"high\"", 0, 1);
    let result = client.request("textDocument/completion", at(&uri, line, character)).await;
    let items = result.as_array().unwrap();
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, vec!["high", "limited", "minimal"]);
    // The edit replaces the string's contents, not its quotes.
    assert_eq!(items[0]["textEdit"]["range"], range((line, character), (line, character + 4)));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_offers_requirement_ids_inside_maps_and_control_ids_where_controls_are_named() {
    let (mut client, uri) = fixture().await;
    let (line, character) = find(AIMS, "\"Art. 1\"", 0, 1);
    let items = labels(&mut client, &uri, line, character).await;
    assert_eq!(items, vec!["Art. 1", "Art. 2"]);

    let text = format!("{AIMS}\nnot_applicable \n");
    let v = client.replace(&uri, &text).await;
    let _ = client.diagnostics(&uri, Some(v)).await;
    let (line, character) = find(&text, "not_applicable ", 0, 15);
    let items = labels(&mut client, &uri, line, character).await;
    assert!(items.contains(&"A.1".to_owned()) && items.contains(&"A.2".to_owned()), "{items:?}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_offers_keywords_snippets_and_names_in_scope() {
    let (mut client, uri) = fixture().await;
    // At the top level: item keywords and snippets.
    let end = AIMS.lines().count() as u32;
    let result = client.request("textDocument/completion", at(&uri, end, 0)).await;
    let items = result.as_array().unwrap();
    let control = items.iter().find(|i| i["label"] == "control …").unwrap();
    assert_eq!(control["insertTextFormat"], 2, "a snippet");
    assert!(items.iter().any(|i| i["label"] == "schema"));

    // Inside a rule's expression: the variable, parameters, functions.
    let (line, character) = find(AIMS, "require s.owner", 0, 8);
    let items = labels(&mut client, &uri, line, character).await;
    for name in ["s", "review_interval", "count", "some x: Kind where …"] {
        assert!(items.contains(&name.to_owned()), "{name} missing from {items:?}");
    }
    // In a type position: evidence kinds.
    let (line, character) = find(AIMS, "AiSystem where s", 0, 0);
    let items = labels(&mut client, &uri, line, character).await;
    assert!(items.contains(&"AiSystem".to_owned()), "{items:?}");
    client.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Navigation

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definition_jumps_across_files_and_into_the_built_in_packs() {
    let (mut client, uri) = fixture().await;
    let base = client.uri("base.tenet");
    let (line, character) = find(AIMS, "AiSystem where", 0, 2);
    let location = client.request("textDocument/definition", at(&uri, line, character)).await;
    assert_eq!(location["uri"], base);
    let (dl, dc) = find(BASE, "AiSystem from", 0, 0);
    assert_eq!(location["range"], range((dl, dc), (dl, dc + 8)));

    // A variable: its binding.
    let (line, character) = find(AIMS, "s.owner", 0, 0);
    let location = client.request("textDocument/definition", at(&uri, line, character)).await;
    let (bl, bc) = find(AIMS, "s: AiSystem", 0, 0);
    assert_eq!(location["range"], range((bl, bc), (bl, bc + 1)));

    // The prelude's `Attestation`, in the built-in packs: a `tenet-stdlib:` document.
    let text = format!("{AIMS}\ncontrol A.3 \"x\" {{\n  require count(a: Attestation) >= 0\n}}\n");
    let v = client.replace(&uri, &text).await;
    let _ = client.diagnostics(&uri, Some(v)).await;
    let (line, character) = find(&text, "Attestation)", 0, 1);
    let location = client.request("textDocument/definition", at(&uri, line, character)).await;
    let target = location["uri"].as_str().unwrap().to_owned();
    assert_eq!(target, "tenet-stdlib:/tenet/attestation.tenet");
    let source = client.request("tenet/virtualText", json!({"uri": target})).await;
    let source = source.as_str().unwrap();
    let start = support::offset_of(source, &location["range"]["start"]);
    assert!(source[start..].starts_with("Attestation"), "{location}");
    // Hover works inside the read-only document too.
    let hover = client
        .request(
            "textDocument/hover",
            at(
                &target,
                location["range"]["start"]["line"].as_u64().unwrap() as u32,
                location["range"]["start"]["character"].as_u64().unwrap() as u32 + 1,
            ),
        )
        .await;
    assert!(hover["contents"]["value"].as_str().unwrap().contains("schema Attestation"), "{hover}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn references_are_found_in_every_file() {
    let (mut client, uri) = fixture().await;
    let base = client.uri("base.tenet");
    let (line, character) = find(AIMS, "AiSystem where", 0, 1);
    let params = json!({
        "textDocument": {"uri": uri}, "position": support::position(line, character),
        "context": {"includeDeclaration": true},
    });
    let result = client.request("textDocument/references", params).await;
    let locations = result.as_array().unwrap();
    let in_base = locations.iter().filter(|l| l["uri"] == base).count();
    let in_aims = locations.iter().filter(|l| l["uri"] == uri).count();
    assert_eq!((in_base, in_aims), (1, 2), "{locations:?}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_changes_every_reference_and_refuses_what_it_cannot_rename() {
    let (mut client, uri) = fixture().await;
    let base = client.uri("base.tenet");
    let (line, character) = find(AIMS, "risk_tier", 0, 2);
    let prepared = client.request("textDocument/prepareRename", at(&uri, line, character)).await;
    assert_eq!(prepared["placeholder"], "risk_tier");

    let mut params = at(&uri, line, character);
    params["newName"] = json!("tier");
    let edit = client.request("textDocument/rename", params).await;
    let changes = &edit["changes"];
    let new_aims = apply_edits(AIMS, changes[&uri].as_array().unwrap());
    let new_base = apply_edits(BASE, changes[&base].as_array().unwrap());
    assert!(new_aims.contains("s.tier == \"high\"") && !new_aims.contains("risk_tier"), "{new_aims}");
    assert!(new_base.contains("  tier: \"minimal\""), "{new_base}");

    // A keyword is not a rule's name; the built-in packs are read-only.
    let (line, character) = find(AIMS, "owned", 0, 1);
    let mut params = at(&uri, line, character);
    params["newName"] = json!("where");
    let refused = client.request_raw("textDocument/rename", params).await;
    assert!(refused["error"]["message"].as_str().unwrap().contains("keyword"), "{refused}");
    let text = format!(
        "{AIMS}\ncontrol A.3 \"x\" {{\n  require count(a: Attestation where a.role == \"CISO\") >= 0\n}}\n"
    );
    let v = client.replace(&uri, &text).await;
    let _ = client.diagnostics(&uri, Some(v)).await;
    let (line, character) = find(&text, "role ==", 0, 1);
    let refused = client.request_raw("textDocument/prepareRename", at(&uri, line, character)).await;
    assert!(refused["error"]["message"].as_str().unwrap().contains("read-only"), "{refused}");
    client.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Symbols, folding, highlighting, formatting

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_and_workspace_symbols() {
    let (mut client, uri) = fixture().await;
    let symbols = client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": uri}})).await;
    let names: Vec<&str> = symbols.as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["acme", "base", "base.review_interval", "A.1", "A.2"]);
    let a1 = &symbols[3];
    assert_eq!(a1["detail"], "Every deployed system has an owner");
    assert_eq!(a1["children"][0]["name"], "owned");

    let found = client.request("workspace/symbol", json!({"query": "aisys"})).await;
    let found = found.as_array().unwrap();
    assert_eq!(found[0]["name"], "AiSystem");
    assert_eq!(found[0]["location"]["uri"], client.uri("base.tenet"));
    let fields = client.request("workspace/symbol", json!({"query": "risk"})).await;
    assert_eq!(fields[0]["name"], "risk_tier");
    assert_eq!(fields[0]["containerName"], "AiSystem");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folding_ranges_cover_declarations_and_keep_closing_braces_visible() {
    let (mut client, uri) = fixture().await;
    let folds = client.request("textDocument/foldingRange", json!({"textDocument": {"uri": uri}})).await;
    let folds: Vec<(u64, u64)> = folds
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["startLine"].as_u64().unwrap(), f["endLine"].as_u64().unwrap()))
        .collect();
    let (a1, _) = find(AIMS, "control A.1", 0, 0);
    let (close, _) = find(AIMS, "}\n\ncontrol A.2", 0, 0);
    assert!(folds.contains(&(a1 as u64, close as u64 - 1)), "{folds:?}");
    let (rule, _) = find(AIMS, "rule owned", 0, 0);
    assert!(folds.contains(&(rule as u64, close as u64 - 1)), "{folds:?}");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semantic_tokens_classify_names_by_what_they_denote() {
    let (mut client, uri) = fixture().await;
    let result =
        client.request("textDocument/semanticTokens/full", json!({"textDocument": {"uri": uri}})).await;
    let data: Vec<u64> = result["data"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    let legend = tenet_ide::HighlightKind::ALL;
    // Decode to absolute (line, character, length, kind).
    let (mut line, mut start) = (0u64, 0u64);
    let mut tokens = Vec::new();
    for chunk in data.chunks(5) {
        if chunk[0] > 0 {
            start = 0;
        }
        line += chunk[0];
        start += chunk[1];
        tokens.push((line as u32, start as u32, chunk[2] as u32, legend[chunk[3] as usize]));
    }
    let kind_at = |needle: &str, n: usize| {
        let (l, c) = find(AIMS, needle, n, 0);
        tokens.iter().find(|t| t.0 == l && t.1 == c).map(|t| (t.2, t.3))
    };
    use tenet_ide::HighlightKind as K;
    assert_eq!(kind_at("AiSystem where", 0), Some((8, K::Type)));
    assert_eq!(kind_at("risk_tier", 0), Some((9, K::Property)));
    assert_eq!(kind_at("control A.1", 0), Some((7, K::Keyword)));
    assert_eq!(kind_at("A.1", 0), Some((3, K::Class)));
    assert_eq!(kind_at("owned", 0), Some((5, K::Method)));
    assert_eq!(kind_at("count(", 0), Some((5, K::Function)));
    assert_eq!(kind_at("/// Acme", 0), Some((24, K::Comment)));
    // The name after the emoji: UTF-16 columns.
    assert_eq!(kind_at("name} has", 0), Some((4, K::Property)));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formatting_gives_the_canonical_layout_and_leaves_broken_files_alone() {
    let (mut client, uri) = fixture().await;
    let messy = AIMS.replace("  severity high", "      severity    high").replace("use base", "use   base");
    let v = client.replace(&uri, &messy).await;
    let _ = client.diagnostics(&uri, Some(v)).await;
    let params = json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}});
    let edits = client.request("textDocument/formatting", params.clone()).await;
    let formatted = apply_edits(&messy, edits.as_array().unwrap());
    assert_eq!(formatted, tenet_syntax::format(&messy).unwrap());
    assert!(formatted.contains("\n  severity high\n"));

    let v = client.replace(&uri, "package acme\ncontrol {\n").await;
    let _ = client.diagnostics(&uri, Some(v)).await;
    assert_eq!(client.request("textDocument/formatting", params).await, Value::Null);
    client.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Quick fixes and lenses

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_fixes_apply_the_checkers_suggestions() {
    let (mut client, uri) = fixture().await;
    let text = AIMS.replace("s.risk_tier ==", "s.risk_teir ==");
    let v = client.replace(&uri, &text).await;
    let diagnostics = client.diagnostics(&uri, Some(v)).await;
    let params = json!({
        "textDocument": {"uri": uri},
        "range": diagnostics[0]["range"],
        "context": {"diagnostics": diagnostics},
    });
    let actions = client.request("textDocument/codeAction", params).await;
    let fix = actions.as_array().unwrap().iter().find(|a| a["kind"] == "quickfix").unwrap();
    assert_eq!(fix["title"], "replace with `risk_tier`");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"][0]["code"], "T0102");
    let fixed = apply_edits(&text, fix["edit"]["changes"][&uri].as_array().unwrap());
    assert_eq!(fixed, AIMS);
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quick_fixes_write_a_missing_else_message() {
    let (mut client, uri) = fixture().await;
    let text = AIMS.replace("    else \"é😀 {s.name} has no owner\"", "    else");
    let v = client.replace(&uri, &text).await;
    let diagnostics = client.diagnostics(&uri, Some(v)).await;
    assert_eq!(diagnostics[0]["code"], "T0001", "{diagnostics:?}");
    let params = json!({
        "textDocument": {"uri": uri},
        "range": diagnostics[0]["range"],
        "context": {"diagnostics": diagnostics},
    });
    let actions = client.request("textDocument/codeAction", params).await;
    let fix =
        actions.as_array().unwrap().iter().find(|a| a["title"] == "add a message after `else`").unwrap();
    let fixed = apply_edits(&text, fix["edit"]["changes"][&uri].as_array().unwrap());
    assert!(fixed.contains("    else \"{s.name} does not meet this rule\"\n"), "{fixed}");
    assert!(tenet_syntax::parse(&fixed).1.is_empty());

    // A rule without `else` at all: an assist adds one.
    let text = AIMS.replace("\n    else \"é😀 {s.name} has no owner\"", "");
    let v = client.replace(&uri, &text).await;
    let _ = client.diagnostics(&uri, Some(v)).await;
    let (line, character) = find(&text, "require s.owner", 0, 3);
    let params = json!({
        "textDocument": {"uri": uri},
        "range": range((line, character), (line, character)),
        "context": {"diagnostics": []},
    });
    let actions = client.request("textDocument/codeAction", params).await;
    let assist = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "add an `else` message to this rule")
        .unwrap();
    let fixed = apply_edits(&text, assist["edit"]["changes"][&uri].as_array().unwrap());
    assert!(
        fixed.contains("require s.owner != none\n    else \"{s.name} does not meet this rule\"\n}"),
        "{fixed}"
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_lenses_count_rules_and_run_show_failing() {
    let (mut client, uri) = fixture().await;
    let lenses = client.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}})).await;
    let lenses = lenses.as_array().unwrap();
    assert_eq!(lenses.len(), 2);
    let (line, character) = find(AIMS, "A.1", 0, 0);
    assert_eq!(lenses[0]["range"], range((line, character), (line, character + 3)));
    assert_eq!(lenses[0]["command"]["title"], "1 rule");
    assert_eq!(lenses[0]["command"]["command"], "tenet.showFailing");
    assert_eq!(lenses[0]["command"]["arguments"], json!(["acme.A.1"]));

    let result = client
        .request(
            "workspace/executeCommand",
            json!({"command": "tenet.showFailing", "arguments": ["acme.A.1"]}),
        )
        .await;
    assert_eq!(result, json!({"control": "acme.A.1", "results": null}));
    let message = client.notification("window/showMessage").await;
    assert_eq!(
        message["message"],
        "`acme.A.1`: no results, since no evidence directory is set (`[evidence] roots` in `tenet.toml`, or the editor's `tenet.evidence.roots`)"
    );
    let unknown = client
        .request_raw(
            "workspace/executeCommand",
            json!({"command": "tenet.showFailing", "arguments": ["acme.Z.9"]}),
        )
        .await;
    assert!(unknown["error"]["message"].as_str().unwrap().contains("no control"), "{unknown}");
    client.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Robustness

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nonsense_positions_and_unknown_documents_get_answers_not_crashes() {
    let (mut client, uri) = fixture().await;
    let unknown = "file:///nowhere/else.tenet";
    for method in [
        "textDocument/hover",
        "textDocument/completion",
        "textDocument/definition",
        "textDocument/prepareRename",
    ] {
        for (doc, line, character) in [(uri.as_str(), 9999, 9999), (uri.as_str(), 0, 9999), (unknown, 0, 0)] {
            let response = client.request_raw(method, at(doc, line, character)).await;
            assert!(
                response.get("result").is_some() || response.get("error").is_some(),
                "{method}: {response}"
            );
        }
    }
    // An edit whose range lies past the end is clamped, not fatal.
    let v = client.edit(&uri, (500, 3), (900, 0), "\n// appended\n").await;
    let diagnostics = client.diagnostics(&uri, Some(v)).await;
    assert_eq!(diagnostics, Vec::<Value>::new());
    // Every position of a broken file: no request fails.
    let broken =
        "package acme\nuse base\ncontrol A.9 \"é😀\" {\n  rule r for s: AiSystem where s. require \"{\n";
    let v = client.replace(&uri, broken).await;
    let _ = client.diagnostics(&uri, Some(v)).await;
    for (line, text) in broken.lines().enumerate() {
        for character in 0..=text.encode_utf16().count() as u32 {
            for method in ["textDocument/hover", "textDocument/completion", "textDocument/definition"] {
                let response = client.request_raw(method, at(&uri, line as u32, character)).await;
                assert!(response.get("error").is_none(), "{method} at {line}:{character}: {response}");
            }
        }
    }
    client.shutdown().await;
}

/// Two systems, one without an owner.
const INVENTORY: &str = "- id: s1\n  name: Scorer\n  owner: Ana\n  risk_tier: high\n  deployed: true\n\
                         - id: s2\n  name: Router\n  risk_tier: high\n  deployed: true\n";

/// The fixture's policies, with [`INVENTORY`] and a document that breaks its schema as
/// evidence.
fn workspace_with_evidence() -> [(&'static str, &'static str); 4] {
    [
        ("base.tenet", BASE),
        ("aims.tenet", AIMS),
        ("evidence/inventory/systems.yaml", INVENTORY),
        ("evidence/inventory/broken.yaml", "id: s3\nname: Broken\nrisk_tier: hihg\ndeployed: true\n"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_lenses_show_live_counts_over_the_evidence() {
    let mut client =
        TestClient::start_with(&workspace_with_evidence(), json!({"evidenceRoots": ["evidence"]})).await;
    let uri = client.open("aims.tenet", None).await;
    let _ = client.diagnostics(&uri, Some(1)).await;
    // An evidence document that breaks its schema is marked in the evidence file.
    let broken = client.uri("evidence/inventory/broken.yaml");
    let marked = client.diagnostics(&broken, None).await;
    assert_eq!(marked.len(), 1, "{marked:?}");
    assert_eq!(marked[0]["code"], "T0505");
    assert_eq!(marked[0]["range"]["start"], json!({"line": 2, "character": 11}));
    let lenses = client.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}})).await;
    let titles: Vec<&str> =
        lenses.as_array().unwrap().iter().filter_map(|l| l["command"]["title"].as_str()).collect();
    assert!(titles[0].contains("1 pass") && titles[0].contains("1 fail"), "{titles:?}");
    let result = client
        .request(
            "workspace/executeCommand",
            json!({"command": "tenet.showFailing", "arguments": ["acme.A.1"]}),
        )
        .await;
    assert_eq!(result["results"][0]["subject"], "AiSystem s2");
    assert_eq!(result["results"][0]["message"], "é😀 Router has no owner");
    // And the document that could not be read, an error of the same rule.
    assert_eq!(result["results"][1]["subject"], "AiSystem s3");
    assert_eq!(result["total"], 2);
    // Once the schema allows what the document says, the evidence file's marks are cleared.
    let base = client.open("base.tenet", None).await;
    let _ = client.diagnostics(&base, Some(1)).await;
    client
        .replace(
            &base,
            &BASE.replace(
                "\"minimal\" | \"limited\" | \"high\"",
                "\"minimal\" | \"limited\" | \"high\" | \"hihg\"",
            ),
        )
        .await;
    assert_eq!(client.diagnostics(&broken, None).await, Vec::<serde_json::Value>::new());
    client.shutdown().await;
}

/// A repeated key is marked where it is repeated, with the first document that has it as
/// a related place in its own evidence file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_key_points_at_the_evidence_file_that_has_it_first() {
    let files = [
        ("base.tenet", BASE),
        ("aims.tenet", AIMS),
        ("evidence/inventory/systems.yaml", INVENTORY),
        ("evidence/inventory/copy.yaml", "- id: s1\n  name: Copy\n  risk_tier: high\n  deployed: true\n"),
    ];
    let mut client = TestClient::start_with(&files, json!({"evidenceRoots": ["evidence"]})).await;
    let uri = client.open("aims.tenet", None).await;
    let _ = client.diagnostics(&uri, Some(1)).await;
    let repeated = client.uri("evidence/inventory/systems.yaml");
    let marked = client.diagnostics(&repeated, None).await;
    assert_eq!(marked.len(), 1, "{marked:?}");
    assert_eq!(marked[0]["code"], "T0507");
    assert_eq!(
        marked[0]["range"],
        json!({"start": {"line": 0, "character": 6}, "end": {"line": 0, "character": 8}})
    );
    assert_eq!(
        marked[0]["relatedInformation"],
        json!([{
            "location": {
                "uri": client.uri("evidence/inventory/copy.yaml"),
                "range": {"start": {"line": 0, "character": 6}, "end": {"line": 0, "character": 8}}
            },
            "message": "the first document with this key"
        }])
    );
    client.shutdown().await;
}

/// The titles of a document's code lenses.
async fn lens_titles(client: &mut TestClient, uri: &str) -> Vec<String> {
    let lenses = client.request("textDocument/codeLens", json!({"textDocument": {"uri": uri}})).await;
    lenses
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["command"]["title"].as_str().map(str::to_owned))
        .collect()
}

/// Reports a change on disk (`kind`: 1 created, 2 changed, 3 deleted) as the editor's file
/// watcher does, waits for the server to ask for the lenses again, and gives the
/// document's first lens.
async fn first_lens_after(client: &mut TestClient, uri: &str, changed: &str, kind: u8) -> String {
    let changes = json!({"changes": [{"uri": changed, "type": kind}]});
    client.notify("workspace/didChangeWatchedFiles", changes).await;
    let _ = client.server_request("workspace/codeLens/refresh").await;
    lens_titles(client, uri).await.swap_remove(0)
}

/// Evidence edited, added or removed on disk, as the editor's file watcher reports it: the
/// evidence files' marks and the live counts follow, and the editor is asked to fetch the
/// lenses again, since the policy document did not change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_changed_on_disk_updates_its_marks_and_the_live_counts() {
    let capabilities = json!({
        "textDocument": {"publishDiagnostics": {"versionSupport": true}},
        "workspace": {
            "didChangeWatchedFiles": {"dynamicRegistration": true, "relativePatternSupport": true},
            "codeLens": {"refreshSupport": true},
        },
    });
    let mut client = TestClient::start_with_capabilities(
        &workspace_with_evidence(),
        json!({"evidenceRoots": ["evidence"]}),
        capabilities,
    )
    .await;
    let registered = client.server_request("client/registerCapability").await;
    let watchers = &registered["registrations"][0]["registerOptions"]["watchers"];
    let evidence_root = client.uri("evidence");
    assert!(
        watchers
            .as_array()
            .unwrap()
            .contains(&json!({"globPattern": {"baseUri": evidence_root, "pattern": "**/*"}})),
        "{watchers}"
    );
    let uri = client.open("aims.tenet", None).await;
    let _ = client.diagnostics(&uri, Some(1)).await;
    let broken = client.uri("evidence/inventory/broken.yaml");
    assert_eq!(client.diagnostics(&broken, None).await[0]["code"], "T0505");
    // The broken document is an error of the rule over its kind, not left out.
    assert_eq!(lens_titles(&mut client, &uri).await[0], "✓ 1 passed · ✗ 1 failed · 1 error · 1 rule");

    // The broken document fixed on disk: its marks go, and its system now counts.
    let path = client.dir.path().join("evidence/inventory/broken.yaml");
    std::fs::write(&path, "id: s3\nname: Broken\nrisk_tier: high\ndeployed: true\n").unwrap();
    let lens = first_lens_after(&mut client, &uri, &broken, 2).await;
    assert_eq!(lens, "✓ 1 passed · ✗ 2 failed · 1 rule");
    assert_eq!(client.diagnostics(&broken, None).await, Vec::<Value>::new());

    // Every inventory file removed with its directory.
    std::fs::remove_dir_all(client.dir.path().join("evidence/inventory")).unwrap();
    let inventory_dir = client.uri("evidence/inventory");
    let lens = first_lens_after(&mut client, &uri, &inventory_dir, 3).await;
    assert_eq!(lens, "1 without evidence · 1 rule");

    // A directory of evidence moved in, reported as the directory alone.
    let moved = client.dir.path().join("elsewhere/inventory");
    std::fs::create_dir_all(&moved).unwrap();
    std::fs::write(moved.join("a.yaml"), INVENTORY).unwrap();
    std::fs::write(
        moved.join("b.yaml"),
        "id: s4\nname: Ranker\nowner: Bo\nrisk_tier: high\ndeployed: true\n",
    )
    .unwrap();
    std::fs::rename(&moved, client.dir.path().join("evidence/inventory")).unwrap();
    let lens = first_lens_after(&mut client, &uri, &inventory_dir, 1).await;
    assert_eq!(lens, "✓ 2 passed · ✗ 1 failed · 1 rule");

    // The evidence root written afresh, with one of its files, reported as the root alone.
    let root = client.dir.path().join("evidence");
    std::fs::remove_dir_all(&root).unwrap();
    std::fs::create_dir_all(root.join("inventory")).unwrap();
    std::fs::write(root.join("inventory/systems.yaml"), INVENTORY).unwrap();
    let root_uri = client.uri("evidence");
    let lens = first_lens_after(&mut client, &uri, &root_uri, 2).await;
    assert_eq!(lens, "✓ 1 passed · ✗ 1 failed · 1 rule");
    client.shutdown().await;
}

/// Evidence reached through links counts as it does in a check: a directory linked in is
/// read, a link to nothing is marked where it is, and once it leads to a file, that file
/// counts and the mark goes.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_through_links_counts_and_a_link_to_nothing_is_marked() {
    use std::os::unix::fs::symlink;
    let capabilities = json!({"workspace": {"codeLens": {"refreshSupport": true}}});
    let files = [("base.tenet", BASE), ("aims.tenet", AIMS), ("evidence/inventory/systems.yaml", INVENTORY)];
    let mut client =
        TestClient::start_with_capabilities(&files, json!({"evidenceRoots": ["evidence"]}), capabilities)
            .await;
    let uri = client.open("aims.tenet", None).await;
    let _ = client.diagnostics(&uri, None).await;
    assert_eq!(lens_titles(&mut client, &uri).await[0], "✓ 1 passed · ✗ 1 failed · 1 rule");

    // The inventory moved elsewhere, with one more system, and linked in its place.
    let (inventory, elsewhere) =
        (client.dir.path().join("evidence/inventory"), client.dir.path().join("elsewhere"));
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::rename(&inventory, elsewhere.join("inventory")).unwrap();
    std::fs::write(
        elsewhere.join("inventory/b.yaml"),
        "id: s4\nname: Ranker\nowner: Bo\nrisk_tier: high\ndeployed: true\n",
    )
    .unwrap();
    symlink("../elsewhere/inventory", &inventory).unwrap();
    let linked = client.uri("evidence/inventory");
    let lens = first_lens_after(&mut client, &uri, &linked, 1).await;
    assert_eq!(lens, "✓ 2 passed · ✗ 1 failed · 1 rule");

    // A link to a file that is not there.
    symlink("../../kept/c.yaml", inventory.join("c.yaml")).unwrap();
    let c = client.uri("evidence/inventory/c.yaml");
    let lens = first_lens_after(&mut client, &uri, &c, 1).await;
    assert_eq!(lens, "✓ 2 passed · ✗ 1 failed · 1 rule");
    let marked = client.diagnostics(&c, None).await;
    assert_eq!(marked.len(), 1, "{marked:?}");
    assert_eq!(marked[0]["code"], "T0501");
    assert_eq!(
        marked[0]["message"],
        "this is a link to `../../kept/c.yaml`, which does not exist\nhelp: restore the file it points to, or remove the link"
    );

    // The file it names written: it counts, and the mark goes.
    std::fs::create_dir_all(client.dir.path().join("kept")).unwrap();
    std::fs::write(
        client.dir.path().join("kept/c.yaml"),
        "id: s5\nname: Scorer\nowner: Al\nrisk_tier: high\ndeployed: true\n",
    )
    .unwrap();
    let lens = first_lens_after(&mut client, &uri, &c, 2).await;
    assert_eq!(lens, "✓ 3 passed · ✗ 1 failed · 1 rule");
    assert_eq!(client.diagnostics(&c, None).await, Vec::<Value>::new());
    client.shutdown().await;
}

/// An evidence directory made after the server started is loaded once a file appears in
/// it; until then the command says where it looked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_evidence_directory_made_later_is_loaded() {
    let capabilities = json!({"workspace": {"codeLens": {"refreshSupport": true}}});
    let files = [("base.tenet", BASE), ("aims.tenet", AIMS)];
    let mut client =
        TestClient::start_with_capabilities(&files, json!({"evidenceRoots": ["evidence"]}), capabilities)
            .await;
    let uri = client.open("aims.tenet", None).await;
    let _ = client.diagnostics(&uri, None).await;
    assert_eq!(lens_titles(&mut client, &uri).await[0], "1 rule");
    let show = json!({"command": "tenet.showFailing", "arguments": ["acme.A.1"]});
    let _ = client.request("workspace/executeCommand", show.clone()).await;
    let message = client.notification("window/showMessage").await;
    let root = client.dir.path().join("evidence");
    assert_eq!(
        message["message"],
        format!("`acme.A.1`: no results, since there is no evidence directory at `{}`", root.display())
    );
    std::fs::create_dir_all(root.join("inventory")).unwrap();
    std::fs::write(root.join("inventory/systems.yaml"), INVENTORY).unwrap();
    let systems = client.uri("evidence/inventory/systems.yaml");
    let lens = first_lens_after(&mut client, &uri, &systems, 1).await;
    assert_eq!(lens, "✓ 1 passed · ✗ 1 failed · 1 rule");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_failing_lists_the_first_hundred_failures_and_counts_them_all() {
    let inventory: String = (0..150)
        .map(|n| format!("- id: s{n:03}\n  name: System {n}\n  risk_tier: high\n  deployed: true\n"))
        .collect();
    let mut client = TestClient::start_with(
        &[("base.tenet", BASE), ("aims.tenet", AIMS), ("evidence/inventory/systems.yaml", &inventory)],
        json!({"evidenceRoots": ["evidence"]}),
    )
    .await;
    let uri = client.open("aims.tenet", None).await;
    let _ = client.diagnostics(&uri, Some(1)).await;
    let result = client
        .request(
            "workspace/executeCommand",
            json!({"command": "tenet.showFailing", "arguments": ["acme.A.1"]}),
        )
        .await;
    assert_eq!(result["total"], 150);
    let listed: Vec<&str> =
        result["results"].as_array().unwrap().iter().filter_map(|r| r["subject"].as_str()).collect();
    let expected: Vec<String> = (0..100).map(|n| format!("AiSystem s{n:03}")).collect();
    assert_eq!(listed, expected);
    let message = client.notification("window/showMessage").await;
    assert_eq!(message["message"], "`acme.A.1`: 150 failing (the first 100 listed)");
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_waiver_offers_renewal_and_removal() {
    let waived =
        format!("{AIMS}\nwaive A.1 until 2020-01-31 approved_by \"CISO\" because \"Old exception.\"\n");
    let mut client = TestClient::start(&[("base.tenet", BASE), ("aims.tenet", &waived)]).await;
    let uri = client.open("aims.tenet", None).await;
    let _ = client.diagnostics(&uri, Some(1)).await;
    let (line, character) = find(&waived, "2020-01-31", 0, 0);
    let params = json!({
        "textDocument": {"uri": uri},
        "range": range((line, character), (line, character)),
        "context": {"diagnostics": []},
    });
    let actions = client.request("textDocument/codeAction", params).await;
    let titles: Vec<&str> = actions.as_array().unwrap().iter().filter_map(|a| a["title"].as_str()).collect();
    assert!(titles.iter().any(|t| t.starts_with("renew this expired waiver until ")), "{titles:?}");
    let remove =
        actions.as_array().unwrap().iter().find(|a| a["title"] == "remove this expired waiver").unwrap();
    let fixed = apply_edits(&waived, remove["edit"]["changes"][&uri].as_array().unwrap());
    assert!(!fixed.contains("waive A.1"), "{fixed}");
    assert!(fixed.contains("control A.2"), "{fixed}");
    client.shutdown().await;
}
