//! Reading, writing, flushing and closing a descriptor of the shared table
//! for the stream ABIs, whatever it holds: a standard stream, a file or a
//! URL stream. Output to the guest's standard streams is charged against
//! the output limit here.

use crate::blocking;
use crate::calls::Fatal;
use crate::fdtable::Handle;
use crate::process::Process;
use std::io::{self, Write};

/// Why a descriptor operation failed.
#[derive(Debug)]
pub enum IoFail {
    /// No descriptor has this number.
    BadDescriptor,
    /// The operation failed (or the descriptor does not support it).
    Io(io::Error),
    /// The guest must end (its output limit ran out).
    Fatal(Fatal),
}

impl From<io::Error> for IoFail {
    fn from(e: io::Error) -> IoFail {
        match blocking::as_deadline_passed(&e) {
            Some(passed) => IoFail::Fatal(Fatal::time_limit("", passed.waiting.clone())),
            None => IoFail::Io(e),
        }
    }
}

impl From<Fatal> for IoFail {
    fn from(f: Fatal) -> IoFail {
        IoFail::Fatal(f)
    }
}

fn unsupported(what: &str) -> IoFail {
    IoFail::Io(io::Error::new(io::ErrorKind::Unsupported, what.to_string()))
}

/// A stream refused for the guest's memory limit says so on its standard
/// error: the error code alone cannot.
fn note_memory_limit(process: &mut Process, e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::OutOfMemory {
        process.note(&e.to_string());
    }
    e
}

/// Reads from descriptor `fd` into `buf`; 0 at end.
pub fn read(process: &mut Process, fd: u32, buf: &mut [u8]) -> Result<usize, IoFail> {
    let deadline = process.deadline_handle().clone();
    let d = process.fds.get_mut(fd).ok_or(IoFail::BadDescriptor)?;
    let name = &d.name;
    Ok(match &mut d.handle {
        Handle::Input(input) => input.read(buf)?,
        Handle::Stream(s) => s.read(buf)?,
        Handle::File(f) => blocking::read(f, buf, false, &deadline, &|| {
            format!("waiting to read from {name}")
        })?,
        Handle::Output(..) => return Err(unsupported("an output stream cannot be read")),
        Handle::Dir(_) => return Err(unsupported("a directory cannot be read")),
    })
}

/// Writes `data` to descriptor `fd` during `call`.
pub fn write(
    process: &mut Process,
    call: &'static str,
    fd: u32,
    data: &[u8],
) -> Result<usize, IoFail> {
    let cost = match &process.fds.get(fd).ok_or(IoFail::BadDescriptor)?.handle {
        Handle::Output(..) => data.len() as u64,
        Handle::Stream(s) => s.output_cost(data),
        _ => 0,
    };
    if cost > 0 {
        process.charge_output(call, cost as usize)?;
    }
    let deadline = process.deadline_handle().clone();
    let d = process.fds.get_mut(fd).ok_or(IoFail::BadDescriptor)?;
    let name = &d.name;
    Ok(match &mut d.handle {
        Handle::Output(out, _) => out.write(data)?,
        Handle::Stream(s) => s.write(data).map_err(|e| note_memory_limit(process, e))?,
        Handle::File(f) => blocking::write_all(f, data, false, &deadline, &|| {
            format!("waiting to write to {name} (nobody was reading it)")
        })?,
        Handle::Input(_) => return Err(unsupported("standard input cannot be written")),
        Handle::Dir(_) => return Err(unsupported("a directory cannot be written")),
    })
}

/// Flushes descriptor `fd` during `call`: for HTTP, sends the request.
pub fn flush(process: &mut Process, call: &'static str, fd: u32) -> Result<(), IoFail> {
    let cost = match &process.fds.get(fd).ok_or(IoFail::BadDescriptor)?.handle {
        Handle::Stream(s) => s.flush_cost(),
        _ => 0,
    };
    if cost > 0 {
        process.charge_output(call, cost as usize)?;
    }
    let d = process.fds.get_mut(fd).ok_or(IoFail::BadDescriptor)?;
    match &mut d.handle {
        Handle::Stream(s) => s.flush().map_err(|e| note_memory_limit(process, e))?,
        Handle::File(f) => f.flush()?,
        Handle::Input(_) | Handle::Output(..) | Handle::Dir(_) => {}
    }
    Ok(())
}

/// Closes descriptor `fd` during `call`, first pushing out what a stream
/// still buffers (a log stream's last partial line).
pub fn close(process: &mut Process, call: &'static str, fd: u32) -> Result<(), IoFail> {
    let pending = match &process.fds.get(fd).ok_or(IoFail::BadDescriptor)?.handle {
        Handle::Stream(s) => s.flush_cost(),
        _ => 0,
    };
    let flushed = if pending > 0 {
        flush(process, call, fd)
    } else {
        Ok(())
    };
    process.fds.remove(fd).ok_or(IoFail::BadDescriptor)?;
    match flushed {
        Err(IoFail::Fatal(f)) => Err(IoFail::Fatal(f)),
        _ => Ok(()),
    }
}
