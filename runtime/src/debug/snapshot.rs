//! What a front end sees at every stop: the place, the frames with their
//! locals and operand stacks, globals, changed memory, descriptors, and the
//! syscalls made since the previous stop.

use crate::calls::record::{ArgValue, CallOutcome, SyscallRecord};
use crate::module::abi::Abi;
use crate::module::program::Program;
use crate::sandbox::fdtable::DescriptorRow;
use crate::sandbox::guest_memory::MemRange;
use serde::Serialize;
use std::fmt;

/// A place in the code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pc {
    /// Function index.
    pub func: u32,
    /// Function name, if known.
    pub func_name: Option<String>,
    /// Byte offset in the module.
    pub offset: u32,
    /// 0-based line of the disassembly.
    pub disasm_line: Option<usize>,
    /// 1-based line of the WAT source, for programs compiled from WAT.
    pub source_line: Option<u32>,
}

impl Pc {
    /// Describes `offset` in function `func` of `program`.
    pub fn at(program: &Program, func: u32, offset: u32) -> Pc {
        Pc {
            func,
            func_name: program.func_name(func).map(str::to_string),
            offset,
            disasm_line: program.disassembly().line_of_offset(offset as usize),
            source_line: program.source_map().and_then(|m| m.line_of(offset)),
        }
    }

    /// The disassembly text of the instruction.
    pub fn instruction<'p>(&self, program: &'p Program) -> &'p str {
        self.disasm_line
            .and_then(|l| program.disassembly().lines().get(l))
            .map(|l| l.text.trim())
            .unwrap_or("")
    }
}

impl fmt::Display for Pc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.func_name {
            Some(name) => write!(f, "{name} (func {})", self.func)?,
            None => write!(f, "func {}", self.func)?,
        }
        write!(f, " at {:#x}", self.offset)?;
        if let Some(line) = self.source_line {
            write!(f, ", line {line}")?;
        }
        Ok(())
    }
}

/// A wasm value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Value {
    /// i32
    I32(i32),
    /// i64
    I64(i64),
    /// f32
    F32(f32),
    /// f64
    F64(f64),
    /// v128
    V128(u128),
    /// A reference (shown by kind only).
    Ref(&'static str),
}

impl Value {
    /// An integer's bits as a host call receives them (an i32 zero-extended).
    pub fn raw_bits(&self) -> Option<u64> {
        match *self {
            Value::I32(i) => Some(i as u32 as u64),
            Value::I64(i) => Some(i as u64),
            _ => None,
        }
    }

    /// Converts a wasmtime value.
    pub fn of(v: &wasmtime::Val) -> Value {
        match v {
            wasmtime::Val::I32(i) => Value::I32(*i),
            wasmtime::Val::I64(i) => Value::I64(*i),
            wasmtime::Val::F32(b) => Value::F32(f32::from_bits(*b)),
            wasmtime::Val::F64(b) => Value::F64(f64::from_bits(*b)),
            wasmtime::Val::V128(v) => Value::V128(v.as_u128()),
            wasmtime::Val::FuncRef(_) => Value::Ref("funcref"),
            wasmtime::Val::ExternRef(_) => Value::Ref("externref"),
            wasmtime::Val::AnyRef(_) => Value::Ref("anyref"),
            wasmtime::Val::ExnRef(_) => Value::Ref("exnref"),
            _ => Value::Ref("ref"),
        }
    }
}

impl Value {
    /// Its type, decimal and hex: `("i32", "-4", "0xfffffffc")`.
    pub fn columns(&self) -> (&'static str, String, String) {
        match *self {
            Value::I32(i) => ("i32", i.to_string(), format!("{:#x}", i as u32)),
            Value::I64(i) => ("i64", i.to_string(), format!("{:#x}", i as u64)),
            Value::F32(f) => ("f32", format!("{f:?}"), format!("{:#010x}", f.to_bits())),
            Value::F64(f) => ("f64", format!("{f:?}"), format!("{:#018x}", f.to_bits())),
            Value::V128(x) => ("v128", String::new(), format!("{x:#034x}")),
            Value::Ref(kind) => ("ref", kind.to_string(), String::new()),
        }
    }

    /// In decimal and hex, as a debugger prints it: `i32 40 (0x28)`.
    pub fn shown(&self) -> String {
        match self.columns() {
            (ty, dec, hex) if !dec.is_empty() && !hex.is_empty() => format!("{ty} {dec} ({hex})"),
            _ => self.to_string(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::I32(v) => write!(f, "i32 {v}"),
            Value::I64(v) => write!(f, "i64 {v}"),
            Value::F32(v) => write!(f, "f32 {v}"),
            Value::F64(v) => write!(f, "f64 {v}"),
            Value::V128(v) => write!(f, "v128 {v:#034x}"),
            Value::Ref(kind) => write!(f, "{kind}"),
        }
    }
}

/// One frame of the call stack.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Frame {
    /// Where it is.
    pub pc: Pc,
    /// Its locals (parameters first).
    pub locals: Vec<Value>,
    /// Its operand stack, bottom first.
    pub stack: Vec<Value>,
}

/// Bytes a syscall wrote: as they were, and as it left them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WrittenBytes {
    /// Address of the first byte.
    pub start: u32,
    /// The bytes before the call.
    pub before: Vec<u8>,
    /// The bytes after the call.
    pub after: Vec<u8>,
}

/// Bytes a syscall read, as they were when it read them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReadBytes {
    /// Address of the first byte.
    pub start: u32,
    /// The bytes (the first of them, for a very large range).
    pub bytes: Vec<u8>,
}

