//! Side by side: two or three guests (the same idea under different ABIs),
//! each a [`Run`] with its own run configuration, stepped
//! together from syscall to syscall so that calls with the same purpose
//! happen in the same step, and their calls shown in rows aligned by
//! purpose (`alignment`). Guests rest at the entry of their next call, so
//! what each is about to do is known before anyone moves. Nothing here
//! waits on a guest; `poll` drains each session's events.

use super::alignment::{self, Row};
use super::run::{News, Run, RunState};
use super::run_config::RunConfig;
use super::samples;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wasmhole_runtime::abis::{CallSpec, Purpose};
use wasmhole_runtime::calls::record::{ArgValue, SyscallRecord};
use wasmhole_runtime::debug::{CallBytes, Command, StopReason};
use wasmhole_runtime::{Abi, ExitStatus, Program};

/// How many calls of each guest the table lines up; later ones are
/// counted, not shown.
pub const ALIGNED_CALLS: usize = 5_000;

/// While guests run, how often their calls are lined up again (each
/// alignment of very different long traces can take up to a tenth of a
/// second per column).
const REALIGN_WHILE_RUNNING: Duration = Duration::from_millis(250);

/// The samples opened side by side unless others are chosen: hello world
/// in WASI, Dagger and Olin.
pub const HELLO_SAMPLES: [&str; 3] = ["wasi/hello.wat", "dagger/hello.wat", "olin/hello.wat"];

/// The hello samples' paths, if the samples folder is found.
pub fn hello_samples() -> Option<Vec<PathBuf>> {
    let folder = samples::folder()?;
    let paths: Vec<PathBuf> = HELLO_SAMPLES.iter().map(|s| folder.join(s)).collect();
    paths.iter().all(|p| p.is_file()).then_some(paths)
}

/// Where a guest is headed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Goal {
    /// Nowhere: it rests where it stopped.
    Rest,
    /// To the entry of its next call.
    NextEntry,
    /// Through the call it is at, then to the entry of the next one.
    ThroughCall,
    /// To its end.
    End,
}

/// The call a guest is stopped at the entry of.
#[derive(Clone, Debug)]
pub struct Pending {
    /// The call.
    pub spec: &'static CallSpec,
    /// Its arguments, decoded.
    pub args: Vec<ArgValue>,
}

impl Pending {
    /// The call as strace shows it, its result still to come.
    pub fn text(&self) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| format!("{}={}", a.name, a.shown))
            .collect();
        format!("{}({}) = ?", self.spec.name, args.join(", "))
    }
}

/// A cell of the table: a call the guest made, or the one it is about to
/// make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// The call with this sequence number in the guest's records.
    Made(u64),
    /// The call the guest is stopped at the entry of.
    Pending,
}

/// One guest of the comparison.
pub struct Guest {
    /// The program's file.
    pub path: PathBuf,
    /// Its name (the file name).
    pub name: String,
    /// The ABI it runs under, once loaded.
    pub abi: Option<Abi>,
    /// Why it could not be loaded or started.
    pub failure: Option<String>,
    /// The call it is stopped at the entry of.
    pub pending: Option<Pending>,
    /// Its run: calls, console, how it ended.
    pub run: Run,
    /// The purposes of the calls its module imports (what it could ever
    /// line up with).
    makes: HashSet<Purpose>,
    /// Its calls so far, by sequence number, with their purposes (the first
    /// [`ALIGNED_CALLS`]).
    calls: Vec<(u64, Option<Purpose>)>,
    /// Calls made after the first [`ALIGNED_CALLS`].
    pub not_aligned: u64,
    last_seq: u64,
    goal: Goal,
}

impl Guest {
    /// Loads `path` and starts it under the debugger with `config`, on its
    /// way to its first call. A guest that cannot load says why in
    /// `failure`. Standard input is the configuration's text, then its end.
    pub fn start(path: &Path, config: &RunConfig) -> Guest {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let mut guest = Guest {
            path: path.to_path_buf(),
            name: name.clone(),
            abi: None,
            failure: None,
            pending: None,
            run: Run::idle(&name),
            makes: HashSet::new(),
            calls: Vec::new(),
            not_aligned: 0,
            last_seq: 0,
            goal: Goal::NextEntry,
        };
        if let Err(e) = guest.launch(config) {
            guest.failure = Some(e);
        }
        guest
    }

