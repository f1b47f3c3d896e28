//! Prints how long `wasmhole run` takes to start a large module (about
//! 1.5 MB of code, generated here) compared with `wasmtime run`: the first
//! run (wasmhole compiling into an empty cache, against `wasmtime run -C
//! cache=n`), and the next ones, from each one's compilation cache.
//!
//! `cargo bench -p wasmhole --bench large_module_startup`. Set `WASMTIME`
//! to a `wasmtime` binary (else one on PATH is used) for the ratios, and
//! `LARGE_MODULE_OUT` to a path to keep the generated module there.

mod common;

use common::{median, ms, wasmtime};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Functions in the generated module.
const FUNCS: usize = 2600;

/// A module shaped like compiled C: thousands of functions with loops,
/// branches, memory traffic, 64-bit arithmetic and calls between them, and
/// an entry point that returns at once (only the start-up is measured).
fn large_wat() -> String {
    let mut wat =
        String::from("(module\n  (memory (export \"memory\") 1)\n  (func (export \"_start\"))\n");
    for i in 0..FUNCS {
        let callee = (i * 7 + 1) % FUNCS;
        let other = (i * 13 + 5) % FUNCS;
        wat.push_str(&format!(
            "  (func $f{i} (param $a i32) (param $b i32) (result i32)
    (local $x i32) (local $y i64) (local $k i32) (local $z f64)
    (local.set $x (i32.add (local.get $a) (i32.const {i})))"
        ));
        for round in 0..4 {
            wat.push_str(&format!(
                "
    (local.set $k (i32.const 0))
    (loop $l{round}
      (local.set $x (i32.xor (i32.mul (local.get $x) (i32.const 1103515245))
                             (i32.shr_u (local.get $x) (i32.const {s}))))
      (i32.store (i32.and (local.get $x) (i32.const 0xfffc)) (local.get $x))
      (local.set $y (i64.add (i64.mul (local.get $y) (i64.const 6364136223846793005))
                             (i64.extend_i32_u (i32.load (i32.and (local.get $b) (i32.const 0xfffc))))))
      (local.set $z (f64.add (local.get $z) (f64.convert_i32_s (local.get $x))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $l{round} (i32.lt_u (local.get $k) (i32.const {n}))))
    (block $d{round} (block $c{round} (block $b{round}
      (br_table $b{round} $c{round} $d{round} (i32.and (local.get $x) (i32.const 3))))
      (local.set $x (call $f{callee} (local.get $x) (local.get $b)))
      (br $d{round}))
      (local.set $x (i32.add (local.get $x) (call $f{other} (local.get $b) (local.get $x)))))",
                s = 3 + round,
                n = 2 + round,
            ));
        }
        wat.push_str(
            "
    (i32.add (i32.wrap_i64 (local.get $y)) (i32.trunc_sat_f64_s (local.get $z))))\n",
        );
    }
    wat.push_str(")\n");
    wat
}

/// Wall time of one run of a command.
fn time_once(mut command: Command) -> Duration {
    let t0 = Instant::now();
    let status = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("start command");
    assert!(status.success(), "benchmark command failed: {status}");
    t0.elapsed()
}

/// Median wall times of `reps` runs of two commands, taken in turns so
/// that the load of a shared machine weighs on both alike.
fn time_pair(
    reps: usize,
    ours: impl Fn() -> Command,
    theirs: Option<impl Fn() -> Command>,
) -> (Duration, Option<Duration>) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        a.push(time_once(ours()));
        if let Some(theirs) = &theirs {
            b.push(time_once(theirs()));
        }
    }
    (median(a), (!b.is_empty()).then(|| median(b)))
}

/// A command with its own cache folder (both tools find theirs under
/// `XDG_CACHE_HOME`), so earlier runs do not count.
fn command(program: &Path, args: &[&str], module: &Path, cache_home: &Path) -> Command {
    let mut c = Command::new(program);
    c.arg("run").args(args).arg(module);
    c.env("XDG_CACHE_HOME", cache_home);
    c
}

