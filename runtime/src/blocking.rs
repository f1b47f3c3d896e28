//! Host I/O that can wait, bounded by the run's time limit. The standard
//! streams, FIFOs and devices can block for ever (a stdin that never sends,
//! a stdout nobody reads, a FIFO nobody opens): every wait on them is a
//! `poll` against the deadline, never a blocking call. When the deadline
//! passes the call fails with [`DeadlinePassed`] inside an `io::Error`,
//! which the ABIs turn into the end of the guest, as a time limit.
//!
//! Files a guest opens are opened non-blocking; regular files ignore that,
//! and FIFOs and devices then say when they would block.

use std::fmt;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A run's deadline, shared by its process and the streams it opened, and
/// moved later while a debugger holds the guest stopped.
#[derive(Clone, Debug)]
pub struct Deadline(Arc<DeadlineCell>);

#[derive(Debug)]
struct DeadlineCell {
    base: Instant,
    /// Nanoseconds after `base`, or `u64::MAX` for none.
    after: AtomicU64,
}

impl Default for Deadline {
    fn default() -> Self {
        Deadline::new(None)
    }
}

impl Deadline {
    /// A deadline at `at`, or none.
    pub fn new(at: Option<Instant>) -> Deadline {
        let base = Instant::now();
        let after = at.map_or(u64::MAX, |at| {
            at.saturating_duration_since(base)
                .as_nanos()
                .min(u64::MAX as u128 - 1) as u64
        });
        Deadline(Arc::new(DeadlineCell {
            base,
            after: AtomicU64::new(after),
        }))
    }

    /// When it passes, if ever.
    pub fn at(&self) -> Option<Instant> {
        match self.0.after.load(Ordering::Relaxed) {
            u64::MAX => None,
            n => Some(self.0.base + Duration::from_nanos(n)),
        }
    }

    /// Moves it `by` later (if there is one).
    pub fn postpone(&self, by: Duration) {
        let by = by.as_nanos().min(u64::MAX as u128) as u64;
        let _ = self
            .0
            .after
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                (n != u64::MAX).then(|| n.saturating_add(by).min(u64::MAX - 1))
            });
    }

    /// Time left, `None` for no deadline.
    fn left(&self) -> Option<Duration> {
        self.at()
            .map(|at| at.saturating_duration_since(Instant::now()))
    }
}

/// The run's time limit passed while a call waited on host I/O.
#[derive(Debug)]
pub struct DeadlinePassed {
    /// What it was waiting for: `waiting for standard input`, …
    pub waiting: String,
}

impl fmt::Display for DeadlinePassed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the time limit passed while {}", self.waiting)
    }
}

impl std::error::Error for DeadlinePassed {}

/// The error a wait that ran past the deadline returns.
pub fn deadline_passed(waiting: impl Into<String>) -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        DeadlinePassed {
            waiting: waiting.into(),
        },
    )
}

/// The deadline an I/O error says passed, if it is one.
pub fn as_deadline_passed(e: &io::Error) -> Option<&DeadlinePassed> {
    e.get_ref()?.downcast_ref::<DeadlinePassed>()
}

