//! Replaying a recording: each call the guest makes is checked against the
//! recorded one and answered from it (its bytes written into memory, its
//! console output shown, its descriptors placed in the table as
//! placeholders, its outcome returned) without running the implementation,
//! so no file, clock, random source, input or network is touched. Calls
//! whose results depend only on the configuration run for real and must
//! give what was recorded. The first difference ends the guest with a
//! [`Divergence`].

use super::Mode;
use super::format::{Entry, FdChange, Opened, Outcome};
use super::recording::outcome_of;
use super::tape::SharedTape;
use crate::abis::call::{CallContext, CallSpec, Fatal, Kind};
use crate::calls::decode;
use crate::calls::record::ArgValue;
use crate::sandbox::exit::ExitStatus;
use crate::sandbox::fdtable::{Descriptor, FdTable, Handle, Rights};
use crate::sandbox::guest_memory::{AccessLog, GuestMemory, MemRange};
use crate::sandbox::process::Process;
use crate::sandbox::streams::Stream;
use std::io;
use std::sync::{Arc, Mutex};

/// What a replay says when the recording has no more calls and the guest
/// makes another (a debug session's recording, made as far as it went).
pub const RECORDING_ENDS: &str = "the recording ends here: Restart runs the guest live";

/// Where and how a replay left its recording.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The call number where it happened.
    pub seq: u64,
    /// What differs, both versions shown strace-style.
    pub report: String,
}

/// Where a front end learns whether its replay diverged.
pub type DivergenceSlot = Arc<Mutex<Option<Divergence>>>;

/// A replay in progress.
pub struct Replayer {
    tape: SharedTape,
    /// Calls answered so far.
    done: u64,
    /// Calls it may answer (a debug session's tape may grow meanwhile).
    len: u64,
    /// Whether the recording ended with the guest (rather than being cut).
    complete: bool,
    divergence: DivergenceSlot,
}

/// A placeholder for a descriptor the recorded guest had open: it names
/// what it was, and refuses every use (a replay never reaches the world).
struct Placeholder {
    kind: &'static str,
}

impl Stream for Placeholder {
    fn scheme(&self) -> &'static str {
        self.kind
    }
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::other("a replayed descriptor cannot be read"))
    }
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::other("a replayed descriptor cannot be written"))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The kinds a descriptor can have, so a placeholder says the same.
const KINDS: &[&str] = &[
    "stdio",
    "file",
    "directory",
    "http",
    "https",
    "log",
    "random",
    "null",
    "zero",
    "fd",
];

fn placeholder(opened: &Opened) -> Descriptor {
    let kind = KINDS
        .iter()
        .find(|k| **k == opened.kind)
        .copied()
        .unwrap_or("replayed");
    Descriptor {
        handle: Handle::Stream(Box::new(Placeholder { kind })),
        name: opened.name.clone(),
        rights: Rights {
            base: opened.rights,
            inheriting: opened.inheriting,
        },
        flags: opened.flags,
        preopen: opened.preopen.clone(),
    }
}

impl Replayer {
    /// Replays `process` from the first `len` calls of `tape`, placing the
    /// recorded descriptors it does not have yet (granted directories are
    /// never opened in a replay). `complete`: the recording ended with the
    /// guest, so a call past it is a divergence rather than its end.
    pub fn start(
        process: &mut Process,
        tape: SharedTape,
        len: u64,
        divergence: DivergenceSlot,
    ) -> Replayer {
        let (descriptors, complete) = {
            let t = tape.read().unwrap_or_else(|e| e.into_inner());
            let complete = t.ending().is_some_and(|e| e.calls <= len);
            (t.header().descriptors.clone(), complete)
        };
        for opened in &descriptors {
            if process.fds.get(opened.fd).is_none() {
                let _ = process
                    .fds
                    .insert_found_at_start(opened.fd, placeholder(opened));
            }
        }
        Replayer {
            tape,
            done: 0,
            len,
            complete,
            divergence,
        }
    }

    /// Calls answered so far.
    pub fn position(&self) -> u64 {
        self.done
    }

