//! The access log: one line per request (time, client, selector, route,
//! outcome, bytes sent, duration, and the syscall trace file when there is
//! one), written by a thread of its own so no request ever waits on it. A
//! log that cannot keep up loses lines (counted) rather than slow the
//! server; one that fails says so once and counts the lines lost; one that
//! is stuck (a pipe nobody reads) is abandoned at shutdown, and the lines
//! it never wrote are counted too.

use crate::config::AccessLogTarget;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Lines waiting for the writer before new ones are dropped (and counted).
const QUEUE: usize = 16 * 1024;

/// One request, as the access log records it.
#[derive(Clone, Debug)]
pub struct Entry {
    /// When the connection was accepted.
    pub time: SystemTime,
    /// The client.
    pub remote: SocketAddr,
    /// The selector as sent (`-` when none could be read).
    pub selector: String,
    /// `static`, a handler route's prefix, or `-`.
    pub route: String,
    /// One word: `ok`, `not-found`, `refused`, `bad-request`, `timeout`…
    pub outcome: String,
    /// Bytes of response sent.
    pub bytes: u64,
    /// From accepting the connection to the end of the response.
    pub duration: Duration,
    /// The syscall trace written for the request, if any.
    pub trace: Option<PathBuf>,
}

impl Entry {
    /// The log line, without its newline. The selector is quoted with
    /// control characters and quotes escaped.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} {} {:?} route={} outcome={} bytes={} ms={:.3}",
            humantime::format_rfc3339_millis(self.time),
            self.remote,
            self.selector,
            self.route,
            self.outcome,
            self.bytes,
            self.duration.as_secs_f64() * 1000.0
        );
        if let Some(t) = &self.trace {
            line.push_str(&format!(" trace={}", t.display()));
        }
        line
    }
}

/// What became of the lines logged, as counted at close.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Losses {
    /// Lines dropped because the writer could not keep up.
    pub dropped: u64,
    /// Lines that could not be written (write errors).
    pub failed: u64,
    /// Whether the writer was still stuck in a write when the log closed.
    pub stuck: bool,
    /// Lines taken but never written because the writer was abandoned
    /// stuck (the one it was writing and those queued behind it).
    pub abandoned: u64,
}

/// Counters shared with the writer thread.
#[derive(Default)]
struct Counters {
    dropped: AtomicU64,
    failed: AtomicU64,
    /// Lines taken into the queue.
    queued: AtomicU64,
    /// Lines written out.
    written: AtomicU64,
}

/// Where access log lines go.
pub struct AccessLog {
    sender: Mutex<Option<SyncSender<String>>>,
    finished: Mutex<Option<Receiver<()>>>,
    counters: Arc<Counters>,
    /// What the log is written to, for messages.
    target: String,
}

impl AccessLog {
    /// Starts writing to `target` (a file is opened for appending).
    pub fn open(target: &AccessLogTarget) -> std::io::Result<AccessLog> {
        let counters = Arc::new(Counters::default());
        let (out, name): (Box<dyn Write + Send>, String) = match target {
            AccessLogTarget::Off => {
                return Ok(AccessLog {
                    sender: Mutex::new(None),
                    finished: Mutex::new(None),
                    counters,
                    target: "nowhere".into(),
                });
            }
            // A descriptor of its own: writing never takes the standard
            // output's lock, and nothing is left buffered at exit.
            AccessLogTarget::Stdout => (
                Box::new(std::fs::File::from(rustix::io::dup(
                    rustix::stdio::stdout(),
                )?)),
                "standard output".into(),
            ),
            AccessLogTarget::File(path) => (
                Box::new(
                    std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(path)?,
                ),
                path.display().to_string(),
            ),
        };
        let (tx, rx) = sync_channel(QUEUE);
        let (done_tx, done_rx) = sync_channel(1);
        let writer_counters = counters.clone();
        let writer_name = name.clone();
        std::thread::Builder::new()
            .name("gopherd-access-log".into())
            .spawn(move || {
                write_lines(rx, out, &writer_counters, &writer_name);
                let _ = done_tx.send(());
            })?;
        Ok(AccessLog {
            sender: Mutex::new(Some(tx)),
            finished: Mutex::new(Some(done_rx)),
            counters,
            target: name,
        })
    }

