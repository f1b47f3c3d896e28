//! The guest's standard streams: where its input comes from and where its
//! output goes (the host's own streams, a buffer, a console, or nowhere).
//! Reading and writing the host's own streams, or a console, waits at most
//! until the run's deadline.

use crate::sandbox::blocking::{self, Deadline};
use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// A byte buffer shared between the guest and whoever reads its output. It
/// keeps everything, or only the last bytes written ([`SharedBuffer::keep_tail`]):
/// offsets count every byte ever written, kept or not.
#[derive(Clone, Debug, Default)]
pub struct SharedBuffer(Arc<Mutex<Kept>>);

#[derive(Debug, Default)]
struct Kept {
    bytes: Vec<u8>,
    /// Bytes written before `bytes[0]` and no longer kept.
    dropped: u64,
    /// Keep at least this many of the last bytes, at most twice as many.
    tail: Option<usize>,
}

impl Kept {
    fn trim(&mut self) {
        if let Some(tail) = self.tail
            && self.bytes.len() > tail.saturating_mul(2)
        {
            let cut = self.bytes.len() - tail;
            self.bytes.drain(..cut);
            self.dropped += cut as u64;
        }
    }
}

/// Output read from a [`SharedBuffer`] after some offset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Since {
    /// Bytes after the offset that are no longer kept.
    pub skipped: u64,
    /// The bytes after those.
    pub bytes: Vec<u8>,
}

impl SharedBuffer {
    /// An empty buffer that keeps everything.
    pub fn new() -> Self {
        Self::default()
    }

    /// From now on, keeps only (at least) the last `tail` bytes, so a guest
    /// writing without end holds a bounded amount of host memory.
    pub fn keep_tail(&self, tail: usize) {
        if let Ok(mut k) = self.0.lock() {
            k.tail = Some(tail);
            k.trim();
        }
    }