    /// Checks how the replayed guest ended against the recording.
    pub(super) fn finish(&mut self, status: &ExitStatus) {
        if lock(&self.divergence).is_some() {
            return;
        }
        let tape = self.tape.read().unwrap_or_else(|e| e.into_inner());
        let said = |status: &ExitStatus| match status {
            ExitStatus::Exited(code) => format!("exited with status {code}"),
            ExitStatus::Failed(f) => format!("failed: {f}"),
        };
        if self.done < self.len {
            let next = tape.get(self.done + 1);
            let what = next.map_or_else(|| "?".to_string(), |e| recorded_text(&e));
            self.diverge(
                self.done + 1,
                format!(
                    "the replay ended after call {} ({}), but the recording goes on\n  recorded: {what}",
                    self.done,
                    said(status)
                ),
            );
            return;
        }
        if let Some(ending) = tape.ending()
            && self.complete
            && ending.status != status.code()
        {
            let recorded = ending
                .message
                .clone()
                .unwrap_or_else(|| format!("exited with status {}", ending.status));
            self.diverge(
                self.done,
                format!(
                    "the guest ended differently after call {}\n  recorded: {recorded}\n  replayed: {}",
                    self.done,
                    said(status)
                ),
            );
        }
    }

    fn diverge(&self, seq: u64, report: String) {
        let mut slot = lock(&self.divergence);
        if slot.is_none() {
            *slot = Some(Divergence { seq, report });
        }
    }

    fn take(&mut self) -> Option<Entry> {
        if self.done >= self.len {
            return None;
        }
        let entry = self
            .tape
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(self.done + 1)?;
        self.done += 1;
        Some(entry)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// What replaying one call gave: its result for the guest, the ranges it
/// wrote and (when asked) the bytes they held before.
pub struct Replayed {
    /// The call's result.
    pub result: Result<u64, Fatal>,
    /// Ranges written.
    pub writes: Vec<MemRange>,
    /// The bytes each written range held before.
    pub before: Vec<(MemRange, Vec<u8>)>,
}

/// The recorded call as strace would show it, from what was recorded (its
/// pointers' contents are not kept, so they are shown as addresses).
fn recorded_text(entry: &Entry) -> String {
    let spec = crate::abis::all_calls().find(|c| c.name == entry.call);
    let args: Vec<String> = entry
        .args
        .iter()
        .enumerate()
        .map(|(i, v)| match spec.and_then(|s| s.params.get(i)) {
            Some(p) => match p.kind {
                Kind::Fd | Kind::Int | Kind::Len | Kind::Nanos => format!("{}={v}", p.name),
                Kind::Flags(_) | Kind::Enum(_) => {
                    format!(
                        "{}={}",
                        p.name,
                        decode::named_value(p.kind, *v).unwrap_or_default()
                    )
                }
                _ => format!("{}={v:#x}", p.name),
            },
            None => format!("?={v:#x}"),
        })
        .collect();
    let result = match (&entry.outcome, spec) {
        (Outcome::Returned(v), Some(spec)) => decode::decode_result(spec, *v).text(),
        (Outcome::Returned(v), None) => v.to_string(),
        (other, _) => outcome_text(other),
    };
    let text = format!("{}({}) = {result}", entry.call, args.join(", "));
    text + &writes_text(entry.writes.iter().map(|w| (w.at, &w.bytes[..])))
}

/// Each range a call wrote, with its first bytes, a line each, so two
/// versions of a call that returned the same differ where they wrote.
fn writes_text<'a>(writes: impl IntoIterator<Item = (u32, &'a [u8])>) -> String {
    writes
        .into_iter()
        .map(|(at, bytes)| {
            format!(
                "\n            wrote {} bytes at {at:#x}: {}",
                bytes.len(),
                decode::hex_bytes(bytes, 16)
            )
        })
        .collect()
}

fn outcome_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Returned(v) => v.to_string(),
        Outcome::Exited(s) => format!("? <exited with status {s}>"),
        Outcome::Killed { reason, .. } => format!("? <killed: {reason}>"),
        Outcome::TimeLimit { waiting } => format!("? <the time limit passed while {waiting}>"),
    }
}

/// The call the replayed guest makes, decoded against its memory.
fn replayed_text(
    call: &'static CallSpec,
    args: &[u64],
    memory: Option<&[u8]>,
    fds: &FdTable,
    result: Option<&Result<u64, Fatal>>,
) -> String {
    let decoded: Vec<ArgValue> = decode::decode_at_entry(call, args, memory, fds).args(call, args);
    let shown: Vec<String> = decoded
        .iter()
        .map(|a| format!("{}={}", a.name, a.shown))
        .collect();
    let result = match result {
        None => "…".to_string(),
        Some(Ok(v)) => decode::decode_result(call, *v).text(),
        Some(Err(f)) => outcome_text(&outcome_of(&Err(f.clone()))),
    };
    format!("{}({}) = {result}", call.name, shown.join(", "))
}

