//! The access log: one line per request (time, client, selector, route,
//! outcome, bytes sent, duration, and the syscall trace file when there is
//! one), written by a thread of its own so no request waits on the disk.

use crate::config::AccessLogTarget;
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
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

/// Where access log lines go.
pub struct AccessLog {
    sender: Mutex<Option<SyncSender<String>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    dropped: AtomicU64,
}

impl AccessLog {
    /// Starts writing to `target` (a file is opened for appending).
    pub fn open(target: &AccessLogTarget) -> std::io::Result<AccessLog> {
        let out: Box<dyn Write + Send> = match target {
            AccessLogTarget::Off => {
                return Ok(AccessLog {
                    sender: Mutex::new(None),
                    writer: Mutex::new(None),
                    dropped: AtomicU64::new(0),
                });
            }
            AccessLogTarget::Stdout => Box::new(std::io::stdout()),
            AccessLogTarget::File(path) => Box::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?,
            ),
        };
        let (tx, rx) = sync_channel(QUEUE);
        let writer = std::thread::Builder::new()
            .name("gopherd-access-log".into())
            .spawn(move || write_lines(rx, out))?;
        Ok(AccessLog {
            sender: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(writer)),
            dropped: AtomicU64::new(0),
        })
    }

    /// Logs one request.
    pub fn log(&self, entry: &Entry) {
        let sender = self.sender.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = sender.as_ref()
            && let Err(TrySendError::Full(_)) = tx.try_send(entry.line())
        {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Lines dropped because the writer could not keep up.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Writes out every line logged so far and stops the writer.
    pub fn close(&self) {
        self.sender.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(writer) = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = writer.join();
        }
    }
}

impl Drop for AccessLog {
    fn drop(&mut self) {
        self.close();
    }
}

fn write_lines(rx: Receiver<String>, out: Box<dyn Write + Send>) {
    let mut out = BufWriter::with_capacity(64 * 1024, out);
    while let Ok(line) = rx.recv() {
        let _ = writeln!(out, "{line}");
        while let Ok(line) = rx.try_recv() {
            let _ = writeln!(out, "{line}");
        }
        let _ = out.flush();
    }
    let _ = out.flush();
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
        log.close();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 100);
        assert!(text.lines().last().unwrap().contains("bytes=99"));
    }
}
