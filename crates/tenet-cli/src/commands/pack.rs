//! `tenet pack …`: a pack's manifest, its dependencies and their lock, archives, and the
//! view of who tailors what. Network access happens in `add`, `update` and `fetch` only
//! never with `--offline`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tenet_db::{Database, parse, program};
use tenet_diagnostics::{Diagnostic, LineIndex};
use tenet_pack::{
    Cache, Fetcher, Keep, LoadedPack, Manifest, PackError, Project, build_archive, collect, is_valid_name,
    sha256_hex, unpack,
};
use tenet_sema::Origin;
use tenet_syntax::ast::Item;

use crate::cli::{
    ColorChoice, DiagnosticArgs, ErrorFormat, PackAddArgs, PackBuildArgs, PackCommand, PackInitArgs,
    PackRemoveArgs, PackTreeArgs, PackUpdateArgs, PackVerifyArgs, ProjectArgs,
};
use crate::commands::packs::{self, pack_diagnostic, shown};
use crate::exit::Exit;
use crate::output::{SourceTexts, invocation_error, print_diagnostics};

/// Runs a `tenet pack` subcommand; `offline` keeps `add`, `update` and `fetch` to the cache.
pub fn run(command: &PackCommand, offline: bool) -> Exit {
    let network = !offline;
    let result = match command {
        PackCommand::Init(args) => init(args),
        PackCommand::Add(args) => add(args, network),
        PackCommand::Remove(args) => remove(args),
        PackCommand::Update(args) => update(args, network),
        PackCommand::Fetch(args) => fetch(args, network),
        PackCommand::Vendor(args) => vendor(args),
        PackCommand::Build(args) => build(args),
        PackCommand::Verify(args) => verify(args),
        PackCommand::Tree(args) => tree(args),
    };
    match result {
        Ok(()) => Exit::Clean,
        Err(errors) => {
            report(&errors);
            Exit::Errors
        }
    }
}

type Outcome = Result<(), Vec<PackError>>;

fn report(errors: &[PackError]) {
    let mut texts = SourceTexts::default();
    let diagnostics: Vec<Diagnostic> = errors.iter().map(|e| pack_diagnostic(e, &mut texts)).collect();
    let args = DiagnosticArgs { error_format: ErrorFormat::Human, color: ColorChoice::Auto };
    print_diagnostics(&args, &diagnostics, &texts);
}

fn open(args: &ProjectArgs) -> Result<Project, Vec<PackError>> {
    match Project::open(&args.project) {
        Ok(Some(project)) => Ok(project),
        Ok(None) => Err(vec![
            PackError::new(
                tenet_diagnostics::Code::INVALID_MANIFEST,
                args.project.join(tenet_pack::MANIFEST_FILE),
                format!("`{}` has no tenet.toml", shown(&args.project)),
            )
            .with_help("run `tenet pack init` to create one, or pass `--project DIR`"),
        ]),
        Err(e) => Err(vec![e]),
    }
}

fn print_changes(changes: &[tenet_pack::LockChange]) {
    if changes.is_empty() {
        eprintln!("tenet.lock is up to date");
    }
    for change in changes {
        eprintln!("{change}");
    }
}