/// Waits until `fd` is ready for `events`, at most until the deadline.
pub fn wait_ready(
    fd: BorrowedFd<'_>,
    events: rustix::event::PollFlags,
    deadline: &Deadline,
    waiting: &dyn Fn() -> String,
) -> io::Result<()> {
    use rustix::event::{PollFd, poll};
    loop {
        let left = deadline.left();
        if left == Some(Duration::ZERO) {
            return Err(deadline_passed(waiting()));
        }
        // Waits are sliced so a moved deadline is seen.
        let slice = left.map_or(Duration::from_secs(1), |l| l.min(Duration::from_secs(1)));
        let ts = rustix::time::Timespec {
            tv_sec: slice.as_secs() as i64,
            tv_nsec: slice.subsec_nanos() as _,
        };
        let mut fds = [PollFd::new(&fd, events)];
        match poll(&mut fds, Some(&ts)) {
            Ok(0) | Err(rustix::io::Errno::INTR) => continue,
            Ok(_) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
    }
}

/// Reads from a file that may say it would block (a FIFO, a device),
/// waiting for it within the deadline; `nonblock` (the guest asked for
/// non-blocking I/O) returns `WouldBlock` instead of waiting.
pub fn read<F: Read + AsFd>(
    file: &mut F,
    buf: &mut [u8],
    nonblock: bool,
    deadline: &Deadline,
    waiting: &dyn Fn() -> String,
) -> io::Result<usize> {
    loop {
        match file.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && !nonblock => {
                wait_ready(
                    file.as_fd(),
                    rustix::event::PollFlags::IN,
                    deadline,
                    waiting,
                )?;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// Writes all of `data` to a file that may say it would block, waiting
/// within the deadline; with `nonblock`, writes what fits and says how much.
pub fn write_all<F: Write + AsFd>(
    file: &mut F,
    mut data: &[u8],
    nonblock: bool,
    deadline: &Deadline,
    waiting: &dyn Fn() -> String,
) -> io::Result<usize> {
    let total = data.len();
    while !data.is_empty() {
        match file.write(data) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if nonblock {
                    return match total - data.len() {
                        0 => Err(e),
                        written => Ok(written),
                    };
                }
                wait_ready(
                    file.as_fd(),
                    rustix::event::PollFlags::OUT,
                    deadline,
                    waiting,
                )?;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(total)
}

/// Whether writes to `fd` can wait for a reader (it is not a regular file).
pub fn can_block(fd: BorrowedFd<'_>) -> bool {
    !matches!(
        rustix::fs::fstat(fd).map(|st| rustix::fs::FileType::from_raw_mode(st.st_mode)),
        Ok(rustix::fs::FileType::RegularFile)
    )
}

/// Writes all of `data` to a descriptor of the host's own (its standard
/// output or error) that stays blocking, as other programs share it: each
/// piece waits for room first and is no larger than a pipe takes at once.
pub fn write_shared_fd(
    fd: BorrowedFd<'_>,
    mut data: &[u8],
    deadline: &Deadline,
    waiting: &dyn Fn() -> String,
) -> io::Result<()> {
    /// A pipe with room takes this much without waiting (`PIPE_BUF`).
    const PIECE: usize = 4096;
    while !data.is_empty() {
        wait_ready(fd, rustix::event::PollFlags::OUT, deadline, waiting)?;
        match rustix::io::write(fd, &data[..data.len().min(PIECE)]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => data = &data[n..],
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Reads from a descriptor of the host's own (its standard input) once it
/// has something, within the deadline.
pub fn read_shared_fd(
    fd: BorrowedFd<'_>,
    buf: &mut [u8],
    deadline: &Deadline,
    waiting: &dyn Fn() -> String,
) -> io::Result<usize> {
    loop {
        wait_ready(fd, rustix::event::PollFlags::IN, deadline, waiting)?;
        match rustix::io::read(fd, &mut *buf) {
            Err(rustix::io::Errno::INTR | rustix::io::Errno::AGAIN) => {}
            other => return other.map_err(io::Error::from),
        }
    }
}

/// Opens a file with `open`, non-blocking. A FIFO opened for writing with
/// no reader yet is tried again until one comes or the deadline passes; one
/// opened for reading waits, within the deadline, for a writer to send
/// something or hang up, as a blocking open would wait for the writer.
pub fn open_file(
    mut open: impl FnMut() -> io::Result<cap_std::fs::File>,
    deadline: &Deadline,
    name: &str,
) -> io::Result<cap_std::fs::File> {
    loop {
        match open() {
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::NXIO.raw_os_error()) => {
                // ENXIO: a FIFO opened for writing that no one reads yet.
                match deadline.left() {
                    Some(Duration::ZERO) => {
                        return Err(deadline_passed(format!(
                            "waiting for a reader to open the FIFO {name}"
                        )));
                    }
                    left => std::thread::sleep(
                        left.unwrap_or(Duration::MAX).min(Duration::from_millis(10)),
                    ),
                }
            }
            Err(e) => return Err(e),
            Ok(file) => {
                let fifo_reader = rustix::fs::fstat(&file).is_ok_and(|st| {
                    rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Fifo
                }) && rustix::fs::fcntl_getfl(&file)
                    .is_ok_and(|fl| fl & rustix::fs::OFlags::RWMODE == rustix::fs::OFlags::RDONLY);
                if fifo_reader {
                    let waiting = || format!("waiting for a writer to open the FIFO {name}");
                    wait_ready(
                        file.as_fd(),
                        rustix::event::PollFlags::IN,
                        deadline,
                        &waiting,
                    )?;
                }
                return Ok(file);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_can_be_moved_and_none_stays_none() {
        let now = Instant::now();
        let d = Deadline::new(Some(now + Duration::from_secs(1)));
        let shared = d.clone();
        shared.postpone(Duration::from_secs(2));
        let at = d.at().unwrap();
        assert!(at >= now + Duration::from_secs(3) - Duration::from_millis(1));
        let none = Deadline::new(None);
        none.postpone(Duration::from_secs(2));
        assert_eq!(none.at(), None);
    }

    #[test]
    fn waiting_on_a_silent_pipe_ends_at_the_deadline() {
        let (reader, _writer) = std::io::pipe().unwrap();
        let deadline = Deadline::new(Some(Instant::now() + Duration::from_millis(100)));
        let mut buf = [0u8; 4];
        let t0 = Instant::now();
        let e =
            read_shared_fd(reader.as_fd(), &mut buf, &deadline, &|| "testing".into()).unwrap_err();
        assert!(t0.elapsed() >= Duration::from_millis(100));
        assert_eq!(as_deadline_passed(&e).unwrap().waiting, "testing");
    }
}
