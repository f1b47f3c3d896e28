//! Making a recording: after every call, its arguments, its outcome, the
//! bytes it wrote into guest memory (from the write log), what it wrote to
//! the console (through taps on the standard outputs) and the descriptors
//! it opened, closed or renumbered become one [`Entry`] for a sink.

use super::format::{
    ConsoleOutput, Ending, Entry, FORMAT_VERSION, FdChange, Header, Opened, Outcome,
    RecordedLimits, Stream, Written,
};
use super::tape::TapeSink;
use crate::abis::call::{CallSpec, Fatal};
use crate::module::abi::Abi;
use crate::module::program::Program;
use crate::sandbox::exit::ExitStatus;
use crate::sandbox::fdtable::{FdTable, Handle};
use crate::sandbox::guest_memory::MemRange;
use crate::sandbox::policy::Access;
use crate::sandbox::process::{Process, ProcessConfig};
use crate::sandbox::stdio::{InputSpec, Output, SharedBuffer, StdStream};
use sha2::{Digest, Sha256};

/// A recording being made.
pub struct Recording {
    sink: Box<dyn TapeSink>,
    calls: u64,
    stdout: SharedBuffer,
    stderr: SharedBuffer,
    fd_generation: u64,
    known: Vec<Option<Opened>>,
}

impl Header {
    /// The header for running `program` under `abi` from `entry` with `config`
    /// (the descriptor table is filled in when recording starts).
    pub fn describe(program: &Program, abi: Abi, entry: &str, config: &ProcessConfig) -> Header {
        let limits = &config.limits;
        Header {
            format: FORMAT_VERSION,
            wasmhole: env!("CARGO_PKG_VERSION").to_string(),
            module: program.name().to_string(),
            module_path: String::new(),
            sha256: sha256_hex(program.bytes()),
            abi: abi.name().to_string(),
            entry: entry.to_string(),
            args: config.args.clone(),
            env: config.env.clone(),
            dirs: config
                .dirs
                .iter()
                .map(|d| (d.host.display().to_string(), d.guest.clone()))
                .collect(),
            stdin: match &config.stdin {
                InputSpec::Inherit => "the host's standard input".into(),
                InputSpec::Empty => "empty".into(),
                InputSpec::Bytes(b) => format!("{} bytes given", b.len()),
                InputSpec::Pipe(_) => "typed in while it ran".into(),
            },
            limits: RecordedLimits {
                max_memory: limits.max_memory,
                fuel: limits.fuel,
                timeout_ms: limits.timeout.map(|t| t.as_millis() as u64),
                max_output: limits.max_output,
                max_open_files: limits.max_open_files,
            },
            access: describe_access(&config.access),
            inject: config.inject.iter().map(|i| i.to_string()).collect(),
            descriptors: Vec::new(),
        }
    }
}

/// The policy and network allowances in words.
fn describe_access(access: &Access) -> String {
    let policy = match &access.policy {
        Some(_) => "a policy file",
        None => "no policy file",
    };
    let net: Vec<String> = access.net.iter().map(|n| n.to_string()).collect();
    if net.is_empty() {
        format!("{policy}; no network")
    } else {
        format!("{policy}; network: {}", net.join(", "))
    }
}

/// SHA-256 of `bytes`, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The descriptor table as a recording describes it, by number.
fn describe_table(fds: &FdTable) -> Vec<Option<Opened>> {
    let mut known = Vec::new();
    for (fd, d) in fds.iter() {
        if known.len() <= fd as usize {
            known.resize(fd as usize + 1, None);
        }
        known[fd as usize] = Some(Opened {
            fd,
            name: d.name.clone(),
            kind: d.handle.kind().to_string(),
            rights: d.rights.base,
            inheriting: d.rights.inheriting,
            flags: d.flags,
            preopen: d.preopen.clone(),
        });
    }
    known
}

/// The changes from table `old` to table `new`: renumberings (a
/// descriptor gone from one number and the same one at another), then
/// closes, then opens.
fn table_changes(old: &[Option<Opened>], new: &[Option<Opened>]) -> Vec<FdChange> {
    let slot = |t: &[Option<Opened>], i: usize| t.get(i).cloned().flatten();
    let mut closed = Vec::new();
    let mut opened = Vec::new();
    for i in 0..old.len().max(new.len()) {
        let (before, after) = (slot(old, i), slot(new, i));
        let same = |a: &Opened, b: &Opened| {
            Opened {
                fd: b.fd,
                ..a.clone()
            } == *b
        };
        match (before, after) {
            (Some(a), Some(b)) if same(&a, &b) => {}
            (Some(a), None) => closed.push(a),
            (None, Some(b)) => opened.push(b),
            (Some(a), Some(b)) => {
                closed.push(a);
                opened.push(b);
            }
            (None, None) => {}
        }
    }
    let mut changes = Vec::new();
    let replaced: Vec<u32> = opened.iter().map(|o| o.fd).collect();
    closed.retain(|c| {
        let moved = opened.iter().position(|o| {
            Opened {
                fd: o.fd,
                ..c.clone()
            } == *o
        });
        match moved {
            Some(k) => {
                let to = opened.remove(k).fd;
                changes.push(FdChange::Renumbered { from: c.fd, to });
                false
            }
            None => true,
        }
    });
    // A descriptor replaced at its number is closed by its replacement.
    closed.retain(|c| !replaced.contains(&c.fd));
    changes.extend(closed.into_iter().map(|c| FdChange::Closed(c.fd)));
    changes.extend(opened.into_iter().map(FdChange::Opened));
    changes
}