fn init(args: &PackInitArgs) -> Outcome {
    let dir = &args.dir;
    if dir.join(tenet_pack::MANIFEST_FILE).exists() {
        invocation_error(&format!("`{}` already has a tenet.toml; nothing was changed", shown(dir)));
        return Err(Vec::new());
    }
    let name = match &args.name {
        Some(name) => name.clone(),
        None => {
            let base = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
            let raw = base.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            raw.to_ascii_lowercase().replace(['-', ' '], "_")
        }
    };
    if !is_valid_name(&name) || tenet_pack::BUILT_IN.contains(&name.split('.').next().unwrap_or_default()) {
        invocation_error(&format!(
            "`{name}` cannot name a pack: use lowercase words joined by dots (`--name acme.baseline`)"
        ));
        return Err(Vec::new());
    }
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\ndescription = \"\"\nauthors = []\ntenet = \"^{}.{}\"\n\n# Packs this one builds on, by path, git or archive; `tenet pack add` writes them:\n# \"acme.baseline\" = {{ git = \"https://git.example.org/acme/baseline.git\", tag = \"v1.0.0\" }}\n[dependencies]\n",
        tenet_pack::tenet_version().major,
        tenet_pack::tenet_version().minor
    );
    let last = name.rsplit('.').next().unwrap_or(&name).to_owned();
    let pack = format!("/// {name}: policy shared as a pack.\npackage {name}\n\nuse iso42001\n");
    let write = |path: PathBuf, text: &str| -> Outcome {
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|e| {
                invocation_error(&format!("cannot write `{}`: {e}", shown(&path)));
                Vec::new()
            })
    };
    write(dir.join(tenet_pack::MANIFEST_FILE), &manifest)?;
    let has_policy = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .any(|e| e.path().extension().is_some_and(|x| x == "tenet"));
    if !has_policy {
        write(dir.join(format!("{last}.tenet")), &pack)?;
    }
    eprintln!("Created the pack `{name}` in {}", shown(dir));
    Ok(())
}

/// A path given on the command line, as the manifest in `project` should write it.
fn relative_to_project(project: &Path, path: &Path) -> String {
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let project = std::fs::canonicalize(project).unwrap_or_else(|_| project.to_path_buf());
    tenet_pack::relative(&project, &absolute)
}

fn add(args: &PackAddArgs, network: bool) -> Outcome {
    let project = open(&args.project)?;
    let manifest_path = project.manifest.path.clone();
    let original = project.manifest.text.clone();
    let mut document: toml_edit::DocumentMut = original.parse().map_err(|e| {
        vec![PackError::new(
            tenet_diagnostics::Code::INVALID_MANIFEST,
            &manifest_path,
            format!("cannot edit the manifest: {e}"),
        )]
    })?;
    let mut entry = toml_edit::InlineTable::new();
    if let Some(path) = &args.path {
        entry.insert("path", relative_to_project(project.dir(), path).into());
    } else if let Some(git) = &args.git {
        let local = Path::new(git);
        let url = if !git.contains("://") && local.exists() {
            relative_to_project(project.dir(), local)
        } else {
            git.clone()
        };
        entry.insert("git", url.into());
        for (key, value) in [("tag", &args.tag), ("rev", &args.rev), ("branch", &args.branch)] {
            if let Some(value) = value {
                entry.insert(key, value.as_str().into());
            }
        }
    } else if let Some(archive) = &args.archive {
        let is_url = archive.contains("://");
        let sha256 = match &args.sha256 {
            Some(sha) => sha.clone(),
            None if is_url => {
                invocation_error(
                    "an archive from a URL is trusted only by its hash: pass `--sha256` as its publisher gives it",
                );
                return Err(Vec::new());
            }
            None => {
                let bytes = std::fs::read(archive).map_err(|e| {
                    invocation_error(&format!("cannot read `{archive}`: {e}"));
                    Vec::new()
                })?;
                let sha = sha256_hex(&bytes);
                eprintln!("The archive's sha256 is {sha}; it is pinned in tenet.toml");
                sha
            }
        };
        let location =
            if is_url { archive.clone() } else { relative_to_project(project.dir(), Path::new(archive)) };
        entry.insert("archive", location.into());
        entry.insert("sha256", sha256.into());
    }
    if let Some(version) = &args.requirement {
        entry.insert("version", version.as_str().into());
    }
    let table =
        document.entry("dependencies").or_insert_with(|| toml_edit::Item::Table(toml_edit::Table::new()));
    let Some(table) = table.as_table_like_mut() else {
        return Err(vec![PackError::new(
            tenet_diagnostics::Code::INVALID_MANIFEST,
            &manifest_path,
            "`dependencies` is not a table",
        )]);
    };
    let replaced = table.contains_key(&args.name);
    table.insert(&args.name, toml_edit::Item::Value(toml_edit::Value::InlineTable(entry)));
    let restore = |errors: Vec<PackError>| {
        let _ = std::fs::write(&manifest_path, &original);
        errors
    };
    write_manifest(&manifest_path, &document)?;
    let mut project = open(&args.project).map_err(restore)?;
    let cache = Cache::from_env();
    let fetcher = Fetcher::new(&cache, network);
    let keep = Keep::AllBut([args.name.clone()].into());
    let packs = project.resolve(&keep, &fetcher).map_err(|e| restore(vec![e]))?;
    let changes = project.write_lock(&packs).map_err(|e| restore(vec![e]))?;
    eprintln!("{} `{}` in tenet.toml", if replaced { "Replaced" } else { "Added" }, args.name);
    print_changes(&changes);
    Ok(())
}

