//! Trace sinks that print: an strace-like line per call, and JSON lines.

use crate::calls::record::SyscallRecord;
use std::io::Write;

use super::sink::RecordSink;

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
