//! Arbitrary input for every host call and every parser of untrusted text,
//! for fuzzing. The `fuzz/` targets feed these coverage-guided bytes, the
//! tests feed them a fixed-seed stream; either way a host panic, a result
//! outside what a call may return, or a trace line that does not read back
//! is a bug.

use crate::abis::call::{CallSpec, Fatal, Ret, WasmTy};
use crate::calls::record::SyscallRecord;
use crate::calls::sink::RecordSink;
use crate::calls::trace::JsonLinesSink;
use crate::execution::host::{self, CallHandling};
use crate::module::abi::Abi;
use crate::sandbox::limits::Limits;
use crate::sandbox::process::{DirGrant, ProcessConfig};
use crate::sandbox::stdio::{InputSpec, OutputSpec, SharedBuffer};
use arbitrary::{Result, Unstructured};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Most calls one input makes.
const MAX_CALLS_PER_INPUT: usize = 64;

/// Inputs between two emptyings of the sandbox folder, so files guests
/// create do not pile up.
const SANDBOX_RESET: u64 = 256;

/// Drives host calls of every ABI with arbitrary arguments, on arbitrary
/// memory, in a process with a granted folder.
pub struct CallFuzzer {
    sandbox: PathBuf,
    inputs: u64,
    calls: u64,
}

/// Checks each record as it is made: its trace line renders, and its
/// JSON line reads back as the same call.
struct RoundTrip(Arc<Mutex<Vec<u8>>>);

impl RecordSink for RoundTrip {
    fn record(&mut self, record: &SyscallRecord) {
        let _ = record.trace_line();
        let mut buf = self.0.lock().unwrap_or_else(|e| e.into_inner());
        buf.clear();
        JsonLinesSink::new(&mut *buf).record(record);
        let line = String::from_utf8_lossy(&buf);
        match crate::calls::trace_file::parse_line(line.trim_end()) {
            Ok(back) => assert_eq!(
                (back.seq, back.name, back.args.len()),
                (record.seq, record.name, record.args.len()),
                "a trace line reads back as its call"
            ),
            Err(e) => panic!(
                "the trace line of `{}` does not read back: {e}\n{line}",
                record.name
            ),
        }
    }
}

impl CallFuzzer {
    /// A fuzzer whose guests are granted `sandbox` (emptied now and then)
    /// as `/sandbox` and as `.`.
    pub fn new(sandbox: impl Into<PathBuf>) -> CallFuzzer {
        let sandbox = sandbox.into();
        let _ = std::fs::create_dir_all(&sandbox);
        CallFuzzer {
            sandbox,
            inputs: 0,
            calls: 0,
        }
    }

    /// Host calls made so far.
    pub fn calls(&self) -> u64 {
        self.calls
    }

    /// Inputs run so far.
    pub fn inputs(&self) -> u64 {
        self.inputs
    }

    /// Runs one input: a fresh process of an ABI the input picks, then up
    /// to [`MAX_CALLS_PER_INPUT`] calls and memory pokes.
    pub fn run(&mut self, data: &[u8]) {
        self.inputs += 1;
        if self.inputs.is_multiple_of(SANDBOX_RESET) {
            let _ = std::fs::remove_dir_all(&self.sandbox);
            let _ = std::fs::create_dir_all(&self.sandbox);
        }
        let _ = self.run_input(&mut Unstructured::new(data));
    }

    fn run_input(&mut self, u: &mut Unstructured<'_>) -> Result<()> {
        let abi = *u.choose(&Abi::ALL)?;
        let pages = u.int_in_range(0..=2usize)?;
        let mut memory = vec![0u8; pages * 65536];
        let seed_len = u.int_in_range(0..=memory.len().min(4096))?;
        memory[..seed_len].copy_from_slice(u.bytes(seed_len)?);
        let stdin_len = u.int_in_range(0..=64usize)?;
        let stdin = u.bytes(stdin_len)?.to_vec();
        let config = ProcessConfig {
            entry: None,
            args: vec!["fuzz.wasm".into(), "an argument".into()],
            env: vec![("KEY".into(), "value".into())],
            dirs: vec![
                DirGrant {
                    host: self.sandbox.clone(),
                    guest: "/sandbox".into(),
                },
                DirGrant {
                    host: self.sandbox.clone(),
                    guest: ".".into(),
                },
            ],
            stdin: InputSpec::Bytes(stdin.into()),
            stdout: OutputSpec::Buffer(SharedBuffer::new()),
            stderr: OutputSpec::Buffer(SharedBuffer::new()),
            limits: Limits {
                max_memory: Some(1 << 20),
                fuel: None,
                // Calls that wait (sleeps, polls, FIFOs) end almost at once.
                timeout: Some(Duration::from_millis(2)),
                max_output: Some(u.int_in_range(0..=65536u64)?),
                max_open_files: Some(u.int_in_range(0..=64u32)?),
            },
            access: Default::default(),
            inject: Vec::new(),
        };
        let Ok(mut process) = crate::abis::process("fuzz.wasm", abi, config) else {
            return Ok(());
        };
        let mut calls = CallHandling::default();
        let record = u.arbitrary::<bool>()?;
        if record {
            calls
                .recorder
                .add(Box::new(RoundTrip(Arc::new(Mutex::new(Vec::new())))));
        }
        let table = crate::abis::calls_of(abi);
        for _ in 0..MAX_CALLS_PER_INPUT {
            if u.is_empty() {
                break;
            }
            if u.ratio(1, 8)? {
                poke(u, &mut memory)?;
                continue;
            }
            let call = u.choose(table)?;
            let args = arguments(u, call, memory.len())?;
            self.calls += 1;
            let result = host::invoke(
                call,
                &args,
                &mut memory,
                pages > 0,
                &mut process,
                &mut calls,
            );
            match result {
                Ok(v) => check_result(call, v),
                Err(Fatal::Exit(_) | Fatal::Kill { .. } | Fatal::TimeLimit { .. }) => break,
            }
        }
        calls.recorder.finish();
        Ok(())
    }
}

