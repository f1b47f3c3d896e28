//! A moment in a run's life, and the run as it was then: every panel
//! renders one run at one moment. At a stop the moment is that stop; while
//! the guest runs it is now for what arrives live (calls, console, memory)
//! and the last stop for what only a stop can tell (stack, descriptor
//! offsets), each said so; at the end it is the end. Calls the run is
//! known to make later (after going back, from its recording) are not yet
//! made at the moment, and descriptors they open or close are not yet
//! opened or closed.

use super::descriptor_log::Life;
use super::run::{Origin, Run, RunState};
use wasmhole_runtime::debug::StopReason;
use wasmhole_runtime::sandbox::fdtable::DescriptorRow;

/// How current what the panels show of a run's guest is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// There is nothing to show (no guest, or a trace).
    Nothing,
    /// The guest is stopped: it is as shown.
    Current,
    /// The guest is running: this is how it was at its last stop.
    LastStop,
    /// The guest has ended: this is how it was at the end.
    AtExit,
    /// The guest is going back to an earlier moment and is not there yet.
    GoingBack,
    /// The guest was let go before it ended: its calls and output are
    /// kept, not its state.
    LetGo,
}

/// A moment in a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Moment {
    /// How current the guest's state is.
    pub shown: Shown,
    /// Calls made by this moment (returned to the guest, or ended it).
    pub made: u64,
    /// The call the guest is stopped at the entry of (made, not yet run).
    pub entry: Option<u64>,
    /// Calls made by the last stop (what the stop's state reflects).
    pub at_stop: u64,
}

/// Where a call stands at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallState {
    /// It has been made: its result is known.
    Made,
    /// The guest is stopped at its entry: it has not run.
    AtEntry,
    /// It is made later (known from the run's recording).
    NotYetMade,
}

impl Moment {
    /// Where call `seq` stands at this moment.
    pub fn call(&self, seq: u64) -> CallState {
        if seq <= self.made {
            CallState::Made
        } else if self.entry == Some(seq) {
            CallState::AtEntry
        } else {
            CallState::NotYetMade
        }
    }

    /// Calls made by the moment the descriptors are shown at: the stop's
    /// while the guest runs (descriptors are read at stops), else this one.
    pub fn descriptors_made(&self) -> u64 {
        match self.shown {
            Shown::LastStop => self.at_stop,
            _ => self.made,
        }
    }
}

/// Descriptors at a moment.
#[derive(Clone, Debug, Default)]
pub struct DescriptorsAt {
    /// Those open, each with its row (kind, offset, rights, flags) when
    /// the moment's stop or exit gave one.
    pub open: Vec<(usize, Life, Option<DescriptorRow>)>,
    /// Those already closed (or renumbered away).
    pub closed: Vec<(usize, Life)>,
}

impl Run {
    /// The moment its panels show.
    pub fn moment(&self) -> Moment {
        let made = self.calls_made();
        let at_stop = self.snapshot.as_ref().map_or(0, |s| s.last_seq);
        let entry = match (&self.state, self.snapshot.as_ref().map(|s| &s.reason)) {
            (RunState::Stopped, Some(StopReason::SyscallEntry { .. })) => Some(at_stop + 1),
            _ => None,
        };
        let shown = match (&self.state, &self.snapshot, &self.exit) {
            _ if self.going_back.is_some() => Shown::GoingBack,
            (RunState::Exited(_), _, Some(_)) => Shown::AtExit,
            (RunState::Stopped, Some(_), _) => Shown::Current,
            (RunState::Running, Some(_), _) => Shown::LastStop,
            (RunState::Idle, _, _) if self.let_go.is_some() => Shown::LetGo,
            _ => Shown::Nothing,
        };
        Moment {
            shown,
            made,
            entry,
            at_stop,
        }
    }

    /// How many calls are known: made, and after going back the ones the
    /// run made later.
    pub fn calls_known(&self) -> u64 {
        self.ring().last_seq().unwrap_or(0)
    }

    /// Its descriptors at `moment`: open ones (opened before it and not yet
    /// closed), closed ones; descriptors opened after it are not listed.
    pub fn descriptors_at(&self, moment: &Moment) -> DescriptorsAt {
        let made = moment.descriptors_made();
        let rows: &[DescriptorRow] = match (moment.shown, &self.exit, &self.snapshot) {
            (Shown::AtExit, Some(exit), _) => &exit.descriptors,
            (Shown::Current | Shown::LastStop, _, Some(s)) => &s.descriptors,
            _ => &[],
        };
        let mut at = DescriptorsAt::default();
        for (i, life) in self.descriptors.lives.iter().enumerate() {
            if life.opened.is_some_and(|s| s > made) {
                continue;
            }
            match life.closed {
                Some(s) if s <= made => at.closed.push((i, life.clone())),
                _ => {
                    let row = rows.iter().find(|r| r.number == life.number).cloned();
                    at.open.push((i, life.clone(), row));
                }
            }
        }
        at
    }

    /// When the guest is stopped at a syscall's entry, that call as the
    /// Syscalls panel lists it: numbered as its record will be, with no
    /// result yet (`= ? <not yet run>`, as strace shows an unfinished
    /// call).
    pub fn call_at_entry(&self) -> Option<String> {
        let seq = self.moment().entry?;
        let snapshot = self.snapshot.as_ref()?;
        let StopReason::SyscallEntry { name, args, .. } = &snapshot.reason else {
            return None;
        };
        let args: Vec<String> = args
            .iter()
            .map(|a| format!("{}={}", a.name, a.shown))
            .collect();
        Some(format!(
            "{seq}  {name}({}) = ? <not yet run: stopped at its entry>",
            args.join(", ")
        ))
    }

    /// What the run is, in a few words, for headings: `a replay of
    /// lines.recording.jsonl`, `a recorded trace`, or nothing for a live
    /// run.
    pub fn origin_words(&self) -> Option<String> {
        match &self.origin {
            Origin::Live if self.is_replay() => Some("a replay of the recorded run".into()),
            Origin::Live => None,
            Origin::Recording(p) => Some(format!("a replay of {}", p.display())),
            Origin::Trace(_) => Some("a recorded trace".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_after_the_moment_are_not_yet_made() {
        let at_entry = Moment {
            shown: Shown::Current,
            made: 1,
            entry: Some(2),
            at_stop: 1,
        };
        assert_eq!(at_entry.call(1), CallState::Made);
        assert_eq!(at_entry.call(2), CallState::AtEntry);
        assert_eq!(at_entry.call(3), CallState::NotYetMade);
        let running = Moment {
            shown: Shown::LastStop,
            made: 9,
            entry: None,
            at_stop: 4,
        };
        assert_eq!(running.call(9), CallState::Made);
        assert_eq!(running.descriptors_made(), 4);
    }
}
