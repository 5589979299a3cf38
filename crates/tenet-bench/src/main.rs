//! `cargo build --release -p tenet-cli && cargo run --release -p tenet-bench -- [--sizes 1000,10000,100000] [--runs 5] [--regorus PATH]`
//!
//! For each size: the floor (read every evidence file and parse it, nothing else); a cold
//! check, which is the `tenet check` binary run as a user runs it (compile, load, validate
//! the evidence, evaluate, print the text report), on 2 threads and on 1, with its peak
//! memory and its CPU time in user and kernel mode (the kernel's share is mostly
//! faulting in fresh memory, which on some machines costs more than the work). The floor
//! and the cold check are both processes timed alike from outside, from start to exit.
//! Then a re-check after editing one evidence file in a warm database (the evidence's
//! diagnostics and every rule's results, as `tenet watch` recomputes them); and — when a
//! regorus binary is given — the same rules in Rego evaluated by regorus over the
//! organisation exported as one JSON document, with a check that both engines find the
//! same violations. Beside the one-thread runs, a probe of the machine itself: two threads
//! doing arithmetic that touches no memory against one (`--child spin DIR THREADS`), which
//! says how far any program could scale in that moment on a shared, noisy machine.
//! Medians over `--runs` runs (three for one thread and for regorus);
//! ratios are taken run by run and shown as their median and range. Each measurement
//! that needs a fresh process gets one (this binary re-invokes itself).
//!
//! To see where the time goes: `tenet-bench --child phases DIR THREADS` (or
//! `long-lived-phases`, the same first check in a database that stays, as `tenet watch`'s
//! and the language server's) and
//! `tenet-bench --child recheck-phases DIR THREADS` print each phase of a cold check (with
//! its CPU time, which over its wall time says how busy it kept the threads) and of a
//! re-check, `--child recheck-repeat DIR THREADS` times forty re-checks in one warm
//! database, `--child evaluate DIR THREADS` evaluates every rule twelve times over
//! loaded evidence, for a profiler, and `--child typed-load DIR 1` times loading every file
//! on one thread without the schemas (the floor's parsing) and with them (typing too), by
//! format, seven rounds; `--child watch-latency DIR 2` times `tenet watch` from an edit on
//! disk to its output (`DIR` is an organisation the bench wrote, `/tmp/tenet-bench/org-N`).

mod generate;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use salsa::Setter;
use tenet_db::{
    Database, Db, OsSystem, RunSettings, evaluate_workspace, load_evidence_dir, load_workspace, parse_all,
};