    /// A copy of the bytes kept (everything, unless only a tail is kept).
    pub fn contents(&self) -> Vec<u8> {
        self.0.lock().map(|k| k.bytes.clone()).unwrap_or_default()
    }
    /// How many bytes were written so far, kept or not.
    pub fn len(&self) -> usize {
        self.0
            .lock()
            .map(|k| k.dropped as usize + k.bytes.len())
            .unwrap_or(0)
    }
    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// How many of the first bytes written are no longer kept.
    pub fn dropped(&self) -> u64 {
        self.0.lock().map(|k| k.dropped).unwrap_or(0)
    }
    /// A copy of the kept bytes written after the first `offset`.
    pub fn bytes_from(&self, offset: usize) -> Vec<u8> {
        self.since(offset as u64).bytes
    }
    /// What was written after the first `offset` bytes: how much of it is
    /// no longer kept, and the rest.
    pub fn since(&self, offset: u64) -> Since {
        let Ok(k) = self.0.lock() else {
            return Since::default();
        };
        let skipped = k.dropped.saturating_sub(offset);
        let start = offset.saturating_sub(k.dropped).min(k.bytes.len() as u64) as usize;
        Since {
            skipped,
            bytes: k.bytes[start..].to_vec(),
        }
    }
    /// The kept bytes as (lossy) UTF-8.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.contents()).into_owned()
    }
    /// Takes the kept bytes, leaving the buffer empty (and its count at 0).
    pub fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .map(|mut k| {
                k.dropped = 0;
                std::mem::take(&mut k.bytes)
            })
            .unwrap_or_default()
    }
    fn append(&self, data: &[u8]) {
        if let Ok(mut k) = self.0.lock() {
            k.bytes.extend_from_slice(data);
            k.trim();
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

    /// Whether a read would return at once: bytes are waiting, or the pipe
    /// is closed (a read then sees the end).
    pub fn ready(&self) -> bool {
        self.0
            .0
            .lock()
            .map(|st| !st.bytes.is_empty() || st.closed)
            .unwrap_or(true)
    }

    /// Waits until a read would return at once, at most `timeout` (`None`:
    /// for as long as it takes); whether it would.
    fn wait_ready(&self, timeout: Option<Duration>) -> bool {
        let (lock, ready) = &*self.0;
        let Ok(mut st) = lock.lock() else {
            return true;
        };
        let until = timeout.map(|t| Instant::now() + t);
        while st.bytes.is_empty() && !st.closed {
            let wait = match until {
                None => Duration::from_secs(1),
                Some(at) => match at.saturating_duration_since(Instant::now()) {
                    Duration::ZERO => return false,
                    left => left,
                },
            };
            st = match ready.wait_timeout(st, wait) {
                Ok((st, _)) => st,
                Err(_) => return true,
            };
        }
        true
    }

    /// Waits for bytes (or the end), at most until the deadline.
    fn read(&self, buf: &mut [u8], deadline: &Deadline) -> io::Result<usize> {
        let (lock, ready) = &*self.0;
        let Ok(mut st) = lock.lock() else {
            return Ok(0);
        };
        while st.bytes.is_empty() && !st.closed {
            let wait = match deadline.at() {
                None => Duration::from_secs(1),
                Some(at) => match at.saturating_duration_since(Instant::now()) {
                    Duration::ZERO => {
                        return Err(blocking::deadline_passed("waiting for standard input"));
                    }
                    left => left.min(Duration::from_secs(1)),
                },
            };
            st = match ready.wait_timeout(st, wait) {
                Ok((st, _)) => st,
                Err(_) => return Ok(0),
            };
        }
        let n = buf.len().min(st.bytes.len());
        for (slot, b) in buf.iter_mut().zip(st.bytes.drain(..n)) {
            *slot = b;
        }
        Ok(n)
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
    /// The host's standard input, read within the run's deadline.
    Inherit(Deadline),
    /// Bytes and a read position.
    Bytes {
        /// The data.
        data: Arc<[u8]>,
        /// How much was read.
        pos: usize,
    },
    /// A pipe fed while the guest runs, read within the run's deadline.
    Pipe(Pipe, Deadline),
}

impl Input {
    /// Opens an input as specified; reads wait at most until `deadline`.
    pub fn open(spec: &InputSpec, deadline: &Deadline) -> Input {
        match spec {
            InputSpec::Inherit => Input::Inherit(deadline.clone()),
            InputSpec::Empty => Input::Bytes {
                data: Arc::from(&[][..]),
                pos: 0,
            },
            InputSpec::Bytes(data) => Input::Bytes {
                data: data.clone(),
                pos: 0,
            },
            InputSpec::Pipe(p) => Input::Pipe(p.clone(), deadline.clone()),
        }
    }

    /// Reads into `buf`; 0 at end of input.
    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Input::Inherit(deadline) => {
                blocking::read_shared_fd(rustix::stdio::stdin(), buf, deadline, &|| {
                    "waiting for standard input".into()
                })
            }
            Input::Bytes { data, pos } => {
                let n = buf.len().min(data.len() - *pos);
                buf[..n].copy_from_slice(&data[*pos..*pos + n]);
                *pos += n;
                Ok(n)
            }
            Input::Pipe(p, deadline) => p.read(buf, deadline),
        }
    }

    /// Whether a read would return at once (bytes are waiting, or the
    /// input has ended), without waiting.
    pub fn ready_now(&self) -> bool {
        self.wait_readable(Some(Duration::ZERO))
    }

    /// Waits until a read would return at once, at most `timeout` (`None`:
    /// for as long as it takes); whether it would.
    pub fn wait_readable(&self, timeout: Option<Duration>) -> bool {
        match self {
            Input::Inherit(_) => {
                use rustix::event::{PollFd, PollFlags, poll};
                let stdin = rustix::stdio::stdin();
                let mut fds = [PollFd::new(&stdin, PollFlags::IN)];
                let ts = timeout.map(|t| rustix::time::Timespec {
                    tv_sec: t.as_secs() as i64,
                    tv_nsec: t.subsec_nanos() as _,
                });
                matches!(poll(&mut fds, ts.as_ref()), Ok(n) if n > 0)
            }
            Input::Bytes { .. } => true,
            Input::Pipe(p, _) => p.wait_ready(timeout),
        }
    }

    /// Bytes known to be readable without blocking, if that is known.
    pub fn available(&self) -> Option<u64> {
        match self {
            Input::Inherit(_) => None,
            Input::Bytes { data, pos } => Some((data.len() - pos) as u64),
            Input::Pipe(p, _) => Some(p.available() as u64),
        }
    }

    /// Whether this is a terminal.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Input::Inherit(_)) && rustix::termios::isatty(rustix::stdio::stdin())
    }
}

