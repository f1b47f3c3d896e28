//! Olin resources: opening URLs, reading, writing, flushing and closing
//! them, and the resource ids of the standard streams. Streams come from
//! the shared stream implementation; ids are descriptors of the shared table.

use super::{Code, OlinResult};
use crate::abis::call::{CallContext, Fatal};
use crate::abis::stream_calls::IoFail;
use crate::sandbox::fdtable::Handle;
use crate::sandbox::stdio::StdStream;
use crate::sandbox::streams::error::OpenError;
use crate::sandbox::streams::{MAX_TRANSFER, Scheme};
use std::io;

/// The schemes an Olin guest can open.
pub const SCHEMES: &[Scheme] = &[
    Scheme::Null,
    Scheme::Zero,
    Scheme::Log,
    Scheme::Random,
    Scheme::Http,
    Scheme::Https,
    Scheme::File,
];

/// The Olin error for a host I/O error.
pub(super) fn code_of(e: &io::Error) -> Code {
    match e.kind() {
        io::ErrorKind::NotFound => Code::NotFound,
        io::ErrorKind::PermissionDenied => Code::PermissionDenied,
        io::ErrorKind::InvalidInput
        | io::ErrorKind::InvalidData
        | io::ErrorKind::IsADirectory
        | io::ErrorKind::NotADirectory => Code::InvalidArgument,
        // Reading a write-only resource or writing a read-only one: the
        // original host's UNKNOWN.
        io::ErrorKind::Unsupported => Code::Unknown,
        io::ErrorKind::UnexpectedEof => Code::EndOfFile,
        _ => Code::Unknown,
    }
}

impl From<IoFail> for super::Fail {
    fn from(f: IoFail) -> super::Fail {
        match f {
            IoFail::BadDescriptor => Code::InvalidArgument.into(),
            IoFail::Io(e) => code_of(&e).into(),
            IoFail::Fatal(f) => super::Fail::Fatal(f),
        }
    }
}

pub(super) fn resource_open(cx: &mut CallContext<'_>, a: &[u64]) -> OlinResult {
    let url = std::str::from_utf8(super::read_text(&mut cx.mem, a[0] as u32, a[1] as u32)?)
        .map_err(|_| Code::InvalidArgument)?
        .to_string();
    match crate::abis::stream_calls::open(cx.process, &url, SCHEMES) {
        Ok(fd) => Ok(fd as u64),
        Err(OpenError::Kill(why)) => Err(Fatal::kill("resource_open", why).into()),
        Err(OpenError::TimeLimit(waiting)) => {
            Err(Fatal::time_limit("resource_open", waiting).into())
        }
        Err(OpenError::Refused(_)) => Err(Code::PermissionDenied.into()),
        Err(OpenError::Io(e)) => Err(code_of(&e).into()),
        Err(OpenError::TableFull(_)) => Err(Code::Unknown.into()),
        Err(OpenError::BadUrl(_)) => Err(Code::InvalidArgument.into()),
        // As the original host: a scheme it does not have is not found.
        Err(OpenError::UnknownScheme(_)) => Err(Code::NotFound.into()),
    }
}

pub(super) fn resource_read(cx: &mut CallContext<'_>, a: &[u64]) -> OlinResult {
    let CallContext { mem, process } = cx;
    let (ptr, len) = (a[1] as u32, (a[2] as u32).min(MAX_TRANSFER));
    let buf = mem.buffer_mut(ptr, len)?;
    let n = crate::abis::stream_calls::read(process, a[0] as u32, buf)?;
    mem.note_write(ptr, n as u32);
    // null:// has nothing to read rather than an end: the original host
    // answered 0 there, and END_OF_FILE where a stream ended.
    let empty_not_ended = process
        .fds
        .get(a[0] as u32)
        .is_some_and(|d| d.handle.kind() == "null");
    if n == 0 && len > 0 && !empty_not_ended {
        return Err(Code::EndOfFile.into());
    }
    Ok(n as u64)
}

pub(super) fn resource_write(cx: &mut CallContext<'_>, a: &[u64]) -> OlinResult {
    let CallContext { mem, process } = cx;
    let data = mem.read(a[1] as u32, (a[2] as u32).min(MAX_TRANSFER))?;
    let n = crate::abis::stream_calls::write(process, "resource_write", a[0] as u32, data)?;
    Ok(n as u64)
}

pub(super) fn resource_flush(cx: &mut CallContext<'_>, a: &[u64]) -> OlinResult {
    crate::abis::stream_calls::flush(cx.process, "resource_flush", a[0] as u32)?;
    Ok(0)
}

pub(super) fn resource_close(cx: &mut CallContext<'_>, a: &[u64]) -> Result<u64, Fatal> {
    let id = a[0] as u32;
    match crate::abis::stream_calls::close(cx.process, "resource_close", id) {
        Ok(()) | Err(IoFail::Io(_)) => Ok(0),
        Err(IoFail::Fatal(f)) => Err(f),
        Err(IoFail::BadDescriptor) => Err(Fatal::kill(
            "resource_close",
            format!("closed resource {id}, which is not open"),
        )),
    }
}

/// The descriptor holding standard stream `which`, opening one in the
/// lowest free slot if the guest closed it.
fn std_id(cx: &mut CallContext<'_>, which: StdStream) -> Result<u64, Fatal> {
    let found = cx
        .process
        .fds
        .iter()
        .find_map(|(n, d)| match (&d.handle, which) {
            (Handle::Input(_), StdStream::Stdin) => Some(n),
            (Handle::Output(_, s), w) if *s == w => Some(n),
            _ => None,
        });
    if let Some(n) = found {
        return Ok(n as u64);
    }
    let handle = match which {
        StdStream::Stdin => Handle::Input(cx.process.std_input()),
        out => Handle::Output(cx.process.std_output(out), out),
    };
    match cx.process.fds.insert(super::std_descriptor(handle, which)) {
        Ok(n) => Ok(n as u64),
        Err(full) => {
            cx.process
                .note(&format!("cannot open {}: {full}", which.name()));
            Ok(Code::Unknown.raw())
        }
    }
}

pub(super) fn io_get_stdin(cx: &mut CallContext<'_>, _a: &[u64]) -> Result<u64, Fatal> {
    std_id(cx, StdStream::Stdin)
}

pub(super) fn io_get_stdout(cx: &mut CallContext<'_>, _a: &[u64]) -> Result<u64, Fatal> {
    std_id(cx, StdStream::Stdout)
}

pub(super) fn io_get_stderr(cx: &mut CallContext<'_>, _a: &[u64]) -> Result<u64, Fatal> {
    std_id(cx, StdStream::Stderr)
}
