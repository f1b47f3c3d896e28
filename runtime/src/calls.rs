//! Declarative descriptions of host calls. Each call of each ABI is described
//! once: its parameters and what they mean, its result and error names, a
//! one-paragraph explanation, and the function that implements it. Linking,
//! trace decoding and the workbench's explanations all read these tables.

use crate::abi::Abi;
use crate::guest_memory::GuestMemory;
use crate::process::Process;

/// What a host call gets: the guest's memory and its process.
pub struct CallContext<'a> {
    /// The guest's linear memory (bounds-checked, logged when recording).
    pub mem: GuestMemory<'a>,
    /// The guest's process: descriptors, capabilities, limits.
    pub process: &'a mut Process,
}

/// The implementation of a call: raw arguments in (i32s zero-extended to
/// u64), the raw result out (ignored for calls without one).
pub type CallImpl = fn(&mut CallContext<'_>, &[u64]) -> Result<u64, Fatal>;

/// A call ending the guest instead of returning to it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Fatal {
    /// The guest asked to exit with this status.
    #[error("exited with status {0}")]
    Exit(i32),
    /// The host killed the guest for the stated reason.
    #[error("{reason}")]
    Kill {
        /// The call that killed it.
        call: &'static str,
        /// Why.
        reason: String,
        /// Whether it was killed for writing more than its output limit.
        output_limit: bool,
    },
}

impl Fatal {
    /// A kill during `call` for `reason`.
    pub fn kill(call: &'static str, reason: impl Into<String>) -> Fatal {
        Fatal::Kill {
            call,
            reason: reason.into(),
            output_limit: false,
        }
    }
}

/// The wasm type of a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WasmTy {
    /// `i32`
    I32,
    /// `i64`
    I64,
}

/// Named values of an enumeration, or named bits of a flag set, with a
/// one-line meaning for each.
#[derive(Debug)]
pub struct Names {
    /// The type's name, e.g. `oflags`.
    pub name: &'static str,
    /// `(value, NAME, meaning)`.
    pub values: &'static [(i64, &'static str, &'static str)],
}

impl Names {
    /// The name of a value, if it has one.
    pub fn name_of(&self, v: i64) -> Option<&'static str> {
        self.values
            .iter()
            .find(|(n, _, _)| *n == v)
            .map(|(_, s, _)| *s)
    }

    /// The meaning of a value, if it has one.
    pub fn meaning_of(&self, v: i64) -> Option<&'static str> {
        self.values
            .iter()
            .find(|(n, _, _)| *n == v)
            .map(|(_, _, m)| *m)
    }

    /// Bits by name, `A|B|0x40` for unknown bits, `0` for none.
    pub fn flags_text(&self, v: u64) -> String {
        if v == 0 {
            return "0".into();
        }
        let mut parts = Vec::new();
        let mut rest = v;
        for (bit, name, _) in self.values {
            let bit = *bit as u64;
            if bit != 0 && v & bit == bit {
                parts.push((*name).to_string());
                rest &= !bit;
            }
        }
        if rest != 0 {
            parts.push(format!("{rest:#x}"));
        }
        parts.join("|")
    }
}

/// Where the count of bytes a call filled comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filled {
    /// The call's result (Dagger `read`, Olin `resource_read`).
    Result,
    /// An out-parameter holding a u32 count (WASI `nread`), by parameter index.
    OutParam(u8),
    /// The whole buffer (`random_get`).
    Whole,
}

/// A fixed-layout struct the host writes into guest memory.
#[derive(Debug)]
pub struct StructSpec {
    /// Its name, e.g. `filestat`.
    pub name: &'static str,
    /// Size in bytes.
    pub size: u32,
    /// `(field name, offset, width in bytes, how to show it)`.
    pub fields: &'static [(&'static str, u32, u8, FieldShow)],
}

