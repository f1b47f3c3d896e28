//! Short fixed-seed runs of `wasmhole_runtime::fuzzing`, the code the
//! `fuzz/` targets run for as long as one likes: every call of every ABI
//! with random arguments and memory, and every parser with random and
//! mutated text. A panic fails the test; so does a result a call may not
//! return, or a trace line that does not read back.

use std::path::Path;
use wasmhole_runtime::fuzzing::{CallFuzzer, parse_everything};

#[test]
fn every_call_survives_arbitrary_arguments_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mut fuzzer = CallFuzzer::new(dir.path().join("sandbox"));
    let mut rng = fastrand::Rng::with_seed(0xca11_5eed);
    let mut input = vec![0u8; 2048];
    while fuzzer.inputs() < 3_000 {
        let len = rng.usize(0..input.len());
        rng.fill(&mut input[..len]);
        fuzzer.run(&input[..len]);
    }
    assert!(fuzzer.calls() > 10_000, "{} calls", fuzzer.calls());
}

/// The samples and a few texts in each format, to mutate.
fn seeds() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut seeds = Vec::new();
    for folder in [
        "samples/wasi",
        "samples/dagger",
        "samples/olin",
        "samples/h",
    ] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let path = entry.unwrap().path();
            if path
                .extension()
                .is_some_and(|e| e == "wat" || e == "policy")
            {
                seeds.push(std::fs::read(path).unwrap());
            }
        }
    }
    seeds.push(b"(module (func (export \"_start\") get_local 0 set_local 1))".to_vec());
    seeds.push(
        br#"{"seq":1,"abi":"wasi","name":"fd_write","args":[{"raw":1,"shown":"1"}],"outcome":{"returned":{"raw":0}},"reads":[],"writes":[],"start_ns":0,"duration_ns":1}"#
            .to_vec(),
    );
    seeds.push(b"file:///data/x.txt?mode=w&x=%41\nline 12\n0x10\n64K\nhost::/guest\n".to_vec());
    seeds
}

#[test]
fn every_parser_survives_arbitrary_and_mutated_text() {
    let mut rng = fastrand::Rng::with_seed(0x7e47_5eed);
    let seeds = seeds();
    let mut buf = Vec::new();
    for i in 0..3_000 {
        buf.clear();
        if i % 4 == 0 {
            let len = rng.usize(0..512);
            buf.extend((0..len).map(|_| rng.u8(..)));
        } else {
            buf.extend_from_slice(&seeds[rng.usize(0..seeds.len())]);
            for _ in 0..rng.usize(1..6) {
                if buf.is_empty() {
                    break;
                }
                let at = rng.usize(0..buf.len());
                match rng.u8(0..4) {
                    0 => buf[at] = rng.u8(..),
                    1 => {
                        buf.remove(at);
                    }
                    2 => buf.insert(at, *rng.choice(b"()\"\\;$ \n0".iter()).unwrap()),
                    _ => buf.truncate(at),
                }
            }
        }
        parse_everything(&buf);
    }
}
