//! Declarative descriptions of host calls. Each call of each ABI is described
//! once: its parameters and what they mean, its result and error names, the
//! errors it can return and when, what it is for (which ties it to the calls
//! of other ABIs doing the same), a one-paragraph explanation, and the
//! function that implements it. Linking, trace decoding, the explain-cards
//! and the workbench all read these tables.

use crate::module::abi::Abi;
use crate::sandbox::guest_memory::GuestMemory;
use crate::sandbox::process::Process;

pub use crate::sandbox::exit::Fatal;

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

/// How a call that waits on the host (for standard input, for room on
/// standard output, for the other end of a FIFO, or sleeping) ends the
/// guest, as its card says.
pub const WAIT_TIME_LIMIT: &str = "the run's time limit passes while it waits (for input, for room to write, for the other end of a FIFO)";

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
    /// What the host does with it, in words, where its kind does not say
    /// it all (every plain integer and address has one).
    pub doc: &'static str,
}

impl Param {
    /// The same parameter, with what the host does with it.
    pub const fn doc(mut self, doc: &'static str) -> Param {
        self.doc = doc;
        self
    }
}

/// An i32 parameter.
pub const fn p32(name: &'static str, kind: Kind) -> Param {
    Param {
        name,
        ty: WasmTy::I32,
        kind,
        doc: "",
    }
}

/// An i64 parameter.
pub const fn p64(name: &'static str, kind: Kind) -> Param {
    Param {
        name,
        ty: WasmTy::I64,
        kind,
        doc: "",
    }
}

/// One error a call can return, and when it does.
#[derive(Clone, Copy, Debug)]
pub struct ErrorCase {
    /// The error's name in the ABI's error table (`EBADF`, `NOT_FOUND`…).
    pub name: &'static str,
    /// When the host returns it.
    pub when: &'static str,
}

/// An error a call returns `when`.
pub const fn fails(name: &'static str, when: &'static str) -> ErrorCase {
    ErrorCase { name, when }
}

/// What a call is for. Calls of different ABIs with the same purpose are
/// each other's equivalents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Opening a file or stream.
    Open,
    /// Closing a descriptor.
    Close,
    /// Reading bytes.
    Read,
    /// Writing bytes.
    Write,
    /// Pushing buffered data to its target.
    Flush,
    /// Ending the guest.
    Exit,
    /// The command-line arguments.
    Args,
    /// Environment variables.
    Environment,
    /// The time.
    Clock,
    /// Random numbers.
    Random,
    /// Waiting.
    Sleep,
    /// Writing to the host's log.
    Log,
    /// Finding the standard streams.
    StandardStreams,
    /// Asking which host runs the guest.
    HostIdentity,
}

