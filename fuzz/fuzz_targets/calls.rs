//! Every call of every ABI with arbitrary arguments and memory contents
//! (`wasmhole_runtime::fuzzing::CallFuzzer`). Prints how many calls it has
//! made every million.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Mutex;
use wasmhole_runtime::fuzzing::CallFuzzer;

static FUZZER: Mutex<Option<CallFuzzer>> = Mutex::new(None);

fuzz_target!(|data: &[u8]| {
    let mut slot = FUZZER.lock().unwrap_or_else(|e| e.into_inner());
    let fuzzer = slot.get_or_insert_with(|| {
        let sandbox = std::env::temp_dir().join(format!("wasmhole-fuzz-{}", std::process::id()));
        CallFuzzer::new(sandbox)
    });
    let before = fuzzer.calls() / 1_000_000;
    fuzzer.run(data);
    if fuzzer.calls() / 1_000_000 > before {
        eprintln!(
            "wasmhole-fuzz: {} calls in {} inputs",
            fuzzer.calls(),
            fuzzer.inputs()
        );
    }
});
