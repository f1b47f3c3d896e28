//! `wasmhole debug`: a gdb-like terminal debugger over the debugger core.
//! Commands come from the terminal, or from stdin / a script with `--batch`
//! / `-x`, in which case the output is deterministic so sessions can be
//! recorded and compared.

use super::GuestArgs;
use std::collections::VecDeque;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};
use wasmhole_runtime::calls::decode::hex_bytes;
use wasmhole_runtime::debug::{
    Command, Edge, Event, Location, Session, Snapshot, StopReason, parse_address,
};
use wasmhole_runtime::sandbox::stdio::StdStream;
use wasmhole_runtime::{ExitStatus, InputSpec, OutputSpec, Program};

/// Flags of `wasmhole debug`.
#[derive(clap::Args, Debug)]
pub struct DebugArgs {
    /// Read commands from stdin without prompts, and print deterministic output.
    #[arg(long)]
    pub batch: bool,
    /// Read commands from FILE (implies --batch).
    #[arg(short = 'x', value_name = "FILE")]
    pub script: Option<PathBuf>,
    /// Feed this file to the guest's standard input (the terminal is the debugger's).
    #[arg(long, value_name = "FILE")]
    pub stdin: Option<PathBuf>,
    /// The guest and how to run it.
    #[command(flatten)]
    pub guest: GuestArgs,
}

const HELP: &str = "\
commands:
  break LOC          stop at LOC: 0xOFFSET, a function name or index, or `line N`
  delete N           forget breakpoint N
  info break         list breakpoints
  step [N]           run N instructions (default 1), entering calls
  next               run one instruction, running calls to their return
  finish             run until the current function returns
  syscall            run to the next syscall entry or exit
  continue           run until a breakpoint, a trap or the end
  until LOC          run until LOC is reached (or a breakpoint)
  pause              stop a running guest
  bt                 the call stack
  locals             locals of the innermost frame
  stack              operand stack of the innermost frame
  globals            the instance's globals
  x ADDR [LEN]       memory as hex and ASCII (default 64 bytes)
  fds                open descriptors
  trace [N]          the last N syscalls (default 10)
  disas [LOC]        disassembly around LOC (default: where the guest is)
  rewind N [exit]    go back to the entry (or exit) of syscall N: the guest is
                     replayed from its recording, touching nothing outside, and
                     stops there with memory, stack, locals and console as they were
  record save FILE   write this run's recording so far to FILE (JSON lines, as
                     `run --record` writes; `wasmhole replay FILE` replays it)
  restart            run the program again from the start, live
  quit               leave";