/// Answers one call from the recording (see the module's description).
pub fn replay_call(
    call: &'static CallSpec,
    args: &[u64],
    memory: &mut [u8],
    has_memory: bool,
    mode: &mut Mode,
    process: &mut Process,
    keep_before: bool,
) -> Replayed {
    let Mode::Replay(replayer) = mode else {
        return fatal(Fatal::kill(call.name, "not replaying"));
    };
    let seq = replayer.done + 1;
    let view = has_memory.then_some(&*memory);
    let Some(entry) = replayer.take() else {
        if replayer.complete {
            let report = format!(
                "the recording ended after call {} with the guest, but the replay makes another\n  replayed: {}",
                replayer.done,
                replayed_text(call, args, view, &process.fds, None)
            );
            return diverged(replayer, seq, call, report);
        }
        return fatal(Fatal::kill(call.name, RECORDING_ENDS));
    };
    if entry.call != call.name || entry.args != args {
        let report = format!(
            "call {seq} differs\n  recorded: {}\n  replayed: {}",
            recorded_text(&entry),
            replayed_text(call, args, view, &process.fds, None)
        );
        return diverged(replayer, seq, call, report);
    }
    let divergence = replayer.divergence.clone();
    let mut log = AccessLog {
        keep_before,
        ..AccessLog::default()
    };
    if call.config_only {
        let result = {
            let mut cx = CallContext {
                mem: GuestMemory::logged(memory, has_memory, &mut log),
                process: &mut *process,
            };
            (call.imp)(&mut cx, args)
        };
        let wrote: Vec<(u32, &[u8])> = log
            .writes
            .iter()
            .map(|w| {
                (
                    w.start,
                    &memory[w.start as usize..(w.start + w.len) as usize],
                )
            })
            .collect();
        let recorded: Vec<(u32, &[u8])> =
            entry.writes.iter().map(|w| (w.at, &w.bytes[..])).collect();
        if outcome_of(&result) != entry.outcome || wrote != recorded {
            let report = format!(
                "call {seq} gives a different result under the replay's configuration\n  recorded: {}\n  replayed: {}{}",
                recorded_text(&entry),
                replayed_text(call, args, Some(&*memory), &process.fds, Some(&result)),
                writes_text(wrote.iter().copied())
            );
            return diverged_into(&divergence, seq, call, report);
        }
        return Replayed {
            result,
            writes: log.writes,
            before: log.before,
        };
    }
    {
        let mut mem = GuestMemory::logged(memory, has_memory, &mut log);
        for w in &entry.writes {
            if mem.write(w.at, &w.bytes).is_err() {
                let report = format!(
                    "call {seq} wrote {} bytes at {:#x}, outside the replayed guest's {}-byte memory\n  recorded: {}",
                    w.bytes.len(),
                    w.at,
                    mem.size(),
                    recorded_text(&entry)
                );
                return diverged_into(&divergence, seq, call, report);
            }
        }
    }
    apply_fd_changes(&mut process.fds, &entry.fds);
    for out in &entry.console {
        let _ = process.std_output(out.stream.into()).write(&out.bytes);
    }
    let result = match entry.outcome {
        Outcome::Returned(v) => Ok(v),
        Outcome::Exited(status) => Err(Fatal::Exit(status)),
        Outcome::Killed {
            reason,
            output_limit,
        } => Err(Fatal::Kill {
            call: call.name,
            reason,
            output_limit,
        }),
        Outcome::TimeLimit { waiting } => Err(Fatal::TimeLimit {
            call: call.name,
            waiting,
        }),
    };
    Replayed {
        result,
        writes: log.writes,
        before: log.before,
    }
}

fn apply_fd_changes(fds: &mut FdTable, changes: &[FdChange]) {
    for change in changes {
        match change {
            FdChange::Renumbered { from, to } => {
                let _ = fds.renumber(*from, *to);
            }
            FdChange::Closed(fd) => {
                fds.remove(*fd);
            }
            FdChange::Opened(opened) => {
                let _ = fds.insert_at(opened.fd, placeholder(opened));
            }
        }
    }
}

fn fatal(f: Fatal) -> Replayed {
    Replayed {
        result: Err(f),
        writes: Vec::new(),
        before: Vec::new(),
    }
}

fn diverged(replayer: &Replayer, seq: u64, call: &'static CallSpec, report: String) -> Replayed {
    diverged_into(&replayer.divergence, seq, call, report)
}

fn diverged_into(
    slot: &DivergenceSlot,
    seq: u64,
    call: &'static CallSpec,
    report: String,
) -> Replayed {
    let reason = format!("the replay diverged from the recording: {report}");
    let mut s = lock(slot);
    if s.is_none() {
        *s = Some(Divergence { seq, report });
    }
    fatal(Fatal::kill(call.name, reason))
}
