//! The workbench's Predict, then step actions: sending the typed
//! prediction and stepping to the call's exit, and scoring it there.

use super::Workbench;
use crate::model::run::RunState;
use wasmhole_runtime::debug::{Command, StopReason};

impl Workbench {
    /// Scores a prediction once its call has returned. Called after every
    /// poll; never waits.
    pub fn drive_predict(&mut self) {
        if !self.predict.enabled || !self.predict.waiting() {
            return;
        }
        let run = &self.branches.current().run;
        match (&run.state, run.snapshot.as_ref().map(|s| &s.reason)) {
            (RunState::Stopped, Some(StopReason::SyscallExit { record, written })) => {
                self.predict.score(record, written);
                self.lessons.progress.predictions = (self.predict.right, self.predict.total);
            }
            (RunState::Exited(status), _) => self.predict.ended(status),
            _ => {}
        }
    }

    /// Sends the typed prediction and steps to the call's exit.
    pub fn step_and_score(&mut self) {
        let Some(StopReason::SyscallEntry { abi, name, .. }) =
            self.run().snapshot.as_ref().map(|s| s.reason.clone())
        else {
            return;
        };
        let Some(spec) = wasmhole_runtime::abis::find(abi, name) else {
            return;
        };
        if self.predict.send(spec) {
            self.resume(Command::NextSyscall);
        }
    }
}