    /// Logs one request; never waits.
    pub fn log(&self, entry: &Entry) {
        let sender = self.sender.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = sender.as_ref() {
            match tx.try_send(entry.line()) {
                Ok(()) => {
                    self.counters.queued.fetch_add(1, Ordering::Relaxed);
                }
                Err(TrySendError::Full(_)) => {
                    self.counters.dropped.fetch_add(1, Ordering::Relaxed);
                }
                Err(TrySendError::Disconnected(_)) => {}
            }
        }
    }

    /// Lines dropped because the writer could not keep up.
    pub fn dropped(&self) -> u64 {
        self.counters.dropped.load(Ordering::Relaxed)
    }

    /// Lines that could not be written.
    pub fn failed(&self) -> u64 {
        self.counters.failed.load(Ordering::Relaxed)
    }

    /// Stops taking lines and waits (at most `patience`) for the writer to
    /// write out the rest; a writer stuck longer is abandoned.
    pub fn close(&self, patience: Duration) -> Losses {
        self.sender.lock().unwrap_or_else(|e| e.into_inner()).take();
        let finished = self
            .finished
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let stuck = finished.is_some_and(|done| {
            done.recv_timeout(patience)
                .is_err_and(|e| e == std::sync::mpsc::RecvTimeoutError::Timeout)
        });
        let abandoned = if stuck {
            let c = &self.counters;
            c.queued.load(Ordering::Relaxed).saturating_sub(
                c.written.load(Ordering::Relaxed) + c.failed.load(Ordering::Relaxed),
            )
        } else {
            0
        };
        Losses {
            dropped: self.dropped(),
            failed: self.failed(),
            stuck,
            abandoned,
        }
    }

    /// Closes the log (see [`AccessLog::close`]) and says in the server
    /// log what was lost.
    pub fn close_and_report(&self, patience: Duration) -> Losses {
        let losses = self.close(patience);
        if losses.stuck {
            tracing::warn!(
                "the access log ({}) is stuck: gave up writing it after {patience:?}; {} lines were never written",
                self.target,
                losses.abandoned
            );
        }
        if losses.dropped > 0 {
            tracing::warn!(
                "{} access log lines were dropped: the log could not keep up",
                losses.dropped
            );
        }
        if losses.failed > 0 {
            tracing::warn!(
                "{} access log lines could not be written to {}",
                losses.failed,
                self.target
            );
        }
        losses
    }
}

impl Drop for AccessLog {
    fn drop(&mut self) {
        self.close(Duration::from_secs(1));
    }
}

/// The writer thread: writes the lines in batches; the first failure is
/// said once, the lines it loses are counted, and a recovery is said too.
fn write_lines(rx: Receiver<String>, out: Box<dyn Write + Send>, counters: &Counters, name: &str) {
    let mut out = LineCounting {
        inner: out,
        written: &counters.written,
    };
    let mut batch = String::with_capacity(64 * 1024);
    let mut failing = false;
    while let Ok(line) = rx.recv() {
        let before = counters.written.load(Ordering::Relaxed);
        batch.clear();
        let mut lines = 1u64;
        batch.push_str(&line);
        batch.push('\n');
        while batch.len() < 64 * 1024
            && let Ok(line) = rx.try_recv()
        {
            batch.push_str(&line);
            batch.push('\n');
            lines += 1;
        }
        match out.write_all(batch.as_bytes()).and_then(|()| out.flush()) {
            Ok(()) if failing => {
                failing = false;
                tracing::warn!(
                    "the access log ({name}) can be written again; {} lines were lost",
                    counters.failed.load(Ordering::Relaxed)
                );
            }
            Ok(()) => {}
            Err(e) => {
                if !failing {
                    tracing::warn!(
                        "cannot write the access log ({name}): {e}; lines are lost (and counted) until it can be written again"
                    );
                }
                failing = true;
                let taken = counters.written.load(Ordering::Relaxed) - before;
                counters
                    .failed
                    .fetch_add(lines.saturating_sub(taken), Ordering::Relaxed);
            }
        }
    }
}