impl Purpose {
    /// In a few words.
    pub fn title(self) -> &'static str {
        match self {
            Purpose::Open => "open a file or stream",
            Purpose::Close => "close a descriptor",
            Purpose::Read => "read bytes",
            Purpose::Write => "write bytes",
            Purpose::Flush => "push buffered data out",
            Purpose::Exit => "end the guest",
            Purpose::Args => "read the arguments",
            Purpose::Environment => "read environment variables",
            Purpose::Clock => "read the time",
            Purpose::Random => "get random numbers",
            Purpose::Sleep => "wait",
            Purpose::Log => "write to the host's log",
            Purpose::StandardStreams => "find the standard streams",
            Purpose::HostIdentity => "ask which host this is",
        }
    }

    /// How each ABI does this, including those with no call for it.
    pub fn across_abis(self) -> &'static str {
        match self {
            Purpose::Open => {
                "WASI opens paths relative to a granted directory (path_open); Dagger and Olin open URLs (open, resource_open), where file:// reaches the granted directories."
            }
            Purpose::Close => {
                "Every ABI closes a number from the same kind of table; the next open reuses the lowest free one."
            }
            Purpose::Read => {
                "WASI reads into a list of buffers (iovecs) and writes the count to memory; Dagger and Olin read into one buffer and return the count."
            }
            Purpose::Write => {
                "WASI writes a list of buffers (iovecs) and writes the count to memory; Dagger and Olin write one buffer and return the count; h writes one byte."
            }
            Purpose::Flush => {
                "Dagger and Olin send an HTTP request on flush; WASI's fd_sync and fd_datasync push a file's data to storage."
            }
            Purpose::Exit => {
                "WASI calls proc_exit and Olin runtime_exit; a Dagger guest returns its status from main."
            }
            Purpose::Args => {
                "WASI copies all arguments at once (args_sizes_get, then args_get); Olin asks for them one at a time (startup_arg_len, startup_arg_at); Dagger guests have none."
            }
            Purpose::Environment => {
                "WASI copies every variable at once (environ_sizes_get, environ_get); Olin asks for one by name (env_get); Dagger guests have none."
            }
            Purpose::Clock => {
                "WASI reads nanoseconds from a chosen clock (clock_time_get); Olin returns whole seconds (time_now); Dagger has no clock."
            }
            Purpose::Random => {
                "WASI fills a buffer (random_get); Olin returns a number (random_i32, random_i64) or reads random:// ; Dagger reads random://."
            }
            Purpose::Sleep => {
                "WASI sleeps by polling a clock subscription (poll_oneoff); Olin calls runtime_msleep; Dagger cannot sleep."
            }
            Purpose::Log => {
                "Olin has log_write; a Dagger guest opens log://?prefix=P and writes to it; a WASI guest writes to descriptor 2, standard error."
            }
            Purpose::StandardStreams => {
                "WASI guests find them at descriptors 0, 1 and 2; Olin asks io_get_stdin/stdout/stderr; Dagger guests open fd://0, fd://1 and fd://2."
            }
            Purpose::HostIdentity => {
                "Only Olin lets a guest ask (runtime_name, runtime_spec_major, runtime_spec_minor)."
            }
        }
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
    /// Every error it can return, and when.
    pub errors: &'static [ErrorCase],
    /// When the host ends the guest during this call instead of returning.
    pub kills: &'static [&'static str],
    /// What it is for, if other ABIs have calls for the same.
    pub purpose: Option<Purpose>,
    /// Its result and the bytes it writes depend only on the process's
    /// configuration (arguments, environment, granted directories, the
    /// runtime itself), not on the outside world: a replay runs it for real
    /// and compares, so a changed configuration shows where it matters.
    pub config_only: bool,
    /// The implementation.
    pub imp: CallImpl,
}

impl CallSpec {
    /// The same call, with the errors it can return.
    pub const fn errors(mut self, errors: &'static [ErrorCase]) -> CallSpec {
        self.errors = errors;
        self
    }

    /// The same call, with when it ends the guest.
    pub const fn kills(mut self, kills: &'static [&'static str]) -> CallSpec {
        self.kills = kills;
        self
    }

    /// The same call, with what it is for.
    pub const fn purpose(mut self, purpose: Purpose) -> CallSpec {
        self.purpose = Some(purpose);
        self
    }

    /// The same call, marked as depending only on the configuration.
    pub const fn config_only(mut self) -> CallSpec {
        self.config_only = true;
        self
    }

    /// The names of the errors it returns (`None` for calls that return no
    /// error numbers).
    pub fn error_names(&self) -> Option<&'static Names> {
        match self.ret {
            Ret::Errno(n) | Ret::I32OrError(n) | Ret::FdOrError(n) => Some(n),
            _ => None,
        }
    }

    /// Whether the call's non-negative result is a new descriptor (the
    /// stream ABIs' `open` and `resource_open`).
    pub fn ret_is_descriptor(&self) -> bool {
        matches!(self.ret, Ret::FdOrError(_))
    }

    /// Whether a successful call closes the descriptor it is given.
    pub fn closes_descriptor(&self) -> bool {
        matches!(
            (self.abi, self.name),
            (Abi::Wasi, "fd_close") | (Abi::Dagger, "close") | (Abi::Olin, "resource_close")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
