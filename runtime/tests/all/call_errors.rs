//! The explain-cards promise every error a call can return. Each call of
//! every ABI is made thousands of times with arguments good and bad (open
//! and closed descriptors, pointers in and out of memory, odd lengths,
//! flags, paths that exist and do not), and every error it returns, and
//! every time it ends the guest, must be one its description lists.

use std::sync::Arc;
use std::time::Duration;
use wasmhole_runtime::abis::{CallContext, CallSpec, Fatal, Kind, Ret, all_calls};
use wasmhole_runtime::module::abi::Abi;
use wasmhole_runtime::sandbox::guest_memory::GuestMemory;
use wasmhole_runtime::sandbox::limits::Limits;
use wasmhole_runtime::sandbox::process::{Process, ProcessConfig};
use wasmhole_runtime::{DirGrant, InputSpec, OutputSpec, SharedBuffer};

const MEMORY: usize = 0x2000;
const TRIES: usize = 1000;

/// A small deterministic generator (xorshift), so failures repeat.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick(&mut self, from: &[u64]) -> u64 {
        from[(self.next() % from.len() as u64) as usize]
    }
}

/// Where the strings the arguments may point at are.
const STRINGS: &[(u64, &str)] = &[
    (0x100, "notes.txt"),
    (0x140, "sub"),
    (0x180, "../outside"),
    (0x1c0, "fd://1"),
    (0x200, "random://"),
    (0x240, "file://notes.txt"),
    (0x280, "nope://x"),
    (0x2c0, "log://?prefix=p"),
    (0x300, "null://"),
    (0x340, "zero://"),
    (0x380, "missing/file"),
    (0x3c0, "/etc/passwd"),
];

fn memory(rng: &mut Rng) -> Vec<u8> {
    let mut mem = vec![0u8; MEMORY];
    for b in mem.iter_mut().skip(0x1000) {
        *b = rng.next() as u8;
    }
    for (at, s) in STRINGS {
        let at = *at as usize;
        mem[at..at + s.len()].copy_from_slice(s.as_bytes());
        mem[at + s.len()] = 0;
    }
    // Two iovecs at 0x800: 16 bytes at 0x1400, 8 at 0x1800.
    for (i, (p, l)) in [(0x1400u32, 16u32), (0x1800, 8)].iter().enumerate() {
        mem[0x800 + 8 * i..0x804 + 8 * i].copy_from_slice(&p.to_le_bytes());
        mem[0x804 + 8 * i..0x808 + 8 * i].copy_from_slice(&l.to_le_bytes());
    }
    mem
}

fn arg(rng: &mut Rng, kind: Kind) -> u64 {
    let top = MEMORY as u64;
    let pointers = [
        0x400,
        0x800,
        0x1000,
        0x4000,
        top - 4,
        top - 1,
        top + 100,
        0xFFFF_FFF0,
    ];
    match kind {
        Kind::Fd => rng.pick(&[0, 1, 2, 3, 4, 5, 9, 1000, 0xFFFF_FFFF]),
        Kind::Str { .. } | Kind::CStr => {
            if rng.next().is_multiple_of(5) {
                rng.pick(&pointers)
            } else {
                STRINGS[(rng.next() % STRINGS.len() as u64) as usize].0
            }
        }
        Kind::IovsIn { .. } | Kind::IovsOut { .. } => {
            rng.pick(&[0x800, 0x800, 0x808, top - 4, 0xFFFF_FFF0, 0x1000])
        }
        Kind::Len => rng.pick(&[0, 1, 2, 3, 4, 6, 9, 16, 255, 0x10000, 0xFFFF_FFFF]),
        Kind::Int | Kind::Nanos => rng.pick(&[0, 1, 2, 3, 5, 100, 0xFFFF_FFFF, u64::MAX]),
        Kind::Flags(_) => {
            let bits = rng.next() & 0xffff;
            rng.pick(&[0, 0, 1, 2, 3, 4, 8, 0xff, bits, u64::MAX])
        }
        Kind::Enum(names) => rng.next() % (names.values.len() as u64 + 2),
        Kind::Ptr
        | Kind::BytesIn { .. }
        | Kind::BytesOut { .. }
        | Kind::OutCStrings
        | Kind::OutU32
        | Kind::OutU64
        | Kind::OutFd
        | Kind::OutStruct(_)
        | Kind::StructsIn { .. }
        | Kind::StructsOut { .. } => rng.pick(&pointers),
    }
}

