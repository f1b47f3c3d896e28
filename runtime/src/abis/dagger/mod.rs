//! Dagger (import module `dagger`): everything is a stream opened by URL.
//! The table of its five calls (`flush` also answers to its old name
//! `sync`) and their implementations over the shared streams and
//! descriptor table. No descriptor is open at start.

use crate::abis::call::{
    CallContext, CallSpec, ErrorCase, Fatal, Filled, Kind::*, Names, Purpose, Ret, WAIT_TIME_LIMIT,
    fails, p32,
};
use crate::abis::stream_calls::IoFail;
use crate::module::abi::Abi;
use crate::sandbox::streams::error::OpenError;
use crate::sandbox::streams::{MAX_TRANSFER, Scheme};

/// The negative results Dagger calls return.
pub static ERRORS: Names = Names {
    name: "dagger_error",
    values: &[
        (-1, "EFAIL", "the call failed, or the URL is malformed"),
        (
            -2,
            "EBADURLINPUT",
            "the URL could not be read: bad pointer, no NUL, or not UTF-8",
        ),
        (
            -3,
            "EUNKNOWNSCHEME",
            "no Dagger stream has this URL's scheme",
        ),
    ],
};

const FAIL: u64 = -1i32 as u32 as u64;
const BAD_URL_INPUT: u64 = -2i32 as u32 as u64;
const UNKNOWN_SCHEME: u64 = -3i32 as u32 as u64;

/// Longest URL read from guest memory.
const MAX_URL: u32 = 8192;

/// The schemes a Dagger guest can open.
pub const SCHEMES: &[Scheme] = &[
    Scheme::Fd,
    Scheme::Log,
    Scheme::File,
    Scheme::Http,
    Scheme::Https,
    Scheme::Random,
];

fn result(r: Result<usize, IoFail>) -> Result<u64, Fatal> {
    match r {
        Ok(n) => Ok(n as u64),
        Err(IoFail::Fatal(f)) => Err(f),
        Err(IoFail::BadDescriptor | IoFail::Io(_)) => Ok(FAIL),
    }
}

fn open(cx: &mut CallContext<'_>, a: &[u64]) -> Result<u64, Fatal> {
    let url = match cx.mem.read_cstr(a[0] as u32, MAX_URL) {
        Ok(bytes) => match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => return Ok(BAD_URL_INPUT),
        },
        Err(_) => return Ok(BAD_URL_INPUT),
    };
    match crate::abis::stream_calls::open(cx.process, &url, SCHEMES) {
        Ok(fd) => Ok(fd as u64),
        Err(OpenError::Kill(why)) => Err(Fatal::kill("open", why)),
        Err(OpenError::TimeLimit(waiting)) => Err(Fatal::time_limit("open", waiting)),
        Err(OpenError::UnknownScheme(_)) => Ok(UNKNOWN_SCHEME),
        Err(_) => Ok(FAIL),
    }
}

fn close(cx: &mut CallContext<'_>, a: &[u64]) -> Result<u64, Fatal> {
    result(crate::abis::stream_calls::close(cx.process, "close", a[0] as u32).map(|_| 0))
}

fn read(cx: &mut CallContext<'_>, a: &[u64]) -> Result<u64, Fatal> {
    let CallContext { mem, process } = cx;
    let (ptr, len) = (a[1] as u32, a[2] as u32);
    let Ok(buf) = mem.buffer_mut(ptr, len.min(MAX_TRANSFER)) else {
        return Ok(FAIL);
    };
    let r = crate::abis::stream_calls::read(process, a[0] as u32, buf);
    if let Ok(n) = r {
        mem.note_write(ptr, n as u32);
    }
    result(r)
}

fn write(cx: &mut CallContext<'_>, a: &[u64]) -> Result<u64, Fatal> {
    let CallContext { mem, process } = cx;
    let Ok(data) = mem.read(a[1] as u32, (a[2] as u32).min(MAX_TRANSFER)) else {
        return Ok(FAIL);
    };
    result(crate::abis::stream_calls::write(
        process,
        "write",
        a[0] as u32,
        data,
    ))
}

