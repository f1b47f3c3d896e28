//! Writing a run's syscall records out: strace-style text, JSON lines, and
//! the Chrome / Perfetto trace format (one complete event per call).

use serde_json::json;
use wasmhole_runtime::SyscallRecord;

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

/// Renders records in a format.
pub fn render<'a>(records: impl Iterator<Item = &'a SyscallRecord>, format: Format) -> String {
    match format {
        Format::Text => records
            .map(|r| format!("{:>6}  {}\n", r.seq, r.trace_line()))
            .collect(),
        Format::JsonLines => records
            .filter_map(|r| serde_json::to_string(r).ok())
            .map(|l| l + "\n")
            .collect(),
        Format::Perfetto => {
            let events: Vec<serde_json::Value> = records
                .map(|r| {
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
                })
                .collect();
            json!({ "traceEvents": events, "displayTimeUnit": "ns" }).to_string()
        }
    }
}
