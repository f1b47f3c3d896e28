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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use wasmhole_runtime::trace::{Ring, RingSink};

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
        ring.records().iter().cloned().collect()
    }

    #[test]
    fn every_format_carries_the_calls() {
        let rs = records();
        let text = render(rs.iter(), Format::Text);
        assert!(
            text.contains(r#"fd_write(fd=1<stdout>, iovs=[{"Hello from a WASI guest!\n", 25}]"#),
            "{text}"
        );
        let jsonl = render(rs.iter(), Format::JsonLines);
        let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
        assert_eq!(first["name"], "fd_write");
        let perfetto: serde_json::Value =
            serde_json::from_str(&render(rs.iter(), Format::Perfetto)).unwrap();
        let event = &perfetto["traceEvents"][0];
        assert_eq!(event["name"], "fd_write");
        assert_eq!(event["ph"], "X");
        assert_eq!(event["args"]["fd"], "1<stdout>");
        assert!(event["dur"].as_f64().unwrap() >= 0.0);
    }
}
