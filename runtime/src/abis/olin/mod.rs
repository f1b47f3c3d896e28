//! Olin / CommonWA (import module `cwa`, or `env` for guests built that
//! way): the table of its calls, their error codes, and the standard
//! streams every Olin process starts with (resources 0, 1 and 2). The calls
//! live in `env` (surroundings) and `resource` (URL resources).

mod env;
mod resource;

pub use env::{RUNTIME_NAME, SPEC_MAJOR, SPEC_MINOR};
pub use resource::SCHEMES;

use crate::abis::call::{
    CallImpl, CallSpec, ErrorCase, Fatal, Filled, Kind::*, Names, Param, Purpose, Ret,
    WAIT_TIME_LIMIT, fails, p32,
};
use crate::module::abi::Abi;
use crate::sandbox::fdtable::{Descriptor, Handle, Rights};
use crate::sandbox::guest_memory::{GuestMemory, OutOfBounds};
use crate::sandbox::process::Process;
use crate::sandbox::stdio::StdStream;

/// The negative results Olin calls return.
pub static ERRORS: Names = Names {
    name: "olin_error",
    values: &[
        (-1, "UNKNOWN", "an unknown error"),
        (
            -2,
            "INVALID_ARGUMENT",
            "bad pointer or length, malformed URL, or an id that is not open",
        ),
        (-3, "PERMISSION_DENIED", "the host does not allow this"),
        (-4, "NOT_FOUND", "no such thing"),
        (-5, "EOF", "end of file"),
    ],
};

/// Log levels of `log_write`.
pub static LEVELS: Names = Names {
    name: "log_level",
    values: &[
        (1, "ERROR", "an error"),
        (3, "WARNING", "a warning"),
        (6, "INFO", "information"),
    ],
};

/// An Olin error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// -1
    Unknown,
    /// -2
    InvalidArgument,
    /// -3
    PermissionDenied,
    /// -4
    NotFound,
    /// -5
    EndOfFile,
}

impl Code {
    /// The number the guest sees.
    pub fn value(self) -> i32 {
        match self {
            Code::Unknown => -1,
            Code::InvalidArgument => -2,
            Code::PermissionDenied => -3,
            Code::NotFound => -4,
            Code::EndOfFile => -5,
        }
    }

    /// The raw i32 result.
    pub(crate) fn raw(self) -> u64 {
        self.value() as u32 as u64
    }
}

/// Text a guest passes as (pointer, length): the bytes up to the first NUL
/// within the length, as the original host read every string, so a C
/// guest that counts the terminating NUL in the length is understood.
pub(crate) fn read_text<'m>(
    mem: &'m mut GuestMemory<'_>,
    ptr: u32,
    len: u32,
) -> Result<&'m [u8], OutOfBounds> {
    let bytes = mem.read(ptr, len)?;
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    Ok(&bytes[..end])
}

/// How an Olin call fails: a code for the guest, or the end of the guest.
pub(crate) enum Fail {
    Code(Code),
    Fatal(Fatal),
}

impl From<Code> for Fail {
    fn from(c: Code) -> Fail {
        Fail::Code(c)
    }
}
impl From<OutOfBounds> for Fail {
    fn from(_: OutOfBounds) -> Fail {
        Fail::Code(Code::InvalidArgument)
    }
}
impl From<Fatal> for Fail {
    fn from(f: Fatal) -> Fail {
        Fail::Fatal(f)
    }
}

pub(crate) type OlinResult = Result<u64, Fail>;

fn finish(r: OlinResult) -> Result<u64, Fatal> {
    match r {
        Ok(v) => Ok(v),
        Err(Fail::Code(c)) => Ok(c.raw()),
        Err(Fail::Fatal(f)) => Err(f),
    }
}

macro_rules! imp {
    ($f:path) => {
        |cx, a| finish($f(cx, a))
    };
}

const fn call(
    name: &'static str,
    params: &'static [Param],
    ret: Ret,
    explain: &'static str,
    imp: CallImpl,
) -> CallSpec {
    CallSpec {
        abi: Abi::Olin,
        name,
        aliases: &[],
        params,
        ret,
        explain,
        errors: &[],
        kills: &[],
        purpose: None,
        config_only: false,
        imp,
    }
}

const OUTPUT_LIMIT: &str =
    "it would take the guest's standard output and error past the run's output limit";
const BAD_BUFFER: ErrorCase = fails(
    "INVALID_ARGUMENT",
    "the buffer reaches outside the guest's memory",
);
const NOT_OPEN: ErrorCase = fails(
    "INVALID_ARGUMENT",
    "id is not an open resource, or the buffer reaches outside memory",
);

const OR_ERROR: Ret = Ret::I32OrError(&ERRORS);

