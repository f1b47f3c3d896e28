//! Turns a call's raw arguments and result into text a person reads, the way
//! strace does, driven entirely by the call's declarative description.

use crate::abis::call::{CallSpec, FieldShow, Filled, Kind, Ret, StructSpec};
use crate::calls::record::{ArgValue, CallOutcome, CallResult};
use crate::sandbox::fdtable::FdTable;
use crate::sandbox::guest_memory::MemRange;

/// Bytes of a string or buffer shown before `...`.
const PREVIEW: usize = 48;
/// Buffers of an iovec array shown before `...`.
const MAX_IOVS: usize = 4;
/// Strings shown of an argument or environment list.
const MAX_STRINGS: usize = 16;
/// Structs of an array shown before `...`.
const MAX_STRUCTS: usize = 4;

/// Escapes bytes as strace does: `"hello\n"`, cut at `max` bytes.
pub fn quote_bytes(bytes: &[u8], max: usize) -> String {
    let mut s = String::with_capacity(bytes.len().min(max) + 2);
    s.push('"');
    for &b in bytes.iter().take(max) {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push('"');
    if bytes.len() > max {
        s.push_str("...");
    }
    s
}

/// Bytes as hex pairs, `68 69 0a`, cut at `max` bytes with ` …`.
pub fn hex_bytes(bytes: &[u8], max: usize) -> String {
    let shown: Vec<String> = bytes.iter().take(max).map(|b| format!("{b:02x}")).collect();
    let more = if bytes.len() > max { " …" } else { "" };
    format!("{}{more}", shown.join(" "))
}

fn slice(mem: &[u8], ptr: u64, len: u64) -> Option<&[u8]> {
    let start = usize::try_from(ptr).ok()?;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    mem.get(start..end)
}

fn read_u32(mem: &[u8], ptr: u64) -> Option<u32> {
    slice(mem, ptr, 4).map(|b| u32::from_le_bytes(b.try_into().unwrap()))
}

/// A pointer that could not be followed: outside memory, or the guest has
/// no memory at all.
fn bad_ptr(mem: Mem<'_>, ptr: u64) -> String {
    match mem {
        Some(_) => format!("{ptr:#x} <out of bounds>"),
        None => format!("{ptr:#x} <no memory>"),
    }
}

/// Guest memory as the decoder sees it; `None` when the guest has none.
pub type Mem<'a> = Option<&'a [u8]>;

/// Labels of the descriptor arguments as they are before the call runs (a
/// `close` must still show what it closes).
fn fd_labels_before(spec: &CallSpec, args: &[u64], fds: &FdTable) -> Vec<Option<String>> {
    spec.params
        .iter()
        .zip(args)
        .map(|(p, a)| match p.kind {
            Kind::Fd => Some(fd_text(*a as u32, fds)),
            _ => None,
        })
        .collect()
}

fn fd_text(fd: u32, fds: &FdTable) -> String {
    match fds.label(fd) {
        Some(label) => format!("{fd}<{label}>"),
        None => fd.to_string(),
    }
}

/// How many bytes a call filled, given its arguments and result.
fn filled_count(filled: Filled, args: &[u64], result: Option<u64>, mem: &[u8], cap: u64) -> u64 {
    let n = match filled {
        // A result larger than the buffer (Olin's `env_get` asking for more
        // room) means nothing was written.
        Filled::Result => result
            .map(|r| r as i32)
            .filter(|r| *r >= 0 && *r as u64 <= cap)
            .unwrap_or(0) as u64,
        Filled::OutParam(i) => args
            .get(i as usize)
            .and_then(|p| read_u32(mem, *p))
            .unwrap_or(0) as u64,
        Filled::Whole => cap,
    };
    n.min(cap)
}

fn struct_text(spec: &StructSpec, bytes: &[u8]) -> String {
    let mut parts = Vec::with_capacity(spec.fields.len());
    for (name, offset, width, show) in spec.fields {
        let off = *offset as usize;
        let raw = &bytes[off..off + *width as usize];
        let mut v = [0u8; 8];
        v[..raw.len()].copy_from_slice(raw);
        let v = u64::from_le_bytes(v);
        let shown = match show {
            FieldShow::Int => v.to_string(),
            FieldShow::Enum(names) => names
                .name_of(v as i64)
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string()),
            FieldShow::Flags(names) => names.flags_text(v),
        };
        parts.push(format!("{name}={shown}"));
    }
    format!("{{{}}}", parts.join(", "))
}