    fn launch(&mut self, config: &RunConfig) -> Result<(), String> {
        let program = Program::from_file(&self.path).map_err(|e| e.to_string())?;
        let mut run =
            Run::start(&self.name, program.clone(), config, None, &[], &[]).map_err(|e| e.short)?;
        run.close_input();
        let abi = run.session().map(|s| s.abi()).ok_or("no session")?;
        self.makes = program
            .imports()
            .iter()
            .filter(|i| abi.import_modules().contains(&i.module.as_str()))
            .filter_map(|i| wasmhole_runtime::abis::find(abi, &i.name).and_then(|c| c.purpose))
            .collect();
        self.abi = Some(abi);
        self.run = run;
        Ok(())
    }

    /// How it ended, if it has.
    pub fn exit(&self) -> Option<&ExitStatus> {
        self.run.ended()
    }

    /// Whether it is still running or can run (loaded and not ended).
    pub fn live(&self) -> bool {
        self.run.alive()
    }

    fn stopped(&self) -> bool {
        self.run.state == RunState::Stopped
    }

    /// Whether it is on its way somewhere (not resting, not ended).
    pub fn moving(&self) -> bool {
        self.live() && (!self.stopped() || self.goal != Goal::Rest)
    }

    /// Its calls so far in the table's order, each with its purpose, the
    /// call it is about to make last.
    pub fn cells(&self) -> Vec<(Cell, Option<Purpose>)> {
        let mut cells: Vec<(Cell, Option<Purpose>)> = self
            .calls
            .iter()
            .map(|(seq, p)| (Cell::Made(*seq), *p))
            .collect();
        if let Some(p) = &self.pending {
            cells.push((Cell::Pending, p.spec.purpose));
        }
        cells
    }

    /// The record of call `seq`, decoded.
    pub fn record(&self, seq: u64) -> Option<SyscallRecord> {
        self.run.ring().get(seq)
    }

    /// What call `seq` read and wrote, as it ran, if still kept.
    pub fn call_bytes(&self, seq: u64) -> Option<CallBytes> {
        self.run.call_bytes(seq)
    }

    /// How many calls it has made.
    pub fn call_count(&self) -> u64 {
        self.last_seq
    }

    fn send(&mut self, command: Command, goal: Goal) {
        if self.run.state == RunState::Stopped {
            self.run.resume(command);
        } else {
            self.run.send(command);
        }
        self.goal = goal;
    }

    /// Drains its session's events and brings its calls and console up to
    /// date. Never waits.
    fn poll(&mut self) {
        for news in self.run.poll() {
            match news {
                News::Stopped(_) => self.stopped_here(),
                News::Ended(_) => {
                    self.pending = None;
                    self.goal = Goal::Rest;
                }
            }
        }
        let ring = self.run.records.clone();
        let ring = ring.lock().unwrap_or_else(|e| e.into_inner());
        for (seq, brief) in ring.briefs_since(self.last_seq) {
            self.last_seq = seq;
            if self.calls.len() < ALIGNED_CALLS {
                self.calls.push((seq, brief.spec.purpose));
            } else {
                self.not_aligned += 1;
            }
        }
    }

    fn stopped_here(&mut self) {
        let reason = self.run.snapshot.as_ref().map(|s| s.reason.clone());
        match reason {
            Some(StopReason::SyscallEntry { abi, name, args }) => {
                self.pending =
                    wasmhole_runtime::abis::find(abi, name).map(|spec| Pending { spec, args });
                match self.goal {
                    Goal::End => self.send(Command::Continue, Goal::End),
                    _ => self.goal = Goal::Rest,
                }
            }
            // A trap: continuing ends the guest with it.
            Some(StopReason::Trap { .. }) => self.send(Command::Continue, self.goal),
            _ => {
                self.pending = None;
                match self.goal {
                    Goal::Rest => {}
                    Goal::End => self.send(Command::Continue, Goal::End),
                    Goal::NextEntry | Goal::ThroughCall => {
                        self.send(Command::NextSyscall, Goal::NextEntry)
                    }
                }
            }
        }
    }
}

