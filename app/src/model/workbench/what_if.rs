//! The workbench's What if… actions: opening the window for a call of the
//! run on show, and starting the branch the choice makes.

use super::Workbench;
use crate::model::branches::WhatIf;
use crate::model::run::RunState;
use crate::model::what_if::WhatIfPrompt;
use wasmhole_runtime::debug::StopReason;

impl Workbench {
    /// Opens the What if… window for call `seq` as recorded in the
    /// Syscalls panel.
    pub fn ask_what_if(&mut self, seq: u64) {
        let record = self.run().ring().get(seq);
        if let Some(r) = record {
            self.what_if = Some(WhatIfPrompt::new(seq, r.spec, r.call_text()));
        }
    }

    /// Opens the What if… window for the call the guest is stopped at the
    /// entry of. Returns whether it is stopped at one.
    pub fn ask_what_if_here(&mut self) -> bool {
        let run = self.run();
        let Some(snapshot) = &run.snapshot else {
            return false;
        };
        let StopReason::SyscallEntry { abi, name, args } = &snapshot.reason else {
            return false;
        };
        if run.state != RunState::Stopped {
            return false;
        }
        let Some(call) = wasmhole_runtime::abis::find(*abi, name) else {
            return false;
        };
        let args: Vec<String> = args
            .iter()
            .map(|a| format!("{}={}", a.name, a.shown))
            .collect();
        let shown = format!("{name}({})", args.join(", "));
        self.what_if = Some(WhatIfPrompt::new(snapshot.last_seq + 1, call, shown));
        true
    }

    /// Makes the choice in the open window: starts the branch, or keeps
    /// the window open with the reason it cannot.
    pub fn choose_what_if(&mut self, choice: WhatIf) {
        let Some(prompt) = &self.what_if else { return };
        let (seq, call) = (prompt.seq, prompt.call);
        match self.what_if(seq, call, choice) {
            Ok(()) => self.what_if = None,
            Err(e) => {
                if let Some(p) = &mut self.what_if {
                    p.error = Some(e);
                }
            }
        }
    }
}