/// Runs the debugger; the exit status is the guest's, if it ended.
pub fn main(args: DebugArgs) -> ExitCode {
    match debug(args) {
        Ok(code) => ExitCode::from(code as u8),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

fn debug(args: DebugArgs) -> Result<i32, String> {
    let program = super::load_program(&args.guest)?;
    args.guest.check_injections(&program)?;
    let guest = &args.guest;
    let stdin = match &args.stdin {
        Some(path) => InputSpec::Bytes(
            std::fs::read(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?
                .into(),
        ),
        None => InputSpec::Empty,
    };
    let config = guest.process_config(stdin, OutputSpec::Null, OutputSpec::Null)?;
    wasmhole_runtime::module::compile_cache::configure(guest.cache_dir()?);
    let session =
        Session::start(program, guest.abi.abi(), config).map_err(|f| f.message.clone())?;
    // A guest with a time limit stops by itself; the others get a grace.
    let grace = guest.timeout.unwrap_or(END_OF_INPUT_GRACE);
    let module = std::path::absolute(&guest.file).unwrap_or_else(|_| guest.file.clone());
    interact(
        session,
        Some(module),
        args.batch,
        args.script.as_deref(),
        grace,
    )
}

/// The debugger's prompt over `session` (started, not yet stopped):
/// commands from the terminal, or from stdin or `script` in batch mode;
/// the result is the guest's exit status if it ended. `module` is the
/// program's file, named in recordings saved from here (a recording
/// replayed here already names its own). `wasmhole replay --debug` opens a
/// recording's replay here too.
pub fn interact(
    session: Session,
    module: Option<PathBuf>,
    batch: bool,
    script: Option<&std::path::Path>,
    last_run_grace: Duration,
) -> Result<i32, String> {
    let batch = batch || script.is_some();
    let lines = match script {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let (tx, rx) = mpsc::channel();
            for line in text.lines() {
                let _ = tx.send(line.to_string());
            }
            rx
        }
        None => stdin_lines(),
    };
    let mut debugger = Debugger {
        session,
        module,
        out: std::io::stdout(),
        lines,
        pending: VecDeque::new(),
        batch,
        last_run_grace,
        input_ended: None,
        stopping: false,
        breakpoints: Vec::new(),
        next_id: 1,
        last: None,
        exited: None,
        shown_out: 0,
        shown_err: 0,
    };
    debugger.wait_for_stop();
    debugger.repl();
    Ok(match &debugger.exited {
        Some(status) => status.code(),
        None => 0,
    })
}

/// Lines typed on the terminal, read on their own thread so a running guest
/// can be paused.
fn stdin_lines() -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

struct Breakpoint {
    id: u32,
    offset: u32,
    spec: String,
}

/// How long a guest still running when the commands have ended may go on
/// before it is stopped, as `quit` would (with `--timeout`, that limit).
const END_OF_INPUT_GRACE: Duration = Duration::from_secs(5);

struct Debugger<W: Write> {
    session: Session,
    /// The program's file, for recordings saved from here.
    module: Option<PathBuf>,
    out: W,
    lines: Receiver<String>,
    pending: VecDeque<String>,
    batch: bool,
    last_run_grace: Duration,
    /// When the commands ran out while the guest was running.
    input_ended: Option<Instant>,
    /// Whether the guest was stopped for that.
    stopping: bool,
    breakpoints: Vec<Breakpoint>,
    next_id: u32,
    last: Option<Box<Snapshot>>,
    exited: Option<ExitStatus>,
    shown_out: u64,
    shown_err: u64,
}

impl<W: Write> Debugger<W> {
    fn say(&mut self, text: impl AsRef<str>) {
        let _ = writeln!(self.out, "{}", text.as_ref());
    }

    fn next_line(&mut self) -> Option<String> {
        if let Some(l) = self.pending.pop_front() {
            return Some(l);
        }
        if !self.batch {
            let _ = write!(self.out, "(wasmhole) ");
            let _ = self.out.flush();
        }
        self.lines.recv().ok()
    }

    fn repl(&mut self) {
        while let Some(line) = self.next_line() {
            let line = line.trim().to_string();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if self.batch {
                self.say(format!("(wasmhole) {line}"));
            }
            if !self.execute(&line) {
                break;
            }
        }
    }

    /// Runs one command; false to leave.
    fn execute(&mut self, line: &str) -> bool {
        let mut words = line.split_whitespace();
        let verb = words.next().unwrap_or("");
        let rest: Vec<&str> = words.collect();
        match (verb, rest.as_slice()) {
            ("quit" | "q", _) => return false,
            ("help" | "h", _) => self.say(HELP),
            ("break" | "b", [..]) if !rest.is_empty() => self.add_breakpoint(&rest.join(" ")),
            ("delete" | "d", [n]) => self.delete_breakpoint(n),
            ("info", ["break" | "breakpoints" | "b"]) => self.list_breakpoints(),
            ("step" | "s" | "stepi" | "si", []) => self.resume(Command::Step(1)),
            ("step" | "s" | "stepi" | "si", [n]) => match n.parse() {
                Ok(n) => self.resume(Command::Step(n)),
                Err(_) => self.say(format!("`{n}` is not a number")),
            },
            ("next" | "n" | "nexti" | "ni", []) => self.resume(Command::StepOver),
            ("finish" | "fin", []) => self.resume(Command::StepOut),
            ("syscall", []) => self.resume(Command::NextSyscall),
            ("continue" | "c", []) => self.resume(Command::Continue),
            ("until" | "advance", [..]) if !rest.is_empty() => {
                match Location::parse(&rest.join(" ")).and_then(|l| l.resolve(self.program())) {
                    Ok(offset) => self.resume(Command::RunTo(offset)),
                    Err(e) => self.say(e.to_string()),
                }
            }
            ("pause", []) => self.say("the guest is not running"),
            ("bt" | "backtrace" | "where", []) => self.backtrace(),
            ("locals", []) => self.locals(),
            ("stack", []) => self.stack(),
            ("globals", []) => self.globals(),
            ("x", [addr]) => self.examine(addr, "64"),
            ("x", [addr, len]) => self.examine(addr, len),
            ("fds", []) => self.fds(),
            ("trace", []) => self.trace("10"),
            ("trace", [n]) => self.trace(n),
            ("disas", []) => self.disas(None),
            ("disas", [..]) => self.disas(Some(&rest.join(" "))),
            ("restart" | "r" | "run", []) => self.restart(),
            ("rewind", [n]) | ("rewind", [n, "entry"]) => self.rewind(n, Edge::Entry),
            ("rewind", [n, "exit"]) => self.rewind(n, Edge::Exit),
            ("record", ["save", file]) => self.save_recording(file),
            ("info", ["locals"]) => self.locals(),
            _ => self.say(format!("unknown command `{line}` (try `help`)")),
        }
        let _ = self.out.flush();
        true
    }

    fn resume(&mut self, command: Command) {
        if let Some(status) = &self.exited {
            let text = describe_exit(status);
            self.say(format!("{text}; `restart` to run it again"));
            return;
        }
        self.session.send(command);
        self.wait_for_stop();
    }

    /// Waits for the next stop or the end, pausing if `pause` is typed.
    fn wait_for_stop(&mut self) {
        loop {
            match self.session.wait_event(Duration::from_millis(20)) {
                Some(Event::Stopped(snapshot)) => {
                    self.show_output();
                    self.show_stop(&snapshot);
                    self.last = Some(snapshot);
                    return;
                }
                Some(Event::Exited(exit)) => {
                    self.show_output();
                    let text = describe_exit(&exit.status);
                    self.say(text);
                    // Only what the guest opened can be left open by it:
                    // the standard streams and preopened directories were
                    // there from the start.
                    for d in &exit.descriptors {
                        if d.opened_by_guest {
                            self.say(format!(
                                "note: descriptor {} ({} {}) was never closed",
                                d.number, d.kind, d.name
                            ));
                        }
                    }
                    self.exited = Some(exit.status);
                    self.last = None;
                    return;
                }
                Some(_) => {}
                None => match self.lines.try_recv() {
                    Ok(line) if line.trim() == "pause" => {
                        if self.batch {
                            self.say("(wasmhole) pause");
                        }
                        self.session.pause();
                    }
                    Ok(line) => self.pending.push_back(line),
                    Err(TryRecvError::Empty) => {}
                    Err(TryRecvError::Disconnected) => {
                        if self.pending.is_empty() {
                            self.end_of_input_while_running();
                        }
                    }
                },
            }
        }
    }

    /// The commands have ended and the last one left the guest running:
    /// the end of input is `quit`, once the guest has had its grace.
    fn end_of_input_while_running(&mut self) {
        let since = *self.input_ended.get_or_insert_with(Instant::now);
        if !self.stopping && since.elapsed() >= self.last_run_grace {
            self.say(format!(
                "end of input: the guest was still running after {:?}; stopping it",
                self.last_run_grace
            ));
            self.session.send(Command::Stop);
            self.stopping = true;
        }
    }

    /// Prints what the guest wrote since the last time; of a flood, only
    /// what the session still keeps, after a line saying how much is left out.
    fn show_output(&mut self) {
        for which in [StdStream::Stdout, StdStream::Stderr] {
            let (buffer, shown) = match which {
                StdStream::Stderr => (self.session.stderr(), &mut self.shown_err),
                _ => (self.session.stdout(), &mut self.shown_out),
            };
            let since = buffer.since(*shown);
            *shown += since.skipped + since.bytes.len() as u64;
            if since.skipped > 0 {
                let _ = writeln!(
                    self.out,
                    "[{} bytes of {} not kept]",
                    since.skipped,
                    which.name()
                );
            }
            let _ = self.out.write_all(&since.bytes);
            // The debugger's own lines start on a line of their own.
            if since.bytes.last().is_some_and(|b| *b != b'\n') {
                let _ = writeln!(self.out);
            }
        }
    }

    fn show_stop(&mut self, s: &Snapshot) {
        self.say(format!("stopped: {}", s.reason));
        if let StopReason::SyscallExit { written, .. } = &s.reason {
            for w in written {
                self.say(format!(
                    "  wrote {} bytes at {:#x}: {} -> {}",
                    w.after.len(),
                    w.start,
                    hex_bytes(&w.before, 16),
                    hex_bytes(&w.after, 16)
                ));
            }
        }
        if let Some(pc) = s.pc() {
            let program = self.session.program().clone();
            self.say(format!("  at {pc}: {}", pc.instruction(&program)));
        }
    }

    fn program(&self) -> &Program {
        self.session.program()
    }

    fn add_breakpoint(&mut self, spec: &str) {
        let offset = Location::parse(spec).and_then(|l| l.resolve(self.program()));
        match offset {
            Ok(offset) => {
                let id = self.next_id;
                self.next_id += 1;
                self.session.send(Command::AddBreakpoint(offset));
                self.say(format!("breakpoint {id} at {}", self.place(offset)));
                self.breakpoints.push(Breakpoint {
                    id,
                    offset,
                    spec: spec.to_string(),
                });
            }
            Err(e) => self.say(e.to_string()),
        }
    }

    fn place(&self, offset: u32) -> String {
        let program = self.program();
        let func = program.func_at(offset).map(|b| b.index).unwrap_or(0);
        wasmhole_runtime::debug::Pc::at(program, func, offset).to_string()
    }

    fn delete_breakpoint(&mut self, n: &str) {
        let Some(i) = n
            .parse::<u32>()
            .ok()
            .and_then(|n| self.breakpoints.iter().position(|b| b.id == n))
        else {
            self.say(format!("no breakpoint {n}"));
            return;
        };
        let b = self.breakpoints.remove(i);
        if !self.breakpoints.iter().any(|o| o.offset == b.offset) {
            self.session.send(Command::RemoveBreakpoint(b.offset));
        }
        self.say(format!("deleted breakpoint {}", b.id));
    }

    fn list_breakpoints(&mut self) {
        if self.breakpoints.is_empty() {
            self.say("no breakpoints");
            return;
        }
        let rows: Vec<String> = self
            .breakpoints
            .iter()
            .map(|b| format!("{:<3} {:<12} {}", b.id, b.spec, self.place(b.offset)))
            .collect();
        for r in rows {
            self.say(r);
        }
    }

    fn stopped(&mut self) -> Option<Box<Snapshot>> {
        if self.last.is_none() {
            self.say(match &self.exited {
                Some(status) => describe_exit(status),
                None => "the guest is running".into(),
            });
        }
        self.last.clone()
    }

    fn backtrace(&mut self) {
        let Some(s) = self.stopped() else { return };
        let program = self.program().clone();
        for (i, f) in s.frames.iter().enumerate() {
            self.say(format!("#{i:<2} {}: {}", f.pc, f.pc.instruction(&program)));
        }
    }

    fn locals(&mut self) {
        let Some(s) = self.stopped() else { return };
        let program = self.program().clone();
        match s.frames.first() {
            Some(f) if !f.locals.is_empty() => {
                for (i, v) in f.locals.iter().enumerate() {
                    let name = program
                        .local_name(f.pc.func, i as u32)
                        .map(|n| format!(" ${n}"))
                        .unwrap_or_default();
                    self.say(format!("local {i}{name} = {}", v.shown()));
                }
            }
            _ => self.say("no locals"),
        }
    }

    fn stack(&mut self) {
        let Some(s) = self.stopped() else { return };
        match s.frames.first() {
            Some(f) if !f.stack.is_empty() => {
                let pending = s.pending_call();
                let lines: Vec<String> = f
                    .stack
                    .iter()
                    .enumerate()
                    .map(
                        |(i, v)| match pending.as_ref().and_then(|p| p.operand_role(i)) {
                            Some(role) => format!("[{i}] {}  ({role})", v.shown()),
                            None => format!("[{i}] {}", v.shown()),
                        },
                    )
                    .collect();
                for line in lines {
                    self.say(line);
                }
                if let Some(pending) = pending {
                    self.say(pending.explanation());
                }
            }
            _ => self.say("the operand stack is empty"),
        }
    }

    fn globals(&mut self) {
        let Some(s) = self.stopped() else { return };
        if s.globals.is_empty() {
            self.say("no globals");
        }
        let program = self.program().clone();
        for (i, v) in s.globals.iter().enumerate() {
            let name = program
                .global_name(i as u32)
                .map(|n| format!(" ${n}"))
                .unwrap_or_default();
            self.say(format!("global {i}{name} = {}", v.shown()));
        }
    }

    fn examine(&mut self, addr: &str, len: &str) {
        let (Some(start), Some(len)) = (parse_address(addr), parse_address(len)) else {
            self.say("usage: x ADDR [LEN] (decimal or 0x hex)");
            return;
        };
        if self.stopped().is_none() {
            return;
        }
        self.session.send(Command::ReadMemory { start, len });
        loop {
            match self.session.wait_event(Duration::from_secs(10)) {
                Some(Event::Memory { start, bytes }) => {
                    if bytes.len() < len as usize {
                        let size = self.last.as_ref().map_or(0, |s| s.memory_size);
                        self.say(format!("(memory ends at {size:#x})"));
                    }
                    for line in hexdump(start, &bytes) {
                        self.say(line);
                    }
                    return;
                }
                Some(_) => {}
                None => {
                    self.say("no answer from the guest");
                    return;
                }
            }
        }
    }

    fn fds(&mut self) {
        let Some(s) = self.stopped() else { return };
        self.say(format!(
            "{:<4} {:<10} {:<24} {:>8}  rights",
            "fd", "kind", "name", "offset"
        ));
        for d in &s.descriptors {
            let offset = d
                .offset
                .map(|o| o.to_string())
                .unwrap_or_else(|| "-".into());
            let line = format!(
                "{:<4} {:<10} {:<24} {:>8}  {}",
                d.number,
                d.kind,
                d.name,
                offset,
                wasmhole_runtime::abis::wasi::rights_text(d.rights)
            );
            self.say(line);
        }
    }

    fn trace(&mut self, n: &str) {
        let Ok(n) = n.parse::<usize>() else {
            self.say(format!("`{n}` is not a number"));
            return;
        };
        let lines: Vec<String> = {
            let ring = self
                .session
                .ring()
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            // A replay has reached only part of its recording.
            let last = match (&self.last, self.session.is_replay()) {
                (Some(s), true) => s.last_seq,
                _ => ring.last_seq().unwrap_or(0),
            };
            let from = last.saturating_sub(n as u64);
            ring.since(from)
                .take_while(|r| r.seq <= last)
                .map(|r| format!("{:>5}  {}", r.seq, r.call_text()))
                .collect()
        };
        if lines.is_empty() {
            self.say("no syscalls yet");
        }
        for l in lines {
            self.say(l);
        }
    }

    fn disas(&mut self, loc: Option<&str>) {
        let program = self.program().clone();
        let target = match loc {
            Some(spec) => match Location::parse(spec).and_then(|l| l.resolve(&program)) {
                Ok(o) => Some(o),
                Err(e) => {
                    self.say(e.to_string());
                    return;
                }
            },
            None => self.last.as_ref().and_then(|s| s.pc()).map(|p| p.offset),
        };
        let Some(target) = target else {
            self.say("where? (give a location)");
            return;
        };
        let here = self.last.as_ref().and_then(|s| s.pc()).map(|p| p.offset);
        let d = program.disassembly();
        let line = d.line_of_offset(target as usize).unwrap_or(0);
        let from = line.saturating_sub(5);
        let rows: Vec<String> = d
            .lines()
            .iter()
            .enumerate()
            .skip(from)
            .take(12)
            .map(|(_, l)| {
                let mark = match l.offset.map(|o| o as u32) {
                    Some(o) if Some(o) == here => "=>",
                    Some(o) if self.breakpoints.iter().any(|b| b.offset == o) => " *",
                    _ => "  ",
                };
                let offset = l
                    .offset
                    .map(|o| format!("{o:#07x}"))
                    .unwrap_or_else(|| " ".repeat(7));
                format!("{mark} {offset}  {}", l.text)
            })
            .collect();
        for r in rows {
            self.say(r);
        }
    }

    fn rewind(&mut self, n: &str, edge: Edge) {
        let Ok(seq) = n.parse::<u64>() else {
            self.say(format!("`{n}` is not a syscall number"));
            return;
        };
        match self.session.rewind(seq, edge) {
            Ok(()) => {
                self.exited = None;
                self.last = None;
                self.shown_out = 0;
                self.shown_err = 0;
                let side = match edge {
                    Edge::Entry => "entry",
                    Edge::Exit => "exit",
                };
                self.say(format!(
                    "rewinding to the {side} of syscall {seq} (replaying the recording)"
                ));
                self.wait_for_stop();
            }
            Err(e) => self.say(e),
        }
    }

    fn save_recording(&mut self, file: &str) {
        let tape = self.session.recording().clone();
        if let Some(module) = &self.module
            && let Ok(mut tape) = tape.write()
            && tape.header().module_path.is_empty()
        {
            tape.set_module_path(module);
        }
        let written = std::fs::File::create(file)
            .map(std::io::BufWriter::new)
            .and_then(|out| tape.read().unwrap_or_else(|e| e.into_inner()).write_to(out));
        match written {
            Ok(()) => {
                let calls = self.session.recorded_calls();
                let noun = if calls == 1 { "call" } else { "calls" };
                self.say(format!("wrote the recording of {calls} {noun} to {file}"))
            }
            Err(e) => self.say(format!("cannot write {file}: {e}")),
        }
    }

    fn restart(&mut self) {
        match self.session.restart() {
            Ok(()) => {
                self.exited = None;
                self.last = None;
                self.shown_out = 0;
                self.shown_err = 0;
                self.say("restarted");
                self.wait_for_stop();
            }
            Err(f) => self.say(f.message),
        }
    }
}

fn describe_exit(status: &ExitStatus) -> String {
    match status {
        ExitStatus::Exited(code) => format!("the guest exited with status {code}"),
        ExitStatus::Failed(f) => format!("the guest was stopped: {}", f.message),
    }
}

/// `0x00000040: 68 69 …  |hi…|`, 16 bytes a line.
fn hexdump(start: u32, bytes: &[u8]) -> Vec<String> {
    bytes
        .chunks(16)
        .enumerate()
        .map(|(i, chunk)| {
            let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
            let ascii: String = chunk
                .iter()
                .map(|b| {
                    if b.is_ascii_graphic() || *b == b' ' {
                        *b as char
                    } else {
                        '.'
                    }
                })
                .collect();
            format!(
                "{:#010x}: {:<47}  |{ascii}|",
                start as usize + i * 16,
                hex.join(" ")
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hexdump_shows_hex_and_ascii() {
        let lines = hexdump(0x40, b"hi there\n\x00\x01");
        assert_eq!(
            lines,
            vec!["0x00000040: 68 69 20 74 68 65 72 65 0a 00 01                 |hi there...|"]
        );
    }
}