/// A live output stream.
#[derive(Debug)]
pub enum Output {
    /// The host's standard output, written within the run's deadline.
    Stdout(Deadline),
    /// The host's standard error, written within the run's deadline.
    Stderr(Deadline),
    /// Discarded.
    Null,
    /// A shared buffer.
    Buffer(SharedBuffer),
    /// Another output, with a copy of everything written kept in a buffer
    /// (a recording keeps each call's console output this way).
    Tapped(Box<Output>, SharedBuffer),
}

impl Output {
    /// Opens `spec` for stream `which`; writes wait at most until `deadline`.
    pub fn open(spec: &OutputSpec, which: StdStream, deadline: &Deadline) -> Output {
        match spec {
            OutputSpec::Inherit if which == StdStream::Stderr => Output::Stderr(deadline.clone()),
            OutputSpec::Inherit => Output::Stdout(deadline.clone()),
            OutputSpec::Null => Output::Null,
            OutputSpec::Buffer(b) => Output::Buffer(b.clone()),
        }
    }

    /// Writes all of `data`.
    pub fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(deadline) => {
                // What the host itself printed goes first.
                let mut out = io::stdout().lock();
                out.flush()?;
                write_host(rustix::stdio::stdout(), data, deadline, "standard output")?;
            }
            Output::Stderr(deadline) => {
                let _err = io::stderr().lock();
                write_host(rustix::stdio::stderr(), data, deadline, "standard error")?;
            }
            Output::Null => {}
            Output::Buffer(b) => b.append(data),
            Output::Tapped(inner, tap) => {
                inner.write(data)?;
                tap.append(data);
            }
        }
        Ok(data.len())
    }

    /// Whether this is a terminal.
    pub fn is_terminal(&self) -> bool {
        match self {
            Output::Stdout(_) => rustix::termios::isatty(rustix::stdio::stdout()),
            Output::Stderr(_) => rustix::termios::isatty(rustix::stdio::stderr()),
            Output::Tapped(inner, _) => inner.is_terminal(),
            _ => false,
        }
    }
}

/// Writes to one of the host's own output streams: at once to a file,
/// piece by piece within the deadline to a pipe, terminal or socket.
fn write_host(
    fd: std::os::fd::BorrowedFd<'_>,
    data: &[u8],
    deadline: &Deadline,
    name: &str,
) -> io::Result<()> {
    let waiting = || format!("waiting to write to {name} (nobody was reading it)");
    if deadline.at().is_some() && blocking::can_block(fd) {
        return blocking::write_shared_fd(fd, data, deadline, &waiting);
    }
    let mut rest = data;
    while !rest.is_empty() {
        match rustix::io::write(fd, rest) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => rest = &rest[n..],
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tail_buffer_keeps_the_last_bytes_and_counts_all() {
        let buf = SharedBuffer::new();
        buf.keep_tail(10);
        for i in 0..100u8 {
            buf.append(&[i; 3]);
        }
        assert_eq!(buf.len(), 300, "every byte is counted");
        let kept = buf.contents();
        assert!(kept.len() >= 10 && kept.len() <= 20, "{}", kept.len());
        assert_eq!(kept[kept.len() - 3..], [99; 3]);
        let since = buf.since(290);
        assert_eq!((since.skipped, since.bytes.len()), (0, 10));
        let since = buf.since(0);
        assert_eq!(since.skipped, buf.dropped());
        assert_eq!(since.skipped + since.bytes.len() as u64, 300);
        assert_eq!(buf.since(400), Since::default());
    }

    #[test]
    fn pipe_reads_wait_for_bytes_until_closed() {
        let pipe = Pipe::new();
        let mut input = Input::open(&InputSpec::Pipe(pipe.clone()), &Deadline::default());
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

    #[test]
    fn pipe_reads_end_at_the_deadline() {
        let deadline = Deadline::new(Some(Instant::now() + Duration::from_millis(50)));
        let mut input = Input::open(&InputSpec::Pipe(Pipe::new()), &deadline);
        let e = input.read(&mut [0u8; 8]).unwrap_err();
        let passed = blocking::as_deadline_passed(&e).unwrap();
        assert_eq!(passed.waiting, "waiting for standard input");
    }
}
