//! Prints the debugger's figures: the single-step rate of a `Session` (a pc
//! recorded at every step) against a bare wasmtime single-step loop, and the
//! full-speed time of a compute-heavy guest on the debug engine (no
//! breakpoints) against the fast engine, and the time to step over a long
//! call.
//!
//! `cargo bench -p wasmhole-runtime --bench debugger`

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};
use wasmhole_runtime::debug::{Command, Event, Session};
use wasmhole_runtime::{EngineOptions, ExitStatus, ProcessConfig, Program, RunOptions, Runtime};
use wasmtime::{
    Config, DebugEvent, DebugHandler, Engine, Instance, Module, Store, StoreContextMut,
};

const STEPS: u64 = 2_000_000;

/// Sums 1..n in a loop: 12 instructions per iteration.
fn loop_wat(n: u32) -> String {
    format!(
        r#"(module (memory (export "memory") 1)
  (func $sum (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    local.get $acc)
  (func (export "_start") (drop (call $sum (i32.const {n})))))"#
    )
}

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// Counts steps and reads the pc at each, like a minimal debugger would.
#[derive(Clone)]
struct Counter(Arc<AtomicU64>, bool);

impl DebugHandler for Counter {
    type Data = ();
    fn handle(
        &self,
        mut store: StoreContextMut<'_, ()>,
        event: DebugEvent<'_>,
    ) -> impl Future<Output = ()> + Send {
        if let DebugEvent::Breakpoint = event {
            self.0.fetch_add(1, Ordering::Relaxed);
            if self.1 {
                let frame = store.debug_exit_frames().next();
                if let Some(frame) = frame {
                    std::hint::black_box(frame.wasm_function_index_and_pc(&mut store).ok());
                }
            }
        }
        std::future::ready(())
    }
}

/// Steps per second of a bare wasmtime single-step loop.
fn bare_rate(bytes: &[u8], read_pc: bool) -> f64 {
    let mut config = Config::new();
    config.guest_debug(true);
    let engine = Engine::new(&config).unwrap();
    let module = Module::new(&engine, bytes).unwrap();
    let mut store = Store::new(&engine, ());
    let count = Arc::new(AtomicU64::new(0));
    store.set_debug_handler(Counter(count.clone(), read_pc));
    store.edit_breakpoints().unwrap().single_step(true).unwrap();
    let t0 = Instant::now();
    block_on(async {
        let instance = Instance::new_async(&mut store, &module, &[]).await.unwrap();
        let start = instance.get_func(&mut store, "_start").unwrap();
        start.call_async(&mut store, &[], &mut []).await.unwrap();
    });
    count.load(Ordering::Relaxed) as f64 / t0.elapsed().as_secs_f64()
}

fn stop(session: &Session) -> Duration {
    let t0 = Instant::now();
    loop {
        match session.wait_event(Duration::from_secs(600)) {
            Some(Event::Stopped(_)) | Some(Event::Exited(_)) => return t0.elapsed(),
            Some(_) => {}
            None => panic!("no stop"),
        }
    }
}

fn main() {
    let program = Program::from_wat("loop.wat", &loop_wat(STEPS as u32)).unwrap();

    // The session: one command, STEPS single steps, a pc recorded at each.
    let mut session = Session::start(program.clone(), None, ProcessConfig::default()).unwrap();
    stop(&session);
    session.send(Command::Step(STEPS));
    let t = stop(&session);
    let session_rate = STEPS as f64 / t.as_secs_f64();
    drop(session);

    let small = Program::from_wat("loop.wat", &loop_wat(STEPS as u32 / 10)).unwrap();
    let bare = bare_rate(small.bytes(), false);
    let bare_pc = bare_rate(small.bytes(), true);

    println!("single-step rate");
    println!(
        "{:<48} {:>12.0} steps/s",
        "Session (pc recorded per step)", session_rate
    );
    println!(
        "{:<48} {:>12.0} steps/s",
        "bare wasmtime loop (count only)", bare
    );
    println!(
        "{:<48} {:>12.0} steps/s",
        "bare wasmtime loop (count + read pc)", bare_pc
    );
    println!(
        "{:<48} {:>12.2}  (goal >= 0.50)",
        "Session / bare (count only)",
        session_rate / bare
    );

    // Full speed: a compute-heavy guest with no breakpoints.
    let heavy = Program::from_wat("heavy.wat", &loop_wat(300_000_000)).unwrap();
    let fast = Runtime::new(EngineOptions::default()).unwrap();
    let t0 = Instant::now();
    let report = fast.run(
        &heavy,
        RunOptions {
            abi: None,
            config: ProcessConfig::default(),
            sinks: Vec::new(),
        },
    );
    assert_eq!(report.status, ExitStatus::Exited(0));
    let fast_time = t0.elapsed();
    let mut session = Session::start(heavy, None, ProcessConfig::default()).unwrap();
    stop(&session);
    session.send(Command::Continue);
    let debug_time = stop(&session);
    println!("\nfull speed, 300M loop iterations, no breakpoints");
    println!(
        "{:<48} {:>9.1} ms",
        "fast engine",
        fast_time.as_secs_f64() * 1e3
    );
    println!(
        "{:<48} {:>9.1} ms",
        "debug engine (Session, continue)",
        debug_time.as_secs_f64() * 1e3
    );
    println!(
        "{:<48} {:>9.2}x",
        "debug / fast",
        debug_time.as_secs_f64() / fast_time.as_secs_f64()
    );

    // Step over a long call: the callee runs at full speed to the return
    // point rather than instruction by instruction.
    const ITERATIONS: u32 = 30_000_000;
    let long = Program::from_wat("long.wat", &loop_wat(ITERATIONS)).unwrap();
    let mut session = Session::start(long, None, ProcessConfig::default()).unwrap();
    stop(&session);
    session.send(Command::Step(1));
    stop(&session);
    session.send(Command::StepOver);
    let over = stop(&session);
    // Twelve instructions per iteration.
    let single_stepped = (ITERATIONS as f64 * 12.0) / session_rate;
    println!(
        "
step over a call running {}M loop iterations",
        ITERATIONS / 1_000_000
    );
    println!(
        "{:<48} {:>9.1} ms",
        "Session, step over",
        over.as_secs_f64() * 1e3
    );
    println!(
        "{:<48} {:>9.1} ms",
        "single-stepping it at the rate above (estimate)",
        single_stepped * 1e3
    );
}
