//! Streams opened by URL, the one implementation the Dagger and Olin ABIs
//! share: checking a URL against the policy and the network allowances,
//! opening it by scheme into a descriptor of the process's table, and
//! reading, writing, flushing and closing descriptors whatever they hold.

mod descriptor;
mod file;
mod http;
mod log;
mod null;
mod random;
pub mod url;

pub use descriptor::{IoFail, close, flush, read, write};

use crate::fdtable::{Descriptor, Handle, Rights, TableFull};
use crate::policy::Verdict;
use crate::process::Process;
use crate::stdio::StdStream;
use std::fmt;
use std::io;
use std::time::{Duration, Instant};
use url::StreamUrl;

/// Most bytes one read or write of the stream ABIs moves: Dagger and Olin
/// report counts as a positive i32, so a longer request is served in part.
pub const MAX_TRANSFER: u32 = i32::MAX as u32;

/// Longest time one HTTP exchange may take (less when the run's deadline is nearer).
const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// A byte stream behind a descriptor.
pub trait Stream: Send {
    /// The URL scheme it was opened with (`log`, `random`, `https`, …).
    fn scheme(&self) -> &'static str;
    /// Reads into `buf`; 0 at end of stream.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    /// Writes `data`, returning how much was taken.
    fn write(&mut self, data: &[u8]) -> io::Result<usize>;
    /// Pushes buffered data to its target.
    fn flush(&mut self) -> io::Result<()>;
    /// Bytes of the guest's standard output or error that writing `data`
    /// would produce, charged against the output limit.
    fn output_cost(&self, _data: &[u8]) -> u64 {
        0
    }
    /// Bytes of standard output or error a flush would produce.
    fn flush_cost(&self) -> u64 {
        0
    }
}

impl fmt::Debug for dyn Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Stream({}://)", self.scheme())
    }
}

/// A kind of stream URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// `fd://0`, `fd://1`, `fd://2`: the standard streams.
    Fd,
    /// `log://?prefix=P`: lines to standard error.
    Log,
    /// `file://PATH`: a file inside a granted directory.
    File,
    /// `http://…`
    Http,
    /// `https://…`
    Https,
    /// `random://`
    Random,
    /// `null://`
    Null,
    /// `zero://`
    Zero,
}

impl Scheme {
    /// Every scheme.
    pub const ALL: [Scheme; 8] = [
        Scheme::Fd,
        Scheme::Log,
        Scheme::File,
        Scheme::Http,
        Scheme::Https,
        Scheme::Random,
        Scheme::Null,
        Scheme::Zero,
    ];

    /// How it is spelled in URLs.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Fd => "fd",
            Scheme::Log => "log",
            Scheme::File => "file",
            Scheme::Http => "http",
            Scheme::Https => "https",
            Scheme::Random => "random",
            Scheme::Null => "null",
            Scheme::Zero => "zero",
        }
    }
}

/// Why a URL could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// The text is not a URL this scheme accepts.
    BadUrl(String),
    /// No stream kind of this ABI has the URL's scheme.
    UnknownScheme(String),
    /// Refused (outside the granted directories, or a host the guest may
    /// not reach), with the reason.
    Refused(String),
    /// Opening failed on the host.
    Io(io::Error),
    /// The descriptor table is full, or the guest holds as many OS files
    /// as it may.
    TableFull(TableFull),
    /// The policy refuses the URL: the guest must be killed.
    Kill(String),
    /// The run's time limit passed while the open waited (for the other
    /// end of a FIFO), saying for what.
    TimeLimit(String),
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::BadUrl(m)
            | OpenError::UnknownScheme(m)
            | OpenError::Refused(m)
            | OpenError::Kill(m) => f.write_str(m),
            OpenError::TimeLimit(waiting) => write!(f, "the time limit passed while {waiting}"),
            OpenError::Io(e) => write!(f, "{e}"),
            OpenError::TableFull(full) => write!(f, "{full}"),
        }
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
    let mut policy_allowed = false;
    if let Some(policy) = &process.config.access.policy {
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
            Handle::Stream(Box::new(log::Log::new(out, prefix)))
        }
        Scheme::File => Handle::File(file::open(
            &process.grants,
            &url,
            process.deadline_handle(),
        )?),
        Scheme::Http | Scheme::Https => {
            let (host, port) = http_target(&url, scheme)?;
            if !policy_allowed && !process.config.access.net_allows(&host, port) {
                let target = crate::policy::NetAllow {
                    host,
                    port: Some(port),
                };
                return Err(OpenError::Refused(format!(
                    "the guest may not reach {target} (allow it with --allow-net {target} or a policy allow rule)"
                )));
            }
            let left = process
                .deadline()
                .map(|d| d.saturating_duration_since(Instant::now()))
                .unwrap_or(HTTP_TIMEOUT);
            let timeout = left.min(HTTP_TIMEOUT).max(Duration::from_millis(1));
            let name = scheme.name();
            let budget = process.memory.clone();
            Handle::Stream(Box::new(http::Http::new(name, text, timeout, budget)))
        }
        Scheme::Random => Handle::Stream(Box::new(random::Random)),
        Scheme::Null => Handle::Stream(Box::new(null::Null)),
        Scheme::Zero => Handle::Stream(Box::new(null::Zero)),
    })
}
