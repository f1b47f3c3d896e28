//! Going back in the window: "Go back to here" on a Syscalls row (its
//! entry or its exit) and Step back (the syscall stop before this one),
//! through `Session::rewind`: the guest starts again as a replay of the
//! run's recording, races to that stop, and every panel shows the guest
//! as it was there.

use super::descriptor_log::DescriptorLog;
use super::memory_view::MemoryView;
use super::state::{Console, RunState, Workbench};
use wasmhole_runtime::debug::{Edge, StopReason};

impl Workbench {
    /// Goes back to the entry or exit of call `seq` of this run.
    pub fn rewind_to(&mut self, seq: u64, edge: Edge) {
        let Some(session) = &mut self.session else {
            self.status = "there is no run to go back in".into();
            return;
        };
        if let Err(e) = session.rewind(seq, edge) {
            self.status = format!("cannot go back: {e}");
            self.problem = Some(format!("Cannot go back to call #{seq}: {e}"));
            return;
        }
        self.records = session.ring().clone();
        // Nothing of the later stop stays on show while the replay races.
        self.snapshot = None;
        self.exit = None;
        self.console = Console::default();
        self.console.input_ended = true;
        self.descriptors = DescriptorLog::default();
        self.selected_life = None;
        self.frame = 0;
        self.waiting = None;
        self.animation = None;
        self.memory = MemoryView {
            rows: self.memory.rows,
            ..MemoryView::default()
        };
        self.problem = None;
        self.state = RunState::Running;
        let side = match edge {
            Edge::Entry => "entry",
            Edge::Exit => "exit",
        };
        self.status =
            format!("going back to the {side} of call #{seq} (a replay of the recorded run)");
    }

    /// The syscall stop before the one the guest is stopped at: the entry
    /// of the call at whose exit it is, else the exit of the last call made.
    pub fn step_back_target(&self) -> Option<(u64, Edge)> {
        if self.state != RunState::Stopped {
            return None;
        }
        let snapshot = self.snapshot.as_ref()?;
        match &snapshot.reason {
            StopReason::SyscallExit { record, .. } => Some((record.seq, Edge::Entry)),
            _ => (snapshot.last_seq >= 1).then_some((snapshot.last_seq, Edge::Exit)),
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
        let session = self.session.as_ref().filter(|s| s.is_replay())?;
        let mut note = match &self.replaying {
            Some(file) => format!(
                "A replay of the recording {}: every call is answered from it, nothing outside is touched. Restart replays it again.",
                file.display()
            ),
            None => "A replay of the recorded run: every call is answered from the recording, nothing outside is touched. Restart runs it live again.".to_string(),
        };
        if let Some(d) = session.divergence() {
            note.push_str(&format!(
                " The replay left the recording at call #{}: {}",
                d.seq, d.report
            ));
        }
        Some(note)
    }
}
