//! Prints how long the workbench takes to open large modules, headless
//! (layout and tessellation at 1600x1000, no GPU) with the Disassembly
//! panel in front: a real 2.4 MB Go program (`tests/guests/
//! go_stdin_ticker.wasm`) and a generated module of about 99 MB, the size
//! of a CPython build for wasip1. For each: loading and validating, the
//! first frame that shows the module, the first stop at the entry (the
//! debug engine compiles the module first), the slowest frame meanwhile,
//! and one instruction step; and the resident size.
//!
//! `cargo bench -p wasmhole --bench open_large` (`-- --mb N` for another
//! size of the generated module). With `OPEN_LARGE_CACHE=DIR` compiled
//! modules are kept in DIR, as the window keeps them between launches: a
//! second run then shows opening from the cache.

mod common;

use common::generated;
use std::path::Path;
use std::time::{Duration, Instant};
use wasmhole::model::document::Document;
use wasmhole::model::panel::Panel;
use wasmhole::model::run::RunState;
use wasmhole::workbench::App;
use wasmhole_runtime::debug::Command;

fn mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

/// Opens `bytes` as the window does and prints the figures.
fn open(name: &str, bytes: Vec<u8>) {
    println!("{name} ({:.1} MB):", bytes.len() as f64 / 1e6);
    let rss = mib("VmRSS:");
    let ctx = egui::Context::default();
    let size = egui::vec2(1600.0, 1000.0);
    let mut clock = 0.0;
    let mut frame = |app: &mut App| {
        clock += 0.016;
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, size)),
            time: Some(clock),
            ..egui::RawInput::default()
        };
        let t = Instant::now();
        let out = ctx.run_ui(input, |ui| app.ui(ui));
        std::hint::black_box(ctx.tessellate(out.shapes, out.pixels_per_point));
        t.elapsed()
    };
    let mut app = App::new(None);
    app.wb.focus = Some(Panel::Disassembly);
    let t0 = Instant::now();
    let doc = match Document::from_bytes(name, bytes) {
        Ok(doc) => doc,
        Err(e) => {
            println!("  refused in {}: {e}", ms(t0.elapsed()));
            return;
        }
    };
    println!("  loaded and validated: {}", ms(t0.elapsed()));
    app.wb.load(doc);
    let first = frame(&mut app);
    println!(
        "  first frame showing it: {} after opening (the frame itself {})",
        ms(t0.elapsed()),
        ms(first)
    );
    let mut slowest = first;
    let mut frames = 1;
    while matches!(app.wb.state(), RunState::Running) {
        app.wb.poll();
        slowest = slowest.max(frame(&mut app));
        frames += 1;
        if t0.elapsed() > Duration::from_secs(600) {
            println!("  not stopped after 600 s");
            return;
        }
        std::thread::sleep(Duration::from_millis(16));
    }
    let after = frame(&mut app);
    println!(
        "  {:?} at its entry, Disassembly drawn: {} ({frames} frames meanwhile, slowest {}; that frame {})",
        app.wb.state(),
        ms(t0.elapsed()),
        ms(slowest),
        ms(after)
    );
    let t1 = Instant::now();
    app.wb.resume(Command::Step(1));
    app.wb.poll();
    while matches!(app.wb.state(), RunState::Running) {
        app.wb.poll();
        frame(&mut app);
        std::thread::sleep(Duration::from_millis(1));
    }
    let step = frame(&mut app);
    println!(
        "  one step, redrawn: {} (that frame {})",
        ms(t1.elapsed()),
        ms(step)
    );
    println!(
        "  resident: {:.0} MiB more than before, peak of the process {:.0} MiB",
        mib("VmRSS:") - rss,
        mib("VmHWM:")
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mb: usize = args
        .iter()
        .position(|a| a == "--mb")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(99);
    if let Some(dir) = std::env::var_os("OPEN_LARGE_CACHE") {
        wasmhole_runtime::module::compile_cache::configure(Some(dir.into()));
    }
    let go = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guests/go_stdin_ticker.wasm");
    open(
        "go_stdin_ticker.wasm",
        std::fs::read(&go).expect("the Go test guest"),
    );
    open(
        "generated.wasm",
        generated::module_with_code(mb * 1_000_000),
    );
}