/// The same allocator as the `tenet` binary, so the figures are the CLI's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--child") {
        // `--child MODE DIR THREADS`: one measurement in a fresh process.
        let mode = args.get(pos + 1).map(String::as_str).unwrap_or("");
        let dir = PathBuf::from(args.get(pos + 2).map(String::as_str).unwrap_or("."));
        let threads: usize = args.get(pos + 3).and_then(|t| t.parse().ok()).unwrap_or(2);
        let _ = rayon::ThreadPoolBuilder::new().num_threads(threads).build_global();
        child(mode, &dir);
        return;
    }
    let sizes: Vec<usize> = flag(&args, "--sizes")
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 100_000]);
    let runs: usize = flag(&args, "--runs").and_then(|r| r.parse().ok()).unwrap_or(5);
    let regorus = flag(&args, "--regorus").map(PathBuf::from);
    let work = std::env::temp_dir().join("tenet-bench");
    println!(
        "| N | files | floor | cold check (2 threads) | cold / floor | floor CPU, user + kernel | cold CPU, user + kernel | cold, 1 thread | 1t / 2t | floor 1t / 2t | machine 1t / 2t | re-check after one edit | peak memory | regorus | regorus / tenet |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for n in sizes {
        let dir = work.join(format!("org-{n}"));
        let _ = std::fs::remove_dir_all(&dir);
        let files = match generate::write_org(&dir, n) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("cannot write the organisation: {e}");
                std::process::exit(2);
            }
        };
        // Interleaved, so that a slow spell of the machine falls on every measurement
        // alike rather than on whichever ran during it.
        let (mut floors, mut floors_one, mut colds, mut colds_one, mut rechecks, mut rego_times) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut spins = Vec::new();
        for run in 0..runs.max(1) {
            floors.push(run_floor(&dir, 2));
            colds.push(run_cli(&dir, 2));
            if run < 3 {
                // Three runs of one thread (with the floor's, which say how far this machine
                // lets even the floor scale) and of regorus.
                floors_one.push(run_floor(&dir, 1).wall);
                colds_one.push(run_cli(&dir, 1).wall);
                // And the machine's own scaling just then: two threads doing twice the
                // arithmetic of one, in how much less than twice its time.
                let (one, two) = (measure(&dir, "spin", 1).wall, measure(&dir, "spin", 2).wall);
                spins.push(2.0 * one.as_secs_f64() / two.as_secs_f64().max(1e-9));
                if let Some(bin) = &regorus {
                    rego_times.push(run_regorus(bin, &dir).0);
                }
            }
            rechecks.push(measure(&dir, "recheck", 2).wall);
        }
        // Ratios are taken run by run, between measurements made one after the other, then
        // summed up as their median and range: a slow spell of the machine then moves both
        // sides of a ratio, where a ratio of medians could take its sides from different spells.
        let ratios = |over: &[Duration], under: &[Duration]| {
            spread(over.iter().zip(under).map(|(o, u)| o.as_secs_f64() / u.as_secs_f64()).collect())
        };
        let walls = |samples: &[Sample]| samples.iter().map(|s| s.wall).collect::<Vec<_>>();
        let cold_over_floor = ratios(&walls(&colds), &walls(&floors));
        let one_over_two = ratios(&colds_one, &walls(&colds));
        let floor_one_over_two = ratios(&floors_one, &walls(&floors));
        let rego_over_cold = ratios(&rego_times, &walls(&colds));
        let machine_one_over_two = spread(spins);
        let cpu = |samples: &[Sample]| {
            let user = median(samples.iter().map(|s| s.user).collect());
            let system = median(samples.iter().map(|s| s.system).collect());
            format!("{:.2} + {:.2} s", user.as_secs_f64(), system.as_secs_f64())
        };
        let (floor, cold) = (median(walls(&floors)), median(walls(&colds)));
        let (cold_one, recheck) = (median(colds_one), median(rechecks));
        let peak = colds.iter().map(|s| s.peak).max().unwrap_or(0);
        let (rego_time, same) = match &regorus {
            Some(bin) => {
                let t = median(rego_times);
                let rego_violations = run_regorus(bin, &dir).1;
                let tenet_violations = tenet_violations(&dir);
                if rego_violations != tenet_violations {
                    let only_rego: Vec<_> = rego_violations.difference(&tenet_violations).take(5).collect();
                    let only_tenet: Vec<_> = tenet_violations.difference(&rego_violations).take(5).collect();
                    eprintln!(
                        "N={n}: the engines disagree: only regorus {only_rego:?}, only tenet {only_tenet:?}"
                    );
                }
                (Some(t), rego_violations == tenet_violations)
            }
            None => (None, true),
        };
        if !same {
            std::process::exit(1);
        }
        let rego_cell = rego_time.map_or("—".to_owned(), ms);
        println!(
            "| {n} | {files} | {} | {} | {cold_over_floor} | {} | {} | {} | {one_over_two} | {floor_one_over_two} | {machine_one_over_two} | {} | {} MiB | {rego_cell} | {rego_over_cold} |",
            ms(floor),
            ms(cold),
            cpu(&floors),
            cpu(&colds),
            ms(cold_one),
            ms(recheck),
            peak / 1024,
        );
    }
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn ms(d: Duration) -> String {
    if d.as_millis() >= 10 {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} ms", d.as_secs_f64() * 1000.0)
    }
}