/// What one syscall read and wrote, as it ran: kept by a debug session for
/// its newest calls, so a call can be shown with its own bytes whatever
/// memory holds now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CallBytes {
    /// The ranges it read.
    pub read: Vec<ReadBytes>,
    /// The ranges it wrote, before and after.
    pub written: Vec<WrittenBytes>,
}

/// Why the guest stopped.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StopReason {
    /// It is about to run its first instruction.
    Entry,
    /// A step finished.
    Step,
    /// It reached a breakpoint.
    Breakpoint {
        /// The breakpoint's offset.
        offset: u32,
    },
    /// It reached the place it was asked to run to.
    Reached {
        /// The offset.
        offset: u32,
    },
    /// It is about to make a syscall.
    SyscallEntry {
        /// The call's ABI.
        abi: Abi,
        /// The call's name.
        name: &'static str,
        /// Its arguments, decoded.
        args: Vec<ArgValue>,
    },
    /// A syscall has just returned.
    SyscallExit {
        /// The call's record.
        record: Box<SyscallRecord>,
        /// What it wrote into guest memory.
        written: Vec<WrittenBytes>,
    },
    /// The front end paused it.
    Paused,
    /// It trapped; continuing ends it.
    Trap {
        /// What went wrong.
        message: String,
    },
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::Entry => f.write_str("entry"),
            StopReason::Step => f.write_str("step"),
            StopReason::Breakpoint { offset } => write!(f, "breakpoint at {offset:#x}"),
            StopReason::Reached { offset } => write!(f, "reached {offset:#x}"),
            StopReason::SyscallEntry { name, args, .. } => {
                let args: Vec<String> = args
                    .iter()
                    .map(|a| format!("{}={}", a.name, a.shown))
                    .collect();
                write!(f, "syscall entry: {name}({})", args.join(", "))
            }
            StopReason::SyscallExit { record, .. } => {
                write!(f, "syscall exit: {}", record.call_text())
            }
            StopReason::Paused => f.write_str("paused"),
            StopReason::Trap { message } => write!(f, "trap: {message}"),
        }
    }
}

/// Everything a front end shows at a stop.
#[derive(Clone, Debug, Serialize)]
pub struct Snapshot {
    /// Why it stopped.
    pub reason: StopReason,
    /// The call stack, innermost first. Empty while in host code before the first frame.
    pub frames: Vec<Frame>,
    /// The instance's globals, by index.
    pub globals: Vec<Value>,
    /// Size of linear memory in bytes.
    pub memory_size: usize,
    /// Byte ranges of memory that changed since the previous stop (`None` when
    /// memory is too large to compare).
    pub changed: Option<Vec<MemRange>>,
    /// Open descriptors.
    pub descriptors: Vec<DescriptorRow>,
    /// Sequence number of the newest syscall record at this stop (0: no
    /// call yet); the records themselves are in the session's ring.
    pub last_seq: u64,
    /// Instructions single-stepped since the session started.
    pub steps: u64,
    /// Offsets of the most recent single-stepped instructions, oldest first.
    pub trail: Vec<u32>,
}

impl Snapshot {
    /// Where the guest is (its innermost frame).
    pub fn pc(&self) -> Option<&Pc> {
        self.frames.first().map(|f| &f.pc)
    }

    /// At a syscall's entry or exit, the call the innermost frame is in:
    /// that frame is still at its `call` instruction, so the top of its
    /// operand stack holds the call's arguments until the call returns to
    /// the guest, which pops them and pushes the result. `None` at other
    /// stops, or when the top of the stack does not hold the arguments.
    pub fn pending_call(&self) -> Option<PendingCall> {
        let (name, args, result) = match &self.reason {
            StopReason::SyscallEntry { name, args, .. } => (*name, args, None),
            StopReason::SyscallExit { record, .. } => {
                let result = match &record.outcome {
                    CallOutcome::Returned(r) => Some(Some(r.raw)),
                    _ => Some(None),
                };
                (record.name, &record.args, result)
            }
            _ => return None,
        };
        let stack = &self.frames.first()?.stack;
        let first = stack.len().checked_sub(args.len())?;
        let holds_args = stack[first..]
            .iter()
            .zip(args)
            .all(|(v, a)| v.raw_bits() == Some(a.raw));
        holds_args.then(|| PendingCall {
            name,
            first_arg: first,
            params: args.iter().map(|a| a.name).collect(),
            returned: result,
        })
    }
}

/// A syscall the innermost frame has called and not yet got back from.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingCall {
    /// The call's name.
    pub name: &'static str,
    /// Index in the operand stack of its first argument (the rest follow).
    pub first_arg: usize,
    /// The arguments' parameter names, in order.
    pub params: Vec<&'static str>,
    /// At the exit: `Some(Some(v))` when it returned `v` (pushed once the
    /// guest resumes), `Some(None)` when it returns nothing or ended the
    /// guest; `None` at the entry (it has not run yet).
    pub returned: Option<Option<i64>>,
}

impl PendingCall {
    /// What operand `i` of the innermost frame is, if it is an argument:
    /// `argument fd of fd_write`.
    pub fn operand_role(&self, i: usize) -> Option<String> {
        let param = self.params.get(i.checked_sub(self.first_arg)?)?;
        Some(format!("argument {param} of {}", self.name))
    }

    /// One line saying what happens to these operands.
    pub fn explanation(&self) -> String {
        match self.returned {
            None => format!(
                "The guest is calling {}: its arguments are the top {} operands; the call pops them when it returns.",
                self.name,
                self.params.len()
            ),
            Some(Some(v)) => format!(
                "{} has returned {v}, but the guest has not resumed yet: when it does, the arguments are popped and {v} is pushed.",
                self.name
            ),
            Some(None) => format!(
                "{} has finished, but the guest has not resumed yet: when it does, the arguments are popped.",
                self.name
            ),
        }
    }
}
