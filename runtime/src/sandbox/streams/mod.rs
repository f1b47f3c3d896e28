//! The streams a guest can open by URL, as the sandbox holds them behind
//! descriptors: the [`Stream`] trait, the URL schemes, and one file per
//! kind (`file`, `http`, `log`, `null` for null and zero, `random`), with
//! URL syntax (`url`). Opening a URL (the policy and network checks, the
//! scheme's stream put in the table) is the stream ABIs' (`abis::stream_calls`).

pub mod error;
pub mod file;
pub mod http;
pub mod log;
pub mod null;
pub mod random;
pub mod url;

use std::fmt;
use std::io;

/// Most bytes one read or write of the stream ABIs moves: Dagger and Olin
/// report counts as a positive i32, so a longer request is served in part.
pub const MAX_TRANSFER: u32 = i32::MAX as u32;

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
