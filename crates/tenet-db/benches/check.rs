//! Parse and check: the embedded stdlib alone, and a generated pack of about 20,000 lines
//! on top of it. Cold runs build a fresh database each iteration; `recheck` measures one
//! edited file in a warm database, which is what the editor pays per keystroke.

use std::fmt::Write;

use criterion::{Criterion, criterion_group, criterion_main};
use salsa::Setter;
use tenet_db::{Database, MemorySystem, diagnostics, load_workspace};

/// A pack of `controls` controls across `files` files, with schemas, params, waivers,
/// frameworks and tests: every kind of item the checker handles, in realistic proportion.
fn generated_pack(files: usize, controls_per_file: usize) -> MemorySystem {
    let mut system = MemorySystem::new();
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
    system.write("pack/schema.tenet", schema);
    for f in 0..files {
        let mut text = String::from("package bench\n\n");
        for c in 0..controls_per_file {
            let k = (f * controls_per_file + c) % 40;
            let j = (k + 39) % 40; // Kind{j}.system refers to Kind{k}
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
        let _ = write!(
            text,
            "waive B.{f}.0 rule reviewed for Kind{} \"legacy-{f}\" until 2027-03-31 approved_by \"CISO\" \
             because \"Migration.\"\n\ntest \"control {f}.0 fails without evidence\" {{\n  today 2026-06-30\n  \
             expect B.{f}.0 no_evidence\n}}\n",
            (f * controls_per_file) % 40
        );
        system.write(format!("pack/controls_{f:03}.tenet"), text);
    }
    system
}

fn line_count(system: &MemorySystem) -> usize {
    system.files().map(|(_, bytes)| bytes.iter().filter(|b| **b == b'\n').count()).sum()
}

fn bench(c: &mut Criterion) {
    let stdlib_only = MemorySystem::new();
    let mut empty = stdlib_only.clone();
    empty.write("pack/empty.tenet", "package empty\n");
    c.bench_function("stdlib: parse + check", |b| {
        b.iter(|| {
            let mut db = Database::default();
            let loaded = load_workspace(&mut db, &empty, "pack".as_ref()).ok();
            loaded.map(|l| diagnostics(&db, l.workspace).len())
        })
    });

    let pack = generated_pack(100, 12);
    eprintln!("generated pack: {} lines", line_count(&pack));
    let mut group = c.benchmark_group("generated pack");
    group.sample_size(20);
    group.bench_function("parse only", |b| {
        b.iter(|| {
            pack.files().map(|(_, bytes)| tenet_syntax::parse_bytes(bytes).0.items.len()).sum::<usize>()
        })
    });
    group.bench_function("parse + check, cold", |b| {
        b.iter(|| {
            let mut db = Database::default();
            let loaded = load_workspace(&mut db, &pack, "pack".as_ref()).ok();
            if let Some(l) = &loaded {
                tenet_db::parse_all(&db, l.workspace);
            }
            let found = loaded.map(|l| diagnostics(&db, l.workspace).clone()).unwrap_or_default();
            assert!(found.is_empty(), "the generated pack must check clean: {:?}", found.first());
            found.len()
        })
    });
    group.bench_function("recheck after editing one file", |b| {
        let mut db = Database::default();
        let Ok(loaded) = load_workspace(&mut db, &pack, "pack".as_ref()) else { return };
        let _ = diagnostics(&db, loaded.workspace).len();
        let file = loaded.files[1];
        let original: Vec<u8> = file.bytes(&db).to_vec();
        let mut toggle = false;
        b.iter(|| {
            toggle = !toggle;
            let mut edited = original.clone();
            if toggle {
                edited.extend_from_slice(b"\n// edited\n");
            }
            file.set_bytes(&mut db).to(edited);
            diagnostics(&db, loaded.workspace).len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