/// Which of the guests resting at a call make it now. `next[i]` is the
/// purpose of guest `i`'s next call (`None` for a guest not taking part:
/// ended, or not loaded); `makes[i]` the purposes its module can call for.
///
/// A guest whose next call has no counterpart (no purpose, or none of the
/// other guests can make a call with that purpose) moves alone first; else
/// the guests whose next calls share the purpose most of them share move
/// together, the others wait for them; else (every next call differs, and
/// each could still meet a counterpart) the first guest moves.
pub fn movers(next: &[Option<Option<Purpose>>], makes: &[HashSet<Purpose>]) -> Vec<usize> {
    let taking_part: Vec<usize> = (0..next.len()).filter(|i| next[*i].is_some()).collect();
    let alone: Vec<usize> = taking_part
        .iter()
        .copied()
        .filter(|&i| match next[i].flatten() {
            None => true,
            Some(p) => !taking_part
                .iter()
                .any(|&j| j != i && makes.get(j).is_some_and(|m| m.contains(&p))),
        })
        .collect();
    if !alone.is_empty() {
        return alone;
    }
    let shared_by = |p: Purpose| {
        taking_part
            .iter()
            .filter(|&&j| next[j].flatten() == Some(p))
            .count()
    };
    let best = taking_part
        .iter()
        .filter_map(|&i| next[i].flatten())
        .map(|p| (shared_by(p), p))
        .fold(None, |best: Option<(usize, Purpose)>, (n, p)| match best {
            Some((m, _)) if m >= n => best,
            _ => Some((n, p)),
        });
    match best {
        Some((n, p)) if n >= 2 => taking_part
            .into_iter()
            .filter(|&i| next[i].flatten() == Some(p))
            .collect(),
        _ => taking_part.into_iter().take(1).collect(),
    }
}

/// The comparison: its guests, the rows lining up their calls, and the
/// cell selected.
pub struct SideBySide {
    /// The guests, one column each.
    pub guests: Vec<Guest>,
    /// Each guest's run configuration (kept for restarts).
    configs: Vec<RunConfig>,
    /// The selected cell: column and call.
    pub selected: Option<(usize, Cell)>,
    /// The rows, as of the last `poll`.
    rows: Vec<Row>,
    /// Per guest, what the rows were built from: calls and whether one is
    /// pending.
    built_from: Vec<(usize, bool)>,
    /// Each column's cells, as of the last alignment.
    cells: Vec<Vec<(Cell, Option<Purpose>)>>,
    /// The guests the next step moves (see [`movers`]).
    next: Vec<usize>,
    /// When the rows were last built.
    aligned_at: Option<Instant>,
}

impl SideBySide {
    /// Starts each program with its configuration, each on its way to its
    /// first call.
    pub fn open(programs: Vec<(PathBuf, RunConfig)>) -> SideBySide {
        let guests = programs
            .iter()
            .map(|(path, config)| Guest::start(path, config))
            .collect();
        SideBySide {
            guests,
            configs: programs.into_iter().map(|(_, c)| c).collect(),
            selected: None,
            rows: Vec::new(),
            built_from: Vec::new(),
            cells: Vec::new(),
            next: Vec::new(),
            aligned_at: None,
        }
    }

    /// Whether a guest is still on its way somewhere (the window keeps
    /// drawing, the step buttons wait).
    pub fn busy(&self) -> bool {
        self.guests.iter().any(Guest::moving)
    }

    /// Whether any guest can still move.
    pub fn any_live(&self) -> bool {
        self.guests.iter().any(Guest::live)
    }

    /// Drains every guest's events and lines their calls up again if they
    /// changed. Never waits.
    pub fn poll(&mut self) {
        for g in &mut self.guests {
            g.poll();
        }
        let now: Vec<(usize, bool)> = self
            .guests
            .iter()
            .map(|g| (g.calls.len(), g.pending.is_some()))
            .collect();
        let running = self
            .guests
            .iter()
            .any(|g| g.moving() && g.goal == Goal::End);
        let due = !running
            || self
                .aligned_at
                .is_none_or(|t| t.elapsed() >= REALIGN_WHILE_RUNNING);
        if now != self.built_from && due {
            self.aligned_at = Some(Instant::now());
            self.next = if self.busy() {
                Vec::new()
            } else {
                self.movers()
            };
            self.cells = self.guests.iter().map(Guest::cells).collect();
            let purposes: Vec<Vec<Option<Purpose>>> = self
                .cells
                .iter()
                .map(|c| c.iter().map(|(_, p)| *p).collect())
                .collect();
            self.rows = alignment::align(&purposes);
            self.next_calls_first();
            self.built_from = now;
        }
    }

    /// The last rows that hold only calls about to be made can be in any
    /// order: those the next step makes come first.
    fn next_calls_first(&mut self) {
        let only_pending = |row: &Row, cells: &[Vec<(Cell, Option<Purpose>)>]| {
            row.cells
                .iter()
                .enumerate()
                .all(|(c, i)| i.is_none_or(|i| matches!(cells[c].get(i), Some((Cell::Pending, _)))))
        };
        let tail = self
            .rows
            .iter()
            .rev()
            .take_while(|r| only_pending(r, &self.cells))
            .count();
        let start = self.rows.len() - tail;
        let next = &self.next;
        self.rows[start..].sort_by_key(|r| {
            !next
                .iter()
                .any(|&g| r.cells.get(g).is_some_and(Option::is_some))
        });
    }

