//! Prints the workbench's frame time, headless (layout and tessellation, no
//! GPU), with 10,000,000 syscall records in the Syscalls table and a 1 GiB
//! memory in the Memory panel, while scrolling both; and the memory a run
//! that made them takes: the guest runs in the workbench's own debug
//! session from Continue to its end, as in the window, and the process's
//! resident size before and after, its peak, and where the record ring
//! keeps its bytes are printed.
//!
//! `cargo bench -p wasmhole --bench frame_time` (`-- --records N` for
//! another count).

use std::time::{Duration, Instant};
use wasmhole::model::document::Document;
use wasmhole::model::run::RunState;
use wasmhole::workbench::App;
use wasmhole_runtime::debug::Command;

const FRAMES: usize = 120;

/// A guest making `n` `fd_write` calls, every seventh to a descriptor that
/// is not open (so some fail and filters have work).
fn ticks(n: usize) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "tick\n")
  (func (export "_start") (local $i i32)
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 5))
    (loop $l
      (drop (call $w
        (select (i32.const 9) (i32.const 1) (i32.eqz (i32.rem_u (local.get $i) (i32.const 7))))
        (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const {n}))))))"#
    )
}

/// Runs the guest as the window does: its debug session, Continue from the
/// start, every event taken in as the window's frames take them.
fn run_in_workbench(app: &mut App, n: usize) {
    let doc = Document::from_bytes("ticks.wat", ticks(n).into_bytes()).unwrap();
    app.wb.load(doc);
    assert!(
        app.wb.settle(Duration::from_secs(60)),
        "stopped at the start"
    );
    app.wb.resume(Command::Continue);
    while !matches!(app.wb.state(), RunState::Exited(_)) {
        app.wb.poll();
        std::thread::sleep(Duration::from_millis(16));
    }
}

/// A line of /proc/self/status, in MiB.
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .iter()
        .position(|a| a == "--records")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);

    let mut app = App::new(None);
    let before = status_mib("VmRSS:");
    let t0 = Instant::now();
    run_in_workbench(&mut app, n);
    let made = t0.elapsed();
    let after = status_mib("VmRSS:");
    {
        let r = app.wb.run().records.lock().unwrap();
        let f = r.footprint();
        println!("made {} records in {made:.1?}", r.len());
        println!(
            "window after the run: resident {:.1} MiB more than before ({before:.1} -> {after:.1} MiB), peak {:.1} MiB",
            after - before,
            status_mib("VmHWM:")
        );
        println!(
            "  ring: briefs {:.1} MiB, packed in memory {:.1} MiB, on disk {:.1} MiB, not yet packed {} records",
            f.briefs as f64 / (1 << 20) as f64,
            f.packed_in_memory as f64 / (1 << 20) as f64,
            f.on_disk as f64 / (1 << 20) as f64,
            f.unpacked
        );
    }
    app.wb.run_mut().memory.size = 1 << 30;

    let ctx = egui::Context::default();
    let size = egui::vec2(1600.0, 1000.0);
    let input = |t: f64| egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, size)),
        time: Some(t),
        ..egui::RawInput::default()
    };
    let mut clock = 0.0;
    let mut frame = |app: &mut App| {
        clock += 0.016;
        let t = Instant::now();
        let out = ctx.run_ui(input(clock), |ui| app.ui(ui));
        let prims = ctx.tessellate(out.shapes, out.pixels_per_point);
        std::hint::black_box(prims);
        t.elapsed()
    };
    // Warm up: fonts, layout caches.
    let warm = Instant::now();
    for _ in 0..3 {
        frame(&mut app);
    }
    println!("first frames: {:.1?}", warm.elapsed());

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let report = |what: &str, times: &mut Vec<Duration>| {
        times.sort();
        println!(
            "{what}: median {:6.2} ms, p95 {:6.2} ms, max {:6.2} ms   (goal <= 8 ms)",
            ms(times[times.len() / 2]),
            ms(times[times.len() * 95 / 100]),
            ms(times[times.len() - 1])
        );
    };
    println!("frame time over {FRAMES} frames, {n} records, 1 GiB memory, 1600x1000:");
    for filter in ["", "fd_write", "ebadf"] {
        app.wb.view_mut().calls.filter = filter.to_string();
        // The first frame with a new filter builds its index.
        let index = frame(&mut app);
        let mut times = Vec::with_capacity(FRAMES);
        for i in 0..FRAMES {
            // Scroll memory across the whole GiB and the selection along
            // the table, a different block of records every frame.
            app.wb.view_mut().memory.top = ((i as u64 * 7_919_993) % (1 << 30)) / 16 * 16;
            let (start, len) = app.wb.view().memory.wanted();
            app.wb
                .run_mut()
                .memory
                .store(start, vec![(i % 251) as u8; len as usize]);
            app.wb.view_mut().call = Some((i * 81_919 % n) as u64 + 1);
            times.push(frame(&mut app));
        }
        let name = if filter.is_empty() {
            "no filter".to_string()
        } else {
            format!("filter {filter:?} (index built in {:.1} ms)", ms(index))
        };
        report(&name, &mut times);
    }
    println!(
        "peak resident size of the whole run: {:.1} MiB",
        status_mib("VmHWM:")
    );
}