impl Recording {
    /// Starts recording `process` into `sink`: the header (with the
    /// descriptor table as it is now) goes first, and the standard outputs
    /// are tapped so each call's console output is kept. The recording is
    /// then fed every call (see [`super::Mode::after_call`]).
    pub fn start(
        process: &mut Process,
        mut header: Header,
        mut sink: Box<dyn TapeSink>,
    ) -> Recording {
        let known = describe_table(&process.fds);
        header.descriptors = known.iter().flatten().cloned().collect();
        sink.header(&header);
        let recording = Recording {
            sink,
            calls: 0,
            stdout: SharedBuffer::new(),
            stderr: SharedBuffer::new(),
            fd_generation: process.fds.generation(),
            known,
        };
        let numbers: Vec<u32> = process.fds.iter().map(|(n, _)| n).collect();
        for n in numbers {
            if let Some(d) = process.fds.get_mut(n)
                && let Handle::Output(..) = &d.handle
            {
                let Handle::Output(out, which) = std::mem::replace(
                    &mut d.handle,
                    Handle::Output(Output::Null, StdStream::Stdout),
                ) else {
                    continue;
                };
                d.handle = Handle::Output(recording.tap(which, out), which);
            }
        }
        process.output_taps = Some((recording.stdout.clone(), recording.stderr.clone()));
        recording
    }

    /// `out`, with what is written through it kept for the call's entry.
    pub(super) fn tap(&self, which: StdStream, out: Output) -> Output {
        let tap = match which {
            StdStream::Stderr => self.stderr.clone(),
            _ => self.stdout.clone(),
        };
        Output::Tapped(Box::new(out), tap)
    }

    /// Records one call that ran with `args`, ended with `result` and
    /// wrote the `writes` ranges of `memory`.
    pub(super) fn call(
        &mut self,
        fds: &FdTable,
        call: &'static CallSpec,
        args: &[u64],
        result: &Result<u64, Fatal>,
        writes: &[MemRange],
        memory: &[u8],
    ) {
        self.calls += 1;
        let mut console = Vec::new();
        for (stream, tap) in [
            (Stream::Stdout, &self.stdout),
            (Stream::Stderr, &self.stderr),
        ] {
            if !tap.is_empty() {
                console.push(ConsoleOutput {
                    stream,
                    bytes: tap.take(),
                });
            }
        }
        let fds_changed = if fds.generation() != self.fd_generation {
            self.fd_generation = fds.generation();
            let now = describe_table(fds);
            let changes = table_changes(&self.known, &now);
            self.known = now;
            changes
        } else {
            Vec::new()
        };
        let entry = Entry {
            seq: self.calls,
            call: call.name.to_string(),
            args: args.to_vec(),
            outcome: outcome_of(result),
            writes: writes
                .iter()
                .map(|w| Written {
                    at: w.start,
                    bytes: memory
                        .get(w.start as usize..(w.start + w.len) as usize)
                        .unwrap_or_default()
                        .to_vec(),
                })
                .collect(),
            console,
            fds: fds_changed,
        };
        self.sink.call(&entry);
    }

    /// Ends the recording with how the guest ended.
    pub(super) fn finish(&mut self, status: &ExitStatus) {
        self.sink.end(&Ending {
            calls: self.calls,
            status: status.code(),
            message: match status {
                ExitStatus::Exited(_) => None,
                ExitStatus::Failed(f) => Some(f.to_string()),
            },
        });
    }
}

/// A call's result as a recording keeps it.
pub(super) fn outcome_of(result: &Result<u64, Fatal>) -> Outcome {
    match result {
        Ok(v) => Outcome::Returned(*v),
        Err(Fatal::Exit(status)) => Outcome::Exited(*status),
        Err(Fatal::Kill {
            reason,
            output_limit,
            ..
        }) => Outcome::Killed {
            reason: reason.clone(),
            output_limit: *output_limit,
        },
        Err(Fatal::TimeLimit { waiting, .. }) => Outcome::TimeLimit {
            waiting: waiting.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fd(fd: u32, name: &str) -> Option<Opened> {
        Some(Opened {
            fd,
            name: name.into(),
            kind: "file".into(),
            rights: 0,
            inheriting: 0,
            flags: 0,
            preopen: None,
        })
    }

    #[test]
    fn table_changes_say_opened_closed_and_renumbered() {
        let old = vec![fd(0, "stdin"), fd(1, "stdout"), None, fd(3, "a.txt")];
        let new = vec![fd(0, "stdin"), None, None, fd(3, "a.txt"), fd(4, "b.txt")];
        assert_eq!(
            table_changes(&old, &new),
            vec![
                FdChange::Closed(1),
                FdChange::Opened(fd(4, "b.txt").unwrap())
            ]
        );
        let moved = vec![
            fd(0, "stdin"),
            fd(1, "stdout"),
            None,
            None,
            None,
            None,
            fd(6, "a.txt"),
        ];
        assert_eq!(
            table_changes(&old, &moved),
            vec![FdChange::Renumbered { from: 3, to: 6 }]
        );
        let replaced = vec![fd(0, "stdin"), fd(1, "a.txt")];
        assert_eq!(
            table_changes(&old, &replaced),
            vec![FdChange::Renumbered { from: 3, to: 1 }]
        );
        assert!(table_changes(&old, &old).is_empty());
    }
}