/// A call's arguments as they were when it was made: everything the guest
/// passed in (descriptors with what they referred to, strings, buffers,
/// iovec arrays, structs) read before the call ran, so a call whose output
/// overwrites its own input is still shown with what the guest passed.
/// Out-parameters are read after the call, by [`AtEntry::finish`].
#[derive(Clone, Debug)]
pub struct AtEntry {
    /// The text of each parameter that is input, `None` for outputs.
    shown: Vec<Option<String>>,
    /// For arrays of buffers the host fills: each buffer's pointer and
    /// length as the guest passed them.
    out_iovs: Vec<Option<Vec<(u64, u64)>>>,
}

/// A flags or enum argument by its names (an unnamed enum value as its
/// number); `None` for other kinds, which need memory or no naming.
pub fn named_value(kind: Kind, raw: u64) -> Option<String> {
    match kind {
        Kind::Flags(names) => Some(names.flags_text(raw)),
        Kind::Enum(names) => Some(
            names
                .name_of(raw as i64)
                .map(str::to_string)
                .unwrap_or_else(|| raw.to_string()),
        ),
        _ => None,
    }
}

/// Decodes a call's inputs before it runs.
pub fn decode_at_entry(spec: &CallSpec, args: &[u64], mem: Mem<'_>, fds: &FdTable) -> AtEntry {
    let labels = fd_labels_before(spec, args, fds);
    let arg = |i: u8| args.get(i as usize).copied().unwrap_or(0);
    let mut out_iovs = vec![None; spec.params.len()];
    let shown = spec
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let raw = args.get(i).copied().unwrap_or(0);
            let bytes = mem.unwrap_or(&[]);
            Some(match p.kind {
                Kind::Fd => labels
                    .get(i)
                    .cloned()
                    .flatten()
                    .unwrap_or_else(|| raw.to_string()),
                Kind::Int | Kind::Len | Kind::Nanos => match p.ty {
                    crate::abis::call::WasmTy::I32 => (raw as u32 as i32).to_string(),
                    crate::abis::call::WasmTy::I64 => raw.to_string(),
                },
                Kind::Ptr => format!("{raw:#x}"),
                Kind::Str { len } | Kind::BytesIn { len } => match slice(bytes, raw, arg(len)) {
                    Some(b) => quote_bytes(b, PREVIEW),
                    None => bad_ptr(mem, raw),
                },
                Kind::CStr => {
                    let start = raw as usize;
                    match bytes
                        .get(start..)
                        .and_then(|m| m.iter().position(|b| *b == 0))
                    {
                        Some(n) => quote_bytes(&bytes[start..start + n], PREVIEW),
                        None => bad_ptr(mem, raw),
                    }
                }
                Kind::IovsIn { count } => iovs_text(mem, raw, arg(count), u64::MAX),
                Kind::IovsOut { count, .. } => {
                    out_iovs[i] = iov_list(bytes, raw, arg(count));
                    return None;
                }
                Kind::Flags(_) | Kind::Enum(_) => named_value(p.kind, raw).unwrap_or_default(),
                Kind::StructsIn { spec: s, count } => structs_text(s, mem, raw, arg(count)),
                Kind::BytesOut { .. }
                | Kind::OutCStrings
                | Kind::OutU32
                | Kind::OutU64
                | Kind::OutFd
                | Kind::OutStruct(_)
                | Kind::StructsOut { .. } => return None,
            })
        })
        .collect();
    AtEntry { shown, out_iovs }
}