/// How a struct field is shown.
#[derive(Clone, Copy, Debug)]
pub enum FieldShow {
    /// A number.
    Int,
    /// A named enumeration value.
    Enum(&'static Names),
    /// Named bits.
    Flags(&'static Names),
}

/// What a parameter means.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// A descriptor (shown with what it refers to).
    Fd,
    /// A plain integer.
    Int,
    /// A byte count or length belonging to another parameter.
    Len,
    /// A pointer shown as an address.
    Ptr,
    /// A nanosecond count or timestamp.
    Nanos,
    /// Pointer to UTF-8 text whose length is parameter `len`.
    Str {
        /// Index of the length parameter.
        len: u8,
    },
    /// Pointer to NUL-terminated text.
    CStr,
    /// Pointer to bytes the host reads, length in parameter `len`.
    BytesIn {
        /// Index of the length parameter.
        len: u8,
    },
    /// Pointer to a buffer the host fills, capacity in parameter `len`.
    BytesOut {
        /// Index of the capacity parameter.
        len: u8,
        /// How many bytes were filled.
        filled: Filled,
    },
    /// Array of `(ptr, len)` buffers the host reads, count in parameter `count`.
    IovsIn {
        /// Index of the count parameter.
        count: u8,
    },
    /// Array of `(ptr, len)` buffers the host fills.
    IovsOut {
        /// Index of the count parameter.
        count: u8,
        /// How many bytes were filled in all.
        filled: Filled,
    },
    /// Named bits.
    Flags(&'static Names),
    /// A named value.
    Enum(&'static Names),
    /// A buffer the host fills with NUL-terminated strings (the arguments
    /// or the environment), shown as the strings it wrote.
    OutCStrings,
    /// Out-pointer to a u32 count the host writes.
    OutU32,
    /// Out-pointer to a u64 value the host writes.
    OutU64,
    /// Out-pointer to a descriptor number the host writes.
    OutFd,
    /// Out-pointer to a struct the host writes.
    OutStruct(&'static StructSpec),
    /// Array of `count` structs the guest passes in.
    StructsIn {
        /// The struct.
        spec: &'static StructSpec,
        /// Index of the count parameter.
        count: u8,
    },
    /// Array of structs the host fills; the count is written to parameter `filled`.
    StructsOut {
        /// The struct.
        spec: &'static StructSpec,
        /// How many were filled.
        filled: Filled,
    },
}

/// One parameter.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// Its name in the ABI's documentation.
    pub name: &'static str,
    /// Its wasm type.
    pub ty: WasmTy,
    /// What it means.
    pub kind: Kind,
}

/// An i32 parameter.
pub const fn p32(name: &'static str, kind: Kind) -> Param {
    Param {
        name,
        ty: WasmTy::I32,
        kind,
    }
}

/// An i64 parameter.
pub const fn p64(name: &'static str, kind: Kind) -> Param {
    Param {
        name,
        ty: WasmTy::I64,
        kind,
    }
}

/// What a call returns.
#[derive(Clone, Copy, Debug)]
pub enum Ret {
    /// Nothing.
    Void,
    /// An i32 error number: 0 is success (WASI).
    Errno(&'static Names),
    /// An i32 that is a count, id or value when >= 0 and a named error when negative.
    I32OrError(&'static Names),
    /// A new descriptor when >= 0, a named error when negative (the stream
    /// ABIs' opens).
    FdOrError(&'static Names),
    /// A plain i32 value.
    I32,
    /// A plain i64 value.
    I64,
    /// The call never returns (it ends the guest).
    Never,
}

impl Ret {
    /// The wasm result type, if any.
    pub fn wasm_ty(self) -> Option<WasmTy> {
        match self {
            Ret::Void | Ret::Never => None,
            Ret::I64 => Some(WasmTy::I64),
            _ => Some(WasmTy::I32),
        }
    }
}

/// The complete description of one host call.
#[derive(Debug)]
pub struct CallSpec {
    /// The ABI it belongs to.
    pub abi: Abi,
    /// Its import name.
    pub name: &'static str,
    /// Other import names for the same call.
    pub aliases: &'static [&'static str],
    /// Parameters, in order.
    pub params: &'static [Param],
    /// Result.
    pub ret: Ret,
    /// What the call does, in a paragraph a learner can read.
    pub explain: &'static str,
    /// The implementation.
    pub imp: CallImpl,
}

impl CallSpec {
    /// Whether the call's non-negative result is a new descriptor (the
    /// stream ABIs' `open` and `resource_open`).
    pub fn ret_is_descriptor(&self) -> bool {
        matches!(self.ret, Ret::FdOrError(_))
    }
}

/// All calls of all ABIs.
pub fn all_calls() -> impl Iterator<Item = &'static CallSpec> {
    Abi::ALL.into_iter().flat_map(|abi| calls_of(abi).iter())
}

/// The calls of one ABI.
pub fn calls_of(abi: Abi) -> &'static [CallSpec] {
    match abi {
        Abi::Wasi => crate::wasi::CALLS,
        Abi::Dagger => crate::dagger::CALLS,
        Abi::Olin => crate::olin::CALLS,
        Abi::H => crate::h::CALLS,
    }
}

/// Looks up a call by ABI and import name (or alias).
pub fn find(abi: Abi, name: &str) -> Option<&'static CallSpec> {
    calls_of(abi)
        .iter()
        .find(|c| c.name == name || c.aliases.contains(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_is_well_formed() {
        for call in all_calls() {
            assert!(
                !call.explain.is_empty(),
                "{} lacks an explanation",
                call.name
            );
            let n = call.params.len() as u8;
            for p in call.params {
                let filled_ref = |f: Filled| match f {
                    Filled::OutParam(i) => vec![i],
                    _ => vec![],
                };
                let refs: Vec<u8> = match p.kind {
                    Kind::Str { len } | Kind::BytesIn { len } => vec![len],
                    Kind::BytesOut { len, filled } => [vec![len], filled_ref(filled)].concat(),
                    Kind::IovsIn { count } | Kind::StructsIn { count, .. } => vec![count],
                    Kind::IovsOut { count, filled } => [vec![count], filled_ref(filled)].concat(),
                    Kind::StructsOut { filled, .. } => filled_ref(filled),
                    _ => vec![],
                };
                for r in refs {
                    assert!(r < n, "{}: {} refers to parameter {r}", call.name, p.name);
                }
            }
        }
    }

    #[test]
    fn opens_say_they_return_descriptors() {
        assert!(find(Abi::Dagger, "open").unwrap().ret_is_descriptor());
        assert!(
            find(Abi::Olin, "resource_open")
                .unwrap()
                .ret_is_descriptor()
        );
        assert!(!find(Abi::Dagger, "read").unwrap().ret_is_descriptor());
        assert!(!find(Abi::Wasi, "path_open").unwrap().ret_is_descriptor());
    }

    #[test]
    fn flags_and_enums_have_names() {
        let names = Names {
            name: "t",
            values: &[(1, "A", ""), (4, "C", "")],
        };
        assert_eq!(names.flags_text(5), "A|C");
        assert_eq!(names.flags_text(0x13), "A|0x12");
        assert_eq!(names.flags_text(0), "0");
        assert_eq!(names.name_of(4), Some("C"));
    }
}