/// Writes arbitrary bytes somewhere in memory.
fn poke(u: &mut Unstructured<'_>, memory: &mut [u8]) -> Result<()> {
    if memory.is_empty() {
        return Ok(());
    }
    let at = u.int_in_range(0..=memory.len() - 1)?;
    let len = u.int_in_range(0..=(memory.len() - at).min(64))?;
    memory[at..at + len].copy_from_slice(u.bytes(len)?);
    Ok(())
}

/// One argument: mostly values that matter at boundaries (0, small
/// numbers, the end of memory, all ones), sometimes anything.
fn argument(u: &mut Unstructured<'_>, ty: WasmTy, memory_len: usize) -> Result<u64> {
    let end = memory_len as u64;
    let v = match u.int_in_range(0..=9u8)? {
        0 => 0,
        1 => u.int_in_range(1..=16u64)?,
        2 => u.int_in_range(0..=4096u64)?,
        3 => end.saturating_sub(u.int_in_range(0..=16u64)?),
        4 => end + u.int_in_range(0..=16u64)?,
        5 => u32::MAX as u64 - u.int_in_range(0..=16u64)?,
        6 => u.int_in_range(0..=end.max(1))?,
        7 => u64::MAX - u.int_in_range(0..=16u64)?,
        _ => u.arbitrary::<u64>()?,
    };
    Ok(match ty {
        WasmTy::I32 => v & 0xffff_ffff,
        WasmTy::I64 => v,
    })
}

fn arguments(u: &mut Unstructured<'_>, call: &CallSpec, memory_len: usize) -> Result<Vec<u64>> {
    call.params
        .iter()
        .map(|p| argument(u, p.ty, memory_len))
        .collect()
}

/// A result must be one the call can return.
fn check_result(call: &CallSpec, v: u64) {
    match call.ret.wasm_ty() {
        Some(WasmTy::I32) => assert!(v <= u32::MAX as u64, "{} returned {v:#x}", call.name),
        Some(WasmTy::I64) | None => {}
    }
    if let Ret::Errno(names) = call.ret {
        assert!(
            names.name_of(v as i64).is_some(),
            "{} returned {v}, which is no errno",
            call.name
        );
    }
}

/// Feeds `data` to every parser of text a person or a peer hands the
/// runtime: the module loader (binary and WAT, with the old-name
/// translator), the disassembler and source map of what loads, the policy
/// parser, JSON-lines trace lines, stream URLs, addresses, locations, byte
/// counts and grants.
pub fn parse_everything(data: &[u8]) {
    if let Ok(program) = crate::module::program::Program::from_bytes("fuzz.wat", data.to_vec()) {
        let _ = program.disassembly();
        let _ = program.imports();
        let _ = crate::execution::start::choose_abi(&program, None);
    }
    let text = String::from_utf8_lossy(data);
    let _ = crate::module::wat_legacy::modernize(&text);
    let _ = crate::sandbox::policy::Policy::parse("fuzz.policy", &text);
    let _ = crate::sandbox::policy::NetAllow::parse(&text);
    for line in text.lines().take(64) {
        if let Ok(record) = crate::calls::trace_file::parse_line(line) {
            let _ = record.trace_line();
            let _ = record.result_text();
        }
        if let Ok(url) = crate::sandbox::streams::url::StreamUrl::parse(line) {
            let _ = url.path();
            let _ = url.query("mode");
        }
        let _ = crate::debug::Location::parse(line);
        let _ = crate::debug::parse_address(line);
        let _ = crate::sandbox::limits::parse_bytes(line);
        let _ = DirGrant::parse(line);
    }
    let _ = crate::calls::trace_file::read(data, |_| {});
}
