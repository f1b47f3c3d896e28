//! Writing a run's syscall records out: strace-style text, JSON lines, and
//! the Chrome / Perfetto trace format (one complete event per call).

use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver};
use wasmhole_runtime::SyscallRecord;
use wasmhole_runtime::calls::ring::SharedRing;

/// The export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One strace-like line per call.
    Text,
    /// One JSON object per call.
    JsonLines,
    /// Chrome / Perfetto trace JSON.
    Perfetto,
}

impl Format {
    /// All formats, for menus.
    pub const ALL: [Format; 3] = [Format::Text, Format::JsonLines, Format::Perfetto];

    /// Menu label.
    pub fn label(self) -> &'static str {
        match self {
            Format::Text => "strace-style text…",
            Format::JsonLines => "JSON lines…",
            Format::Perfetto => "Perfetto / Chrome trace…",
        }
    }

    /// File name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::JsonLines => "jsonl",
            Format::Perfetto => "json",
        }
    }
}

/// Writes records in a format one at a time (a Perfetto file's events go
/// inside one JSON object, written as they come).
pub struct TraceWriter<W: Write> {
    out: W,
    format: Format,
    count: u64,
}

impl<W: Write> TraceWriter<W> {
    /// Starts a trace in `out`.
    pub fn new(mut out: W, format: Format) -> std::io::Result<Self> {
        if format == Format::Perfetto {
            out.write_all(b"{\"traceEvents\":[\n")?;
        }
        Ok(TraceWriter {
            out,
            format,
            count: 0,
        })
    }

    /// Writes one record.
    pub fn record(&mut self, r: &SyscallRecord) -> std::io::Result<()> {
        match self.format {
            Format::Text => writeln!(self.out, "{:>6}  {}", r.seq, r.trace_line())?,
            Format::JsonLines => {
                serde_json::to_writer(&mut self.out, r)?;
                self.out.write_all(b"\n")?;
            }
            Format::Perfetto => {
                if self.count > 0 {
                    self.out.write_all(b",\n")?;
                }
                serde_json::to_writer(&mut self.out, &perfetto_event(r))?;
            }
        }
        self.count += 1;
        Ok(())
    }

    /// Ends the trace; returns how many records it holds.
    pub fn finish(mut self) -> std::io::Result<u64> {
        if self.format == Format::Perfetto {
            self.out.write_all(b"\n],\"displayTimeUnit\":\"ns\"}\n")?;
        }
        self.out.flush()?;
        Ok(self.count)
    }
}