impl AtEntry {
    /// The arguments while the call has not returned: inputs decoded,
    /// out-parameters as the pointers they are.
    pub fn args(&self, spec: &CallSpec, args: &[u64]) -> Vec<ArgValue> {
        spec.params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let raw = args.get(i).copied().unwrap_or(0);
                ArgValue {
                    name: p.name,
                    raw,
                    shown: self.shown[i].clone().unwrap_or_else(|| format!("{raw:#x}")),
                }
            })
            .collect()
    }

    /// Every argument once the call returned: the inputs as they were at
    /// entry, and the out-parameters read now. `result` is the raw result
    /// when the call returned (out-values are shown only then, and only on
    /// success); `writes` are the ranges the call wrote.
    pub fn finish(
        self,
        spec: &CallSpec,
        args: &[u64],
        result: Option<u64>,
        mem: Mem<'_>,
        fds: &FdTable,
        writes: &[MemRange],
    ) -> Vec<ArgValue> {
        let succeeded = match (spec.ret, result) {
            (Ret::Errno(_), Some(r)) => r as u32 == 0,
            (Ret::I32OrError(_) | Ret::FdOrError(_), Some(r)) => (r as i32) >= 0,
            (_, Some(_)) => true,
            (_, None) => false,
        };
        let arg = |i: u8| args.get(i as usize).copied().unwrap_or(0);
        let bytes = mem.unwrap_or(&[]);
        let AtEntry {
            shown,
            mut out_iovs,
        } = self;
        spec.params
            .iter()
            .zip(shown)
            .enumerate()
            .map(|(i, (p, at_entry))| {
                let raw = args.get(i).copied().unwrap_or(0);
                let shown = match (at_entry, p.kind) {
                    (Some(text), _) => text,
                    (None, _) if !succeeded => format!("{raw:#x}"),
                    (None, Kind::BytesOut { len, filled }) => {
                        let n = filled_count(filled, args, result, bytes, arg(len));
                        match slice(bytes, raw, n) {
                            Some(b) => quote_bytes(b, PREVIEW),
                            None => bad_ptr(mem, raw),
                        }
                    }
                    (None, Kind::IovsOut { filled, .. }) => {
                        let n = filled_count(filled, args, result, bytes, u64::MAX);
                        match out_iovs[i].take() {
                            Some(list) => filled_iovs_text(mem, &list, n),
                            None => bad_ptr(mem, raw),
                        }
                    }
                    (None, Kind::OutCStrings) => {
                        match slice(bytes, raw, written_from(writes, raw)) {
                            Some(b) => cstrings_text(b),
                            None => bad_ptr(mem, raw),
                        }
                    }
                    (None, Kind::OutU32) => match read_u32(bytes, raw) {
                        Some(v) => format!("[{v}]"),
                        None => bad_ptr(mem, raw),
                    },
                    (None, Kind::OutU64) => match slice(bytes, raw, 8) {
                        Some(b) => format!("[{}]", u64::from_le_bytes(b.try_into().unwrap())),
                        None => bad_ptr(mem, raw),
                    },
                    (None, Kind::OutFd) => match read_u32(bytes, raw) {
                        Some(v) => format!("[{}]", fd_text(v, fds)),
                        None => bad_ptr(mem, raw),
                    },
                    (None, Kind::OutStruct(s)) => match slice(bytes, raw, s.size as u64) {
                        Some(b) => struct_text(s, b),
                        None => bad_ptr(mem, raw),
                    },
                    (None, Kind::StructsOut { spec: s, filled }) => {
                        let n = filled_count(filled, args, result, bytes, u64::MAX);
                        structs_text(s, mem, raw, n)
                    }
                    (None, _) => format!("{raw:#x}"),
                };
                ArgValue {
                    name: p.name,
                    raw,
                    shown,
                }
            })
            .collect()
    }
}