fn write_manifest(path: &Path, document: &toml_edit::DocumentMut) -> Outcome {
    std::fs::write(path, document.to_string()).map_err(|e| {
        vec![PackError::new(
            tenet_diagnostics::Code::INVALID_MANIFEST,
            path,
            format!("cannot write the manifest: {e}"),
        )]
    })
}

fn remove(args: &PackRemoveArgs) -> Outcome {
    let project = open(&args.project)?;
    let manifest_path = project.manifest.path.clone();
    let mut document: toml_edit::DocumentMut = project.manifest.text.parse().map_err(|e| {
        vec![PackError::new(
            tenet_diagnostics::Code::INVALID_MANIFEST,
            &manifest_path,
            format!("cannot edit the manifest: {e}"),
        )]
    })?;
    let removed = document
        .get_mut("dependencies")
        .and_then(|d| d.as_table_like_mut())
        .and_then(|t| t.remove(&args.name))
        .is_some();
    if !removed {
        invocation_error(&format!("`{}` is not a dependency in {}", args.name, shown(&manifest_path)));
        return Err(Vec::new());
    }
    write_manifest(&manifest_path, &document)?;
    let mut project = open(&args.project)?;
    let cache = Cache::from_env();
    // Removing never downloads: what stays is resolved from the lock and the cache.
    let fetcher = Fetcher::new(&cache, false);
    let packs = project.resolve(&Keep::All, &fetcher).map_err(|e| vec![e])?;
    let changes = project.write_lock(&packs).map_err(|e| vec![e])?;
    eprintln!("Removed `{}` from tenet.toml", args.name);
    print_changes(&changes);
    Ok(())
}

fn update(args: &PackUpdateArgs, network: bool) -> Outcome {
    let mut project = open(&args.project)?;
    let known = |name: &String| {
        project.manifest.dependencies.iter().any(|d| d.name == *name)
            || project.lock.as_ref().is_some_and(|(l, _)| l.get(name).is_some())
    };
    if let Some(unknown) = args.names.iter().find(|n| !known(n)) {
        invocation_error(&format!("`{unknown}` is neither a dependency nor locked"));
        return Err(Vec::new());
    }
    let keep = if args.names.is_empty() {
        Keep::Nothing
    } else {
        Keep::AllBut(args.names.iter().cloned().collect())
    };
    let cache = Cache::from_env();
    let fetcher = Fetcher::new(&cache, network);
    let packs = project.resolve(&keep, &fetcher).map_err(|e| vec![e])?;
    let changes = project.write_lock(&packs).map_err(|e| vec![e])?;
    print_changes(&changes);
    Ok(())
}

