//! The calls the stream ABIs (Dagger and Olin) share: opening a URL
//! (checked against the policy and the network allowances, opened by its
//! scheme into a descriptor of the process's table), and reading, writing,
//! flushing and closing a descriptor whatever it holds: a standard stream,
//! a file or a URL stream. Output to the guest's standard streams is
//! charged against the output limit here.

use crate::sandbox::blocking;
use crate::sandbox::exit::Fatal;
use crate::sandbox::fdtable::{Descriptor, Handle, Rights};
use crate::sandbox::policy::Verdict;
use crate::sandbox::process::Process;
use crate::sandbox::stdio::StdStream;
use crate::sandbox::streams::error::OpenError;
use crate::sandbox::streams::url::StreamUrl;
use crate::sandbox::streams::{self, Scheme};
use std::io::{self, Write};
use std::time::{Duration, Instant};

/// Longest time one HTTP exchange may take (less when the run's deadline is nearer).
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

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

/// A failed flush as the guest meets it: a request the policy refuses kills
/// it (as a refused open does); a refused host or a memory limit is noted
/// on its standard error, since the error code alone cannot say.
fn flush_failure(process: &mut Process, call: &'static str, e: io::Error) -> IoFail {
    if let Some(refusal) = streams::http::as_policy_refusal(&e) {
        return IoFail::Fatal(Fatal::kill(call, refusal.0.clone()));
    }
    if e.kind() == io::ErrorKind::PermissionDenied {
        process.note(&e.to_string());
    }
    IoFail::from(note_memory_limit(process, e))
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
        Handle::Stream(s) => s.flush().map_err(|e| flush_failure(process, call, e))?,
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

fn has_scheme(url: &StreamUrl, schemes: &[Scheme]) -> Option<Scheme> {
    schemes
        .iter()
        .copied()
        .find(|s| url.scheme.eq_ignore_ascii_case(s.name()))
}

/// The host and port an `http(s)://` URL connects to.
fn http_target(url: &StreamUrl, scheme: Scheme) -> Result<(String, u16), OpenError> {
    let bad = |why: &str| OpenError::BadUrl(format!("`{}` {why}", url.text));
    let uri: ureq::http::Uri = url.text.parse().map_err(|_| bad("is not an HTTP URL"))?;
    let host = uri.host().ok_or_else(|| bad("names no host"))?;
    let default_port = if scheme == Scheme::Https { 443 } else { 80 };
    Ok((
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase(),
        uri.port_u16().unwrap_or(default_port),
    ))
}

fn fd_handle(process: &Process, url: &StreamUrl) -> Result<Handle, OpenError> {
    Ok(match url.rest {
        "0" => Handle::Input(process.std_input()),
        "1" => Handle::Output(process.std_output(StdStream::Stdout), StdStream::Stdout),
        "2" => Handle::Output(process.std_output(StdStream::Stderr), StdStream::Stderr),
        _ => {
            return Err(OpenError::BadUrl(format!(
                "`{}`: fd:// names only 0 (stdin), 1 (stdout) and 2 (stderr)",
                url.text
            )));
        }
    })
}

/// Opens `text` as a stream of one of `schemes` and returns its descriptor,
/// the lowest free one. The policy (if any) is checked first: a URL it
/// refuses is `OpenError::Kill`. HTTP(S) needs a network allowance or a
/// policy allow rule. Refusals are also noted on the guest's standard error.
pub fn open(process: &mut Process, text: &str, schemes: &[Scheme]) -> Result<u32, OpenError> {
    let result = open_handle(process, text, schemes);
    let handle = match result {
        Ok(h) => h,
        Err(OpenError::Refused(why)) => {
            process.note(&format!("refused to open `{text}`: {why}"));
            return Err(OpenError::Refused(why));
        }
        Err(e) => return Err(e),
    };
    process
        .fds
        .insert(Descriptor {
            handle,
            name: text.to_string(),
            rights: Rights::default(),
            flags: 0,
            preopen: None,
        })
        .map_err(|full| {
            process.note(&format!("cannot open `{text}`: {full}"));
            OpenError::TableFull(full)
        })
}

fn open_handle(process: &Process, text: &str, schemes: &[Scheme]) -> Result<Handle, OpenError> {
    let url = StreamUrl::parse(text).map_err(OpenError::BadUrl)?;
    // `http://` or `https://` with no host reaches nothing until its
    // request names a host: the policy is checked against that URL then.
    let hostless = (url.scheme.eq_ignore_ascii_case("http")
        || url.scheme.eq_ignore_ascii_case("https"))
        && (url.rest.is_empty() || url.rest.starts_with('/'));
    let mut policy_allowed = false;
    if let Some(policy) = &process.config.access.policy
        && !hostless
    {
        match policy.check(text) {
            Verdict::Allowed { .. } => policy_allowed = true,
            Verdict::Refused(why) => {
                return Err(OpenError::Kill(format!("permission denied: {why}")));
            }
        }
    }
    let Some(scheme) = has_scheme(&url, schemes) else {
        let names: Vec<_> = schemes.iter().map(|s| s.name()).collect();
        return Err(OpenError::UnknownScheme(format!(
            "`{text}`: the {} ABI has no `{}` streams (it has {})",
            process.abi,
            url.scheme,
            names.join(", ")
        )));
    };
    Ok(match scheme {
        Scheme::Fd => fd_handle(process, &url)?,
        Scheme::Log => {
            let prefix = url.query("prefix").unwrap_or_else(|| process.guest.clone());
            let out = process.std_output(StdStream::Stderr);
            Handle::Stream(Box::new(streams::log::Log::new(out, prefix)))
        }
        Scheme::File => Handle::File(streams::file::open(
            &process.grants,
            &url,
            process.deadline_handle(),
        )?),
        Scheme::Http | Scheme::Https => {
            let target = if hostless {
                // No host: the request names it, checked at the flush.
                streams::http::Target::FromRequest(process.config.access.clone())
            } else {
                let (host, port) = http_target(&url, scheme)?;
                if !policy_allowed && !process.config.access.net_allows(&host, port) {
                    let target = crate::sandbox::policy::NetAllow {
                        host,
                        port: Some(port),
                    };
                    return Err(OpenError::Refused(format!(
                        "the guest may not reach {target} (allow it with --allow-net {target} or a policy allow rule)"
                    )));
                }
                streams::http::Target::Url(text.to_string())
            };
            let left = process
                .deadline()
                .map(|d| d.saturating_duration_since(Instant::now()))
                .unwrap_or(HTTP_TIMEOUT);
            let timeout = left.min(HTTP_TIMEOUT).max(Duration::from_millis(1));
            let name = scheme.name();
            let budget = process.memory.clone();
            Handle::Stream(Box::new(streams::http::Http::new(
                name, target, timeout, budget,
            )))
        }
        Scheme::Random => Handle::Stream(Box::new(streams::random::Random)),
        Scheme::Null => Handle::Stream(Box::new(streams::null::Null)),
        Scheme::Zero => Handle::Stream(Box::new(streams::null::Zero)),
    })
}
