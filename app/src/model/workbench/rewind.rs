//! Going back in the window: "Go back to its entry/exit" on a Syscalls row
//! and Step back (the syscall stop before this one, from a stop or from the
//! end), through [`Run::rewind`](super::run::Run::rewind): the guest starts
//! again as a replay of the run's recording, races to that stop, and every
//! panel shows the guest as it was there, the calls it made later listed as
//! not yet made.

use super::Workbench;
use crate::model::moment::Shown;
use crate::model::run::Origin;
use wasmhole_runtime::calls::record::CallOutcome;
use wasmhole_runtime::debug::{Edge, StopReason};

impl Workbench {
    /// Goes back to the entry or exit of call `seq` of this run.
    pub fn rewind_to(&mut self, seq: u64, edge: Edge) {
        if let Err(e) = self.run_mut().rewind(seq, edge) {
            self.status = format!("cannot go back: {e}");
            self.problem = Some(format!("Cannot go back to call #{seq}: {e}"));
            return;
        }
        self.animation = None;
        self.problem = None;
        let view = self.view_mut();
        view.frame = 0;
        view.life = None;
        let side = match edge {
            Edge::Entry => "entry",
            Edge::Exit => "exit",
        };
        self.status =
            format!("going back to the {side} of call #{seq} (a replay of the recorded run)");
    }

    /// The syscall stop before the moment shown: from a call's exit, its
    /// entry; from any other stop, the exit of the last call made; from the
    /// end, the exit of the last call (or the entry of the call that ended
    /// the guest).
    pub fn step_back_target(&self) -> Option<(u64, Edge)> {
        let run = self.run();
        if run.recorded_calls() == 0 {
            return None;
        }
        let moment = run.moment();
        match moment.shown {
            Shown::Current => {
                let snapshot = run.snapshot.as_ref()?;
                match &snapshot.reason {
                    StopReason::SyscallExit { record, .. } => Some((record.seq, Edge::Entry)),
                    _ => (snapshot.last_seq >= 1).then_some((snapshot.last_seq, Edge::Exit)),
                }
            }
            Shown::AtExit | Shown::LetGo => {
                let last = run.recorded_calls();
                let ended_in_it = run.ring().get(last).is_some_and(|r| {
                    matches!(
                        r.outcome,
                        CallOutcome::Exited { .. } | CallOutcome::Killed { .. }
                    )
                });
                Some((last, if ended_in_it { Edge::Entry } else { Edge::Exit }))
            }
            _ => None,
        }
    }

    /// Goes back to the syscall stop before this one.
    pub fn step_back(&mut self) {
        match self.step_back_target() {
            Some((seq, edge)) => self.rewind_to(seq, edge),
            None => self.status = "no syscall stop before this one".into(),
        }
    }

    /// What the banner says of a replay: that it is one, and where it left
    /// the recording if it did.
    pub fn replay_note(&self) -> Option<String> {
        let run = self.run();
        if !run.is_replay() {
            return None;
        }
        let mut note = match &run.origin {
            Origin::Recording(file) => format!(
                "A replay of the recording {}: every call is answered from it, nothing outside is touched. Restart replays it again.",
                file.display()
            ),
            _ => "A replay of the recorded run: every call is answered from the recording, nothing outside is touched. Restart runs it live again.".to_string(),
        };
        if let Some(d) = run.session().and_then(|s| s.divergence()) {
            note.push_str(&format!(
                " The replay left the recording at call #{}: {}",
                d.seq, d.report
            ));
        }
        Some(note)
    }
}