fn fetch(args: &ProjectArgs, network: bool) -> Outcome {
    let mut project = open(args)?;
    let cache = Cache::from_env();
    let fetcher = Fetcher::new(&cache, network);
    let loaded = match project.load_locked(&fetcher) {
        Ok(loaded) => loaded,
        Err(errors) if errors.iter().all(|e| e.code == tenet_diagnostics::Code::LOCK_OUT_OF_DATE) => {
            let packs = project.resolve(&Keep::All, &fetcher).map_err(|e| vec![e])?;
            print_changes(&project.write_lock(&packs).map_err(|e| vec![e])?);
            project.load_locked(&fetcher)?
        }
        Err(errors) => return Err(errors),
    };
    for pack in &loaded {
        eprintln!("   Fetched {} v{} ({})", pack.locked.name, pack.locked.version, pack.found_in);
    }
    eprintln!("{} verified; cache: {}", count_packs(loaded.len()), shown(cache.root()));
    Ok(())
}

fn count_packs(n: usize) -> String {
    format!("{n} {}", if n == 1 { "pack" } else { "packs" })
}

fn vendor(args: &ProjectArgs) -> Outcome {
    let project = open(args)?;
    let cache = Cache::from_env();
    // Vendoring copies what `fetch` brought; it never downloads.
    let fetcher = Fetcher::new(&cache, false);
    let done = project.vendor(&fetcher)?;
    for pack in &done {
        eprintln!("  Vendored {pack}");
    }
    eprintln!(
        "{} in {}; `tenet check` reads them from there, without network or cache",
        count_packs(done.len()),
        shown(&project.dir().join(tenet_pack::VENDOR_DIR))
    );
    Ok(())
}

fn build(args: &PackBuildArgs) -> Outcome {
    let project = open(&args.project)?;
    let manifest = &project.manifest;
    let files = collect(project.dir()).map_err(|e| vec![e])?;
    let bytes = build_archive(manifest, &files).map_err(|e| vec![e])?;
    let output = args.output.clone().unwrap_or_else(|| {
        project.dir().join("dist").join(format!("{}-{}.tar.gz", manifest.name, manifest.version))
    });
    let written = output
        .parent()
        .map(std::fs::create_dir_all)
        .unwrap_or(Ok(()))
        .and_then(|()| std::fs::write(&output, &bytes));
    if let Err(e) = written {
        invocation_error(&format!("cannot write `{}`: {e}", shown(&output)));
        return Err(Vec::new());
    }
    println!("{}", shown(&output));
    eprintln!(
        "Built {} v{}: {} files, content {}, archive sha256 {}",
        manifest.name,
        manifest.version,
        files.len(),
        tenet_pack::content_hash(&files),
        sha256_hex(&bytes)
    );
    Ok(())
}

fn verify(args: &PackVerifyArgs) -> Outcome {
    if let Some(archive) = &args.archive {
        let bytes = std::fs::read(archive).map_err(|e| {
            invocation_error(&format!("cannot read `{}`: {e}", shown(archive)));
            Vec::new()
        })?;
        let actual = sha256_hex(&bytes);
        if let Some(expected) = &args.sha256
            && expected.trim_start_matches("sha256:").to_ascii_lowercase() != actual
        {
            return Err(vec![PackError::new(
                tenet_diagnostics::Code::LOCK_MISMATCH,
                archive,
                format!("the archive does not match its sha256: expected {expected}, found {actual}"),
            )]);
        }
        let unpacked = unpack(&bytes, true, archive).map_err(|e| vec![e])?;
        let Some(listing) = unpacked.check_listing(archive).map_err(|e| vec![e])? else {
            return Err(vec![PackError::new(
                tenet_diagnostics::Code::LOCK_MISMATCH,
                archive,
                format!("the archive has no `{}` to verify against", tenet_pack::ARCHIVE_MANIFEST),
            )]);
        };
        let content = tenet_pack::content_hash(&unpacked.content());
        if content != listing.checksum {
            return Err(vec![PackError::new(
                tenet_diagnostics::Code::LOCK_MISMATCH,
                archive,
                format!("the archive's content is {content}, and its manifest says {}", listing.checksum),
            )]);
        }
        println!(
            "verified {} v{}: {} files, content {content}, archive sha256 {actual}",
            listing.name,
            listing.version,
            listing.files.len()
        );
        return Ok(());
    }
    let project = open(&args.project)?;
    let cache = Cache::from_env();
    let fetcher = Fetcher::new(&cache, false);
    let loaded = project.load_locked(&fetcher)?;
    for pack in &loaded {
        println!(
            "verified {} v{} {} ({})",
            pack.locked.name, pack.locked.version, pack.locked.checksum, pack.found_in
        );
    }
    eprintln!("{} match tenet.lock", count_packs(loaded.len()));
    Ok(())
}