/// How many bytes from `start` on the call wrote without a gap (it may
/// have written them piece by piece).
fn written_from(writes: &[MemRange], start: u64) -> u64 {
    let mut end = start;
    while let Some(w) = writes
        .iter()
        .find(|w| (w.start as u64) <= end && end < w.start as u64 + w.len as u64)
    {
        end = w.start as u64 + w.len as u64;
    }
    end - start
}

/// NUL-terminated strings, as a list.
fn cstrings_text(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "[]".into();
    }
    let bytes = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    let mut parts = Vec::new();
    for (k, s) in bytes.split(|&b| b == 0).enumerate() {
        if k == MAX_STRINGS {
            parts.push("...".to_string());
            break;
        }
        parts.push(quote_bytes(s, PREVIEW));
    }
    format!("[{}]", parts.join(", "))
}

/// The `(pointer, length)` pairs of an iovec array, if it lies in memory.
fn iov_list(mem: &[u8], ptr: u64, count: u64) -> Option<Vec<(u64, u64)>> {
    let table = slice(mem, ptr, count.saturating_mul(8))?;
    Some(
        table
            .chunks_exact(8)
            .map(|iov| {
                (
                    u32::from_le_bytes(iov[0..4].try_into().unwrap()) as u64,
                    u32::from_le_bytes(iov[4..8].try_into().unwrap()) as u64,
                )
            })
            .collect(),
    )
}

fn iovs_text(mem: Mem<'_>, ptr: u64, count: u64, budget: u64) -> String {
    match iov_list(mem.unwrap_or(&[]), ptr, count) {
        Some(list) => filled_iovs_text(mem, &list, budget),
        None => bad_ptr(mem, ptr),
    }
}

/// Buffers with their contents, the first `budget` bytes of them in all.
fn filled_iovs_text(mem: Mem<'_>, list: &[(u64, u64)], mut budget: u64) -> String {
    let mut parts = Vec::new();
    for (k, &(p, l)) in list.iter().enumerate() {
        if k == MAX_IOVS {
            parts.push("...".to_string());
            break;
        }
        let shown_len = l.min(budget);
        budget -= shown_len;
        let data = match slice(mem.unwrap_or(&[]), p, shown_len) {
            Some(b) => quote_bytes(b, PREVIEW),
            None => bad_ptr(mem, p),
        };
        parts.push(format!("{{{data}, {l}}}"));
    }
    format!("[{}]", parts.join(", "))
}

fn structs_text(spec: &StructSpec, mem: Mem<'_>, ptr: u64, count: u64) -> String {
    let Some(all) = slice(
        mem.unwrap_or(&[]),
        ptr,
        count.saturating_mul(spec.size as u64),
    ) else {
        return bad_ptr(mem, ptr);
    };
    let mut parts: Vec<String> = all
        .chunks_exact(spec.size as usize)
        .take(MAX_STRUCTS)
        .map(|b| struct_text(spec, b))
        .collect();
    if count as usize > MAX_STRUCTS {
        parts.push("...".into());
    }
    format!("[{}]", parts.join(", "))
}