    /// Whether guest `g` makes its call on the next step (it is at a
    /// call's entry and its turn has come).
    pub fn moves_next(&self, g: usize) -> bool {
        self.next.contains(&g)
    }

    /// The guests the next step moves.
    fn movers(&self) -> Vec<usize> {
        let next: Vec<Option<Option<Purpose>>> = self
            .guests
            .iter()
            .map(|g| {
                g.pending
                    .as_ref()
                    .filter(|_| g.live())
                    .map(|p| p.spec.purpose)
            })
            .collect();
        let makes: Vec<HashSet<Purpose>> = self.guests.iter().map(|g| g.makes.clone()).collect();
        movers(&next, &makes)
    }

    /// The rows lining up the guests' calls by purpose.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// What row `row` holds for guest `column`.
    pub fn cell(&self, row: usize, column: usize) -> Option<Cell> {
        let index = self.rows.get(row)?.cells.get(column).copied().flatten()?;
        self.cells.get(column)?.get(index).map(|(c, _)| *c)
    }

    /// Every guest resting at a call whose turn it is makes it, and goes
    /// on to the entry of its next one (see [`movers`]). Guests not yet at
    /// a call go to their first. Does nothing while a guest is moving.
    pub fn step_all(&mut self) {
        if self.busy() {
            return;
        }
        for i in self.movers() {
            self.guests[i].send(Command::NextSyscall, Goal::ThroughCall);
        }
        // A live guest resting anywhere but at a call entry goes to one.
        for g in &mut self.guests {
            if g.live() && g.pending.is_none() && !g.moving() {
                g.send(Command::NextSyscall, Goal::NextEntry);
            }
        }
    }

    /// Every guest runs to its end.
    pub fn run_all(&mut self) {
        for g in &mut self.guests {
            if !g.live() {
                continue;
            }
            if g.stopped() {
                g.send(Command::Continue, Goal::End);
            } else {
                g.goal = Goal::End;
            }
        }
    }

    /// Ends guest `g` (one that runs on and on without making a call, say).
    pub fn end(&mut self, g: usize) {
        if let Some(guest) = self.guests.get_mut(g)
            && guest.live()
        {
            guest.run.stop();
            guest.goal = Goal::End;
        }
    }

    /// Ends every guest still running or able to run.
    pub fn end_all(&mut self) {
        for g in 0..self.guests.len() {
            self.end(g);
        }
    }

    /// Every guest starts again from the beginning (the files read again),
    /// on its way to its first call.
    pub fn restart_all(&mut self) {
        self.guests = self
            .guests
            .iter()
            .zip(&self.configs)
            .map(|(g, c)| Guest::start(&g.path, c))
            .collect();
        self.selected = None;
        self.built_from.clear();
        self.poll();
    }

    /// Waits (for tests and scripts) until no guest is moving.
    pub fn settle(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            self.poll();
            if !self.busy() {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn makes(purposes: &[Purpose]) -> HashSet<Purpose> {
        purposes.iter().copied().collect()
    }

    #[test]
    fn a_call_no_other_guest_can_make_moves_alone() {
        use Purpose::*;
        // WASI about to write; Dagger about to open (WASI cannot open
        // here, Olin cannot either); Olin about to find stdout.
        let next = [
            Some(Some(Write)),
            Some(Some(Open)),
            Some(Some(StandardStreams)),
        ];
        let m = [
            makes(&[Write]),
            makes(&[Open, Write, Close]),
            makes(&[StandardStreams, Write]),
        ];
        assert_eq!(movers(&next, &m), vec![1, 2]);
        // Then all three write together.
        let next = [Some(Some(Write)), Some(Some(Write)), Some(Some(Write))];
        assert_eq!(movers(&next, &m), vec![0, 1, 2]);
        // Dagger's close has no counterpart; the others have ended.
        let next = [None, Some(Some(Close)), None];
        assert_eq!(movers(&next, &m), vec![1]);
    }

    #[test]
    fn guests_sharing_a_purpose_move_together_and_the_others_wait() {
        use Purpose::*;
        let all = makes(&[Open, Read, Write, Close]);
        let next = [Some(Some(Read)), Some(Some(Write)), Some(Some(Write))];
        let m = [all.clone(), all.clone(), all.clone()];
        assert_eq!(movers(&next, &m), vec![1, 2]);
        // Every next call differs and each could still meet its
        // counterpart: the first guest moves.
        let next = [Some(Some(Read)), Some(Some(Write)), Some(Some(Open))];
        assert_eq!(movers(&next, &m), vec![0]);
        // A call without a purpose has no counterpart anywhere.
        let next = [Some(None), Some(Some(Write))];
        assert_eq!(movers(&next, &m[..2]), vec![0]);
    }
}