fn tree(args: &PackTreeArgs) -> Outcome {
    let project = open(&args.project)?;
    let cache = Cache::from_env();
    let fetcher = Fetcher::new(&cache, false);
    let loaded = project.load_locked(&fetcher)?;
    let manifests: BTreeMap<String, (Manifest, &LoadedPack)> = loaded
        .iter()
        .filter_map(|pack| {
            let text = pack.files.iter().find(|f| f.path == tenet_pack::MANIFEST_FILE)?;
            let manifest = Manifest::parse(
                &pack.dir.join(tenet_pack::MANIFEST_FILE),
                &String::from_utf8_lossy(&text.bytes),
            )
            .ok()?;
            Some((pack.locked.name.clone(), (manifest, pack)))
        })
        .collect();
    let root = &project.manifest;
    let mut out = format!("{} v{} ({})\n", root.name, root.version, shown(project.dir()));
    let mut seen = std::collections::BTreeSet::new();
    print_deps(&root.dependencies, &manifests, "", &mut seen, &mut out);
    print!("{out}");
    if args.overrides {
        print!("{}", overrides(&args.project.project));
    }
    Ok(())
}

fn print_deps(
    deps: &[tenet_pack::Dependency],
    manifests: &BTreeMap<String, (Manifest, &LoadedPack)>,
    prefix: &str,
    seen: &mut std::collections::BTreeSet<String>,
    out: &mut String,
) {
    for (i, dep) in deps.iter().enumerate() {
        let last = i + 1 == deps.len();
        let (branch, next) = if last { ("└── ", "    ") } else { ("├── ", "│   ") };
        match manifests.get(&dep.name) {
            Some((manifest, pack)) => {
                let repeat = !seen.insert(dep.name.clone());
                let req = dep.version.as_ref().map(|r| format!(" ({r})")).unwrap_or_default();
                out.push_str(&format!(
                    "{prefix}{branch}{} v{}{req} {}{}\n",
                    dep.name,
                    manifest.version,
                    pack.locked.source,
                    if repeat { " (*)" } else { "" }
                ));
                if !repeat {
                    print_deps(&manifest.dependencies, manifests, &format!("{prefix}{next}"), seen, out);
                }
            }
            None => out.push_str(&format!("{prefix}{branch}{} (not locked)\n", dep.name)),
        }
    }
}