fn process(abi: Abi, dir: &std::path::Path) -> Process {
    let config = ProcessConfig {
        args: vec!["probe.wasm".into(), "one".into()],
        env: vec![("NAME".into(), "value".into())],
        dirs: vec![DirGrant {
            host: dir.to_path_buf(),
            guest: "/data".into(),
        }],
        stdin: InputSpec::Bytes(Arc::from(&b"some input\n"[..])),
        stdout: OutputSpec::Buffer(SharedBuffer::new()),
        stderr: OutputSpec::Buffer(SharedBuffer::new()),
        limits: Limits {
            timeout: Some(Duration::from_millis(1)),
            max_output: Some(4096),
            ..Limits::default()
        },
        ..ProcessConfig::default()
    };
    wasmhole_runtime::abis::process("probe.wasm", abi, config).expect("a process")
}

/// The error name of a raw result, if it is an error.
fn error_of(spec: &CallSpec, raw: u64) -> Option<&'static str> {
    match spec.ret {
        Ret::Errno(names) if raw as u32 != 0 => Some(
            names
                .name_of(raw as u32 as i64)
                .unwrap_or("an unnamed errno"),
        ),
        Ret::I32OrError(names) | Ret::FdOrError(names) if (raw as u32 as i32) < 0 => Some(
            names
                .name_of(raw as u32 as i32 as i64)
                .unwrap_or("an unnamed error"),
        ),
        _ => None,
    }
}

fn fresh_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "some notes\n").unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("sub/inner.txt"), "inner\n").unwrap();
    dir
}

#[test]
fn every_error_a_call_returns_is_on_its_card() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut problems = std::collections::BTreeMap::new();
    for spec in all_calls() {
        if matches!(spec.ret, Ret::Never) {
            continue;
        }
        let mut dir = fresh_dir();
        let mut p = process(spec.abi, dir.path());
        let mut pristine = memory(&mut rng);
        for i in 0..TRIES {
            if i % 100 == 0 {
                dir = fresh_dir();
                p = process(spec.abi, dir.path());
                pristine = memory(&mut rng);
            }
            let mut mem = pristine.clone();
            let args: Vec<u64> = spec
                .params
                .iter()
                .map(|param| {
                    let v = arg(&mut rng, param.kind);
                    match param.ty {
                        wasmhole_runtime::abis::WasmTy::I32 => v & 0xFFFF_FFFF,
                        wasmhole_runtime::abis::WasmTy::I64 => v,
                    }
                })
                .collect();
            let mut cx = CallContext {
                mem: GuestMemory::new(&mut mem, true),
                process: &mut p,
            };
            let who = format!("{} {}", spec.abi.name(), spec.name);
            match (spec.imp)(&mut cx, &args) {
                Ok(raw) => {
                    if let Some(name) = error_of(spec, raw)
                        && !spec.errors.iter().any(|e| e.name == name)
                    {
                        problems
                            .entry(format!("{who} returned {name}, which its card lacks"))
                            .or_insert(format!("{args:#x?}"));
                    }
                }
                Err(
                    Fatal::Kill { reason, .. }
                    | Fatal::TimeLimit {
                        waiting: reason, ..
                    },
                ) => {
                    if spec.kills.is_empty() {
                        problems
                            .entry(format!("{who} killed the guest, which its card lacks"))
                            .or_insert(reason);
                    }
                    p = process(spec.abi, dir.path());
                }
                Err(Fatal::Exit(_)) => p = process(spec.abi, dir.path()),
            }
        }
    }
    let report: Vec<String> = problems
        .iter()
        .map(|(problem, example)| format!("{problem} (e.g. {example})"))
        .collect();
    assert!(report.is_empty(), "{}", report.join("\n"));
}