/// Every Olin call.
pub static CALLS: &[CallSpec] = &[
    call(
        "log_write",
        &[
            p32("level", Enum(&LEVELS)),
            p32("msg", Str { len: 2 }),
            p32("msg_len", Len),
        ],
        Ret::Void,
        "Writes a message to the host's log (standard error) at a level: 1 error, 3 warning, 6 info. A message outside guest memory kills the guest, since this call cannot return an error.",
        env::log_write,
    )
    .kills(&[
        "the message reaches outside the guest's memory: this call cannot return an error",
        OUTPUT_LIMIT,
        WAIT_TIME_LIMIT,
    ])
    .purpose(Purpose::Log),
    call(
        "env_get",
        &[
            p32("key", Str { len: 1 }),
            p32("key_len", Len),
            p32(
                "value",
                BytesOut {
                    len: 3,
                    filled: Filled::Result,
                },
            ),
            p32("value_len", Len),
        ],
        OR_ERROR,
        "Copies the value of an environment variable into a buffer and returns its length; NOT_FOUND if it is not set. If the buffer is too small, nothing is written and the result is the size needed: call again with a bigger buffer.",
        imp!(env::env_get),
    )
    .errors(&[
        fails(
            "INVALID_ARGUMENT",
            "the key or the value's buffer reaches outside memory",
        ),
        fails(
            "NOT_FOUND",
            "no variable has this name (a key that is not UTF-8 names none)",
        ),
    ])
    .purpose(Purpose::Environment)
    .config_only(),
    call(
        "runtime_exit",
        &[p32("status", Int).doc("the exit status: 0 for success, anything else for failure")],
        Ret::Never,
        "Ends the guest with an exit status: 0 for success. It never returns.",
        env::runtime_exit,
    )
    .purpose(Purpose::Exit),
    call(
        "runtime_spec_major",
        &[],
        Ret::I32,
        "The major version of the CommonWA specification this host implements.",
        env::runtime_spec_major,
    )
    .purpose(Purpose::HostIdentity)
    .config_only(),
    call(
        "runtime_spec_minor",
        &[],
        Ret::I32,
        "The minor version of the CommonWA specification this host implements.",
        env::runtime_spec_minor,
    )
    .purpose(Purpose::HostIdentity)
    .config_only(),
    call(
        "runtime_name",
        &[
            p32(
                "buf",
                BytesOut {
                    len: 1,
                    filled: Filled::Result,
                },
            ),
            p32("buf_len", Len),
        ],
        OR_ERROR,
        "Writes the host's name (at most 32 bytes of UTF-8) and returns its length; INVALID_ARGUMENT if the buffer is too small. wasmhole answers `olin`, the original host's name, because real guests check for it.",
        imp!(env::runtime_name),
    )
    .errors(&[
        fails("INVALID_ARGUMENT", "buf_len is shorter than the name"),
        BAD_BUFFER,
    ])
    .purpose(Purpose::HostIdentity)
    .config_only(),
    call(
        "runtime_msleep",
        &[p32("ms", Int).doc("how many milliseconds to sleep; negative counts as 0")],
        Ret::Void,
        "Sleeps for a number of milliseconds (never past the run's time limit).",
        env::runtime_msleep,
    )
    .kills(&[WAIT_TIME_LIMIT])
    .purpose(Purpose::Sleep),
    call(
        "startup_arg_len",
        &[],
        Ret::I32,
        "The number of command-line arguments, the program's name included.",
        env::startup_arg_len,
    )
    .purpose(Purpose::Args)
    .config_only(),
    call(
        "startup_arg_at",
        &[
            p32("i", Int).doc("which argument: 0 is the program's name"),
            p32(
                "buf",
                BytesOut {
                    len: 2,
                    filled: Filled::Result,
                },
            ),
            p32("buf_len", Len),
        ],
        OR_ERROR,
        "Copies argument number i (0 is the program's name) into a buffer, cut to fit, and returns how many bytes it wrote; INVALID_ARGUMENT if there is no such argument.",
        imp!(env::startup_arg_at),
    )
    .errors(&[
        fails("INVALID_ARGUMENT", "there is no argument number i"),
        BAD_BUFFER,
    ])
    .purpose(Purpose::Args)
    .config_only(),
    call(
        "resource_open",
        &[p32("url", Str { len: 1 }), p32("url_len", Len)],
        Ret::FdOrError(&ERRORS),
        "Opens a resource by URL and returns its id: null://, zero://, log://?prefix=P, random://, http(s)://… and file://PATH inside a granted directory. NOT_FOUND for a scheme the host does not have, INVALID_ARGUMENT for text that is not a URL. Under a policy file, a URL the policy refuses kills the guest.",
        imp!(resource::resource_open),
    )
    .errors(&[
        fails(
            "INVALID_ARGUMENT",
            "the URL reaches outside memory, is not UTF-8, or is malformed",
        ),
        fails(
            "PERMISSION_DENIED",
            "the host may not be reached (see --allow-net), or the file is outside every granted directory",
        ),
        fails(
            "NOT_FOUND",
            "the URL's scheme is one Olin does not have, or the file does not exist",
        ),
        fails(
            "UNKNOWN",
            "the descriptor table is full, or opening failed on the host",
        ),
    ])
    .kills(&["a policy file refuses the URL", WAIT_TIME_LIMIT])
    .purpose(Purpose::Open),
    call(
        "resource_read",
        &[
            p32("id", Fd),
            p32(
                "buf",
                BytesOut {
                    len: 2,
                    filled: Filled::Result,
                },
            ),
            p32("buf_len", Len),
        ],
        OR_ERROR,
        "Reads from a resource into a buffer and returns how many bytes arrived; EOF at the end. For HTTP, the raw response is readable after resource_flush.",
        imp!(resource::resource_read),
    )
    .errors(&[
        NOT_OPEN,
        fails("EOF", "the stream ended (null:// never ends: it reads 0 bytes)"),
        fails(
            "UNKNOWN",
            "the resource cannot be read (standard output, a log), or reading failed on the host",
        ),
    ])
    .kills(&[WAIT_TIME_LIMIT])
    .purpose(Purpose::Read),
    call(
        "resource_write",
        &[
            p32("id", Fd),
            p32("buf", BytesIn { len: 2 }),
            p32("buf_len", Len),
        ],
        OR_ERROR,
        "Writes a buffer to a resource and returns how many bytes were taken. For HTTP, this is the raw request text.",
        imp!(resource::resource_write),
    )
    .errors(&[
        NOT_OPEN,
        fails(
            "UNKNOWN",
            "the resource cannot be written (standard input, random://), or writing failed on the host",
        ),
    ])
    .kills(&[OUTPUT_LIMIT, WAIT_TIME_LIMIT])
    .purpose(Purpose::Write),
    call(
        "resource_close",
        &[p32("id", Fd)],
        Ret::Void,
        "Closes a resource; its id may be handed out again. Closing an id that is not open kills the guest.",
        resource::resource_close,
    )
    .kills(&["id is not an open resource", OUTPUT_LIMIT, WAIT_TIME_LIMIT])
    .purpose(Purpose::Close),
    call(
        "resource_flush",
        &[p32("id", Fd)],
        OR_ERROR,
        "Pushes what a resource buffers to its target. For HTTP this sends the request; its response then becomes readable.",
        imp!(resource::resource_flush),
    )
    .errors(&[
        fails("INVALID_ARGUMENT", "id is not an open resource"),
        fails(
            "UNKNOWN",
            "sending failed: for HTTP, the request is malformed or the server could not be reached",
        ),
    ])
    .kills(&[OUTPUT_LIMIT, WAIT_TIME_LIMIT])
    .purpose(Purpose::Flush),
    call(
        "time_now",
        &[],
        Ret::I64,
        "The current time in seconds since the Unix epoch, UTC.",
        env::time_now,
    )
    .purpose(Purpose::Clock),
    call(
        "io_get_stdin",
        &[],
        OR_ERROR,
        "The resource id of standard input.",
        resource::io_get_stdin,
    )
    .errors(&[fails(
        "UNKNOWN",
        "the stream had been closed and the descriptor table is full",
    )])
    .purpose(Purpose::StandardStreams),
    call(
        "io_get_stdout",
        &[],
        OR_ERROR,
        "The resource id of standard output.",
        resource::io_get_stdout,
    )
    .errors(&[fails(
        "UNKNOWN",
        "the stream had been closed and the descriptor table is full",
    )])
    .purpose(Purpose::StandardStreams),
    call(
        "io_get_stderr",
        &[],
        OR_ERROR,
        "The resource id of standard error.",
        resource::io_get_stderr,
    )
    .errors(&[fails(
        "UNKNOWN",
        "the stream had been closed and the descriptor table is full",
    )])
    .purpose(Purpose::StandardStreams),
    call(
        "random_i32",
        &[],
        Ret::I32,
        "A random non-negative 32-bit number, as the original host gave (not for cryptography: open random:// for that).",
        env::random_i32,
    )
    .purpose(Purpose::Random),
    call(
        "random_i64",
        &[],
        Ret::I64,
        "A random non-negative 64-bit number, as the original host gave (not for cryptography: open random:// for that).",
        env::random_i64,
    )
    .purpose(Purpose::Random),
];

/// A descriptor for a standard stream.
pub(crate) fn std_descriptor(handle: Handle, which: StdStream) -> Descriptor {
    Descriptor {
        handle,
        name: which.name().to_string(),
        rights: Rights::default(),
        flags: 0,
        preopen: None,
    }
}

/// Opens the standard streams as resources 0, 1 and 2.
pub(crate) fn setup_descriptors(process: &mut Process) {
    let handles = [
        (Handle::Input(process.std_input()), StdStream::Stdin),
        (
            Handle::Output(process.std_output(StdStream::Stdout), StdStream::Stdout),
            StdStream::Stdout,
        ),
        (
            Handle::Output(process.std_output(StdStream::Stderr), StdStream::Stderr),
            StdStream::Stderr,
        ),
    ];
    for (handle, which) in handles {
        let _ = process.fds.insert(std_descriptor(handle, which));
    }
}
