//! Arbitrary bytes to every parser of untrusted text: the module loader
//! (binary and WAT), the old-WAT translator, the policy parser, JSON-lines
//! trace lines, URLs and addresses (`wasmhole_runtime::fuzzing`), and
//! gopherd's request line, gophermaps and framing (`gopherd::fuzzing`).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    wasmhole_runtime::fuzzing::parse_everything(data);
    gopherd::fuzzing::feed(data);
});
