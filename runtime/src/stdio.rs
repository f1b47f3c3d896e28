//! The guest's standard streams: where its input comes from and where its
//! output goes (the host's own streams, a buffer, a console, or nowhere).

use std::io::{self, Read, Write};
use std::sync::{Arc, Condvar, Mutex};

/// A byte buffer shared between the guest and whoever reads its output.
#[derive(Clone, Debug, Default)]
pub struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl SharedBuffer {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }
    /// A copy of everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.0.lock().map(|b| b.clone()).unwrap_or_default()
    }
    /// How many bytes were written so far.
    pub fn len(&self) -> usize {
        self.0.lock().map(|b| b.len()).unwrap_or(0)
    }
    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// A copy of the bytes written after the first `offset`.
    pub fn bytes_from(&self, offset: usize) -> Vec<u8> {
        self.0
            .lock()
            .map(|b| b.get(offset..).map(<[u8]>::to_vec).unwrap_or_default())
            .unwrap_or_default()
    }
    /// Everything written so far as (lossy) UTF-8.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.contents()).into_owned()
    }
    /// Takes everything written so far, leaving the buffer empty.
    pub fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .map(|mut b| std::mem::take(&mut *b))
            .unwrap_or_default()
    }
    fn append(&self, data: &[u8]) {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(data);
        }
    }
}

/// Standard input fed while the guest runs (the workbench's console line):
/// reads wait for bytes until the pipe is closed.
#[derive(Clone, Debug, Default)]
pub struct Pipe(Arc<(Mutex<PipeState>, Condvar)>);

#[derive(Debug, Default)]
struct PipeState {
    bytes: std::collections::VecDeque<u8>,
    closed: bool,
}

impl Pipe {
    /// An empty, open pipe.
    pub fn new() -> Pipe {
        Pipe::default()
    }

    /// Adds bytes for the guest to read.
    pub fn push(&self, data: &[u8]) {
        let (lock, ready) = &*self.0;
        if let Ok(mut st) = lock.lock() {
            st.bytes.extend(data);
            ready.notify_all();
        }
    }

    /// Ends the input: once the bytes already pushed are read, reads see end of file.
    pub fn close(&self) {
        let (lock, ready) = &*self.0;
        if let Ok(mut st) = lock.lock() {
            st.closed = true;
            ready.notify_all();
        }
    }

    /// Bytes pushed and not yet read.
    pub fn available(&self) -> usize {
        self.0.0.lock().map(|st| st.bytes.len()).unwrap_or(0)
    }

    fn read(&self, buf: &mut [u8]) -> usize {
        let (lock, ready) = &*self.0;
        let Ok(mut st) = lock.lock() else { return 0 };
        while st.bytes.is_empty() && !st.closed {
            st = match ready.wait(st) {
                Ok(st) => st,
                Err(_) => return 0,
            };
        }
        let n = buf.len().min(st.bytes.len());
        for (slot, b) in buf.iter_mut().zip(st.bytes.drain(..n)) {
            *slot = b;
        }
        n
    }
}

/// Which standard stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StdStream {
    /// Standard input.
    Stdin,
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl StdStream {
    /// `stdin`, `stdout` or `stderr`.
    pub fn name(self) -> &'static str {
        match self {
            StdStream::Stdin => "stdin",
            StdStream::Stdout => "stdout",
            StdStream::Stderr => "stderr",
        }
    }
}

/// Where the guest's standard input comes from.
#[derive(Clone, Debug, Default)]
pub enum InputSpec {
    /// The host process's own standard input.
    Inherit,
    /// Nothing: reads see end of file at once.
    #[default]
    Empty,
    /// These bytes, then end of file.
    Bytes(Arc<[u8]>),
    /// Whatever is pushed into this pipe, until it is closed.
    Pipe(Pipe),
}

/// Where one of the guest's output streams goes.
#[derive(Clone, Debug, Default)]
pub enum OutputSpec {
    /// The host process's own stream of the same name.
    Inherit,
    /// Discarded.
    #[default]
    Null,
    /// Appended to a shared buffer.
    Buffer(SharedBuffer),
}

/// A live input stream.
#[derive(Debug)]
pub enum Input {
    /// The host's standard input.
    Inherit,
    /// Bytes and a read position.
    Bytes {
        /// The data.
        data: Arc<[u8]>,
        /// How much was read.
        pos: usize,
    },
    /// A pipe fed while the guest runs.
    Pipe(Pipe),
}

impl Input {
    /// Opens an input as specified.
    pub fn open(spec: &InputSpec) -> Input {
        match spec {
            InputSpec::Inherit => Input::Inherit,
            InputSpec::Empty => Input::Bytes {
                data: Arc::from(&[][..]),
                pos: 0,
            },
            InputSpec::Bytes(data) => Input::Bytes {
                data: data.clone(),
                pos: 0,
            },
            InputSpec::Pipe(p) => Input::Pipe(p.clone()),
        }
    }

    /// Reads into `buf`; 0 at end of input.
    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Input::Inherit => io::stdin().lock().read(buf),
            Input::Bytes { data, pos } => {
                let n = buf.len().min(data.len() - *pos);
                buf[..n].copy_from_slice(&data[*pos..*pos + n]);
                *pos += n;
                Ok(n)
            }
            Input::Pipe(p) => Ok(p.read(buf)),
        }
    }

    /// Bytes known to be readable without blocking, if that is known.
    pub fn available(&self) -> Option<u64> {
        match self {
            Input::Inherit => None,
            Input::Bytes { data, pos } => Some((data.len() - pos) as u64),
            Input::Pipe(p) => Some(p.available() as u64),
        }
    }

    /// Whether this is a terminal.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Input::Inherit) && rustix::termios::isatty(rustix::stdio::stdin())
    }
}

/// A live output stream.
#[derive(Debug)]
pub enum Output {
    /// The host's standard output.
    Stdout,
    /// The host's standard error.
    Stderr,
    /// Discarded.
    Null,
    /// A shared buffer.
    Buffer(SharedBuffer),
}

impl Output {
    /// Opens `spec` for stream `which`.
    pub fn open(spec: &OutputSpec, which: StdStream) -> Output {
        match spec {
            OutputSpec::Inherit if which == StdStream::Stderr => Output::Stderr,
            OutputSpec::Inherit => Output::Stdout,
            OutputSpec::Null => Output::Null,
            OutputSpec::Buffer(b) => Output::Buffer(b.clone()),
        }
    }

    /// Writes all of `data`.
    pub fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout => {
                let mut out = io::stdout().lock();
                out.write_all(data)?;
                out.flush()?;
            }
            Output::Stderr => io::stderr().lock().write_all(data)?,
            Output::Null => {}
            Output::Buffer(b) => b.append(data),
        }
        Ok(data.len())
    }

    /// Whether this is a terminal.
    pub fn is_terminal(&self) -> bool {
        match self {
            Output::Stdout => rustix::termios::isatty(rustix::stdio::stdout()),
            Output::Stderr => rustix::termios::isatty(rustix::stdio::stderr()),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipe_reads_wait_for_bytes_until_closed() {
        let pipe = Pipe::new();
        let mut input = Input::open(&InputSpec::Pipe(pipe.clone()));
        let writer = {
            let pipe = pipe.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(50));
                pipe.push(b"hi\n");
                pipe.close();
            })
        };
        let mut buf = [0u8; 8];
        assert_eq!(input.read(&mut buf).unwrap(), 3);
        assert_eq!(&buf[..3], b"hi\n");
        writer.join().unwrap();
        assert_eq!(input.read(&mut buf).unwrap(), 0, "closed and drained");
    }
}