/// Renders records in a format, as text.
pub fn render(records: impl Iterator<Item = SyscallRecord>, format: Format) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    if let Ok(mut w) = TraceWriter::new(&mut out, format) {
        for r in records {
            let _ = w.record(&r);
        }
        let _ = w.finish();
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A trace being written to a file on its own thread, a block of records
/// at a time, so the window and the guest go on meanwhile.
pub struct ExportJob {
    /// Where it goes.
    pub path: PathBuf,
    done: Receiver<Result<String, String>>,
    written: Arc<AtomicU64>,
}

impl ExportJob {
    /// Starts writing the records `ring` holds now to `path`.
    pub fn start(ring: SharedRing, path: PathBuf, format: Format) -> ExportJob {
        let (tx, done) = mpsc::channel();
        let written = Arc::new(AtomicU64::new(0));
        let progress = written.clone();
        let target = path.clone();
        let spawned = std::thread::Builder::new()
            .name("trace export".into())
            .spawn(move || {
                let _ = tx.send(export(&ring, &target, format, &progress));
            });
        if let Err(e) = spawned {
            let (tx, rx) = mpsc::channel();
            let _ = tx.send(Err(format!("cannot start writing the trace: {e}")));
            return ExportJob {
                path,
                done: rx,
                written,
            };
        }
        ExportJob {
            path,
            done,
            written,
        }
    }

    /// Records written so far.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// The outcome, once it is done: what to tell the person.
    pub fn poll(&mut self) -> Option<Result<String, String>> {
        self.done.try_recv().ok()
    }

    /// Waits (for tests) up to `timeout` for the outcome.
    pub fn wait(&mut self, timeout: std::time::Duration) -> Option<Result<String, String>> {
        self.done.recv_timeout(timeout).ok()
    }
}

fn export(
    ring: &SharedRing,
    path: &Path,
    format: Format,
    progress: &AtomicU64,
) -> Result<String, String> {
    let cannot = |e: std::io::Error| format!("cannot write the trace to {}: {e}", path.display());
    let file = std::fs::File::create(path).map_err(cannot)?;
    let mut w = TraceWriter::new(std::io::BufWriter::new(file), format).map_err(cannot)?;
    let lock = || ring.lock().unwrap_or_else(|e| e.into_inner());
    let (mut from, last) = {
        let r = lock();
        (r.first_seq().unwrap_or(1) - 1, r.last_seq().unwrap_or(0))
    };
    while from < last {
        // The ring is locked for one block at a time.
        let chunk: Vec<SyscallRecord> = lock().since(from).take(4096).collect();
        let Some(end) = chunk.last().map(|r| r.seq) else {
            break;
        };
        for r in chunk.iter().take_while(|r| r.seq <= last) {
            w.record(r).map_err(cannot)?;
        }
        from = end;
        progress.store(from, Ordering::Relaxed);
    }
    let n = w.finish().map_err(cannot)?;
    let calls = if n == 1 { "call" } else { "calls" };
    Ok(format!("trace written to {} ({n} {calls})", path.display()))
}

/// One call as a Chrome trace "complete" event.
fn perfetto_event(r: &SyscallRecord) -> serde_json::Value {
    let args: serde_json::Map<String, serde_json::Value> = r
        .args
        .iter()
        .map(|a| (a.name.to_string(), json!(a.shown)))
        .chain(std::iter::once((
            "result".to_string(),
            json!(r.result_text()),
        )))
        .collect();
    json!({
        "name": r.name,
        "cat": r.abi.name(),
        "ph": "X",
        "ts": r.start_ns as f64 / 1000.0,
        "dur": r.duration_ns as f64 / 1000.0,
        "pid": 1,
        "tid": 1,
        "args": args,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use wasmhole_runtime::calls::ring::{Ring, RingSink};

    fn records() -> Vec<SyscallRecord> {
        let program = wasmhole_runtime::Program::from_file(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../samples/wasi/hello.wat"),
        )
        .unwrap();
        let ring = Arc::new(Mutex::new(Ring::new(10)));
        wasmhole_runtime::Runtime::new(Default::default())
            .unwrap()
            .run(
                &program,
                wasmhole_runtime::RunOptions {
                    abi: None,
                    config: Default::default(),
                    sinks: vec![Box::new(RingSink(ring.clone()))],
                },
            );
        let ring = ring.lock().unwrap();
        ring.records().into()
    }

    #[test]
    fn every_format_carries_the_calls() {
        let rs = records();
        let text = render(rs.iter().cloned(), Format::Text);
        assert!(
            text.contains(r#"fd_write(fd=1<stdout>, iovs=[{"Hello from a WASI guest!\n", 25}]"#),
            "{text}"
        );
        let jsonl = render(rs.iter().cloned(), Format::JsonLines);
        let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
        assert_eq!(first["name"], "fd_write");
        let perfetto: serde_json::Value =
            serde_json::from_str(&render(rs.iter().cloned(), Format::Perfetto)).unwrap();
        let event = &perfetto["traceEvents"][0];
        assert_eq!(event["name"], "fd_write");
        assert_eq!(event["ph"], "X");
        assert_eq!(event["args"]["fd"], "1<stdout>");
        assert!(event["dur"].as_f64().unwrap() >= 0.0);
    }

    #[test]
    fn an_export_job_writes_the_file_or_says_why_not() {
        let ring = Arc::new(Mutex::new(Ring::new(10)));
        for r in records() {
            ring.lock().unwrap().push(r);
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let mut job = ExportJob::start(ring.clone(), path.clone(), Format::JsonLines);
        let done = job.wait(std::time::Duration::from_secs(20)).unwrap();
        assert_eq!(
            done,
            Ok(format!("trace written to {} (1 call)", path.display()))
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"fd_write\""), "{text}");
        let bad = dir.path().join("no/such/folder/t.jsonl");
        let mut job = ExportJob::start(ring, bad.clone(), Format::Text);
        let err = job
            .wait(std::time::Duration::from_secs(20))
            .unwrap()
            .unwrap_err();
        assert!(
            err.starts_with(&format!("cannot write the trace to {}: ", bad.display())),
            "{err}"
        );
    }
}