/// A writer that counts the lines whose newline its inner writer took, so
/// a batch written in part (a full pipe, a failure half-way) is counted
/// line by line.
struct LineCounting<'a> {
    inner: Box<dyn Write + Send>,
    written: &'a AtomicU64,
}

impl Write for LineCounting<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        let lines = buf[..n].iter().filter(|&&b| b == b'\n').count();
        self.written.fetch_add(lines as u64, Ordering::Relaxed);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_name_everything_and_escape_the_selector() {
        let entry = Entry {
            time: SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
            remote: "[::1]:5000".parse().unwrap(),
            selector: "/a \"b\"".into(),
            route: "static".into(),
            outcome: "ok".into(),
            bytes: 42,
            duration: Duration::from_micros(1500),
            trace: Some("/tmp/t.jsonl".into()),
        };
        assert_eq!(
            entry.line(),
            "2023-11-14T22:13:20.123Z [::1]:5000 \"/a \\\"b\\\"\" route=static outcome=ok bytes=42 ms=1.500 trace=/tmp/t.jsonl"
        );
    }

    #[test]
    fn a_file_log_has_every_line_after_close() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("access.log");
        let log = AccessLog::open(&AccessLogTarget::File(path.clone())).unwrap();
        let mut entry = Entry {
            time: SystemTime::now(),
            remote: "127.0.0.1:1".parse().unwrap(),
            selector: String::new(),
            route: "-".into(),
            outcome: "ok".into(),
            bytes: 0,
            duration: Duration::ZERO,
            trace: None,
        };
        for i in 0..100 {
            entry.bytes = i;
            log.log(&entry);
        }
        assert_eq!(log.close(Duration::from_secs(5)), Losses::default());
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 100);
        assert!(text.lines().last().unwrap().contains("bytes=99"));
    }
}

#[cfg(test)]
mod failure_tests {
    use super::*;
    use std::os::unix::fs::OpenOptionsExt;

    fn entry() -> Entry {
        Entry {
            time: SystemTime::now(),
            remote: "127.0.0.1:1".parse().unwrap(),
            selector: "/x".into(),
            route: "-".into(),
            outcome: "ok".into(),
            bytes: 0,
            duration: Duration::ZERO,
            trace: None,
        }
    }

    #[test]
    fn lines_that_cannot_be_written_are_counted() {
        let log = AccessLog::open(&AccessLogTarget::File("/dev/full".into())).unwrap();
        for _ in 0..50 {
            log.log(&entry());
        }
        let losses = log.close(Duration::from_secs(5));
        assert_eq!(losses.failed + losses.dropped, 50, "{losses:?}");
        assert!(losses.failed > 0 && !losses.stuck, "{losses:?}");
    }

    #[test]
    fn a_stuck_log_is_abandoned_at_close() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .unwrap();
        // Someone opens the FIFO for reading and never reads.
        let reader = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
            .open(&fifo)
            .unwrap();
        let log = AccessLog::open(&AccessLogTarget::File(fifo)).unwrap();
        let mut e = entry();
        e.selector = "x".repeat(1000);
        for _ in 0..QUEUE + 1000 {
            log.log(&e);
        }
        let t0 = std::time::Instant::now();
        let losses = log.close(Duration::from_millis(300));
        assert!(losses.stuck, "{losses:?}");
        assert!(losses.dropped > 0, "{losses:?}");
        // Every line is accounted for: the pipe took a few, the rest were
        // dropped or abandoned in the queue.
        let in_pipe = log.counters.written.load(Ordering::Relaxed);
        assert!(losses.abandoned > 0, "{losses:?}");
        assert_eq!(
            in_pipe + losses.dropped + losses.abandoned + losses.failed,
            (QUEUE + 1000) as u64,
            "{losses:?}"
        );
        assert!(t0.elapsed() < Duration::from_secs(5));
        drop(reader);
    }
}