/// Every tailoring declaration of the workspace and its packs, by package, saying whether
/// it is in force and, when not, which package replaced it.
fn overrides(root: &Path) -> String {
    let mut db = Database::default();
    let Ok(loaded) = packs::load(&mut db, root) else { return String::new() };
    let program = program(&db, loaded.files.workspace);
    let package_name = |id: tenet_sema::program::PackageId| {
        program.packages.get(id.index()).map_or_else(|| "?".to_owned(), |p| p.name.to_string())
    };
    let mut by_package: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let files: Vec<_> = loaded.files.dependencies.iter().chain(&loaded.files.files).copied().collect();
    for file in files {
        let parsed = parse(&db, file);
        let path = file.path(&db).to_owned();
        let text = String::from_utf8_lossy(file.bytes(&db)).into_owned();
        let index = LineIndex::new(&text);
        let Some(package) = parsed.ast.items.iter().find_map(|i| match i {
            Item::Package(p) => Some(p.path.text.clone()),
            _ => None,
        }) else {
            continue;
        };
        let is_here = |file: tenet_sema::program::FileId, span: tenet_diagnostics::Span, start: u32| {
            program.files.get(file.index()).is_some_and(|f| *f.path == *path)
                && span.start <= start
                && start < span.end.max(span.start + 1)
        };
        let entry = |what: String, state: Option<String>, reason: Option<&str>, offset: u32| {
            let state = state.map(|s| format!("  [{s}]")).unwrap_or_default();
            let reason = reason.map(|r| format!("\n      because {r:?}")).unwrap_or_default();
            format!("{what}{state}{reason}\n      at {path}:{}", index.line_col(&text, offset).line)
        };
        let rule_override = |what: String, because: &str, offset: u32| {
            let in_force = program.overrides.iter().any(|x| is_here(x.file, x.span, offset));
            let state = if in_force { "in force" } else { "not applied: see the diagnostics" };
            entry(what, Some(state.to_owned()), Some(because), offset)
        };
        for item in &parsed.ast.items {
            let line = match item {
                Item::Set(s) => {
                    let value = text.get(s.value.span.range()).unwrap_or_default().trim().to_owned();
                    let state = program.params.iter().find_map(|p| {
                        if p.set_by.as_ref().is_some_and(|b| is_here(b.file, b.span, s.span.start)) {
                            return Some("in force".to_owned());
                        }
                        let replaced =
                            p.replaced_sets.iter().any(|(b, _)| is_here(b.file, b.span, s.span.start));
                        let winner = p.set_by.as_ref().map(|w| package_name(w.package));
                        replaced.then(|| format!("replaced by {}", winner.unwrap_or_default()))
                    });
                    entry(
                        format!("set {} = {value}", s.target.text),
                        Some(state.unwrap_or_else(|| "not applied: see the diagnostics".to_owned())),
                        s.because.as_ref().map(|b| b.value.as_str()),
                        s.span.start,
                    )
                }
                Item::Exclusion(e) => entry(
                    format!("not_applicable {}", e.control.text),
                    None,
                    Some(&e.because.value),
                    e.span.start,
                ),
                Item::Waiver(w) => entry(
                    format!(
                        "waive {}{}{} until {} approved_by {:?}",
                        w.control.text,
                        w.rule.as_ref().map(|r| format!(" rule {}", r.text)).unwrap_or_default(),
                        w.subject
                            .as_ref()
                            .map(|s| format!(" for {} {:?}", s.kind.text, s.key.value))
                            .unwrap_or_default(),
                        w.until.date,
                        w.approved_by.value
                    ),
                    None,
                    Some(&w.because.value),
                    w.span.start,
                ),
                Item::Override(o) => rule_override(
                    format!("override {} rule {} (replaces the rule)", o.control.text, o.rule.text),
                    &o.because.value,
                    o.span.start,
                ),
                Item::Disable(d) => rule_override(
                    format!("disable {} rule {}", d.control.text, d.rule.text),
                    &d.because.value,
                    d.span.start,
                ),
                _ => continue,
            };
            by_package.entry(package.clone()).or_default().push(line);
        }
    }
    let origin_of = |name: &str| {
        program.packages.iter().find(|p| *p.name == *name).map(|p| match p.origin {
            Origin::Workspace => "this pack",
            Origin::Dependency => "dependency",
            Origin::Stdlib => "built in",
        })
    };
    let mut out = String::from("\nTailoring, by the package that declares it:\n");
    if by_package.is_empty() {
        out.push_str("  (none)\n");
    }
    for (package, lines) in by_package {
        out.push_str(&format!("{package} ({})\n", origin_of(&package).unwrap_or("not in scope")));
        for line in lines {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out
}