/// The median of some ratios and their range, as `1.71 (1.66–1.76)`; a dash for none.
fn spread(mut ratios: Vec<f64>) -> String {
    ratios.sort_by(f64::total_cmp);
    match (ratios.first(), ratios.get(ratios.len() / 2), ratios.last()) {
        (Some(low), Some(mid), Some(high)) => format!("{mid:.2} ({low:.2}–{high:.2})"),
        _ => "—".to_owned(),
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// One measurement: wall time, peak resident KiB, and CPU time in user and kernel mode
/// (the kernel's share is mostly the faulting-in of fresh memory).
#[derive(Debug, Clone, Copy, Default)]
struct Sample {
    wall: Duration,
    peak: u64,
    user: Duration,
    system: Duration,
}

/// A measurement a child process makes of itself and prints: the re-check, which is timed
/// inside a warm database.
fn measure(dir: &Path, mode: &str, threads: usize) -> Sample {
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("tenet-bench"));
    let out =
        Command::new(exe).args(["--child", mode, &dir.to_string_lossy(), &threads.to_string()]).output();
    let Ok(out) = out else { return Sample::default() };
    let text = String::from_utf8_lossy(&out.stdout);
    let numbers: Vec<u64> = text.split_whitespace().map(|p| p.parse().unwrap_or(0)).collect();
    let number = |i: usize| numbers.get(i).copied().unwrap_or(0);
    Sample {
        wall: Duration::from_nanos(number(0)),
        peak: number(1),
        user: ticks(number(2)),
        system: ticks(number(3)),
    }
}

/// The floor as a process, timed from outside exactly as the cold check is ([`run`]):
/// start-up and exit count for both.
fn run_floor(dir: &Path, threads: usize) -> Sample {
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("tenet-bench"));
    let mut command = Command::new(exe);
    command.args(["--child", "floor", &dir.to_string_lossy(), &threads.to_string()]);
    run(&mut command, "the floor")
}

/// Clock ticks (`/proc`'s unit, `USER_HZ`, 100 per second on Linux) as a duration.
fn ticks(n: u64) -> Duration {
    Duration::from_millis(n.saturating_mul(10))
}

/// User and kernel CPU ticks from a `/proc/PID/stat` file: this process's own when
/// `children` is false, else those of its children that have ended and been waited for
/// (zeros when it cannot be read).
fn cpu_ticks(stat: &Path, children: bool) -> (u64, u64) {
    let Ok(text) = std::fs::read_to_string(stat) else { return (0, 0) };
    // The command name, in parentheses, may hold spaces: fields are counted after it.
    let after = text.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |i: usize| fields.get(i).and_then(|f| f.parse().ok()).unwrap_or(0);
    // utime, stime, cutime and cstime are fields 14 to 17 of the line, 12 to 15 after the name.
    if children { (field(13), field(14)) } else { (field(11), field(12)) }
}

/// Runs `tenet check` on the organisation as a user would (text report, discarded).
fn run_cli(dir: &Path, threads: usize) -> Sample {
    let mut command = Command::new(tenet_binary());
    command.arg("check").arg(dir.join("policy")).arg("--evidence").arg(dir.join("evidence")).args([
        "--as-of",
        generate::AS_OF,
        "--jobs",
        &threads.to_string(),
    ]);
    run(&mut command, "`tenet check`")
}

/// Runs `command` to its end and measures it from outside: wall time from start to exit,
/// CPU time from this process's counters for the children it has waited for, and peak
/// memory from the child's `/proc` high-water mark, read every two milliseconds by
/// another thread (a finished process has none left to read) while this one waits.
/// Exits the bench when the command fails: 0 and 1 are what `tenet check` gives over an
/// organisation with gaps.
fn run(command: &mut Command, what: &str) -> Sample {
    let before = cpu_ticks(Path::new("/proc/self/stat"), true);
    let start = Instant::now();
    let child = command.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            eprintln!("cannot run {what}: {e}");
            std::process::exit(2);
        }
    };
    let status_file = PathBuf::from(format!("/proc/{}/status", child.id()));
    let done = std::sync::atomic::AtomicBool::new(false);
    let pipe = child.stderr.take();
    let (status, elapsed, peak, stderr) = std::thread::scope(|scope| {
        // Drained while the child runs, so that a child with much to say is never blocked.
        let stderr = scope.spawn(|| {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = std::io::Read::read_to_string(&mut pipe, &mut text);
            }
            text
        });
        let sampler = scope.spawn(|| {
            let mut peak = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                peak = high_water_kib(&status_file).max(peak);
                std::thread::sleep(Duration::from_millis(2));
            }
            peak
        });
        let status = child.wait();
        let elapsed = start.elapsed();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        (status, elapsed, sampler.join().unwrap_or(0), stderr.join().unwrap_or_default())
    });
    let after = cpu_ticks(Path::new("/proc/self/stat"), true);
    let status = match status {
        Ok(status) => status,
        Err(e) => {
            eprintln!("cannot wait for {what}: {e}");
            std::process::exit(2);
        }
    };
    if !matches!(status.code(), Some(0 | 1)) {
        eprintln!("{what} failed ({status}): {}", stderr.trim());
        std::process::exit(2);
    }
    Sample {
        wall: elapsed,
        peak,
        user: ticks(after.0.saturating_sub(before.0)),
        system: ticks(after.1.saturating_sub(before.1)),
    }
}

