//! Large modules in the workbench: the window shows a module at once and
//! compiles it for stepping on the guest's thread, saying so; a module too
//! large to step through is refused with its size and the reason, and its
//! disassembly says why it was not made. (How long each takes is measured
//! by `cargo bench --bench open_large`.)

use crate::common::harness;
use crate::generated::module_with_code;
use egui_kittest::kittest::Queryable;
use wasmhole::model::document::Document;
use wasmhole::model::run::RunState;
use wasmhole::workbench::App;
use wasmhole_runtime::debug::MAX_CODE;

#[test]
fn a_large_module_shows_at_once_and_says_it_is_compiling() {
    let mut app = App::new(None);
    let bytes = module_with_code(300_000);
    let code = megabytes_of_code(bytes.clone());
    app.wb
        .load(Document::from_bytes("big.wasm", bytes).unwrap());
    // Opening returned before the compile ended: the guest thread does it.
    assert!(app.wb.run().compiling(), "{:?}", app.wb.state());
    let mut h = harness(app);
    h.run_steps(2);
    h.get_by_label_contains(&format!("Compiling big.wasm for stepping ({code})"));
    // Nothing of the guest exists yet, and the panels say so.
    h.get_by_label("Not made yet: the guest's memory exists once its module is compiled.");
    h.get_by_label("Not made yet: the guest starts once its module is compiled.");
    show_disassembly(&mut h);
    h.get_by_label_contains("(func (;1;) (type 0)");
    // A debug build compiles slowly: give it time.
    assert!(h.state_mut().wb.settle(std::time::Duration::from_secs(120)));
    h.run_steps(3);
    assert_eq!(*h.state().wb.state(), RunState::Stopped);
    assert!(!h.state().wb.run().compiling());
    h.get_by_label_contains("Stopped at the start");
}

#[test]
fn a_module_too_large_to_step_is_refused_with_its_size() {
    let mut app = App::new(None);
    let bytes = module_with_code(MAX_CODE + 1_000_000);
    app.wb
        .load(Document::from_bytes("huge.wasm", bytes).unwrap());
    let mut h = harness(app);
    h.run_steps(2);
    assert!(!h.state().wb.run().compiling());
    let code = megabytes_of_code(module_with_code(MAX_CODE + 1_000_000));
    h.get_by_label_contains(&format!(
        "huge.wasm cannot start: guest `huge.wasm`: it has {code}, more than the 16 MB the debugger steps through"
    ));
    show_disassembly(&mut h);
    h.get_by_label_contains(&format!(
        ";; no disassembly: this module has {code}, more than"
    ));
}

fn show_disassembly(h: &mut egui_kittest::Harness<'static, App>) {
    h.get_by_label("Disassembly").click();
    h.run_steps(3);
}

/// "N.N MB of code", as the workbench says a module's size.
fn megabytes_of_code(bytes: Vec<u8>) -> String {
    let program = wasmhole_runtime::Program::from_bytes("m.wasm", bytes).unwrap();
    format!("{:.1} MB of code", program.code_size() as f64 / 1e6)
}