/// Decodes the result of a call that returned.
pub fn decode_result(spec: &CallSpec, raw: u64) -> CallOutcome {
    let named = |names: &'static crate::abis::call::Names, v: i64| CallResult {
        raw: v,
        error: names.name_of(v),
        meaning: names.meaning_of(v),
    };
    match spec.ret {
        Ret::Void | Ret::Never => CallOutcome::Done,
        Ret::Errno(names) => {
            let v = raw as u32 as i64;
            if v == 0 {
                CallOutcome::Returned(CallResult {
                    raw: 0,
                    error: None,
                    meaning: None,
                })
            } else {
                CallOutcome::Returned(named(names, v))
            }
        }
        Ret::I32OrError(names) | Ret::FdOrError(names) => {
            let v = raw as u32 as i32 as i64;
            if v >= 0 {
                CallOutcome::Returned(CallResult {
                    raw: v,
                    error: None,
                    meaning: None,
                })
            } else {
                let mut r = named(names, v);
                r.error.get_or_insert("ERROR");
                CallOutcome::Returned(r)
            }
        }
        Ret::I32 => CallOutcome::Returned(CallResult {
            raw: raw as u32 as i32 as i64,
            error: None,
            meaning: None,
        }),
        Ret::I64 => CallOutcome::Returned(CallResult {
            raw: raw as i64,
            error: None,
            meaning: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_strings_are_shown_as_written() {
        let spec = crate::abis::find(crate::Abi::Wasi, "environ_get").unwrap();
        let mut mem = [0u8; 64];
        mem[32..42].copy_from_slice(b"A=1\0B=two\0");
        // Written in two pieces, as a host may.
        let writes = [
            MemRange { start: 32, len: 4 },
            MemRange { start: 36, len: 6 },
            MemRange { start: 0, len: 8 },
        ];
        let fds = FdTable::default();
        let mem = Some(&mem[..]);
        let entry = || decode_at_entry(spec, &[0, 32], mem, &fds);
        let args = entry().finish(spec, &[0, 32], Some(0), mem, &fds, &writes);
        assert_eq!(args[1].shown, r#"["A=1", "B=two"]"#);
        let none = entry().finish(spec, &[0, 32], Some(0), mem, &fds, &[]);
        assert_eq!(none[1].shown, "[]");
        let before = entry().args(spec, &[0, 32]);
        assert_eq!(before[1].shown, "0x20");
    }

    #[test]
    fn iovecs_are_read_at_entry_and_their_data_after() {
        let spec = crate::abis::find(crate::Abi::Wasi, "fd_read").unwrap();
        let fds = FdTable::default();
        // One iovec at 0 pointing at 0 itself, 16 bytes: the read overwrites
        // its own iovec array.
        let mut mem = [0u8; 64];
        mem[0..4].copy_from_slice(&0u32.to_le_bytes());
        mem[4..8].copy_from_slice(&16u32.to_le_bytes());
        let args = [0, 0, 1, 32];
        let entry = decode_at_entry(spec, &args, Some(&mem), &fds);
        mem[0..16].copy_from_slice(b"overwritten by i");
        mem[32..36].copy_from_slice(&16u32.to_le_bytes());
        let shown = entry.finish(spec, &args, Some(0), Some(&mem), &fds, &[]);
        assert_eq!(shown[1].shown, r#"[{"overwritten by i", 16}]"#);
        assert_eq!(shown[3].shown, "[16]");
    }

    #[test]
    fn without_memory_pointers_say_so() {
        let spec = crate::abis::find(crate::Abi::Dagger, "open").unwrap();
        let fds = FdTable::default();
        let entry = decode_at_entry(spec, &[0xc8, 0], None, &fds);
        assert_eq!(entry.args(spec, &[0xc8, 0])[0].shown, "0xc8 <no memory>");
        let entry = decode_at_entry(spec, &[0xc8, 0], Some(&[0u8; 16]), &fds);
        assert_eq!(
            entry.args(spec, &[0xc8, 0])[0].shown,
            "0xc8 <out of bounds>"
        );
    }

    #[test]
    fn quotes_like_strace() {
        assert_eq!(quote_bytes(b"hi\n\"\x01", 10), "\"hi\\n\\\"\\x01\"");
        assert_eq!(quote_bytes(b"abcdef", 3), "\"abc\"...");
        assert_eq!(hex_bytes(b"hi\n", 8), "68 69 0a");
        assert_eq!(hex_bytes(b"abc", 2), "61 62 …");
    }
}
