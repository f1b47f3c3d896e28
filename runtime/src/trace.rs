//! Where syscall records go: nowhere (the fast path), the bounded ring of a
//! debug session (`ring`), an strace-like printer, JSON lines, and an `strace -c` summary.

use crate::record::SyscallRecord;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

pub use crate::ring::{Brief, Footprint, Ring, RingSink, SharedRing};

/// Something that receives every record of a process.
pub trait RecordSink: Send {
    /// Called once per host call, after it finished.
    fn record(&mut self, record: &SyscallRecord);
    /// Called when the guest ends.
    fn finish(&mut self) {}
}

/// Numbers records and hands them to the sinks. With no sinks, calls are not
/// decoded at all.
#[derive(Default)]
pub struct Recorder {
    next_seq: u64,
    sinks: Vec<Box<dyn RecordSink>>,
}

impl Recorder {
    /// A recorder with these sinks.
    pub fn new(sinks: Vec<Box<dyn RecordSink>>) -> Recorder {
        Recorder { next_seq: 0, sinks }
    }

    /// Whether any sink wants records.
    pub fn active(&self) -> bool {
        !self.sinks.is_empty()
    }

    /// Adds a sink.
    pub fn add(&mut self, sink: Box<dyn RecordSink>) {
        self.sinks.push(sink);
    }

    /// The sequence number the next record gets.
    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Delivers a record to every sink.
    pub fn emit(&mut self, record: &SyscallRecord) {
        for sink in &mut self.sinks {
            sink.record(record);
        }
    }

    /// Tells every sink the guest has ended.
    pub fn finish(&mut self) {
        for sink in &mut self.sinks {
            sink.finish();
        }
    }
}

/// Prints one strace-like line per call.
pub struct TextSink<W: Write + Send> {
    out: W,
    prefix: String,
}

impl<W: Write + Send> TextSink<W> {
    /// Lines go to `out`, each starting with `prefix` (e.g. `[wasi] `).
    pub fn new(out: W, prefix: impl Into<String>) -> Self {
        TextSink {
            out,
            prefix: prefix.into(),
        }
    }
}

impl<W: Write + Send> RecordSink for TextSink<W> {
    fn record(&mut self, r: &SyscallRecord) {
        let _ = writeln!(self.out, "{}{}", self.prefix, r.trace_line());
    }
    fn finish(&mut self) {
        let _ = self.out.flush();
    }
}

/// Writes one JSON object per call.
pub struct JsonLinesSink<W: Write + Send> {
    out: W,
}

impl<W: Write + Send> JsonLinesSink<W> {
    /// Lines go to `out`.
    pub fn new(out: W) -> Self {
        JsonLinesSink { out }
    }
}

impl<W: Write + Send> RecordSink for JsonLinesSink<W> {
    fn record(&mut self, r: &SyscallRecord) {
        if serde_json::to_writer(&mut self.out, r).is_ok() {
            let _ = self.out.write_all(b"\n");
        }
    }
    fn finish(&mut self) {
        let _ = self.out.flush();
    }
}

/// Per-call counts, as `strace -c` prints them.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Call name -> totals.
    pub calls: BTreeMap<&'static str, CallTotals>,
}

/// Totals for one call name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallTotals {
    /// Number of calls.
    pub calls: u64,
    /// Number that failed.
    pub errors: u64,
    /// Time spent, in nanoseconds.
    pub total_ns: u64,
}

impl Summary {
    /// Counts one record.
    pub fn add(&mut self, r: &SyscallRecord) {
        let t = self.calls.entry(r.name).or_default();
        t.calls += 1;
        t.errors += r.is_error() as u64;
        t.total_ns += r.duration_ns;
    }

    /// The `strace -c` table.
    pub fn table(&self) -> String {
        let total_ns: u64 = self.calls.values().map(|t| t.total_ns).sum();
        let rule = "------ ----------- ----------- --------- --------- ----------------\n";
        let mut out = String::from("% time     seconds  usecs/call     calls    errors syscall\n");
        out.push_str(rule);
        let mut rows: Vec<_> = self.calls.iter().collect();
        rows.sort_by(|a, b| b.1.total_ns.cmp(&a.1.total_ns).then(a.0.cmp(b.0)));
        for (name, t) in &rows {
            let pct = if total_ns == 0 {
                0.0
            } else {
                t.total_ns as f64 * 100.0 / total_ns as f64
            };
            let errors = if t.errors == 0 {
                String::new()
            } else {
                t.errors.to_string()
            };
            out.push_str(&format!(
                "{:6.2} {:11.6} {:11} {:9} {:>9} {}\n",
                pct,
                t.total_ns as f64 / 1e9,
                t.total_ns / 1000 / t.calls.max(1),
                t.calls,
                errors,
                name
            ));
        }
        out.push_str(rule);
        let calls: u64 = self.calls.values().map(|t| t.calls).sum();
        let errors: u64 = self.calls.values().map(|t| t.errors).sum();
        out.push_str(&format!(
            "100.00 {:11.6} {:11} {:9} {:>9} total\n",
            total_ns as f64 / 1e9,
            total_ns / 1000 / calls.max(1),
            calls,
            if errors == 0 {
                String::new()
            } else {
                errors.to_string()
            }
        ));
        out
    }
}

/// Feeds a shared [`Summary`].
pub struct SummarySink(pub Arc<Mutex<Summary>>);

impl RecordSink for SummarySink {
    fn record(&mut self, r: &SyscallRecord) {
        if let Ok(mut s) = self.0.lock() {
            s.add(r);
        }
    }
}