/// Where an in-process cached start-up spends its time.
fn breakdown(module: &Path, cache: &Path) {
    use wasmhole_runtime::{Abi, EngineOptions, Program, Runtime};
    let t0 = Instant::now();
    let program = Program::from_file(module).unwrap();
    let loaded = t0.elapsed();
    let t1 = Instant::now();
    // As `wasmhole run` makes it for a run without a time limit.
    let runtime = Runtime::new(EngineOptions {
        cache_dir: Some(cache.to_path_buf()),
        without_time_limits: true,
        ..EngineOptions::default()
    })
    .unwrap();
    let engine = t1.elapsed();
    let t2 = Instant::now();
    runtime.prepare(&program, Abi::Wasi).unwrap();
    let prepared = t2.elapsed();
    assert_eq!(runtime.cache_stats().map(|s| s.hits), Some(1));
    println!("\nin-process, cached:");
    println!(
        "{:<46} {}",
        "  loading and validating the module",
        ms(loaded)
    );
    println!("{:<46} {}", "  the engine", ms(engine));
    println!(
        "{:<46} {}",
        "  compiled code from the cache, linked",
        ms(prepared)
    );
}

fn main() {
    let wasmhole = PathBuf::from(env!("CARGO_BIN_EXE_wasmhole"));
    let dir = tempfile::tempdir().unwrap();
    let module = dir.path().join("large.wasm");
    let bytes = wat::parse_str(large_wat()).expect("the module assembles");
    std::fs::write(&module, &bytes).unwrap();
    if let Some(keep) = std::env::var_os("LARGE_MODULE_OUT") {
        std::fs::write(keep, &bytes).unwrap();
    }
    let size = std::fs::metadata(&module).unwrap().len();
    let cache_home = dir.path().join("cache");
    let wasmtime = wasmtime();

    println!(
        "start-up of a {:.2} MB module, {FUNCS} functions (median wall time)\n",
        size as f64 / 1e6
    );
    // The first run: wasmhole with an empty cache (it compiles, then
    // writes the entry), wasmtime with its cache off.
    let fresh = std::cell::Cell::new(0);
    let (cold, cold_theirs) = time_pair(
        7,
        || {
            fresh.set(fresh.get() + 1);
            let empty = dir.path().join(format!("empty-{}", fresh.get()));
            command(&wasmhole, &[], &module, &empty)
        },
        wasmtime
            .as_ref()
            .map(|wt| || command(wt, &["-C", "cache=n"], &module, &cache_home)),
    );
    println!(
        "{:<46} {}",
        "wasmhole run, first run (empty cache)",
        ms(cold)
    );
    if let Some(t) = cold_theirs {
        println!("{:<46} {}", "wasmtime run -C cache=n", ms(t));
    }
    // One run each fills the caches; then the cached start-ups.
    time_once(command(&wasmhole, &[], &module, &cache_home));
    if let Some(wt) = &wasmtime {
        time_once(command(wt, &[], &module, &cache_home));
    }
    let (warm, warm_theirs) = time_pair(
        21,
        || command(&wasmhole, &[], &module, &cache_home),
        wasmtime
            .as_ref()
            .map(|wt| || command(wt, &[], &module, &cache_home)),
    );
    println!("{:<46} {}", "wasmhole run, cached", ms(warm));
    if let Some(t) = warm_theirs {
        println!("{:<46} {}", "wasmtime run, cached", ms(t));
    }
    breakdown(&module, &cache_home.join("wasmhole"));
    match (cold_theirs, warm_theirs) {
        (Some(ct), Some(wt)) => {
            println!(
                "\n{:<46} {:9.2}x  (goal <= 1.30)",
                "first run: wasmhole/wasmtime -C cache=n",
                cold.as_secs_f64() / ct.as_secs_f64()
            );
            println!(
                "{:<46} {:9.2}x  (goal <= 2.00)",
                "second run: wasmhole/wasmtime, cached",
                warm.as_secs_f64() / wt.as_secs_f64()
            );
        }
        _ => println!("wasmtime not found (set WASMTIME=path): comparison skipped"),
    }
}