/// The `tenet` binary beside this one (`cargo build --release -p tenet-cli` puts it there).
fn tenet_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("tenet-bench"));
    let tenet = exe.with_file_name("tenet");
    if !tenet.is_file() {
        eprintln!(
            "no `tenet` binary at `{}`: build it first with `cargo build --release -p tenet-cli`",
            tenet.display()
        );
        std::process::exit(2);
    }
    tenet
}

/// The CPU time of this process so far, user and kernel, threads that have ended
/// included, to `/proc`'s tick of 10 ms.
fn cpu_time() -> Duration {
    let (user, system) = cpu_ticks(Path::new("/proc/self/stat"), false);
    ticks(user + system)
}

fn peak_kib() -> u64 {
    high_water_kib(Path::new("/proc/self/status"))
}

/// The `VmHWM` line of a `/proc/PID/status` file, in KiB (0 when it cannot be read).
fn high_water_kib(status: &Path) -> u64 {
    std::fs::read_to_string(status)
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// Steps of [`spin`] each thread of the probe takes: about a tenth of a second here.
const SPIN_STEPS: u64 = 50_000_000;

/// `steps` rounds of xorshift: arithmetic only, so its time is the core's alone.
fn spin(steps: u64) -> u64 {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..steps {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

fn as_of() -> jiff::civil::Date {
    generate::AS_OF.parse().unwrap_or(jiff::civil::date(2026, 6, 30))
}

fn child(mode: &str, dir: &Path) {
    let start = Instant::now();
    let elapsed = match mode {
        "spin" => {
            // How far this machine lets threads scale at this moment, apart from any of
            // Tenet's work: each thread does the same arithmetic, touching no memory.
            let threads = rayon::current_num_threads();
            std::thread::scope(|scope| {
                for _ in 0..threads {
                    scope.spawn(|| std::hint::black_box(spin(SPIN_STEPS)));
                }
            });
            start.elapsed()
        }
        "floor" => {
            // Walk, read and parse every file with the same parsers and nothing else: the
            // least any engine must do with this evidence. As a check does, batches of files
            // are read on rayon's threads while the walk goes on, and parsed file by file.
            use rayon::prelude::*;
            let root = dir.join("evidence");
            let total = std::sync::atomic::AtomicUsize::new(0);
            let sources = tenet_evidence::Sources::new(&[]);
            let parse_batch = |batch: Vec<PathBuf>| {
                // Read as a check reads them.
                let bytes = tenet_db::System::read_each(&OsSystem, &batch, tenet_db::evidence_read_limit());
                let read: Vec<(String, Vec<u8>)> = batch
                    .iter()
                    .zip(bytes)
                    .map(|(p, b)| (relative(&root, p), b.unwrap_or_default()))
                    .collect();
                let parsed: usize = read
                    .par_iter()
                    .with_max_len(1)
                    .map(|(rel, bytes)| {
                        let limits = tenet_evidence::Limits::default();
                        tenet_evidence::load_file(rel, bytes, &[], &sources, &limits).documents.len()
                            + bytes.len()
                    })
                    .sum();
                total.fetch_add(parsed, std::sync::atomic::Ordering::Relaxed);
            };
            rayon::scope(|scope| {
                let mut batch = Vec::with_capacity(128);
                let _ = tenet_db::System::walk_each(&OsSystem, &root, &mut |found| {
                    let tenet_db::Found::File(path) = found else { return };
                    batch.push(path);
                    if batch.len() == 128 {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(128));
                        scope.spawn(|_| parse_batch(full));
                    }
                });
                parse_batch(batch);
            });
            std::hint::black_box(total.into_inner());
            start.elapsed()
        }
        "typed-load" => {
            // What typing adds to parsing: each file loaded on this thread without the
            // schemas, then with them, timed by format.
            let mut db = Database::default();
            let Ok(loaded) = load_workspace(&mut db, &OsSystem, &dir.join("policy")) else { return };
            let schemas = tenet_db::schemas(&db, loaded.workspace).clone();
            let sources = tenet_evidence::Sources::new(&schemas);
            let files = read_evidence(dir);
            let no_sources = tenet_evidence::Sources::new(&[]);
            let limits = tenet_evidence::Limits::default();
            for round in 0..7 {
                for (name, schemas, sources) in
                    [("untyped", &[][..], &no_sources), ("typed", &schemas, &sources)]
                {
                    let mut by_ext: std::collections::BTreeMap<String, Duration> = Default::default();
                    let mut kept = Vec::new();
                    for (rel, bytes) in &files {
                        let ext = rel.rsplit('.').next().unwrap_or("").to_owned();
                        let t = Instant::now();
                        let l = tenet_evidence::load_file_unlocated(rel, bytes, schemas, sources, &limits);
                        *by_ext.entry(ext).or_default() += t.elapsed();
                        kept.push(l);
                    }
                    let total: Duration = by_ext.values().sum();
                    eprintln!("{round} {name}: {total:?} {by_ext:?}");
                    drop(kept);
                }
            }
            start.elapsed()
        }
        "by-format" => {
            let mut by_ext: std::collections::BTreeMap<String, (Duration, usize, usize)> = Default::default();
            for (rel, bytes) in read_evidence(dir) {
                let ext = rel.rsplit('.').next().unwrap_or("").to_owned();
                let t = Instant::now();
                let docs = tenet_evidence::load_file(
                    &rel,
                    &bytes,
                    &[],
                    &tenet_evidence::Sources::new(&[]),
                    &tenet_evidence::Limits::default(),
                )
                .documents
                .len();
                let e = by_ext.entry(ext).or_default();
                e.0 += t.elapsed();
                e.1 += bytes.len();
                e.2 += 1 + docs;
            }
            for (ext, (t, bytes, files)) in by_ext {
                eprintln!(
                    "{ext}: {files} files, {bytes} bytes, {:?} ({:.1} MB/s)",
                    t,
                    bytes as f64 / t.as_secs_f64() / 1e6
                );
            }
            start.elapsed()
        }
        "watch-latency" => match watch_latency(dir) {
            Ok(median) => median,
            Err(e) => {
                eprintln!("watch-latency: {e}");
                return;
            }
        },
        "recheck" => {
            // What `tenet watch` and the language server do after a save: the evidence's
            // diagnostics and every rule's results, again.
            let Some(mut warm) = Warm::checked_once(dir) else { return };
            let edit = warm.one_file_edit(0);
            let start = Instant::now();
            warm.apply(edit);
            warm.recheck();
            start.elapsed()
        }
        "recheck-repeat" => {
            // Forty re-checks in one warm database, each after another appended monitoring
            // check, for a profiler; prints each one's time.
            let Some(mut warm) = Warm::checked_once(dir) else { return };
            let start = Instant::now();
            for round in 0..40 {
                let edit = warm.one_file_edit(round);
                let t = Instant::now();
                warm.apply(edit);
                warm.recheck();
                eprintln!("re-check {round}: {:.1} ms", t.elapsed().as_secs_f64() * 1000.0);
            }
            start.elapsed()
        }
        "evaluate" => {
            // Every rule evaluated twelve times over evidence already loaded (the date moves
            // a day each time, so every rule runs again): evaluation alone, to profile it.
            let Some(mut warm) = Warm::checked_once(dir) else { return };
            let start = Instant::now();
            for day in 1..=12 {
                warm.settings.set_today(&mut warm.db).to(jiff::civil::date(2026, 6, day));
                let report =
                    evaluate_workspace(&warm.db, warm.workspace, warm.evidence, warm.settings, &|_, _| 0);
                std::hint::black_box(report.summary.results.fail);
            }
            eprintln!("12 evaluations: {:?}", start.elapsed());
            start.elapsed()
        }
        "recheck-phases" => {
            // Where a re-check's time goes after one evidence file changes.
            let Some(mut warm) = Warm::checked_once(dir) else { return };
            let edit = warm.one_file_edit(0);
            let start = Instant::now();
            let mut last = Instant::now();
            let mut lap = |what: &str| {
                eprintln!("{what:>24}: {:>8.1} ms", last.elapsed().as_secs_f64() * 1000.0);
                last = Instant::now();
            };
            warm.apply(edit);
            lap("set the input");
            let Warm { db, workspace, evidence, settings, .. } = &warm;
            tenet_db::load_all_evidence(db, *workspace, *evidence);
            lap("validate evidence");
            let program = tenet_db::program(db, *workspace);
            lap("program");
            let _ = tenet_db::kind_groups(db, *workspace, *evidence);
            lap("groups by kind");
            for kind in 0..program.schemas.len() {
                let _ = tenet_db::kind_docs(db, *workspace, *evidence, tenet_sema::KindId(kind as u32));
                lap(&format!("kind documents {kind}"));
            }
            for control in &program.controls {
                for rule in &control.rules {
                    let _ = tenet_db::rule_results(
                        db,
                        *workspace,
                        *evidence,
                        *settings,
                        control.qualified.clone(),
                        rule.name.clone(),
                        tenet_eval::Passes::Listed,
                    );
                }
            }
            let reused = db.rule_memos().map_or(0, |m| m.take_chunks_reused());
            lap(&format!("rules ({reused} chunks reused)"));
            let report = evaluate_workspace(db, *workspace, *evidence, *settings, &|_, _| 0);
            lap("report");
            let _ = tenet_db::validate_evidence(db, *workspace, *evidence);
            lap("evidence diagnostics");
            std::hint::black_box(report.summary.results.fail);
            start.elapsed()
        }
        "phases" | "long-lived-phases" => {
            // Where a cold check's time goes, printed to stderr: as `tenet check` runs it, or
            // as the first check of a database that stays (`tenet watch`, the language
            // server), which keeps what later edits reuse and lists passing results.
            let long_lived = mode == "long-lived-phases";
            let mut db = Database::default();
            if long_lived {
                db.long_lived();
            } else {
                db.checks_once();
            }
            let mut last = Instant::now();
            // Each phase's CPU time over its wall time says how busy it kept the threads (to
            // within a tick of 10 ms each way, so only for phases of a hundred or more).
            let mut last_cpu = cpu_time();
            let mut lap = |what: &str| {
                let (wall, cpu) = (last.elapsed(), cpu_time().saturating_sub(last_cpu));
                eprintln!(
                    "{what:>24}: {:>8.1} ms, CPU {:>8.1} ms ({:.2} threads busy), peak {:>5} MiB",
                    wall.as_secs_f64() * 1000.0,
                    cpu.as_secs_f64() * 1000.0,
                    cpu.as_secs_f64() / wall.as_secs_f64().max(1e-9),
                    peak_kib() / 1024
                );
                last_cpu = cpu_time();
                last = Instant::now();
            };
            let Ok(loaded) = load_workspace(&mut db, &OsSystem, &dir.join("policy")) else { return };
            lap("load policy");
            let Ok(evidence) = load_evidence_dir(&mut db, &OsSystem, &dir.join("evidence")) else { return };
            lap("read evidence files");
            parse_all(&db, loaded.workspace);
            let _ = tenet_db::program(&db, loaded.workspace);
            lap("parse and check policy");
            // As `tenet check` evaluates for its text report: passing results counted.
            let passes = if long_lived { tenet_eval::Passes::Listed } else { tenet_eval::Passes::Counted };
            let settings =
                RunSettings::builder(as_of(), tenet_eval::DEFAULT_STEP_BUDGET).passes(passes).new(&db);
            tenet_db::load_all_evidence(&db, loaded.workspace, evidence);
            lap("load evidence");
            let _ = tenet_db::validate_evidence(&db, loaded.workspace, evidence);
            lap("evidence diagnostics");
            let report = evaluate_workspace(&db, loaded.workspace, evidence, settings, &|_, _| 0);
            lap("evaluate and report");
            std::hint::black_box(report.summary.results.fail);
            start.elapsed()
        }
        _ => Duration::ZERO,
    };
    let (user, system) = cpu_ticks(Path::new("/proc/self/stat"), false);
    println!("{} {} {user} {system}", elapsed.as_nanos(), peak_kib());
}

/// Every evidence file of the organisation at `dir`, with its path under the evidence root.
fn read_evidence(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let root = dir.join("evidence");
    let paths = tenet_db::System::walk(&OsSystem, &root).unwrap_or_default();
    paths.iter().map(|p| read_under(&root, p)).collect()
}

/// The file at `path`, with its path under `root` (empty bytes when it cannot be read).
fn read_under(root: &Path, path: &Path) -> (String, Vec<u8>) {
    (relative(root, path), std::fs::read(path).unwrap_or_default())
}

/// `path` under `root`, as text.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).map(|r| r.to_string_lossy().into_owned()).unwrap_or_default()
}

/// A database that has checked the organisation once, for re-check measurements.
struct Warm {
    db: Database,
    workspace: tenet_db::Workspace,
    evidence: tenet_db::EvidenceSet,
    settings: RunSettings,
    /// The last check's report, which `tenet watch` compares the next one with.
    report: tenet_eval::report::RunReport,
}

impl Warm {
    fn checked_once(dir: &Path) -> Option<Warm> {
        let mut db = Database::default();
        // As `tenet watch` and the language server keep it.
        db.long_lived();
        let loaded = load_workspace(&mut db, &OsSystem, &dir.join("policy")).ok()?;
        let evidence = load_evidence_dir(&mut db, &OsSystem, &dir.join("evidence")).ok()?;
        let settings = RunSettings::new(&db, as_of(), tenet_eval::DEFAULT_STEP_BUDGET);
        let _ = tenet_db::validate_evidence(&db, loaded.workspace, evidence);
        let report = evaluate_workspace(&db, loaded.workspace, evidence, settings, &|_, _| 0);
        Some(Warm { db, workspace: loaded.workspace, evidence, settings, report })
    }

    /// What `tenet watch` does after a save: the evidence's diagnostics and every rule's
    /// results, again, and what changed since the last report. (The language server does
    /// the first two.)
    fn recheck(&mut self) {
        let diagnostics = tenet_db::validate_evidence(&self.db, self.workspace, self.evidence).len();
        let report = evaluate_workspace(&self.db, self.workspace, self.evidence, self.settings, &|_, _| 0);
        let changes = report.changes_since(&self.report).len();
        std::hint::black_box((diagnostics, report.summary.results.fail, changes));
        self.report = report;
    }

    /// The `round`th edit that appends a check of a deployed system to the first
    /// monitoring file (an edit that changes what the monitoring rule finds for that
    /// system), made but not applied: the file and its new bytes. Finding
    /// the file among the 46,970 and writing its bytes is the harness's work, not the
    /// re-check's, which starts once the watch or the editor has the bytes of a changed
    /// file (it knows the file from the notification).
    fn one_file_edit(&self, round: usize) -> Option<(tenet_db::EvidenceFile, tenet_db::FileBytes)> {
        let db = &self.db;
        let files = self.evidence.files(db);
        let file = files.iter().copied().find(|f| f.path(db).starts_with("monitoring/"))?;
        let system = files
            .iter()
            .find(|f| f.path(db).starts_with("inventory/"))
            .and_then(|f| first_deployed(&String::from_utf8_lossy(f.bytes(db))))
            .unwrap_or_else(|| "sys-000000".to_owned());
        let mut bytes = file.bytes(db).to_vec();
        bytes.extend_from_slice(
            format!("{{\"id\": \"mon-extra-{round}\", \"system\": \"{system}\", \"checked_on\": \"2026-06-29\"}}\n")
                .as_bytes(),
        );
        Some((file, bytes.into()))
    }

    /// Sets the edited file's input to its new bytes.
    fn apply(&mut self, edit: Option<(tenet_db::EvidenceFile, tenet_db::FileBytes)>) {
        if let Some((file, bytes)) = edit {
            file.set_bytes(&mut self.db).to(bytes);
        }
    }
}

/// From an edit on disk to `tenet watch`'s output of its re-check: the `tenet` binary
/// watches the organisation at `dir`, and nine times a second apart a line is appended to
/// one assessment (restored at the end). Each latency, then their median and range, go to
/// stderr; the median is returned. It includes the watch's wait for the rest of a burst
/// of notifications (50 ms).
fn watch_latency(dir: &Path) -> std::io::Result<Duration> {
    use std::io::BufRead;
    let target = std::fs::read_dir(dir.join("evidence/assessments"))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .min()
        .ok_or_else(|| std::io::Error::other("no assessment to edit"))?;
    let original = std::fs::read_to_string(&target)?;
    let mut child = Command::new(tenet_binary())
        .args(["watch", "policy", "--evidence", "evidence", "--as-of", generate::AS_OF])
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or_else(|| std::io::Error::other("no stdout"))?;
    let mut lines = std::io::BufReader::new(stdout).lines();
    let mut until = |prefix: &str| -> std::io::Result<String> {
        for line in lines.by_ref() {
            let line = line?;
            if line.starts_with(prefix) {
                return Ok(line);
            }
        }
        Err(std::io::Error::other("the watch ended"))
    };
    let measured = (|| {
        eprintln!("{}", until("checked in")?);
        let mut latencies = Vec::new();
        for round in 0..9 {
            std::thread::sleep(Duration::from_secs(1));
            let start = Instant::now();
            std::fs::write(&target, format!("{original}\n<!-- edit {round} -->\n"))?;
            let line = until("re-checked in")?;
            let latency = start.elapsed();
            latencies.push(latency);
            eprintln!("{:>6.1} ms  {line}", latency.as_secs_f64() * 1000.0);
        }
        Ok::<_, std::io::Error>(latencies)
    })();
    let _ = child.kill();
    let _ = child.wait();
    std::fs::write(&target, original)?;
    let latencies = measured?;
    let ms = |d: Option<&Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    let mid = median(latencies.clone());
    eprintln!(
        "edit to output: median {:.1} ms, range {:.1} to {:.1} ms",
        ms(Some(&mid)),
        ms(latencies.iter().min()),
        ms(latencies.iter().max())
    );
    Ok(mid)
}

/// The id of the first deployed system in an inventory file as the generator writes it.
fn first_deployed(yaml: &str) -> Option<String> {
    let mut id = None;
    for line in yaml.lines() {
        if let Some(rest) = line.strip_prefix("- id: ") {
            id = Some(rest.trim().to_owned());
        } else if line.trim() == "deployed: true" && id.is_some() {
            return id;
        }
    }
    None
}

fn run_once(db: &mut Database, dir: &Path) -> tenet_eval::report::RunReport {
    let loaded = load_workspace(db, &OsSystem, &dir.join("policy"));
    let evidence = load_evidence_dir(db, &OsSystem, &dir.join("evidence"));
    let (Ok(loaded), Ok(evidence)) = (loaded, evidence) else {
        eprintln!("cannot load the organisation");
        std::process::exit(2);
    };
    parse_all(db, loaded.workspace);
    let settings = RunSettings::new(db, as_of(), tenet_eval::DEFAULT_STEP_BUDGET);
    // Load evidence files in parallel before evaluating, as the CLI's driver does.
    tenet_db::load_all_evidence(db, loaded.workspace, evidence);
    evaluate_workspace(db, loaded.workspace, evidence, settings, &|_, _| 0)
}

/// Tenet's violations as `rule:subject` strings.
fn tenet_violations(dir: &Path) -> BTreeSet<String> {
    let mut db = Database::default();
    let report = run_once(&mut db, dir);
    report
        .controls
        .iter()
        .flat_map(|c| c.results.iter())
        .filter(|r| r.status == tenet_eval::Status::Fail)
        .filter_map(|r| r.subject.as_ref().map(|s| format!("{}:{}", r.rule, s.key)))
        .collect()
}

/// Runs regorus: (wall time, violations).
fn run_regorus(bin: &Path, dir: &Path) -> (Duration, BTreeSet<String>) {
    let rego = Path::new(env!("CARGO_MANIFEST_DIR")).join("rego/bench.rego");
    let start = Instant::now();
    let out = Command::new(bin)
        .args([
            "eval",
            "-d",
            &rego.to_string_lossy(),
            "-i",
            &dir.join("input.json").to_string_lossy(),
            "data.bench.violations",
        ])
        .output();
    let elapsed = start.elapsed();
    // A peer that did not run is not a peer that found nothing.
    let out = match out {
        Ok(out) if out.status.success() => out,
        Ok(out) => {
            eprintln!("regorus failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr).trim());
            std::process::exit(2);
        }
        Err(e) => {
            eprintln!("cannot run regorus at `{}`: {e}", bin.display());
            std::process::exit(2);
        }
    };
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let mut found = BTreeSet::new();
    collect_strings(&value, &mut found);
    (elapsed, found)
}

fn collect_strings(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::String(s) if s.contains(':') => {
            out.insert(s.clone());
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        serde_json::Value::Object(map) => map.values().for_each(|i| collect_strings(i, out)),
        _ => {}
    }
}