fn flush(cx: &mut CallContext<'_>, a: &[u64]) -> Result<u64, Fatal> {
    result(crate::abis::stream_calls::flush(cx.process, "flush", a[0] as u32).map(|_| 0))
}

const fn call(
    name: &'static str,
    aliases: &'static [&'static str],
    params: &'static [crate::abis::call::Param],
    explain: &'static str,
    imp: crate::abis::call::CallImpl,
) -> CallSpec {
    CallSpec {
        abi: Abi::Dagger,
        name,
        aliases,
        params,
        ret: Ret::I32OrError(&ERRORS),
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
const NOT_OPEN: ErrorCase = fails("EFAIL", "fd is not open");

/// Every Dagger call.
pub static CALLS: &[CallSpec] = &[
    CallSpec {
        ret: Ret::FdOrError(&ERRORS),
        ..call(
            "open",
            &[],
            &[
                p32("url", CStr),
                p32("flags", Int).doc("unused: the host ignores it (pass 0)"),
            ],
            "Opens a stream by URL and returns its descriptor, the lowest free number. The URL is a NUL-terminated string: fd://1 is standard output, log://?prefix=P the host's log, file://PATH a file inside a granted directory, http(s)://… a web request, random:// random bytes. The flags are unused.",
            open,
        )
        .errors(&[
            fails(
                "EBADURLINPUT",
                "the URL could not be read: it runs outside memory, has no NUL within 8192 bytes, or is not UTF-8",
            ),
            fails(
                "EUNKNOWNSCHEME",
                "no Dagger stream has the URL's scheme (Dagger has fd, log, file, http, https and random)",
            ),
            fails(
                "EFAIL",
                "the URL is malformed (fd://3, a file:// path outside every grant, an HTTP URL with no host), the file or directory does not exist, the host may not be reached (see --allow-net), or the descriptor table is full",
            ),
        ])
        .kills(&[WAIT_TIME_LIMIT, WAIT_TIME_LIMIT, WAIT_TIME_LIMIT, "a policy file refuses the URL", WAIT_TIME_LIMIT])
        .purpose(Purpose::Open)
    },
    call(
        "close",
        &[],
        &[p32("fd", Fd)],
        "Closes a stream. Its number is free again and the next open gets it.",
        close,
    )
    .errors(&[NOT_OPEN])
    .kills(&[OUTPUT_LIMIT])
    .purpose(Purpose::Close),
    call(
        "read",
        &[],
        &[
            p32("fd", Fd),
            p32(
                "buf",
                BytesOut {
                    len: 2,
                    filled: Filled::Result,
                },
            ),
            p32("len", Len),
        ],
        "Reads up to len bytes from a stream into guest memory and returns how many arrived; 0 means the end. For an HTTP stream, the raw response becomes readable after flush.",
        read,
    )
    .errors(&[fails(
        "EFAIL",
        "fd is not open, the buffer reaches outside memory, the stream cannot be read (standard output, a log), or reading failed on the host",
    )])
    .kills(&[WAIT_TIME_LIMIT])
    .purpose(Purpose::Read),
    call(
        "write",
        &[],
        &[
            p32("fd", Fd),
            p32("buf", BytesIn { len: 2 }),
            p32("len", Len),
        ],
        "Writes len bytes from guest memory to a stream and returns how many were taken. For an HTTP stream, this is the raw request text.",
        write,
    )
    .errors(&[fails(
        "EFAIL",
        "fd is not open, the buffer reaches outside memory, the stream cannot be written (standard input, random://), or writing failed on the host",
    )])
    .kills(&[OUTPUT_LIMIT])
    .purpose(Purpose::Write),
    call(
        "flush",
        &["sync"],
        &[p32("fd", Fd)],
        "Pushes what a stream buffers to its target. For an HTTP stream this sends the request written so far; reads then return the raw response. The oldest hosts called it sync.",
        flush,
    )
    .errors(&[
        NOT_OPEN,
        fails(
            "EFAIL",
            "sending failed: for HTTP, the request is malformed or the server could not be reached",
        ),
    ])
    .kills(&[OUTPUT_LIMIT])
    .purpose(Purpose::Flush),
];
