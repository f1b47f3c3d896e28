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
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
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

/// Host operations handed to a helper thread and not finished yet (some
/// may never finish: a hung network file system).
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// Most host operations in flight on helper threads at once; past it a
/// new one fails at once rather than pile up threads.
const MAX_IN_FLIGHT: usize = 256;

/// Runs `op` on a helper thread and waits for it at most until the
/// deadline (with no deadline, runs it here). A file system that stops
/// answering (a hung network mount) then costs the guest its deadline, not
/// the host a thread for ever blocked in the guest's place.
pub fn off_thread<T: Send + 'static>(
    deadline: &Deadline,
    waiting: &dyn Fn() -> String,
    op: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    if deadline.at().is_none() {
        return op();
    }
    if IN_FLIGHT.fetch_add(1, Ordering::SeqCst) >= MAX_IN_FLIGHT {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
        return Err(io::Error::other(
            "too many host file operations have not finished (is a file system hung?)",
        ));
    }
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("wasmhole-io".into())
        .spawn(move || {
            let result = op();
            IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
            let _ = tx.send(result);
        });
    if let Err(e) = spawned {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
        return Err(e);
    }
    loop {
        let left = deadline.left().unwrap_or(Duration::ZERO);
        if left.is_zero() {
            return Err(deadline_passed(waiting()));
        }
        // Waits are sliced so a moved deadline is seen.
        match rx.recv_timeout(left.min(Duration::from_secs(1))) {
            Ok(result) => return result,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(io::Error::other("the host file operation was lost"));
            }
        }
    }
}

/// Opens `path` under `dir` (`shown` as the guest names it), non-blocking, off the guest's thread when the
/// run has a deadline (see [`off_thread`]). A FIFO opened for writing with
/// no reader yet is tried again until one comes or the deadline passes; one
/// opened for reading waits, within the deadline, for a writer to send
/// something or hang up, as a blocking open would wait for the writer.
pub fn open_file(
    dir: &cap_std::fs::Dir,
    path: &str,
    options: &cap_std::fs::OpenOptions,
    deadline: &Deadline,
    shown: &str,
) -> io::Result<cap_std::fs::File> {
    use cap_fs_ext::OpenOptionsSyncExt;
    let mut options = options.clone();
    options.nonblock(true);
    let waiting_for_reader = || format!("waiting for a reader to open the FIFO {shown}");
    // Once an attempt has met a FIFO without a reader, the deadline passing
    // during a later attempt is still that wait, not the file system's.
    let open = |fifo_without_reader: bool| -> io::Result<cap_std::fs::File> {
        if deadline.at().is_none() {
            return dir.open_with(path, &options);
        }
        let (dir, path, options) = (dir.try_clone()?, path.to_string(), options.clone());
        off_thread(
            deadline,
            &|| {
                if fifo_without_reader {
                    waiting_for_reader()
                } else {
                    format!("waiting for the file system to open {shown}")
                }
            },
            move || dir.open_with(&path, &options),
        )
    };
    let mut fifo_without_reader = false;
    loop {
        match open(fifo_without_reader) {
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::NXIO.raw_os_error()) => {
                // ENXIO: a FIFO opened for writing that no one reads yet.
                fifo_without_reader = true;
                const RETRY: Duration = Duration::from_millis(10);
                match deadline.left() {
                    Some(left) if left <= RETRY => {
                        std::thread::sleep(left);
                        return Err(deadline_passed(waiting_for_reader()));
                    }
                    _ => std::thread::sleep(RETRY),
                }
            }
            Err(e) => return Err(e),
            Ok(file) => {
                let fifo_reader = rustix::fs::fstat(&file).is_ok_and(|st| {
                    rustix::fs::FileType::from_raw_mode(st.st_mode) == rustix::fs::FileType::Fifo
                }) && rustix::fs::fcntl_getfl(&file)
                    .is_ok_and(|fl| fl & rustix::fs::OFlags::RWMODE == rustix::fs::OFlags::RDONLY);
                if fifo_reader {
                    let waiting = || format!("waiting for a writer to open the FIFO {shown}");
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
    fn an_operation_that_never_returns_costs_only_the_deadline() {
        let deadline = Deadline::new(Some(Instant::now() + Duration::from_millis(100)));
        let t0 = Instant::now();
        let (release, hang) = std::sync::mpsc::channel::<()>();
        let e = off_thread(&deadline, &|| "waiting for a hung disk".into(), move || {
            let _ = hang.recv();
            Ok(())
        })
        .unwrap_err();
        assert!(t0.elapsed() < Duration::from_secs(5));
        assert_eq!(
            as_deadline_passed(&e).unwrap().waiting,
            "waiting for a hung disk"
        );
        drop(release);
        let quick = off_thread(
            &deadline_in(Duration::from_secs(5)),
            &|| String::new(),
            || Ok(7),
        );
        assert_eq!(quick.unwrap(), 7);
        let inline = off_thread(&Deadline::new(None), &|| String::new(), || Ok(8));
        assert_eq!(inline.unwrap(), 8);
    }

    fn deadline_in(d: Duration) -> Deadline {
        Deadline::new(Some(Instant::now() + d))
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
