//! Reading a JSON-lines syscall trace (as `wasmhole run --trace-format
//! jsonl` and gopherd's per-request traces write it) back into
//! `SyscallRecord`s, so a front end can show a recorded run: each line is
//! matched to its call's description again, so explanations and error
//! meanings are those of this build.

use crate::calls::decode::decode_result;
use crate::calls::record::{ArgValue, CallOutcome, SyscallRecord};
use crate::module::abi::Abi;
use crate::sandbox::guest_memory::MemRange;
use serde::Deserialize;
use std::io::BufRead;

/// Why a trace could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TraceFileError {
    /// The file could not be read.
    #[error("cannot read the trace: {0}")]
    Io(#[from] std::io::Error),
    /// A line is not a record.
    #[error("line {line}: {message}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
}

#[derive(Deserialize)]
struct RecordLine {
    seq: u64,
    abi: String,
    name: String,
    #[serde(default)]
    args: Vec<ArgLine>,
    outcome: OutcomeLine,
    #[serde(default)]
    reads: Vec<MemRange>,
    #[serde(default)]
    writes: Vec<MemRange>,
    #[serde(default)]
    start_ns: u64,
    #[serde(default)]
    duration_ns: u64,
    #[serde(default)]
    injected: bool,
}

#[derive(Deserialize)]
struct ArgLine {
    raw: u64,
    shown: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
enum OutcomeLine {
    Returned { raw: i64 },
    Done,
    Exited { status: i32 },
    Killed { reason: String },
}

/// Parses one line of a JSON-lines trace.
pub fn parse_line(line: &str) -> Result<SyscallRecord, String> {
    let l: RecordLine = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let abi = Abi::parse(&l.abi).ok_or_else(|| format!("unknown ABI `{}`", l.abi))?;
    let spec = crate::abis::find(abi, &l.name)
        .ok_or_else(|| format!("{abi} has no call named `{}`", l.name))?;
    if l.args.len() > spec.params.len() {
        return Err(format!(
            "`{}` takes {} arguments, the line has {}",
            spec.name,
            spec.params.len(),
            l.args.len()
        ));
    }
    let args = spec
        .params
        .iter()
        .zip(l.args)
        .map(|(p, a)| ArgValue {
            name: p.name,
            raw: a.raw,
            shown: a.shown,
        })
        .collect();
    let outcome = match l.outcome {
        OutcomeLine::Returned { raw } => decode_result(spec, raw as u64),
        OutcomeLine::Done => CallOutcome::Done,
        OutcomeLine::Exited { status } => CallOutcome::Exited { status },
        OutcomeLine::Killed { reason } => CallOutcome::Killed { reason },
    };
    Ok(SyscallRecord {
        seq: l.seq,
        abi,
        name: spec.name,
        args,
        outcome,
        reads: l.reads,
        writes: l.writes,
        start_ns: l.start_ns,
        duration_ns: l.duration_ns,
        injected: l.injected,
        spec,
    })
}

/// Reads a whole trace, handing each record to `each` in file order. Blank
/// lines are skipped; the first line that is not a record stops the
/// reading with its line number.
pub fn read(
    input: impl BufRead,
    mut each: impl FnMut(SyscallRecord),
) -> Result<usize, TraceFileError> {
    let mut count = 0;
    for (i, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let record = parse_line(&line).map_err(|message| TraceFileError::Line {
            line: i + 1,
            message,
        })?;
        each(record);
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::record::CallResult;

    fn written(r: &SyscallRecord) -> String {
        serde_json::to_string(r).unwrap()
    }

    fn sample(name: &'static str, raw: i64) -> SyscallRecord {
        let spec = crate::abis::find(Abi::Wasi, name).unwrap();
        SyscallRecord {
            seq: 7,
            abi: Abi::Wasi,
            name: spec.name,
            args: vec![ArgValue {
                name: spec.params[0].name,
                raw: 1,
                shown: "1<stdout>".into(),
            }],
            outcome: decode_result(spec, raw as u64),
            reads: vec![MemRange { start: 16, len: 8 }],
            writes: vec![MemRange { start: 40, len: 4 }],
            start_ns: 1000,
            duration_ns: 250,
            injected: true,
            spec,
        }
    }

    #[test]
    fn a_written_record_reads_back_the_same() {
        let original = sample("fd_write", 8);
        let back = parse_line(&written(&original)).unwrap();
        assert_eq!(back.trace_line(), original.trace_line());
        assert_eq!(back.reads, original.reads);
        assert_eq!(back.writes, original.writes);
        assert_eq!(back.duration_ns, 250);
        assert!(back.injected);
        assert!(std::ptr::eq(back.spec, original.spec));
    }

    #[test]
    fn error_names_and_meanings_come_back() {
        let back = parse_line(&written(&sample("fd_write", 8))).unwrap();
        match back.outcome {
            CallOutcome::Returned(CallResult { error, meaning, .. }) => {
                assert_eq!(error, Some("EBADF"));
                assert!(meaning.is_some());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_lines_are_named_by_number() {
        let good = written(&sample("fd_close", 0));
        let text = format!("{good}\n\n{good}\n{{\"seq\":1}}\n{good}\n");
        let mut seen = 0;
        let err = read(text.as_bytes(), |_| seen += 1).unwrap_err();
        assert_eq!(seen, 2);
        assert!(err.to_string().starts_with("line 4:"), "{err}");
        let unknown = good.replace("fd_close", "fd_teleport");
        assert!(parse_line(&unknown).unwrap_err().contains("fd_teleport"));
    }
}
